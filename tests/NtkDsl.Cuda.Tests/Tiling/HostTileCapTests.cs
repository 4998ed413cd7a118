using NtkDsl.Cuda.Tiling;

namespace NtkDsl.Cuda.Tests.Tiling;

/// <summary>
/// <see cref="RowTiledAssembly.CapHostTileRows"/>, used by the Dense and the spatial device NTK assembly for the host copy
/// of a tile: the rows are the largest count whose tile stays within 2²⁷ values, at least 1, never more than asked.
/// Expected values are the definition evaluated by hand.
/// </summary>
public sealed class HostTileCapTests
{
    [Theory]
    [InlineData(100, 1000L, 100)]                 // 100 000 values: fits, unchanged
    [InlineData(1_000_000, 1L << 20, 128)]        // 2²⁷ / 2²⁰ = 128 rows
    [InlineData(1_000_000, 3_000_000L, 44)]       // ⌊134 217 728 / 3 000 000⌋ = 44
    [InlineData(7, 1L << 27, 1)]                  // one row is exactly the cap
    [InlineData(7, (1L << 27) + 1, 1)]            // one row exceeds the cap: still one row (the device side reports memory)
    [InlineData(1, 5L, 1)]
    public void TheTileIsTheLargestWithinTheCap(int rows, long elementsPerRow, int expected)
    {
        Assert.Equal(expected, RowTiledAssembly.CapHostTileRows(rows, elementsPerRow));
        Assert.Equal(1L << 27, RowTiledAssembly.MaxHostTileElements);
    }

    [Fact]
    public void ZeroElementsPerRowIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RowTiledAssembly.CapHostTileRows(10, 0));
}
