namespace NtkDsl.Tests.Tensors;

/// <summary>
/// The Tensor indexers read exactly the element they name and reject any index outside its own dimension: before, only
/// the rank was checked, so x[0, 5] on an 8 × 3 matrix silently returned x[1, 2] (the flat offset wrapped into the next
/// row) — a wrong number that looked right. Expected values come from a row-major array filled in the test.
/// </summary>
public sealed class TensorIndexerTests
{
    private static Tensor Sequence(params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(v => (double)v).ToArray(), shape);
    }

    [Fact]
    public void EveryIndexerReadsTheNamedElement()
    {
        var m = Sequence(8, 3);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(i * 3 + j, m[i, j]);
        var t3 = Sequence(2, 3, 4);
        Assert.Equal((1 * 3 + 2) * 4 + 3, t3[1, 2, 3]);
        var t4 = Sequence(2, 3, 4, 5);
        Assert.Equal(((1 * 3 + 2) * 4 + 3) * 5 + 4, t4[1, 2, 3, 4]);
        var f32 = Sequence(8, 3).To(DType.Float32);
        Assert.Equal(7 * 3 + 2, f32[7, 2]);
    }

    [Theory]
    [InlineData(0, 3)]   // would have read element (1, 0)
    [InlineData(0, 5)]   // would have read element (1, 2)
    [InlineData(1, -1)]  // would have read element (0, 2)
    [InlineData(8, 0)]   // row past the end
    [InlineData(-1, 0)]
    public void AMatrixIndexOutsideItsDimensionThrowsInsteadOfWrapping(int i, int j)
    {
        var m = Sequence(8, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m[i, j]);
        Assert.Contains("[8, 3]", e.Message);
        Assert.Contains("never wrap", e.Message);
    }

    [Fact]
    public void HigherRankIndexersCheckEveryAxis()
    {
        var t3 = Sequence(2, 3, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => t3[0, 0, 4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t3[0, 3, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t3[2, 0, 0]);
        var t4 = Sequence(2, 3, 4, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => t4[0, 0, 0, 5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t4[0, 0, -1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t4[0, 3, 0, 0]);
    }

    [Fact]
    public void AModelOutputIndexedByAColumnItDoesNotHaveThrows()
    {
        // The new user's case: a one-output model's Forward is N × 1; f[0, 1] used to return f[1, 0].
        var f = Sequence(4, 1);
        Assert.Equal(1.0, f[1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => f[0, 1]);
    }

    [Fact]
    public void FlatIndicesAreCheckedAgainstTheElementCount()
    {
        var m = Sequence(2, 3);
        Assert.Equal(5.0, m.GetFlat(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetFlat(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetFlat(-1));
    }

    [Fact]
    public void TheWrongRankIsStillItsOwnError()
    {
        var m = Sequence(2, 3);
        Assert.Throws<InvalidOperationException>(() => m[0, 0, 0]);
    }

    /// <summary>New-user trial item 5: a vector (Diagonal-mode NTK, Vjp, a one-output mean) reads with t[i]; before, CS1501.</summary>
    [Fact]
    public void AVectorReadsWithOneIndex()
    {
        var v = Sequence(5);
        for (int i = 0; i < 5; i++) Assert.Equal(i, v[i]);
        Assert.Equal(3.0, v.To(DType.Float32)[3]);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => v[5]);
        Assert.Contains("valid: 0 to 4", outside.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => v[-1]);
        var matrix = Assert.Throws<InvalidOperationException>(() => Sequence(2, 3)[1]);
        Assert.Contains("rank 2", matrix.Message, StringComparison.Ordinal);
        Assert.Contains("t[i, j]", matrix.Message, StringComparison.Ordinal);
        Assert.Contains("GetFlat", matrix.Message, StringComparison.Ordinal);
        // A Diagonal-mode NTK is a vector: its entries are the diagonal of the Trace-mode kernel.
        var model = new NtkDsl.Tests.Models.ReluNtk(1);
        var x = Tensor.FromArray(new double[,] { { 0.3, -1.2, 0.5 }, { 1.0, 0.1, -0.4 }, { -0.7, 0.2, 0.9 } });
        var diag = model.Ntk(x, mode: NtkMode.Diagonal);
        var full = model.Ntk(x);
        for (int i = 0; i < 3; i++) Assert.Equal(full[i, i], diag[i], 12);
    }
}
