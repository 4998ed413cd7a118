using System.Globalization;
using System.Text;
using System.Xml;

namespace NtkDsl.Experiments;

/// <summary>One named polyline of a <see cref="SvgLinePlot"/>.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates (same length).</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A minimal SVG line-plot writer (one file per plot, no dependencies): linear or logarithmic axes, one polyline per
/// series with a legend, ticks at round numbers (decades on log axes). Points that a log axis cannot show (≤ 0) and
/// non-finite points are left out; the polyline is broken there.
/// </summary>
/// <remarks>Thread safety: a builder; not thread-safe: add series and save from one thread.</remarks>
public sealed class SvgLinePlot
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];
    private readonly List<PlotSeries> _series = [];
    private (double Lo, double Hi)? _xRange, _yRange;

    /// <summary>Plot title.</summary>
    public string Title { get; init; } = "";

    /// <summary>Label of the x axis.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Label of the y axis.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic x axis.</summary>
    public bool LogX { get; init; }

    /// <summary>Logarithmic y axis.</summary>
    public bool LogY { get; init; }

    /// <summary>Width in pixels (default 720).</summary>
    public int Width { get; init; } = 720;

    /// <summary>Height in pixels (default 480).</summary>
    public int Height { get; init; } = 480;

    /// <summary>Plot-area margins: left, right, top, bottom (pixels).</summary>
    public (int Left, int Right, int Top, int Bottom) Margins { get; init; } = (80, 150, 40, 60);

    /// <summary>The series added so far.</summary>
    public IReadOnlyList<PlotSeries> Series => _series;

    /// <summary>Adds a series. Returns this for chaining.</summary>
    public SvgLinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"Series '{name}' has {x.Count} x values but {y.Count} y values.", nameof(y));
        _series.Add(new PlotSeries(name, x.ToArray(), y.ToArray()));
        _xRange = _yRange = null;
        return this;
    }

    /// <summary>Whether a point can be drawn on these axes.</summary>
    public bool IsDrawable(double x, double y) =>
        double.IsFinite(x) && double.IsFinite(y) && (!LogX || x > 0) && (!LogY || y > 0);

    /// <summary>The pixel x coordinate of data value <paramref name="x"/>.</summary>
    public double MapX(double x)
    {
        var (lo, hi) = XRange();
        double u = (Transform(x, LogX) - lo) / (hi - lo);
        return Margins.Left + u * (Width - Margins.Left - Margins.Right);
    }

    /// <summary>The pixel y coordinate of data value <paramref name="y"/> (SVG y grows downwards).</summary>
    public double MapY(double y)
    {
        var (lo, hi) = YRange();
        double u = (Transform(y, LogY) - lo) / (hi - lo);
        return Height - Margins.Bottom - u * (Height - Margins.Top - Margins.Bottom);
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        if (Width <= Margins.Left + Margins.Right || Height <= Margins.Top + Margins.Bottom)
            throw new InvalidOperationException($"A {Width} × {Height} plot leaves no room inside the margins {Margins}; enlarge it or shrink the margins.");
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false };
        using (var w = XmlWriter.Create(sb, settings))
        {
            const string ns = "http://www.w3.org/2000/svg";
            w.WriteStartElement("svg", ns);
            Attr(w, "width", Width);
            Attr(w, "height", Height);
            w.WriteAttributeString("viewBox", Inv($"0 0 {Width} {Height}"));
            w.WriteAttributeString("font-family", "sans-serif");
            w.WriteAttributeString("font-size", "12");
            Rect(w, 0, 0, Width, Height, "white", "none");
            double left = Margins.Left, right = Width - Margins.Right, top = Margins.Top, bottom = Height - Margins.Bottom;
            Rect(w, left, top, right - left, bottom - top, "none", "#333");
            Text(w, Width / 2.0, 24, Title, "middle", "14");
            Text(w, (left + right) / 2, Height - 15, XLabel, "middle", null);
            w.WriteStartElement("text", ns);
            w.WriteAttributeString("transform", Inv($"translate(18,{(top + bottom) / 2:0.###}) rotate(-90)"));
            w.WriteAttributeString("text-anchor", "middle");
            w.WriteString(YLabel);
            w.WriteEndElement();
            if (_series.Any(s => Enumerable.Range(0, s.X.Count).Any(i => IsDrawable(s.X[i], s.Y[i]))))
            {
                foreach (double t in Ticks(XRange(), LogX))
                {
                    double px = MapX(t);
                    Line(w, px, bottom, px, bottom + 5, "#333");
                    Line(w, px, top, px, bottom, "#eee");
                    Text(w, px, bottom + 18, Label(t), "middle", null);
                }
                foreach (double t in Ticks(YRange(), LogY))
                {
                    double py = MapY(t);
                    Line(w, left - 5, py, left, py, "#333");
                    Line(w, left, py, right, py, "#eee");
                    Text(w, left - 8, py + 4, Label(t), "end", null);
                }
            }
            for (int s = 0; s < _series.Count; s++)
            {
                string color = Palette[s % Palette.Length];
                foreach (var run in Runs(_series[s]))
                {
                    w.WriteStartElement("polyline", ns);
                    w.WriteAttributeString("fill", "none");
                    w.WriteAttributeString("stroke", color);
                    w.WriteAttributeString("stroke-width", "1.5");
                    w.WriteAttributeString("points", string.Join(" ", run.Select(p => Inv($"{MapX(p.X):0.###},{MapY(p.Y):0.###}"))));
                    w.WriteEndElement();
                }
                double ly = top + 10 + 18 * s;
                Line(w, right + 10, ly, right + 30, ly, color);
                Text(w, right + 35, ly + 4, _series[s].Name, "start", null);
            }
            w.WriteEndElement();
        }
        return sb.ToString();
    }

    /// <summary>Writes <see cref="ToSvg"/> to <paramref name="path"/> (UTF-8), creating the folder.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToSvg().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal), new UTF8Encoding(false));
    }

    private IEnumerable<List<(double X, double Y)>> Runs(PlotSeries s)
    {
        var run = new List<(double, double)>();
        for (int i = 0; i < s.X.Count; i++)
        {
            if (IsDrawable(s.X[i], s.Y[i])) run.Add((s.X[i], s.Y[i]));
            else if (run.Count > 0)
            {
                yield return run;
                run = [];
            }
        }
        if (run.Count > 0) yield return run;
    }

    private (double, double) XRange() => _xRange ??= Range(p => p.X, LogX);

    private (double, double) YRange() => _yRange ??= Range(p => p.Y, LogY);

    private (double Lo, double Hi) Range(Func<(double X, double Y), double> pick, bool log)
    {
        var values = _series.SelectMany(s => Enumerable.Range(0, s.X.Count).Select(i => (s.X[i], s.Y[i])))
            .Where(p => IsDrawable(p.Item1, p.Item2)).Select(p => Transform(pick(p), log)).ToList();
        if (values.Count == 0) return (0, 1);
        double lo = values.Min(), hi = values.Max();
        if (hi == lo)
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            return (lo - pad, hi + pad);
        }
        return (lo, hi);
    }

    private static double Transform(double v, bool log) => log ? Math.Log10(v) : v;

    private static IEnumerable<double> Ticks((double Lo, double Hi) range, bool log)
    {
        if (log)
        {
            for (double e = Math.Ceiling(range.Lo - 1e-9); e <= range.Hi + 1e-9; e++) yield return Math.Pow(10, e);
            yield break;
        }
        double span = range.Hi - range.Lo, raw = span / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * mag).First(s => s >= raw);
        for (double t = Math.Ceiling(range.Lo / step) * step; t <= range.Hi + 1e-9 * step; t += step) yield return Math.Abs(t) < 1e-12 * step ? 0 : t;
    }

    private static string Label(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void Attr(XmlWriter w, string name, double v) => w.WriteAttributeString(name, v.ToString("0.###", CultureInfo.InvariantCulture));

    private static void Rect(XmlWriter w, double x, double y, double width, double height, string fill, string stroke)
    {
        w.WriteStartElement("rect", "http://www.w3.org/2000/svg");
        Attr(w, "x", x);
        Attr(w, "y", y);
        Attr(w, "width", width);
        Attr(w, "height", height);
        w.WriteAttributeString("fill", fill);
        w.WriteAttributeString("stroke", stroke);
        w.WriteEndElement();
    }

    private static void Line(XmlWriter w, double x1, double y1, double x2, double y2, string stroke)
    {
        w.WriteStartElement("line", "http://www.w3.org/2000/svg");
        Attr(w, "x1", x1);
        Attr(w, "y1", y1);
        Attr(w, "x2", x2);
        Attr(w, "y2", y2);
        w.WriteAttributeString("stroke", stroke);
        w.WriteEndElement();
    }

    private static void Text(XmlWriter w, double x, double y, string text, string anchor, string? size)
    {
        w.WriteStartElement("text", "http://www.w3.org/2000/svg");
        Attr(w, "x", x);
        Attr(w, "y", y);
        w.WriteAttributeString("text-anchor", anchor);
        if (size is not null) w.WriteAttributeString("font-size", size);
        w.WriteString(text);
        w.WriteEndElement();
    }
}
