using System.Globalization;
using NtkDsl.Analytic;

namespace NtkDsl.Benchmarks;

/// <summary>
/// AnalyticNtk of the same 784 → 3 hidden → 1 architecture for every built-in activation, timed against ReLU (closed
/// form) in the same run at each N, with the largest error on a sample of pairs against a slow reference: the layer
/// recursion evaluated pair by pair with <see cref="AdaptiveDual{TFunction}.Dual"/> (direct two-dimensional adaptive
/// integration, no tabulation) — for the closed-form activations this checks the closed form against quadrature.
/// </summary>
public static class AnalyticActivationsBenchmark
{
    private const double WeightVariance = 2.0, BiasVariance = 0.01;
    private const int D = 784, Hidden = 3;

    private sealed record Case(string Name, Func<Tensor, Tensor> Ntk, IDualIntegrator Reference);

    private static Case[] Cases() =>
    [
        new("Relu", x => ReluBench.AnalyticNtk(x), AdaptiveDual.Create(new ReluFunction(), "ref.Relu")),
        new("LeakyRelu", x => LeakyReluBench.AnalyticNtk(x), AdaptiveDual.Create(new LeakyFunction(), "ref.LeakyRelu")),
        new("Abs", x => AbsBench.AnalyticNtk(x), AdaptiveDual.Create(new AbsFunction(), "ref.Abs")),
        new("Erf", x => ErfBench.AnalyticNtk(x), AdaptiveDual.Create(new ErfFunction(), "ref.Erf")),
        new("Tanh", x => TanhBench.AnalyticNtk(x), AdaptiveDual.Create(new TanhFunction(), "ref.Tanh")),
        new("Sigmoid", x => SigmoidBench.AnalyticNtk(x), AdaptiveDual.Create(new SigmoidFunction(), "ref.Sigmoid")),
        new("Gelu", x => GeluBench.AnalyticNtk(x), AdaptiveDual.Create(new GeluFunction(), "ref.Gelu")),
        new("Softplus", x => SoftplusBench.AnalyticNtk(x), AdaptiveDual.Create(new SoftplusFunction(), "ref.Softplus")),
        new("Sin", x => SinBench.AnalyticNtk(x), AdaptiveDual.Create(new SinFunction(), "ref.Sin")),
    ];

    /// <summary>The activations this benchmark knows (the names `--only` accepts).</summary>
    public static IReadOnlyList<string> Names => Cases().Select(c => c.Name).ToArray();

    /// <summary>Runs the benchmark at each N and returns the rows printed.</summary>
    public static List<(string Name, double Value, string Unit)> Run(int[] sizes, int repeats, int samples, string[]? only, TextWriter output)
    {
        var rows = new List<(string, double, string)>();
        var cases = Cases().Where(c => only is null || only.Length == 0 || c.Name == "Relu" || only.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        var warm = NtkBenchmark.Inputs(16, D, 1);
        foreach (var c in cases) c.Ntk(warm); // JIT
        foreach (int n in sizes)
        {
            var x = NtkBenchmark.Inputs(n, D, 5);
            double relu = 0;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"N = {n}"));
            output.WriteLine($"{"activation",-10} {"time_s",10} {"ratio_vs_relu",14} {"max_rel_err",12} {"pairs",6}");
            foreach (var c in cases)
            {
                Tensor? theta = null;
                double t = NtkBenchmark.Best(repeats, () => theta = c.Ntk(x));
                if (c.Name == "Relu") relu = t;
                double err = MaxError(theta!, x, c.Reference, samples, n);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-10} {t,10:F3} {t / relu,14:F2} {err,12:E2} {samples,6}"));
                rows.Add(($"{c.Name}_n{n}_time_s", t, "s"));
                rows.Add(($"{c.Name}_n{n}_ratio", t / relu, "x"));
                rows.Add(($"{c.Name}_n{n}_max_rel_err", err, ""));
            }
        }
        return rows;
    }

    /// <summary>Largest |Θ − Θ_ref|/√(Θ_ref(x,x)Θ_ref(x',x')) over sampled pairs (including a few diagonal ones).</summary>
    private static double MaxError(Tensor theta, Tensor x, IDualIntegrator reference, int samples, int n)
    {
        var rng = new Random(11);
        double worst = 0;
        for (int s = 0; s < samples; s++)
        {
            int i = rng.Next(n), j = s % 4 == 0 ? i : rng.Next(n);
            double tij = Reference(x, i, j, reference), tii = Reference(x, i, i, reference), tjj = Reference(x, j, j, reference);
            worst = Math.Max(worst, Math.Abs(theta[i, j] - tij) / Math.Sqrt(tii * tjj));
        }
        return worst;
    }

    /// <summary>Θ(x_i, x_j) by the recursion of math.md §4 with the reference integrator for every layer.</summary>
    private static double Reference(Tensor x, int i, int j, IDualIntegrator dual)
    {
        double dot = 0, ni = 0, nj = 0;
        for (int k = 0; k < D; k++)
        {
            dot += x[i, k] * x[j, k];
            ni += x[i, k] * x[i, k];
            nj += x[j, k] * x[j, k];
        }
        double q1 = WeightVariance * ni / D + BiasVariance, q2 = WeightVariance * nj / D + BiasVariance;
        double c = i == j ? q1 : WeightVariance * dot / D + BiasVariance, theta = c;
        for (int l = 0; l < Hidden; l++)
        {
            double kt, td;
            if (i == j) dual.Diagonal(q1, out kt, out td);
            else dual.Dual(q1, q2, c, out kt, out td);
            dual.Diagonal(q1, out double k1, out _);
            dual.Diagonal(q2, out double k2, out _);
            c = WeightVariance * kt + BiasVariance;
            theta = c + WeightVariance * td * theta;
            q1 = WeightVariance * k1 + BiasVariance;
            q2 = WeightVariance * k2 + BiasVariance;
            if (i == j) c = q1;
        }
        return theta;
    }

    private readonly struct LeakyFunction : IScalarFunction
    {
        public double Value(double x) => x > 0.0 ? x : 0.01 * x;
        public double Derivative(double x) => x > 0.0 ? 1.0 : 0.01;
    }

    private readonly struct AbsFunction : IScalarFunction
    {
        public double Value(double x) => Math.Abs(x);
        public double Derivative(double x) => Math.Sign(x);
    }
}
