namespace NtkDsl.Layers;

/// <summary>
/// For a square window sliding over an H × W image (Conv2D, AvgPool2D): the input pixel each window offset of each
/// output pixel reads, or −1 for zero padding, from <see cref="SpatialGeometry"/> (neural-tangents'/JAX's padding rules).
/// </summary>
internal sealed class WindowTable
{
    public WindowTable(int height, int width, int window, int stride, Padding padding)
    {
        Window = window;
        OutHeight = SpatialGeometry.OutputSize(height, window, stride, padding);
        OutWidth = SpatialGeometry.OutputSize(width, window, stride, padding);
        if (OutHeight <= 0 || OutWidth <= 0)
            throw new ArgumentException($"A {window}×{window} window with {padding} padding does not fit a {height}×{width} image.");
        int outPixels = OutHeight * OutWidth, offsets = window * window;
        Source = new int[outPixels * offsets];
        for (int oy = 0; oy < OutHeight; oy++)
            for (int ox = 0; ox < OutWidth; ox++)
                for (int ky = 0; ky < window; ky++)
                {
                    int iy = SpatialGeometry.SourceIndex(oy, ky, height, window, stride, padding);
                    for (int kx = 0; kx < window; kx++)
                    {
                        int ix = SpatialGeometry.SourceIndex(ox, kx, width, window, stride, padding);
                        Source[(oy * OutWidth + ox) * offsets + ky * window + kx] = iy < 0 || ix < 0 ? -1 : iy * width + ix;
                    }
                }
    }

    /// <summary>Window side.</summary>
    public int Window { get; }

    /// <summary>Output height.</summary>
    public int OutHeight { get; }

    /// <summary>Output width.</summary>
    public int OutWidth { get; }

    /// <summary>Offsets per window (window²).</summary>
    public int Offsets => Window * Window;

    /// <summary>[output pixel · Offsets + offset] → input pixel, or −1 (zero padding).</summary>
    public int[] Source { get; }
}
