using NtkDsl.Tests.Support;
using NtkDsl.Training;

namespace NtkDsl.Tests.Training;

/// <summary>[NtkModel(OutputScale, Centered)] reach the trainer unless its options override them.</summary>
public sealed class DeclaredOptionsTests
{
    [Fact]
    public void TheModelsDeclaredScaleAndCentringAreTheTrainersDefaults()
    {
        Assert.Equal(4.0, DeclaredLazyNet.Info.OutputScale);
        Assert.True(DeclaredLazyNet.Info.Centered);
        var x = Zoo.RandomInputs(6, 3, 70);
        var y = Zoo.RandomInputs(6, 1, 71);
        double yy = y.ToFlatArray().Sum(v => v * v);

        // Centred: the trained function starts at 0, so F(w0) = (1/α²)(1/2N)‖y‖² with the declared α = 4.
        var declared = new Trainer(new TrainerOptions { LearningRate = 0.01, CheckStability = false })
            .Train(new DeclaredLazyNet(1), x, y, steps: 0);
        Assert.Equal(yy / (16.0 * 2 * 6), declared.History[0].Loss, 1e-12);

        // Explicit options win: α = 1, not centred → F(w0) = (1/2N)‖f(w0) − y‖².
        var model = new DeclaredLazyNet(1);
        var f0 = model.Forward(x).ToFlatArray();
        double r = f0.Zip(y.ToFlatArray(), (a, b) => (a - b) * (a - b)).Sum();
        var overridden = new Trainer(new TrainerOptions { LearningRate = 0.01, OutputScale = 1.0, Centered = false, CheckStability = false })
            .Train(model, x, y, steps: 0);
        Assert.Equal(r / (2 * 6), overridden.History[0].Loss, 1e-12);
    }
}
