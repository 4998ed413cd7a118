using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

// Same layer kinds, other geometry. Sizes by hand (Same padding keeps H×W; Valid pooling gives ⌊(H − w)/s⌋ + 1):
// GeoCnn8:   8×8×1 → C1 3×3 → 8×8×2 (9·2+2 = 20) → Flat 128 → Out 128·2+2 = 258: 278 parameters.
// GeoCnn16: 16×16×1 → 16×16×2 (20) → 512 → 512·2+2 = 1026: 1046.
// GeoCnnK5:  8×8×1 → C1 5×5 → 8×8×2 (25·2+2 = 52) → 128 → 258: 310.
// GeoCnnCircular: GeoCnn8 with Circular padding: the same sizes, 278.
// GeoPool2:  8×8×1 → C1 → 8×8×2 → P 2×2 stride 2 → 4×4×2 → 32 → 32·2+2 = 66: 86.
// GeoPool4:  ... → P 4×4 stride 4 → 2×2×2 → 8 → 8·2+2 = 18: 38.
[NtkModel(InputShape = new[] { 8, 8, 1 })]
public partial class GeoCnn8
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 16, 16, 1 })]
public partial class GeoCnn16
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 8, 8, 1 })]
public partial class GeoCnnK5
{
    [Conv2D(2, 5, Activation.Relu)] public partial ConvLayer C1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 8, 8, 1 })]
public partial class GeoCnnCircular
{
    [Conv2D(2, 3, Activation.Relu, Padding = Padding.Circular)] public partial ConvLayer C1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 8, 8, 1 })]
