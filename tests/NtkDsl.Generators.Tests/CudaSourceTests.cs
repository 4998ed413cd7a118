using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// The model's CUDA C part file (<c>….Cuda.g.cs</c>, CudaEmitter): emitted once per Dense model and none for InputShape
/// models, follows the custom activation's C#, stays cached on unrelated edits, and its member names cannot collide.
/// Its text is pinned by the snapshots (SnapshotTests) and executed with g++ in NtkDsl.Cuda.Tests.
/// </summary>
public sealed class CudaSourceTests
{
    private static string? CudaPart(GeneratorDriverRunResult result) =>
        result.Results.Single().GeneratedSources.Where(s => s.HintName.EndsWith(".Cuda.g.cs", StringComparison.Ordinal))
            .Select(s => s.SourceText.ToString()).SingleOrDefault();

    [Fact]
    public void EachModelGetsOneCudaPartAndSpatialAndWidthlessModelsOnlyTheirActivations()
    {
        var dense = GeneratorHarness.Generate(SnapshotTests.Mlp);
        string cuda = CudaPart(dense.Result) ?? throw new Xunit.Sdk.XunitException("no .Cuda.g.cs for Mlp");
        Assert.Contains("partial class Mlp : global::NtkDsl.IDeviceSource", cuda);
        Assert.Contains("extern \"C\" __global__ void ntk_analytic_pair(", cuda);
        Assert.Contains("public static string? CudaAnalyticUnsupportedReason => null;", cuda);
        // Models on the SpatialNetwork engine: φ/φ' and ntk_act_l_d of each layer with parameters, l its index in the plan
        // (Features is layer 0, Readout layer 2 after the GlobalAvgPool); no IDeviceSource, no infinite-width kernels.
        var spatial = GeneratorHarness.Generate(SnapshotTests.SpatialGap);
        Assert.Empty(spatial.GeneratorDiagnostics);
        string spatialCuda = CudaPart(spatial.Result) ?? throw new Xunit.Sdk.XunitException("no .Cuda.g.cs for Cntk");
        Assert.Contains("private const string __ntkCudaSource", spatialCuda);
        Assert.DoesNotContain("IDeviceSource", spatialCuda);
        Assert.Contains("double ntk_phi_0(double z) { return z / (1.0 + exp(-z)); }", spatialCuda); // the custom Swish
        Assert.Contains("extern \"C\" __global__ void ntk_act_0_d(const double* __restrict__ pre, double* __restrict__ act,", spatialCuda);
        Assert.Contains("extern \"C\" __global__ void ntk_act_2_d(", spatialCuda);
        Assert.DoesNotContain("ntk_act_1_d", spatialCuda);
        Assert.DoesNotContain("_f(", spatialCuda); // float64 only
        Assert.DoesNotContain("ntk_analytic_pair", spatialCuda);
        var widthless = GeneratorHarness.Generate(SnapshotTests.Widthless);
        Assert.Empty(widthless.GeneratorDiagnostics);
        string widthlessCuda = CudaPart(widthless.Result) ?? throw new Xunit.Sdk.XunitException("no .Cuda.g.cs for the width-less model");
        Assert.Contains("ntk_act_0_d", widthlessCuda);
    }

    [Fact]
    public void TheCustomActivationsDeviceTextFollowsItsCSharp()
    {
        string Cuda(string body) =>
            CudaPart(GeneratorHarness.Generate(SnapshotTests.Custom.Replace("x / (1.0 + Math.Exp(-x))", body, StringComparison.Ordinal)).Result)!;
        string swish = Cuda("x / (1.0 + Math.Exp(-x))");
        Assert.Contains("double ntk_phi_0(double z) { return z / (1.0 + exp(-z)); }", swish);
        string scaled = Cuda("x * x / (2.0 + Math.Abs(x))");
        Assert.Contains("double ntk_phi_0(double z) { return __dmul_rn(z, z) / (2.0 + fabs(z)); }", scaled);
        Assert.Contains("ntk_sign(z)", scaled); // d|x|/dx
        // A custom activation has no device dual: the source says so and carries no recursion.
        Assert.Contains("No infinite-width kernels: Smooth: layer Hidden uses activation Swish", swish);
        Assert.DoesNotContain("ntk_analytic_pair", swish);
    }

    [Fact]
    public void AnUnrelatedEditRerunsNothingAndKeepsTheCudaPart()
    {
        var result = IncrementalRuns.EditLast([SnapshotTests.Custom, SnapshotTests.StandardNoBias, IncrementalRuns.Unrelated], _ => IncrementalRuns.UnrelatedEdited, out var first);
        static string Cuda(GeneratorRunResult r) =>
            string.Join("\n", r.GeneratedSources.Where(s => s.HintName.EndsWith(".Cuda.g.cs", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        Assert.Equal(2, result.GeneratedSources.Count(s => s.HintName.EndsWith(".Cuda.g.cs", StringComparison.Ordinal)));
        Assert.Equal(Cuda(first), Cuda(result));
        IncrementalRuns.AssertNothingReran(result);
    }

    [Fact]
    public void AUserMemberNamedLikeTheDeviceMembersIsReportedNotACompileError()
    {
        var run = GeneratorHarness.Generate("""
            using NtkDsl;
            [NtkModel(Inputs = 3)]
            public partial class M
            {
                public static string CudaSource => "mine";
                [Dense(2)] public partial DenseLayer Readout { get; }
            }
            """);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NTK1025" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("CudaSource", StringComparison.Ordinal));
        Assert.DoesNotContain(run.CompileDiagnostics, d => d.Id == "CS0102");
    }
}
