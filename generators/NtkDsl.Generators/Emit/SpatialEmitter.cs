using System.Collections.Generic;
using System.Linq;
using NtkDsl.Generators.Layers;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// Emits a model declared with <c>InputShape</c>: the same public surface as a Dense model (Info, Cost, constructor,
/// Clone, Linearize, Device, layer properties, Get/SetParameters, Save/Load, Forward, Jvp, Vjp, Jacobian, Ntk,
/// NtkPerGroup, Wntk and the static analytic kernels), each member checking its arguments and the access guard as the
/// Dense members do, then delegating to one static <c>NtkDsl.Layers.SpatialNetwork</c> built from the layers'
/// <c>LayerSpec</c> records. The parameters are one <c>double[]</c> per parameter group (layer by layer, weights then bias).
/// </summary>
internal static class SpatialEmitter
{
    private const string Tensor = ModelEmitter.Tensor;
    private const string Progress = PublicSurface.Progress;
    private const string Token = PublicSurface.Token;
    private const string Mode = PublicSurface.Mode;
    private const string Network = Names.Reserved + "Network";
    private const string Parameters = Names.Reserved + "Parameters";
    private const string F64 = "global::NtkDsl.DType.Float64";
    private const string NetworkFor = Names.Reserved + "NetworkFor";
    private const string DeviceBinding = Names.Reserved + "Device";

    public static IEnumerable<(string Suffix, System.Action<SourceWriter> Body, bool Attribute)> Parts(ModelSpec model)
    {
        var c = new SpatialContext(model);
        yield return (".Model.g.cs", w => EmitCore(w, c), true);
        yield return (".Ntk.g.cs", w => EmitNtk(w, c), false);
        yield return (".Analytic.g.cs", w => EmitAnalytic(w, c), false);
        yield return (".Cost.g.cs", w => EmitCost(w, c), false);
    }

    private static void EmitCore(SourceWriter w, SpatialContext c)
    {
        var m = c.Model;
        if (c.Widthless)
        {
            EmitWidthlessPlan(w, c);
        }
        else
        {
            w.Line("/// <summary>");
            w.Line("/// The run-time plan of " + c.Name + " (input " + string.Join("×", m.InputShape) + ", NHWC): one LayerSpec per layer with σ defaults resolved;");
            w.Line("/// every generated member delegates to it.");
            w.Line("/// </summary>");
            w.Line("private static readonly global::NtkDsl.Layers.SpatialNetwork " + Network + " = new global::NtkDsl.Layers.SpatialNetwork(").Indent();
            w.Line(Str(c.Name) + ", new int[] { " + string.Join(", ", m.InputShape.Select(d => Int(d))) + " }, global::NtkDsl.Parameterization." + m.Parameterization
                + ", global::NtkDsl.Precision." + m.Precision + ", " + Num(m.OutputScale) + ", " + Bool(m.Centered) + ",");
            EmitLayerSpecs(w, c);
            w.Unindent();
            w.Line();
            w.Line("/// <summary>Architecture of " + c.Name + ": layers, shapes, activations and the parameter layout.</summary>");
            w.Line("public static global::NtkDsl.ModelInfo Info => " + Network + ".Info;");
            w.Line();
        }
        EmitCoreMembers(w, c);
    }

    /// <summary>The <c>new LayerSpec[] { … });</c> argument that ends the plan's construction.</summary>
    /// <summary>The LayerSpec array expression; <paramref name="close"/>: what follows its closing brace (the rest of the call).</summary>
    private static void EmitLayerSpecs(SourceWriter w, SpatialContext c, string close = ");")
    {
        w.Open("new global::NtkDsl.Layers.LayerSpec[]");
        for (int i = 0; i < c.Layers.Count; i++)
        {
            var l = c.Layers[i];
            w.Line("// " + l.Name + ": " + LayerKinds.Describe(l));
            w.Line(LayerKinds.SpecExpression(l, l.Trainable is null ? "" : ActivationExpression(l.Trainable, i)) + ",");
        }
        w.Close(close);
    }

