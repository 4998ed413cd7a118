using System.Globalization;
using System.Text;

namespace NtkDsl.Cuda.Analytic;

/// <summary>
/// Emits the CUDA C of the infinite-width NNGP/NTK recursion (math.md §3–4, NTK parameterization) of a Dense model
/// from its <see cref="ModelInfo"/>: one kernel for the per-row diagonal chain K^l(x, x) and one fused kernel over the
/// pairs of the input Gram (closed-form duals, the same formulas and the same order of operations as
/// <see cref="NtkDsl.Analytic.DualActivations"/> and <see cref="NtkDsl.Analytic.SinDual"/>). Products that feed a sum
/// are written with <c>__dmul_rn</c>/<c>__dadd_rn</c> so NVRTC cannot contract them into FMAs: the device then rounds
/// exactly as the CPU does where it matters, the exact-diagonal rule (equal inputs give bit for bit the diagonal
/// chain's values; <see cref="NtkDsl.Analytic.AnalyticGram"/>) included.
/// </summary>
/// <remarks>
/// Supported hidden activations: ReLU, Abs, Erf, Identity, Sin. Anything else (LeakyRelu — whose slope
/// <see cref="ModelInfo"/> does not carry —, tanh, GELU, custom, …), a non-Dense layer, the standard parameterization,
/// an output scale ≠ 1 or a centred model throws <see cref="NotSupportedException"/> naming it.
/// </remarks>
internal static class AnalyticDeviceSource
{
    /// <summary>The kernel computing x·x'/d-based chains per row.</summary>
    public const string ChainKernel = "ntk_analytic_chain";

    /// <summary>The fused per-pair kernel.</summary>
    public const string PairKernel = "ntk_analytic_pair";

    private const double Eps = 2.220446049250313e-16;

