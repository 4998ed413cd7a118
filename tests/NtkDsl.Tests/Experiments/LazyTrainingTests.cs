using NtkDsl.Experiments;
using NtkDsl.IO;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Experiments;

public sealed class LazyTrainingTests
{
    private readonly ITestOutputHelper _out;

    public LazyTrainingTests(ITestOutputHelper output) => _out = output;

    /// <summary>n points in R³ with target sin(x·v), v = (0.8, −0.5, 0.3).</summary>
    internal static (Tensor X, Tensor Y, Tensor XTest) Data(int n, int m)
    {
        var x = Zoo.RandomInputs(n, 3, 101);
        var y = Tensor.FromArray(Enumerable.Range(0, n).Select(i => Math.Sin(0.8 * x[i, 0] - 0.5 * x[i, 1] + 0.3 * x[i, 2])).ToArray(), n, 1);
        return (x, y, Zoo.RandomInputs(m, 3, 102));
    }

    [Fact]
    public void ErrorFallsLikeOneOverAlphaAndTheBoundsHoldInEveryRun()
    {
        var (x, y, xTest) = Data(12, 8);
        var result = LazyTraining.Run(new LazyTwoLayer(7), x, y, xTest, new LazyTrainingOptions
        {
            Alphas = [4, 8, 16, 32],
            Horizons = [1, 4],
            PointsPerDecade = 2,
        });
        foreach (var s in result.Slopes)
        {
            _out.WriteLine($"T = {s.Horizon}: train slope {s.TrainSlope:F3}, test slope {s.TestSlope:F3}, collapse {s.CollapseRatio:F3}, drift {string.Join(", ", s.KernelDrift.Select(d => d.ToString("E2")))}");
            Assert.InRange(s.TrainSlope, -1.2, -0.8);
            Assert.InRange(s.TestSlope, -1.2, -0.8);
            Assert.True(s.KernelDrift[^1] < s.KernelDrift[0] / 4, "the kernel drifts less at larger α");
        }
        _out.WriteLine($"movement ratio {result.MaxMovementRatio:F3}, error/cap {result.MaxErrorCapRatio:E2}");
        Assert.True(result.MovementBoundHolds, $"movement ratio {result.MaxMovementRatio}");
        Assert.True(result.ErrorCapHolds, $"error/cap {result.MaxErrorCapRatio}");
        foreach (var run in result.Runs)
        {
            Assert.True(run.Points[0].TrainError < 1e-12, "the centred models start together");
            Assert.All(run.Points, p => Assert.True(p.Movement <= p.MovementBound, $"α = {run.Alpha}, τ = {p.Time}: {p.Movement} > {p.MovementBound}"));
            Assert.True(run.Points[^1].Risk < run.Points[0].Risk, "training reduces the risk");
        }
        Assert.Equal(0.5 * y.ToFlatArray().Sum(v => v * v), result.R0, 12);
    }

    [Fact]
    public void GradientFlowModeGivesTheSameLawAndBounds()
    {
        var (x, y, _) = Data(8, 0);
        var result = LazyTraining.Run(new LazyTwoLayer(8), x, y, null, new LazyTrainingOptions
        {
            Alphas = [8, 32],
            Horizons = [1],
            PointsPerDecade = 1,
            KernelDrift = false,
            Integrator = LazyIntegrator.GradientFlow,
            FlowRelativeTolerance = 1e-8,
            FlowAbsoluteTolerance = 1e-11,
        });
        _out.WriteLine($"slope {result.Slopes[0].TrainSlope:F3}, movement ratio {result.MaxMovementRatio:F3}");
        Assert.InRange(result.Slopes[0].TrainSlope, -1.2, -0.8);
        Assert.True(result.MovementBoundHolds);
        Assert.True(result.ErrorCapHolds);
        Assert.True(double.IsNaN(result.Runs[0].Points[^1].TestError));
    }

    [Fact]
    public void ReportWritesCurvesSlopesJsonAndPlots()
    {
        var (x, y, xTest) = Data(6, 3);
        var model = new LazyTwoLayer(9);
        var result = LazyTraining.Run(model, x, y, xTest, new LazyTrainingOptions { Alphas = [2, 4], Horizons = [0.5], PointsPerDecade = 1 });
        var witness = new QuadraticWitness(4, 6, 1.0, 3);
        var wp = witness.Run([2, 4], [1], gridPoints: 10);
        string dir = Path.Combine(Path.GetTempPath(), "ntkdsl-lazy-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = LazyTrainingReport.Write(dir, RunMetadata.For(LazyTwoLayer.Info, seed: 9), result, witness, wp);
            Assert.All(files, f => Assert.True(File.Exists(f), f));
            var curves = ResultReader.ReadCsv(Path.Combine(dir, "lazy_curves.csv"));
            Assert.Equal(result.Runs.Sum(r => r.Points.Count), curves.Rows.Count);
            Assert.Equal(result.Runs[1].Points[^1].TrainError, curves.GetDouble(curves.Rows.Count - 1, "train_error"));
            Assert.Equal("GradientDescent", curves.Metadata.Values["integrator"]);
            Assert.Equal(2, ResultReader.ReadCsv(Path.Combine(dir, "quadratic_witness.csv")).Rows.Count);
            var doc = ResultReader.ReadJson(Path.Combine(dir, "lazy_training.json"));
            Assert.Equal(result.R0, doc.Results.GetProperty("r0").GetDouble());
            foreach (var svg in files.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)))
                Assert.Equal(2, System.Xml.Linq.XDocument.Load(svg).Root!.Elements().Count(e => e.Name.LocalName == "polyline"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheReason()
    {
        var (x, y, _) = Data(4, 0);
        var ex = Assert.Throws<ArgumentException>(() => LazyTraining.Run(new LazyTwoLayer(1), x, y, null, new LazyTrainingOptions { Alphas = [4, 2] }));
        Assert.Contains("ascending", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => LazyTraining.Run(new LazyTwoLayer(1), x, y, null, new LazyTrainingOptions { StepFraction = 1 }));
    }
}

public sealed class LazyClosedFormTests
{
    [Fact]
    public void FunctionSpaceLinearizationEqualsTrainingTheLinearizedModelInWeightSpace()
    {
        var (x, y, xTest) = LazyTrainingTests.Data(6, 4);
        LazyTrainingResult Run(bool weightSpace) => LazyTraining.Run(new LazyTwoLayer(3), x, y, xTest, new LazyTrainingOptions
        {
            Alphas = [2, 8],
            Horizons = [0.5, 2],
            PointsPerDecade = 2,
            KernelDrift = false,
            LinearizationInWeightSpace = weightSpace,
        });
        var a = Run(false);
        var b = Run(true);
        for (int r = 0; r < 2; r++)
            for (int i = 1; i < a.Runs[r].Points.Count; i++)
            {
                var (p, q) = (a.Runs[r].Points[i], b.Runs[r].Points[i]);
                Assert.Equal(q.Time, p.Time);
                Assert.Equal(q.LinearRisk, p.LinearRisk, 1e-10 * q.LinearRisk);
                Assert.Equal(q.TrainError, p.TrainError, 1e-7 * q.TrainError);
                Assert.Equal(q.TestError, p.TestError, 1e-7 * q.TestError);
            }
    }
}
