using NtkDsl.Kernels;

namespace NtkDsl.Regression;

/// <summary>
/// Blocked, multi-threaded Cholesky factorization A = L·Lᵀ of a symmetric positive-definite row-major matrix, built on
/// <see cref="Blas"/>: right-looking, with block columns of <see cref="BlockSize"/>. Each step factors the diagonal
/// block with an unblocked kernel, inverts that small triangle, forms the panel L21 = A21·L11^{-T} by one GEMM, and
/// applies the trailing update A22 −= L21·L21ᵀ by SYRK on diagonal chunks and GEMM below them (threaded inside <see cref="Blas"/>). Triangular solves with L
/// use the same inverted diagonal blocks, so all O(n³) work runs in the packed GEMM kernels.
/// Multiplying by an inverted diagonal block instead of substituting is the standard "inverted diagonal block" TRSM
/// variant; its error grows with the block's condition number, which is at most that of L (√cond(A)), so it is as
/// accurate as substitution to within a small factor for the kernels met here (the tests compare with MathNet).
/// </summary>
internal sealed class BlockedCholesky
{
    /// <summary>Block size of the factorization and of the solves.</summary>
    public const int BlockSize = 192;

    private readonly double[] _l;
    private readonly double[][] _diagInverse;

    private BlockedCholesky(int n, double[] l, double[][] diagInverse, double minPivot)
    {
        N = n;
        _l = l;
        _diagInverse = diagInverse;
        MinPivot = minPivot;
    }

    /// <summary>Matrix order.</summary>
    public int N { get; }

    /// <summary>The smallest squared diagonal entry of L (the smallest Cholesky pivot).</summary>
    public double MinPivot { get; }

    /// <summary>The factor L, row-major n × n; entries above the diagonal are zero.</summary>
    public double[] Factor
    {
        get
        {
            var l = (double[])_l.Clone();
            for (int i = 0; i < N; i++) Array.Clear(l, i * N + i + 1, N - i - 1);
            return l;
        }
    }

    /// <summary>
    /// Factors the row-major symmetric matrix <paramref name="a"/> (only its lower triangle is read; it is overwritten).
    /// Returns null when a pivot is not positive (or not finite): the matrix is not positive definite.
    /// </summary>
    public static BlockedCholesky? TryFactor(double[] a, int n)
    {
        int blocks = (n + BlockSize - 1) / BlockSize;
        var diagInverse = new double[blocks][];
        double minPivot = double.PositiveInfinity;
        for (int b = 0; b < blocks; b++)
        {
            int k0 = b * BlockSize, kb = Math.Min(BlockSize, n - k0);
            double pivot = FactorDiagonal(a, n, k0, kb);
            if (!(pivot > 0) || !double.IsFinite(pivot)) return null;
            minPivot = Math.Min(minPivot, pivot);
            diagInverse[b] = InvertLower(a, n, k0, kb);
            int m = n - k0 - kb;
            if (m == 0) continue;
            // Panel: L21 = A21 · L11^{-T} (A21 copied out so the GEMM's output does not overlap its input).
            var a21 = new double[m * kb];
            for (int i = 0; i < m; i++) Array.Copy(a, (k0 + kb + i) * n + k0, a21, i * kb, kb);
            Blas.Gemm(Transpose.No, Transpose.Yes, m, kb, kb, 1.0, a21, kb, diagInverse[b], kb, 0.0, a.AsSpan((k0 + kb) * n + k0), n);
            for (int i = 0; i < m; i++) Array.Copy(a, (k0 + kb + i) * n + k0, a21, i * kb, kb);
            TrailingUpdate(a, n, k0 + kb, a21, m, kb);
        }
        return new BlockedCholesky(n, a, diagInverse, minPivot);
    }

    /// <summary>
    /// A22 −= L21·L21ᵀ on the lower triangle of the trailing m × m block at (t, t), in column chunks of
    /// <see cref="UpdateChunk"/>: SYRK on each diagonal chunk (it mirrors only that small square) and one GEMM for the
    /// rectangle below it, so no full-size transpose is written per step and the entries above the diagonal are left
    /// alone (they are never read).
    /// </summary>
    private static void TrailingUpdate(double[] a, int n, int t, double[] l21, int m, int kb)
    {
        for (int c0 = 0; c0 < m; c0 += UpdateChunk)
        {
            int w = Math.Min(UpdateChunk, m - c0);
            Blas.Syrk(w, kb, -1.0, l21.AsSpan(c0 * kb), kb, 1.0, a.AsSpan((t + c0) * n + t + c0), n);
            int below = m - c0 - w;
            if (below > 0)
                Blas.Gemm(Transpose.No, Transpose.Yes, below, w, kb, -1.0, l21.AsSpan((c0 + w) * kb), kb, l21.AsSpan(c0 * kb, w * kb), kb,
                    1.0, a.AsSpan((t + c0 + w) * n + t + c0), n);
        }
    }

    /// <summary>Width of the column chunks of the trailing update.</summary>
    private const int UpdateChunk = 4 * BlockSize;

    /// <summary>Solves A X = B for B row-major n × columns (B is not modified); returns X row-major.</summary>
    public double[] Solve(double[] b, int columns)
    {
        var x = (double[])b.Clone();
        ForwardInPlace(x, columns);
        BackwardInPlace(x, columns);
        return x;
    }

