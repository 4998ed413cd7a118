using System.Diagnostics;
using System.Globalization;
using NtkDsl.Kernels;

namespace NtkDsl.Benchmarks;

/// <summary>
/// Structured NTK (Trace, x1 = x2) of a 64-512-512-10 ReLU network against (a) the GEMM ceiling measured in the same
/// run and (b) the explicit route: materialize J (N·K × P) and form J·Jᵀ with the same GEMM.
/// </summary>
public static class NtkBenchmark
{
    /// <summary>Runs the benchmark and returns the result rows (name, value) it printed.</summary>
    public static List<(string Name, double Value, string Unit)> Run(int n, int explicitN, int repeats, TextWriter output)
    {
        var rows = new List<(string, double, string)>();
        var model = new CpuBenchMlp(0);
        var x = Inputs(n, 64, 1);

        // GEMM ceiling: the same managed GEMM on a square problem of comparable size, in this run.
        double ceiling = GemmCeiling(1024, repeats);
        rows.Add(("gemm_ceiling_gflops", ceiling, "GFLOP/s"));

        model.Ntk(x.SliceRows(0, 64)); // warm-up (JIT)
        double tNtk = Best(repeats, () => model.Ntk(x));
        double flops = StructuredFlops(n, symmetric: true);
        rows.Add(("ntk_time_s", tNtk, "s"));
        rows.Add(("ntk_flops", flops, "FLOP"));
        rows.Add(("ntk_gflops", flops / tNtk / 1e9, "GFLOP/s"));
        rows.Add(("ntk_fraction_of_ceiling", flops / tNtk / 1e9 / ceiling, ""));

        // Explicit J·Jᵀ at a size where J fits in memory, compared with the structured NTK at the same size.
        var xe = x.SliceRows(0, explicitN);
        double tStructSmall = Best(repeats, () => model.Ntk(xe));
        Tensor? explicitKernel = null;
        double tExplicit = Best(1, () => explicitKernel = ExplicitTrace(model.Jacobian(xe)));
        double err = TensorOps.RelativeError(model.Ntk(xe), explicitKernel!);
        rows.Add(("explicit_n", explicitN, ""));
        rows.Add(("explicit_time_s", tExplicit, "s"));
        rows.Add(("structured_time_same_n_s", tStructSmall, "s"));
        rows.Add(("speedup_same_n", tExplicit / tStructSmall, "x"));
        rows.Add(("max_relative_difference", err, ""));
        // The explicit route is one GEMM of (N·K)² · P: its cost grows as N², so scale the measured time to N.
        double tExplicitScaled = tExplicit * Math.Pow((double)n / explicitN, 2);
        rows.Add(("explicit_time_scaled_to_n_s", tExplicitScaled, "s"));
        rows.Add(("speedup_at_n_scaled", tExplicitScaled / tNtk, "x"));

        foreach (var (name, value, unit) in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {value,14:G5} {unit}"));
        return rows;
    }

    /// <summary>Flops of the structured trace NTK of CpuBenchMlp (features once, Grams over the lower triangle).</summary>
    public static double StructuredFlops(int n, bool symmetric)
    {
        const int d = 64, h = 512, k = 10;
        double features = 2.0 * n * (d * h + h * h + h * k)      // forward GEMMs
            + 2.0 * n * k * h * h                                // per-output deltas through layer 2
            + 3.0 * n * k * h;                                   // output deltas and traced reduction
        double perPair = 2.0 * (d + k * h)                       // layer 1: inputs and per-output deltas
            + 2.0 * (h + h)                                      // layer 2: inputs and reduced deltas
            + 2.0 * h;                                           // output layer: inputs only
        double pairs = symmetric ? n * (n + NtkAssembler.TraceTile) / 2.0 : (double)n * n;
        return features + pairs * perPair;
    }

    /// <summary>
    /// The explicit reference Trace kernel from a Jacobian J (N × K × P): J·Jᵀ by SYRK, then the mean of the K diagonal
    /// output blocks. Shared by the `ntk` and `conv-ntk` benchmarks.
    /// </summary>
    internal static Tensor ExplicitTrace(Tensor j)
    {
        int nk = j.Shape[0] * j.Shape[1], p = j.Shape[2], k = j.Shape[1], n = j.Shape[0];
        var g = new double[(long)nk * nk];
        Blas.Syrk(nk, p, 1.0, j.AsSpan(), p, 0.0, g, nk);
        var t = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double s = 0;
                for (int c = 0; c < k; c++) s += g[(long)(a * k + c) * nk + b * k + c];
                t[a * n + b] = s / k;
            }
        return Tensor.FromArray(t, n, n);
    }

    /// <summary>The managed GEMM on a square problem in GFLOP/s, measured in this run (the anchor of the NTK benchmarks).</summary>
    internal static double GemmCeiling(int size, int repeats)
    {
        var a = Inputs(size, size, 2).AsSpan().ToArray();
        var b = Inputs(size, size, 3).AsSpan().ToArray();
        var c = new double[size * size];
        Blas.Gemm(Transpose.No, Transpose.Yes, size, size, size, 1.0, a, size, b, size, 0.0, c, size);
        double t = Best(repeats, () => Blas.Gemm(Transpose.No, Transpose.Yes, size, size, size, 1.0, a, size, b, size, 0.0, c, size));
        return 2.0 * size * size * size / t / 1e9;
    }

    internal static double Best(int repeats, Action action)
    {
        double best = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    internal static Tensor Inputs(int rows, int cols, int seed)
    {
        var s = new NormalSampler(seed);
        var d = new double[rows * cols];
        s.FillNormal(d, 1.0);
        return Tensor.FromArray(d, rows, cols);
    }
}
