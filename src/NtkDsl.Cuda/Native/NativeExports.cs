using System.Runtime.InteropServices;

namespace NtkDsl.Cuda.Native;

internal static class NativeExports
{
    /// <summary>The address of an exported symbol, or a <see cref="CudaException"/> naming the symbol.</summary>
    public static IntPtr Get(IntPtr library, string symbol, string libraryName)
    {
        if (NativeLibrary.TryGetExport(library, symbol, out var p)) return p;
        throw new CudaException($"{libraryName} has no export {symbol}; the installed CUDA version is older than NtkDsl.Cuda needs (CUDA 12 or 13).");
    }

    public static unsafe string Utf8(byte* s) => Marshal.PtrToStringUTF8((IntPtr)s) ?? "";
}
