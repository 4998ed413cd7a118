namespace NtkDsl.Cuda.Solvers;

/// <summary>Rewords a <see cref="CudaOutOfMemoryException"/> of a solver call so that it names the whole operation.</summary>
internal static class OutOfMemory
{
    /// <summary>
    /// Runs <paramref name="body"/>; an out-of-memory failure inside it becomes a <see cref="CudaOutOfMemoryException"/>
    /// about <paramref name="operation"/> with the same sizes (requested, free, total, held).
    /// </summary>
    public static T Describe<T>(CudaDevice device, string operation, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (CudaOutOfMemoryException e)
        {
            throw new CudaOutOfMemoryException(operation, e.RequestedBytes, e.FreeBytes, e.TotalBytes, device.Allocator.LiveBytes);
        }
    }
}
