using NtkDsl.Analytic;
using NtkDsl.Regression;
using NtkDsl.Wntk;

namespace NtkDsl.Tests.Wntk;

public class WntkLearnerTests
{
    // A small problem: analytic ReLU blocks (depth 2) of 30 random inputs and a smooth target with 2 outputs.
    private static (WntkProblem Problem, Tensor X, Tensor Y) Problem(int n = 30, int outputs = 2)
    {
        var s = new NormalSampler(11);
        var x = new double[n * 3];
        s.FillNormal(x, 1.0);
        var y = new double[n * outputs];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < outputs; c++)
                y[i * outputs + c] = Math.Sin(x[i * 3] + c) + 0.5 * x[i * 3 + 1] * x[i * 3 + 2] + 0.05 * s.NextNormal();
        var xt = Tensor.FromArray(x, n, 3);
        var yt = Tensor.FromArray(y, n, outputs);
        return (WntkProblem.FromAnalytic(AnalyticMlp.Relu(3, 2).Kernels(xt), yt), xt, yt);
    }

    public static TheoryData<string> Objectives => new() { "loo", "heldout", "alignment" };

    private static IWntkObjective Make(string name, int n) => name switch
    {
        "loo" => new LeaveOneOutRidgeObjective(),
        "heldout" => HeldOutRidgeObjective.Random(n, 0.25, seed: 3),
        _ => new KernelTargetAlignmentObjective(),
    };

    [Theory]
    [MemberData(nameof(Objectives))]
    public void GradientMatchesCentralFiniteDifferences(string name)
    {
        var (p, _, _) = Problem();
        var obj = Make(name, p.Size);
        double[] w = [0.7, 1.3, 0.4, 2.0, 0.9, 1.1];
        double ridge = 0.05;
        var grad = new double[6];
        obj.Evaluate(p, w, ridge, grad, out double gr);
        var scratch = new double[6];
        for (int g = 0; g < 6; g++)
        {
            double h = 1e-5 * w[g];
            var wp = (double[])w.Clone(); wp[g] += h;
            var wm = (double[])w.Clone(); wm[g] -= h;
            double fd = (obj.Evaluate(p, wp, ridge, scratch, out _) - obj.Evaluate(p, wm, ridge, scratch, out _)) / (2 * h);
            Assert.Equal(fd, grad[g], 1e-6 * Math.Max(1e-3, Math.Abs(fd)) + 1e-9);
        }
        if (obj.UsesRidge)
        {
            double h = 1e-5 * ridge;
            double fd = (obj.Evaluate(p, w, ridge + h, scratch, out _) - obj.Evaluate(p, w, ridge - h, scratch, out _)) / (2 * h);
            Assert.Equal(fd, gr, 1e-6 * Math.Abs(fd) + 1e-9);
        }
        else Assert.Equal(0.0, gr);
    }

    [Fact]
    public void LeaveOneOutValueEqualsExplicitRefits()
    {
        var (p, x, y) = Problem(n: 12, outputs: 2);
        double[] w = [0.5, 1, 2, 1, 0.3, 1];
        var kernel = AnalyticMlp.Relu(3, 2).Wntk(x, null, w);
        double ridge = 0.02, sse = 0;
        for (int i = 0; i < 12; i++)
        {
            int[] rest = Enumerable.Range(0, 12).Where(j => j != i).ToArray();
            var fit = KernelRegression.Fit(Sub(kernel, rest, rest), SubRows(y, rest), ridge);
            var pred = fit.Predict(Sub(kernel, [i], rest));
            for (int c = 0; c < 2; c++) sse += Math.Pow(y[i, c] - pred[0, c], 2);
        }
        double value = new LeaveOneOutRidgeObjective().Evaluate(p, w, ridge, new double[6], out _);
        Assert.Equal(sse / 24, value, 1e-10);
    }

    [Fact]
    public void AlignmentValueEqualsDirectFormula()
    {
        var (p, x, y) = Problem(n: 10, outputs: 1);
        double[] w = [1, 0.5, 2, 1, 1, 3];
        var k = AnalyticMlp.Relu(3, 2).Wntk(x, null, w);
        int n = 10;
        double ym = Enumerable.Range(0, n).Average(i => y[i, 0]);
        // Explicit C K C with C = I − 11ᵀ/n.
        var c = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) c[i, j] = (i == j ? 1 : 0) - 1.0 / n;
        double num = 0, kk = 0, yy = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double kc = 0;
                for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) kc += c[i, a] * k[a, b] * c[b, j];
                double t = (y[i, 0] - ym) * (y[j, 0] - ym);
                num += kc * t; kk += kc * kc; yy += t * t;
            }
        double value = new KernelTargetAlignmentObjective().Evaluate(p, w, 0, new double[6], out _);
        Assert.Equal(num / Math.Sqrt(kk * yy), value, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void NeverWorseThanUnitStartAndWeightsNonNegative(string name)
    {
        var (p, _, _) = Problem();
        var result = new WntkLearner(Make(name, p.Size), new WntkLearnerOptions { Iterations = 40, InitialRidge = 0.05 }).Learn(p);
        var obj = Make(name, p.Size);
        double unit = obj.Evaluate(p, Enumerable.Repeat(1.0, 6).ToArray(), 0.05, new double[6], out _);
        Assert.Equal(unit, result.InitialValue, 1e-12);
        if (result.Direction == ObjectiveDirection.Minimize) Assert.True(result.FinalValue <= result.InitialValue);
        else Assert.True(result.FinalValue >= result.InitialValue);
        Assert.All(result.Weights, w => Assert.True(w >= 0 && double.IsFinite(w)));
        Assert.Equal(result.FinalValue, obj.Evaluate(p, result.Weights.ToArray(), result.Ridge, new double[6], out _), 1e-12);
        Assert.Equal(41, result.History.Count);
        Assert.Contains(name == "alignment" ? "alignment" : "kernel-ridge", result.Objective, StringComparison.Ordinal);
    }

    [Fact]
    public void DeterministicAcrossRuns()
    {
        var (p, _, _) = Problem();
        var a = new WntkLearner(new LeaveOneOutRidgeObjective(), new WntkLearnerOptions { Iterations = 10 }).Learn(p);
        var b = new WntkLearner(new LeaveOneOutRidgeObjective(), new WntkLearnerOptions { Iterations = 10 }).Learn(p);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.History, b.History);
    }

    [Theory]
    [InlineData("loo")]
    [InlineData("alignment")]
    public void PureNoiseBlockIsDrivenDown(string name)
    {
        // Block 0: Gram of features that determine y; block 1: Gram of independent noise features (PSD, uninformative).
        int n = 40;
        var s = new NormalSampler(5);
        var f = new double[n * 2];
        var z = new double[n * 8];
        s.FillNormal(f, 1.0);
        s.FillNormal(z, 1.0);
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = 2 * f[i * 2] - f[i * 2 + 1];
        var signal = Gram(f, n, 2);
        var noise = Gram(z, n, 8);
        var p = new WntkProblem([signal, noise], Tensor.FromArray(y, n), ["signal", "noise"]);
        var r = new WntkLearner(Make(name, n), new WntkLearnerOptions { Iterations = 100, InitialRidge = 1e-2 }).Learn(p);
        Assert.True(r.Weights[1] / r.Weights[0] < 0.2, r.ToString());
    }

    private static Tensor Gram(double[] a, int n, int d)
    {
        var g = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int c = 0; c < d; c++) g[i * n + j] += a[i * d + c] * a[j * d + c];
        return Tensor.FromArray(g, n, n);
    }

    private static Tensor Sub(Tensor k, int[] rows, int[] cols)
    {
        var d = new double[rows.Length * cols.Length];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < cols.Length; j++) d[i * cols.Length + j] = k[rows[i], cols[j]];
        return Tensor.FromArray(d, rows.Length, cols.Length);
    }

    private static Tensor SubRows(Tensor y, int[] rows) => Sub(y, rows, Enumerable.Range(0, y.Columns).ToArray());
}
