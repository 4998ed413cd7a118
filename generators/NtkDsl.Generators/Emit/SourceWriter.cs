using System;
using System.Globalization;
using System.Text;

namespace NtkDsl.Generators.Emit;

/// <summary>An indented text writer for emitted C#.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length == 0)
        {
            _sb.Append('\n');
            return this;
        }
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0) _sb.Append(' ', _indent * 4).Append(line.TrimEnd('\r'));
            _sb.Append('\n');
        }
        return this;
    }

    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public SourceWriter Indent()
    {
        _indent++;
        return this;
    }

    public SourceWriter Unindent()
    {
        _indent--;
        return this;
    }

    public override string ToString() => _sb.ToString();

    /// <summary>A double literal in invariant culture, round-trip format, always with a decimal point or exponent.</summary>
    public static string Num(double v)
    {
        if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
        if (double.IsNaN(v)) return "double.NaN";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) s += ".0";
        return s;
    }

    public static string Str(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool b) => b ? "true" : "false";

    public static string Join(string sep, System.Collections.Generic.IEnumerable<string> items) => string.Join(sep, items);

}
