using System.Linq;
using NtkDsl.Generators.Layers;
using NtkDsl.Generators.Model;
using static NtkDsl.Generators.Emit.SourceWriter;

namespace NtkDsl.Generators.Emit;

internal static partial class ModelEmitter
{
    private static void EmitCore(SourceWriter w, EmitContext c)
    {
        var m = c.Model;
        string S = c.S;
        w.Line("/// <summary>Architecture of " + c.Name + ": layers, widths, activations and the parameter layout.</summary>");
        w.Line("public static global::NtkDsl.ModelInfo Info { get; } = new global::NtkDsl.ModelInfo(").Indent();
        w.Line(Str(c.Name) + ", " + Int(m.Inputs) + ", global::NtkDsl.Parameterization." + m.Parameterization + ", global::NtkDsl.Precision." + m.Precision + ",");
        w.Open("new global::NtkDsl.LayerInfo[]");
        foreach (var l in c.Layers) w.Line(DenseKind.InfoEntry(l));
        w.Close(m.OutputScale != 1.0 || m.Centered ? "," : ");");
        if (m.OutputScale != 1.0 || m.Centered) w.Line("outputScale: " + Num(m.OutputScale) + ", centered: " + Bool(m.Centered) + ");");
        w.Unindent();
        w.Line();

        foreach (var l in c.Layers) DenseKind.EmitFields(w, c, l);
        w.Line("/// <summary>Detects concurrent mutation of this instance (reads may overlap; a write or a training run needs it alone).</summary>");
        w.Line("private readonly global::NtkDsl.ModelAccessGuard __ntkAccess = new global::NtkDsl.ModelAccessGuard(" + Str(c.Name) + ");");
        w.Line("/// <summary>The device binding (parameters, plan, CUDA C) when constructed on a non-CPU device; null on the CPU.</summary>");
        w.Line("private readonly global::NtkDsl.DeviceModel<" + S + ">? __ntkDevice;");
        w.Line();

        // Constructor.
        w.Line("/// <summary>");
        w.Line("/// A new " + c.Name + " with parameters drawn from <see cref=\"global::NtkDsl.NormalSampler\"/> seeded with <paramref name=\"seed\"/>,");
        w.Line("/// layer by layer in <see cref=\"GetParameters\"/> order (" + (m.Parameterization == ParameterizationKind.Ntk
            ? "NTK parameterization: every entry ~ N(0, 1)" : "standard parameterization: W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²)") + ").");
        w.Line("/// </summary>");
        w.Open("public " + c.Id + "(int seed, global::NtkDsl.Device? device = null)");
        w.Line("Device = device ?? global::NtkDsl.Device.Cpu;");
        w.Line("global::NtkDsl.Device.RequireModelSupport(Device, Info);");
        w.Line("var sampler = new global::NtkDsl.NormalSampler(seed);");
        foreach (var l in c.Layers) DenseKind.EmitInitialization(w, c, l);
        w.Line("__ntkDevice = global::NtkDsl.DeviceModel<" + S + ">.For(Device, Info, " + Names.Reserved + "CudaSource, new " + S + "[][] { "
            + string.Join(", ", c.Layers.Select(l => l.W)) + " }, new " + S + "[]?[] { " + string.Join(", ", c.Layers.Select(l => l.Spec.UseBias ? l.B : "null")) + " });");
        w.Close();
        w.Line();

        PublicSurface.InstanceMembers(w, c.Id);
        foreach (var l in c.Layers)
        {
            w.Line("/// <summary>Layer " + l.Name + ": Dense " + l.FanIn + " → " + l.Width + ", " + ActivationEmitter.DisplayName(l.Spec) + ".</summary>");
            w.Line((l.Spec.Modifiers.Length == 0 ? "" : l.Spec.Modifiers + " ") + "partial global::NtkDsl.DenseLayer " + l.Identifier + " => " + l.Field + ";");
        }
        w.Line();

        // Parameters.
        w.Line("/// <summary>All " + Int(c.ParameterCount) + " parameters as one vector: per layer the weights (out × in, row-major), then the biases.</summary>");
        w.Open("public double[] GetParameters()");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"GetParameters\");");
        w.Line("var values = new double[" + Int(c.ParameterCount) + "];");
        foreach (var l in c.Layers)
        {
            w.Line("for (int i = 0; i < " + Int(l.WeightCount) + "; i++) values[" + Int(l.WeightOffset) + " + i] = " + l.W + "[i];");
            if (l.Spec.UseBias) w.Line("for (int i = 0; i < " + Int(l.Width) + "; i++) values[" + Int(l.BiasOffset) + " + i] = " + l.B + "[i];");
        }
        w.Line("return values;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Replaces every parameter from one vector in <see cref=\"GetParameters\"/> order.</summary>");
        w.Open("public void SetParameters(global::System.ReadOnlySpan<double> values)");
        w.Line("global::NtkDsl.InputChecks.ParameterLength(values.Length, " + Int(c.ParameterCount) + ", " + Str(c.Name) + ");");
        w.Line("global::NtkDsl.Kernels.FeatureOps.CheckFiniteParameters(values, " + Str(c.Name) + ");");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterWrite(\"SetParameters\");");
        foreach (var l in c.Layers)
        {
            w.Line("for (int i = 0; i < " + Int(l.WeightCount) + "; i++) " + l.W + "[i] = " + (c.Single ? "(float)" : "") + "values[" + Int(l.WeightOffset) + " + i];");
            if (l.Spec.UseBias) w.Line("for (int i = 0; i < " + Int(l.Width) + "; i++) " + l.B + "[i] = " + (c.Single ? "(float)" : "") + "values[" + Int(l.BiasOffset) + " + i];");
        }
        w.Line("__ntkDevice?.MarkChanged();");
        w.Close();
        w.Line();

