using NtkDsl.Layers.Analytic;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>
/// <see cref="HeldNodeTable.MoveLastInto{T}"/> (shared by the CPU and device pixel-pair recursions) against the definition
/// written out here: after releasing node j of count, the live nodes are the old ones without j, with the old last node
/// renamed j; entry (a, b) must hold the old entry of the nodes those slots name, and no buffer is lost or duplicated.
/// </summary>
public sealed class HeldNodeTableTests
{
    [Theory]
    [InlineData(1, 0, 4)]
    [InlineData(2, 0, 4)]
    [InlineData(2, 1, 4)]
    [InlineData(3, 0, 3)]
    [InlineData(4, 1, 5)]
    [InlineData(4, 2, 4)]
    [InlineData(5, 4, 5)]
    [InlineData(5, 0, 6)]
    public void ReleasingANodeKeepsEveryOtherPairAndLosesNoBuffer(int count, int j, int cap)
    {
        var mats = new string[cap * cap];
        for (int a = 0; a < cap; a++)
            for (int b = 0; b < cap; b++)
                mats[a * cap + b] = $"{a},{b}";
        var before = (string[])mats.Clone();
        HeldNodeTable.MoveLastInto(mats, cap, count, j);
        int last = count - 1;
        int Old(int slot) => slot == j ? last : slot; // the node a slot names after the release
        for (int a = 0; a < count - 1; a++)
            for (int b = 0; b < count - 1; b++)
                Assert.Equal($"{Old(a)},{Old(b)}", mats[a * cap + b]);
        // A permutation of the buffers: nothing dropped, nothing duplicated.
        Assert.Equal(before.OrderBy(s => s, StringComparer.Ordinal), mats.OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void ANodeOutsideTheLiveOnesIsRefused()
    {
        var mats = new int[9];
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldNodeTable.MoveLastInto(mats, 3, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldNodeTable.MoveLastInto(mats, 3, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldNodeTable.MoveLastInto(new int[4], 3, 2, 0));
    }
}
