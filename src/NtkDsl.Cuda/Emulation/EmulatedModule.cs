using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace NtkDsl.Cuda.Emulation;

/// <summary>A module image from <see cref="EmulatedNvrtc"/> (a host shared library) loaded with dlopen.</summary>
internal sealed class EmulatedModule
{
    /// <summary>The first bytes of every image the emulated NVRTC produces (then the shared library's bytes).</summary>
    internal static readonly byte[] Magic = "NTKEMU1\0"u8.ToArray();

    private readonly IntPtr _library;
    private bool _unloaded;

    private EmulatedModule(IntPtr library) => _library = library;

    public static EmulatedModule? Load(byte[] image)
    {
        if (image.Length <= Magic.Length || !image.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        var hash = Convert.ToHexString(SHA256.HashData(image))[..24];
        var path = Path.Combine(EmulatedNvrtc.CacheDirectory(), $"module-{hash}.so");
        if (!File.Exists(path))
        {
            var tmp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(tmp, image.AsSpan(Magic.Length).ToArray());
            File.Move(tmp, path, overwrite: true);
        }
        return NativeLibrary.TryLoad(path, out var lib) ? new EmulatedModule(lib) : null;
    }

    public unsafe EmulatedFunction? GetFunction(string name)
    {
        if (!NativeLibrary.TryGetExport(_library, "ntkemu_launch_" + name, out var launch)) return null;
        if (!NativeLibrary.TryGetExport(_library, "ntkemu_signature_" + name, out var sig)) return null;
        var signature = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)sig)()) ?? "";
        return new EmulatedFunction(this, name, signature, launch);
    }

    public void Unload()
    {
        if (_unloaded) return;
        _unloaded = true;
        NativeLibrary.Free(_library);
    }
}

/// <summary>A kernel in an emulated module: its parameter signature (see ntkdsl_cuda_compat.h) and its grid launcher.</summary>
internal sealed unsafe class EmulatedFunction(EmulatedModule module, string name, string signature, IntPtr launcher)
{
    public EmulatedModule Module { get; } = module;
    public string Name { get; } = name;
    public string Signature { get; } = signature;

    public int Launch(uint gx, uint gy, uint gz, uint bx, uint by, uint bz, void** args) =>
        ((delegate* unmanaged<uint, uint, uint, uint, uint, uint, void**, int>)launcher)(gx, gy, gz, bx, by, bz, args);
}
