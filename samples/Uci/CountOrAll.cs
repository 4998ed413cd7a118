using System.Globalization;

namespace Uci;

/// <summary>
/// A count option's value: a number the user gave (or the default), or <c>all</c>. "All" is its own state, never a
/// sentinel number, so <c>--splits 2147483647</c> means 2,147,483,647 splits (and is refused when a data set has fewer),
/// not "every split".
/// </summary>
public readonly record struct CountOrAll
{
    private readonly int _value;

    private CountOrAll(int value, bool isAll)
    {
        _value = value;
        IsAll = isAll;
    }

    /// <summary>"All": every split, every training row, or "never" for a threshold such as --coarse-from.</summary>
    public static CountOrAll All { get; } = new(0, true);

    /// <summary>The count <paramref name="value"/> (≥ 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static CountOrAll Of(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new CountOrAll(value, false);
    }

    /// <summary>Whether this is "all" rather than a number.</summary>
    public bool IsAll { get; }

    /// <summary>The number.</summary>
    /// <exception cref="InvalidOperationException">This is "all" (test <see cref="IsAll"/> first).</exception>
    public int Value => IsAll ? throw new InvalidOperationException("This count is 'all', not a number; test IsAll first.") : _value;

    /// <summary>The number, or <paramref name="available"/> when this is "all" or more than that.</summary>
    public int AtMost(int available) => IsAll ? available : Math.Min(_value, available);

    /// <summary>"all" or the number, as it is written on the command line.</summary>
    public override string ToString() => IsAll ? "all" : _value.ToString(CultureInfo.InvariantCulture);
}
