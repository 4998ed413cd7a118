using NtkDsl.Tests.AnalyticModels;
using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Analytic;

/// <summary>The generated Analytic* methods report progress (tables, then rows) and honour cancellation.</summary>
public sealed class AnalyticProgressTests
{
    private sealed class Recorder : IProgress<NtkProgress>
    {
        public List<NtkProgress> Reports { get; } = [];
        public void Report(NtkProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }

    [Fact]
    public void TablesAndRowsAreReported()
    {
        var x = Zoo.RandomInputs(130, 3, 7);
        var recorder = new Recorder();
        var theta = TanhNet.AnalyticNtk(x, null, recorder);
        Assert.Equal(130, theta.Rows);
        var tables = recorder.Reports.Where(r => r.Stage == "Analytic dual tables").ToList();
        Assert.Equal([1L, 2L], tables.Select(t => t.Done).Order());
        Assert.All(tables, t => Assert.Equal(2, t.Total));
        var rows = recorder.Reports.Where(r => r.Stage == "Analytic kernel rows").ToList();
        Assert.Contains(rows, r => r.Done == 130 && r.Total == 130);
        Assert.Equal(3, rows.Count); // 64, 128, 130
    }

    [Fact]
    public void CancellationStopsTheCall()
    {
        var x = Zoo.RandomInputs(40, 2, 8);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => GeluOneLayer.AnalyticNtk(x, null, null, cts.Token));
    }
}
