using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

public sealed class CheckpointTests
{
    internal static ModelInfo Mlp(int hidden = 8, Activation act = Activation.Relu, bool outputBias = true,
        Parameterization p = Parameterization.Ntk, string name = "Mlp", double sigmaW = 1.4)
    {
        var h = new LayerInfo("Hidden1", "Dense", 3, hidden, act, act.ToString(), sigmaW, 0.1, true, 0, 3 * hidden);
        int off = 4 * hidden;
        var o = new LayerInfo("Output", "Dense", hidden, 1, Activation.Identity, "Identity", 1.0, 0.05, outputBias, off, outputBias ? off + hidden : -1);
        return new ModelInfo(name, 3, p, Precision.Float64, [h, o]);
    }

    internal static double[] Params(ModelInfo m, int seed = 3)
    {
        var v = new double[m.ParameterCount];
        new NormalSampler(seed).FillNormal(v, 1.0);
        return v;
    }

    [Fact]
    public void RoundTripRestoresEveryParameterAndTheHeader()
    {
        using var dir = new TempDir();
        var m = Mlp();
        var p = Params(m);
        var meta = new CheckpointMetadata { Description = "epoch 3", Values = { ["lr"] = "0.1", ["seed"] = "7" } };
        string path = dir.File("m.ckpt");
        Checkpoint.Save(path, m, p, meta);
        Assert.Equal(p, Checkpoint.Load(path, m));
        var h = Checkpoint.ReadHeader(path);
        Assert.Equal("Mlp", h.ModelName);
        Assert.Equal(m.Fingerprint, h.Fingerprint);
        Assert.Equal(m.ParameterCount, h.ParameterCount);
        Assert.Equal("epoch 3", h.Description);
        Assert.Equal("0.1", h.Metadata["lr"]);
        // The one-line summary (what README's ReadHeader shows) carries the description and the metadata, keys in order.
        Assert.EndsWith("; \"epoch 3\"; lr = 0.1, seed = 7", h.ToString(), StringComparison.Ordinal);
        Assert.Equal(m.Layers.Select(CheckpointLayer.From), h.Layers);
        Assert.True(DateTimeOffset.UtcNow - h.CreatedUtc < TimeSpan.FromHours(1));
        Assert.Equal(m.Fingerprint, Checkpoint.Verify(path).Fingerprint);
        Assert.Equal(["m.ckpt"], dir.Files());
    }

