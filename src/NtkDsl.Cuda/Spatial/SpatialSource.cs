namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// The model-independent CUDA C of <see cref="SpatialEngine"/>: the device twins of the parameter-free layer ops and the
/// elementwise steps of Dense/Conv2D between cuBLAS products (patches by im2col and their transpose, pooling, the mean
/// over pixels, LayerNorm, per-example bias gradients, the full-mode Gram rearrangement). φ/φ' are not here: they come
/// from the model's generated <c>ntk_act_l_d</c> kernels. Each kernel sums in the order of its CPU twin in
/// <c>src/NtkDsl/Layers</c> (window offsets in ascending order, pixels ascending), so float64 results agree to rounding.
/// Float64 only (the SpatialNetwork engine computes in float64). Written for this project; no shared memory, so the host
/// emulation runs the same text.
/// </summary>
internal static class SpatialSource
{
    public const string Text = """
        // im2col: patches[(n·P + q)·F + k·cin + c] = in[n·size + src[q·o + k]·cin + c], or 0 where src = −1 (zero padding).
        extern "C" __global__ void sp_patches(const double* in, const int* table, double* patches, long long count, int p, int o, int cin, int size)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long f = (long long)o * cin;
            long long n = idx / ((long long)p * f);
            long long r = idx % ((long long)p * f);
            int q = (int)(r / f), kc = (int)(r % f);
            int k = kc / cin, c = kc % cin;
            int s = table[q * o + k];
            patches[idx] = s >= 0 ? in[n * size + (long long)s * cin + c] : 0.0;
        }

        // The transpose of sp_patches: g[n·size + s·cin + c] = Σ_e gp[n·P·F + (e / o)·F + (e % o)·cin + c] over the window
        // entries e = q·o + k that read input pixel s (ascending, as the CPU accumulates them); start/entries: CSR by s.
        extern "C" __global__ void sp_patches_t(const double* gp, const int* start, const int* entries, double* g, long long count, int pixelsIn, int p, int o, int cin)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long size = (long long)pixelsIn * cin, f = (long long)o * cin;
            long long n = idx / size;
            int s = (int)((idx % size) / cin), c = (int)(idx % cin);
            double acc = 0.0;
            for (int t = start[s]; t < start[s + 1]; t++)
            {
                int e = entries[t];
                acc += gp[n * p * f + (long long)(e / o) * f + (long long)(e % o) * cin + c];
            }
            g[idx] = acc;
        }

        // AvgPool2D: y[n·outSize + q·c + ch] = (Σ_k in[n·inSize + src[q·o + k]·c + ch])·scale (padding adds nothing).
        extern "C" __global__ void sp_pool(const double* in, const int* table, double* y, long long count, int p, int o, int c, int inSize, double scale)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long outSize = (long long)p * c;
            long long n = idx / outSize;
            int q = (int)((idx % outSize) / c), ch = (int)(idx % c);
            double acc = 0.0;
            for (int k = 0; k < o; k++)
            {
                int s = table[q * o + k];
                if (s >= 0) acc += in[n * inSize + (long long)s * c + ch];
            }
            y[idx] = acc * scale;
        }

        // AvgPool2D backward: g[n·inSize + s·c + ch] = Σ_e scale·gout[n·outSize + (e / o)·c + ch] over the CSR entries of s.
        extern "C" __global__ void sp_pool_t(const double* gout, const int* start, const int* entries, double* g, long long count, int pixelsIn, int o, int c, int outSize, double scale)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long inSize = (long long)pixelsIn * c;
            long long n = idx / inSize;
            int s = (int)((idx % inSize) / c), ch = (int)(idx % c);
            double acc = 0.0;
            for (int t = start[s]; t < start[s + 1]; t++)
                acc += scale * gout[n * outSize + (long long)(entries[t] / o) * c + ch];
            g[idx] = acc;
        }

        // GlobalAvgPool: y[n·c + ch] = (Σ_q in[(n·P + q)·c + ch])·scale.
        extern "C" __global__ void sp_gap(const double* in, double* y, long long count, int p, int c, double scale)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long n = idx / c;
            int ch = (int)(idx % c);
            double acc = 0.0;
            for (int q = 0; q < p; q++) acc += in[(n * p + q) * c + ch];
            y[idx] = acc * scale;
        }

        // GlobalAvgPool backward: g[(n·P + q)·c + ch] = scale·gout[n·c + ch].
        extern "C" __global__ void sp_gap_t(const double* gout, double* g, long long count, int p, int c, double scale)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long n = idx / ((long long)p * c);
            g[idx] = scale * gout[n * c + idx % c];
        }

        // z[i] = x[i] + y[i] (Add, and the sum of a skip connection's cotangents).
        extern "C" __global__ void sp_add(const double* x, const double* y, double* z, long long count)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) z[idx] = x[idx] + y[idx];
        }

        // LayerNorm forward, one thread per pixel g: μ, biased σ², s = 1/√(σ² + ε), y = (x − μ)·s; stats[2g] = μ, stats[2g+1] = σ².
        extern "C" __global__ void sp_layernorm(const double* x, double* y, double* inv, double* stats, long long groups, int c, double eps)
        {
            long long g = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (g >= groups) return;
            const double* v = x + g * c;
            double mean = 0.0;
            for (int i = 0; i < c; i++) mean += v[i];
            mean /= c;
            double variance = 0.0;
            for (int i = 0; i < c; i++) variance += (v[i] - mean) * (v[i] - mean);
            variance /= c;
            double s = 1.0 / sqrt(variance + eps);
            stats[2 * g] = mean;
            stats[2 * g + 1] = variance;
            inv[g] = s;
            for (int i = 0; i < c; i++) y[g * c + i] = (v[i] - mean) * s;
        }

        // LayerNorm backward/tangent, one thread per (n, b, q): r = s·(v − mean(v) − ŷ·mean(v ⊙ ŷ)) over the c channels.
        extern "C" __global__ void sp_layernorm_apply(const double* v, const double* yh, const double* inv, double* r, long long count, int batch, int pixels, int c)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long n = idx / ((long long)batch * pixels);
            int q = (int)(idx % pixels);
            long long g = n * pixels + q;
            long long o = idx * c;
            const double* y = yh + g * c;
            double mv = 0.0, my = 0.0;
            for (int i = 0; i < c; i++)
            {
                mv += v[o + i];
                my += v[o + i] * y[i];
            }
            mv /= c;
            my /= c;
            double s = inv[g];
            for (int i = 0; i < c; i++) r[o + i] = s * (v[o + i] - mv - y[i] * my);
        }

        // g[idx] = gout[idx]·dact[(idx / (batch·size))·size + idx % size]: φ'(h) ⊙ ∂f/∂a for batch cotangents per example.
        extern "C" __global__ void sp_mul_batch(const double* gout, const double* dact, double* g, long long count, int batch, int size)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long n = idx / ((long long)batch * size);
            g[idx] = gout[idx] * dact[n * size + idx % size];
        }

        // x[idx] ·= y[idx] (the Jvp's φ'(h) ⊙ ḣ).
        extern "C" __global__ void sp_mul(double* x, const double* y, long long count)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) x[idx] = x[idx] * y[idx];
        }

        // h[idx] += s·b[idx % width] (a bias row vector).
        extern "C" __global__ void sp_add_row(double* h, const double* b, double s, long long count, int width)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx < count) h[idx] += s * b[idx % width];
        }

        // grad[ch] += s·Σ_r gradH[r·c + ch], rows in order (the Vjp's bias gradient).
        extern "C" __global__ void sp_colsum_acc(const double* gradH, double* grad, double s, long long rows, int c)
        {
            int ch = (int)((long long)blockIdx.x * blockDim.x + threadIdx.x);
            if (ch >= c) return;
            double acc = grad[ch];
            for (long long r = 0; r < rows; r++) acc += s * gradH[r * c + ch];
            grad[ch] = acc;
        }

        // Per-example bias gradients: dst[r·stride + offset + ch] = s·Σ_q gradH[(r·P + q)·c + ch] for r < count / c.
        extern "C" __global__ void sp_bias_grad(const double* gradH, double* dst, double s, long long count, int p, int c, long long stride, long long offset)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long r = idx / c;
            int ch = (int)(idx % c);
            double acc = 0.0;
            for (int q = 0; q < p; q++) acc += gradH[(r * p + q) * c + ch];
            dst[r * stride + offset + ch] = acc * s;
        }

        // t[((r·c) + ch)·P + q] = gradH[(r·P + q)·c + ch]: δ per (example, cotangent) as c × P, for the per-example gradient GEMMs.
        extern "C" __global__ void sp_delta_t(const double* gradH, double* t, long long count, int p, int c)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            long long r = idx / ((long long)p * c);
            int ch = (int)((idx / p) % c), q = (int)(idx % p);
            t[idx] = gradH[(r * p + q) * c + ch];
        }

        // rows × K × K unit cotangents e_c.
        extern "C" __global__ void sp_unit(double* g, long long count, int k)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            g[idx] = (idx / k) % k == idx % k ? 1.0 : 0.0;
        }

        // Full-mode Gram rearrangement: acc[((i·n2 + j)·K + c)·K + c2] += w·gram[(i·K + c)·(n2·K) + j·K + c2].
        extern "C" __global__ void sp_full_acc(const double* gram, double* acc, double w, long long count, int n2, int k)
        {
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= count) return;
            int c2 = (int)(idx % k), c = (int)((idx / k) % k);
            long long ij = idx / ((long long)k * k);
            long long i = ij / n2, j = ij % n2;
            acc[idx] += w * gram[(i * k + c) * ((long long)n2 * k) + j * k + c2];
        }
        """;
}
