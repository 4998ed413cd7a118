using System.Numerics;

namespace NtkDsl.Tests.Cost;

/// <summary>The new-user trial's model: 3 → 32 (tanh) → 1.</summary>
[NtkModel(Inputs = 3)]
public partial class CostSumNet
{
    [Dense(32, Activation.Tanh)] public partial DenseLayer Hidden { get; }

    [Dense(1)] public partial DenseLayer Out { get; }
}

/// <summary>
/// Near the largest costable batch the GEMM and the elementwise flops each fit 64 bits while their sum does not: a
/// new-user trial saw <c>Cost.Ntk(356,677,612)</c> print "−9.2 EFLOP" and <c>Cost.Ntk(371,028,661)</c> — the size the
/// error message called the largest that can be costed — "−8.5 EFLOP" (GEMM 9,223,372,027,833,603,210 + elementwise
/// 757,142,807,809,803,986 &gt; 2⁶³ − 1). The total is now checked like its parts; compared here in BigInteger.
/// </summary>
public sealed class CostTotalOverflowTests
{
    [Theory]
    [InlineData(356_677_612)]
    [InlineData(360_000_000)]
    [InlineData(371_028_661)]
    public void ASizeWhoseTotalFlopsOverflowIsRefused(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CostSumNet.Cost.Ntk(n));
        Assert.Contains("does not fit a 64-bit count", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CostSumNet.Cost.Summary(n));
    }

    [Fact]
    public void TheLargestCostableBatchHasAnExactPositiveTotal()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CostSumNet.Cost.Ntk(int.MaxValue));
        const string marker = "the largest n1 that can be costed is ";
        int at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, e.Message);
        string digits = new(e.Message[(at + marker.Length)..].TakeWhile(c => char.IsDigit(c) || c == ',').ToArray());
        int largest = int.Parse(digits.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(largest, 1, 356_677_611); // below the first size whose total wrapped in the trial

        var c = CostSumNet.Cost.Ntk(largest);
        var exact = (BigInteger)c.GemmFlops + c.ElementwiseFlops;
        Assert.True(exact <= long.MaxValue, $"{exact} does not fit");
        Assert.Equal(exact, (BigInteger)c.Flops);
        Assert.True(c.Flops > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => CostSumNet.Cost.Ntk(largest + 1));
    }

    [Fact]
    public void AHandMadeCostWhoseTotalOverflowsThrowsInsteadOfWrapping()
    {
        var c = new OperationCost(long.MaxValue - 5, 10, 0, 0, 0);
        Assert.Throws<OverflowException>(() => c.Flops);
    }
}