        w.Line("/// <summary>Writes the parameters to a checksummed checkpoint with the architecture fingerprint (atomic: temp file, then rename).</summary>");
        w.Line("public void Save(string path, global::NtkDsl.IO.CheckpointMetadata? metadata = null) => global::NtkDsl.IO.Checkpoint.Save(path, Info, GetParameters(), metadata);");
        w.Line();
        w.Line("/// <summary>Loads a checkpoint written by <see cref=\"Save\"/>; a different architecture or a corrupted file is an error that says which.</summary>");
        w.Open("public static " + c.Id + " Load(string path, global::NtkDsl.Device? device = null)");
        w.Line("var model = new " + c.Id + "(0, device);");
        w.Line("model.SetParameters(global::NtkDsl.IO.Checkpoint.Load(path, Info));");
        w.Line("return model;");
        w.Close();
        w.Line();

        // Activations.
        foreach (var l in c.Layers)
        {
            var (value, deriv) = ActivationEmitter.Bodies(l.Spec);
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Line("private static double " + l.Phi + "(double z) => " + value + ";");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Line("private static double " + l.DPhi + "(double z) => " + deriv + ";");
        }
        w.Line();

        // Forward pass with cached activations and derivatives.
        w.Line("/// <summary>Forward pass of rows examples; keeps every layer's activation and, if asked, φ'(h).</summary>");
        w.Open("private (" + S + "[][] Activations, " + S + "[][]? Derivatives) __ntkRunForward(global::System.ReadOnlySpan<" + S + "> x, int rows, bool derivatives)");
        w.Line("var acts = new " + S + "[" + c.Layers.Count + "][];");
        w.Line("var ders = derivatives ? new " + S + "[" + c.Layers.Count + "][] : null;");
        foreach (var l in c.Layers) DenseKind.EmitForward(w, c, l);
        w.Line("return (acts, ders);");
        w.Close();
        w.Line();

        w.Line("/// <summary>Checks an input batch: N × " + m.Inputs + ", finite, " + m.Precision + ".</summary>");
        w.Line("private static void __ntkCheckInput(" + Tensor + "? x, string argument) => global::NtkDsl.InputChecks.Features(x, " + Int(m.Inputs) + ", " + c.DType + ", " + Str(c.Name) + ", argument);");
        w.Line();

