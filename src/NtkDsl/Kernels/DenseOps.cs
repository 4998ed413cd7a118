using System.Globalization;
using System.Numerics;

namespace NtkDsl.Kernels;

/// <summary>
/// The linear-algebra steps of a dense layer that generated code composes (the activation and its derivative are
/// emitted inline by the generator). All matrices are row-major; <c>cW</c> and <c>cB</c> are the layer's weight and
/// bias scales (σ_w/√fan_in and σ_b under the NTK parameterization, 1 and 1 under the standard one).
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class DenseOps<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// h = cW·input·Wᵀ + cB·b for input rows × m, W n × m: returns rows × n. <paramref name="layer"/> ("Model.Layer",
    /// from generated code) names the layer in <see cref="NonFiniteResultException"/>; without it the layer is named by its shape.
    /// </summary>
    public static T[] Affine(ReadOnlySpan<T> input, int rows, int m, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int n, double cW, double cB, string? layer = null)
    {
        var h = GC.AllocateUninitializedArray<T>(rows * n); // β = 0: the GEMM writes every element
        BlasOf<T>.Gemm(Transpose.No, Transpose.Yes, rows, n, m, cW, input, m, w, m, 0.0, h, n);
        if (!b.IsEmpty) AddRowVector(h, rows, n, b, cB);
        Check(h, n, m, n, "pre-activations h = cW·W·a + cB·b (forward pass; a non-finite a means the previous layer's activation overflowed)", layer);
        return h;
    }

    /// <summary>target += scale·input·Wᵀ (input rows × m, W n × m, target rows × n); <paramref name="layer"/> as for <see cref="Affine"/>.</summary>
    public static void AddTimesTransposed(ReadOnlySpan<T> input, int rows, int m, ReadOnlySpan<T> w, int n, double scale, Span<T> target, string? layer = null)
    {
        BlasOf<T>.Gemm(Transpose.No, Transpose.Yes, rows, n, m, scale, input, m, w, m, 1.0, target, n);
        Check(target, n, m, n, "tangent pre-activations ḣ (JVP forward mode)", layer);
    }

    /// <summary>target[r, :] += scale·v for every row r.</summary>
    public static void AddRowVector(Span<T> target, int rows, int n, ReadOnlySpan<T> v, double scale)
    {
        T s = T.CreateChecked(scale);
        for (int r = 0; r < rows; r++)
        {
            var row = target.Slice(r * n, n);
            for (int i = 0; i < n; i++) row[i] += s * v[i];
        }
    }

    /// <summary>x ⊙= y elementwise; <paramref name="layer"/> ("Model.Layer") names the layer whose φ' y is, in <see cref="NonFiniteResultException"/>.</summary>
    public static void MultiplyInPlace(Span<T> x, ReadOnlySpan<T> y, string? layer = null)
    {
        ElementwiseOps<T>.Multiply(x, y, x);
        if (FiniteChecks.IndexOfNonFinite<T>(x) is int bad and >= 0)
            throw new NonFiniteResultException((layer is null ? "" : layer + ": ") + "activation derivative product φ'(h) ⊙ v (JVP / VJP / features), flat index " +
                bad.ToString(CultureInfo.InvariantCulture), -1, -1, double.CreateTruncating(x[bad]));
    }

    /// <summary>
    /// Throws <see cref="NonFiniteResultException"/> naming the layer ("Model.Layer (Dense m → n)", or by its shape alone
    /// when <paramref name="layer"/> is null) and the first bad row.
    /// </summary>
    private static void Check(ReadOnlySpan<T> values, int width, int m, int n, string stage, string? layer)
    {
        int bad = FiniteChecks.IndexOfNonFinite(values);
        if (bad >= 0)
            throw new NonFiniteResultException(Layer(layer, m, n) + ": " + stage, bad / Math.Max(1, width), bad % Math.Max(1, width), double.CreateTruncating(values[bad]));
    }

    private static string Layer(string? layer, int m, int n) =>
        layer is null
            ? string.Create(CultureInfo.InvariantCulture, $"Dense layer {m} → {n}")
            : string.Create(CultureInfo.InvariantCulture, $"{layer} (Dense {m} → {n})");

    /// <summary>Returns a copy of x scaled by s.</summary>
    public static T[] Scaled(ReadOnlySpan<T> x, double s)
    {
        var r = new T[x.Length];
        T ts = T.CreateChecked(s);
        for (int i = 0; i < r.Length; i++) r[i] = ts * x[i];
        return r;
    }

    /// <summary>Weight gradient: grad (n × m) += cW·δᵀ·input for δ rows × n, input rows × m; <paramref name="layer"/> as for <see cref="Affine"/>.</summary>
    public static void AccumulateWeightGradient(ReadOnlySpan<T> delta, int rows, int n, ReadOnlySpan<T> input, int m, double cW, Span<T> grad, string? layer = null)
    {
        BlasOf<T>.Gemm(Transpose.Yes, Transpose.No, n, m, rows, cW, delta, n, input, m, 1.0, grad, m);
        if (FiniteChecks.IndexOfNonFinite<T>(grad) is int bad and >= 0)
            throw new NonFiniteResultException(Layer(layer, m, n) + string.Create(CultureInfo.InvariantCulture,
                $": weight gradient cW·δᵀ·a (VJP / backward pass), unit {bad / Math.Max(1, m)}, input {bad % Math.Max(1, m)}"), -1, -1, double.CreateTruncating(grad[bad]));
    }

    /// <summary>Bias gradient: grad (n) += cB·Σ_r δ[r, :].</summary>
    public static void AccumulateBiasGradient(ReadOnlySpan<T> delta, int rows, int n, double cB, Span<T> grad)
    {
        T s = T.CreateChecked(cB);
        for (int r = 0; r < rows; r++)
        {
            var row = delta.Slice(r * n, n);
            for (int i = 0; i < n; i++) grad[i] += s * row[i];
        }
    }

    /// <summary>Backward through the weights: returns cW·δ·W (rows × m) for δ rows × n, W n × m; <paramref name="layer"/> as for <see cref="Affine"/>.</summary>
    public static T[] BackwardInput(ReadOnlySpan<T> delta, int rows, int n, ReadOnlySpan<T> w, int m, double cW, string? layer = null)
    {
        var g = GC.AllocateUninitializedArray<T>(rows * m); // β = 0: the GEMM writes every element
        BlasOf<T>.Gemm(Transpose.No, Transpose.No, rows, m, n, cW, delta, n, w, m, 0.0, g, m);
        Check(g, m, m, n, "backpropagated input gradient cW·δ·W (VJP / backward pass; the row is the example, the column the layer's input)", layer);
        return g;
    }

    /// <summary>
    /// Per-output deltas of the last hidden layer (width n) below an output layer with K units:
    /// δ[r, c, i] = dphi[r, i]·cW·W[c, i]·g[r, c] (g = 1 when <paramref name="outputDerivative"/> is empty).
    /// Returns rows × K × n.
    /// </summary>
    public static T[] OutputDeltas(int rows, int k, int n, ReadOnlySpan<T> w, double cW, ReadOnlySpan<T> dphi, ReadOnlySpan<T> outputDerivative)
    {
        var d = GC.AllocateUninitializedArray<T>(rows * k * n); // every row of every output is written below
        T s = T.CreateChecked(cW);
        if ((long)rows * k * n < TileRows.ParallelElements)
        {
            OutputDeltaRows(0, rows, k, n, w, s, dphi, outputDerivative, d);
            return d;
        }
        // Spans cannot enter the parallel bands: pin the inputs and hand the bands pointers.
        unsafe
        {
            fixed (T* pw = w, pdp = dphi, pod = outputDerivative)
            {
                nint aw = (nint)pw, adp = (nint)pdp, aod = (nint)pod;
                int lw = w.Length, ldp = dphi.Length, lod = outputDerivative.Length;
                TileRows.For(rows, k * n, (r0, r1) => OutputDeltaRows(r0, r1, k, n, new ReadOnlySpan<T>((T*)aw, lw), s,
                    new ReadOnlySpan<T>((T*)adp, ldp), new ReadOnlySpan<T>((T*)aod, lod), d));
            }
        }
        return d;
    }

    private static void OutputDeltaRows(int r0, int r1, int k, int n, ReadOnlySpan<T> w, T s, ReadOnlySpan<T> dphi, ReadOnlySpan<T> outputDerivative, T[] d)
    {
        for (int r = r0; r < r1; r++)
        {
            var dp = dphi.Slice(r * n, n);
            for (int c = 0; c < k; c++)
            {
                T gc = outputDerivative.IsEmpty ? s : s * outputDerivative[r * k + c];
                var dst = d.AsSpan((r * k + c) * n, n);
                ElementwiseOps<T>.ScaleMultiply(w.Slice(c * n, n), gc, dp, dst); // (W[c, i]·g)·dphi[i], one pass
            }
        }
    }

    /// <summary>
    /// Traced reduction of the last hidden layer's deltas (identity output): r[r, i] = dphi[r, i]·cW·√(Σ_c W[c, i]²), so
    /// ⟨r(x), r(x')⟩ = Σ_c ⟨δ_c(x), δ_c(x')⟩ (math.md §2). Returns rows × n.
    /// </summary>
    public static T[] ReducedOutputDeltas(int rows, int k, int n, ReadOnlySpan<T> w, double cW, ReadOnlySpan<T> dphi)
    {
        var scale = new T[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int c = 0; c < k; c++) { double v = double.CreateChecked(w[c * n + i]); s += v * v; }
            scale[i] = T.CreateChecked(cW * Math.Sqrt(s));
        }
        var d = GC.AllocateUninitializedArray<T>(rows * n);
        for (int r = 0; r < rows; r++)
            ElementwiseOps<T>.Multiply(dphi.Slice(r * n, n), scale, d.AsSpan(r * n, n));
        return d;
    }

    /// <summary>
    /// Backpropagates per-output deltas one layer down: δ[r, c, :] = dphi[r, :] ⊙ (cW·δNext[r, c, :]·W) for δNext
    /// rows × K × nNext and W nNext × n. Returns rows × K × n.
    /// </summary>
    public static T[] BackpropDeltas(ReadOnlySpan<T> deltaNext, int rows, int k, int nNext, ReadOnlySpan<T> w, int n, double cW, ReadOnlySpan<T> dphi)
    {
        var d = GC.AllocateUninitializedArray<T>(rows * k * n); // β = 0: the GEMM writes every element
        BackpropDeltasInto(deltaNext, rows, k, nNext, w, n, cW, dphi, d);
        return d;
    }

    /// <summary>
    /// <see cref="BackpropDeltas"/> written into <paramref name="destination"/> (rows × K × n values, fully overwritten,
    /// never read; it must not overlap <paramref name="deltaNext"/>): the NTK features store each layer's deltas straight
    /// into their feature array, without a temporary of rows·K·n values and a copy per row block.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than rows·K·n.</exception>
    public static void BackpropDeltasInto(ReadOnlySpan<T> deltaNext, int rows, int k, int nNext, ReadOnlySpan<T> w, int n, double cW, ReadOnlySpan<T> dphi,
        Span<T> destination)
    {
        int size = rows * k * n;
        if (destination.Length < size)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The destination of the backpropagated deltas holds {destination.Length} values; rows·K·n = {rows}·{k}·{n} = {size} are needed."), nameof(destination));
        if (dphi.Length < (long)rows * n)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The activation derivatives φ'(h) hold {dphi.Length} values; rows·n = {rows}·{n} = {(long)rows * n} are needed."), nameof(dphi));
        // δ = (cW·δNext·W) ⊙ φ'(h), the product by φ' applied in the GEMM's epilogue (each finished micro-tile multiplied
        // while in L1): bitwise the product followed by a separate pass, without reading and writing the rows·K·n deltas twice.
        BlasEntry<T>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, rows * k, n, nNext, T.CreateTruncating(cW),
            deltaNext, nNext, w, n, destination[..size], n, dphi, n, k, int.MaxValue);
    }

    /// <summary>Copies rows [row0, row0 + rows) of a flat tensor with <paramref name="width"/> columns.</summary>
    public static T[] Rows(ReadOnlySpan<T> data, int row0, int rows, int width) => data.Slice(row0 * width, rows * width).ToArray();
}

/// <summary>Small helpers for generated code that are not tied to a layer.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class FeatureOps
{
    /// <summary>dst[i] = scale·src[i] (float64).</summary>
    public static void ScaleInto(ReadOnlySpan<double> src, double scale, Span<double> dst) => ElementwiseOps<double>.Scale(src, scale, dst[..src.Length]);

    /// <summary>dst[i] = scale·src[i] (float32).</summary>
    public static void ScaleInto(ReadOnlySpan<float> src, double scale, Span<float> dst)
    {
        ElementwiseOps<float>.Scale(src, (float)scale, dst[..src.Length]);
    }

    /// <summary>Checks a flat parameter vector for NaN/∞ and names the first bad index.</summary>
    public static void CheckFiniteParameters(ReadOnlySpan<double> values, string model)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{model}: parameter {i} is {values[i]}; parameters must be finite.", nameof(values));
    }
}
