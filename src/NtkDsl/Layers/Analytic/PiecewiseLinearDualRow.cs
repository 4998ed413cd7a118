using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NtkDsl.Analytic;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The dual of φ(x) = a·min(x, 0) + b·max(x, 0) (ReLU: a = 0, b = 1; leaky ReLU: a = slope; |x|: a = −1) for one row
/// of pixel pairs at a time, SIMD over the row (<see cref="Vector{T}"/>): the formula of
/// <see cref="DualActivations.AbRelu(double, double, double, double, double, double, out double, out double)"/>
/// (θ = atan2(√(q1 q2 − c²), c) with the exact-product determinant, Ṫ = ((a² + b²)(π − θ) + 2abθ)/(2π),
/// K̃ = (a − b)²·√(q1 q2)·sin θ/(2π) + Ṫ·√(q1 q2)·cos θ; docs/math.md §4, Cho &amp; Saul 2009) with the arctangent
/// evaluated in vector registers by <see cref="Atan2NonNegative"/>.
/// </summary>
/// <remarks>
/// <para><b>Why.</b> The profile of the pixel-pair recursion on 7 × 7 images (perf, `cntk-analytic --image 7 7 1`)
/// showed about 80 % of the time in the scalar dual, a third of it in libm's atan2, which
/// System.Numerics.Tensors' TensorPrimitives.Atan2 does not vectorize (.NET 10: measured at the same ~40–70 ns per
/// element as Math.Atan2). Hand-written here for that reason.</para>
/// <para><b>Agreement with the scalar dual.</b> Every lane follows the scalar formula operation for operation except
/// the arctangent, which is accurate to a few ulps (the reduction atan u = π/6 + atan((√3·u − 1)/(u + √3)) for
/// u &gt; tan(π/12), then the Taylor series of atan to the term v²⁹/29, |v| ≤ tan(π/12), whose truncation error is
/// below 1e−17 relative), so K̃ and Ṫ agree with the scalar dual to about 1e−15 relative (tested at 1e−13 relative plus a few ulps of (a² + b²)·√(q1 q2) and (a² + b²): where Ṫ cancels, near θ = π for ReLU or θ = π/2 for |x|, both carry that absolute rounding error).
/// θ → 0 keeps full relative accuracy (atan u = u(1 − u²/3 + …)). Lanes where the scalar dual takes a special branch —
/// q1 = q2 with c ≥ q1 (the exact diagonal), √(q1 q2) = 0, q1·q2 outside (1e−290, 1e290), a non-finite c — are
/// recomputed by the scalar dual itself, so the exact-diagonal and zero-variance conventions and the exceptions are
/// unchanged. The row tail is padded to a full vector, so every entry uses the same arithmetic wherever it sits in a
/// row, and the result is symmetric in (q1, q2) bit for bit.</para>
/// </remarks>
internal static class PiecewiseLinearDualRow
{
    private const double InvTwoPi = 1.0 / (2.0 * Math.PI);
    private const double TanPiOver12 = 0.26794919243112270; // 2 − √3
    private const double Sqrt3 = 1.7320508075688772;
    private const double PiOver6 = Math.PI / 6.0;
    private const double PiOver2 = Math.PI / 2.0;

