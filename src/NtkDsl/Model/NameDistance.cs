using System;

namespace NtkDsl;

/// <summary>
/// Case-insensitive Levenshtein distance between names: the one measure behind the run-time suggestion of
/// <see cref="GroupWeights"/> and the compile-time code fix (this file is also compiled into the generator).
/// </summary>
internal static class NameDistance
{
    public static int Compute(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1),
                    d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is close enough to the typed <paramref name="typed"/> to be offered as
    /// "did you mean": at most max(1, ⌊longer length / 3⌋) edits ('Readuot' → 'Readout', 'C9' → 'C1'; not 'Nope' → 'C1').
    /// </summary>
    public static bool IsClose(string candidate, string typed) =>
        Compute(candidate, typed) <= Math.Max(1, Math.Max(candidate.Length, typed.Length) / 3);
}
