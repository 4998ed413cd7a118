namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The sources of a window along one axis (<see cref="KernelStep.SrcH"/>/<see cref="KernelStep.SrcW"/>: src[q·k + a],
/// −1 for padding) grouped, per window offset a, into maximal runs of outputs q, q + 1, … whose sources are valid and
/// consecutive: (first output, first source, length) triples. <see cref="PixelPairOps.ConvolveDiagonal"/> adds a run
/// as one contiguous slice instead of entry by entry.
/// </summary>
internal sealed class WindowRuns
{
    private readonly int[][] _runs;

    /// <param name="src">Sources per (output, offset), length output·k.</param>
    /// <param name="output">Outputs along the axis.</param>
    /// <param name="k">Window size.</param>
    public WindowRuns(int[] src, int output, int k)
    {
        ArgumentNullException.ThrowIfNull(src);
        if (src.Length != output * k) throw new ArgumentException("src must hold output·k sources.", nameof(src));
        _runs = new int[k][];
        for (int a = 0; a < k; a++)
        {
            var list = new List<int>();
            int q = 0;
            while (q < output)
            {
                int s = src[q * k + a];
                if (s < 0) { q++; continue; }
                int start = q, len = 1;
                while (q + len < output && src[(q + len) * k + a] == s + len) len++;
                list.Add(start);
                list.Add(s);
                list.Add(len);
                q += len;
            }
            _runs[a] = [.. list];
        }
    }

    /// <summary>The runs of offset <paramref name="a"/> as (first output, first source, length) triples.</summary>
    public ReadOnlySpan<int> Of(int a) => _runs[a];
}
