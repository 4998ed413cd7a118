namespace NtkDsl.Layers.Analytic;

/// <summary>
/// What the pair recursion needs of one example alone, recorded by running the recursion on the pair (x, x):
/// the pixel variances entering each activation, the per-pixel means of the running activations (residual
/// cross-covariances and LayerNorm), LayerNorm's variances, and the example's own kernel values.
/// </summary>
internal sealed class ExampleTrace
{
    public ExampleTrace(double[] input, int steps)
    {
        Input = input;
        Variance = new double[steps][];
        Mean = new double[steps][];
        NormVariance = new double[steps][];
    }

    /// <summary>The example's features, H·W·C in NHWC order.</summary>
    public double[] Input { get; }

    /// <summary>
    /// The input after the plan's leading AvgPool2D steps (<see cref="SpatialKernelPlan.InputPoolSteps"/>), NHWC; the
    /// input itself when there are none. Set by the example's own run.
    /// </summary>
    public double[]? PooledInput { get; set; }

    /// <summary>Per pixel, the channel mean of the input: m_0(p) = (1/C) Σ_c x_{p,c}.</summary>
    public double[] InputMean { get; set; } = [];

    /// <summary>Per step with an activation: Σ(x, x)(p, p) of the pre-activations (the q of the duals).</summary>
    public double[]?[] Variance { get; }

    /// <summary>Per step (when the plan needs means): E[z_c(x, p)] of the step's output, the same for every channel c.</summary>
    public double[]?[] Mean { get; }

    /// <summary>Per LayerNorm step: v(p) = Σ(x, x)(p, p) − m(p)² + ε.</summary>
    public double[]?[] NormVariance { get; }

    /// <summary>K(x, x).</summary>
    public double Nngp { get; set; }

    /// <summary>Θ_w(x, x) with the call's group weights.</summary>
    public double Ntk { get; set; }
}
