using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// The GEMM's row-scale epilogue (<see cref="BlasEntry{T}.GemmRowScaled"/>: C = (α·op(A)·op(B)) ⊙ S[i / d, j]) against
/// two independent references: the float64 triple loop times S (with the triple loop's error bound plus one rounding),
/// and — bit for bit — the plain GEMM followed by a separate elementwise multiply, which is what the epilogue replaces.
/// Shapes cover the direct loop, ragged micro-tiles, more than one Kc slice (192 / 384), more than one Nc block (2048),
/// m = 1, padded leading dimensions, divisors 1, 3 and 10, float32 and float64, every kernel, one thread and all.
/// </summary>
public sealed class GemmRowScaleTests
{
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (5, 3, 4), (1, 33, 65), (7, 17, 9), (37, 29, 41), (131, 97, 70), (6, 16, 400), (150, 20, 260),
        (65, 33, 400), (12, 2100, 5),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void Float64EqualsGemmThenMultiplyAndTheTripleLoop(int div) => AllShapes<double>(div);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void Float32EqualsGemmThenMultiplyAndTheTripleLoop(int div) => AllShapes<float>(div);

    private static void AllShapes<T>(int div) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 11;
        foreach (var (m, n, k) in Shapes)
            foreach (var kind in BlasTests.Kernels)
                foreach (var (ta, tb) in new[] { (Transpose.No, Transpose.No), (Transpose.No, Transpose.Yes), (Transpose.Yes, Transpose.No) })
                {
                    seed++;
                    var g = new GemmCase<T>(m, n, k, ta, tb, padA: seed % 3, padB: seed % 2, padC: seed % 4, seed);
                    int threads = seed % 2 == 0 ? 1 : int.MaxValue;
                    int ldS = n + seed % 3;
                    var s = Scale<T>((m + div - 1) / div, ldS, seed);
                    const double alpha = 0.75;

                    var fused = g.NaNC();
                    BlasEntry<T>.GemmRowScaled(kind, ta, tb, m, n, k, T.CreateChecked(alpha), g.A, g.Lda, g.B, g.Ldb, fused, g.Ldc, s, ldS, div, threads);

                    var separate = g.NaNC();
                    BlasEntry<T>.Gemm(kind, ta, tb, m, n, k, T.CreateChecked(alpha), g.A, g.Lda, g.B, g.Ldb, T.Zero, separate, g.Ldc, threads);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) separate[i * g.Ldc + j] *= s[i / div * ldS + j];

                    string what = $"m={m} n={n} k={k} {ta}/{tb} d={div} {kind} threads={threads}";
                    for (int i = 0; i < fused.Length; i++)
                        Assert.True(fused[i].Equals(separate[i]), $"element {i}: fused {fused[i]} vs separate {separate[i]} ({what})");
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double si = double.CreateChecked(s[i / div * ldS + j]);
                            double expected = g.Expected(i, j, alpha, 0.0, g.C0, out double bound) * si;
                            double actual = double.CreateChecked(fused[i * g.Ldc + j]);
                            double tol = Math.Abs(si) * bound + 2 * GemmCase<T>.UnitRoundoff * Math.Abs(expected) + double.Epsilon;
                            Assert.True(Math.Abs(actual - expected) <= tol, $"C[{i},{j}] = {actual:R}, expected {expected:R} ± {tol:E2} ({what})");
                        }
                    // Padding columns of C keep their values.
                    for (int i = 0; i < fused.Length; i++)
                        if (i % g.Ldc >= n) Assert.Equal(double.CreateChecked(g.C0[i]), double.CreateChecked(fused[i]));
                }
    }

    [Fact]
    public void AlphaZeroOrEmptyInnerDimensionGivesZerosAndNeverReadsAOrB()
    {
        var a = Enumerable.Repeat(double.NaN, 20 * 30).ToArray();
        var b = Enumerable.Repeat(double.NaN, 30 * 40).ToArray();
        var s = Scale<double>(10, 40, 3);
        var c = Enumerable.Repeat(double.NaN, 20 * 40).ToArray();
        BlasEntry<double>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, 20, 40, 30, 0.0, a, 30, b, 40, c, 40, s, 40, 2, int.MaxValue);
        Assert.All(c, v => Assert.Equal(0.0, v));
        // k = 0: the same (an empty sum is zero), through the same path.
        var c0 = Enumerable.Repeat(double.NaN, 20 * 40).ToArray();
        BlasEntry<double>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, 20, 40, 0, 1.0, [], 1, [], 40, c0, 40, s, 40, 2, int.MaxValue);
        Assert.All(c0, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void BadArgumentsNameTheOperand()
    {
        var a = new double[4 * 5];
        var b = new double[5 * 6];
        var c = new double[4 * 6];
        var e = Assert.Throws<ArgumentException>(() =>
            BlasEntry<double>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, 4, 6, 5, 1.0, a, 5, b, 6, c, 6, new double[2 * 6 - 1], 6, 2, 1));
        Assert.Contains("Operand S", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            BlasEntry<double>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, 4, 6, 5, 1.0, a, 5, b, 6, c, 6, new double[100], 5, 2, 1));
        Assert.Contains("ldScale must be ≥ 6", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BlasEntry<double>.GemmRowScaled(GemmKernels.Best, Transpose.No, Transpose.No, 4, 6, 5, 1.0, a, 5, b, 6, c, 6, new double[100], 6, 0, 1));
    }

    private static T[] Scale<T>(int rows, int ld, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var s = new T[Math.Max(0, rows * ld)];
        // Mixed magnitudes and exact zeros, as a φ' mask has.
        for (int i = 0; i < s.Length; i++) s[i] = i % 5 == 0 ? T.Zero : T.CreateChecked(rng.NextDouble() * 4 - 2);
        return s;
    }
}
