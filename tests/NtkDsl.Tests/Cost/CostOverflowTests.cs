using NtkDsl.Memory;
using NtkDsl.Tests.IO;
using NtkDsl.Tests.Widthless;

namespace NtkDsl.Tests.Cost;

/// <summary>
/// Cost and memory entry points at sizes whose figures do not fit: one clear message naming the call, the sizes and the
/// largest size that can be costed — never the framework's "Arithmetic operation resulted in an overflow." and never a
/// wrapped (wrong) count. "Largest" is checked by its definition (it is costed, one more is refused) and, where the limit
/// has a closed form, against that form worked out here.
/// </summary>
public sealed class CostOverflowTests
{
    private const string FrameworkText = "Arithmetic operation";

    [Fact]
    public void CostForAWidthTooLargeToLayOutGivesTheLargestWidthThatFits()
    {
        // WidthlessNet (WidthlessModels.cs): 16·d + 16 + 8·16 + 2·8 + 2 = 16·d + 162 parameters, and
        // 16·d + 162 ≤ 2,147,483,647 ⇔ d ≤ 134,217,717 (16 · 134,217,717 + 162 = 2,147,483,634).
        Assert.Equal(16 * 13 + 162, WidthlessNet.InfoFor(13).ParameterCount);
        const int largest = 134_217_717;
        foreach (var call in new Action[] { () => WidthlessNet.CostFor(int.MaxValue), () => WidthlessNet.InfoFor(largest + 1), () => _ = new WidthlessNet(int.MaxValue, 0) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.DoesNotContain(FrameworkText, e.Message, StringComparison.Ordinal);
            Assert.Contains("the largest input width this model can take is 134,217,717", e.Message, StringComparison.Ordinal);
            Assert.Contains("(16 per input feature + 162)", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(2_147_483_634, WidthlessNet.InfoFor(largest).ParameterCount);
    }

    [Fact]
    public void NtkOfTooManyRowsNamesTheLargestCostableBatchForDenseAndSpatialModels()
    {
        foreach (var cost in new[] { TinyCostNet.Cost, CkptCnn.Cost })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => cost.Ntk(int.MaxValue));
            Assert.Equal("n1", e.ParamName);
            Assert.DoesNotContain(FrameworkText, e.Message, StringComparison.Ordinal);
            Assert.StartsWith($"{cost.Model.Name}: the cost of Ntk at n1 = 2,147,483,647 does not fit a 64-bit count", e.Message, StringComparison.Ordinal);
            int largest = LargestIn(e.Message, "the largest n1 that can be costed is ");
            // Largest by definition; and the figures at the limit are not wrapped: the result alone is n²·8 bytes.
            var atLimit = cost.Ntk(largest);
            Assert.True(atLimit.Bytes >= (long)largest * largest * 8, $"{cost.Model.Name}: {atLimit.Bytes} B < the n² result at n = {largest}");
            Assert.Throws<ArgumentOutOfRangeException>(() => cost.Ntk(largest + 1));
            // The n² result alone exceeds long.MaxValue from √(2⁶³ / 8) ≈ 1.07e9 rows on, so the limit lies below it.
            Assert.InRange(largest, 1, 1_073_741_824);
        }
    }

    [Fact]
    public void AnAsymmetricNtkKeepsTheGivenSecondBatchAndNamesTheLargestFirst()
    {
        var cost = TinyCostNet.Cost;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cost.Ntk(int.MaxValue, 1_000_000_000, NtkMode.Full));
        Assert.Contains("the cost of Ntk (Full) at n1 = 2,147,483,647, n2 = 1,000,000,000", e.Message, StringComparison.Ordinal);
        int largest = LargestIn(e.Message, "with n2 = 1,000,000,000 the largest n1 that can be costed is ");
        _ = cost.Ntk(largest, 1_000_000_000, NtkMode.Full);
        Assert.Throws<ArgumentOutOfRangeException>(() => cost.Ntk(largest + 1, 1_000_000_000, NtkMode.Full));
    }

    [Fact]
    public void JacobianBytesLimitIsTheClosedForm()
    {
        // 10⁸ inputs: P = 16·10⁸ + 162; J is n·K·P·8 bytes with K = 2, so the largest n is ⌊(2⁶³ − 1) / (2·P·8)⌋.
        var cost = WidthlessNet.CostFor(100_000_000);
        long p = 16L * 100_000_000 + 162;
        Assert.Equal(p, cost.ParameterCount);
        long expected = long.MaxValue / (2 * p * 8);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cost.JacobianBytes(int.MaxValue));
        Assert.Equal("n", e.ParamName);
        Assert.DoesNotContain(FrameworkText, e.Message, StringComparison.Ordinal);
        Assert.Equal(expected, LargestIn(e.Message, "the largest n that can be costed is "));
        Assert.Equal(expected * 2 * p * 8, cost.JacobianBytes((int)expected));
        var j = Assert.Throws<ArgumentOutOfRangeException>(() => cost.Jacobian(int.MaxValue));
        Assert.Contains("the cost of Jacobian at n = 2,147,483,647", j.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => cost.Summary(int.MaxValue));
    }

    [Fact]
    public void AnalyticNtkOfTooManyRowsIsTheSameClearError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TinyCostNet.Cost.AnalyticNtk(int.MaxValue));
        Assert.DoesNotContain(FrameworkText, e.Message, StringComparison.Ordinal);
        int largest = LargestIn(e.Message, "the largest n1 that can be costed is ");
        _ = TinyCostNet.Cost.AnalyticNtk(largest);
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyCostNet.Cost.AnalyticNtk(largest + 1));
    }

    [Fact]
    public void MemoryChecksReadAnUncostableBatchAsTooLargeToHold()
    {
        // The memory checks are not planning calls: a batch whose working set overflows is "more than 9.2 EB".
        foreach (var check in new Action[]
        {
            () => MemoryBudget.EnsureNtk(TinyCostNet.Cost, int.MaxValue, null, NtkMode.Trace),
            () => MemoryBudget.EnsureAnalytic(CkptCnn.Cost, int.MaxValue, null),
            () => MemoryBudget.EnsureJacobian(WidthlessNet.CostFor(100_000_000), int.MaxValue),
        })
        {
            var e = Assert.Throws<NotEnoughMemoryException>(check);
            Assert.Contains("more than 9.2 EB", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(FrameworkText, e.Message, StringComparison.Ordinal);
        }
    }

    private static int LargestIn(string message, string prefix)
    {
        int at = message.IndexOf(prefix, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{prefix}' not in: {message}");
        string rest = message[(at + prefix.Length)..];
        string digits = new(rest.TakeWhile(ch => char.IsDigit(ch) || ch == ',').ToArray());
        return int.Parse(digits.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
    }
}
