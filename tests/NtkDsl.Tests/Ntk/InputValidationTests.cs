using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Ntk;

public sealed class InputValidationTests
{
    private readonly ReluNet _model = new(1);

    [Fact]
    public void WrongFeatureCountNamesBothCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => _model.Forward(Zoo.RandomInputs(2, 4, 1)));
        Assert.Contains("4 features", ex.Message);
        Assert.Contains("Inputs = 3", ex.Message);
    }

    [Fact]
    public void EmptyBatchIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => _model.Ntk(Tensor.Zeros(0, 3)));
        Assert.Contains("empty batch", ex.Message);
    }

    [Fact]
    public void NonFiniteInputNamesTheFirstBadRow()
    {
        var x = Zoo.RandomInputs(5, 3, 2).ToArray();
        x[3, 1] = double.NaN;
        x[4, 0] = double.PositiveInfinity;
        var ex = Assert.Throws<ArgumentException>(() => _model.Ntk(Tensor.FromArray(x)));
        Assert.Contains("row 3, column 1", ex.Message);
    }

    [Fact]
    public void DiagonalModeRejectsASecondBatch()
    {
        var x = Zoo.RandomInputs(2, 3, 3);
        var ex = Assert.Throws<ArgumentException>(() => _model.Ntk(x, x, NtkMode.Diagonal));
        Assert.Contains("x2 == null", ex.Message);
    }

    [Fact]
    public void ShapeMismatchesOfTangentsAndCotangents()
    {
        var x = Zoo.RandomInputs(2, 3, 4);
        Assert.Contains("shape [" + ReluNet.Info.ParameterCount + "]", Assert.Throws<ArgumentException>(() => _model.Jvp(x, Tensor.Zeros(5))).Message);
        Assert.Contains("shape [2, 2]", Assert.Throws<ArgumentException>(() => _model.Vjp(x, Tensor.Zeros(3, 2))).Message);
    }

    [Fact]
    public void SetParametersWithTheWrongLengthSaysBothLengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => _model.SetParameters(new double[7]));
        Assert.Contains("length 7", ex.Message);
        Assert.Contains(ReluNet.Info.ParameterCount + " parameters", ex.Message);
        var bad = _model.GetParameters();
        bad[3] = double.NaN;
        Assert.Contains("parameter 3", Assert.Throws<ArgumentException>(() => _model.SetParameters(bad)).Message);
    }

    [Fact]
    public void GroupWeightsRejectUnknownNamesAndNegativeWeights()
    {
        var x = Zoo.RandomInputs(2, 3, 5);
        // The compile-time check (NTK1021) would reject this constant name; the run-time check is what is tested here.
#pragma warning disable NTK1021
        var ex = Assert.Throws<ArgumentException>(() => _model.Wntk(x, null, new GroupWeights().Weights("H3", 2.0)));
#pragma warning restore NTK1021
        Assert.Contains("'H3.Weights'", ex.Message);
        Assert.Contains("Did you mean", ex.Message); // one edit from H1.Weights / H2.Weights
#pragma warning disable NTK1021
        var far = Assert.Throws<ArgumentException>(() => _model.Wntk(x, null, new GroupWeights().Weights("Qqqqqqqqqqqqqq", 2.0)));
#pragma warning restore NTK1021
        Assert.DoesNotContain("Did you mean", far.Message);
        Assert.Contains("Valid groups:", far.Message);
        Assert.StartsWith("The weight of group H1.Bias must be finite and ≥ 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new GroupWeights().Bias("H1", -1.0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupWeights().Bias("H1", double.NaN));
        // With the model known, the group is named Model.Layer.Kind (the Model.Layer convention, the key as its tail).
        var w = Enumerable.Repeat(1.0, ReluNet.Info.Groups.Count).ToArray();
        w[1] = double.NaN;
        Assert.StartsWith($"The weight of group ReluNet.{ReluNet.Info.Groups[1].Key} must be finite and ≥ 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => GroupWeights.FromVector(ReluNet.Info, w)).Message, StringComparison.Ordinal);
    }
}
