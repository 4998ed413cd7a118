using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NtkDsl.Kernels;

/// <summary>
/// The blocked GEMM (Goto/BLIS loop order): for each <c>Nc</c>-wide column block of C and each <c>Kc</c>-deep slice
/// of k, op(B) is packed once; for each <c>Mc</c>-tall row block op(A) is packed; then the micro-kernel sweeps the
/// block tile by tile. C is split into rectangular tasks run with <see cref="Parallel.For(int, int, Action{int})"/>;
/// each task packs into its own pooled buffers, so tasks share nothing but read-only A and B. With
/// <c>lower</c> set only tiles that touch the lower triangle (j ≤ i) are computed and only j ≤ i is written.
/// An optional row-scale epilogue multiplies each finished element by a second matrix,
/// C[i, j] ← C[i, j]·S[i / <c>scaleDiv</c>, j], while its micro-tile is still in L1 (see <see cref="RowScale"/>).
/// </summary>
internal static unsafe class GemmDriver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>m·n·k at or below which a direct triple loop beats packing.</summary>
    internal const long TinyWork = 6 * 1024;

    /// <summary>
    /// m·n·k below which one thread does the whole product: waking a pool thread and packing twice costs more than
    /// it saves (float64 on the 2-core dev machine: 128³ ran at 39 GFLOP/s on one core but 29 split four ways over two,
    /// while 192³ split in two reached 87).
    /// </summary>
    internal const long ParallelWork = 144 * 144 * 144;

    /// <summary>m·n·k from which C is cut into two tasks per thread (dynamic balance) rather than one.</summary>
    internal const long FineGrainWork = 320 * 320 * 320;

    private const int AlignBytes = 64;

    /// <summary>
    /// The epilogue C[i, j] ← C[i, j]·S[(i / Div)·Ld + j], applied once to each element after its last k slice: one
    /// IEEE product, the same as a separate pass over C afterwards (so the result is bitwise that of the pass), without
    /// reading and writing C from memory a second time. Backpropagated per-output deltas use it with S = φ'(h) and
    /// Div = K (C's rows are (example, output) pairs).
    /// </summary>
    internal readonly record struct RowScale(nint S, nint Ld, int Div)
    {
        /// <summary>No epilogue.</summary>
        public static RowScale None => default;
    }

    /// <summary>Runs C = α·op(A)·op(B) + β·C on validated pointers (see <see cref="Blas"/> for the contract).</summary>
    public static void Run(GemmKernelKind kind, Transpose transA, Transpose transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc, bool lower, int maxThreads)
        => Run(kind, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, lower, maxThreads, RowScale.None);

    /// <summary>
    /// As <see cref="Run(GemmKernelKind, Transpose, Transpose, int, int, int, T, T*, nint, T*, nint, T, T*, nint, bool, int)"/>,
    /// then C[i, j] ·= S[i / Div, j] (<paramref name="scale"/>; not with <paramref name="lower"/>).
    /// </summary>
    public static void Run(GemmKernelKind kind, Transpose transA, Transpose transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc, bool lower, int maxThreads, RowScale scale)
    {
        if (m == 0 || n == 0) return;
        if (lower && scale.S != 0) throw new ArgumentException("The row-scale epilogue is for full products, not the lower triangle.", nameof(scale));
        var job = new Job(kind, GemmBlocking.For<T>(kind), transA == Transpose.Yes, transB == Transpose.Yes,
            k, alpha, (nint)a, lda, (nint)b, ldb, beta, (nint)c, ldc, lower, scale);
        if (k == 0 || alpha == T.Zero)
        {
            job.ScaleOnly(m, n);
            return;
        }
        long work = (long)m * n * k;
        if (work <= TinyWork)
        {
            job.Direct(0, m, 0, n);
            return;
        }
        int threads = work < ParallelWork ? 1 : Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));
        if (threads == 1)
        {
            job.Blocked(0, m, 0, n);
            return;
        }
        var tasks = lower
            ? LowerBands(m, job.Blocking, threads)
            : Partition(m, n, job.Blocking, threads * (work >= FineGrainWork ? 2 : 1), lower: false);
        if (tasks.Count == 1)
        {
            job.Blocked(0, m, 0, n);
            return;
        }
        global::NtkDsl.Kernels.ParallelLoop.For(0, tasks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var (r0, r1, c0, c1) = tasks[t];
            job.Blocked(r0, r1, c0, c1);
        });
    }

    /// <summary>
    /// Splits C into a grid of about <paramref name="target"/> rectangles whose edges fall on micro-tile
    /// boundaries. Grids whose cell count is exactly the target (a multiple of the thread count, so equal cells keep
    /// every thread busy to the end) are preferred, the most square cells first; cells must stay several tiles long.
    /// Rectangles wholly above the diagonal are dropped when only the lower triangle is wanted.
    /// </summary>
    internal static List<(int R0, int R1, int C0, int C1)> Partition(int m, int n, GemmBlocking blk, int target, bool lower)
    {
        int minRows = Math.Max(4 * blk.Mr, 48), minCols = Math.Max(4 * blk.Nr, 64);
        int mt = 1, nt = 1;
        for (int count = target; count >= 2 && mt * nt == 1; count--)
        {
            double bestScore = double.MaxValue;
            for (int rowsSplit = 1; rowsSplit <= count; rowsSplit++)
            {
                if (count % rowsSplit != 0) continue;
                int colsSplit = count / rowsSplit;
                double rows = (double)m / rowsSplit, cols = (double)n / colsSplit;
                if ((rowsSplit > 1 && rows < minRows) || (colsSplit > 1 && cols < minCols)) continue;
                double score = Math.Abs(Math.Log(rows / cols));
                if (score < bestScore) (bestScore, mt, nt) = (score, rowsSplit, colsSplit);
            }
        }
        int rowStep = RoundUp((m + mt - 1) / mt, blk.Mr), colStep = RoundUp((n + nt - 1) / nt, blk.Nr);
        var list = new List<(int, int, int, int)>();
        for (int r0 = 0; r0 < m; r0 += rowStep)
            for (int c0 = 0; c0 < n; c0 += colStep)
            {
                int r1 = Math.Min(m, r0 + rowStep), c1 = Math.Min(n, c0 + colStep);
                if (lower && c0 > r1 - 1) continue;
                list.Add((r0, r1, c0, c1));
            }
        // Largest first, so the ragged and diagonal pieces fill in at the end.
        list.Sort((x, y) => Area(y, lower).CompareTo(Area(x, lower)));
        return list;
    }

    /// <summary>
    /// Splits the lower triangle of an n×n product into row bands of equal area (band b ends near row n·√(b/bands), on
    /// a micro-tile boundary), each with the columns left of its last row. Each band packs its rows of A and those
    /// columns of B once — for two bands 1.35·n·k values against 2.5·n·k for a 4×4 grid of squares, whose packing
    /// (read from memory) cost as much as a quarter of the product.
    /// </summary>
    internal static List<(int R0, int R1, int C0, int C1)> LowerBands(int n, GemmBlocking blk, int bands)
    {
        bands = Math.Max(1, Math.Min(bands, n / Math.Max(4 * blk.Mr, 48)));
        var list = new List<(int, int, int, int)>();
        int start = 0;
        for (int b = 1; b <= bands && start < n; b++)
        {
            int end = b == bands ? n : Math.Min(n, RoundUp((int)Math.Round(n * Math.Sqrt((double)b / bands)), blk.Mr));
            if (end <= start) continue;
            list.Add((start, end, 0, end));
            start = end;
        }
        list.Sort((x, y) => Area(y, true).CompareTo(Area(x, true)));
        return list;
    }

    private static long Area((int R0, int R1, int C0, int C1) t, bool lower)
    {
        long full = (long)(t.R1 - t.R0) * (t.C1 - t.C0);
        return lower && t.C1 > t.R0 ? full / 2 : full;
    }

    private static int RoundUp(int x, int step) => (x + step - 1) / step * step;

    /// <summary>One product, with pointers kept as <see cref="nint"/> so tasks can capture it.</summary>
    private readonly record struct Job(GemmKernelKind Kind, GemmBlocking Blocking, bool TransA, bool TransB, int K,
        T Alpha, nint A, nint Lda, nint B, nint Ldb, T Beta, nint C, nint Ldc, bool Lower, RowScale Scale)
    {
        /// <summary>C = β·C (k = 0 or α = 0: A and B are not read; β = 0 writes zeros without reading C).</summary>
        public void ScaleOnly(int m, int n)
        {
            T* c = (T*)C;
            for (int i = 0; i < m; i++)
            {
                T* ci = c + i * Ldc;
                int jEnd = Lower ? Math.Min(n, i + 1) : n;
                if (Beta == T.Zero) new Span<T>(ci, jEnd).Clear();
                else if (Beta != T.One) for (int j = 0; j < jEnd; j++) ci[j] *= Beta;
                ScaleRow(ci, i, 0, jEnd);
            }
        }

        /// <summary>The row-scale epilogue on C[i, j0 .. j0 + count) at <paramref name="ci"/> (nothing without one).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void ScaleRow(T* ci, int i, int j0, int count)
        {
            if (Scale.S == 0) return;
            T* s = (T*)Scale.S + (i / Scale.Div) * Scale.Ld + j0;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j <= count - Vector512<T>.Count; j += Vector512<T>.Count)
                    (Vector512.Load(ci + j) * Vector512.Load(s + j)).Store(ci + j);
            for (; j < count; j++) ci[j] *= s[j];
        }

        /// <summary>
        /// Unpacked triple loop for tiny products, rounding as the blocked path does: k in slices of Kc, each a chain of
        /// multiply-adds from zero folded into C by α·s + β·C (fused for the AVX kernels, two roundings for the portable
        /// one), so a product's value does not depend on its size crossing <see cref="TinyWork"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Direct(int r0, int r1, int c0, int c1)
        {
            T* a = (T*)A, b = (T*)B, c = (T*)C;
            nint ai = TransA ? 1 : Lda, ap = TransA ? Lda : 1, bp = TransB ? 1 : Ldb, bj = TransB ? Ldb : 1;
            bool fused = Kind != GemmKernelKind.Portable;
            int kc = Blocking.Kc;
            for (int i = r0; i < r1; i++)
            {
                int jEnd = Lower ? Math.Min(c1, i + 1) : c1;
                for (int j = c0; j < jEnd; j++)
                {
                    T* x = a + i * ai, y = b + j * bj;
                    T* cij = c + i * Ldc + j;
                    T acc = Beta == T.Zero ? T.Zero : *cij;
                    for (int p0 = 0; p0 < K; p0 += kc)
                    {
                        T s = T.Zero;
                        int pEnd = Math.Min(K, p0 + kc);
                        if (fused)
                            for (int p = p0; p < pEnd; p++) s = T.FusedMultiplyAdd(x[p * ap], y[p * bp], s);
                        else
                            for (int p = p0; p < pEnd; p++) s += x[p * ap] * y[p * bp];
                        T betaNow = p0 == 0 ? Beta : T.One;
                        acc = betaNow == T.Zero ? Alpha * s : fused ? T.FusedMultiplyAdd(s, Alpha, betaNow * acc) : Alpha * s + betaNow * acc;
                    }
                    *cij = acc;
                }
                if (jEnd > c0) ScaleRow(c + i * Ldc + c0, i, c0, jEnd - c0);
            }
        }

        /// <summary>The packed, blocked product on rows [r0, r1) and columns [c0, c1) of C.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Blocked(int r0, int r1, int c0, int c1)
        {
            var blk = Blocking;
            int mr = blk.Mr, nr = blk.Nr;
            int kcMax = Math.Min(blk.Kc, K);
            int ncMax = Math.Min(blk.Nc, RoundUp(c1 - c0, nr));
            int mcMax = Math.Min(blk.Mc, RoundUp(r1 - r0, mr));
            int pad = AlignBytes / sizeof(T);
            T[] bufA = ArrayPool<T>.Shared.Rent((mcMax + mr - 1) / mr * blk.AStep * kcMax + pad);
            T[] bufB = ArrayPool<T>.Shared.Rent(ncMax * kcMax + pad);
            T* tile = stackalloc T[mr * nr + pad];
            try
            {
                fixed (T* rawA = bufA, rawB = bufB)
                {
                    BlockedCore(r0, r1, c0, c1, Align(rawA), Align(rawB), Align(tile));
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(bufA);
                ArrayPool<T>.Shared.Return(bufB);
            }
        }

        private static T* Align(T* p) => (T*)(((nint)p + (AlignBytes - 1)) & ~(nint)(AlignBytes - 1));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BlockedCore(int r0, int r1, int c0, int c1, T* pa, T* pb, T* tile)
        {
            var blk = Blocking;
            int mr = blk.Mr, nr = blk.Nr;
            T* a = (T*)A, b = (T*)B, c = (T*)C;
            for (int jc = c0; jc < c1; jc += blk.Nc)
            {
                int nc = Math.Min(blk.Nc, c1 - jc);
                int rStart = Lower ? Math.Max(r0, jc) : r0;
                if (rStart >= r1) continue;
                for (int pc = 0; pc < K; pc += blk.Kc)
                {
                    int kc = Math.Min(blk.Kc, K - pc);
                    T betaNow = pc == 0 ? Beta : T.One;
                    bool lastSlice = pc + kc >= K;
                    GemmPacking<T>.PackB(b, Ldb, TransB, pc, jc, kc, nc, nr, pb);
                    for (int ic = rStart; ic < r1; ic += blk.Mc)
                    {
                        int mc = Math.Min(blk.Mc, r1 - ic);
                        GemmPacking<T>.PackA(a, Lda, TransA, ic, pc, mc, kc, mr, blk.AStep, pa);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nAct = Math.Min(nr, nc - jr), j0 = jc + jr;
                            T* bPanel = pb + (nint)jr * kc;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int mAct = Math.Min(mr, mc - ir), i0 = ic + ir;
                                if (Lower && j0 > i0 + mAct - 1) continue;
                                T* aPanel = pa + (nint)(ir / mr) * blk.AStep * kc;
                                T* cTile = c + i0 * Ldc + j0;
                                if (mAct == mr && nAct == nr && (!Lower || j0 + nr - 1 <= i0))
                                {
                                    Kernel(kc, aPanel, bPanel, cTile, Ldc, Alpha, betaNow);
                                }
                                else
                                {
                                    Kernel(kc, aPanel, bPanel, tile, nr, T.One, T.Zero);
                                    StoreEdge(tile, nr, cTile, mAct, nAct, Lower ? i0 - j0 : int.MaxValue, betaNow);
                                }
                                if (lastSlice && Scale.S != 0)
                                    for (int r = 0; r < mAct; r++) ScaleRow(cTile + r * Ldc, i0 + r, j0, nAct);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Adds a ragged or diagonal tile: C[r, j] for j − r ≤ <paramref name="diag"/>, rounding α·s + β·C exactly as the
        /// kernel's own update does (one fused multiply-add for the AVX kernels, two roundings for the portable one), so
        /// an element's value does not depend on whether it fell on a whole or an edge tile — results are independent of
        /// the tile shape and of how C is split into tasks.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StoreEdge(T* tile, int nr, T* c, int rows, int cols, int diag, T beta)
        {
            for (int r = 0; r < rows; r++)
            {
                T* cr = c + r * Ldc;
                T* tr = tile + r * nr;
                int jEnd = (int)Math.Min(cols, (long)diag + r + 1);
                if (beta == T.Zero)
                    for (int j = 0; j < jEnd; j++) cr[j] = Alpha * tr[j];
                else if (Kind == GemmKernelKind.Portable)
                    for (int j = 0; j < jEnd; j++) cr[j] = Alpha * tr[j] + beta * cr[j];
                else
                    for (int j = 0; j < jEnd; j++) cr[j] = T.FusedMultiplyAdd(tr[j], Alpha, beta * cr[j]);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Kernel(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        {
            switch (Kind)
            {
                case GemmKernelKind.Avx512Wide: MicroKernel512Wide<T>.Run(kc, a, b, c, ldc, alpha, beta); break;
                case GemmKernelKind.Avx512: MicroKernel512<T>.Run(kc, a, b, c, ldc, alpha, beta); break;
                case GemmKernelKind.Avx2: MicroKernel256<T>.Run(kc, a, b, c, ldc, alpha, beta); break;
                default: MicroKernelPortable<T>.Run(kc, a, b, c, ldc, alpha, beta); break;
            }
        }
    }
}
