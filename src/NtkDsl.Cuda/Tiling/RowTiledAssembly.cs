using System.Globalization;
using System.Runtime.CompilerServices;
using NtkDsl.Cuda.Memory;
using NtkDsl.IO;

namespace NtkDsl.Cuda.Tiling;

/// <summary>Computes rows [<paramref name="rowStart"/>, rowStart + rowCount) of a result into <paramref name="tile"/> (rowCount × columns, row-major, leading dimension = columns).</summary>
public delegate void RowTileCompute<T>(int rowStart, int rowCount, DeviceMemory<T> tile) where T : unmanaged;

/// <summary>
/// Results larger than device memory (an N1 × N2 kernel at N in the tens of thousands) computed in row tiles: one
/// device tile buffer is reused, each tile is computed on the device and copied to host memory or appended to an
/// .npy file (<see cref="NpyStreamWriter"/>) before the next starts. <c>ChooseTileRows</c> sizes tiles from the
/// free device memory.
/// </summary>
public static class RowTiledAssembly
{
    /// <summary>Elements of one host copy of an NTK tile at most (2²⁷ doubles = 1 GiB; a .NET array holds at most ~2³¹).</summary>
    public const long MaxHostTileElements = 1L << 27;

    /// <summary>
    /// <paramref name="tileRows"/> reduced so that one tile of <paramref name="elementsPerRow"/> elements per row stays
    /// within <see cref="MaxHostTileElements"/> (at least 1 row): an explicit <c>CudaKernelOptions.TileRows</c> too large
    /// for one host array gives smaller tiles, never an "array dimensions exceeded" failure. Every tile size gives the same
    /// result.
    /// </summary>
    public static int CapHostTileRows(int tileRows, long elementsPerRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elementsPerRow);
        return (int)Math.Max(1, Math.Min(tileRows, MaxHostTileElements / elementsPerRow));
    }

    /// <summary>
    /// The largest row count whose tile (rows × <paramref name="columns"/> elements of <paramref name="elementBytes"/>)
    /// plus <paramref name="perRowWorkspaceBytes"/> per row fits in <paramref name="budgetBytes"/>, capped at
    /// <paramref name="rows"/>.
    /// </summary>
    /// <exception cref="CudaOutOfMemoryException">Not even one row fits.</exception>
    public static int ChooseTileRows(int rows, int columns, int elementBytes, long perRowWorkspaceBytes, ulong budgetBytes, ulong totalBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ulong perRow = checked((ulong)columns * (ulong)elementBytes + (ulong)Math.Max(0, perRowWorkspaceBytes));
        if (rows == 0) return 0;
        if (perRow == 0) return rows;
        ulong fit = budgetBytes / perRow;
        if (fit == 0) throw new CudaOutOfMemoryException("one row tile", perRow, budgetBytes, totalBytes == 0 ? budgetBytes : totalBytes, 0);
        return (int)Math.Min((ulong)rows, fit);
    }

    /// <summary>
    /// Tile rows that use at most <paramref name="fractionOfFree"/> of the device's currently free memory (after its pool
    /// is emptied).
    /// </summary>
    public static int ChooseTileRows(CudaDevice device, int rows, int columns, int elementBytes, long perRowWorkspaceBytes, double fractionOfFree = 0.8)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!(fractionOfFree > 0 && fractionOfFree <= 1)) throw new ArgumentOutOfRangeException(nameof(fractionOfFree), "Use a fraction in (0, 1].");
        device.Allocator.ReleaseCache();
        var (free, total) = device.MemoryInfo();
        return ChooseTileRows(rows, columns, elementBytes, perRowWorkspaceBytes, (ulong)(free * fractionOfFree), total);
    }

    /// <summary>Computes all <paramref name="rows"/> × <paramref name="columns"/> values tile by tile into <paramref name="destination"/> (row-major).</summary>
    public static void ToHost<T>(CudaDevice device, int rows, int columns, int tileRows, RowTileCompute<T> compute, Span<T> destination) where T : unmanaged
    {
        Validate(device, rows, columns, tileRows, compute);
        if ((long)rows * columns != destination.Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The destination has {destination.Length} elements; {rows} × {columns} = {(long)rows * columns} are computed."), nameof(destination));
        if (rows == 0 || columns == 0) return;
        using var tile = device.Allocate<T>((long)Math.Min(tileRows, rows) * columns);
        for (int r0 = 0; r0 < rows; r0 += tileRows)
        {
            int count = Math.Min(tileRows, rows - r0);
            var view = tile.Slice(0, (long)count * columns);
            compute(r0, count, view);
            view.CopyTo(destination.Slice(checked(r0 * columns), count * columns));
        }
    }

    /// <summary>Computes all rows tile by tile and appends them to <paramref name="writer"/> (its shape must be rows × columns); completes the file.</summary>
    public static void ToNpy<T>(CudaDevice device, int rows, int columns, int tileRows, RowTileCompute<T> compute, NpyStreamWriter writer) where T : unmanaged
    {
        Validate(device, rows, columns, tileRows, compute);
        ArgumentNullException.ThrowIfNull(writer);
        if (writer.ElementCount != (long)rows * columns || writer.ElementsWritten != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The writer expects {writer.ElementCount} elements ({writer.ElementsWritten} written); {rows} × {columns} are computed."), nameof(writer));
        if (rows > 0 && columns > 0)
        {
            using var tile = device.Allocate<T>((long)Math.Min(tileRows, rows) * columns);
            var host = new T[(long)Math.Min(tileRows, rows) * columns];
            for (int r0 = 0; r0 < rows; r0 += tileRows)
            {
                int count = Math.Min(tileRows, rows - r0);
                var view = tile.Slice(0, (long)count * columns);
                compute(r0, count, view);
                var part = host.AsSpan(0, count * columns);
                view.CopyTo(part);
                if (typeof(T) == typeof(double)) writer.WriteRows(Unsafe.As<T[], double[]>(ref host).AsSpan(0, part.Length));
                else if (typeof(T) == typeof(float)) writer.WriteRows(Unsafe.As<T[], float[]>(ref host).AsSpan(0, part.Length));
                else throw new NotSupportedException(".npy streaming writes double or float tiles.");
            }
        }
        writer.Complete();
    }

    private static void Validate<T>(CudaDevice device, int rows, int columns, int tileRows, RowTileCompute<T> compute) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(compute);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileRows, 1);
    }
}
