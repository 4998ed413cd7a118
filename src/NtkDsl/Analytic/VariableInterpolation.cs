namespace NtkDsl.Analytic;

/// <summary>
/// Verified polynomial interpolation of the Hermite coefficient vectors of <see cref="DualSeries"/> in t = log q, so a
/// kernel call over N distinct variances needs a few dozen one-dimensional integrations instead of N.
/// </summary>
/// <remarks>
/// Interpolation at the n + 1 Chebyshev–Lobatto points of [log q_min, log q_max] (barycentric form, Berrut &amp;
/// Trefethen, SIAM Review 46(3), 2004) for n = 4, 8, 16, 32, 64: the point sets are nested, so each level adds only the
/// new points. A level is accepted when the interpolant of the previous level reproduces the values computed at the
/// new points within <see cref="Tolerance"/> in the 2-norm of each half of the vector (α and β, relative to √E[φ²] and
/// √E[φ'²] there); the finer interpolant is then used. Otherwise (or when there are too few distinct variances to be
/// worth it) the caller integrates every variance directly. Hand-written because MathNet's interpolators are scalar
/// and do not expose the nested-point verification.
/// </remarks>
internal static class VariableInterpolation
{
    /// <summary>Largest accepted interpolation error (2-norm of α or β, relative to √E[φ²] resp. √E[φ'²]).</summary>
    public const double Tolerance = 1e-11;

    private static readonly int[] Degrees = [4, 8, 16, 32, 64];

    /// <summary>
    /// Fills <paramref name="vectors"/> (count × width, width = 2T + 2) for the variances <paramref name="q"/> when a
    /// verified interpolant exists; returns false (vectors untouched) otherwise.
    /// </summary>
    public static bool TryInterpolate(IDualIntegrator engine, IReadOnlyList<double> q, double[] vectors, int width, ParallelOptions options)
    {
        int count = q.Count;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            if (!(q[i] > 0.0)) return false; // q = 0 has no logarithm: integrate directly
            lo = Math.Min(lo, q[i]);
            hi = Math.Max(hi, q[i]);
        }
        if (count <= 2 * (Degrees[0] + 1)) return false;
        double tLo = Math.Log(lo), tHi = Math.Log(hi);
        if (!(tHi > tLo)) return false;
        int terms = (width - 2) / 2;

        // Values at the Chebyshev–Lobatto points of the finest level, computed on demand (index k of 64 + 1 points).
        int finest = Degrees[^1];
        var values = new double[]?[finest + 1];
        var guess = new double[width];
        int previous = -1;
        for (int level = 0; level < Degrees.Length; level++)
        {
            int n = Degrees[level];
            if (n + 1 >= count) return false; // no cheaper than integrating every variance
            int stride = finest / n;
            var missing = Enumerable.Range(0, n + 1).Select(k => k * stride).Where(k => values[k] is null).ToArray();
            global::NtkDsl.Kernels.ParallelLoop.For(0, missing.Length, options, m =>
            {
                int k = missing[m];
                var v = new double[width];
                DualSeries.Coefficients(engine, Math.Exp(Node(k, finest, tLo, tHi)), v);
                values[k] = v;
            });
            if (previous >= 0)
            {
                int prevStride = finest / previous;
                bool ok = true;
                foreach (int k in missing)
                {
                    Evaluate(values, previous, prevStride, Node(k, finest, tLo, tHi), tLo, tHi, guess);
                    if (!Within(values[k]!, guess, terms)) { ok = false; break; }
                }
                if (ok)
                {
                    global::NtkDsl.Kernels.ParallelLoop.For(0, count, options, i =>
                        Evaluate(values, n, stride, Math.Log(q[i]), tLo, tHi, vectors.AsSpan(i * width, width)));
                    return true;
                }
            }
            previous = n;
        }
        return false;
    }

    /// <summary>The k-th of the n + 1 Chebyshev–Lobatto points mapped to [tLo, tHi] (k = 0 is tHi).</summary>
    private static double Node(int k, int n, double tLo, double tHi) =>
        k == 0 ? tHi : k == n ? tLo : 0.5 * (tLo + tHi) + 0.5 * (tHi - tLo) * Math.Cos(Math.PI * k / n);

    private static bool Within(double[] exact, ReadOnlySpan<double> guess, int terms)
    {
        double nk = Math.Abs(exact[2 * terms]), nt = Math.Abs(exact[2 * terms + 1]);
        double ek = 0.0, et = 0.0;
        for (int i = 0; i < terms; i++)
        {
            double dk = exact[i] - guess[i], dt = exact[terms + i] - guess[terms + i];
            ek += dk * dk;
            et += dt * dt;
        }
        double dn = exact[2 * terms] - guess[2 * terms], dtn = exact[2 * terms + 1] - guess[2 * terms + 1];
        return Math.Sqrt(ek) <= Tolerance * Math.Sqrt(nk) && Math.Sqrt(et) <= Tolerance * Math.Sqrt(nt)
            && Math.Abs(dn) <= Tolerance * nk && Math.Abs(dtn) <= Tolerance * nt;
    }

    /// <summary>Barycentric interpolation at t from the points k·stride (k = 0 … n) of the finest level.</summary>
    private static void Evaluate(double[]?[] values, int n, int stride, double t, double tLo, double tHi, Span<double> result)
    {
        int finest = values.Length - 1;
        result.Clear();
        double denominator = 0.0;
        for (int k = 0; k <= n; k++)
        {
            double node = Node(k * stride, finest, tLo, tHi);
            var v = values[k * stride]!;
            if (t == node)
            {
                v.AsSpan(0, result.Length).CopyTo(result);
                return;
            }
            double w = ((k & 1) == 0 ? 1.0 : -1.0) * (k == 0 || k == n ? 0.5 : 1.0) / (t - node);
            denominator += w;
            for (int c = 0; c < result.Length; c++) result[c] += w * v[c];
        }
        for (int c = 0; c < result.Length; c++) result[c] /= denominator;
    }
}
