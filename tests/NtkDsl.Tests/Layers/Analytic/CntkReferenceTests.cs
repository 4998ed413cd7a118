using NtkDsl.Layers;
using NtkDsl.Layers.Analytic;
using static NtkDsl.Tests.Layers.Analytic.CntkTestModels;

namespace NtkDsl.Tests.Layers.Analytic;

/// <summary>The analytic CNN kernels against <see cref="CntkReference"/>, a separately structured recursion written in the test.</summary>
public sealed class CntkReferenceTests
{
    public static TheoryData<string> ClosedFormModels => ["mixed-gap", "mixed-flatten", "tall-standard", "tall-ntk"];

    private static (LayerSpec[] Layers, int[] Shape, Parameterization P) Model(string name) => name switch
    {
        "mixed-gap" => (Mixed(), MixedShape, Parameterization.Ntk),
        "mixed-flatten" => (Mixed(flatten: true), MixedShape, Parameterization.Ntk),
        "tall-standard" => (Tall(), TallShape, Parameterization.Standard),
        "tall-ntk" => (Tall(), TallShape, Parameterization.Ntk),
        _ => (Quadrature(), SmallShape, Parameterization.Ntk),
    };

    [Theory]
    [MemberData(nameof(ClosedFormModels))]
    public void ClosedFormModelsMatchTheReference(string name) => Compare(name, 1e-11);

    /// <summary>tanh through the library's DualSeries/AdaptiveDual and the reference's nested Gauss–Legendre (slow: few pairs).</summary>
    [Fact]
    public void QuadratureModelMatchesTheReference()
    {
        var (layers, shape, p) = Model("quadrature");
        var x1 = Images(2, shape, 11);
        var x2 = Images(1, shape, 12);
        int groups = SpatialKernelRecursion.GroupCount(layers, shape, p);
        var gw = Enumerable.Range(0, groups).Select(g => 0.5 + 0.25 * g).ToArray();
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, p, x1, x2, gw, false, null, default);
        var wntk = SpatialKernelRecursion.Kernel(layers, shape, p, x1, x2, gw, true, null, default);
        var reference = new CntkReference(layers, shape, p);
        for (int i = 0; i < 2; i++)
        {
            var (k, t) = reference.Pair(Row(x1, i), Row(x2, 0), gw);
            AssertClose(k, nngp[i, 0], 1e-8, $"tanh NNGP[{i},0]");
            AssertClose(t, wntk[i, 0], 1e-8, $"tanh WNTK[{i},0]");
        }
    }

    private static void Compare(string name, double tolerance)
    {
        var (layers, shape, p) = Model(name);
        var x1 = Images(3, shape, 11);
        var x2 = Images(2, shape, 12);
        int groups = SpatialKernelRecursion.GroupCount(layers, shape, p);
        var rng = new Random(5);
        var gw = Enumerable.Range(0, groups).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        var nngp = SpatialKernelRecursion.Kernel(layers, shape, p, x1, x2, gw, false, null, default);
        var wntk = SpatialKernelRecursion.Kernel(layers, shape, p, x1, x2, gw, true, null, default);
        var ntk = SpatialKernelRecursion.Kernel(layers, shape, p, x1, x2, Enumerable.Repeat(1.0, groups).ToArray(), true, null, default);
        var reference = new CntkReference(layers, shape, p);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                var (k, tw) = reference.Pair(Row(x1, i), Row(x2, j), gw);
                var (_, t) = reference.Pair(Row(x1, i), Row(x2, j), Enumerable.Repeat(1.0, groups).ToArray());
                AssertClose(k, nngp[i, j], tolerance, $"{name} NNGP[{i},{j}]");
                AssertClose(tw, wntk[i, j], tolerance, $"{name} WNTK[{i},{j}]");
                AssertClose(t, ntk[i, j], tolerance, $"{name} NTK[{i},{j}]");
            }
        // The diagonal (x, x) through the reference too.
        var diag = SpatialKernelRecursion.Diagonal(layers, shape, p, x1, true);
        for (int i = 0; i < 3; i++)
            AssertClose(reference.Pair(Row(x1, i), Row(x1, i), Enumerable.Repeat(1.0, groups).ToArray()).Ntk, diag.GetFlat(i), tolerance, $"{name} NTK[{i},{i}]");
    }

    internal static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double err = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(err <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (relative error {err:E2} > {tolerance:E0})");
    }
}
