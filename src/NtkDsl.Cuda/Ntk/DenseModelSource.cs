namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The model-independent CUDA C of <see cref="DenseModelEngine{T}"/>: the elementwise steps of a Dense model's Jvp, Vjp
/// and NTK features between cuBLAS products. φ and φ' are not here: they come from the model's generated
/// <c>ntk_act_l</c> kernels (<see cref="IDeviceSource.CudaSource"/>), the one place they are written for the device.
/// REAL is the model's scalar (double or float; SFX d or f); scales are double and every step is evaluated in double and
/// rounded once. Written for this project; no shared memory, so the host emulation runs the same text.
/// </summary>
internal static class DenseModelSource
{
    private const string Text = """
        // dst[idx] = s·src[idx]: a layer's scaled inputs cW·a (NTK features, math.md §2).
        extern "C" __global__ void dense_scale_SFX(const REAL* src, REAL* dst, double s, long long count)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) dst[idx] = (REAL)(s * (double)src[idx]);
        }

        // Jvp: hdot[idx] = (ws·hdot[idx] + bs·bdot[idx % width])·dact[idx], where hdot enters holding Ẇ·a + W·ȧ.
        extern "C" __global__ void dense_tangent_SFX(REAL* hdot, const REAL* bdot, const REAL* dact, double ws, double bs, long long count, int width)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            double h = ws * (double)hdot[idx] + bs * (double)bdot[idx % width];
            hdot[idx] = (REAL)(h * (double)dact[idx]);
        }

        // x[idx] ·= y[idx]: δ ⊙ φ'(h) in the Vjp.
        extern "C" __global__ void dense_mul_SFX(REAL* x, const REAL* y, long long count)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) x[idx] = (REAL)((double)x[idx] * (double)y[idx]);
        }

        // grad[j] = cb·Σ_r delta[r·n + j] (summed in double, rows in order): a bias gradient.
        extern "C" __global__ void dense_colsum_SFX(const REAL* delta, REAL* grad, double cb, int rows, int n)
        {
            int j = (int)((long long)blockIdx.x * blockDim.x + threadIdx.x);
            if (j >= n) return;
            double s = 0.0;
            for (int r = 0; r < rows; r++) s += (double)delta[(long long)r * n + j];
            grad[j] = (REAL)(cb * s);
        }

        // e[(i, c), j] = dact[i, j]·scale·w[c, j]·(g ? g[i, c] : 1): the general deltas of the last hidden layer, one row per
        // (example, output); g: the readout's φ' (rows × K) when it has an activation.
        extern "C" __global__ void dense_delta_top_SFX(const REAL* dact, const REAL* w, const REAL* g, int hasG, REAL* e, double scale, long long count, int k, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long i = idx / ((long long)k * n);
            int c = (int)((idx / n) % k), j = (int)(idx % n);
            double v = (double)dact[i * n + j] * (scale * (double)w[(long long)c * n + j]);
            if (hasG) v *= (double)g[i * k + c];
            e[idx] = (REAL)v;
        }

        // e[(i, c), j] ·= dact[i, j]: finishes δ^l = φ'(h^l) ⊙ cW·δ^{l+1}·W after the GEMM.
        extern "C" __global__ void dense_scale_rows_SFX(const REAL* dact, REAL* e, long long count, int k, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long i = idx / ((long long)k * n);
            e[idx] = (REAL)((double)e[idx] * (double)dact[i * n + idx % n]);
        }

        // s[j] = cw·sqrt(Σ_c w[c, j]²) (w: K × n): the traced last-hidden-layer scale, so that ⟨r, r'⟩ = Σ_c ⟨δ_c, δ'_c⟩.
        extern "C" __global__ void dense_colnorm_SFX(const REAL* w, REAL* s, double cw, int k, int n)
        {
            int j = (int)((long long)blockIdx.x * blockDim.x + threadIdx.x);
            if (j >= n) return;
            double t = 0.0;
            for (int c = 0; c < k; c++) { double v = (double)w[(long long)c * n + j]; t += v * v; }
            s[j] = (REAL)(cw * sqrt(t));
        }

        // r[i, j] = dact[i, j]·s[j]: the traced reduction of the last hidden layer.
        extern "C" __global__ void dense_reduced_SFX(const REAL* dact, const REAL* s, REAL* r, long long count, int n)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) r[idx] = (REAL)((double)dact[idx] * (double)s[idx % n]);
        }

        // J[(r, c), p]: one layer's block of the explicit Jacobian, N·K rows of P. Weights: J[.., wOff + i·m + q] = d·in[r, q];
        // biases: J[.., bOff + i] = bScale·d, with d = δ_c[r, i] by form (0 unit: [c = i]; 1 diagonal: [c = i]·g[r, c];
        // 3 general: e[(r, c), i]). One thread per (r, c, i).
        extern "C" __global__ void dense_jacobian_SFX(const REAL* in, const REAL* delta, REAL* jac, int form, long long count, int k, int n, int m,
                                                      long long p, long long wOff, long long bOff, double bScale)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long rc = idx / n;
            int i = (int)(idx % n), c = (int)(rc % k);
            long long r = rc / k;
            double d;
            if (form == 3) d = (double)delta[rc * n + i];
            else if (c != i) d = 0.0;
            else d = form == 1 ? (double)delta[r * k + c] : 1.0;
            REAL* row = jac + rc * p;
            for (int q = 0; q < m; q++) row[wOff + (long long)i * m + q] = (REAL)(d * (double)in[r * m + q]);
            if (bOff >= 0) row[bOff + i] = (REAL)(d * bScale);
        }
        """;

    /// <summary>The source for double (<c>_d</c> kernels) or float (<c>_f</c>) models.</summary>
    public static string For(bool float64) =>
        Text.Replace("REAL", float64 ? "double" : "float", StringComparison.Ordinal).Replace("SFX", float64 ? "d" : "f", StringComparison.Ordinal);
}
