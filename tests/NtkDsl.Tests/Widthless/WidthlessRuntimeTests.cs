using NtkDsl.IO;
using NtkDsl.Predict;
using NtkDsl.Tests.Support;
using NtkDsl.Training;
using NtkDsl.Wntk;

namespace NtkDsl.Tests.Widthless;

/// <summary>
/// The run-time contract of a model declared without Inputs (issue 15): argument errors that name the model, InfoFor and
/// CostFor, checkpoints whose fingerprint includes the width, and the INtkModel consumers (Trainer, LinearizedModel,
/// KernelStream, MonteCarloKernel, WntkLearner) giving what they give for the model declared with Inputs = d.
/// </summary>
public sealed class WidthlessRuntimeTests
{
    private static Tensor Inputs(int n, int d, int seed)
    {
        var values = new double[n * d];
        new NormalSampler(seed).FillNormal(values, 1.0);
        return Tensor.Wrap(values, n, d);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveInputsIsArgumentOutOfRangeNamingTheModel(int inputs)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WidthlessNet(inputs, 0));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("WidthlessNet", e.Message);
        Assert.Contains("must be positive", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthlessNet.InfoFor(inputs));
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthlessNet.CostFor(inputs));
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthlessNet.Load("unused.ckpt", inputs));
    }

    [Theory]
    [InlineData(134_217_728)]   // 16 · 2²⁷ = 2³¹: Hidden's weights alone are one value too many
    [InlineData(int.MaxValue)]
    public void AWidthWhoseParametersExceedInt32IsArgumentOutOfRangeNamingTheLimit(int inputs)
    {
        foreach (var call in new Action[] { () => _ = new WidthlessNet(inputs, 0), () => WidthlessNet.InfoFor(inputs), () => WidthlessNet.CostFor(inputs) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal("inputs", e.ParamName);
            Assert.Contains("WidthlessNet", e.Message);
            // 16·d + 162 parameters (InfoForAndCostForDescribeAnInstanceOfThatWidth): d ≤ (2,147,483,647 − 162) / 16.
            Assert.Contains("more than the 2,147,483,647 NtkDsl can index", e.Message);
            Assert.Contains("the largest input width this model can take is 134,217,717", e.Message);
            Assert.DoesNotContain("Arithmetic operation", e.Message);
        }
    }

    [Fact]
    public void AnAnalyticX1TooWideToLayOutNamesX1AndItsWidth()
    {
        // WidthlessWide's first layer holds 65,536·d weights: 2³¹ > int.MaxValue at d = 32,768 columns of x1.
        var x1 = Tensor.Zeros(1, 32_768);
        foreach (var call in new Action[] { () => WidthlessWide.AnalyticNtk(x1), () => WidthlessWide.AnalyticNngpDiagonal(x1) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains("WidthlessWide: x", e.Message);
            Assert.Contains("has 32,768 columns (the input width d that the analytic kernels read from it)", e.Message);
            // 65,536·d + 65,536 + 65,536 + 1 parameters: d ≤ (2,147,483,647 − 131,073) / 65,536 = 32,765.
            Assert.Contains("(65,536 per input feature + 131,073)", e.Message);
            Assert.Contains("the largest input width this model can take is 32,765", e.Message);
            Assert.DoesNotContain("Arithmetic operation", e.Message);
            Assert.StartsWith("x", e.ParamName);
            Assert.NotEqual("inputs", e.ParamName);
        }
    }

    [Fact]
    public void TheLargestWidthThatFitsIsLaidOutWithoutOverflow()
    {
        // 16·d + 16 + 8·16 + 2·8 + 2 parameters: d = 134,217,718 gives 2,147,483,650 > int.MaxValue in total, so the
        // largest laid-out width is smaller; 10,000,000 inputs give 160,000,162 parameters, counted exactly.
        Assert.Equal(16L * 10_000_000 + 16 + 8 * 16 + 2 * 8 + 2, WidthlessNet.InfoFor(10_000_000).ParameterCount);
    }

    [Fact]
    public void AnInputOfAnotherWidthIsAClearError()
    {
        var model = new WidthlessNet(13, 0);
        // The user never wrote Inputs: the message names the constructor argument (issue 15 follow-up).
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Inputs(2, 8, 1)));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("WidthlessNet: x has 8 features per row but this WidthlessNet was constructed with inputs: 13", e.Message);
        Assert.Contains("inputs: 8", e.Message);
        Assert.DoesNotContain("Inputs =", e.Message);
        var x2 = Assert.Throws<ArgumentException>(() => model.Ntk(Inputs(2, 13, 1), Inputs(2, 12, 2)));
        Assert.Equal("x2", x2.ParamName);
        Assert.Contains("x2 has 12 features per row but this WidthlessNet was constructed with inputs: 13", x2.Message);
        // The analytic kernels read d from x1; x2 must match it, and the message names both and their widths.
        foreach (var call in new Func<Tensor>[] { () => WidthlessNet.AnalyticNtk(Inputs(2, 13, 1), Inputs(2, 12, 2)), () => WidthlessNet.AnalyticNngp(Inputs(2, 13, 1), Inputs(2, 12, 2)) })
        {
            var a = Assert.Throws<ArgumentException>(() => call());
            Assert.Equal("x2", a.ParamName);
            Assert.Contains("x2 has 12 features per row but x1 has 13", a.Message);
            Assert.Contains("read the input width d from x1's columns", a.Message);
            Assert.DoesNotContain("Inputs =", a.Message);
        }
        var n = Assert.Throws<ArgumentNullException>(() => WidthlessNet.AnalyticNngp(null!));
        Assert.Contains("WidthlessNet", n.Message);
        Assert.Throws<ArgumentException>(() => WidthlessNet.AnalyticNtkDiagonal(Tensor.Zeros(4)));
    }

    [Fact]
    public void InfoForAndCostForDescribeAnInstanceOfThatWidth()
    {
        var model = new WidthlessNet(13, 0);
        Assert.Equal(model.Info.Fingerprint, WidthlessNet.InfoFor(13).Fingerprint);
        Assert.NotEqual(model.Info.Fingerprint, WidthlessNet.InfoFor(8).Fingerprint);
        Assert.Equal(13, WidthlessNet.InfoFor(13).Inputs);
        // P = 13·16 + 16 + 16·8 + 8·2 + 2, counted by hand.
        Assert.Equal(13 * 16 + 16 + 16 * 8 + 8 * 2 + 2, WidthlessNet.InfoFor(13).ParameterCount);
        Assert.Equal(3 * 16 + 16 + 16 * 8 + 8 * 2 + 2, new WidthlessNet(3, 0).Info.ParameterCount);
        Assert.Equal(WidthlessNet.InfoFor(13).ParameterCount, WidthlessNet.CostFor(13).ParameterCount);
        Assert.Equal(model.Cost.Ntk(100).Flops, WidthlessNet.CostFor(13).Ntk(100).Flops);
        Assert.True(WidthlessNet.CostFor(13).Ntk(100).Flops > WidthlessNet.CostFor(3).Ntk(100).Flops);
        // Instances of different widths side by side keep their own widths.
        var narrow = new WidthlessNet(3, 0);
        Assert.Equal(13, model.Info.Inputs);
        Assert.Equal(3, narrow.Info.Inputs);
        Assert.Equal(new[] { 2, 2 }, model.Forward(Inputs(2, 13, 3)).Shape.ToArray());
        Assert.Equal(new[] { 2, 2 }, narrow.Forward(Inputs(2, 3, 3)).Shape.ToArray());
    }

    [Fact]
    public void CloneKeepsTheWidthAndParameters()
    {
        var model = new WidthlessNet(13, 4);
        var copy = model.Clone();
        Assert.Equal(13, copy.Info.Inputs);
        Assert.Equal(model.GetParameters(), copy.GetParameters());
        var x = Inputs(3, 13, 5);
        Assert.Equal(model.Forward(x).ToFlatArray(), copy.Forward(x).ToFlatArray());
    }

    [Fact]
    public void ACheckpointOfOneWidthDoesNotLoadIntoAnother()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntkdsl-widthless-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "m13.ckpt");
            var model = new WidthlessNet(13, 7);
            model.Save(path);
            var e = Assert.Throws<CheckpointMismatchException>(() => WidthlessNet.Load(path, 8));
            Assert.Contains("inputs", e.Message);
            Assert.Contains("13", e.Message);
            Assert.Contains("8", e.Message);
            // Without a width, Load takes the file's.
            var loaded = WidthlessNet.Load(path);
            Assert.Equal(13, loaded.Info.Inputs);
            Assert.Equal(model.GetParameters(), loaded.GetParameters());
            Assert.Equal(model.GetParameters(), WidthlessNet.Load(path, 13).GetParameters());
            // Another class of the same architecture and width is still another model.
            Assert.Throws<CheckpointMismatchException>(() => DeclaredNet13.Load(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TrainingAWidthlessModelOnAnotherWidthNamesTheConstructorArgument()
    {
        // Trainer checks x against ModelInfo.Inputs with the generic check; its message must not claim the user wrote
        // "Inputs = 13" as the only source of the width (the sibling of the Forward message above).
        var model = new WidthlessNet(13, 9);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { LearningRate = 0.1 }).Train(model, Inputs(4, 8, 63), Inputs(4, 2, 64), steps: 1));
        Assert.Contains("x has 8 features per row", e.Message);
        Assert.Contains("takes rows of 13 features", e.Message);
        Assert.Contains("inputs: 13 given at construction", e.Message);
        Assert.DoesNotContain("the model has Inputs", e.Message);
    }

    [Fact]
    public void TrainerAndLinearizedModelMatchTheDeclaredModel()
    {
        var declared = new DeclaredNet13(9);
        var widthless = new WidthlessNet(13, 9);
        var x = Inputs(8, 13, 61);
        var y = Inputs(8, 2, 62);
        var options = new TrainerOptions { LearningRate = 0.1 };
        var rd = new Trainer(options).Train(declared, x, y, steps: 5);
        var rw = new Trainer(options).Train(widthless, x, y, steps: 5);
        Close.Relative(declared.GetParameters(), widthless.GetParameters(), 1e-12, "trained parameters");
        Close.Relative(rd.History.Select(p => p.Loss).ToArray(), rw.History.Select(p => p.Loss).ToArray(), 1e-12, "loss history");
        var ld = declared.Linearize();
        var lw = widthless.Linearize();
        Close.Relative(ld.Forward(x), lw.Forward(x), 1e-12, "linearized forward");
    }

    [Fact]
    public void KernelStreamMonteCarloAndWntkLearnerMatchTheDeclaredModel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntkdsl-widthless-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var declared = new DeclaredNet13(2);
            var widthless = new WidthlessNet(13, 2);
            var x = Inputs(9, 13, 71);
            KernelStream.NtkToNpy(widthless, Path.Combine(dir, "w.npy"), x);
            Close.Relative(declared.Ntk(x), NpyFile.Read(Path.Combine(dir, "w.npy")), 1e-12, "streamed NTK");

            var md = MonteCarloKernel.Estimate(seed => new DeclaredNet13(seed), x, samples: 3);
            var mw = MonteCarloKernel.Estimate(seed => new WidthlessNet(13, seed), x, samples: 3);
            Close.Relative(md.Ntk, mw.Ntk, 1e-12, "Monte Carlo NTK");
            Close.Relative(md.Nngp, mw.Nngp, 1e-12, "Monte Carlo NNGP");

            var y = Inputs(9, 1, 72);
            var learner = new WntkLearner(new KernelTargetAlignmentObjective());
            var wd = learner.Learn(declared.NtkPerGroup(x), y);
            var ww = learner.Learn(widthless.NtkPerGroup(x), y);
            Assert.Equal(wd.GroupNames, ww.GroupNames);
            Close.Relative(wd.Weights.ToArray(), ww.Weights.ToArray(), 1e-9, "learned WNTK weights");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
