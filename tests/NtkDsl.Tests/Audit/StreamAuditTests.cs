using NtkDsl.IO;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// Weighted kernels streamed to .npy in row blocks that do not divide N, with N crossing the in-memory tiles (Trace
/// 1024, Full 512), against the in-memory kernel. The existing KernelStreamModelTests use 13 × 9 rows (one tile).
/// A symmetric kernel streamed in row blocks is assembled from cross blocks (rows i₀…i₁ against all of x1), so
/// entry (i, j) and (j, i) come from different blocks: they may differ by rounding, which is measured here (the
/// kernel consumers accept asymmetry up to 1e-10, <c>KernelInput.SymmetryTolerance</c>).
/// </summary>
public sealed class StreamAuditTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntk-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GroupWeights Weights() => new GroupWeights().Weights("H1", 0.3).Bias("H1", 2.5).Weights("H2", 0.0).Weights("Out", 1.7).Bias("Out", 0.05);

    [Theory]
    [InlineData(NtkMode.Trace, 1100, 0, 333)]
    [InlineData(NtkMode.Trace, 1100, 577, 1)]
    [InlineData(NtkMode.Full, 600, 0, 257)]
    [InlineData(NtkMode.Full, 600, 131, 599)]
    [InlineData(NtkMode.Diagonal, 1100, 0, 333)]
    [InlineData(NtkMode.DiagonalFull, 600, 0, 257)]
    public void StreamedWntkEqualsTheInMemoryKernel(NtkMode mode, int n, int n2, int blockRows)
    {
        var model = new AuditMlp(41);
        var x1 = AuditReference.Inputs(n, 5, 1000);
        var x2 = n2 == 0 ? null : AuditReference.Inputs(n2, 5, 1001);
        if (blockRows == 1) x1 = x1.SliceRows(0, 40); // one-row blocks: keep the run short
        string path = Path.Combine(_dir, "w.npy");
        KernelStream.WntkToNpy(model, path, x1, x2, Weights(), mode, new KernelStreamOptions { BlockRows = blockRows });
        var streamed = NpyFile.Read(path);
        var memory = model.Wntk(x1, x2, Weights(), mode);
        Assert.Equal(memory.Shape.ToArray(), streamed.Shape.ToArray());
        AuditReference.Check(output, memory.ToFlatArray(), streamed.ToFlatArray(), 1e-12, $"stream {mode} {x1.Rows}x{x2?.Rows ?? x1.Rows} blocks {blockRows}");
        if (x2 is null && mode is NtkMode.Trace or NtkMode.Full)
        {
            int rows = x1.Rows, kk = mode == NtkMode.Full ? 9 : 1;
            var s = streamed.ToFlatArray();
            double asym = 0, scale = 0;
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < i; j++)
                    for (int c = 0; c < kk; c++)
                    {
                        int c1 = c / 3, c2 = c % 3;
                        double a = kk == 1 ? s[i * rows + j] : s[((i * rows + j) * 3 + c1) * 3 + c2];
                        double b = kk == 1 ? s[j * rows + i] : s[((j * rows + i) * 3 + c2) * 3 + c1];
                        asym = Math.Max(asym, Math.Abs(a - b));
                        scale = Math.Max(scale, Math.Abs(a));
                    }
            output.WriteLine($"streamed symmetric {mode}: max |K_ij − K_ji| / max|K| = {asym / scale:E2}");
            Assert.True(asym <= 1e-13 * scale, $"asymmetry {asym / scale:E3}");
        }
    }
}
