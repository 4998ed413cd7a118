using NtkDsl.Generators.Symbolic;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// The device functions of the infinite-width recursion (docs/math.md §3–4) that <see cref="CudaEmitter"/> writes
/// into a model's CUDA C when every activation has a closed-form dual: the closed forms of
/// <c>NtkDsl.Analytic.DualActivations</c>, <c>SinDual</c> and <c>Covariance2</c>, operation for operation. Products and
/// sums that feed a comparison or a cancellation are written <c>__dmul_rn</c>/<c>__dadd_rn</c> so NVRTC cannot contract
/// them into FMAs, and the device rounds as the CPU does (the exact-diagonal rule of <c>AnalyticGram</c> included).
/// An invalid covariance (negative or non-finite variance) gives NaN, which the host's finiteness check reports.
/// </summary>
/// <remarks>Moved here from NtkDsl.Cuda's former run-time emitter (AnalyticDeviceSource), unchanged: one copy.</remarks>
internal static class CudaDualPrelude
{
    /// <summary>The prelude text: constants, <c>ntk_mean_dot</c>, and per activation family a pair and a diagonal dual.</summary>
    public static string Text { get; } =
        "#define NTK_PI " + ExprPrinter.Number(System.Math.PI) + "\n" +
        "#define NTK_INV_TWO_PI " + ExprPrinter.Number(1.0 / (2.0 * System.Math.PI)) + "\n" +
        "#define NTK_TWO_OVER_PI " + ExprPrinter.Number(2.0 / System.Math.PI) + "\n" +
        "#define NTK_FOUR_OVER_PI " + ExprPrinter.Number(4.0 / System.Math.PI) + "\n" +
        "#define NTK_DBL_MAX " + ExprPrinter.Number(double.MaxValue) + "\n" +
        "\n" + Functions;

    private const string Functions = """
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
