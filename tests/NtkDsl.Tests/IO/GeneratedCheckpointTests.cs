using NtkDsl.IO;
using NtkDsl.Tests.Models;

namespace NtkDsl.Tests.IO;

/// <summary>The generated Save/Load pair on real models.</summary>
public sealed class GeneratedCheckpointTests
{
    [Fact]
    public void SaveThenLoadRestoresEveryParameterAndTheOutputs()
    {
        string dir = Directory.CreateTempSubdirectory("ntkdsl-ckpt-").FullName;
        try
        {
            string path = Path.Combine(dir, "deep.ntkckpt");
            var model = new DeepNet(17);
            model.Save(path);
            var loaded = DeepNet.Load(path);
            Assert.Equal(model.GetParameters(), loaded.GetParameters());
            var x = Support.Zoo.RandomInputs(3, 3, 1);
            Assert.Equal(model.Forward(x).ToFlatArray(), loaded.Forward(x).ToFlatArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LoadingIntoAnotherArchitectureSaysWhatDiffers()
    {
        string dir = Directory.CreateTempSubdirectory("ntkdsl-ckpt-").FullName;
        try
        {
            string path = Path.Combine(dir, "relu.ntkckpt");
            new ReluNet(1).Save(path);
            var ex = Assert.Throws<CheckpointMismatchException>(() => TanhNet.Load(path));
            Assert.Contains("activation", ex.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
