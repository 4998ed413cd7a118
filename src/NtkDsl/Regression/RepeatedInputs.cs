namespace NtkDsl.Regression;

/// <summary>
/// Training rows that repeat (see <see cref="RepeatedTrainingRows"/>): <see cref="Merge"/> merges rows with exactly
/// equal inputs into one row per distinct input (first occurrence order), with the mean of their targets and their
/// count — the sufficient statistics of replicated observations for a GP whose noise is independent across rows;
/// <see cref="DropCopies"/> keeps one row of each set of exact copies (equal inputs and equal target).
/// </summary>
internal static class RepeatedInputs
{
    /// <summary>
    /// x: n × d, y: n × 1. Returns the distinct rows (u × d), their mean targets (u × 1) and counts (length u), or the
    /// inputs themselves and null counts when no input repeats.
    /// </summary>
    public static (Tensor X, Tensor Y, int[]? Counts) Merge(Tensor x, Tensor y)
    {
        int n = x.Rows, d = x.Columns;
        double[] a = x.ToFlatArray(), t = y.ToFlatArray();
        var index = new Dictionary<int, int>(new RowComparer(a, d));
        var first = new List<int>();
        var sums = new List<double>();
        var counts = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (index.TryGetValue(i, out int g))
            {
                sums[g] += t[i];
                counts[g]++;
                continue;
            }
            index[i] = first.Count;
            first.Add(i);
            sums.Add(t[i]);
            counts.Add(1);
        }
        if (first.Count == n) return (x, y, null);
        int u = first.Count;
        var xu = new double[u * d];
        var yu = new double[u];
        for (int g = 0; g < u; g++)
        {
            Array.Copy(a, first[g] * d, xu, g * d, d);
            yu[g] = sums[g] / counts[g];
        }
        return (Tensor.Wrap(xu, u, d), Tensor.Wrap(yu, u, 1), counts.ToArray());
    }

    /// <summary>
    /// x: n × d, y: n × 1. The rows whose inputs and target are not an exact copy of an earlier row, in order (the
    /// inputs themselves when nothing is copied).
    /// </summary>
    public static (Tensor X, Tensor Y) DropCopies(Tensor x, Tensor y)
    {
        int n = x.Rows, d = x.Columns;
        double[] a = x.ToFlatArray(), t = y.ToFlatArray();
        var joined = new double[n * (d + 1)];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(a, i * d, joined, i * (d + 1), d);
            joined[i * (d + 1) + d] = t[i];
        }
        var seen = new HashSet<int>(new RowComparer(joined, d + 1));
        var keep = Enumerable.Range(0, n).Where(seen.Add).ToArray();
        if (keep.Length == n) return (x, y);
        var xk = new double[keep.Length * d];
        var yk = new double[keep.Length];
        for (int q = 0; q < keep.Length; q++)
        {
            Array.Copy(a, keep[q] * d, xk, q * d, d);
            yk[q] = t[keep[q]];
        }
        return (Tensor.Wrap(xk, keep.Length, d), Tensor.Wrap(yk, keep.Length, 1));
    }

    private sealed class RowComparer(double[] a, int d) : IEqualityComparer<int>
    {
        public bool Equals(int i, int j) => a.AsSpan(i * d, d).SequenceEqual(a.AsSpan(j * d, d));

        public int GetHashCode(int i)
        {
            var h = new HashCode();
            for (int f = 0; f < d; f++) h.Add(a[i * d + f]);
            return h.ToHashCode();
        }
    }
}