public partial class GeoPool2
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
    [AvgPool2D(2)] public partial Layer P { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

[NtkModel(InputShape = new[] { 8, 8, 1 })]
public partial class GeoPool4
{
    [Conv2D(2, 3, Activation.Relu)] public partial ConvLayer C1 { get; }
    [AvgPool2D(4, Stride = 4)] public partial Layer P { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}

/// <summary>
/// Checkpoints of models declared with InputShape record the input shape and each layer's output shape, kernel or
/// window, stride and padding, and a mismatch names the field (was: "inputs 64 in file, 256 in model", or only the
/// fingerprint). Files in the older header form (no geometry members) still load. Expected lists written out by hand
/// from the declarations above.
/// </summary>
public sealed class CheckpointGeometryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntkdsl-ckpt-geometry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Saved(Action<string> save, string name)
    {
        string path = Path.Combine(_dir, name);
        save(path);
        return path;
    }

    [Fact]
    public void AnotherInputShapeIsNamedAsHeightByWidthByChannels()
    {
        string path = Saved(p => new GeoCnn8(1).Save(p), "cnn8.ckpt");
        var e = Assert.Throws<CheckpointMismatchException>(() => GeoCnn16.Load(path));
        Assert.Equal(
            ["model name 'GeoCnn8' in file, 'GeoCnn16' in model",
             "input shape 8×8×1 in file, 16×16×1 in model",
             "layer C1: output 8×8×2 in file, 16×16×2 in model",
             "layer Flat: output 128 features in file, 512 features in model",
             "layer Out: fan-in 128 in file, 512 in model",
             "parameter count 278 in file, 1046 in model"],
            e.Differences);
        Assert.DoesNotContain("inputs 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherKernelPaddingWindowOrStrideIsNamedWithTheLayer()
    {
        string cnn = Saved(p => new GeoCnn8(2).Save(p), "cnn8.ckpt");
        Assert.Equal(
            ["model name 'GeoCnn8' in file, 'GeoCnnK5' in model",
             "layer C1: kernel 3 in file, 5 in model",
             "layer C1: fan-in 9 in file, 25 in model",
             "parameter count 278 in file, 310 in model"],
            Assert.Throws<CheckpointMismatchException>(() => GeoCnnK5.Load(cnn)).Differences);
        // The same sizes and parameter count: before, the class name was the only difference shown (with the advice
        // that only the name differs); now the padding is said.
        var circular = Assert.Throws<CheckpointMismatchException>(() => GeoCnnCircular.Load(cnn));
        Assert.Equal(["model name 'GeoCnn8' in file, 'GeoCnnCircular' in model", "layer C1: padding Same in file, Circular in model"], circular.Differences);
        Assert.DoesNotContain("Only the class name differs", circular.Message, StringComparison.Ordinal);
        string pool = Saved(p => new GeoPool2(3).Save(p), "pool2.ckpt");
        Assert.Equal(
            ["model name 'GeoPool2' in file, 'GeoPool4' in model",
             "layer P: output 4×4×2 in file, 2×2×2 in model",
             "layer P: window 2 in file, 4 in model",
             "layer P: stride 2 in file, 4 in model",
             "layer Flat: output 32 features in file, 8 features in model",
             "layer Out: fan-in 32 in file, 8 in model",
             "parameter count 86 in file, 38 in model"],
            Assert.Throws<CheckpointMismatchException>(() => GeoPool4.Load(pool)).Differences);
    }

    [Fact]
    public void TheHeaderRecordsTheGeometry()
    {
        var h = Checkpoint.ReadHeader(Saved(p => new GeoPool2(4).Save(p), "pool2.ckpt"));
        Assert.Equal([8, 8, 1], h.InputShape);
        Assert.Equal(64, h.Inputs);
        var c1 = h.Layers[0];
        Assert.Equal([8, 8, 2], c1.OutputShape);
        Assert.Equal(((int?)3, (int?)1, "Same"), (c1.Window, c1.Stride, c1.Padding));
        var p = h.Layers[1];
        Assert.Equal([4, 4, 2], p.OutputShape);
        Assert.Equal(((int?)2, (int?)2, "Valid"), (p.Window, p.Stride, p.Padding));
        Assert.Equal([1, 1, 2], h.Layers[3].OutputShape);
        Assert.Null(h.Layers[3].Window);
        Assert.StartsWith("GeoPool2 (", h.ToString(), StringComparison.Ordinal);
        Assert.Contains("): 8×8×1 → ", h.ToString(), StringComparison.Ordinal);
        // The summary shows each layer's output shape and geometry (the trial saw flattened counts and no kernel/stride).
        Assert.Equal("Conv2D", c1.Kind);
        Assert.Contains("→ 8×8×2 (C1 Conv2D, kernel 3, stride 1, Same, ", h.ToString(), StringComparison.Ordinal);
        Assert.Contains($"→ 4×4×2 (P {p.Kind}, window 2, stride 2, Valid, ", h.ToString(), StringComparison.Ordinal);
        // A model declared with Inputs stores none of it.
        var dense = Checkpoint.ReadHeader(Saved(p2 => new CkptMlp(1).Save(p2), "mlp.ckpt"));
        Assert.Null(dense.InputShape);
        Assert.All(dense.Layers, l => Assert.True(l.OutputShape is null && l.Window is null && l.Stride is null && l.Padding is null));
    }

    [Fact]
    public void AFileInTheOlderHeaderFormLoadsAndAMismatchFallsBackToTheFeatureCount()
    {
        var model = new GeoCnn8(5);
        string path = Saved(p => model.Save(p), "old.ckpt");
        RewriteWithoutGeometry(path);
        var h = Checkpoint.Verify(path); // the rewritten file is a valid checkpoint (checksum recomputed)
        Assert.Null(h.InputShape);
        Assert.All(h.Layers, l => Assert.True(l.OutputShape is null && l.Window is null && l.Stride is null && l.Padding is null));
        Assert.Equal(model.GetParameters(), GeoCnn8.Load(path).GetParameters());
        var e = Assert.Throws<CheckpointMismatchException>(() => GeoCnn16.Load(path));
        Assert.Equal(
            ["model name 'GeoCnn8' in file, 'GeoCnn16' in model",
             "inputs 64 in file (no shape recorded), 16×16×1 = 256 in model",
             "layer Flat: width 128 in file, 512 in model",
             "layer Out: fan-in 128 in file, 512 in model",
             "parameter count 278 in file, 1046 in model"],
            e.Differences);
    }

    [Fact]
    public void ADamagedInputShapeIsACorruptFile()
    {
        string path = Saved(p => new GeoCnn8(6).Save(p), "bad.ckpt");
        Rewrite(path, json => json["inputShape"] = new JsonArray(8, 0, 1));
        var e = Assert.Throws<CheckpointCorruptException>(() => GeoCnn8.Load(path));
        Assert.Contains("inputShape is [8, 0, 1], not three positive integers", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The header as NtkDsl wrote it before geometry was stored: the same JSON without the geometry members.</summary>
    private static void RewriteWithoutGeometry(string path) => Rewrite(path, json =>
    {
        Assert.True(json.Remove("inputShape"));
        foreach (var layer in json["layers"]!.AsArray())
            foreach (string key in new[] { "outputShape", "window", "stride", "padding" })
                layer!.AsObject().Remove(key);
    });

    /// <summary>Rewrites a checkpoint's JSON header and recomputes the padding and the SHA-256 (the layout in Checkpoint's remarks).</summary>
    private static void Rewrite(string path, Action<JsonObject> change)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        var json = JsonNode.Parse(bytes.AsSpan(16, length))!.AsObject();
        change(json);
        byte[] header = Encoding.UTF8.GetBytes(json.ToJsonString());
        int dataStart = 16 + length + (8 - (16 + length) % 8) % 8;
        using var file = new MemoryStream();
        file.Write(bytes, 0, 12);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
        file.Write(len);
        file.Write(header);
        file.Write(new byte[(8 - (16 + header.Length) % 8) % 8]);
        file.Write(bytes, dataStart, bytes.Length - 32 - dataStart);
        file.Write(SHA256.HashData(file.ToArray()));
        File.WriteAllBytes(path, file.ToArray());
    }
}
