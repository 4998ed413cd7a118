namespace NtkDsl.Cuda.Analytic.Spatial;

/// <summary>
/// The model-independent CUDA C of <see cref="DevicePixelPairRecursion"/>: the linear layer rules of the CPU's
/// <c>PixelPairRecursion</c>/<c>PixelPairOps</c> (src/NtkDsl/Layers/Analytic) over a batch of example pairs, one thread
/// per output entry. Pair r's matrices start at r·stride (stride = PairPixels²; entry (p, p') of an n × n' matrix at
/// p·n' + p'); per-example arrays (pooled inputs, variances, means, LayerNorm variances) are indexed through the pair's
/// example indices ia[r], ib[r]. Each kernel sums in the order of its CPU twin (window offsets ascending; for a
/// convolution the inner sum over the row offsets a, then over the column offsets b, then the one multiplication by
/// 1/k²), so float64 results agree with the CPU to rounding. The activation duals are not here: they come from the
/// model's generated <c>ntk_pp_dual_l</c>/<c>ntk_pp_mean_l</c>. Written for this project; no shared memory, so the host
/// emulation runs the same text.
/// </summary>
internal static class PixelPairSource
{
    public const string Text = """
        #define PP_IDX long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; if (idx >= count) return;

        // Σ_0(p, p') = ⟨x_p, x'_p'⟩/C summed left to right (AnalyticGram.MeanDot); xa/xb hold one example per xs values.
        extern "C" __global__ void pp_input_cov(const double* xa, const double* xb, const int* ia, const int* ib, double* cov,
            long long count, int n, int c, long long xs, long long stride)
        {
            PP_IDX
            long long sq = (long long)n * n, r = idx / sq;
            int e = (int)(idx % sq), p = e / n, p2 = e % n;
            const double* u = xa + (long long)ia[r] * xs + (long long)p * c;
            const double* v = xb + (long long)ib[r] * xs + (long long)p2 * c;
            double s = 0.0;
            for (int k = 0; k < c; k++) s = __dadd_rn(s, __dmul_rn(u[k], v[k]));
            cov[r * stride + e] = s / (double)c;
        }

        // PixelPairOps.ConvolveDiagonal: R[(qh, qw), (qh', qw')] = scale·Σ_b Σ_a M[(sh(qh, a), sw(qw, b)), (sh(qh', a), sw(qw', b))],
        // padding (−1) skipped on either side; M is n × n (n = h·w, row width w), R is no × no (no = oh·ow).
        extern "C" __global__ void pp_conv(const double* m, double* res, const int* srcH, const int* srcW, long long count,
            int n, int w, int oh, int ow, int k, long long stride, double scale)
        {
            PP_IDX
            int no = oh * ow;
            long long sq = (long long)no * no, r = idx / sq;
            int e = (int)(idx % sq), o1 = e / no, o2 = e % no;
            int qh = o1 / ow, qw = o1 % ow, qh2 = o2 / ow, qw2 = o2 % ow;
            const double* mr = m + r * stride;
            double acc = 0.0;
            for (int b = 0; b < k; b++)
            {
                int sb = srcW[qw * k + b], sb2 = srcW[qw2 * k + b];
                if (sb < 0 || sb2 < 0) continue;
                double t = 0.0;
                for (int a = 0; a < k; a++)
                {
                    int sa = srcH[qh * k + a], sa2 = srcH[qh2 * k + a];
                    if (sa < 0 || sa2 < 0) continue;
                    t = __dadd_rn(t, mr[(long long)(sa * w + sb) * n + (sa2 * w + sb2)]);
                }
                acc = __dadd_rn(acc, t);
            }
            res[r * stride + e] = __dmul_rn(acc, scale);
        }

        // PixelPairOps.PoolRows: R[(qh, qw), j] = scale·Σ_b Σ_a M[(sh(qh, a), sw(qw, b)), j] for items of inStride/outStride values.
        extern "C" __global__ void pp_pool_rows(const double* m, double* res, const int* srcH, const int* srcW, long long count,
            int cols, int w, int oh, int ow, int k, long long inStride, long long outStride, double scale)
        {
            PP_IDX
            long long per = (long long)oh * ow * cols, r = idx / per;
            int e = (int)(idx % per), o = e / cols, j = e % cols, qh = o / ow, qw = o % ow;
            const double* mr = m + r * inStride;
            double acc = 0.0;
            for (int b = 0; b < k; b++)
            {
                int sb = srcW[qw * k + b];
                if (sb < 0) continue;
                double t = 0.0;
                for (int a = 0; a < k; a++)
                {
                    int sa = srcH[qh * k + a];
                    if (sa < 0) continue;
                    t = __dadd_rn(t, mr[(long long)(sa * w + sb) * cols + j]);
                }
                acc = __dadd_rn(acc, t);
            }
            res[r * outStride + e] = __dmul_rn(acc, scale);
        }

        // PixelPairOps.PoolColumns: R[i, (qh, qw)] = scale·Σ_a Σ_b M[i, (sh(qh, a), sw(qw, b))]; M is rows × n (n = h·w).
        extern "C" __global__ void pp_pool_cols(const double* m, double* res, const int* srcH, const int* srcW, long long count,
            int rows, int n, int w, int oh, int ow, int k, long long inStride, long long outStride, double scale)
        {
            PP_IDX
            int no = oh * ow;
            long long per = (long long)rows * no, r = idx / per;
            int e = (int)(idx % per), i = e / no, q = e % no, qh = q / ow, qw = q % ow;
            const double* v = m + r * inStride + (long long)i * n;
            double s = 0.0;
            for (int a = 0; a < k; a++)
            {
                int sa = srcH[qh * k + a];
                if (sa < 0) continue;
                for (int b = 0; b < k; b++)
                {
                    int sb = srcW[qw * k + b];
                    if (sb >= 0) s = __dadd_rn(s, v[sa * w + sb]);
                }
            }
            res[r * outStride + e] = __dmul_rn(s, scale);
        }

        // PixelPairOps.MeanRows: R[j] = scale·Σ_i M[i, j] (scale = 1/rows); M is rows × n.
        extern "C" __global__ void pp_mean_rows(const double* m, double* res, long long count, int rows, int n, long long inStride, long long outStride, double scale)
        {
            PP_IDX
            long long r = idx / n;
            int j = (int)(idx % n);
            const double* mr = m + r * inStride;
            double s = 0.0;
            for (int i = 0; i < rows; i++) s = __dadd_rn(s, mr[(long long)i * n + j]);
            res[r * outStride + j] = __dmul_rn(s, scale);
        }

        // PixelPairOps.MeanColumns: R[i] = (Σ_j M[i, j])/n; M is rows × n.
        extern "C" __global__ void pp_mean_cols(const double* m, double* res, long long count, int rows, int n, long long inStride, long long outStride)
        {
            PP_IDX
            long long r = idx / rows;
            int i = (int)(idx % rows);
            const double* v = m + r * inStride + (long long)i * n;
            double s = 0.0;
            for (int j = 0; j < n; j++) s = __dadd_rn(s, v[j]);
            res[r * outStride + i] = s / (double)n;
        }

        // Flatten (PixelPairOps.MeanDiagonal), in place: M[0] = (Σ_p M[p, p])/n per pair.
        extern "C" __global__ void pp_mean_diag(double* m, long long count, int n, long long stride)
        {
            PP_IDX
            double* mr = m + idx * stride;
            double s = 0.0;
            for (int p = 0; p < n; p++) s = __dadd_rn(s, mr[(long long)p * n + p]);
            mr[0] = s / (double)n;
        }

        // Affine (PixelPairRecursion.Affine): Θ ← own·𝒜K + bias + σ_w²·𝒜Θ, K ← σ_w²·𝒜K + σ_b², for the first len entries per pair.
        extern "C" __global__ void pp_affine(double* k, double* t, long long count, int len, long long stride, double own, double bias, double sw, double sb)
        {
            PP_IDX
            long long at = (idx / len) * stride + idx % len;
            double ak = k[at];
            t[at] = __dadd_rn(__dadd_rn(__dmul_rn(own, ak), bias), __dmul_rn(sw, t[at]));
            k[at] = __dadd_rn(__dmul_rn(sw, ak), sb);
        }

        // An example's own variances: q[r·no + p] = K[p, p] of pair r = (x, x).
        extern "C" __global__ void pp_diag(const double* k, double* q, long long count, int no, long long stride)
        {
            PP_IDX
            long long r = idx / no;
            int p = (int)(idx % no);
            q[idx] = k[r * stride + (long long)p * no + p];
        }

        // After an activation, the cross terms with held tensor j: [0, j](p, p') = m(x, p)·m_j(x', p'), [j, 0](p', p) = m_j(x, p')·m(x', p).
        extern "C" __global__ void pp_cross_means(double* c0j, double* cj0, const double* ma, const double* mb, const double* sa, const double* sbm,
            const int* ia, const int* ib, long long count, int no, int nj, long long stride)
        {
            PP_IDX
            long long per = (long long)no * nj, r = idx / per;
            int e = (int)(idx % per), p = e / nj, p2 = e % nj;
            long long a = ia[r], b = ib[r];
            c0j[r * stride + e] = __dmul_rn(ma[a * no + p], sbm[b * nj + p2]);
            cj0[r * stride + (long long)p2 * no + p] = __dmul_rn(sa[a * nj + p2], mb[b * no + p]);
        }

        // Add: tmp = [0, 0] + [0, s] + [s, 0] + [s, s], left to right.
        extern "C" __global__ void pp_add4(const double* c00, const double* c0s, const double* cs0, const double* css, double* tmp, long long count, int len, long long stride)
        {
            PP_IDX
            long long at = (idx / len) * stride + idx % len;
            tmp[at] = __dadd_rn(__dadd_rn(__dadd_rn(c00[at], c0s[at]), cs0[at]), css[at]);
        }

        // dst += src for the first len entries per pair.
        extern "C" __global__ void pp_add_to(double* dst, const double* src, long long count, int len, long long stride)
        {
            PP_IDX
            long long at = (idx / len) * stride + idx % len;
            dst[at] = __dadd_rn(dst[at], src[at]);
        }

        // dst = src for the first len entries per pair.
        extern "C" __global__ void pp_copy(double* dst, const double* src, long long count, int len, long long stride)
        {
            PP_IDX
            long long at = (idx / len) * stride + idx % len;
            dst[at] = src[at];
        }

        // out = a + b (per-example means of an Add).
        extern "C" __global__ void pp_add2(const double* a, const double* b, double* out, long long count)
        {
            PP_IDX
            out[idx] = __dadd_rn(a[idx], b[idx]);
        }

        // The channel mean of each input pixel: m[r·pixels + p] = (Σ_c x[r·xs + p·C + c])/C.
        extern "C" __global__ void pp_channel_mean(const double* x, double* m, long long count, int pixels, int c, long long xs)
        {
            PP_IDX
            long long r = idx / pixels;
            int p = (int)(idx % pixels);
            const double* u = x + r * xs + (long long)p * c;
            double s = 0.0;
            for (int k = 0; k < c; k++) s = __dadd_rn(s, u[k]);
            m[idx] = s / (double)c;
        }

        __device__ __forceinline__ double pp_inv_sqrt(double v) { return v > 0.0 ? 1.0 / sqrt(v) : 0.0; }

        // LayerNorm, an example's own variances: v = max(K(p, p) − m(p)², 0) + ε (NaN kept, as Math.Max).
        extern "C" __global__ void pp_ln_var(const double* c00, const double* m, double* v, long long count, int n, long long stride, double eps)
        {
            PP_IDX
            long long r = idx / n;
            int p = (int)(idx % n);
            double d = __dsub_rn(c00[r * stride + (long long)p * n + p], __dmul_rn(m[idx], m[idx]));
            double mx = d != d ? d : (d > 0.0 ? d : 0.0);
            v[idx] = __dadd_rn(mx, eps);
        }

        // LayerNorm of [0, 0]: K ← (K − m(p)·m'(p'))·s, Θ ← Θ·s with s = v(p)^−½·v'(p')^−½ (0 where v = 0).
        extern "C" __global__ void pp_ln_apply(double* c00, double* n00, const double* ma, const double* mb, const double* va, const double* vb,
            const int* ia, const int* ib, long long count, int n, long long stride)
        {
            PP_IDX
            long long sq = (long long)n * n, r = idx / sq;
            int e = (int)(idx % sq), p = e / n, p2 = e % n;
            long long a = (long long)ia[r] * n + p, b = (long long)ib[r] * n + p2;
            double scale = __dmul_rn(pp_inv_sqrt(va[a]), pp_inv_sqrt(vb[b]));
            long long at = r * stride + e;
            c00[at] = __dmul_rn(__dsub_rn(c00[at], __dmul_rn(ma[a], mb[b])), scale);
            n00[at] = __dmul_rn(n00[at], scale);
        }

        // LayerNorm of the cross terms with held tensor j (n × nj and nj × n).
        extern "C" __global__ void pp_ln_cross(double* c0j, double* cj0, double* n0j, double* nj0, const double* ma, const double* mb,
            const double* sa, const double* sbm, const double* va, const double* vb, const int* ia, const int* ib, long long count, int n, int nj, long long stride)
        {
            PP_IDX
            long long per = (long long)n * nj, r = idx / per;
            int e = (int)(idx % per), p = e / nj, p2 = e % nj;
            long long a = ia[r], b = ib[r];
            double invA = pp_inv_sqrt(va[a * n + p]), invB = pp_inv_sqrt(vb[b * n + p]);
            long long at = r * stride + e, ta = r * stride + (long long)p2 * n + p;
            c0j[at] = __dmul_rn(__dsub_rn(c0j[at], __dmul_rn(ma[a * n + p], sbm[b * nj + p2])), invA);
            n0j[at] = __dmul_rn(n0j[at], invA);
            cj0[ta] = __dmul_rn(__dsub_rn(cj0[ta], __dmul_rn(sa[a * nj + p2], mb[b * n + p])), invB);
            nj0[ta] = __dmul_rn(nj0[ta], invB);
        }

        // The kernel values of each pair: out[r] = M[r·stride] (the 1 × 1 matrix after the last Dense layer).
        extern "C" __global__ void pp_take0(const double* m, double* out, long long count, long long stride)
        {
            PP_IDX
            out[idx] = m[idx * stride];
        }
        """;
}