        w.Line("/// <summary>Network outputs f(x): N × " + m.Inputs + " in, N × " + c.K + " out (one GEMM per layer for the whole batch).</summary>");
        w.Open("public " + Tensor + " Forward(" + Tensor + " x)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Forward\");");
        w.Line("if (__ntkDevice is not null) return __ntkDevice.Forward(x);");
        w.Line("var (acts, _) = __ntkRunForward(x." + c.Span + ", x.Rows, derivatives: false);");
        if (!c.Output.IsIdentity) // the output activation can overflow after the last (checked) affine step
            w.Line("global::NtkDsl.FiniteChecks.Block<" + c.S + ">(acts[" + (c.Layers.Count - 1) + "], " + c.K + ", " + Str(c.Name + ".Forward: the output activation") + ");");
        w.Line("return " + Tensor + ".Wrap(acts[" + (c.Layers.Count - 1) + "], x.Rows, " + c.K + ");");
        w.Close();
        w.Line();

        EmitJvpVjp(w, c);
    }

    private static void EmitJvpVjp(SourceWriter w, EmitContext c)
    {
        string S = c.S;
        var L = c.Layers;
        w.Line("/// <summary>Jacobian-vector product J(x)·t: N × " + c.K + ", for a tangent t of length " + Int(c.ParameterCount) + " (forward mode; J is never built).</summary>");
        w.Open("public " + Tensor + " Jvp(" + Tensor + " x, " + Tensor + " tangent)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.InputChecks.Shape(tangent, " + Str(c.Name) + ", nameof(tangent), " + Int(c.ParameterCount) + ");");
        w.Line("var t = tangent.DType == " + c.DType + " ? tangent : tangent.To(" + c.DType + ");");
        w.Line("var tv = t." + c.Span + ";");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Jvp\");");
        w.Line("if (__ntkDevice is not null) return __ntkDevice.Jvp(x, t);");
        w.Line("int rows = x.Rows;");
        w.Line("var xs = x." + c.Span + ";");
        w.Line("var (acts, ders) = __ntkRunForward(xs, rows, derivatives: true);");
        w.Line(S + "[]? dot = null;");
        foreach (var l in L) DenseKind.EmitJvp(w, c, l);
        w.Line("return " + Tensor + ".Wrap(dot!, rows, " + c.K + ");");
        w.Close();
        w.Line();

        w.Line("/// <summary>Vector-Jacobian product J(x)ᵀ·u for a cotangent u of shape N × " + c.K + ": the gradient of Σ u·f, length " + Int(c.ParameterCount) + " (reverse mode).</summary>");
        w.Open("public " + Tensor + " Vjp(" + Tensor + " x, " + Tensor + " cotangent)");
        w.Line("__ntkCheckInput(x, nameof(x));");
        w.Line("global::NtkDsl.InputChecks.Shape(cotangent, " + Str(c.Name) + ", nameof(cotangent), x.Rows, " + c.K + ");");
        w.Line("var u = cotangent.DType == " + c.DType + " ? cotangent : cotangent.To(" + c.DType + ");");
        w.Line("using var __ntkAccessScope = __ntkAccess.EnterRead(\"Vjp\");");
        w.Line("if (__ntkDevice is not null) return __ntkDevice.Vjp(x, u);");
        w.Line("int rows = x.Rows;");
        w.Line("var xs = x." + c.Span + ";");
        w.Line("var (acts, ders) = __ntkRunForward(xs, rows, derivatives: true);");
        w.Line("var grad = new " + S + "[" + Int(c.ParameterCount) + "];");
        w.Line("var delta = u." + c.Span + ".ToArray();");
        if (!c.Output.IsIdentity) w.Line(c.Ops + ".MultiplyInPlace(delta, ders![" + c.Output.Index + "], " + Str(c.Name + "." + c.Output.Name) + ");");
        for (int i = L.Count - 1; i >= 0; i--) DenseKind.EmitVjp(w, c, L[i], i > 0 ? L[i - 1] : null);
        w.Line("return " + Tensor + ".Wrap(grad, " + Int(c.ParameterCount) + ");");
        w.Close();
    }
}
