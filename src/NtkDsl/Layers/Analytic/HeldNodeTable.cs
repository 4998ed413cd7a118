namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The bookkeeping of the pixel-pair recursion's held tensors (the outputs a later Add still reads), shared by the CPU's
/// <see cref="PixelPairRecursion"/> and the device's twin in NtkDsl.Cuda: the covariance and NTK matrices between held
/// node i and node j sit at <c>mats[i·cap + j]</c>; releasing node j moves the last node into its slot (the row, the column
/// and the diagonal entry), so the live nodes stay 0 … count − 2. Used by the device package.
/// Infrastructure for generated code; not part of the supported API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class HeldNodeTable
{
    /// <summary>
    /// Moves the last node (count − 1) into slot <paramref name="j"/> of the cap × cap table
    /// <paramref name="mats"/> (nothing when j is last). The buffers are swapped, not copied, so none is lost.
    /// </summary>
    /// <typeparam name="T">The matrix handle (a host array or a device buffer).</typeparam>
    public static void MoveLastInto<T>(T[] mats, int cap, int count, int j)
    {
        ArgumentNullException.ThrowIfNull(mats);
        int last = count - 1;
        if ((uint)j >= (uint)count || count > cap || mats.Length < cap * cap)
            throw new ArgumentOutOfRangeException(nameof(j), $"node {j} of {count} held (capacity {cap}, table {mats.Length}).");
        if (j == last) return;
        for (int i = 0; i < count; i++)
        {
            if (i == j) continue;
            if (i == last)
            {
                (mats[j * cap + j], mats[last * cap + last]) = (mats[last * cap + last], mats[j * cap + j]);
                continue;
            }
            (mats[j * cap + i], mats[last * cap + i]) = (mats[last * cap + i], mats[j * cap + i]);
            (mats[i * cap + j], mats[i * cap + last]) = (mats[i * cap + last], mats[i * cap + j]);
        }
    }
}