    /// <summary>
    /// The plan of a model declared without Inputs (issue 15): one <c>SpatialNetwork.Flat</c> per input width, built on
    /// demand (the last one is kept, so InfoFor, CostFor, the analytic kernels and new instances of one width share it);
    /// each instance holds the plan of its width. <c>Info</c> and <c>Cost</c> are instance members, with static
    /// <c>InfoFor(d)</c> and <c>CostFor(d)</c> for planning.
    /// </summary>
    private static void EmitWidthlessPlan(SourceWriter w, SpatialContext c)
    {
        var m = c.Model;
        w.Line("/// <summary>The plan of the width most recently asked for (shared, immutable; replaced when another width is asked for).</summary>");
        w.Line("private static global::NtkDsl.Layers.SpatialNetwork? " + Names.Reserved + "LastNetwork;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The run-time plan of " + c.Name + " at input width <paramref name=\"inputs\"/>: one LayerSpec per layer with σ defaults resolved;");
        w.Line("/// every generated member delegates to it.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">The input width d.</param>");
        w.Line("/// <param name=\"widthFrom\">Null for a constructor argument; the tensor argument d was read from otherwise (named in the errors).</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"inputs\"/> ≤ 0, or so wide that the parameters exceed int.MaxValue (the message gives the largest width that fits).</exception>");
        w.Open("private static global::NtkDsl.Layers.SpatialNetwork " + NetworkFor + "(int inputs, string? widthFrom = null)");
        w.Line("var last = " + Names.Reserved + "LastNetwork;");
        w.Line("if (last is not null && last.Info.Inputs == inputs) return last;");
        w.Line("var network = global::NtkDsl.Layers.SpatialNetwork.Flat(").Indent();
        w.Line(Str(c.Name) + ", inputs, global::NtkDsl.Parameterization." + m.Parameterization
            + ", global::NtkDsl.Precision." + m.Precision + ", " + Num(m.OutputScale) + ", " + Bool(m.Centered) + ",");
        EmitLayerSpecs(w, c, ", widthFrom);");
        w.Unindent();
        w.Line(Names.Reserved + "LastNetwork = network;");
        w.Line("return network;");
        w.Close();
        w.Line();
        w.Line("/// <summary>The plan of this instance's input width.</summary>");
        w.Line("private readonly global::NtkDsl.Layers.SpatialNetwork " + Network + ";");
        w.Line();
        w.Line("/// <summary>Architecture of this " + c.Name + ": its input width, layers, activations and the parameter layout.</summary>");
        w.Line("public global::NtkDsl.ModelInfo Info => " + Network + ".Info;");
        w.Line();
        w.Line("/// <summary>The architecture of " + c.Name + " at input width <paramref name=\"inputs\"/> (what <see cref=\"Info\"/> of an instance of that width is), for planning.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"inputs\"/> ≤ 0, or so wide that the parameters exceed int.MaxValue (the message gives the largest width that fits).</exception>");
        w.Line("public static global::NtkDsl.ModelInfo InfoFor(int inputs) => " + NetworkFor + "(inputs).Info;");
        w.Line();
    }

    private static void EmitCoreMembers(SourceWriter w, SpatialContext c)
    {
        var m = c.Model;
        w.Line("/// <summary>The parameters, one array per parameter group in <see cref=\"GetParameters\"/> order (" + c.GroupCount + " groups, " + c.ParameterText + " values).</summary>");
        w.Line("private readonly double[][] " + Parameters + ";");
        for (int i = 0; i < c.Layers.Count; i++)
            w.Line("private readonly " + LayerKinds.HandleType(c.Layers[i].Kind) + " " + Field(i) + ";");
        w.Line("/// <summary>The device binding (null on the CPU): every kernel method then runs this plan on the device's ISpatialBackend.</summary>");
        w.Line("private readonly global::NtkDsl.Layers.SpatialDeviceModel? " + DeviceBinding + ";");
        w.Line("/// <summary>Detects concurrent mutation of this instance (reads may overlap; a write or a training run needs it alone).</summary>");
        w.Line("private readonly global::NtkDsl.ModelAccessGuard __ntkAccess = new global::NtkDsl.ModelAccessGuard(" + Str(c.Name) + ");");
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// A new " + c.Name + " with parameters drawn from <see cref=\"global::NtkDsl.NormalSampler\"/> seeded with <paramref name=\"seed\"/>,");
        w.Line("/// group by group in <see cref=\"GetParameters\"/> order (" + (m.Parameterization == ParameterizationKind.Ntk
            ? "NTK parameterization: every entry ~ N(0, 1)" : "standard parameterization: W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²)") + ").");
        w.Line("/// </summary>");
        if (c.Widthless)
        {
            w.Line("/// <param name=\"inputs\">The input width d (feature columns of the data), ≥ 1.</param>");
            w.Line("/// <param name=\"seed\">Seed of the initialization.</param>");
            w.Line("/// <param name=\"device\">The device (default CPU).</param>");
            w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"inputs\"/> ≤ 0, or so wide that the parameters exceed int.MaxValue (the message gives the largest width that fits).</exception>");
        }
        w.Open("public " + c.Id + "(" + (c.Widthless ? "int inputs, " : "") + "int seed, global::NtkDsl.Device? device = null)");
        if (c.Widthless) w.Line(Network + " = " + NetworkFor + "(inputs);");
        w.Line("Device = device ?? global::NtkDsl.Device.Cpu;");
        w.Line(DeviceBinding + " = global::NtkDsl.Layers.SpatialDeviceModel.For(Device, " + Network + ", " + CudaEmitter.SpatialSourceField + ");");
        w.Line(Parameters + " = " + Network + ".InitializeParameters(new global::NtkDsl.NormalSampler(seed));");
        if (c.GroupCount > 0) w.Line("var shapes = " + Network + ".GroupShapes;");
        for (int i = 0; i < c.Layers.Count; i++)
        {
            var l = c.Layers[i];
            string info = "Info.Layers[" + i + "]";
            string handle = l.Trainable is null
                ? "new global::NtkDsl.Layer(" + info + ")"
                : "new " + LayerKinds.HandleType(l.Kind) + "(" + info + ", " + Wrap(c.WeightGroup[i]) + ", " + (l.Trainable.UseBias ? Wrap(c.WeightGroup[i] + 1) : "null") + ")";
            w.Line(Field(i) + " = " + handle + ";");
        }
        w.Close();
        w.Line();

        PublicSurface.InstanceMembers(w, c.Id, c.Widthless);
        for (int i = 0; i < c.Layers.Count; i++)
        {
            var l = c.Layers[i];
            w.Line("/// <summary>Layer " + l.Name + ": " + Xml(LayerKinds.Describe(l)) + ".</summary>");
            w.Line((l.Modifiers.Length == 0 ? "" : l.Modifiers + " ") + "partial " + LayerKinds.HandleType(l.Kind) + " " + Names.Identifier(l.Name) + " => " + Field(i) + ";");
        }
        w.Line();

        w.Line("/// <summary>All " + c.ParameterText + " parameters as one vector: per layer the weights (Conv2D: channels × k × k × input channels; Dense: out × in; row-major), then the biases.</summary>");
        w.Open("public double[] GetParameters()");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"GetParameters\");");
        w.Line("var values = new double[" + c.ParameterCountExpression + "];");
        w.Line("int offset = 0;");
        w.Open("foreach (var group in " + Parameters + ")");
        w.Line("group.CopyTo(values, offset);");
        w.Line("offset += group.Length;");
        w.Close();
        w.Line("return values;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Replaces every parameter from one vector in <see cref=\"GetParameters\"/> order.</summary>");
        w.Open("public void SetParameters(global::System.ReadOnlySpan<double> values)");
        w.Line("global::NtkDsl.InputChecks.ParameterLength(values.Length, " + c.ParameterCountExpression + ", " + Str(c.Name) + ");");
        w.Line("global::NtkDsl.Kernels.FeatureOps.CheckFiniteParameters(values, " + Str(c.Name) + ");");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterWrite(\"SetParameters\");");
        w.Line("int offset = 0;");
        w.Open("foreach (var group in " + Parameters + ")");
        w.Line("values.Slice(offset, group.Length).CopyTo(group);");
        w.Line("offset += group.Length;");
        w.Close();
        w.Close();
        w.Line();

