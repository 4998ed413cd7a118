using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Ntk;

/// <summary>Every field of ../shared/fixtures (PyTorch autograd, float64) reproduced after SetParameters.</summary>
public sealed class FixtureTests
{
    public static TheoryData<string> Names => new() { "relu_ntk", "relu_standard", "erf_tanh_ntk", "deep_relu_erf_ntk" };

    internal static INtkModel Create(string name) => name switch
    {
        "relu_ntk" => new ReluNtk(0),
        "relu_standard" => new ReluStandard(0),
        "erf_tanh_ntk" => new ErfTanhNtk(0),
        "deep_relu_erf_ntk" => new DeepReluErfNtk(0),
        _ => throw new ArgumentException(name),
    };

    private static (INtkModel Model, System.Text.Json.JsonElement Fixture) Load(string name)
    {
        var fx = SharedData.Fixture(name);
        var model = Create(name);
        model.SetParameters(SharedData.Flat(fx.GetProperty("parameters")));
        return (model, fx);
    }

    [Theory, MemberData(nameof(Names))]
    public void ArchitectureMatchesTheFixture(string name)
    {
        var fx = SharedData.Fixture(name);
        var model = Create(name);
        var spec = fx.GetProperty("model");
        Assert.Equal(spec.GetProperty("inputs").GetInt32(), model.Info.Inputs);
        Assert.Equal(spec.GetProperty("parameterization").GetString(), model.Info.Parameterization.ToString());
        var layers = spec.GetProperty("layers");
        Assert.Equal(layers.GetArrayLength(), model.Info.Layers.Count);
        for (int i = 0; i < model.Info.Layers.Count; i++)
        {
            Assert.Equal(layers[i].GetProperty("width").GetInt32(), model.Info.Layers[i].Width);
            Assert.Equal(layers[i].GetProperty("activation").GetString(), model.Info.Layers[i].Activation.ToString());
            Assert.Equal(layers[i].GetProperty("w_std").GetDouble(), model.Info.Layers[i].WeightStd);
            Assert.Equal(layers[i].GetProperty("b_std").GetDouble(), model.Info.Layers[i].BiasStd);
        }
        Assert.Equal(fx.GetProperty("parameters").GetArrayLength(), model.Info.ParameterCount);
    }

    [Theory, MemberData(nameof(Names))]
    public void ForwardMatches(string name)
    {
        var (model, fx) = Load(name);
        var x1 = SharedData.Tensor(fx.GetProperty("x1"));
        var expected = SharedData.Tensor(fx.GetProperty("forward_x1"));
        Close.Relative(expected.Reshape(x1.Rows, model.Info.Outputs), model.Forward(x1), 1e-10, "forward");
    }

    [Theory, MemberData(nameof(Names))]
    public void JacobianMatches(string name)
    {
        var (model, fx) = Load(name);
        var x1 = SharedData.Tensor(fx.GetProperty("x1"));
        Close.Relative(SharedData.Tensor(fx.GetProperty("jacobian_x1")), model.Jacobian(x1), 1e-10, "jacobian");
    }

    [Theory, MemberData(nameof(Names))]
    public void NtkMatchesInEveryMode(string name)
    {
        var (model, fx) = Load(name);
        var x1 = SharedData.Tensor(fx.GetProperty("x1"));
        var x2 = SharedData.Tensor(fx.GetProperty("x2"));
        Close.Relative(SharedData.Tensor(fx.GetProperty("ntk_full_x1_x2")), model.Ntk(x1, x2, NtkMode.Full), 1e-10, "full");
        Close.Relative(SharedData.Tensor(fx.GetProperty("ntk_trace_x1_x2")), model.Ntk(x1, x2, NtkMode.Trace), 1e-10, "trace");
        Close.Relative(SharedData.Tensor(fx.GetProperty("ntk_trace_x1_x1")), model.Ntk(x1), 1e-10, "trace symmetric");
    }
}
