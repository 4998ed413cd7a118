using NtkDsl.IO;

namespace NtkDsl.Tests.Streaming;

/// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<NtkProgress>
{
    private readonly Action<NtkProgress>? _then;

    public ProgressLog(Action<NtkProgress>? then = null) => _then = then;

    public List<NtkProgress> Reports { get; } = [];

    public void Report(NtkProgress value)
    {
        Reports.Add(value);
        _then?.Invoke(value);
    }
}

internal static class StreamAssert
{
    /// <summary>Same shape and every element within 1e-12 of the largest |expected| (bitwise when <paramref name="bitwise"/>).</summary>
    public static void Close(Tensor expected, Tensor actual, bool bitwise = false)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.DType, actual.DType);
        var e = expected.To(DType.Float64).AsSpan();
        var a = actual.To(DType.Float64).AsSpan();
        double scale = 0;
        foreach (double v in e) scale = Math.Max(scale, Math.Abs(v));
        Assert.True(scale > 0, "the reference kernel is all zeros, so the comparison would prove nothing");
        for (int i = 0; i < e.Length; i++)
        {
            if (bitwise) Assert.Equal(BitConverter.DoubleToInt64Bits(e[i]), BitConverter.DoubleToInt64Bits(a[i]));
            else Assert.True(Math.Abs(e[i] - a[i]) <= 1e-12 * scale, $"element {i}: expected {e[i]:R}, streamed {a[i]:R}");
        }
    }

    /// <summary>The file's header is C order, the default little-endian layout, and its shape is <paramref name="shape"/>.</summary>
    public static Tensor ReadChecked(string path, params long[] shape)
    {
        var h = NpyFile.ReadHeader(path);
        Assert.False(h.FortranOrder);
        Assert.Equal(shape, h.Shape.ToArray());
        Assert.Equal(0, h.DataOffset % 64);
        Assert.Equal(h.DataOffset + h.DataLength, new FileInfo(path).Length);
        return NpyFile.Read(path);
    }
}