        w.Line("/// <summary>Writes the parameters to a checksummed checkpoint with the architecture fingerprint (atomic: temp file, then rename).</summary>");
        w.Line("public void Save(string path, global::NtkDsl.IO.CheckpointMetadata? metadata = null) => global::NtkDsl.IO.Checkpoint.Save(path, Info, GetParameters(), metadata);");
        w.Line();
        if (c.Widthless)
        {
            w.Line("/// <summary>Loads a checkpoint written by <see cref=\"Save\"/> at the input width the file records; a different architecture or a corrupted file is an error that says which.</summary>");
            w.Open("public static " + c.Id + " Load(string path, global::NtkDsl.Device? device = null)");
            w.Line("var header = global::NtkDsl.IO.Checkpoint.ReadHeader(path);");
            w.Line("if (header.Inputs <= 0) throw new global::System.ArgumentException(" + Str(c.Name + ": the checkpoint ") + " + path + \" records inputs = \" + header.Inputs + \"; it was not saved by a model with an input width.\", nameof(path));");
            w.Line("return Load(path, header.Inputs, device);");
            w.Close();
            w.Line();
            w.Line("/// <summary>Loads a checkpoint written by <see cref=\"Save\"/> into a model of input width <paramref name=\"inputs\"/>; a checkpoint of another width or architecture, or a corrupted file, is an error that says which.</summary>");
            w.Line("/// <exception cref=\"global::NtkDsl.IO.CheckpointMismatchException\">The file was saved at another width or from another architecture.</exception>");
            w.Open("public static " + c.Id + " Load(string path, int inputs, global::NtkDsl.Device? device = null)");
            w.Line("var model = new " + c.Id + "(inputs, 0, device);");
            w.Line("model.SetParameters(global::NtkDsl.IO.Checkpoint.Load(path, model.Info));");
            w.Line("return model;");
            w.Close();
        }
        else
        {
            w.Line("/// <summary>Loads a checkpoint written by <see cref=\"Save\"/>; a different architecture or a corrupted file is an error that says which.</summary>");
            w.Open("public static " + c.Id + " Load(string path, global::NtkDsl.Device? device = null)");
            w.Line("var model = new " + c.Id + "(0, device);");
            w.Line("model.SetParameters(global::NtkDsl.IO.Checkpoint.Load(path, Info));");
            w.Line("return model;");
            w.Close();
        }
        w.Line();

