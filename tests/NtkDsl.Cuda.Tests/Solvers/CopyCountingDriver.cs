using System.Reflection;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Tests.Solvers;

/// <summary>
/// A CUDA driver that forwards every call to another one and records the byte count of every host-to-device copy
/// (cuMemcpyHtoDAsync_v2), so a test can see which matrices were uploaded. Built with <see cref="DispatchProxy"/>, so
/// it forwards the whole <see cref="ICudaDriver"/> surface without restating it.
/// </summary>
public class CopyCountingDriver : DispatchProxy
{
    private ICudaDriver _inner = null!;

    /// <summary>The counting driver to put into a <see cref="CudaBackend"/>.</summary>
    public ICudaDriver Driver { get; private set; } = null!;

    /// <summary>Byte counts of the host-to-device copies, in call order.</summary>
    public List<ulong> HostToDevice { get; } = [];

    /// <summary>How many host-to-device copies moved exactly <paramref name="bytes"/> bytes.</summary>
    public int Uploads(long bytes) => HostToDevice.Count(b => b == (ulong)bytes);

    internal static CopyCountingDriver Wrap(ICudaDriver inner)
    {
        var driver = Create<ICudaDriver, CopyCountingDriver>();
        var proxy = (CopyCountingDriver)(object)driver;
        proxy._inner = inner;
        proxy.Driver = driver;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ICudaDriver.MemcpyHtoDAsync)) HostToDevice.Add((ulong)args![2]!);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
