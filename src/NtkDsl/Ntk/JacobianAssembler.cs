using System.Numerics;

namespace NtkDsl.Kernels;

/// <summary>Writes the explicit Jacobian N × K × P from per-layer features with General (or output) deltas.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class JacobianAssembler
{
    /// <summary>
    /// J[r, c, p] = ∂f_c(x_r)/∂θ_p in <c>GetParameters()</c> order: per layer the weights (out × in, row-major), then
    /// the biases. <paramref name="weightOffsets"/> and <paramref name="biasOffsets"/> give each layer's offsets.
    /// </summary>
    public static Tensor Build<T>(NtkFeatures<T> f, int parameterCount, int[] weightOffsets, int[] biasOffsets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        int rows = f.Rows, k = f.Outputs;
        long size = (long)rows * k * parameterCount;
        if (size > Array.MaxLength)
            throw new InvalidOperationException($"The Jacobian would hold {rows} × {k} × {parameterCount} = {size} values, more than one array can; use Ntk/Jvp/Vjp, which never build it, or fewer rows.");
        NtkAssembler.CheckFeatures(f, "Jacobian", "x");
        var dtype = ScalarType.Of<T>();
        var j = Tensor.Zeros(dtype, rows, k, parameterCount);
        if (dtype == DType.Float64) Fill(f, parameterCount, weightOffsets, biasOffsets, j.F64);
        else Fill(f, parameterCount, weightOffsets, biasOffsets, j.F32);
        // Products δ·â of finite features can still overflow (and float32 sooner): rows are examples, columns (output, parameter).
        if (dtype == DType.Float64) FiniteChecks.Block<double>(j.F64, k * parameterCount, "Jacobian ∂f/∂θ");
        else FiniteChecks.Block<float>(j.F32, k * parameterCount, "Jacobian ∂f/∂θ (Float32)");
        return j;
    }

    private static double Delta<T>(LayerFeatures<T> L, int r, int k, int c, int i) where T : unmanaged, IFloatingPointIeee754<T> => L.Form switch
    {
        DeltaForm.Unit => i == c ? 1.0 : 0.0,
        DeltaForm.Diagonal => i == c ? double.CreateTruncating(L.Deltas[r * k + c]) : 0.0,
        DeltaForm.General => double.CreateTruncating(L.Deltas[(r * k + c) * L.Width + i]),
        _ => throw new InvalidOperationException("The Jacobian needs General deltas."),
    };

    /// <summary>Row (r, c) of J: per layer the block δ_ci·â_q (one scaled copy of the inputs per unit), then cB·δ_ci.</summary>
    private static void Fill<T, TOut>(NtkFeatures<T> f, int parameterCount, int[] weightOffsets, int[] biasOffsets, TOut[] j)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        int rows = f.Rows, k = f.Outputs;
        for (int l = 0; l < f.Layers.Length; l++)
        {
            var L = f.Layers[l];
            int m = L.InputWidth, n = L.Width;
            for (int r = 0; r < rows; r++)
            {
                var input = new ReadOnlySpan<T>(L.Inputs, r * m, m);
                for (int c = 0; c < k; c++)
                {
                    long rowBase = ((long)r * k + c) * parameterCount;
                    for (int i = 0; i < n; i++)
                    {
                        double d = Delta(L, r, k, c, i);
                        if (d == 0) continue;
                        var dst = j.AsSpan((int)(rowBase + weightOffsets[l] + (long)i * m), m);
                        TOut dt = TOut.CreateTruncating(d);
                        for (int q = 0; q < m; q++) dst[q] = dt * TOut.CreateTruncating(input[q]);
                        if (L.HasBias) j[rowBase + biasOffsets[l] + i] = TOut.CreateTruncating(d * L.BiasScale);
                    }
                }
            }
        }
    }
}
