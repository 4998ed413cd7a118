namespace NtkDsl.Layers;

/// <summary>
/// Output sizes and padding of windowed layers (Conv2D, AvgPool2D) along one spatial axis, with neural-tangents'/JAX's
/// conventions: Valid ⌊(n − k)/s⌋ + 1; Same and Circular ⌈n/s⌉ with total padding max((out − 1)·s + k − n, 0), of
/// which ⌊total/2⌋ goes before. Shared by the run time, the analytic kernels and (mirrored) the generator's shape checks.
/// </summary>
internal static class SpatialGeometry
{
    /// <summary>Output length along an axis of <paramref name="size"/> pixels for a window <paramref name="window"/> and <paramref name="stride"/>; 0 or less when it does not fit (Valid).</summary>
    public static int OutputSize(int size, int window, int stride, Padding padding) => padding switch
    {
        Padding.Valid => size >= window ? (size - window) / stride + 1 : 0,
        _ => (size + stride - 1) / stride,
    };

    /// <summary>Padding before the first pixel (0 for Valid).</summary>
    public static int PadBefore(int size, int window, int stride, Padding padding)
    {
        if (padding == Padding.Valid) return 0;
        int output = OutputSize(size, window, stride, padding);
        int total = Math.Max((output - 1) * stride + window - size, 0);
        return total / 2;
    }

    /// <summary>
    /// The input pixel seen at window offset <paramref name="offset"/> of output position <paramref name="output"/>,
    /// or −1 for a zero-padding position (Circular wraps around instead).
    /// </summary>
    public static int SourceIndex(int output, int offset, int size, int window, int stride, Padding padding)
    {
        int i = output * stride + offset - PadBefore(size, window, stride, padding);
        if (i >= 0 && i < size) return i;
        return padding == Padding.Circular ? ((i % size) + size) % size : -1;
    }
}
