namespace NtkDsl.Layers;

/// <summary>
/// One layer of a <see cref="SpatialNetwork"/> plan, as the generator resolved it from the attributes (defaults
/// applied, σ values resolved from the model). One record per layer kind; each kind's run-time rules live in one
/// file of <c>src/NtkDsl/Layers</c> (see docs/architecture.md).
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <param name="Name">The property name (keys parameter groups, per-layer weights and diagnostics).</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public abstract record LayerSpec(string Name);

/// <summary>An activation as the run time needs it: φ and φ' (generated inline functions) and the kind for analytic duals.</summary>
/// <param name="Kind">The activation kind (<see cref="Activation.Custom"/> for a user method).</param>
/// <param name="Name">As written (the method name for a custom activation).</param>
/// <param name="Phi">φ(z).</param>
/// <param name="Derivative">φ'(z) (ReLU'(0) = 0: docs/math.md §7).</param>
/// <param name="LeakySlope">Negative-side slope for <see cref="Activation.LeakyRelu"/>.</param>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record LayerActivation(Activation Kind, string Name, Func<double, double> Phi, Func<double, double> Derivative, double LeakySlope = 0.01);

/// <summary>Fully connected layer on a flat input (after Flatten/GlobalAvgPool, or on a flat model input).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record DenseSpec(string Name, int Units, LayerActivation Activation, double WeightStd, double BiasStd, bool UseBias) : LayerSpec(Name);

/// <summary>2-D convolution, NHWC; weights channels × kernel × kernel × input channels.</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record Conv2DSpec(string Name, int Channels, int KernelSize, int Stride, Padding Padding, LayerActivation Activation,
    double WeightStd, double BiasStd, bool UseBias) : LayerSpec(Name);

/// <summary>Average pooling per channel over window × window pixels (no parameters).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record AvgPool2DSpec(string Name, int Window, int Stride, Padding Padding) : LayerSpec(Name);

/// <summary>Mean over all pixels per channel (no parameters).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record GlobalAvgPoolSpec(string Name) : LayerSpec(Name);

/// <summary>Reshape H × W × C → H·W·C (no parameters).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record FlattenSpec(string Name) : LayerSpec(Name);

/// <summary>Adds the output of the earlier layer <paramref name="Source"/> to the running activations (no parameters).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record AddSpec(string Name, string Source) : LayerSpec(Name);

/// <summary>Normalization over the channels of each pixel, no learned affine (no parameters).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record LayerNormSpec(string Name, double Epsilon) : LayerSpec(Name);
