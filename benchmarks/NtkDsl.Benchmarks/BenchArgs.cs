using System.Globalization;

namespace NtkDsl.Benchmarks;

/// <summary>
/// Checks of command-line values shared by every subcommand, run before any timing: each failed check prints one line
/// naming the option, the value given and what is allowed, and the command then exits with <see cref="UsageError"/>
/// (values are never silently clamped). Hand-written: System.CommandLine's validators report with exit code 1 and the
/// whole help text, while these commands report usage errors with exit code 2 in one line.
/// </summary>
internal static class BenchArgs
{
    /// <summary>Exit code of a command-line value out of range (also used for an unusable output path).</summary>
    public const int UsageError = 2;

    /// <summary>True when <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>; else prints why and returns false.</summary>
    public static bool InRange(TextWriter output, string option, long value, long min, long max = int.MaxValue)
    {
        if (value >= min && value <= max) return true;
        string allowed = max >= int.MaxValue ? Inv($"at least {min}") : Inv($"{min} to {max}");
        output.WriteLine(Inv($"{option} {value} is out of range: it must be {allowed}."));
        return false;
    }

    /// <summary>Like <see cref="InRange(TextWriter, string, long, long, long)"/> for an optional value (null passes).</summary>
    public static bool OptionalInRange(TextWriter output, string option, int? value, long min, long max = int.MaxValue) =>
        value is not { } v || InRange(output, option, v, min, max);

    /// <summary>True when <paramref name="value"/> is a finite number ≥ <paramref name="min"/> (or &gt; when <paramref name="exclusive"/>); else prints why.</summary>
    public static bool AtLeast(TextWriter output, string option, double value, double min, bool exclusive = false)
    {
        if (double.IsFinite(value) && (exclusive ? value > min : value >= min)) return true;
        output.WriteLine(Inv($"{option} {value} is out of range: it must be {(exclusive ? "greater than" : "at least")} {min}."));
        return false;
    }

    /// <summary>True when every value lies in range (the option's values are checked one by one, the first bad one reported).</summary>
    public static bool AllInRange(TextWriter output, string option, IReadOnlyList<int> values, long min, long max = int.MaxValue)
    {
        if (values.Count == 0)
        {
            output.WriteLine($"{option} needs at least one value.");
            return false;
        }
        return values.All(v => InRange(output, option, (long)v, min, max));
    }

    /// <summary>
    /// True when a file can be written at <paramref name="path"/>: it is not a folder, and its folder exists or can be
    /// created (created here, so that a missing parent fails now and not after the timing). Null passes.
    /// </summary>
    public static bool OutputFile(TextWriter output, string option, string? path)
    {
        if (path is null) return true;
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            output.WriteLine($"{option} '{path}' is not a valid path ({e.Message}).");
            return false;
        }
        if (Directory.Exists(full))
        {
            output.WriteLine($"{option} '{path}' is a folder; give the path of a file (a name inside it).");
            return false;
        }
        string? dir = Path.GetDirectoryName(full);
        return dir is null || OutputFolder(output, option, dir, $" (the folder of '{path}')");
    }

    /// <summary>
    /// True when <paramref name="path"/> is a folder or can be created as one (created here); false with a message when
    /// it is a file or cannot be created.
    /// </summary>
    public static bool OutputFolder(TextWriter output, string option, string path, string what = "")
    {
        if (File.Exists(path))
        {
            output.WriteLine($"{option}: '{path}'{what} is a file, not a folder; give a folder (it is created when missing).");
            return false;
        }
        try
        {
            Directory.CreateDirectory(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            output.WriteLine($"{option}: cannot create the folder '{path}'{what}: {e.Message}");
            return false;
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
