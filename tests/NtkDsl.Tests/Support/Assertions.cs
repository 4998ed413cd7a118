namespace NtkDsl.Tests.Support;

internal static class Close
{
    /// <summary>Max |a − b| relative to max |b| (inf-norm), with the shapes checked.</summary>
    public static void Relative(Tensor expected, Tensor actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        double err = TensorOps.RelativeError(actual, expected);
        Assert.True(err <= tolerance, $"{what}: relative error {err:E3} exceeds {tolerance:E1}");
    }

    public static void Relative(double[] expected, double[] actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        double err = maxDiff / Math.Max(maxRef, double.Epsilon);
        Assert.True(err <= tolerance, $"{what}: relative error {err:E3} exceeds {tolerance:E1}");
    }
}
