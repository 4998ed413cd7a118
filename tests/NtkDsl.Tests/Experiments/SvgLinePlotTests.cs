using System.Globalization;
using System.Xml.Linq;
using NtkDsl.Experiments;

namespace NtkDsl.Tests.Experiments;

public sealed class SvgLinePlotTests
{
    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ').Select(p => p.Split(','))
            .Select(a => (double.Parse(a[0], CultureInfo.InvariantCulture), double.Parse(a[1], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void OutputIsWellFormedXmlAndPointsLandWhereTheAxesPutThem()
    {
        var plot = new SvgLinePlot { Title = "a < b & \"c\"", XLabel = "x", YLabel = "y", Width = 400, Height = 300, Margins = (50, 50, 20, 30) };
        plot.Add("one", [0, 1, 2], [10, 20, 40]);
        var doc = XDocument.Parse(plot.ToSvg());
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Contains(doc.Root.Descendants(), e => e.Value == "a < b & \"c\"");
        var pts = Points(doc.Root.Elements().Single(e => e.Name.LocalName == "polyline"));
        // Linear axes: the data range fills the plot area exactly (x from 50 to 350, y from 270 up to 20).
        Assert.Equal((50.0, 270.0), pts[0]);
        Assert.Equal(200.0, pts[1].X, 3);
        Assert.Equal(270 - 250.0 / 3, pts[1].Y, 3);
        Assert.Equal((350.0, 20.0), pts[2]);
        for (int i = 0; i < 3; i++) Assert.Equal(plot.MapX(i), pts[i].X, 3);
    }

    [Fact]
    public void LogAxesSpaceDecadesEquallyAndDropPointsTheyCannotShow()
    {
        var plot = new SvgLinePlot { LogX = true, LogY = true, Width = 500, Height = 400 };
        plot.Add("s", [1, 10, 100, 0, 1000, 10000], [1e-3, 1e-2, 1e-1, 5, -1, 1]);
        Assert.Equal(plot.MapX(10) - plot.MapX(1), plot.MapX(1000) - plot.MapX(100), 9);
        Assert.Equal(plot.MapY(1e-2) - plot.MapY(1e-3), plot.MapY(1) - plot.MapY(1e-1), 9);
        Assert.False(plot.IsDrawable(0, 5));
        var doc = XDocument.Parse(plot.ToSvg());
        var lines = doc.Root!.Elements().Where(e => e.Name.LocalName == "polyline").ToList();
        Assert.Equal(2, lines.Count); // broken at (0, 5) and (1000, −1)
        Assert.Equal(3, Points(lines[0]).Count);
        Assert.Single(Points(lines[1]));
        Assert.Equal(plot.MapY(1), Points(lines[1])[0].Y, 3);
    }

    [Fact]
    public void LogLogFitRecoversAPowerLaw()
    {
        var fit = LogLogFit.Fit([1, 2, 4, 8], [3, 1.5, 0.75, 0.375]);
        Assert.Equal(-1, fit.Slope, 12);
        Assert.Equal(Math.Log(3), fit.Intercept, 12);
        Assert.Equal(1, fit.R2, 12);
        Assert.True(double.IsNaN(LogLogFit.Fit([1], [1]).Slope));
    }
}
