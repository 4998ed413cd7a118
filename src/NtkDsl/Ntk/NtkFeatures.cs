using System.Numerics;

namespace NtkDsl.Kernels;

/// <summary>How a layer's backward deltas δ_c(x) are stored for the kernel assembly (math.md §2).</summary>
/// <remarks>Infrastructure for generated code; not part of the supported API.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum DeltaForm
{
    /// <summary>Output layer with identity activation: δ_c = e_c, nothing stored (⟨δ_c, δ'_c'⟩ = [c = c']).</summary>
    Unit = 0,
    /// <summary>Output layer with an activation: δ_c = g_c·e_c, stores g (rows × K).</summary>
    Diagonal = 1,
    /// <summary>Last hidden layer, traced over outputs: stores r (rows × n) with ⟨r, r'⟩ = Σ_c ⟨δ_c, δ'_c⟩.</summary>
    Reduced = 2,
    /// <summary>Every output's delta: rows × K × n.</summary>
    General = 3,
}

/// <summary>What one layer contributes to the NTK of a batch: scaled inputs and backward deltas.</summary>
/// <remarks>Thread safety: buffers that generated code fills (one row block at a time) before <c>NtkAssembler</c> reads them; not synchronized: fill, then read.
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class LayerFeatures<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the storage for <paramref name="rows"/> examples.</summary>
    public LayerFeatures(int rows, int inputWidth, int width, int outputs, DeltaForm form, double biasScale, bool hasBias, int weightGroup, int biasGroup)
    {
        InputWidth = inputWidth;
        Width = width;
        Form = form;
        BiasScale = biasScale;
        HasBias = hasBias;
        WeightGroup = weightGroup;
        BiasGroup = biasGroup;
        DeltaWidth = form switch
        {
            DeltaForm.Unit => 0,
            DeltaForm.Diagonal => outputs,
            DeltaForm.Reduced => width,
            _ => outputs * width,
        };
        Memory.MemoryBudget.EnsureArray((long)rows * ((long)inputWidth + DeltaWidth), System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), "NTK features",
            $"one layer's features ({rows} rows × ({inputWidth} inputs + {DeltaWidth} deltas))", "Compute the kernel for fewer rows at a time (x.SliceRows).");
        Inputs = new T[(long)rows * inputWidth];
        Deltas = new T[(long)rows * DeltaWidth];
    }

    /// <summary>The layer's input activations scaled by cW (rows × InputWidth), so their Gram is cW²⟨a, a'⟩.</summary>
    public T[] Inputs { get; }

    /// <summary>Fan-in m.</summary>
    public int InputWidth { get; }

    /// <summary>Width n.</summary>
    public int Width { get; }

    /// <summary>Storage form of the deltas.</summary>
    public DeltaForm Form { get; }

    /// <summary>Values per example in <see cref="Deltas"/>.</summary>
    public int DeltaWidth { get; }

    /// <summary>Deltas (see <see cref="DeltaForm"/>), rows × DeltaWidth.</summary>
    public T[] Deltas { get; }

    /// <summary>cB: ∂h/∂b.</summary>
    public double BiasScale { get; }

    /// <summary>Whether the layer has a bias group.</summary>
    public bool HasBias { get; }

    /// <summary>Index of the weight group in <see cref="ModelInfo.Groups"/>.</summary>
    public int WeightGroup { get; }

    /// <summary>Index of the bias group, or −1.</summary>
    public int BiasGroup { get; }
}

/// <summary>The per-layer features of a batch, produced by generated code and consumed by <see cref="NtkAssembler"/>.</summary>
/// <remarks>Thread safety: buffers that generated code fills (one row block at a time) before <c>NtkAssembler</c> reads them; not synchronized: fill, then read.
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class NtkFeatures<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the container.</summary>
    public NtkFeatures(int rows, int outputs, LayerFeatures<T>[] layers)
    {
        Rows = rows;
        Outputs = outputs;
        Layers = layers;
    }

    /// <summary>Number of examples.</summary>
    public int Rows { get; }

    /// <summary>K.</summary>
    public int Outputs { get; }

    /// <summary>Layers in order.</summary>
    public LayerFeatures<T>[] Layers { get; }
}
