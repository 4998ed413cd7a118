namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// The CUDA C of <see cref="DeviceNtkAssembly{T}"/>: the elementwise half of the structured NTK assembly (math.md §2)
/// after cuBLAS has formed the per-layer Grams. REAL is the model's scalar (double or float; SFX d or f in the kernel
/// names); accumulators are double for both, as in the CPU's <c>NtkAssembler</c>. Every term is added in the CPU's order
/// (wW·G_in·G_δ, then wB·G_δ, layer by layer), so float64 results agree with the CPU to rounding of the Gram sums.
/// Written for this project; no shared memory, so the host emulation runs the same text.
/// </summary>
internal static class NtkAssemblySource
{
    private const string Text = """
        // Trace tile (ti rows × nc columns, row stride nc): accW += wW·ga ⊙ gd, accB += wB·gd, where gd = unitValue (the
        // traced identity deltas of a linear readout, K) when unit != 0. diag0 ≥ 0 (symmetric kernels): only columns
        // j ≤ diag0 + i, the lower block trapezoid; the rest is mirrored on the host.
        extern "C" __global__ void ntk_trace_SFX(const REAL* ga, const REAL* gd, double* accW, double* accB, double wW, double wB,
                                                 int unit, double unitValue, long long count, int nc, int diag0)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long i = idx / nc, j = idx % nc;
            if (diag0 >= 0 && j > diag0 + i) return;
            double d = unit != 0 ? unitValue : (double)gd[idx];
            accW[idx] += wW * (double)ga[idx] * d;
            accB[idx] += wB * d;
        }

        // Full tile with general deltas: entry ((i, j), c, c2) gets d = gd[(i·K + c), (j·K + c2)] (gd row stride nc·K).
        extern "C" __global__ void ntk_full_general_SFX(const REAL* ga, const REAL* gd, double* accW, double* accB, double wW, double wB,
                                                        long long count, int nc, int k, int diag0)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long kk = (long long)k * k, p = idx / kk;
            int c = (int)((idx % kk) / k), c2 = (int)(idx % k);
            long long i = p / nc, j = p % nc;
            if (diag0 >= 0 && j > diag0 + i) return;
            double d = (double)gd[(i * k + c) * ((long long)nc * k) + j * k + c2];
            accW[idx] += wW * (double)ga[p] * d;
            accB[idx] += wB * d;
        }

        // Full tile with diagonal deltas (δ_c = g_c·e_c; unit != 0: g = 1): only c = c2, d = g1[i, c]·g2[j, c].
        // g1 points at the tile's first row, g2 at column 0.
        extern "C" __global__ void ntk_full_diagonal_SFX(const REAL* ga, const REAL* g1, const REAL* g2, double* accW, double* accB,
                                                         double wW, double wB, int unit, long long count, int nc, int k, int diag0)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long p = idx / k;
            int c = (int)(idx % k);
            long long i = p / nc, j = p % nc;
            if (diag0 >= 0 && j > diag0 + i) return;
            double d = unit != 0 ? 1.0 : (double)g1[i * k + c] * (double)g2[j * k + c];
            long long o = p * k * k + (long long)c * k + c;
            accW[o] += wW * (double)ga[p] * d;
            accB[o] += wB * d;
        }

        // Diagonal modes: out[t] = Σ_q a[(t / per)·rowStride + ((t % per) / k)·width + q] · a[... + ((t % per) % k)·width + q]
        // in double. per = 1, k = 1: the squared norm of each row of width `width`; per = K², k = K: the K × K Gram of
        // the K general delta rows of each example.
        extern "C" __global__ void row_grams_SFX(const REAL* a, double* out, long long count, int per, int k, int width, long long rowStride)
        {
            long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (t >= count) return;
            long long i = t / per;
            int c = (int)((t % per) / k), c2 = (int)((t % per) % k);
            const REAL* u = a + i * rowStride + (long long)c * width;
            const REAL* v = a + i * rowStride + (long long)c2 * width;
            double s = 0.0;
            for (int q = 0; q < width; q++) s += (double)u[q] * (double)v[q];
            out[t] = s;
        }

        // Diagonal modes: acc[t] += wW·sa[t / kk]·d + wB·d with d = dd[t] (dense), or for diagonal/unit deltas only where
        // c = c2: form 0 dense dd, form 1 d = g[i, c]² (g rows × K), form 2 d = unitValue (traced: K; full: 1).
        extern "C" __global__ void ntk_diag_SFX(const double* sa, const double* dd, const REAL* g, double* accW, double* accB,
                                                double wW, double wB, int form, double unitValue, long long count, int k, int kk)
        {
            long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (t >= count) return;
            long long i = t / kk;
            int c = kk == 1 ? 0 : (int)((t % kk) / k), c2 = kk == 1 ? 0 : (int)((t % kk) % k);
            double d;
            if (form == 0) d = dd[t];
            else if (c != c2) return;
            else if (form == 1) { double v = (double)g[i * k + c]; d = v * v; }
            else d = unitValue;
            accW[t] += wW * sa[i] * d;
            accB[t] += wB * d;
        }
        """;

    /// <summary>The source for double (<c>_d</c> kernels) or float (<c>_f</c>) features.</summary>
    public static string For(bool float64) =>
        Text.Replace("REAL", float64 ? "double" : "float", StringComparison.Ordinal).Replace("SFX", float64 ? "d" : "f", StringComparison.Ordinal);
}
