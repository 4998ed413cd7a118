using NtkDsl.Memory;

namespace NtkDsl.Layers;

// The device dispatch of a SpatialNetwork: the same argument checks as the CPU methods, then the call goes to the model's
// ISpatialBackend, which runs this plan (Steps: one SpatialStep per LayerOp) op by op on its device.
public sealed partial class SpatialNetwork
{
    private SpatialStep[]? _steps;

    /// <summary>The plan as device backends run it: one <see cref="SpatialStep"/> per layer, read from the run time's own layer ops.</summary>
    public IReadOnlyList<SpatialStep> Steps => _steps ??= BuildSteps();

    private SpatialStep[] BuildSteps()
    {
        var steps = new SpatialStep[_ops.Length];
        for (int l = 0; l < _ops.Length; l++)
        {
            var op = _ops[l];
            var step = new SpatialStep
            {
                Index = l,
                Name = op.Name,
                Kind = op switch
                {
                    DenseLayerOp => SpatialStepKind.Dense,
                    Conv2DLayerOp => SpatialStepKind.Conv2D,
                    AvgPool2DLayerOp => SpatialStepKind.AvgPool2D,
                    GlobalAvgPoolLayerOp => SpatialStepKind.GlobalAvgPool,
                    FlattenLayerOp => SpatialStepKind.Flatten,
                    AddLayerOp => SpatialStepKind.Add,
                    LayerNormLayerOp => SpatialStepKind.LayerNorm,
                    _ => throw new InvalidOperationException($"{op.QualifiedName}: no device step for {op.GetType().Name}."),
                },
                InSize = op.InShape.Size,
                InPixels = op.InShape.Pixels,
                InChannels = op.InShape.Channels,
                OutSize = op.OutShape.Size,
                OutPixels = op.OutShape.Pixels,
                SourceLayer = op.SourceLayer,
                NeedsInputCotangent = NeedsInputCotangent(l),
                Epsilon = op.Spec is LayerNormSpec n ? n.Epsilon : 0.0,
            };
            var table = op switch { Conv2DLayerOp c => c.Windows, AvgPool2DLayerOp a => a.Windows, _ => null };
            if (table is not null) step = step with { WindowSource = (int[])table.Source.Clone(), WindowOffsets = table.Offsets };
            if (op is PatchLayerOp p)
                step = step with
                {
                    Pixels = p.Pixels,
                    FanIn = p.FanIn,
                    Channels = p.Channels,
                    WeightScale = p.WeightScale,
                    BiasScale = p.BiasScale,
                    UseBias = p.UseBias,
                    IsIdentity = p.IsIdentity,
                    WeightGroup = p.FirstGroup,
                    WeightOffset = _groupOffsets[p.FirstGroup],
                    BiasOffset = p.UseBias ? _groupOffsets[p.FirstGroup + 1] : -1,
                };
            steps[l] = step;
        }
        return steps;
    }

    private ISpatialBackend BackendOf(SpatialDeviceModel device)
    {
        if (!ReferenceEquals(device.Network, this))
            throw new ArgumentException($"{ModelName}: the device binding belongs to {device.Network.ModelName}'s plan, not to this one.", nameof(device));
        return device.Backend;
    }

    /// <summary><see cref="Forward(double[][], Tensor)"/> on <paramref name="device"/>'s backend (null: the CPU code).</summary>
    public Tensor Forward(double[][] parameters, Tensor x, SpatialDeviceModel? device)
    {
        if (device is null) return Forward(parameters, x);
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        return BackendOf(device).Forward(device, parameters, x);
    }

    /// <summary><see cref="Jvp(double[][], Tensor, Tensor)"/> on <paramref name="device"/>'s backend (null: the CPU code).</summary>
    public Tensor Jvp(double[][] parameters, Tensor x, Tensor tangent, SpatialDeviceModel? device)
    {
        if (device is null) return Jvp(parameters, x, tangent);
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        InputChecks.Shape(tangent, ModelName, nameof(tangent), ParameterCount);
        return BackendOf(device).Jvp(device, parameters, x, tangent.DType == DType.Float64 ? tangent : tangent.To(DType.Float64));
    }

    /// <summary><see cref="Vjp(double[][], Tensor, Tensor)"/> on <paramref name="device"/>'s backend (null: the CPU code).</summary>
    public Tensor Vjp(double[][] parameters, Tensor x, Tensor cotangent, SpatialDeviceModel? device)
    {
        if (device is null) return Vjp(parameters, x, cotangent);
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        InputChecks.Shape(cotangent, ModelName, nameof(cotangent), x.Rows, Outputs);
        return BackendOf(device).Vjp(device, parameters, x, cotangent.DType == DType.Float64 ? cotangent : cotangent.To(DType.Float64));
    }

    /// <summary><see cref="Jacobian(double[][], Tensor)"/> on <paramref name="device"/>'s backend (null: the CPU code).</summary>
    public Tensor Jacobian(double[][] parameters, Tensor x, SpatialDeviceModel? device)
    {
        if (device is null) return Jacobian(parameters, x);
        CheckParameters(parameters);
        CheckInput(x, nameof(x));
        MemoryBudget.EnsureJacobian(Cost, x.Rows);
        return BackendOf(device).Jacobian(device, parameters, x);
    }

    /// <summary>
    /// <see cref="Ntk(double[][], Tensor, Tensor?, NtkMode, double[], bool, IProgress{NtkProgress}?, CancellationToken)"/> on
    /// <paramref name="device"/>'s backend (null: the CPU code), after the same checks.
    /// </summary>
    public Tensor[] Ntk(double[][] parameters, Tensor x1, Tensor? x2, NtkMode mode, double[] groupWeight, bool perGroup,
        IProgress<NtkProgress>? progress, CancellationToken cancellationToken, SpatialDeviceModel? device)
    {
        if (device is null) return Ntk(parameters, x1, x2, mode, groupWeight, perGroup, progress, cancellationToken);
        CheckNtkArguments(parameters, x1, x2, mode, groupWeight, perGroup);
        return BackendOf(device).Ntk(device, parameters, x1, x2, mode, groupWeight, perGroup, progress, cancellationToken);
    }
}
