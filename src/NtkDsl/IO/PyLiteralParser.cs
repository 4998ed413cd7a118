using System.Globalization;
using System.Numerics;

namespace NtkDsl.IO;

/// <summary>
/// Parses the small subset of Python literal syntax used by .npy headers: dicts, tuples, lists, strings without
/// escapes, integers, True/False/None. Errors are <see cref="NpyFormatException"/>s naming the position.
/// </summary>
internal sealed class PyLiteralParser
{
    private const int MaxDepth = 32;
    private readonly string _s;
    private int _pos;

    private PyLiteralParser(string s) => _s = s;

    /// <summary>A parsed tuple (as opposed to a list).</summary>
    internal sealed record PyTuple(IReadOnlyList<object?> Items);

    /// <summary>A parsed list.</summary>
    internal sealed record PyList(IReadOnlyList<object?> Items);

    /// <summary>Parses one literal followed only by whitespace.</summary>
    public static object? Parse(string text)
    {
        var p = new PyLiteralParser(text);
        p.SkipWs();
        object? v = p.Value(0);
        p.SkipWs();
        if (p._pos != p._s.Length) throw p.Error($"unexpected '{Printable(p._s[p._pos])}' after the end of the dictionary");
        return v;
    }

    private object? Value(int depth)
    {
        if (depth > MaxDepth) throw Error("nesting is too deep");
        if (_pos >= _s.Length) throw Error("the header ends where a value was expected");
        char c = _s[_pos];
        switch (c)
        {
            case '{': return Dict(depth);
            case '(': return Sequence(depth, ')', tuple: true);
            case '[': return Sequence(depth, ']', tuple: false);
            case '\'':
            case '"': return Str();
        }
        if (c == '-' || c == '+' || char.IsAsciiDigit(c)) return Int();
        if (char.IsAsciiLetter(c))
        {
            int start = _pos;
            while (_pos < _s.Length && (char.IsAsciiLetterOrDigit(_s[_pos]) || _s[_pos] == '_')) _pos++;
            string word = _s[start.._pos];
            return word switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                _ => throw Error($"unknown name '{word}'", start),
            };
        }
        throw Error($"unexpected '{Printable(c)}'");
    }

    private Dictionary<string, object?> Dict(int depth)
    {
        _pos++; // {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipWs();
        while (true)
        {
            if (_pos >= _s.Length) throw Error("the dictionary is not closed with '}'");
            if (_s[_pos] == '}') { _pos++; return d; }
            int keyPos = _pos;
            if (_s[_pos] != '\'' && _s[_pos] != '"') throw Error("expected a quoted key");
            string key = Str();
            SkipWs();
            Expect(':');
            SkipWs();
            object? v = Value(depth + 1);
            if (!d.TryAdd(key, v)) throw Error($"key '{key}' appears twice", keyPos);
            SkipWs();
            if (_pos < _s.Length && _s[_pos] == ',') { _pos++; SkipWs(); }
            else if (_pos < _s.Length && _s[_pos] != '}') throw Error("expected ',' or '}'");
        }
    }

    private object? Sequence(int depth, char close, bool tuple)
    {
        _pos++; // ( or [
        var items = new List<object?>();
        bool sawComma = false;
        SkipWs();
        while (true)
        {
            if (_pos >= _s.Length) throw Error($"a {(tuple ? "tuple" : "list")} is not closed with '{close}'");
            if (_s[_pos] == close) { _pos++; break; }
            items.Add(Value(depth + 1));
            SkipWs();
            if (_pos < _s.Length && _s[_pos] == ',') { _pos++; sawComma = true; SkipWs(); }
            else if (_pos < _s.Length && _s[_pos] != close) throw Error($"expected ',' or '{close}'");
        }
        if (!tuple) return new PyList(items);
        // In Python "(3)" is the integer 3, not a tuple: a one-element tuple needs its comma.
        if (items.Count == 1 && !sawComma) return items[0];
        return new PyTuple(items);
    }

    private string Str()
    {
        char q = _s[_pos];
        int start = ++_pos;
        while (_pos < _s.Length && _s[_pos] != q)
        {
            if (_s[_pos] == '\\') throw Error("escape sequences in strings are not supported");
            if (_s[_pos] == '\n') throw Error("a string runs past the end of the line");
            _pos++;
        }
        if (_pos >= _s.Length) throw Error("a string is not closed", start - 1);
        return _s[start.._pos++];
    }

    private BigInteger Int()
    {
        int start = _pos;
        if (_s[_pos] == '-' || _s[_pos] == '+') _pos++;
        int digits = _pos;
        while (_pos < _s.Length && char.IsAsciiDigit(_s[_pos])) _pos++;
        if (_pos == digits) throw Error("a sign is not followed by digits", start);
        if (_pos - digits > 40) throw Error("an integer has more than 40 digits", start);
        var v = BigInteger.Parse(_s.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (_pos < _s.Length && (_s[_pos] == 'L' || _s[_pos] == 'l')) _pos++; // Python 2 long suffix, written by old NumPy
        if (_pos < _s.Length && (_s[_pos] == '.' || _s[_pos] == 'e' || _s[_pos] == 'E' || char.IsAsciiLetter(_s[_pos])))
            throw Error("only integers are allowed here", start);
        return v;
    }

    private void Expect(char c)
    {
        if (_pos >= _s.Length || _s[_pos] != c) throw Error($"expected '{c}'");
        _pos++;
    }

    private void SkipWs()
    {
        while (_pos < _s.Length && (_s[_pos] == ' ' || _s[_pos] == '\t' || _s[_pos] == '\n' || _s[_pos] == '\r')) _pos++;
    }

    private NpyFormatException Error(string what, int? at = null) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Malformed .npy header dictionary: {what} at character {(at ?? _pos) + 1} of {_s.Length}."));

    private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c)
        ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")
        : c.ToString();
}