    [Fact]
    public void FileLayoutMatchesTheDocumentedFormat()
    {
        // Parse the file by hand from the documented layout; check the checksum with an independent SHA-256.
        using var dir = new TempDir();
        var m = Mlp(hidden: 5);
        var p = Params(m, 9);
        string path = dir.File("m.ckpt");
        Checkpoint.Save(path, m, p);
        byte[] f = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'N', (byte)'T', (byte)'K', (byte)'C', (byte)'K', (byte)'P', 0x0A }, f[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(8)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(10)));
        int h = (int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(12));
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(f, 16, h));
        var root = json.RootElement;
        Assert.Equal("Mlp", root.GetProperty("model").GetString());
        Assert.Equal(m.Fingerprint, root.GetProperty("fingerprint").GetString());
        Assert.Equal(m.ParameterCount, root.GetProperty("parameterCount").GetInt32());
        Assert.Equal(5, root.GetProperty("layers")[0].GetProperty("width").GetInt32());
        Assert.Equal("Relu", root.GetProperty("layers")[0].GetProperty("activation").GetString());
        int data = (16 + h + 7) / 8 * 8;
        Assert.All(f[(16 + h)..data], b => Assert.Equal(0, b));
        Assert.Equal(data + 8 * p.Length + 32, f.Length);
        for (int i = 0; i < p.Length; i++) Assert.Equal(p[i], BinaryPrimitives.ReadDoubleLittleEndian(f.AsSpan(data + 8 * i)));
        Assert.Equal(SHA256.HashData(f.AsSpan(0, f.Length - 32)), f[^32..]);
    }

    [Fact]
    public void DifferentArchitectureListsExactlyWhatDiffers()
    {
        using var dir = new TempDir();
        string path = dir.File("m.ckpt");
        Checkpoint.Save(path, Mlp(hidden: 8), Params(Mlp(hidden: 8)));
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, Mlp(hidden: 4)));
        // Width 8 → 4 changes Hidden1's width, Output's fan-in and the count 5·8+1 = 41 → 5·4+1 = 21.
        Assert.Equal(
            ["layer Hidden1: width 8 in file, 4 in model", "layer Output: fan-in 8 in file, 4 in model", "parameter count 41 in file, 21 in model"],
            e.Differences);
        Assert.Contains("layer Hidden1: width 8 in file, 4 in model", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, Mlp(act: Activation.Tanh, p: Parameterization.Standard, sigmaW: 2.0)));
        Assert.Equal(
            ["parameterization 'Ntk' in file, 'Standard' in model", "layer Hidden1: activation 'Relu' in file, 'Tanh' in model", "layer Hidden1: weight std 1.4 in file, 2 in model"],
            e.Differences);

        e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, Mlp(outputBias: false, name: "Other")));
        Assert.Equal(["model name 'Mlp' in file, 'Other' in model", "layer Output: bias yes in file, no in model", "parameter count 41 in file, 40 in model"], e.Differences);
        Assert.DoesNotContain("Only the class name differs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARenamedClassIsToldThatOnlyTheNameDiffers()
    {
        using var dir = new TempDir();
        string path = dir.File("m.ckpt");
        Checkpoint.Save(path, Mlp(hidden: 8), Params(Mlp(hidden: 8)));
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, Mlp(hidden: 8, name: "Renamed")));
        Assert.Equal(["model name 'Mlp' in file, 'Renamed' in model"], e.Differences);
        Assert.Contains("Only the class name differs", e.Message, StringComparison.Ordinal);
        Assert.Contains("Declare the class as Mlp again", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptionIsDetectedAndNamed()
    {
        using var dir = new TempDir();
        var m = Mlp();
        string path = dir.File("m.ckpt");
        Checkpoint.Save(path, m, Params(m));
        byte[] good = File.ReadAllBytes(path);

        string Fails(byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            return Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(path, m)).Message;
        }

        var flipped = (byte[])good.Clone();
        flipped[^40] ^= 0x10; // inside the last parameter
        string flippedMessage = Fails(flipped);
        Assert.Contains("SHA-256 checksum does not match", flippedMessage, StringComparison.Ordinal);
        // Whole digests: 16-character prefixes could read identical ("stored 8a48…, computed 8a48…") for a late byte.
        var digests = System.Text.RegularExpressions.Regex.Match(flippedMessage, "stored ([0-9a-f]{64}), computed ([0-9a-f]{64})");
        Assert.True(digests.Success, flippedMessage);
        Assert.NotEqual(digests.Groups[1].Value, digests.Groups[2].Value);
        var badSum = (byte[])good.Clone();
        badSum[^1] ^= 1;
        Assert.Contains("checksum", Fails(badSum), StringComparison.Ordinal);
        Assert.Contains("truncated", Fails(good[..^9]), StringComparison.Ordinal);
        Assert.Contains("truncated", Fails(good[..10]), StringComparison.Ordinal);
        // Cut inside the header: the message counts the bytes after the preamble (the trial saw "says 823 bytes but the
        // file has only 828", the 16-byte preamble included, which read as a contradiction).
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(12));
        int cut = 16 + headerLength / 2;
        Assert.Contains($"the header length field says {headerLength} bytes, but only {cut - 16} bytes follow the 16-byte preamble, and the header and the 32-byte checksum need at least {headerLength + 32}",
            Fails(good[..cut]), StringComparison.Ordinal);
        Assert.Contains("3 unexpected bytes", Fails([.. good, 1, 2, 3]), StringComparison.Ordinal);
        Assert.Contains("empty", Fails([]), StringComparison.Ordinal);
        var magic = (byte[])good.Clone();
        magic[2] = (byte)'X';
        Assert.Contains("magic bytes", Fails(magic), StringComparison.Ordinal);
        var version = (byte[])good.Clone();
        version[8] = 2;
        Assert.Contains("format version 2 is not supported", Fails(version), StringComparison.Ordinal);
        var json = (byte[])good.Clone();
        json[16] = (byte)'[';
        Assert.Contains("JSON header cannot be read", Fails(json), StringComparison.Ordinal);
        var hugeHeader = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(hugeHeader.AsSpan(12), 0x7FFFFFF0);
        Assert.Contains("header length field says 2147483632 bytes", Fails(hugeHeader), StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteOrWrongLengthParametersAreRejectedOnSave()
    {
        using var dir = new TempDir();
        var m = Mlp();
        var p = Params(m);
        p[3 * 8 + 2] = double.NaN; // the third bias of Hidden1
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(dir.File("m.ckpt"), m, p));
        // The group named as every layer message names it, Model.Layer (then the kind); 26 = 8·3 weights + 2.
        Assert.StartsWith($"{m.Name}.Hidden1.Bias[2] (parameter 26 of the flat vector) is NaN;", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(dir.File("m.ckpt"), m, new double[3]));
        Assert.Empty(dir.Files());
    }

    [Theory]
    [InlineData(5)]      // inside the preamble
    [InlineData(100)]    // inside the JSON header
    [InlineData(-1000)]  // inside the parameters (counted from the end)
    [InlineData(-10)]    // inside the checksum
    public void InterruptedWriteKeepsThePreviousCheckpoint(int failAt)
    {
        using var dir = new TempDir();
        var m = Mlp(hidden: 40); // 201 parameters: 1608 bytes of data
        string path = dir.File("m.ckpt");
        var previous = Params(m, 1);
        Checkpoint.Save(path, m, previous);
        byte[] before = File.ReadAllBytes(path);
        int failAfter = failAt >= 0 ? failAt : before.Length + failAt;

        var e = Assert.Throws<IOException>(() => Checkpoint.Save(path, m, Params(m, 2), null, s => new FailingStream(s, failAfter)));
        Assert.Contains("Simulated", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(previous, Checkpoint.Load(path, m));
        Assert.Equal(["m.ckpt"], dir.Files());
    }
}
