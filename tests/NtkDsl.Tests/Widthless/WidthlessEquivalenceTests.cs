using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Widthless;

/// <summary>
/// A model declared without Inputs (issue 15), built at d = 3 and d = 13, against the same architecture declared with
/// Inputs = d (the Dense emitter: an independent implementation of every method) loaded with the same parameters:
/// Forward, Jvp, Vjp, Jacobian, Ntk in every mode, NtkPerGroup, Wntk and the analytic kernels, to 1e-12.
/// </summary>
public sealed class WidthlessEquivalenceTests
{
    private const double Tight = 1e-12;

    public static TheoryData<int> Widths => new() { 3, 13 };

    private static (INtkModel Widthless, INtkModel Declared) Pair(int d, bool standard, int seed = 5)
    {
        INtkModel declared = (standard, d) switch
        {
            (false, 3) => new DeclaredNet3(seed),
            (false, _) => new DeclaredNet13(seed),
            (true, 3) => new DeclaredStandard3(seed),
            _ => new DeclaredStandard13(seed),
        };
        INtkModel widthless = standard ? new WidthlessStandard(d, seed + 100) : new WidthlessNet(d, seed + 100);
        widthless.SetParameters(declared.GetParameters());
        return (widthless, declared);
    }

    private static Tensor Inputs(int n, int d, int seed)
    {
        var values = new double[n * d];
        new NormalSampler(seed).FillNormal(values, 1.0);
        return Tensor.Wrap(values, n, d);
    }

