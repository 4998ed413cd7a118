using System.Collections.Concurrent;
using System.Globalization;

namespace NtkDsl.Analytic;

/// <summary>
/// Gauss–Hermite rules for the standard normal (probabilists') weight, computed once per n and cached.
/// </summary>
/// <remarks>
/// The nodes are the eigenvalues of the Jacobi matrix of the orthonormal probabilists' Hermite polynomials
/// (zero diagonal, off-diagonal √k), located by Sturm-sequence bisection and polished by a Newton step on the
/// three-term recurrence p_{k+1} = (x p_k − √k p_{k−1})/√(k+1), p_n' = √n p_{n−1}. The weights are the Christoffel
/// numbers w_i = 1/(n p_{n−1}(x_i)²), evaluated with exponent rescaling so that nothing overflows; only positive nodes
/// are computed and the rule is mirrored, so it is exactly symmetric. Cost O(n²), deterministic.
/// </remarks>
internal static class GaussHermite
{
    /// <summary>Largest supported number of nodes.</summary>
    public const int MaxNodes = 2048;

    private const double RescaleThreshold = 1.157920892373162e77; // 2^256

    private static readonly ConcurrentDictionary<int, GaussHermiteRule> Cache = new();

    /// <summary>The n-point rule (1 ≤ n ≤ <see cref="MaxNodes"/>), computed on first use and cached.</summary>
    public static GaussHermiteRule Get(int n)
    {
        if (n < 1 || n > MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(n), n, string.Create(CultureInfo.InvariantCulture,
                $"A Gauss–Hermite rule needs between 1 and {MaxNodes} nodes, got {n}; pick a node count in that range."));
        return Cache.GetOrAdd(n, Build);
    }

    private static GaussHermiteRule Build(int n)
    {
        var nodes = new double[n];
        var weights = new double[n];
        int half = n / 2;              // number of positive nodes
        int firstPositive = n - half;  // ascending index of the smallest positive node
        double upper = 2.0 * Math.Sqrt(n) + 1.0; // Gershgorin: |λ| ≤ √(n−2) + √(n−1) < 2√n
        double lower = 0.0;
        for (int r = 0; r < half; r++)
        {
            int k = firstPositive + r;
            double x = Bisect(n, k, lower, upper);
            x = Polish(n, x);
            nodes[k] = x;
            nodes[n - 1 - k] = -x;
            lower = x;
        }
        if ((n & 1) == 1) nodes[half] = 0.0;

        double sum = 0.0;
        for (int k = 0; k < n; k++)
        {
            Recurrence(n, nodes[k], out _, out double pnm1, out int exponent);
            // w = 1/(n·p_{n−1}²), with p_{n−1} = pnm1·2^exponent.
            double w = Math.ScaleB(1.0 / (n * pnm1 * pnm1), -2 * exponent);
            weights[k] = w;
            sum += w;
        }
        // Symmetrise exactly and normalise the (already ≈ 1) total.
        for (int k = 0; k < half; k++)
        {
            double w = 0.5 * (weights[k] + weights[n - 1 - k]) / sum;
            weights[k] = w;
            weights[n - 1 - k] = w;
        }
        if ((n & 1) == 1) weights[half] /= sum;
        return new GaussHermiteRule(nodes, weights);
    }

    /// <summary>Number of eigenvalues of the n×n Jacobi matrix that are &lt; x (Sturm count of the LDLᵀ pivots).</summary>
    private static int CountBelow(int n, double x)
    {
        int count = 0;
        double d = -x; // pivots of J − xI (zero diagonal)
        if (d < 0) count++;
        for (int k = 1; k < n; k++)
        {
            if (d == 0.0) d = 1e-300;
            d = -x - k / d;
            if (d < 0) count++;
        }
        return count;
    }

    /// <summary>The k-th smallest eigenvalue (0-based), known to lie in (lo, hi].</summary>
    private static double Bisect(int n, int k, double lo, double hi)
    {
        for (int it = 0; it < 200; it++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (CountBelow(n, mid) <= k) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>Newton steps x ← x − p_n(x)/p_n'(x) (ratio of the recurrence; scale-free).</summary>
    private static double Polish(int n, double x)
    {
        for (int it = 0; it < 2; it++)
        {
            Recurrence(n, x, out double pn, out double pnm1, out _);
            if (pnm1 == 0.0) break;
            double step = pn / (Math.Sqrt(n) * pnm1);
            if (!double.IsFinite(step) || Math.Abs(step) > 1e-6 * Math.Max(1.0, Math.Abs(x))) break; // bisection already converged; refuse wild steps
            x -= step;
        }
        return x;
    }

    /// <summary>
    /// Orthonormal probabilists' Hermite p_n(x), p_{n−1}(x), both scaled by 2^(−exponent) to stay in range.
    /// </summary>
    private static void Recurrence(int n, double x, out double pn, out double pnm1, out int exponent)
    {
        double prev = 0.0, cur = 1.0; // p_{-1}, p_0
        exponent = 0;
        for (int k = 0; k < n; k++)
        {
            double next = (x * cur - Math.Sqrt(k) * prev) / Math.Sqrt(k + 1.0);
            prev = cur;
            cur = next;
            if (Math.Abs(cur) > RescaleThreshold)
            {
                cur = Math.ScaleB(cur, -256);
                prev = Math.ScaleB(prev, -256);
                exponent += 256;
            }
        }
        pn = cur;
        pnm1 = prev;
    }
}