        for (int i = 0; i < c.Layers.Count; i++)
        {
            var t = c.Layers[i].Trainable;
            if (t is null) continue;
            var (value, deriv) = ActivationEmitter.Bodies(t);
            w.Line("private static double " + Phi(i) + "(double z) => " + value + ";");
            w.Line("private static double " + DPhi(i) + "(double z) => " + deriv + ";");
        }
        w.Line();

        if (c.Widthless)
        {
            w.Line("/// <summary>Checks an input batch: N × d (this instance's width), finite, Float64.</summary>");
            w.Line("private void __ntkCheckInput(" + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.WidthlessFeatures(x, " + Network + ".Info.Inputs, " + Str(c.Name) + ", argument);");
        }
        else
        {
            w.Line("/// <summary>Checks an input batch: N × " + c.Features + " (" + string.Join("×", m.InputShape) + " per row, channels last), finite, Float64.</summary>");
            w.Line("private static void __ntkCheckInput(" + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.Features(x, " + Int(c.Features) + ", " + F64 + ", " + Str(c.Name) + ", argument, " + Str(string.Join("×", c.Model.InputShape)) + ");");
        }
        w.Line();
        w.Line("/// <summary>Network outputs f(x): N × " + c.FeatureText + " in, N × " + c.K + " out.</summary>");
        w.Open("public " + Tensor + " Forward(" + Tensor + " x)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Forward\");");
        w.Line("return " + Network + ".Forward(" + Parameters + ", x, " + DeviceBinding + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>Jacobian-vector product J(x)·t: N × " + c.K + ", for a tangent t of length " + c.ParameterText + " (forward mode; J is never built).</summary>");
        w.Open("public " + Tensor + " Jvp(" + Tensor + " x, " + Tensor + " tangent)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.InputChecks.Shape(tangent, " + Str(c.Name) + ", nameof(tangent), " + c.ParameterCountExpression + ");");
        w.Line("var t = tangent.DType == " + F64 + " ? tangent : tangent.To(" + F64 + ");");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Jvp\");");
        w.Line("return " + Network + ".Jvp(" + Parameters + ", x, t, " + DeviceBinding + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>Vector-Jacobian product J(x)ᵀ·u for a cotangent u of shape N × " + c.K + ": the gradient of Σ u·f, length " + c.ParameterText + " (reverse mode).</summary>");
        w.Open("public " + Tensor + " Vjp(" + Tensor + " x, " + Tensor + " cotangent)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.InputChecks.Shape(cotangent, " + Str(c.Name) + ", nameof(cotangent), x.Rows, " + c.K + ");");
        w.Line("var u = cotangent.DType == " + F64 + " ? cotangent : cotangent.To(" + F64 + ");");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Vjp\");");
        w.Line("return " + Network + ".Vjp(" + Parameters + ", x, u, " + DeviceBinding + ");");
        w.Close();
    }

    private static void EmitNtk(SourceWriter w, SpatialContext c)
    {
        w.Open("private global::NtkDsl.Tensor[] __ntkNtkCore(" + Tensor + " x1, " + Tensor + "? x2, " + Mode + " mode, double[] groupWeight, bool perGroup, " + Progress + " progress, " + Token + " cancellationToken)");
        w.Line("__ntkCheckInput(x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckInput(x2, nameof(x2));");
        w.Line("if (!global::System.Enum.IsDefined(mode)) throw new global::System.ArgumentOutOfRangeException(nameof(mode), mode, \"Unknown NtkMode.\");");
        w.Line("if ((mode == " + Mode + ".Diagonal || mode == " + Mode + ".DiagonalFull) && x2 is not null)");
        w.Line("    throw new global::System.ArgumentException(\"" + c.Name + ": NtkMode.\" + mode + \" computes Θ(x_i, x_i) of one batch and requires x2 == null.\", nameof(x2));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureNtk(Cost, x1.Rows, x2?.Rows, mode, perGroup ? " + c.GroupCount + " : 1);");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(perGroup ? \"NtkPerGroup\" : \"Ntk\");");
        w.Line("return " + Network + ".Ntk(" + Parameters + ", x1, x2, mode, groupWeight, perGroup, progress, cancellationToken, " + DeviceBinding + ");");
        w.Close();
        w.Line();

        PublicSurface.KernelMethods(w, c.GroupCount, new[]
        {
            "Empirical NTK Θ(x1, x2) = J(x1)·J(x2)ᵀ, structured per layer (never builds J). <paramref name=\"x2\"/> = null means x1",
            "(the symmetric training kernel). Trace: N1 × N2 mean over outputs; Full: N1 × N2 × K × K; Diagonal / DiagonalFull: Θ(x_i, x_i) only.",
        }, "each Conv2D/Dense layer's weights and biases");
        w.Line("/// <summary>The explicit Jacobian ∂f_c(x_n)/∂θ_p, N × K × P in <see cref=\"GetParameters\"/> order. Memory N·K·P: for small models and tests.</summary>");
        w.Open("public " + Tensor + " Jacobian(" + Tensor + " x)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureJacobian(Cost, x.Rows);");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Jacobian\");");
        w.Line("return " + Network + ".Jacobian(" + Parameters + ", x, " + DeviceBinding + ");");
        w.Close();
    }

