using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Audit;

/// <summary>References written in the audit tests themselves: J·D·Jᵀ from an (N·K) × P Jacobian and a hand-built D.</summary>
internal static class AuditReference
{
    /// <summary>Full kernel [a, b, c, c'] = Σ_p J1[a·K + c, p]·d_p·J2[b·K + c', p].</summary>
    public static double[,,,] Jdjt(double[,] j1, double[,] j2, int k, double[] d)
    {
        int n1 = j1.GetLength(0) / k, n2 = j2.GetLength(0) / k, p = j1.GetLength(1);
        var t = new double[n1, n2, k, k];
        for (int a = 0; a < n1; a++)
            for (int b = 0; b < n2; b++)
                for (int c = 0; c < k; c++)
                    for (int c2 = 0; c2 < k; c2++)
                    {
                        double s = 0;
                        for (int q = 0; q < p; q++) s += j1[a * k + c, q] * d[q] * j2[b * k + c2, q];
                        t[a, b, c, c2] = s;
                    }
        return t;
    }

    /// <summary>The tensor's values in the layout of <paramref name="mode"/> (math.md §2 modes), from the full kernel.</summary>
    public static double[] InMode(double[,,,] t, NtkMode mode)
    {
        int n1 = t.GetLength(0), n2 = t.GetLength(1), k = t.GetLength(2);
        var r = new List<double>();
        switch (mode)
        {
            case NtkMode.Full:
                return t.Cast<double>().ToArray();
            case NtkMode.Trace:
                for (int a = 0; a < n1; a++)
                    for (int b = 0; b < n2; b++)
                    {
                        double s = 0;
                        for (int c = 0; c < k; c++) s += t[a, b, c, c];
                        r.Add(s / k);
                    }
                return r.ToArray();
            case NtkMode.Diagonal:
                for (int a = 0; a < n1; a++)
                {
                    double s = 0;
                    for (int c = 0; c < k; c++) s += t[a, a, c, c];
                    r.Add(s / k);
                }
                return r.ToArray();
            default:
                for (int a = 0; a < n1; a++)
                    for (int c = 0; c < k; c++)
                        for (int c2 = 0; c2 < k; c2++) r.Add(t[a, a, c, c2]);
                return r.ToArray();
        }
    }

    /// <summary>Max |a − e| / max |e|.</summary>
    public static double RelErr(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"entry {i} is {actual[i]}");
            diff = Math.Max(diff, Math.Abs(expected[i] - actual[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return diff / Math.Max(scale, double.Epsilon);
    }

    /// <summary>Asserts the relative error and writes it to the test output (for the audit report).</summary>
    public static void Check(ITestOutputHelper output, double[] expected, double[] actual, double tolerance, string what)
    {
        double err = RelErr(expected, actual);
        output.WriteLine($"{what}: relative error {err:E2} (tolerance {tolerance:E0})");
        Assert.True(err <= tolerance, $"{what}: relative error {err:E3} exceeds {tolerance:E1}");
    }

    public static Tensor Inputs(int rows, int cols, int seed) => Zoo.RandomInputs(rows, cols, seed);
}
