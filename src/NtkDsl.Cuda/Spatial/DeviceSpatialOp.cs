using NtkDsl.Cuda.Memory;
using NtkDsl.Layers;

namespace NtkDsl.Cuda.Spatial;

/// <summary>
/// The device twin of one <c>LayerOp</c> of a <see cref="SpatialNetwork"/> plan (read from its <see cref="SpatialStep"/>):
/// the forward pass over a block of rows (keeping what the backward pass needs), the backward pass of <c>batch</c>
/// cotangents per row, and the tangent pass, with the CPU op's row layout (example-major, then cotangent, then NHWC).
/// Layers with parameters derive from <see cref="DevicePatchOp"/>. Buffers come from the running <see cref="SpatialEngine"/>.
/// </summary>
internal abstract class DeviceSpatialOp
{
    protected DeviceSpatialOp(SpatialEngine engine, SpatialStep step)
    {
        Engine = engine;
        Step = step;
    }

    protected SpatialEngine Engine { get; }

    /// <summary>The op as the plan resolved it.</summary>
    public SpatialStep Step { get; }

    /// <summary>rows × OutSize from rows × InSize (<paramref name="source"/>: the Add source's output); <paramref name="cache"/> for the backward/tangent passes.</summary>
    public abstract DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache);

    /// <summary>Cotangent of the input (rows × batch × InSize) from that of the output; may return <paramref name="gradOutput"/> itself.</summary>
    public abstract DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch);

    /// <summary>Tangent of the output from those of the input and (Add) the source; null when identically zero. <paramref name="tangent"/>: the flat parameter tangent.</summary>
    public abstract DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent);

    /// <summary>The twin of <paramref name="step"/>'s kind.</summary>
    /// <exception cref="InvalidOperationException">A step kind without a twin: unreachable (see the last arm).</exception>
    public static DeviceSpatialOp Create(SpatialEngine engine, SpatialStep step) => step.Kind switch
    {
        SpatialStepKind.Dense or SpatialStepKind.Conv2D => new DevicePatchOp(engine, step),
        SpatialStepKind.AvgPool2D => new DeviceAvgPool2DOp(engine, step),
        SpatialStepKind.GlobalAvgPool => new DeviceGlobalAvgPoolOp(engine, step),
        SpatialStepKind.Flatten => new DeviceFlattenOp(engine, step),
        SpatialStepKind.Add => new DeviceAddOp(engine, step),
        SpatialStepKind.LayerNorm => new DeviceLayerNormOp(engine, step),
        // Unreachable: the steps come from SpatialNetwork.Steps, which makes one step per LayerOp of the seven kinds
        // above; the arm is kept because a switch over an enum must handle values outside its members (CS8524).
        _ => throw new InvalidOperationException(
            $"{engine.Name}.{step.Name} ({step.Kind}): this plan step has no device twin in NtkDsl.Cuda; SpatialNetwork.Steps makes only "
            + "Dense, Conv2D, AvgPool2D, GlobalAvgPool, Flatten, Add and LayerNorm steps, so this is a bug in NtkDsl.Cuda (please report it)."),
    };

    /// <summary>
    /// The inverse of a window table, CSR by input pixel: for input pixel s the entries e = q·o + k with
    /// table[e] = s, ascending (the order in which the CPU ops accumulate into s).
    /// </summary>
    protected static (int[] Start, int[] Entries) InverseTable(int[] table, int inputPixels)
    {
        var start = new int[inputPixels + 1];
        foreach (int s in table)
            if (s >= 0) start[s + 1]++;
        for (int s = 0; s < inputPixels; s++) start[s + 1] += start[s];
        var fill = (int[])start.Clone();
        var entries = new int[start[inputPixels]];
        for (int e = 0; e < table.Length; e++)
            if (table[e] >= 0) entries[fill[table[e]]++] = e;
        return (start, entries);
    }
}

/// <summary>Flatten: the identity on NHWC rows in every pass (<c>FlattenLayerOp</c>).</summary>
internal sealed class DeviceFlattenOp(SpatialEngine engine, SpatialStep step) : DeviceSpatialOp(engine, step)
{
    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        cache = null;
        return input;
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch) => gradOutput;

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
        => tangentInput;
}

/// <summary>Add: running activations + the source layer's output; the backward pass passes the cotangent through (the engine adds it to the source's) (<c>AddLayerOp</c>).</summary>
internal sealed class DeviceAddOp(SpatialEngine engine, SpatialStep step) : DeviceSpatialOp(engine, step)
{
    public override DeviceMemory<double> Forward(DeviceMemory<double> input, DeviceMemory<double>? source, int rows, out object? cache)
    {
        cache = null;
        return Engine.Add(input, source!.Value);
    }

    public override DeviceMemory<double> Backward(object? cache, DeviceMemory<double> gradOutput, int rows, int batch) => gradOutput;

    public override DeviceMemory<double>? Jvp(object? cache, DeviceMemory<double>? tangentInput, DeviceMemory<double>? tangentSource, int rows, DeviceMemory<double> tangent)
    {
        if (tangentInput is null) return tangentSource;
        if (tangentSource is null) return tangentInput;
        return Engine.Add(tangentInput.Value, tangentSource.Value);
    }
}
