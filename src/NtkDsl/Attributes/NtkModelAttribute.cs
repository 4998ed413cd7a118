namespace NtkDsl;

/// <summary>
/// Marks a partial class as an NtkDsl model. Its <see cref="DenseAttribute"/> properties, in declaration order,
/// are the layers; the last one is the output layer.
/// </summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NtkModelAttribute : Attribute
{
    /// <summary>Number of input features d (a flat input; the alternative to <see cref="InputShape"/>).</summary>
    public int Inputs { get; set; }

    /// <summary>
    /// Image input <c>{ height, width, channels }</c>, channels last (NHWC): each input row holds height·width·channels
    /// values. The alternative to <see cref="Inputs"/>; required by <see cref="Conv2DAttribute"/> and the pooling layers.
    /// </summary>
    public int[]? InputShape { get; set; }

    /// <summary>Parameterization of every layer (default <see cref="NtkDsl.Parameterization.Ntk"/>).</summary>
    public Parameterization Parameterization { get; set; } = Parameterization.Ntk;

    /// <summary>
    /// Model-wide σ_w (default 1.0), used by layers that do not set their own. NtkDsl uses one default for every
    /// layer; neural-tangents' <c>stax.Dense</c> also defaults W_std to 1.0.
    /// </summary>
    public double WeightStd { get; set; } = 1.0;

    /// <summary>
    /// Model-wide σ_b (default 1.0), used by layers that do not set their own. Note: neural-tangents'
    /// <c>stax.Dense</c> defaults b_std to None (no bias); NtkDsl layers have a bias unless <c>UseBias = false</c>.
    /// </summary>
    public double BiasStd { get; set; } = 1.0;

    /// <summary>Precision of parameters and computation (default <see cref="NtkDsl.Precision.Float64"/>).</summary>
    public Precision Precision { get; set; } = Precision.Float64;

    /// <summary>
    /// Output scale α of lazy training (default 1): the trainer fits α·h(x) unless its options override it
    /// (<see cref="NtkDsl.Training.TrainerOptions.OutputScale"/>).
    /// </summary>
    public double OutputScale { get; set; } = 1.0;

    /// <summary>
    /// Train the centred model h(x) = f(x; w) − f(x; w0) (default false) unless the trainer's options override it.
    /// </summary>
    public bool Centered { get; set; }

    /// <summary>Which infinite-width kernel paths are allowed (default <see cref="NtkDsl.AnalyticKernels.Auto"/>).</summary>
    public AnalyticKernels AnalyticKernels { get; set; } = AnalyticKernels.Auto;
}
