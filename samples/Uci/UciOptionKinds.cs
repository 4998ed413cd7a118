using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Uci;

/// <summary>
/// The kinds of option the UCI sample takes, each parsed by hand so that every bad value is reported the same way: one
/// line <c>OPTION VALUE: what is wrong; pass WHAT.</c> (<see cref="Problem"/>), never System.CommandLine's built-in
/// messages followed by the whole help. <see cref="UciOptions.Parse"/> prints those lines and exits with
/// <see cref="UciExitCodes.Usage"/>.
/// </summary>
internal static class UciOptionKinds
{
    /// <summary>An integer ≥ <paramref name="minimum"/> with a default; <paramref name="why"/> is added to the range error.</summary>
    public static Option<int> Count(string name, string description, int defaultValue, int minimum, string why = "")
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r =>
        {
            string text = Token(r);
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
                r.AddError(Problem(name, text, "not an integer", F($"an integer ≥ {minimum}")));
            else if (v < minimum)
                r.AddError(Problem(name, text, F($"below {minimum}{why}"), F($"an integer ≥ {minimum}")));
            return v;
        };
        return option;
    }

    /// <summary>
    /// A count ≥ <paramref name="minimum"/> or <c>all</c>; when <paramref name="zeroMeansAll"/>, 0 is also "all".
    /// A number is kept as given (never read as "all", however large).
    /// </summary>
    public static Option<CountOrAll> CountOrAll(string name, string description, CountOrAll defaultValue, int minimum, bool zeroMeansAll = false, string why = "")
    {
        string fix = zeroMeansAll ? F($"an integer ≥ {minimum}, or 0 or all") : F($"an integer ≥ {minimum} or all");
        var option = new Option<CountOrAll>(name) { Description = description, HelpName = zeroMeansAll ? "N|all|0" : "N|all", DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r =>
        {
            string text = Token(r);
            if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return Uci.CountOrAll.All;
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
                r.AddError(Problem(name, text, "not an integer", fix));
            else if (v == 0 && zeroMeansAll)
                return Uci.CountOrAll.All;
            else if (v < minimum)
                r.AddError(Problem(name, text, F($"below {minimum}{why}"), fix));
            else
                return Uci.CountOrAll.Of(v);
            return Uci.CountOrAll.All;
        };
        return option;
    }

    /// <summary>One of <paramref name="values"/> (exact, lower case); the first is the default.</summary>
    public static Option<string> Choice(string name, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, HelpName = string.Join('|', values), DefaultValueFactory = _ => values[0] };
        option.CustomParser = r =>
        {
            string text = Token(r);
            if (!values.Contains(text, StringComparer.Ordinal))
                r.AddError(Problem(name, text, "not one of the choices", Either(values)));
            return text;
        };
        return option;
    }

    /// <summary>The one line of a bad value: <c>OPTION VALUE: PROBLEM; pass FIX.</c></summary>
    public static string Problem(string option, string value, string problem, string fix) =>
        $"{option} {Show(value)}: {problem}; pass {fix}.";

    /// <summary>"a, b or c".</summary>
    public static string Either(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];

    /// <summary>A value as the user typed it, quoted when it is empty or holds blanks (so the line stays readable).</summary>
    public static string Show(string value) => value.Length == 0 || value.Any(char.IsWhiteSpace) ? $"'{value}'" : value;

    /// <summary>The option name nearest to <paramref name="token"/> (edit distance ≤ 3 on the part before '='), or null.</summary>
    public static string? Nearest(string token, IEnumerable<string> names)
    {
        string word = token.Split('=', ':')[0];
        var best = names.Select(n => (Name: n, Distance: Distance(word, n))).OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(1, Math.Min(3, word.Length / 3)) ? best.Name : null;
    }

    private static int Distance(string a, string b)
    {
        // Levenshtein distance, two rows.
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    private static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The UCI sample's exit codes (samples/Uci/README.md; the same as the Fashion-MNIST sample's).</summary>
public static class UciExitCodes
{
    /// <summary>The run finished, or <c>--help</c> printed the usage.</summary>
    public const int Done = 0;

    /// <summary>A usage error, found from the command line alone: an unknown option, a value of the wrong kind or out of range.</summary>
    public const int Usage = 1;

    /// <summary>
    /// The data cannot give the run asked for: no data folder or data set, an unreadable data.txt, dataset.json or split
    /// file, or a split range past a data set's last split. Found before any fitting.
    /// </summary>
    public const int Data = 2;
}