    /// <summary>
    /// The diagonal of A^{-1} = L^{-T}·L^{-1}: entry i is the squared norm of column i of W = L^{-1}. W is found by
    /// solving L·Z = I one block of columns at a time: the rows of Z above the block are zero, so each block costs a
    /// triangular solve over the rows below it (n³/3 flops in all, as for an in-place triangular inversion) while only
    /// one n × <see cref="BlockSize"/> buffer is ever held, instead of a second n × n matrix.
    /// </summary>
    public double[] InverseDiagonal()
    {
        int n = N, blocks = _diagInverse.Length;
        var diag = new double[n];
        var z = new double[n * BlockSize];
        for (int jb = 0; jb < blocks; jb++)
        {
            int j0 = jb * BlockSize, w = Math.Min(BlockSize, n - j0), rows = n - j0;
            // Rows j0.. of the identity's columns j0..j0+w, stored rows × w with leading dimension w.
            Array.Clear(z, 0, rows * w);
            for (int i = 0; i < w; i++) z[i * w + i] = 1.0;
            ForwardRows(z, w, jb);
            for (int i = 0; i < rows; i++)
                for (int c = 0; c < w; c++)
                {
                    double v = z[i * w + c];
                    diag[j0 + c] += v * v;
                }
        }
        return diag;
    }

    /// <summary>L Y = X in place, for X n × columns.</summary>
    private void ForwardInPlace(double[] x, int columns) => ForwardRows(x, columns, 0);

    /// <summary>
    /// Forward substitution restricted to rows from block <paramref name="firstBlock"/> on: x holds rows
    /// firstBlock·BlockSize .. n − 1 (rows × columns, leading dimension columns), and rows above are taken as zero.
    /// Right-looking: solve a block row with its inverted diagonal block, then subtract its contribution from all
    /// rows below in one GEMM.
    /// </summary>
    private void ForwardRows(double[] x, int columns, int firstBlock)
    {
        int n = N, origin = firstBlock * BlockSize;
        var tmp = new double[BlockSize * columns];
        for (int b = firstBlock; b < _diagInverse.Length; b++)
        {
            int k0 = b * BlockSize, kb = Math.Min(BlockSize, n - k0), r0 = k0 - origin;
            var xb = x.AsSpan(r0 * columns, kb * columns);
            xb.CopyTo(tmp);
            Blas.Gemm(Transpose.No, Transpose.No, kb, columns, kb, 1.0, _diagInverse[b], kb, tmp, columns, 0.0, xb, columns);
            int m = n - k0 - kb;
            if (m == 0) continue;
            Blas.Gemm(Transpose.No, Transpose.No, m, columns, kb, -1.0, _l.AsSpan((k0 + kb) * n + k0), n,
                x.AsSpan(r0 * columns, kb * columns), columns, 1.0, x.AsSpan((r0 + kb) * columns), columns);
        }
    }

    /// <summary>Lᵀ X = Y in place, for Y n × columns: left-looking from the last block row up.</summary>
    private void BackwardInPlace(double[] x, int columns)
    {
        int n = N;
        var tmp = new double[BlockSize * columns];
        for (int b = _diagInverse.Length - 1; b >= 0; b--)
        {
            int k0 = b * BlockSize, kb = Math.Min(BlockSize, n - k0), m = n - k0 - kb;
            var xb = x.AsSpan(k0 * columns, kb * columns);
            if (m > 0)
                Blas.Gemm(Transpose.Yes, Transpose.No, kb, columns, m, -1.0, _l.AsSpan((k0 + kb) * n + k0), n,
                    x.AsSpan((k0 + kb) * columns), columns, 1.0, xb, columns);
            xb.CopyTo(tmp);
            Blas.Gemm(Transpose.Yes, Transpose.No, kb, columns, kb, 1.0, _diagInverse[b], kb, tmp, columns, 0.0, xb, columns);
        }
    }

    /// <summary>Unblocked Cholesky of the kb × kb diagonal block at (k0, k0), in place; returns the smallest pivot L_ii².</summary>
    private static double FactorDiagonal(double[] a, int n, int k0, int kb)
    {
        double minPivot = double.PositiveInfinity;
        for (int j = 0; j < kb; j++)
        {
            var rowJ = a.AsSpan((k0 + j) * n + k0, j);
            double d = a[(k0 + j) * n + k0 + j] - Dot(rowJ, rowJ);
            if (!(d > 0) || !double.IsFinite(d)) return d;
            minPivot = Math.Min(minPivot, d);
            double ljj = Math.Sqrt(d);
            a[(k0 + j) * n + k0 + j] = ljj;
            for (int i = j + 1; i < kb; i++)
            {
                int row = (k0 + i) * n + k0;
                a[row + j] = (a[row + j] - Dot(a.AsSpan(row, j), rowJ)) / ljj;
            }
        }
        return minPivot;
    }

    /// <summary>The inverse of the lower-triangular kb × kb block at (k0, k0), as a dense kb × kb row-major array.</summary>
    private static double[] InvertLower(double[] a, int n, int k0, int kb)
    {
        var inv = new double[kb * kb];
        // Column c of the inverse: forward substitution of e_c; entries above row c are zero.
        for (int c = 0; c < kb; c++)
        {
            inv[c * kb + c] = 1.0 / a[(k0 + c) * n + k0 + c];
            for (int i = c + 1; i < kb; i++)
            {
                int row = (k0 + i) * n + k0;
                double s = 0;
                for (int p = c; p < i; p++) s += a[row + p] * inv[p * kb + c];
                inv[i * kb + c] = -s / a[row + i];
            }
        }
        return inv;
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && x.Length >= System.Numerics.Vector<double>.Count)
        {
            var acc = System.Numerics.Vector<double>.Zero;
            int w = System.Numerics.Vector<double>.Count;
            for (; i <= x.Length - w; i += w)
                acc += new System.Numerics.Vector<double>(x.Slice(i, w)) * new System.Numerics.Vector<double>(y.Slice(i, w));
            s = System.Numerics.Vector.Sum(acc);
        }
        for (; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