    private static void EmitAnalytic(SourceWriter w, SpatialContext c)
    {
        if (c.Widthless)
        {
            EmitWidthlessAnalytic(w, c);
            return;
        }
        w.Line("private static void __ntkCheckAnalyticInput(" + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.Features(x, " + Int(c.Features) + ", x?.DType ?? " + F64 + ", " + Str(c.Name) + ", argument, " + Str(string.Join("×", c.Model.InputShape)) + ");");
        w.Line();
        w.Open("private static " + Tensor + " __ntkAnalyticCore(" + Tensor + " x1, " + Tensor + "? x2, double[] gw, bool ntkWanted, " + Progress + " progress, " + Token + " cancellationToken)");
        w.Line("__ntkCheckAnalyticInput(x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckAnalyticInput(x2, nameof(x2));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureAnalytic(Cost, x1.Rows, x2?.Rows);");
        w.Line("return " + Network + ".Analytic(x1, x2, gw, ntkWanted, progress, cancellationToken);");
        w.Close();
        w.Line();
        PublicSurface.AnalyticMethods(w, c.GroupCount, "", "");
        EmitDeviceAnalytic(w, c, "Info");
        w.Open("private static " + Tensor + " __ntkAnalyticDiagonal(" + Tensor + " x, bool ntkWanted)");
        w.Line("__ntkCheckAnalyticInput(x, nameof(x));");
        w.Line("return " + Network + ".AnalyticDiagonal(x, ntkWanted);");
        w.Close();
    }

    /// <summary>
    /// AnalyticNngp/AnalyticNtk/AnalyticWntk/AnalyticNtkDiagonal/AnalyticNngpDiagonal(Device device, …) (issue 12), the same
    /// public shape as Dense models' (ModelEmitter.EmitDeviceAnalytic): Device.Cpu runs <c>__ntkAnalyticCore</c>
    /// (<c>__ntkAnalyticDiagonal</c>); any other device gets the call through <c>SpatialNetwork.Analytic(…, device, source,
    /// reason)</c> (<c>AnalyticDiagonal(x, ntk, device, source, reason)</c>), which checks the arguments as the CPU does and hands them to
    /// the device's spatial backend (the pixel-pair recursion with this model's generated duals), or throws
    /// NotSupportedException: never a CPU fallback.
    /// </summary>
    private static void EmitDeviceAnalytic(SourceWriter w, SpatialContext c, string info)
    {
        string T = Tensor, P = Progress, K = Token, D = "global::NtkDsl.Device";
        PublicSurface.DeviceAnalyticMethods(w, c.GroupCount, "on <paramref name=\"device\"/>: Device.Cpu runs the CPU recursion; a GPU (NtkDsl.Cuda) runs the same pixel-pair recursion with this model's generated duals and throws NotSupportedException for an activation without a device dual (never a CPU fallback).", info);
        w.Open("private static " + T + " __ntkAnalyticOn(" + D + " device, " + T + " x1, " + T + "? x2, double[] gw, bool ntkWanted, " + P + " progress, " + K + " cancellationToken)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(device);");
        w.Line("if (device.IsCpu) return __ntkAnalyticCore(x1, x2, gw, ntkWanted, progress, cancellationToken);");
        string network = Network;
        if (c.Widthless)
        {
            w.Line("var network = __ntkAnalyticNetwork(x1, nameof(x1));");
            w.Line("__ntkCheckAnalyticInput(network, x1, nameof(x1));");
            w.Line("if (x2 is not null) __ntkCheckAnalyticInput(network, x2, nameof(x2));");
            network = "network";
        }
        else
        {
            w.Line("__ntkCheckAnalyticInput(x1, nameof(x1));");
            w.Line("if (x2 is not null) __ntkCheckAnalyticInput(x2, nameof(x2));");
        }
        w.Line("return " + network + ".Analytic(x1, x2, gw, ntkWanted, progress, cancellationToken, device, " + CudaEmitter.SpatialSourceField + ", " + CudaEmitter.SpatialUnsupportedField + ");");
        w.Close();
        w.Line();
        w.Open("private static " + T + " __ntkAnalyticDiagonalOn(" + D + " device, " + T + " x, bool ntkWanted)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(device);");
        w.Line("if (device.IsCpu) return __ntkAnalyticDiagonal(x, ntkWanted);");
        network = Network;
        if (c.Widthless)
        {
            w.Line("var network = __ntkAnalyticNetwork(x, nameof(x));");
            w.Line("__ntkCheckAnalyticInput(network, x, nameof(x));");
            network = "network";
        }
        else w.Line("__ntkCheckAnalyticInput(x, nameof(x));");
        w.Line("return " + network + ".AnalyticDiagonal(x, ntkWanted, device, " + CudaEmitter.SpatialSourceField + ", " + CudaEmitter.SpatialUnsupportedField + ");");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The static analytic kernels of a width-less model: the infinite-width kernels need no parameters, so they stay
    /// static and read the width from x1 (x2 must have as many columns).
    /// </summary>
    private static void EmitWidthlessAnalytic(SourceWriter w, SpatialContext c)
    {
        w.Line("/// <summary>The plan at the width of <paramref name=\"x\"/> (its column count), after checking that it is a matrix with at least one column.</summary>");
        w.Open("private static global::NtkDsl.Layers.SpatialNetwork __ntkAnalyticNetwork(" + Tensor + "? x, string argument)");
        w.Line("if (x is null) throw new global::System.ArgumentNullException(argument, " + Str(c.Name + ": ") + " + argument + \" is null; pass an N × d tensor (the analytic kernels read d from its columns).\");");
        w.Line("if (x.Rank != 2 || x.Columns < 1)");
        w.Line("    throw new global::System.ArgumentException(" + Str(c.Name + ": ") + " + argument + \" must be an N × d matrix with d ≥ 1 (the analytic kernels read d from its columns), got shape [\" + string.Join(\", \", x.Shape.ToArray()) + \"].\", argument);");
        w.Line("return " + NetworkFor + "(x.Columns, argument);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Checks a batch against the width read from x1 (<paramref name=\"argument\"/> x1 itself or x2).</summary>");
        w.Line("private static void __ntkCheckAnalyticInput(global::NtkDsl.Layers.SpatialNetwork network, " + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.WidthlessFeatures(x, network.Info.Inputs, " + Str(c.Name) + ", argument, \"x1\");");
        w.Line();
        w.Open("private static " + Tensor + " __ntkAnalyticCore(" + Tensor + " x1, " + Tensor + "? x2, double[] gw, bool ntkWanted, " + Progress + " progress, " + Token + " cancellationToken)");
        w.Line("var network = __ntkAnalyticNetwork(x1, nameof(x1));");
        w.Line("__ntkCheckAnalyticInput(network, x1, nameof(x1));");
        w.Line("if (x2 is not null) __ntkCheckAnalyticInput(network, x2, nameof(x2));");
        w.Line("global::NtkDsl.Memory.MemoryBudget.EnsureAnalytic(network.Cost, x1.Rows, x2?.Rows);");
        w.Line("return network.Analytic(x1, x2, gw, ntkWanted, progress, cancellationToken);");
        w.Close();
        w.Line();
        PublicSurface.AnalyticMethods(w, c.GroupCount, "", "", "__ntkAnalyticNetwork(x1, nameof(x1)).Info");
        EmitDeviceAnalytic(w, c, "__ntkAnalyticNetwork(x1, nameof(x1)).Info");
        w.Open("private static " + Tensor + " __ntkAnalyticDiagonal(" + Tensor + " x, bool ntkWanted)");
        w.Line("var network = __ntkAnalyticNetwork(x, nameof(x));");
        w.Line("__ntkCheckAnalyticInput(network, x, nameof(x));");
        w.Line("return network.AnalyticDiagonal(x, ntkWanted);");
        w.Close();
    }

    private static void EmitCost(SourceWriter w, SpatialContext c)
    {
        if (c.Widthless)
        {
            w.Line("/// <summary>");
            w.Line("/// What this " + c.Name + " costs on the CPU backend at its input width: parameters, Forward flops per layer, and the flops and");
            w.Line("/// memory of Ntk (each mode, symmetric or not), Jacobian and AnalyticNtk for given batch sizes (the run time's SpatialNetwork.Cost).");
            w.Line("/// </summary>");
            w.Line("public global::NtkDsl.ModelCost Cost => " + Network + ".Cost;");
            w.Line();
            w.Line("/// <summary>What " + c.Name + " costs at input width <paramref name=\"inputs\"/> (what <see cref=\"Cost\"/> of an instance of that width is), for planning.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"inputs\"/> ≤ 0, or so wide that the parameters exceed int.MaxValue (the message gives the largest width that fits).</exception>");
            w.Line("public static global::NtkDsl.ModelCost CostFor(int inputs) => " + NetworkFor + "(inputs).Cost;");
            return;
        }
        w.Line("/// <summary>");
        w.Line("/// What " + c.Name + " costs on the CPU backend: " + Int(c.ParameterCount) + " parameters, Forward flops per layer, and the flops and");
        w.Line("/// memory of Ntk (each mode, symmetric or not), Jacobian and AnalyticNtk for given batch sizes (the run time's SpatialNetwork.Cost).");
        w.Line("/// </summary>");
        w.Line("public static global::NtkDsl.ModelCost Cost => " + Network + ".Cost;");
    }

    private static string Wrap(int group) => Tensor + ".Wrap(" + Parameters + "[" + group + "], shapes[" + group + "])";

    /// <summary>The LayerActivation of layer <paramref name="index"/>: kind, display name, the generated φ and φ', slope.</summary>
    private static string ActivationExpression(LayerSpec t, int index) =>
        "new global::NtkDsl.Layers.LayerActivation(global::NtkDsl.Activation." + t.Activation + ", " + Str(ActivationEmitter.DisplayName(t)) + ", "
        + Phi(index) + ", " + DPhi(index) + ", " + Num(t.LeakySlope) + ")";

    private static string Field(int i) => Names.Reserved + "Layer" + i;
    private static string Phi(int i) => Names.Reserved + "Phi" + i;
    private static string DPhi(int i) => Names.Reserved + "DPhi" + i;

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>Derived facts of a spatial model: groups, parameter count, features, outputs.</summary>
internal sealed class SpatialContext
{
    public SpatialContext(ModelSpec model)
    {
        Model = model;
        Layers = model.SpatialLayers.ToList();
        WeightGroup = new int[Layers.Count];
        int group = 0;
        for (int i = 0; i < Layers.Count; i++)
        {
            WeightGroup[i] = Layers[i].Trainable is null ? -1 : group;
            if (Layers[i].Trainable is { } t) group += t.UseBias ? 2 : 1;
            ParameterCount += LayerKinds.ParameterCount(Layers[i]);
        }
        GroupCount = group;
    }

    public ModelSpec Model { get; }
    public List<SpatialLayerSpec> Layers { get; }
    /// <summary>The weight group of each layer (its bias group is the next), −1 for parameter-free layers.</summary>
    public int[] WeightGroup { get; }
    public int GroupCount { get; }
    public long ParameterCount { get; }
    /// <summary>Declared without Inputs: the width, parameter count and cost are per instance.</summary>
    public bool Widthless => Model.Widthless;
    /// <summary>The parameter count as a C# expression (a literal, or the instance's Info for a width-less model).</summary>
    public string ParameterCountExpression => Widthless ? "Info.ParameterCount" : Int(ParameterCount);
    /// <summary>The parameter count in doc comments.</summary>
    public string ParameterText => Widthless ? "P (Info.ParameterCount)" : Int(ParameterCount);
    /// <summary>The input width in doc comments.</summary>
    public string FeatureText => Widthless ? "d" : Features.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public int Features => Model.Inputs;
    public int K => Layers[Layers.Count - 1].Trainable!.Width;
    public string Name => Model.ClassName;
    public string Id => Names.Identifier(Model.ClassName);
}
