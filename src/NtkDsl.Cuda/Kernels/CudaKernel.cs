using System.Globalization;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Kernels;

/// <summary>One kernel of a <see cref="CudaModule"/>; launches are queued on the device's stream.</summary>
public sealed class CudaKernel
{
    private readonly CudaDevice _device;
    private readonly IntPtr _function;

    private readonly IReadOnlyList<(string Name, char Code)>? _signature;

    internal CudaKernel(CudaDevice device, IntPtr function, string name, string source)
    {
        _device = device;
        _function = function;
        Name = name;
        _signature = KernelSignature.Parse(source, name);
    }

    /// <summary>The kernel's name.</summary>
    public string Name { get; }

    /// <summary>Launches over a one-dimensional grid covering <paramref name="count"/> threads in blocks of <paramref name="blockSize"/>.</summary>
    public void LaunchLinear(long count, int blockSize, params ReadOnlySpan<KernelArg> args)
    {
        if (count <= 0) return;
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        long blocks = (count + blockSize - 1) / blockSize;
        if (blocks > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(count), string.Create(CultureInfo.InvariantCulture, $"{count} threads need {blocks} blocks, more than a grid holds; launch in parts."));
        Launch((uint)blocks, 1, 1, (uint)blockSize, 1, 1, args);
    }

    /// <summary>Launches the kernel (cuLaunchKernel) with one argument per kernel parameter, in order.</summary>
    /// <exception cref="CudaException">The driver rejected the launch (e.g. CUDA_ERROR_INVALID_VALUE for a block over 1024 threads).</exception>
    public unsafe void Launch(uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ, params ReadOnlySpan<KernelArg> args)
    {
        _device.MakeCurrent();
        foreach (var a in args) a.CheckDevice(_device);
        CheckSignature(args);
        int n = args.Length;
        ulong* values = stackalloc ulong[Math.Max(1, n)];
        void** pointers = stackalloc void*[Math.Max(1, n)];
        for (int i = 0; i < n; i++)
        {
            values[i] = args[i].Bits;
            pointers[i] = &values[i];
        }
        CudaCheck.Driver(_device.Driver.LaunchKernel(_function, gridX, gridY, gridZ, blockX, blockY, blockZ, 0, _device.Stream, (nint)pointers),
            $"cuLaunchKernel ({Name})");
    }

    private void CheckSignature(ReadOnlySpan<KernelArg> args)
    {
        if (_signature is null) return;
        if (args.Length != _signature.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Kernel {Name} takes {_signature.Count} parameters ({string.Join(", ", _signature.Select(p => KernelSignature.Describe(p.Code) + " " + p.Name))}); the launch passed {args.Length}."));
        for (int i = 0; i < args.Length; i++)
            if (!KernelSignature.Fits(_signature[i].Code, args[i].Kind))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Parameter {i} ({_signature[i].Name}) of kernel {Name} is {KernelSignature.Describe(_signature[i].Code)}, but the launch passed a {KernelSignature.Describe(args[i].Kind)}."));
    }
}
