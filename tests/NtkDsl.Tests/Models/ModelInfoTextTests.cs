using NtkDsl.Tests.Layers;

namespace NtkDsl.Tests.Models;

/// <summary>
/// <see cref="ModelInfo.ToString"/> and <see cref="LayerInfo.ToString"/> speak one set of units: sizes are features (a
/// flat vector) or height×width×channels (an image), never a Conv2D's channel count beside flattened sizes. The expected
/// texts are written from the declarations by hand (shapes as in <see cref="SpatialModels"/>' comments).
/// </summary>
public sealed class ModelInfoTextTests
{
    [Fact]
    public void DenseModelTextCountsFeatures()
    {
        // 3 → 5 (ReLU) → 2: 3·5 + 5 + 5·2 + 2 = 32 parameters.
        Assert.Equal("ReluNtk: 3 features → 5 features (Hidden, Dense, Relu) → 2 features (Readout, Dense, Identity); 32 parameters, Ntk parameterization, Float64",
            ReluNtk.Info.ToString());
        Assert.Equal("Hidden: Dense, 3 → 5 features, Relu, 20 parameters", ReluNtk.Info.Layers[0].ToString());
        Assert.Null(ReluNtk.Info.Layers[0].OutputShape);
    }

    [Fact]
    public void SpatialModelTextGivesEveryOutputAsAShape()
    {
        var info = SpatialModels.Create("Mixed").Info;
        Assert.Equal(
            "Mixed: 6×5×2 → 6×5×3 (C1, Conv2D, Tanh) → 6×5×3 (C2, Conv2D, Softplus) → 6×5×3 (Skip, Add) → 6×5×3 (Norm, LayerNorm) "
            + "→ 3×2×3 (Pool, AvgPool2D) → 2×1×4 (C3, Conv2D, Tanh) → 8 features (Flat, Flatten) → 5 features (Hidden, Dense, Tanh) "
            + "→ 3 features (Out, Dense, Identity); 268 parameters, Ntk parameterization, Float64",
            info.ToString());
        // C1: 3 channels of 3·3·2 weights plus 3 biases; C2 has no bias (3·2·2·3); Hidden 8 → 5.
        Assert.Equal("C1: Conv2D, output 6×5×3, fan-in 18 (kernel height·width·input channels), Tanh, 57 parameters", info.Layers[0].ToString());
        Assert.Equal("C2: Conv2D, output 6×5×3, fan-in 12 (kernel height·width·input channels), Softplus, 36 parameters", info.Layers[1].ToString());
        Assert.Equal("Pool: AvgPool2D, output 3×2×3, no parameters", info.Layers[4].ToString());
        Assert.Equal("Flat: Flatten, output 8 features, no parameters", info.Layers[6].ToString());
        Assert.Equal("Hidden: Dense, 8 → 5 features, Tanh, 45 parameters", info.Layers[7].ToString());
        Assert.Equal(new[] { 1, 1, 3 }, info.Layers[8].OutputShape!.ToArray());
    }

    [Fact]
    public void OneByOneImageInputIsFeatures()
    {
        var info = SpatialModels.Create("DenseOnly").Info;
        Assert.StartsWith("DenseOnly: 4 features → ", info.ToString());
        Assert.DoesNotContain("1×1×", info.ToString());
    }
}
