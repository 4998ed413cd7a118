namespace NtkDsl.Generators.Emit;

internal static partial class ModelEmitter
{
    /// <summary>Emits <c>static ModelCost Cost</c>: the cost model of the architecture (docs/diagnostics.md#ntk3001).</summary>
    private static void EmitCost(SourceWriter w, EmitContext c)
    {
        w.Line("/// <summary>");
        w.Line("/// What " + c.Name + " costs on the CPU backend: " + SourceWriter.Int(c.ParameterCount) + " parameters, Forward flops per layer, and the flops and");
        w.Line("/// memory of Ntk (each mode, symmetric or not), Jacobian and AnalyticNtk for given batch sizes.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>Created on first use (it reads <see cref=\"Info\"/>, which another generated file initializes).</remarks>");
        w.Line("public static global::NtkDsl.ModelCost Cost => __ntkCost ??= new global::NtkDsl.ModelCost(Info);");
        w.Line("private static global::NtkDsl.ModelCost? __ntkCost;");
    }
}
