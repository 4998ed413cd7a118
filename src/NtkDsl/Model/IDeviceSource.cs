namespace NtkDsl;

/// <summary>
/// The model-specific device code that the generator emits at compile time (the part file <c>Model.Cuda.g.cs</c>):
/// every generated Dense model implements it. Infrastructure for the GPU backend (NtkDsl.Cuda), which compiles
/// <see cref="CudaSource"/> with NVRTC once per process and device; users call the backend's entry points
/// (e.g. <c>device.AnalyticNtkOnDevice&lt;MyModel&gt;(x1, x2)</c>), not these members.
/// </summary>
/// <remarks>
/// The source holds, per layer l, the device functions <c>ntk_phi_l</c>/<c>ntk_dphi_l</c> (φ and φ', custom activations
/// printed from the same symbolic expression as the C# code), the elementwise kernels <c>ntk_act_l_d</c>/<c>_f</c> (the
/// forward step of every device method of a model constructed on a GPU), and — when every activation has a closed-form dual — the infinite-width recursion
/// kernels <c>ntk_analytic_chain</c> and <c>ntk_analytic_pair</c> (docs/math.md §3–4). Kernel contracts are documented
/// in the source itself.
/// </remarks>
public interface IDeviceSource
{
    /// <summary>The model's architecture (the generated static <c>Info</c>).</summary>
    static abstract ModelInfo Info { get; }

    /// <summary>The model's CUDA C (NVRTC dialect, <c>extern "C" __global__</c> kernels), a compile-time constant.</summary>
    static abstract string CudaSource { get; }

    /// <summary>
    /// Null when <see cref="CudaSource"/> contains the infinite-width kernels; otherwise why it does not (the layer and its
    /// activation without a closed-form dual), which the device entry points throw as a <see cref="NotSupportedException"/>.
    /// </summary>
    static abstract string? CudaAnalyticUnsupportedReason { get; }
}
