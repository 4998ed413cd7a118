namespace NtkDsl;

/// <summary>
/// Declares a 2-D convolution on a <c>public partial ConvLayer Name { get; }</c> property of a model declared with
/// <see cref="NtkModelAttribute.InputShape"/>. Inputs and outputs are channels-last (NHWC); the weights are
/// <c>channels × kernelSize × kernelSize × input channels</c> (row-major), so the fan-in is kernel height × width × input
/// channels (neural-tangents' convention for the NTK parameterization).
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>A convolution with <paramref name="channels"/> output channels and a square <paramref name="kernelSize"/> window, followed by <paramref name="activation"/>.</summary>
    public Conv2DAttribute(int channels, int kernelSize, Activation activation = Activation.Identity)
    {
        Channels = channels;
        KernelSize = kernelSize;
        Activation = activation;
    }

    /// <summary>Number of output channels.</summary>
    public int Channels { get; }

    /// <summary>Height and width of the (square) window.</summary>
    public int KernelSize { get; }

    /// <summary>Activation applied after the convolution.</summary>
    public Activation Activation { get; }

    /// <summary>Step between windows in both directions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>How the image border is handled (default <see cref="Padding.Same"/>).</summary>
    public Padding Padding { get; set; } = Padding.Same;

    /// <summary>σ_w of this layer; NaN (the default) means the model-wide value.</summary>
    public double WeightStd { get; set; } = double.NaN;

    /// <summary>σ_b of this layer; NaN (the default) means the model-wide value.</summary>
    public double BiasStd { get; set; } = double.NaN;

    /// <summary>Whether the layer has a bias per output channel (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Negative-side slope of <see cref="Activation.LeakyRelu"/> (default 0.01).</summary>
    public double LeakySlope { get; set; } = 0.01;

    /// <summary>For <see cref="Activation.Custom"/>: the name of a <c>static double F(double)</c> method of the model class (use <c>nameof</c>).</summary>
    public string? ActivationMethod { get; set; }
}