    /// <summary>The CUDA C source for <paramref name="info"/> (deterministic: the same model gives the same text, so the device's module cache hits).</summary>
    public static string Emit(ModelInfo info)
    {
        Check(info);
        var layers = info.Layers;
        int hidden = layers.Count - 1;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"// NtkDsl: infinite-width NNGP/NTK of {info.Name} ({info.Fingerprint}), emitted from its ModelInfo.\n");
        sb.Append(Prelude);
        // Diagonal chain: ms = |x|²/d (the CPU's MeanDot loop), q^1 = σ_w²·ms + σ_b², q^{l+1} = σ_w²·K̃_diag(q^l) + σ_b².
        sb.Append(CultureInfo.InvariantCulture, $$"""
            extern "C" __global__ void {{ChainKernel}}(const double* __restrict__ x, double* __restrict__ ms, double* __restrict__ chain, int n, int d)
            {
                int i = (int)((long long)blockIdx.x * blockDim.x + threadIdx.x);
                if (i >= n) return;
                double m = ntk_mean_dot(x + (long long)i * d, x + (long long)i * d, d);
                ms[i] = m;
                double q = m, kt, td;

            """);
        for (int l = 0; l < hidden; l++)
        {
            if (l > 0) sb.Append(CultureInfo.InvariantCulture, $"    {Dual(layers[l - 1], diagonal: true, "q", null, null)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    q = {Affine(layers[l], l == 0 ? "q" : "kt")};\n");
            sb.Append(CultureInfo.InvariantCulture, $"    chain[(long long){l} * n + i] = q;\n");
        }
        sb.Append("    (void)td;\n}\n\n");
        // Pairs: c = x·x'/d from the GEMM (recomputed by the MeanDot loop for parallel pairs, exactly as AnalyticGram does).
        sb.Append(CultureInfo.InvariantCulture, $$"""
            extern "C" __global__ void {{PairKernel}}(double* __restrict__ out, const double* __restrict__ x1, const double* __restrict__ x2,
                const double* __restrict__ ms1, const double* __restrict__ ms2, const double* __restrict__ chain1, const double* __restrict__ chain2,
                int rows, int n2, int n1Total, int r0, int d, int symmetric, int wantNtk)
            {
                long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
                if (idx >= (long long)rows * n2) return;
                int i = r0 + (int)(idx / n2), j = (int)(idx % n2);
                double c = out[idx];
                if (symmetric && i == j) c = ms1[i];
                else
                {
                    double scale = sqrt(ms1[i]) * sqrt(ms2[j]);
                    double tolerance = 4.0 * (double)(d + 2) * {{Lit(Eps)}};
                    if (fabs(fabs(c) - scale) <= tolerance * scale)
                        c = ntk_mean_dot(x1 + (long long)i * d, x2 + (long long)j * d, d);
                }
                double kt = c, td = 0.0, nngp, ntk;
                nngp = {{Affine(layers[0], "kt")}};
                ntk = nngp;

            """);
        for (int l = 1; l < layers.Count; l++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    {Dual(layers[l - 1], diagonal: false, "nngp", $"chain1[(long long){l - 1} * n1Total + i]", $"chain2[(long long){l - 1} * n2 + j]")}\n");
            string weightTerm = $"__dmul_rn({Lit(Var(layers[l].WeightStd))}, kt)";
            string withBias = layers[l].UseBias ? $"__dadd_rn({weightTerm}, {Lit(Var(layers[l].BiasStd))})" : weightTerm;
            sb.Append(CultureInfo.InvariantCulture, $"    ntk = __dadd_rn({withBias}, __dmul_rn(__dmul_rn({Lit(Var(layers[l].WeightStd))}, td), ntk));\n");
            sb.Append(CultureInfo.InvariantCulture, $"    nngp = {Affine(layers[l], "kt")};\n");
        }
        sb.Append("    (void)td;\n    out[idx] = wantNtk ? ntk : nngp;\n}\n");
        return sb.ToString();
    }

    /// <summary>Throws <see cref="NotSupportedException"/> naming what the device recursion does not cover.</summary>
    public static void Check(ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        string fix = " Use the CPU's generated AnalyticNtk/AnalyticNngp for this model.";
        if (info.Parameterization != Parameterization.Ntk)
            throw new NotSupportedException($"{info.Name}: the device analytic kernels cover the NTK parameterization; this model uses {info.Parameterization}.{fix}");
        if (info.OutputScale != 1.0 || info.Centered)
            throw new NotSupportedException($"{info.Name}: the device analytic kernels cover models without an output scale or centring (OutputScale = {info.OutputScale.ToString(CultureInfo.InvariantCulture)}, Centered = {info.Centered}).{fix}");
        if (info.Layers.Count < 2)
            throw new NotSupportedException($"{info.Name}: the device analytic kernels need at least one hidden Dense layer before the readout.{fix}");
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            if (layer.Kind != "Dense")
                throw new NotSupportedException($"{info.Name}: layer {layer.Name} is {layer.Kind}; the device analytic kernels cover Dense layers only so far.{fix}");
            if (l < info.Layers.Count - 1 && !Supported(layer.Activation))
                throw new NotSupportedException($"{info.Name}: layer {layer.Name} uses activation {layer.ActivationName}; the device analytic kernels have closed-form duals for Relu, Abs, Erf, Identity and Sin only" +
                    (layer.Activation == Activation.LeakyRelu ? " (LeakyRelu's slope is not part of ModelInfo yet)" : "") + $".{fix}");
        }
    }

    private static bool Supported(Activation a) => a is Activation.Relu or Activation.Abs or Activation.Erf or Activation.Identity or Activation.Sin;

    private static double Var(double std) => std * std;

    /// <summary>σ_w²·v + σ_b² (no bias term without a bias), never contracted.</summary>
    private static string Affine(LayerInfo layer, string v)
    {
        string w = $"__dmul_rn({Lit(Var(layer.WeightStd))}, {v})";
        return layer.UseBias ? $"__dadd_rn({w}, {Lit(Var(layer.BiasStd))})" : w;
    }

    /// <summary>The dual call of <paramref name="layer"/>'s activation, writing kt and td.</summary>
    private static string Dual(LayerInfo layer, bool diagonal, string c, string? q1, string? q2)
    {
        // a·min(x, 0) + b·max(x, 0) with φ'(0) = d0: ReLU (0, 1, 0), Abs (−1, 1, 0).
        (double a, double b, double d0)? ab = layer.Activation switch
        {
            Activation.Relu => (0.0, 1.0, 0.0),
            Activation.Abs => (-1.0, 1.0, 0.0),
            _ => null,
        };
        if (ab is { } p)
        {
            double sumSq = p.a * p.a + p.b * p.b, amb = p.a - p.b;
            string consts = $"{Lit(sumSq)}, {Lit(0.5 * sumSq)}, {Lit(amb * amb)}, {Lit(2.0 * p.a * p.b)}, {Lit(p.d0 * p.d0)}, {Lit(p.d0 * 0.5 * (p.a + p.b))}";
            return diagonal
                ? $"ntk_abrelu_diag({consts}, {c}, &kt, &td);"
                : $"ntk_abrelu({consts}, {q1}, {q2}, {c}, &kt, &td);";
        }
        string name = layer.Activation switch
        {
            Activation.Erf => "ntk_erf",
            Activation.Identity => "ntk_identity",
            Activation.Sin => "ntk_sin",
            _ => throw new NotSupportedException(layer.ActivationName),
        };
        return diagonal ? $"{name}_diag({c}, &kt, &td);" : $"{name}({q1}, {q2}, {c}, &kt, &td);";
    }

    /// <summary>A double literal that round-trips exactly.</summary>
    internal static string Lit(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) || s.Contains('N', StringComparison.Ordinal) || s.Contains('∞', StringComparison.Ordinal) ? s : s + ".0";
    }

    // The closed forms of DualActivations / SinDual / Covariance2, operation for operation. An invalid covariance
    // (negative or non-finite variance) makes the result NaN, which the host's finiteness check reports.
    private static readonly string Prelude = $$"""
        #define NTK_PI {{Lit(Math.PI)}}
        #define NTK_INV_TWO_PI {{Lit(1.0 / (2.0 * Math.PI))}}
        #define NTK_TWO_OVER_PI {{Lit(2.0 / Math.PI)}}
        #define NTK_FOUR_OVER_PI {{Lit(4.0 / Math.PI)}}
        #define NTK_DBL_MAX {{Lit(double.MaxValue)}}

        // u·v/d summed left to right (AnalyticGram.MeanDot): equal rows give exactly the chain's mean square.
        __device__ double ntk_mean_dot(const double* __restrict__ u, const double* __restrict__ v, int d)
        {
            double s = 0.0;
            for (int k = 0; k < d; k++) s = __dadd_rn(s, __dmul_rn(u[k], v[k]));
            return s / (double)d;
        }

        __device__ __forceinline__ int ntk_invalid(double q1, double q2, double c)
        {
            return !(q1 >= 0.0) || !(q2 >= 0.0) || !(fabs(q1) <= NTK_DBL_MAX) || !(fabs(q2) <= NTK_DBL_MAX) || !(fabs(c) <= NTK_DBL_MAX);
        }

        __device__ __forceinline__ void ntk_normalize(double q1, double q2, double c, double* sq, double* rho)
        {
            double prod = __dmul_rn(q1, q2);
            double s = q1 == q2 ? q1 : (prod > 1e-290 && prod < 1e290) ? sqrt(prod) : __dmul_rn(sqrt(q1), sqrt(q2));
            *sq = s;
            if (s == 0.0) { *rho = 0.0; return; }
            double r = c / s;
            if (r > 1.0) r = 1.0; else if (r < -1.0) r = -1.0;
            *rho = r;
        }

        __device__ __forceinline__ double ntk_det(double q1, double q2, double c, double sq)
        {
            double ac = fabs(c);
            if (ac >= sq) return 0.0;
            double p = __dmul_rn(q1, q2);
            if (!(p > 1e-290 && p < 1e290)) return __dmul_rn(__dsub_rn(sq, ac), __dadd_rn(sq, ac));
            double cc = __dmul_rn(c, c);
            double det = __dadd_rn(__dsub_rn(p, cc), __dsub_rn(__fma_rn(q1, q2, -p), __fma_rn(c, c, -cc)));
            return det > 0.0 ? det : 0.0;
        }

        __device__ __forceinline__ void ntk_abrelu_diag(double sumSq, double halfSumSq, double amb2, double twoAb, double d0Sq, double d0Half,
                                                        double q, double* kt, double* td)
        {
            if (!(q >= 0.0) || !(q <= NTK_DBL_MAX)) { *kt = nan(""); *td = nan(""); return; }
            *kt = __dmul_rn(halfSumSq, q);
            *td = q == 0.0 ? d0Sq : halfSumSq;
        }

        __device__ __forceinline__ void ntk_abrelu(double sumSq, double halfSumSq, double amb2, double twoAb, double d0Sq, double d0Half,
                                                   double q1, double q2, double c, double* kt, double* td)
        {
            if (ntk_invalid(q1, q2, c)) { *kt = nan(""); *td = nan(""); return; }
            double sq, rho;
            ntk_normalize(q1, q2, c, &sq, &rho);
            if (q1 == q2 && c >= q1) { ntk_abrelu_diag(sumSq, halfSumSq, amb2, twoAb, d0Sq, d0Half, q1, kt, td); return; }
            if (sq == 0.0) { *kt = 0.0; *td = q1 == 0.0 && q2 == 0.0 ? d0Sq : d0Half; return; }
            double cc = __dmul_rn(sq, rho);
            double r = sqrt(ntk_det(q1, q2, c, sq));
            double theta = atan2(r, cc);
            double t = theta <= 0.5 * NTK_PI
                ? __dsub_rn(halfSumSq, __dmul_rn(__dmul_rn(amb2, theta), NTK_INV_TWO_PI))
                : __dmul_rn(__dadd_rn(__dmul_rn(sumSq, __dsub_rn(NTK_PI, theta)), __dmul_rn(twoAb, theta)), NTK_INV_TWO_PI);
            *kt = __dadd_rn(__dmul_rn(__dmul_rn(amb2, r), NTK_INV_TWO_PI), __dmul_rn(t, cc));
            *td = t;
        }

        __device__ __forceinline__ void ntk_erf_diag(double q, double* kt, double* td)
        {
            if (!(q >= 0.0) || !(q <= NTK_DBL_MAX)) { *kt = nan(""); *td = nan(""); return; }
            double det = __dadd_rn(1.0, __dmul_rn(4.0, q));
            *kt = __dmul_rn(NTK_TWO_OVER_PI, atan2(__dmul_rn(2.0, q), sqrt(det)));
            *td = NTK_FOUR_OVER_PI / sqrt(det);
        }

        __device__ __forceinline__ void ntk_erf(double q1, double q2, double c, double* kt, double* td)
        {
            if (ntk_invalid(q1, q2, c)) { *kt = nan(""); *td = nan(""); return; }
            double sq, rho;
            ntk_normalize(q1, q2, c, &sq, &rho);
            if (q1 == q2 && c >= q1) { ntk_erf_diag(q1, kt, td); return; }
            double cc = __dmul_rn(sq, rho);
            double det = __dadd_rn(__dadd_rn(1.0, __dmul_rn(2.0, __dadd_rn(q1, q2))), __dmul_rn(4.0, ntk_det(q1, q2, c, sq)));
            *kt = __dmul_rn(NTK_TWO_OVER_PI, atan2(__dmul_rn(2.0, cc), sqrt(det)));
            *td = NTK_FOUR_OVER_PI / sqrt(det);
        }

        __device__ __forceinline__ void ntk_identity_diag(double q, double* kt, double* td)
        {
            if (!(q >= 0.0) || !(q <= NTK_DBL_MAX)) { *kt = nan(""); *td = nan(""); return; }
            *kt = q;
            *td = 1.0;
        }

        __device__ __forceinline__ void ntk_identity(double q1, double q2, double c, double* kt, double* td)
        {
            if (ntk_invalid(q1, q2, c)) { *kt = nan(""); *td = nan(""); return; }
            *kt = c;
            *td = 1.0;
        }

        // e^x − 1 as SinDual.ExpM1: 2·tanh(x/2)/(1 − tanh(x/2)) for |x| < 1.
        __device__ __forceinline__ double ntk_expm1(double x)
        {
            if (fabs(x) >= 1.0) return exp(x) - 1.0;
            double t = tanh(0.5 * x);
            return __dmul_rn(2.0, t) / (1.0 - t);
        }

        __device__ __forceinline__ void ntk_sin_diag(double q, double* kt, double* td)
        {
            if (!(q >= 0.0) || !(q <= NTK_DBL_MAX)) { *kt = nan(""); *td = nan(""); return; }
            double e = exp(__dmul_rn(-2.0, q));
            *kt = __dmul_rn(-0.5, ntk_expm1(__dmul_rn(-2.0, q)));
            *td = __dmul_rn(0.5, __dadd_rn(1.0, e));
        }

        __device__ __forceinline__ void ntk_sin(double q1, double q2, double c, double* kt, double* td)
        {
            if (ntk_invalid(q1, q2, c)) { *kt = nan(""); *td = nan(""); return; }
            double sq, rho;
            ntk_normalize(q1, q2, c, &sq, &rho);
            double cov = c < -sq ? -sq : (c > sq ? sq : c);
            double minus = exp(__dmul_rn(-0.5, fmax(__dadd_rn(__dsub_rn(q1, cov), __dsub_rn(q2, cov)), 0.0)));
            double plus = exp(__dmul_rn(-0.5, fmax(__dadd_rn(__dadd_rn(q1, cov), __dadd_rn(q2, cov)), 0.0)));
            *kt = cov >= 0.0 ? __dmul_rn(__dmul_rn(-0.5, minus), ntk_expm1(__dmul_rn(-2.0, cov)))
                             : __dmul_rn(__dmul_rn(0.5, plus), ntk_expm1(__dmul_rn(2.0, cov)));
            *td = __dmul_rn(0.5, __dadd_rn(minus, plus));
        }


        """;
}