    [Theory, MemberData(nameof(Widths))]
    public void InfoMatchesTheDeclaredModel(int d)
    {
        foreach (bool standard in new[] { false, true })
        {
            var (w, m) = Pair(d, standard);
            Assert.Equal(m.Info.Inputs, w.Info.Inputs);
            Assert.Null(w.Info.InputShape);
            Assert.Equal(m.Info.ParameterCount, w.Info.ParameterCount);
            Assert.Equal(m.Info.Outputs, w.Info.Outputs);
            Assert.Equal(m.Info.Parameterization, w.Info.Parameterization);
            Assert.Equal(m.Info.Groups.Select(g => (g.Key, g.Offset, g.Count)), w.Info.Groups.Select(g => (g.Key, g.Offset, g.Count)));
            Assert.Equal(m.Info.Layers.Select(l => (l.Name, l.Kind, l.FanIn, l.Width, l.ActivationName, l.WeightStd, l.BiasStd, l.UseBias)),
                w.Info.Layers.Select(l => (l.Name, l.Kind, l.FanIn, l.Width, l.ActivationName, l.WeightStd, l.BiasStd, l.UseBias)));
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void SeededInitializationMatchesTheDeclaredModel(int d)
    {
        // Both draw group by group in parameter order from one NormalSampler: the same seed gives the same parameters.
        INtkModel declared = d == 3 ? new DeclaredNet3(42) : new DeclaredNet13(42);
        Assert.Equal(declared.GetParameters(), new WidthlessNet(d, 42).GetParameters());
        INtkModel standard = d == 3 ? new DeclaredStandard3(42) : new DeclaredStandard13(42);
        Assert.Equal(standard.GetParameters(), new WidthlessStandard(d, 42).GetParameters());
    }

    [Theory, MemberData(nameof(Widths))]
    public void ForwardJvpVjpAndJacobianMatch(int d)
    {
        foreach (bool standard in new[] { false, true })
        {
            var (w, m) = Pair(d, standard);
            var x = Inputs(7, d, 11);
            Close.Relative(m.Forward(x), w.Forward(x), Tight, "Forward");
            Close.Relative(m.Jacobian(x), w.Jacobian(x), Tight, "Jacobian");
            var t = Inputs(1, m.Info.ParameterCount, 12).Reshape(m.Info.ParameterCount);
            Close.Relative(m.Jvp(x, t), w.Jvp(x, t), Tight, "Jvp");
            var u = Inputs(7, m.Info.Outputs, 13);
            Close.Relative(m.Vjp(x, u), w.Vjp(x, u), Tight, "Vjp");
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void NtkInEveryModeAndPerGroupAndWntkMatch(int d)
    {
        foreach (bool standard in new[] { false, true })
        {
            var (w, m) = Pair(d, standard);
            var x1 = Inputs(6, d, 21);
            var x2 = Inputs(4, d, 22);
            foreach (var mode in new[] { NtkMode.Trace, NtkMode.Full })
            {
                Close.Relative(m.Ntk(x1, null, mode), w.Ntk(x1, null, mode), Tight, $"Ntk {mode} symmetric");
                Close.Relative(m.Ntk(x1, x2, mode), w.Ntk(x1, x2, mode), Tight, $"Ntk {mode}");
            }
            foreach (var mode in new[] { NtkMode.Diagonal, NtkMode.DiagonalFull })
                Close.Relative(m.Ntk(x1, null, mode), w.Ntk(x1, null, mode), Tight, $"Ntk {mode}");
            var pm = m.NtkPerGroup(x1, x2);
            var pw = w.NtkPerGroup(x1, x2);
            Assert.Equal(pm.Count, pw.Count);
            for (int g = 0; g < pm.Count; g++) Close.Relative(pm[g], pw[g], Tight, $"group {pm.Groups[g].Key}");
            var weights = new GroupWeights(0.5).Layer("Hidden", 2.0).Bias("Out", 0.25);
            Close.Relative(m.Wntk(x1, x2, weights, NtkMode.Full), w.Wntk(x1, x2, weights, NtkMode.Full), Tight, "Wntk");
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void AnalyticKernelsMatch(int d)
    {
        var x1 = Inputs(6, d, 31);
        var x2 = Inputs(5, d, 32);
        var weights = new GroupWeights(0.5).Layer("Hidden", 2.0).Bias("Out", 0.25);
        Func<Tensor, Tensor?, Tensor> nngp = d == 3 ? (a, b) => DeclaredNet3.AnalyticNngp(a, b) : (a, b) => DeclaredNet13.AnalyticNngp(a, b);
        Func<Tensor, Tensor?, Tensor> ntk = d == 3 ? (a, b) => DeclaredNet3.AnalyticNtk(a, b) : (a, b) => DeclaredNet13.AnalyticNtk(a, b);
        Func<Tensor, Tensor?, Tensor> wntk = d == 3 ? (a, b) => DeclaredNet3.AnalyticWntk(a, b, weights) : (a, b) => DeclaredNet13.AnalyticWntk(a, b, weights);
        Func<Tensor, Tensor> ntkDiag = d == 3 ? DeclaredNet3.AnalyticNtkDiagonal : DeclaredNet13.AnalyticNtkDiagonal;
        Func<Tensor, Tensor> nngpDiag = d == 3 ? DeclaredNet3.AnalyticNngpDiagonal : DeclaredNet13.AnalyticNngpDiagonal;
        Close.Relative(nngp(x1, x2), WidthlessNet.AnalyticNngp(x1, x2), Tight, "AnalyticNngp");
        Close.Relative(nngp(x1, null), WidthlessNet.AnalyticNngp(x1), Tight, "AnalyticNngp symmetric");
        Close.Relative(ntk(x1, x2), WidthlessNet.AnalyticNtk(x1, x2), Tight, "AnalyticNtk");
        Close.Relative(ntk(x1, null), WidthlessNet.AnalyticNtk(x1), Tight, "AnalyticNtk symmetric");
        Close.Relative(wntk(x1, x2), WidthlessNet.AnalyticWntk(x1, x2, weights), Tight, "AnalyticWntk");
        Close.Relative(ntkDiag(x1), WidthlessNet.AnalyticNtkDiagonal(x1), Tight, "AnalyticNtkDiagonal");
        Close.Relative(nngpDiag(x1), WidthlessNet.AnalyticNngpDiagonal(x1), Tight, "AnalyticNngpDiagonal");
    }

    [Theory, MemberData(nameof(Widths))]
    public void AnalyticKernelsOfANonClosedFormActivationMatch(int d)
    {
        // tanh has no closed-form dual: the Dense emitter's DualSeries tables and the spatial recursion's duals are two
        // quadratures with error control, so they agree to their error target rather than to rounding.
        var x1 = Inputs(5, d, 41);
        var x2 = Inputs(4, d, 42);
        var reference = d == 3 ? DeclaredStandard3.AnalyticNtk(x1, x2) : DeclaredStandard13.AnalyticNtk(x1, x2);
        Close.Relative(reference, WidthlessStandard.AnalyticNtk(x1, x2), 1e-9, "AnalyticNtk (tanh)");
        var nngp = d == 3 ? DeclaredStandard3.AnalyticNngp(x1, x2) : DeclaredStandard13.AnalyticNngp(x1, x2);
        Close.Relative(nngp, WidthlessStandard.AnalyticNngp(x1, x2), 1e-9, "AnalyticNngp (tanh)");
    }

    [Theory, MemberData(nameof(Widths))]
    public void JacobianMatchesCentralFiniteDifferencesOfForward(int d)
    {
        var model = new WidthlessNet(d, 3);
        var x = Inputs(3, d, 51);
        var theta = model.GetParameters();
        var j = model.Jacobian(x).ToFlatArray();
        int n = x.Rows, k = model.Info.Outputs, p = theta.Length;
        var fd = new double[n * k * p];
        const double h = 1e-5;
        for (int q = 0; q < p; q++)
        {
            double v = theta[q];
            theta[q] = v + h;
            model.SetParameters(theta);
            var fp = model.Forward(x).ToFlatArray();
            theta[q] = v - h;
            model.SetParameters(theta);
            var fm = model.Forward(x).ToFlatArray();
            theta[q] = v;
            for (int r = 0; r < n * k; r++) fd[r * p + q] = (fp[r] - fm[r]) / (2 * h);
        }
        model.SetParameters(theta);
        Close.Relative(fd, j, 1e-6, "Jacobian vs finite differences");
        // And the NTK against the explicit J·Jᵀ (Full mode): Θ[a, b, c, e] = Σ_p J[a, c, p]·J[b, e, p].
        var theta2 = model.Ntk(x, null, NtkMode.Full).ToFlatArray();
        var explicitNtk = new double[n * n * k * k];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int c = 0; c < k; c++)
                    for (int e = 0; e < k; e++)
                    {
                        double s = 0;
                        for (int q = 0; q < p; q++) s += j[(a * k + c) * p + q] * j[(b * k + e) * p + q];
                        explicitNtk[((a * n + b) * k + c) * k + e] = s;
                    }
        Close.Relative(explicitNtk, theta2, 1e-12, "Ntk vs J·Jᵀ");
    }
}