    /// <summary>
    /// For j = 0 … n − 1 with q2 = <paramref name="q2"/>[j] and c = <paramref name="k"/>[j]: k[j] ← K̃(q1, q2, c) and
    /// <paramref name="t"/>[j] ← t[j]·Ṫ(q1, q2, c). q1 and q2 must be finite and ≥ 0 (the trace checks them).
    /// </summary>
    public static void Apply(double a, double b, double derivativeAtZero, double q1, ReadOnlySpan<double> q2, Span<double> k, Span<double> t)
    {
        int n = k.Length;
        if (q2.Length < n || t.Length < n) throw new ArgumentException("q2, k and t need the same length.");
        if (!(q1 >= 0.0) || !Vector.IsHardwareAccelerated)
        {
            // A negative or NaN variance (the scalar dual names it in its exception), or no SIMD: the scalar dual.
            for (int j = 0; j < n; j++)
            {
                DualActivations.AbRelu(a, b, derivativeAtZero, q1, q2[j], k[j], out double kt, out double td);
                k[j] = kt;
                t[j] *= td;
            }
            return;
        }
        int width = Vector<double>.Count;
        int full = n - n % width;
        for (int j = 0; j < full; j += width)
            Block(a, b, derivativeAtZero, q1, q2.Slice(j, width), k.Slice(j, width), t.Slice(j, width));
        if (full < n)
        {
            // The tail, padded with a harmless pair (q2 = 1, c = 0), so it takes the same vector arithmetic.
            Span<double> pq = stackalloc double[width];
            Span<double> pk = stackalloc double[width];
            Span<double> pt = stackalloc double[width];
            pq.Fill(1.0);
            pk.Clear();
            pt.Fill(1.0);
            int rest = n - full;
            q2.Slice(full, rest).CopyTo(pq);
            k.Slice(full, rest).CopyTo(pk);
            t.Slice(full, rest).CopyTo(pt);
            Block(a, b, derivativeAtZero, q1, pq, pk, pt);
            pk[..rest].CopyTo(k[full..]);
            pt[..rest].CopyTo(t[full..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(double a, double b, double derivativeAtZero, double q1, ReadOnlySpan<double> q2s, Span<double> ks, Span<double> ts)
    {
        var q2 = new Vector<double>(q2s);
        var c = new Vector<double>(ks);
        var vq1 = new Vector<double>(q1);
        var prod = vq1 * q2;
        // Lanes for the scalar dual: exact diagonal, zero or extreme variances, non-finite c.
        var equal = Vector.Equals(vq1, q2);
        var special = (equal & Vector.GreaterThanOrEqual(c, vq1))
            | ~Vector.GreaterThan(prod, new Vector<double>(1e-290))
            | ~Vector.LessThan(prod, new Vector<double>(1e290))
            | ~Vector.Equals(c - c, Vector<double>.Zero);
        var sq = Vector.ConditionalSelect(equal, vq1, Vector.SquareRoot(prod));
        var safeSq = Vector.ConditionalSelect(special, Vector<double>.One, sq);
        var rho = Vector.Min(Vector.Max(c / safeSq, new Vector<double>(-1.0)), Vector<double>.One);
        var cc = safeSq * rho;
        // Determinant q1·q2 − c² from exact products (Covariance2.Determinant), 0 where |c| ≥ √(q1 q2).
        var c2 = c * c;
        var det = (prod - c2) + (Vector.FusedMultiplyAdd(vq1, q2, -prod) - Vector.FusedMultiplyAdd(c, c, -c2));
        det = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(Vector.Abs(c), safeSq) | ~Vector.GreaterThan(det, Vector<double>.Zero), Vector<double>.Zero, det);
        var r = Vector.SquareRoot(det);
        var theta = Atan2NonNegative(r, cc);
        double sumSq = a * a + b * b, amb2 = (a - b) * (a - b);
        var small = amb2 == 0 ? new Vector<double>(0.5 * sumSq)
            : new Vector<double>(0.5 * sumSq) - new Vector<double>(amb2) * theta * new Vector<double>(InvTwoPi);
        var large = (new Vector<double>(sumSq) * (new Vector<double>(Math.PI) - theta) + new Vector<double>(2.0 * a * b) * theta) * new Vector<double>(InvTwoPi);
        var tDot = Vector.ConditionalSelect(Vector.LessThanOrEqual(theta, new Vector<double>(PiOver2)), small, large);
        var kTilde = new Vector<double>(amb2) * r * new Vector<double>(InvTwoPi) + tDot * cc;
        var told = new Vector<double>(ts);
        (told * tDot).CopyTo(ts);
        kTilde.CopyTo(ks);
        if (special != Vector<long>.Zero)
        {
            for (int l = 0; l < Vector<double>.Count; l++)
            {
                if (special[l] == 0) continue;
                DualActivations.AbRelu(a, b, derivativeAtZero, q1, q2[l], c[l], out double kt, out double td);
                ks[l] = kt;
                ts[l] = told[l] * td;
            }
        }
    }

    /// <summary>
    /// atan2(y, x) ∈ [0, π] for y ≥ 0 and (x, y) ≠ (0, 0), lane by lane: u = min(y, |x|)/max(y, |x|) ∈ [0, 1],
    /// atan u by the reduction to |v| ≤ tan(π/12) and the Taylor series, then π/2 − · when y &gt; |x| and π − · when x &lt; 0.
    /// </summary>
    internal static Vector<double> Atan2NonNegative(Vector<double> y, Vector<double> x)
    {
        var ax = Vector.Abs(x);
        var num = Vector.Min(y, ax);
        var den = Vector.Max(y, ax);
        var u = num / Vector.ConditionalSelect(Vector.Equals(den, Vector<double>.Zero), Vector<double>.One, den);
        var big = Vector.GreaterThan(u, new Vector<double>(TanPiOver12));
        var v = Vector.ConditionalSelect(big,
            Vector.FusedMultiplyAdd(u, new Vector<double>(Sqrt3), -Vector<double>.One) / (u + new Vector<double>(Sqrt3)), u);
        var z = v * v;
        // atan v = v + v·z·Σ_{m=1}^{14} (−1)^m z^(m−1)/(2m + 1), Horner from the last term.
        var s = new Vector<double>(1.0 / 29.0);
        for (int m = 13; m >= 1; m--)
            s = Vector.FusedMultiplyAdd(s, z, new Vector<double>(((m & 1) == 0 ? 1.0 : -1.0) / (2 * m + 1)));
        var atan = Vector.FusedMultiplyAdd(v * z, s, v);
        atan = Vector.ConditionalSelect(big, atan + new Vector<double>(PiOver6), atan);
        atan = Vector.ConditionalSelect(Vector.GreaterThan(y, ax), new Vector<double>(PiOver2) - atan, atan);
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), new Vector<double>(Math.PI) - atan, atan);
    }
}
