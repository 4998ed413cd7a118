namespace NtkDsl.Cuda.Ntk;

/// <summary>
/// How a <see cref="CudaDevice"/> runs the kernel assembly of generated models constructed on it (set
/// <see cref="CudaDevice.KernelOptions"/>). Precision follows the model: a float64 model's Grams are cuBLAS float64
/// (D*) products, a float32 model's are float32 (S*) products in <see cref="Float32"/> mode; the Hadamard accumulation is
/// float64 for both (as on the CPU), and float32 models get float32 results.
/// </summary>
public sealed record CudaKernelOptions
{
    /// <summary>The defaults: strict float32, feature blocks and row tiles sized from free device memory.</summary>
    public static CudaKernelOptions Default { get; } = new();

    /// <summary>
    /// The mode of float32 models' products: <see cref="GpuFloat32Mode.Strict"/> (IEEE float32, the default) or the
    /// TF32 tensor cores (<see cref="GpuFloat32Mode.Tf32"/>, an explicit opt-in: relative errors around 1e-4).
    /// float64 models ignore it.
    /// </summary>
    public GpuFloat32Mode Float32 { get; init; } = GpuFloat32Mode.Strict;

    /// <summary>
    /// Output rows per tile of the N1 × N2 kernel; null (the default) sizes tiles from the free device memory after the
    /// features are uploaded. Smaller tiles trade launches for memory; every tile size gives the same result. A tile's
    /// host copy holds at most 2²⁷ values (1 GiB), so a larger value gives tiles of that size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? TileRows
    {
        get => _tileRows;
        init
        {
            if (value is < 1) throw new ArgumentOutOfRangeException(nameof(TileRows), value, "Pass at least 1 row per tile, or null to size tiles from free device memory.");
            _tileRows = value;
        }
    }

    private readonly int? _tileRows;

    /// <summary>
    /// Rows of x1 (and of x2) whose per-layer NTK features are on the device at once. Null (the default): the whole
    /// batches when their features fit in the free device memory, otherwise blocks sized from it
    /// (<see cref="BlockedDeviceNtk"/>: the features of a block of x1 and a block of x2, their kernel block, next pair).
    /// Every block size gives the same result; a value at least the batch size is the unblocked computation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? FeatureBlockRows
    {
        get => _featureBlockRows;
        init
        {
            if (value is < 1) throw new ArgumentOutOfRangeException(nameof(FeatureBlockRows), value, "Pass at least 1 row per feature block, or null to size blocks from free device memory.");
            _featureBlockRows = value;
        }
    }

    private readonly int? _featureBlockRows;
}
