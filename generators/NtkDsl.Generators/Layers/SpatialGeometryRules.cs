using System;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Layers;

/// <summary>
/// The generator's mirror of the run time's <c>NtkDsl.Layers.SpatialGeometry</c> (the generator cannot reference the
/// runtime assembly): output sizes and padding along one axis, with JAX's conventions. Valid ⌊(n − k)/s⌋ + 1 (0 when
/// the window does not fit); Same and Circular ⌈n/s⌉ with total padding max((out − 1)·s + k − n, 0).
/// A test compares both on a grid of sizes, windows, strides and paddings.
/// </summary>
internal static class SpatialGeometryRules
{
    public static int OutputSize(int size, int window, int stride, PaddingKind padding) => padding switch
    {
        PaddingKind.Valid => size >= window ? (size - window) / stride + 1 : 0,
        _ => (size + stride - 1) / stride,
    };

    /// <summary>Total padding along the axis (0 for Valid).</summary>
    public static int TotalPadding(int size, int window, int stride, PaddingKind padding) =>
        padding == PaddingKind.Valid ? 0 : Math.Max((OutputSize(size, window, stride, padding) - 1) * stride + window - size, 0);

    /// <summary>The image size the window slides over: padded for Same/Circular, as is for Valid.</summary>
    public static int PaddedSize(int size, int window, int stride, PaddingKind padding) => size + TotalPadding(size, window, stride, padding);
}
