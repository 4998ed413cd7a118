using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>Bad GEMM/SYRK arguments raise <see cref="ArgumentException"/> whose message names the problem and the fix.</summary>
public sealed class BlasArgumentTests
{
    private static readonly double[] Six = new double[6];

    [Theory]
    [InlineData(-1, 2, 2, "m = -1 is negative")]
    [InlineData(2, -3, 2, "n = -3 is negative")]
    [InlineData(2, 2, -4, "k = -4 is negative")]
    public void NegativeDimensions(int m, int n, int k, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.No, m, n, k, 1.0, Six, 2, Six, 2, 0.0, new double[6], 2));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("must be ≥ 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeadingDimensionTooSmall()
    {
        // A is 2×3 as stored: lda must be ≥ 3.
        var e = Assert.Throws<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.No, 2, 2, 3, 1.0, Six, 2, Six, 2, 0.0, new double[4], 2));
        Assert.Equal("lda", e.ParamName);
        Assert.Contains("lda must be ≥ 3", e.Message, StringComparison.Ordinal);
        // B used transposed is stored n×k = 2×3: ldb must be ≥ 3.
        e = Assert.Throws<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.Yes, 2, 2, 3, 1.0, Six, 3, Six, 2, 0.0, new double[4], 2));
        Assert.Contains("ldb must be ≥ 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("transB = Yes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.No, 2, 2, 3, 1f, new float[6], 3, new float[6], 2, 0f, new float[4], 1));
        Assert.Contains("ldc must be ≥ 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Blas.Syrk(3, 2, 1.0, Six, 1, 0.0, new double[9], 3));
        Assert.Contains("lda must be ≥ 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpanTooShort()
    {
        // A 3×2 with lda 2 needs 6 elements; C 3×3 with ldc 4 needs (3 − 1)·4 + 3 = 11.
        var e = Assert.Throws<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.No, 3, 3, 2, 1.0, new double[5], 2, Six, 3, 0.0, new double[11], 4));
        Assert.Contains("needs at least 6 elements, but its span has only 5", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() =>
            Blas.Gemm(Transpose.No, Transpose.No, 3, 3, 2, 1.0, Six, 2, Six, 3, 0.0, new double[10], 4));
        Assert.Contains("Operand C", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs at least 11 elements", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Blas.Syrk(3, 3, 1f, new float[9], 3, 0f, new float[8], 3));
        Assert.Contains("needs at least 9 elements, but its span has only 8", e.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => Blas.Syrk(-1, 3, 1.0, Six, 3, 0.0, Six, 3));
    }

    [Fact]
    public void UndefinedTransposeValue()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            Blas.Gemm((Transpose)7, Transpose.No, 1, 1, 1, 1.0, Six, 1, Six, 1, 0.0, new double[1], 1));
        Assert.Contains("transA must be Transpose.No or Transpose.Yes", e.Message, StringComparison.Ordinal);
    }
}
