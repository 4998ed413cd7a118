using System;
using System.Collections.Generic;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Emit;

/// <summary>Everything the emitter derives from a layer: scales, offsets, field names (pure function of the spec).</summary>
internal sealed class LayerPlan
{
    public LayerPlan(ModelSpec model, LayerSpec layer, int index, int fanIn, long weightOffset, int groupIndex)
    {
        Spec = layer;
        Index = index;
        FanIn = fanIn;
        WeightOffset = weightOffset;
        BiasOffset = layer.UseBias ? weightOffset + (long)fanIn * layer.Width : -1;
        bool ntk = model.Parameterization == ParameterizationKind.Ntk;
        WeightScale = ntk ? layer.WeightStd / Math.Sqrt(fanIn) : 1.0;
        BiasScale = ntk ? layer.BiasStd : 1.0;
        WeightInitStd = ntk ? 1.0 : layer.WeightStd / Math.Sqrt(fanIn);
        BiasInitStd = ntk ? 1.0 : layer.BiasStd;
        WeightGroup = groupIndex;
        BiasGroup = layer.UseBias ? groupIndex + 1 : -1;
    }

    public LayerSpec Spec { get; }
    public int Index { get; }
    public string Name => Spec.Name;
    /// <summary>The name as a C# identifier (keywords escaped with @).</summary>
    public string Identifier => Names.Identifier(Spec.Name);
    public int FanIn { get; }
    public int Width => Spec.Width;
    public long WeightOffset { get; }
    public long BiasOffset { get; }
    public long WeightCount => (long)FanIn * Width;
    public long End => WeightOffset + WeightCount + (Spec.UseBias ? Width : 0);
    /// <summary>∂h/∂(W a) scale: σ_w/√fan_in (NTK) or 1 (standard).</summary>
    public double WeightScale { get; }
    /// <summary>∂h/∂b scale: σ_b (NTK) or 1 (standard).</summary>
    public double BiasScale { get; }
    public double WeightInitStd { get; }
    public double BiasInitStd { get; }
    public int WeightGroup { get; }
    public int BiasGroup { get; }
    public bool IsIdentity => Spec.Activation == ActivationKind.Identity;
    // Private names are indexed, not derived from the layer name (layers 'Abc' and 'abc' must not share a field), and
    // carry the reserved prefix, so no user member can collide with them.
    public string W => Names.Reserved + "W" + Index;
    public string B => Names.Reserved + "B" + Index;
    public string Field => Names.Reserved + "Layer" + Index;
    public string Phi => Names.Reserved + "Phi" + Index;
    public string DPhi => Names.Reserved + "DPhi" + Index;
    /// <summary>The nested struct wrapping φ and φ' for the quadrature engine.</summary>
    public string FunctionType => Names.Reserved + "Function" + Index;
    /// <summary>The static field holding the layer's quadrature engine.</summary>
    public string QuadratureField => Names.Reserved + "Quadrature" + Index;

    public static List<LayerPlan> For(ModelSpec model)
    {
        var plans = new List<LayerPlan>();
        int fanIn = model.Inputs;
        long offset = 0;
        int group = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var p = new LayerPlan(model, model.Layers[i], i, fanIn, offset, group);
            plans.Add(p);
            offset = p.End;
            group += model.Layers[i].UseBias ? 2 : 1;
            fanIn = model.Layers[i].Width;
        }
        return plans;
    }
}
