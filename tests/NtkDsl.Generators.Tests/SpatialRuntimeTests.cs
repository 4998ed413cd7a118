using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using NtkDsl.Layers;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// Run-time behaviour of generated spatial models: the generated class, compiled and loaded, against a SpatialNetwork
/// built in the test from the same LayerSpecs (written by hand here, not taken from the generator), and the generated
/// Ntk against J·Jᵀ from the generated Jacobian. These run the run time's SpatialNetwork, so they need its
/// implementation (issue 14, built concurrently): until it is merged they fail with NotImplementedException.
/// </summary>
public sealed class SpatialRuntimeTests
{
    private static INtkModel Build(string source, string typeName, int seed)
    {
        var run = GeneratorHarness.Generate(source);
        Assert.Empty(run.GeneratorDiagnostics);
        using var pe = new MemoryStream();
        var emit = run.Output.Emit(pe);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var context = new AssemblyLoadContext("Spatial" + typeName, isCollectible: true);
        var type = context.LoadFromStream(new MemoryStream(pe.ToArray())).GetType(typeName, throwOnError: true)!;
        try
        {
            return (INtkModel)Activator.CreateInstance(type, seed, null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static LayerActivation Act(Activation kind, Func<double, double> phi, Func<double, double> d) => new(kind, kind.ToString(), phi, d);

    /// <summary>The plan of SnapshotTests.SpatialEveryKind, written out by hand.</summary>
    private static SpatialNetwork EveryKindByHand()
    {
        var relu = Act(Activation.Relu, z => z > 0 ? z : 0, z => z > 0 ? 1 : 0);
        var erf = Act(Activation.Erf, NtkDsl.Kernels.Special.Erf, z => NtkDsl.Kernels.Special.TwoOverSqrtPi * Math.Exp(-z * z));
        var tanh = Act(Activation.Tanh, Math.Tanh, z => 1 - Math.Tanh(z) * Math.Tanh(z));
        var identity = Act(Activation.Identity, z => z, _ => 1);
        return new SpatialNetwork("ResNetTiny", [8, 8, 3], Parameterization.Ntk, Precision.Float64, 1.0, false,
        [
            new Conv2DSpec("C1", 4, 3, 1, Padding.Same, relu, 1.5, 0.1, true),
            new Conv2DSpec("C2", 4, 3, 1, Padding.Circular, erf, 2.0, 0.1, true),
            new AddSpec("Skip", "C1"),
            new LayerNormSpec("Norm", 1e-6),
            new AvgPool2DSpec("Pool", 2, 2, Padding.Valid),
            new FlattenSpec("Flat"),
            new DenseSpec("Hidden", 16, tanh, 1.5, 0.1, true),
            new DenseSpec("Readout", 10, identity, 1.5, 0.1, true),
        ]);
    }

    private static Tensor Inputs(int rows, int features, int seed)
    {
        var r = new Random(seed);
        var x = new double[rows * features];
        for (int i = 0; i < x.Length; i++) x[i] = r.NextDouble() * 2 - 1;
        return Tensor.Wrap(x, rows, features);
    }

    [Fact]
    public void GeneratedModelDelegatesToTheNetworkOfItsLayers()
    {
        var model = Build(SnapshotTests.SpatialEveryKind, "Demo.Vision.ResNetTiny", seed: 7);
        var net = EveryKindByHand();
        var parameters = net.InitializeParameters(new NormalSampler(7));
        Assert.Equal(parameters.SelectMany(p => p).ToArray(), model.GetParameters());
        Assert.Equal(1470, model.GetParameters().Length);
        Assert.Equal(net.Info.Fingerprint, model.Info.Fingerprint);
        var x = Inputs(3, 192, 1);
        Assert.Equal(net.Forward(parameters, x).ToFlatArray(), model.Forward(x).ToFlatArray());
        var ones = Enumerable.Repeat(1.0, 8).ToArray();
        Assert.Equal(net.Ntk(parameters, x, null, NtkMode.Trace, ones, false, null, default)[0].ToFlatArray(), model.Ntk(x).ToFlatArray());
    }

    [Fact]
    public void GeneratedNtkEqualsJacobianProducts()
    {
        var model = Build(SnapshotTests.SpatialGap, "Demo.Vision.Cntk", seed: 3);
        var x = Inputs(4, 9 * 7 * 2, 2);
        var j = model.Jacobian(x).ToFlatArray(); // N × K × P
        int n = 4, k = 2, p = model.GetParameters().Length;
        var ntk = model.Ntk(x, mode: NtkMode.Full).ToFlatArray(); // N × N × K × K
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int c = 0; c < k; c++)
                    for (int d = 0; d < k; d++)
                    {
                        double dot = 0;
                        for (int q = 0; q < p; q++) dot += j[(a * k + c) * p + q] * j[(b * k + d) * p + q];
                        Assert.Equal(dot, ntk[((a * n + b) * k + c) * k + d], 1e-10 * Math.Max(1, Math.Abs(dot)));
                    }
    }

    [Fact]
    public void StaticMembersAndInputChecks()
    {
        var model = Build(SnapshotTests.SpatialGap, "Demo.Vision.Cntk", seed: 3);
        Assert.Equal([9, 7, 2], model.Info.InputShape!);
        var wrong = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 10)));
        Assert.Contains("126", wrong.Message);
        var clone = model.Clone();
        Assert.Equal(model.GetParameters(), clone.GetParameters());
    }
}
