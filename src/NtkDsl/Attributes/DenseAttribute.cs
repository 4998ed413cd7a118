namespace NtkDsl;

/// <summary>Declares a fully connected layer on a <c>public partial DenseLayer Name { get; }</c> property.</summary>
/// <remarks>Thread safety: read by the source generator at compile time; an instance obtained by reflection is a plain object, not synchronized.</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>A dense layer of <paramref name="width"/> units followed by <paramref name="activation"/>.</summary>
    public DenseAttribute(int width, Activation activation = Activation.Identity)
    {
        Width = width;
        Activation = activation;
    }

    /// <summary>Number of output units of the layer.</summary>
    public int Width { get; }

    /// <summary>Activation applied after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>σ_w of this layer; NaN (the default) means the model-wide value.</summary>
    public double WeightStd { get; set; } = double.NaN;

    /// <summary>σ_b of this layer; NaN (the default) means the model-wide value.</summary>
    public double BiasStd { get; set; } = double.NaN;

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Negative-side slope of <see cref="Activation.LeakyRelu"/> (default 0.01).</summary>
    public double LeakySlope { get; set; } = 0.01;

    /// <summary>
    /// For <see cref="Activation.Custom"/>: the name of a <c>static double F(double)</c> method of the model class
    /// whose body is a single expression (use <c>nameof</c>).
    /// </summary>
    public string? ActivationMethod { get; set; }
}
