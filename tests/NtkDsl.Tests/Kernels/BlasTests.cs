using System.Numerics;
using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// GEMM against a naive triple loop (see <see cref="GemmCase{T}"/> for the error bound): every transpose pair,
/// sizes 1, 7, 33, 65, 257 and sizes that cross the micro-tile (6/4 rows, 2 vectors of columns), the Mc (144),
/// Kc (192 for float64, 384 for float32) and Nc (2048) blocks, padded leading dimensions, β ∈ {0 with NaN in C, 1, −0.5}, every kernel the
/// CPU supports, one thread and all threads.
/// </summary>
public sealed class BlasTests
{
    public static readonly TheoryData<Transpose, Transpose> Transposes = new()
    {
        { Transpose.No, Transpose.No }, { Transpose.No, Transpose.Yes },
        { Transpose.Yes, Transpose.No }, { Transpose.Yes, Transpose.Yes },
    };

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (7, 7, 7), (1, 33, 65), (33, 1, 7), (33, 65, 7), (65, 33, 257), (6, 16, 400),
        (12, 64, 40), (150, 20, 260), (257, 65, 33), (7, 2100, 5),
    ];

    internal static IEnumerable<GemmKernelKind> Kernels =>
        Enum.GetValues<GemmKernelKind>().Where(GemmKernels.IsSupported);

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Float64MatchesTripleLoopOnEveryShapeAndKernel(Transpose ta, Transpose tb) => AllShapes<double>(ta, tb);

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Float32MatchesTripleLoopOnEveryShapeAndKernel(Transpose ta, Transpose tb) => AllShapes<float>(ta, tb);

    private static void AllShapes<T>(Transpose ta, Transpose tb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 1;
        foreach (var (m, n, k) in Shapes)
            foreach (var kind in Kernels)
            {
                var g = new GemmCase<T>(m, n, k, ta, tb, padA: seed % 3, padB: (seed + 1) % 4, padC: seed % 2 * 5, seed);
                seed++;
                int threads = seed % 2 == 0 ? 1 : int.MaxValue;
                g.Check(c => Run(kind, g, 1.5, -0.5, c, threads), 1.5, -0.5);
            }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void BetaVariantsFloat64(double beta) => BetaVariants<double>(beta);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void BetaVariantsFloat32(double beta) => BetaVariants<float>(beta);

    private static void BetaVariants<T>(double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Small (direct loop), serial blocked, and parallel blocked paths, with ragged edges.
        foreach (var (m, n, k) in new[] { (5, 3, 4), (37, 29, 41), (131, 97, 70) })
            foreach (var kind in Kernels)
            {
                var g = new GemmCase<T>(m, n, k, Transpose.No, Transpose.Yes, 2, 1, 3, m + n);
                T[]? start = beta == 0 ? g.NaNC() : null;
                g.Check(c => Run(kind, g, 0.75, beta, c, int.MaxValue), 0.75, beta, start);
            }
    }

    [Fact]
    public void BetaZeroIgnoresNaNAndInfinityInC()
    {
        var g = new GemmCase<double>(70, 90, 300, Transpose.Yes, Transpose.No, 1, 2, 3, 5);
        var c = g.NaNC();
        c[0] = double.PositiveInfinity;
        g.Check(x => Blas.Gemm(g.TransA, g.TransB, g.M, g.N, g.K, 1.0, g.A, g.Lda, g.B, g.Ldb, 0.0, x, g.Ldc), 1.0, 0.0, c);
    }

    [Fact]
    public void AlphaZeroScalesCAndNeverReadsAOrB()
    {
        var g = new GemmCase<double>(40, 50, 60, Transpose.No, Transpose.No, 0, 0, 2, 9);
        Array.Fill(g.A, double.NaN);
        Array.Fill(g.B, double.NaN);
        var c = (double[])g.C0.Clone();
        Blas.Gemm(Transpose.No, Transpose.No, 40, 50, 60, 0.0, g.A, g.Lda, g.B, g.Ldb, -2.0, c, g.Ldc);
        for (int i = 0; i < c.Length; i++)
            Assert.Equal(i % g.Ldc < 50 ? -2.0 * g.C0[i] : g.C0[i], c[i]);
        var z = g.NaNC();
        Blas.Gemm(Transpose.No, Transpose.No, 40, 50, 60, 0.0, g.A, g.Lda, g.B, g.Ldb, 0.0, z, g.Ldc);
        for (int i = 0; i < z.Length; i++)
            Assert.Equal(i % g.Ldc < 50 ? 0.0 : g.C0[i], z[i]);
    }

    [Fact]
    public void EmptyInnerDimensionGivesBetaTimesC()
    {
        var c = new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 };
        Blas.Gemm(Transpose.No, Transpose.No, 2, 3, 0, 1.0, [], 1, [], 3, 0.5, c, 3);
        Assert.Equal([0.5, 1.0, 1.5, 2.0, 2.5, 3.0], c);
        var d = new[] { double.NaN, double.NaN };
        Blas.Gemm(Transpose.Yes, Transpose.Yes, 1, 2, 0, 1.0, [], 1, [], 1, 0.0, d, 2);
        Assert.Equal([0.0, 0.0], d);
    }

    [Fact]
    public void EmptyOutputLeavesCUntouched()
    {
        var c = new[] { 7.0 };
        Blas.Gemm(Transpose.No, Transpose.No, 0, 1, 3, 1.0, [], 3, [1.0, 2.0, 3.0], 1, 0.0, c, 1);
        Blas.Gemm(Transpose.No, Transpose.No, 1, 0, 3, 1.0, [1.0, 2.0, 3.0], 3, [], 1, 0.0, c, 1);
        Assert.Equal(7.0, c[0]);
    }

    [Fact]
    public void PartitionCoversEveryCellOnce()
    {
        foreach (var (m, n) in new[] { (1000, 1000), (97, 3000), (3000, 50), (257, 257) })
            foreach (bool lower in new[] { false, true })
            {
                var blk = GemmBlocking.For<double>(GemmKernels.Best);
                var tasks = GemmDriver<double>.Partition(m, n, blk, lower ? 16 : 4, lower);
                var hits = new int[m * n];
                foreach (var (r0, r1, c0, c1) in tasks)
                {
                    Assert.True(r0 % blk.Mr == 0 && c0 % blk.Nr == 0, $"task ({r0},{c0}) not tile aligned");
                    for (int i = r0; i < r1; i++)
                        for (int j = c0; j < c1; j++) hits[i * n + j]++;
                }
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                        Assert.True(hits[i * n + j] == (lower && j > i ? hits[i * n + j] : 1) && hits[i * n + j] <= 1,
                            $"cell ({i},{j}) covered {hits[i * n + j]} times (m={m} n={n} lower={lower})");
            }
    }

    [Fact]
    public void LowerBandsCoverTheLowerTriangleOnceWithBalancedAreas()
    {
        var blk = GemmBlocking.For<double>(GemmKernels.Best);
        foreach (int n in new[] { 1, 47, 257, 512, 1000 })
            foreach (int bands in new[] { 1, 2, 3, 4 })
            {
                var tasks = GemmDriver<double>.LowerBands(n, blk, bands);
                var hits = new int[n * n];
                long smallest = long.MaxValue, largest = 0;
                foreach (var (r0, r1, c0, c1) in tasks)
                {
                    Assert.True(r0 % blk.Mr == 0 && c0 == 0 && c1 == r1 && r1 > r0, $"band ({r0},{r1},{c0},{c1}) of n={n}");
                    long area = 0;
                    for (int i = r0; i < r1; i++)
                        for (int j = c0; j <= i; j++)
                        {
                            hits[i * n + j]++;
                            area++;
                        }
                    (smallest, largest) = (Math.Min(smallest, area), Math.Max(largest, area));
                }
                for (int i = 0; i < n; i++)
                    for (int j = 0; j <= i; j++)
                        Assert.True(hits[i * n + j] == 1, $"cell ({i},{j}) covered {hits[i * n + j]} times (n={n}, {bands} bands)");
                if (n >= 512 && tasks.Count > 1)
                    Assert.True(largest <= 1.25 * smallest, $"n={n}, {bands} bands: areas {smallest}..{largest}");
            }
    }

    internal static void Run<T>(GemmKernelKind kind, GemmCase<T> g, double alpha, double beta, T[] c, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
        => BlasEntry<T>.Gemm(kind, g.TransA, g.TransB, g.M, g.N, g.K, T.CreateChecked(alpha), g.A, g.Lda, g.B, g.Ldb,
            T.CreateChecked(beta), c, g.Ldc, threads);
}
