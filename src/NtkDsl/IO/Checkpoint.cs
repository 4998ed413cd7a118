using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NtkDsl.IO;

/// <summary>
/// Saves and loads a model's flat parameter vector with a description of its architecture.
/// </summary>
/// <remarks>
/// File layout (all integers little-endian):
/// <list type="number">
/// <item>8 magic bytes <c>89 'N' 'T' 'K' 'C' 'K' 'P' 0A</c>;</item>
/// <item>u16 format version (1), u16 flags (0);</item>
/// <item>u32 length H, then H bytes of UTF-8 JSON: model name, fingerprint, inputs, the input shape (H×W×C, models
/// declared with <c>InputShape</c> only), parameterization, precision, layers (name, kind, fan-in, width, activation,
/// σ_w, σ_b, bias, offsets; for models declared with <c>InputShape</c> also each layer's output shape and, for Conv2D
/// and AvgPool2D, its kernel or window side, stride and padding), parameter count, NtkDsl version, creation time, user
/// metadata;</item>
/// <item>zero padding to a multiple of 8 bytes;</item>
/// <item>the parameters as float64;</item>
/// <item>the SHA-256 of every byte before it (32 bytes).</item>
/// </list>
/// Writes are atomic: a temporary file in the same folder is flushed to disk and renamed over the destination.
/// <para>The geometry fields (<c>inputShape</c>; a layer's <c>outputShape</c>, <c>window</c>, <c>stride</c>,
/// <c>padding</c>) are optional JSON members within format version 1: files written before they existed load as before
/// (a different geometry is then caught by the fingerprint alone), and files without an image input or spatial layers
/// omit them.</para>
/// <para>Thread safety: stateless; safe to call from any thread. Each save is atomic (temporary file, then rename), so concurrent saves to one path leave one complete file (the last rename wins) and a load never sees a partial file.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The current binary format version.</summary>
    public const int FormatVersion = 1;

    private const int PreambleLength = 16;
    private const int ChecksumLength = 32;
    private const int MaxHeaderLength = 16 << 20;
    private const int ChunkElements = 8192;

    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'N', (byte)'T', (byte)'K', (byte)'C', (byte)'K', (byte)'P', 0x0A];

    /// <summary>Saves parameters atomically; an existing file at <paramref name="path"/> is replaced only once the new one is complete.</summary>
    /// <param name="path">Destination file; its folder must exist.</param>
    /// <param name="model">The model's architecture.</param>
    /// <param name="parameters">The flat parameter vector (length <see cref="ModelInfo.ParameterCount"/>, finite values).</param>
    /// <param name="meta">Optional description and key/values stored in the header.</param>
    public static void Save(string path, ModelInfo model, ReadOnlySpan<double> parameters, CheckpointMetadata? meta = null) =>
        Save(path, model, parameters, meta, wrap: null);

    /// <summary>Save with a test hook that wraps the output stream (e.g. to inject a failure after N bytes).</summary>
    internal static void Save(string path, ModelInfo model, ReadOnlySpan<double> parameters, CheckpointMetadata? meta, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (parameters.Length != model.ParameterCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{model.Name}: the parameter vector has length {parameters.Length} but the model has {model.ParameterCount} parameters."), nameof(parameters));
        for (int i = 0; i < parameters.Length; i++)
        {
            if (!double.IsFinite(parameters[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{Locate(model, i)} (parameter {i} of the flat vector) is {parameters[i]}; a checkpoint stores finite parameters only (training diverged?)."), nameof(parameters));
        }
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(ToJson(model, meta), CheckpointHeaderJson.Options);
        if (header.Length > MaxHeaderLength)
            throw new ArgumentException($"The checkpoint header would be {header.Length} bytes (over {MaxHeaderLength}); shorten the metadata.", nameof(meta));

        using var file = new AtomicFileWriter(path, wrap);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            sha.AppendData(bytes);
            file.Stream.Write(bytes);
        }

        Span<byte> pre = stackalloc byte[PreambleLength];
        Magic.CopyTo(pre);
        BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(pre[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(pre[12..], (uint)header.Length);
        Put(pre);
        Put(header);
        Put(new byte[Padding(header.Length)]);
        var chunk = new byte[ChunkElements * 8];
        for (int start = 0; start < parameters.Length; start += ChunkElements)
        {
            int n = Math.Min(ChunkElements, parameters.Length - start);
            var bytes = chunk.AsSpan(0, n * 8);
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes[(i * 8)..], parameters[start + i]);
            Put(bytes);
        }
        Span<byte> hash = stackalloc byte[ChecksumLength];
        sha.GetHashAndReset(hash);
        file.Stream.Write(hash);
        file.Commit();
    }

    /// <summary>
    /// Loads the parameters after verifying the file's integrity (SHA-256) and that it was saved from the same
    /// architecture as <paramref name="expected"/>.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">Wrong magic bytes, unsupported version, truncated or padded file, unreadable header, or checksum mismatch.</exception>
    /// <exception cref="CheckpointMismatchException">The file describes a different architecture; the message lists every difference,
    /// first the two layer lists when they differ in count or kinds (then no per-layer field is compared).</exception>
    public static double[] Load(string path, ModelInfo expected)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(expected);
        using var fs = NpyFile.OpenRead(path);
        return Load(fs, path, expected);
    }

    /// <summary>Reads and checks the header only (magic, version, lengths, JSON); the checksum is not verified.</summary>
    /// <exception cref="CheckpointCorruptException">The file is not a readable checkpoint.</exception>
    public static CheckpointHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var fs = NpyFile.OpenRead(path);
        return ReadCore(fs, path, readData: false).Header;
    }

    /// <summary>Reads the header and verifies the whole file's checksum, without a model to compare against.</summary>
    /// <exception cref="CheckpointCorruptException">The file is damaged.</exception>
    public static CheckpointHeader Verify(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var fs = NpyFile.OpenRead(path);
        return ReadCore(fs, path, readData: true).Header;
    }

    /// <summary>Load from a seekable stream holding exactly one checkpoint (used by tests).</summary>
    internal static double[] Load(Stream stream, string source, ModelInfo expected)
    {
        var (header, data) = ReadCore(stream, source, readData: true);
        var differences = Compare(header, expected);
        if (differences.Count > 0)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{source}: the checkpoint was saved from a different architecture than {expected.Name} ({differences.Count} difference{(differences.Count == 1 ? "" : "s")}):");
            foreach (string d in differences) sb.Append("\n  - ").Append(d);
            if (differences.Count == 1 && header.ModelName != expected.Name)
                sb.Append(CultureInfo.InvariantCulture, $"\nOnly the class name differs: the name is part of a checkpoint's fingerprint, so a renamed model class cannot load it. Declare the class as {header.ModelName} again (or keep a class of that name with the same layers to load it).");
            else
                sb.Append("\nLoad it into a model declared like the one in the file (NtkDsl.IO.Checkpoint.ReadHeader(path) shows it), or retrain this model.");
            throw new CheckpointMismatchException(sb.ToString(), differences);
        }
        for (int i = 0; i < data!.Length; i++)
        {
            if (!double.IsFinite(data[i]))
                throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"{Locate(expected, i)} (parameter {i} of the flat vector) is {data[i]}; NtkDsl never writes non-finite parameters"));
        }
        return data;
    }

    private static (CheckpointHeader Header, double[]? Data) ReadCore(Stream stream, string source, bool readData)
    {
        if (!stream.CanSeek) throw new ArgumentException("Checkpoints are read from seekable streams (files).", nameof(stream));
        long length = stream.Length - stream.Position;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> pre = stackalloc byte[PreambleLength];
        int got = NpyHeaderCodec.ReadUpTo(stream, pre);
        if (got >= 8 && !pre[..8].SequenceEqual(Magic) || got < 8 && !pre[..got].SequenceEqual(Magic[..got]) || got == 0)
            throw Corrupt(source, got == 0 ? "the file is empty" : "it does not start with the NtkDsl checkpoint magic bytes; it is not a checkpoint (or its first bytes were overwritten)");
        if (got < PreambleLength)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"the file is truncated: {got} bytes, shorter than the {PreambleLength}-byte preamble"));
        int version = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
        int flags = BinaryPrimitives.ReadUInt16LittleEndian(pre[10..]);
        uint headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre[12..]);
        if (version != FormatVersion)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture,
                $"format version {version} is not supported (this NtkDsl {NtkDslVersion.Current} reads version {FormatVersion}){(version > FormatVersion ? "; update NtkDsl" : "")}"));
        if (flags != 0) throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"unknown flags 0x{flags:x4} in the preamble"));
        if (headerLen > length - PreambleLength - ChecksumLength)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture,
                $"the header length field says {headerLen} bytes, but only {length - PreambleLength} bytes follow the {PreambleLength}-byte preamble, and the header and the {ChecksumLength}-byte checksum need at least {headerLen + ChecksumLength} (truncated file or damaged length)"));
        if (headerLen > MaxHeaderLength)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture,
                $"the header length field says {headerLen} bytes, more than the {MaxHeaderLength} a checkpoint header may have (damaged length)"));
        sha.AppendData(pre);
        var headerBytes = new byte[headerLen];
        NpyHeaderCodec.ReadUpTo(stream, headerBytes);
        sha.AppendData(headerBytes);
        var header = ParseHeader(headerBytes, source);

        long dataOffset = PreambleLength + headerLen + Padding((int)headerLen);
        long expectedLength = dataOffset + 8L * header.ParameterCount + ChecksumLength;
        if (length < expectedLength)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture,
                $"the file is truncated: the header declares {header.ParameterCount} parameters, which need {expectedLength} bytes, but the file has {length}"));
        if (length > expectedLength)
            throw Corrupt(source, string.Create(CultureInfo.InvariantCulture,
                $"{length - expectedLength} unexpected bytes: the header declares {header.ParameterCount} parameters ({expectedLength} bytes in all) but the file has {length}"));
        if (!readData) return (header, null);

        Span<byte> pad = stackalloc byte[8];
        pad = pad[..Padding((int)headerLen)];
        NpyHeaderCodec.ReadUpTo(stream, pad);
        if (pad.ContainsAnyExcept((byte)0)) throw Corrupt(source, "the padding after the header is not zero");
        sha.AppendData(pad);
        var data = new double[header.ParameterCount];
        var chunk = new byte[ChunkElements * 8];
        for (int start = 0; start < data.Length; start += ChunkElements)
        {
            int n = Math.Min(ChunkElements, data.Length - start);
            var bytes = chunk.AsSpan(0, n * 8);
            if (NpyHeaderCodec.ReadUpTo(stream, bytes) < bytes.Length) throw Corrupt(source, "the file ended early while reading (it changed while being read?)");
            sha.AppendData(bytes);
            if (BitConverter.IsLittleEndian) bytes.CopyTo(MemoryMarshal.AsBytes(data.AsSpan(start, n)));
            else for (int i = 0; i < n; i++) data[start + i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
        }
        Span<byte> stored = stackalloc byte[ChecksumLength];
        Span<byte> actual = stackalloc byte[ChecksumLength];
        NpyHeaderCodec.ReadUpTo(stream, stored);
        sha.GetHashAndReset(actual);
        if (!CryptographicOperations.FixedTimeEquals(stored, actual))
            throw Corrupt(source, $"the SHA-256 checksum does not match (stored {Convert.ToHexStringLower(stored)}, computed {Convert.ToHexStringLower(actual)}): the file was modified or damaged after it was written");
        return (header, data);
    }

    private static CheckpointHeader ParseHeader(byte[] bytes, string source)
    {
        CheckpointHeaderJson? j;
        try
        {
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            _ = strict.GetCharCount(bytes);
            j = JsonSerializer.Deserialize<CheckpointHeaderJson>(bytes, CheckpointHeaderJson.Options);
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new CheckpointCorruptException($"{source}: the checkpoint is corrupt: the JSON header cannot be read ({e.Message}).", e);
        }
        if (j is null) throw Corrupt(source, "the JSON header is null");
        if (j.Format != CheckpointHeaderJson.FormatName) throw Corrupt(source, $"the header's format field is '{j.Format}', not '{CheckpointHeaderJson.FormatName}'");
        string Need(string? v, string name) => v ?? throw Corrupt(source, $"the header lacks '{name}'");
        var layers = j.Layers ?? throw Corrupt(source, "the header lacks 'layers'");
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            if (l is null || l.Name is null || l.Kind is null || l.Activation is null || l.ActivationName is null)
                throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"layer {i} of the header is incomplete"));
            if (l.OutputShape is not null && (l.OutputShape.Count != 3 || l.OutputShape.Any(v => v <= 0)))
                throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"layer {i} ({l.Name}) of the header has the output shape [{string.Join(", ", l.OutputShape)}], not three positive integers"));
        }
        int count = j.ParameterCount ?? throw Corrupt(source, "the header lacks 'parameterCount'");
        if (count < 0) throw Corrupt(source, string.Create(CultureInfo.InvariantCulture, $"the header declares {count} parameters"));
        return new CheckpointHeader
        {
            FormatVersion = FormatVersion,
            ModelName = Need(j.Model, "model"),
            Fingerprint = Need(j.Fingerprint, "fingerprint"),
            Inputs = j.Inputs ?? throw Corrupt(source, "the header lacks 'inputs'"),
            InputShape = j.InputShape is null ? null
                : j.InputShape.Count == 3 && j.InputShape.TrueForAll(v => v > 0) ? j.InputShape.ToArray()
                : throw Corrupt(source, $"the header's inputShape is [{string.Join(", ", j.InputShape)}], not three positive integers (height, width, channels)"),
            Parameterization = Need(j.Parameterization, "parameterization"),
            Precision = Need(j.Precision, "precision"),
            Layers = layers!,
            ParameterCount = count,
            NtkDslVersion = Need(j.NtkDslVersion, "ntkDslVersion"),
            CreatedUtc = j.CreatedUtc ?? throw Corrupt(source, "the header lacks 'createdUtc'"),
            Description = j.Description,
            Metadata = j.Metadata ?? new Dictionary<string, string>(),
        };
    }

    private static CheckpointHeaderJson ToJson(ModelInfo model, CheckpointMetadata? meta)
    {
        if (meta is not null)
        {
            foreach (var kv in meta.Values)
                if (string.IsNullOrWhiteSpace(kv.Key)) throw new ArgumentException("Checkpoint metadata keys must be non-empty.", nameof(meta));
        }
        return new CheckpointHeaderJson
        {
            Format = CheckpointHeaderJson.FormatName,
            Model = model.Name,
            Fingerprint = model.Fingerprint,
            Inputs = model.Inputs,
            InputShape = model.InputShape?.ToList(),
            Parameterization = model.Parameterization.ToString(),
            Precision = model.Precision.ToString(),
            Layers = model.Layers.Select(l => (CheckpointLayer?)CheckpointLayer.From(l)).ToList(),
            ParameterCount = model.ParameterCount,
            NtkDslVersion = NtkDslVersion.Current,
            CreatedUtc = DateTimeOffset.UtcNow,
            Description = meta?.Description,
            Metadata = meta is null || meta.Values.Count == 0 ? null : new Dictionary<string, string>(meta.Values, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Every difference between the file's architecture and the model's, in words. When the layer lists do not line up
    /// (another count, or another kind at some position) that is the first difference, naming both lists, and no
    /// per-layer field is compared: layer i of one model is then not layer i of the other.
    /// </summary>
    internal static List<string> Compare(CheckpointHeader file, ModelInfo model)
    {
        var d = new List<string>();
        void Diff<T>(string what, T inFile, T inModel, bool quoted = true)
        {
            if (!EqualityComparer<T>.Default.Equals(inFile, inModel))
                d.Add(quoted
                    ? string.Create(CultureInfo.InvariantCulture, $"{what} {Show(inFile)} in file, {Show(inModel)} in model")
                    : string.Create(CultureInfo.InvariantCulture, $"{what} {inFile} in file, {inModel} in model"));
        }
        var modelLayers = model.Layers.Select(CheckpointLayer.From).ToList();
        bool lineUp = file.Layers.Count == modelLayers.Count && file.Layers.Zip(modelLayers).All(p => p.First.Kind == p.Second.Kind);
        if (file.Layers.Count != modelLayers.Count)
            d.Add(string.Create(CultureInfo.InvariantCulture,
                $"layer count differs: the checkpoint has {file.Layers.Count} layers, {LayerList(file.Layers)}; this model has {modelLayers.Count}, {LayerList(modelLayers)}"));
        else if (!lineUp)
            d.Add($"layer kinds differ: the checkpoint has {LayerList(file.Layers)}; this model has {LayerList(modelLayers)}");
        Diff("model name", file.ModelName, model.Name);
        CompareInput(file, model, d);
        Diff("parameterization", file.Parameterization, model.Parameterization.ToString());
        Diff("precision", file.Precision, model.Precision.ToString());
        bool earlierSizesEqual = true; // offsets are compared only while every earlier layer has the same parameter count
        for (int i = 0; lineUp && i < modelLayers.Count; i++)
        {
            var f = file.Layers[i];
            var m = modelLayers[i];
            string label = f.Name == m.Name ? $"layer {m.Name}" : string.Create(CultureInfo.InvariantCulture, $"layer {i + 1}");
            Diff($"{label}: name", f.Name, m.Name);
            // A layer without parameters has its flattened output size as its width: its output shape says more.
            bool shapes = f.OutputShape is not null && m.OutputShape is not null;
            if (!shapes || f.Kind is "Dense" or "Conv2D") Diff($"{label}: width", f.Width, m.Width);
            if (shapes) Diff($"{label}: output", LayerInfo.OutputText(f.OutputShape, f.Width), LayerInfo.OutputText(m.OutputShape, m.Width), quoted: false);
            // Geometry is compared where both sides have it (files written before it was stored have none).
            if (f.Window is not null && m.Window is not null) Diff($"{label}: {f.WindowName}", f.Window, m.Window);
            if (f.Stride is not null && m.Stride is not null) Diff($"{label}: stride", f.Stride, m.Stride);
            if (f.Padding is not null && m.Padding is not null) Diff($"{label}: padding", f.Padding, m.Padding, quoted: false);
            Diff($"{label}: fan-in", f.FanIn, m.FanIn);
            Diff($"{label}: activation", f.ActivationName, m.ActivationName);
            if (f.ActivationName == m.ActivationName) Diff($"{label}: activation kind", f.Activation, m.Activation);
            Diff($"{label}: weight std", f.WeightStd, m.WeightStd);
            Diff($"{label}: bias std", f.BiasStd, m.BiasStd);
            Diff($"{label}: bias", f.UseBias, m.UseBias);
            bool sameSize = f.Width == m.Width && f.FanIn == m.FanIn && f.UseBias == m.UseBias;
            if (sameSize && earlierSizesEqual)
            {
                Diff($"{label}: weight offset", f.WeightOffset, m.WeightOffset);
                Diff($"{label}: bias offset", f.BiasOffset, m.BiasOffset);
            }
            earlierSizesEqual &= sameSize;
        }
        Diff("parameter count", file.ParameterCount, model.ParameterCount);
        if (d.Count == 0) Diff("fingerprint", file.Fingerprint, model.Fingerprint);
        return d;
    }

    /// <summary>
    /// The input: "input shape 8×8×1 in file, 16×16×1 in model" when both record an image shape (H×W×C, the order of
    /// <c>InputShape</c>); otherwise the feature counts, each side shown as its shape where it has one (a file written
    /// before the shape was stored, or a flat model against an image one).
    /// </summary>
    private static void CompareInput(CheckpointHeader file, ModelInfo model, List<string> d)
    {
        static string Shape(IReadOnlyList<int> s) => string.Join('×', s);
        if (file.InputShape is not null && model.InputShape is not null)
        {
            if (!file.InputShape.SequenceEqual(model.InputShape))
                d.Add($"input shape {Shape(file.InputShape)} in file, {Shape(model.InputShape)} in model");
            return;
        }
        if (file.InputShape is not null)
            d.Add(string.Create(CultureInfo.InvariantCulture, $"input {Shape(file.InputShape)} in file, {LayerInfo.Features(model.Inputs)} (a flat input) in model"));
        else if (file.Inputs != model.Inputs)
            d.Add(model.InputShape is null
                ? string.Create(CultureInfo.InvariantCulture, $"inputs {file.Inputs} in file, {model.Inputs} in model")
                : string.Create(CultureInfo.InvariantCulture, $"inputs {file.Inputs} in file (no shape recorded), {Shape(model.InputShape)} = {model.Inputs} in model"));
    }

    /// <summary>"Conv2D (C1), Flatten (Flat), Dense (Out)": each layer's kind, then its name.</summary>
    private static string LayerList(IEnumerable<CheckpointLayer> layers) => string.Join(", ", layers.Select(l => $"{l.Kind} ({l.Name})"));

    private static string Show<T>(T v) => v switch
    {
        string s => $"'{s}'",
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null",
    };

    /// <summary>"Model.Layer.Bias[3]": the parameter's group as messages name it (<see cref="ParameterGroup.QualifiedName"/>) and its index there.</summary>
    private static string Locate(ModelInfo model, int index)
    {
        foreach (var g in model.Groups)
            if (index >= g.Offset && index < g.Offset + g.Count)
                return string.Create(CultureInfo.InvariantCulture, $"{g.QualifiedName(model.Name)}[{index - g.Offset}]");
        return $"{model.Name}: a parameter outside every parameter group";
    }

    private static int Padding(int headerLength) => (8 - (PreambleLength + headerLength) % 8) % 8;

    private static CheckpointCorruptException Corrupt(string source, string what) => new($"{source}: the checkpoint is corrupt: {what}.");
}
