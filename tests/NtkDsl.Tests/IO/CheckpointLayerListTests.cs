using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

// Four small models with 16 inputs each, saved and loaded into one another. Parameter counts by hand:
// CkptMlp 16·8+8 + 8·8+8 + 8·2+2 = 226; CkptCnn Conv2D 3×3, 1→2 channels 9·2+2 = 20, Same padding keeps 4×4×2 = 32
// values, Dense 32·2+2 = 66: 86; CkptDeeperMlp 226 + 8·8+8 = 298; CkptWideMlp 16·12+12 + 12·8+8 + 18 = 326.
[NtkModel(Inputs = 16)]
public partial class CkptMlp
{
    [Dense(8, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(8, Activation.Relu)] public partial DenseLayer H2 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 4, 4, 1 })]
public partial class CkptCnn
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 16)]
public partial class CkptDeeperMlp
{
    [Dense(8, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(8, Activation.Relu)] public partial DenseLayer H2 { get; }
    [Dense(8, Activation.Relu)] public partial DenseLayer H3 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(Inputs = 16)]
public partial class CkptWideMlp
{
    [Dense(12, Activation.Relu)] public partial DenseLayer H1 { get; }
    [Dense(8, Activation.Relu)] public partial DenseLayer H2 { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>
/// A checkpoint loaded into a model whose layer list differs (kinds or count) says so first, in one plain line naming both
/// lists, and compares no per-layer fields (a new-user trial got 16 positional differences such as a Flatten's "weight
/// std" against a Dense layer's); the same kinds with another width still list each field. Real saves and loads of
/// generated models; expected lists written out by hand from the declarations above.
/// </summary>
public sealed class CheckpointLayerListTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-ckpt-layers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ConvCheckpointIntoDenseModelNamesBothLayerListsAndNothingPerLayer()
    {
        string path = Path.Combine(_dir, "cnn.ntkckpt");
        new CkptCnn(1).Save(path);
        var e = Assert.Throws<CheckpointMismatchException>(() => CkptMlp.Load(path));
        Assert.Equal(
            ["layer kinds differ: the checkpoint has Conv2D (C1), Flatten (Flat), Dense (Out); this model has Dense (H1), Dense (H2), Dense (Out)",
             "model name 'CkptCnn' in file, 'CkptMlp' in model",
             "input 4×4×1 in file, 16 features (a flat input) in model",
             "parameter count 86 in file, 226 in model"],
            e.Differences);
        // Said first: the first listed difference of the message is the layer list.
        string firstItem = e.Message.Split('\n')[1];
        Assert.Equal("  - " + e.Differences[0], firstItem);
        Assert.DoesNotContain("std", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fan-in", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DenseCheckpointIntoConvModelIsTheMirrorImage()
    {
        // Not quite: a flat file records no input shape, as files from before shapes were stored do not, so the equal
        // feature counts (16 = 4×4×1) are not listed as a difference from this side.
        string path = Path.Combine(_dir, "mlp.ntkckpt");
        new CkptMlp(1).Save(path);
        var e = Assert.Throws<CheckpointMismatchException>(() => CkptCnn.Load(path));
        Assert.Equal(
            ["layer kinds differ: the checkpoint has Dense (H1), Dense (H2), Dense (Out); this model has Conv2D (C1), Flatten (Flat), Dense (Out)",
             "model name 'CkptMlp' in file, 'CkptCnn' in model",
             "parameter count 226 in file, 86 in model"],
            e.Differences);
    }

    [Fact]
    public void OneExtraLayerIsALayerCountLine()
    {
        string path = Path.Combine(_dir, "mlp.ntkckpt");
        new CkptMlp(2).Save(path);
        var e = Assert.Throws<CheckpointMismatchException>(() => CkptDeeperMlp.Load(path));
        Assert.Equal(
            ["layer count differs: the checkpoint has 3 layers, Dense (H1), Dense (H2), Dense (Out); this model has 4, Dense (H1), Dense (H2), Dense (H3), Dense (Out)",
             "model name 'CkptMlp' in file, 'CkptDeeperMlp' in model",
             "parameter count 226 in file, 298 in model"],
            e.Differences);
    }

    [Fact]
    public void SameKindsWithAnotherWidthListTheLayerFields()
    {
        string path = Path.Combine(_dir, "mlp.ntkckpt");
        new CkptMlp(3).Save(path);
        var e = Assert.Throws<CheckpointMismatchException>(() => CkptWideMlp.Load(path));
        Assert.Equal(
            ["model name 'CkptMlp' in file, 'CkptWideMlp' in model",
             "layer H1: width 8 in file, 12 in model",
             "layer H2: fan-in 8 in file, 12 in model",
             "parameter count 226 in file, 326 in model"],
            e.Differences);
        Assert.DoesNotContain("layer kinds", e.Message, StringComparison.Ordinal);
    }
}
