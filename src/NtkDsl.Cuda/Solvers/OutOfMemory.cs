namespace NtkDsl.Cuda.Solvers;

/// <summary>Rewords a <see cref="CudaOutOfMemoryException"/> of a solver call so that it names the whole operation and what the user can do.</summary>
internal static class OutOfMemory
{
    /// <summary>
    /// What a user can do when a dense solver call does not fit: these calls need the whole matrix on one device (no row
    /// tiles) and solve in float64, so the NTK's tips (smaller tiles, float32) do not apply.
    /// </summary>
    internal const string SolverTip =
        "The dense solvers (eigendecomposition, Cholesky, products) need their whole matrices on one device and work in float64, so row tiles or float32 do not apply: " +
        "free device memory (dispose device buffers, device models and other CudaDevice objects on this GPU that you no longer need), use fewer training points, " +
        "or run this step in host memory by passing Device.Cpu (or no device) to GradientDescentMse, KernelRegression or the predictor.";

    /// <summary>
    /// Runs <paramref name="body"/>; when it runs out of device memory while a Cholesky factor is resident
    /// (<see cref="ResidentFactors"/>), that copy is released and <paramref name="body"/> runs once more. A failure that
    /// remains becomes a <see cref="CudaOutOfMemoryException"/> about <paramref name="operation"/> with the same sizes
    /// (requested, free, total, held) and <see cref="SolverTip"/>. <paramref name="body"/> must be safe to repeat (it
    /// uploads its operands and releases its buffers).
    /// </summary>
    public static T Describe<T>(CudaDevice device, string operation, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (CudaOutOfMemoryException first)
        {
            if (!ResidentFactors.Of(device).Evict()) throw Reworded(device, operation, first);
        }
        try
        {
            return body();
        }
        catch (CudaOutOfMemoryException second)
        {
            throw Reworded(device, operation, second);
        }
    }

    private static CudaOutOfMemoryException Reworded(CudaDevice device, string operation, CudaOutOfMemoryException e) =>
        new(operation, e.RequestedBytes, e.FreeBytes, e.TotalBytes, device.Allocator.LiveBytes, SolverTip);
}
