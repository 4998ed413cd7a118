using System.CommandLine;
using System.Globalization;

namespace NtkDsl.Samples;

/// <summary>
/// The command-line convention every sample follows (linked into each sample project): System.CommandLine parses,
/// <c>--help</c> (<c>-h</c>, <c>-?</c>) prints the usage, files go to <c>--output DIR</c> (<c>-o</c>), counts are
/// positive integers, and a bad argument prints an error and exits with a non-zero code.
/// </summary>
internal static class SampleCommandLine
{
    /// <summary>The folder for the files a sample writes: <c>--output</c>, <c>-o</c>.</summary>
    public static Option<string> Output(string defaultFolder) => new("--output", "-o")
    {
        Description = "Folder for the files this sample writes",
        HelpName = "DIR",
        DefaultValueFactory = _ => defaultFolder,
    };

    /// <summary>An integer option ≥ <paramref name="minimum"/> with a default.</summary>
    public static Option<int> Count(string name, string description, int defaultValue, int minimum = 1)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            // A token that is not an integer is already a parse error System.CommandLine reports (exit code 1); reading
            // the value then would throw instead of reporting.
            if (r.Tokens.Count > 0 && !int.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                return;
            if (r.GetValueOrDefault<int>() < minimum)
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be an integer ≥ {minimum}."));
        });
        return option;
    }
}
