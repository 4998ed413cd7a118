namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The hash of an input row's bits that the infinite-width kernels of the CPU (<see cref="SpatialKernelRecursion"/>) and
/// of the device package use to find pairs of bitwise-equal inputs (the exact-diagonal rule: such a pair takes the
/// example's trace value); a match is then confirmed element by element. Used by the device package.
/// Infrastructure for generated code; not part of the supported API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class ExactRowHash
{
    /// <summary>The hash of the 64-bit patterns of <paramref name="row"/>'s values, in order.</summary>
    public static int Of(ReadOnlySpan<double> row)
    {
        var hc = new HashCode();
        foreach (double v in row) hc.Add(BitConverter.DoubleToInt64Bits(v));
        return hc.ToHashCode();
    }
}
