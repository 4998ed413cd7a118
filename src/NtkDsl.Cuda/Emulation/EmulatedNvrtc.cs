using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using NtkDsl.Cuda.Interop;

namespace NtkDsl.Cuda.Emulation;

/// <summary>
/// NVRTC on the host: the CUDA C source is compiled, unchanged, by g++ together with ntkdsl_cuda_compat.h into a
/// shared library with one grid launcher per <c>extern "C" __global__</c> kernel. Options are checked for form (each
/// must start with '-') and otherwise ignored except <c>-D</c>/<c>--define-macro</c> and <c>--fmad</c>: NVRTC contracts
/// a·b + c into one fused multiply-add by default (<c>--fmad=true</c>), so without <c>--fmad=false</c> the host build
/// contracts too (g++ <c>-mfma -ffp-contract=fast</c>, where the host CPU has FMA); with it, it does not
/// (<c>-ffp-contract=off</c>), which is what <see cref="Kernels.CudaModule"/> asks for. g++ is found as
/// <c>$NTKDSL_CXX</c> or <c>g++</c> on PATH; without it compilation fails with NVRTC_ERROR_COMPILATION and a log
/// that says so. Compiled libraries are cached by content hash under the temp folder.
/// </summary>
public sealed partial class EmulatedNvrtc : INvrtc
{
    private readonly Dictionary<IntPtr, Program> _programs = new();
    private readonly Lock _gate = new();
    private long _next = 0x5000;

    private sealed class Program(string source, string name)
    {
        public string Source { get; } = source;
        public string Name { get; } = name;
        public string Log { get; set; } = "";
        public byte[]? Image { get; set; }
    }

    /// <summary>The host C++ compiler used (null when none is found): $NTKDSL_CXX, else g++ on PATH.</summary>
    public static string? FindCompiler()
    {
        var env = Environment.GetEnvironmentVariable("NTKDSL_CXX");
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(env) ? env : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, "g++");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The text of the compatibility header.</summary>
    public static string CompatHeader()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("NtkDsl.Cuda.ntkdsl_cuda_compat.h")
            ?? throw new InvalidOperationException("NtkDsl.Cuda was built without its embedded ntkdsl_cuda_compat.h.");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>Whether the host CPU executes fused multiply-adds (x86-64: 'fma' in /proc/cpuinfo; AArch64 always has them).</summary>
    internal static bool HostHasFma { get; } = DetectFma();

    private static bool IsX64 => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    private static bool DetectFma()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64) return true;
        if (!IsX64) return false;
        try
        {
            return File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Split(' ', '\t').Contains("fma"));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static string CacheDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ntkdsl-cuda-emu-{Environment.UserName}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <inheritdoc />
    public NvrtcResult Version(out int major, out int minor)
    {
        (major, minor) = (13, 0);
        return NvrtcResult.Success;
    }

    /// <inheritdoc />
    public NvrtcResult CreateProgram(out IntPtr program, string source, string name)
    {
        program = IntPtr.Zero;
        if (source is null) return NvrtcResult.InvalidInput;
        lock (_gate)
        {
            program = (IntPtr)(_next += 0x10);
            _programs[program] = new Program(source, string.IsNullOrEmpty(name) ? "default_program" : name);
        }
        return NvrtcResult.Success;
    }

    /// <inheritdoc />
    public NvrtcResult CompileProgram(IntPtr program, string[] options)
    {
        Program? p;
        lock (_gate) _programs.TryGetValue(program, out p);
        if (p is null) return NvrtcResult.InvalidProgram;
        if (options.Any(o => string.IsNullOrEmpty(o) || o[0] != '-')) return NvrtcResult.InvalidOption;
        var cxx = FindCompiler();
        if (cxx is null)
        {
            p.Log = "ntkdsl emulation: no host C++ compiler found (set NTKDSL_CXX or install g++); the emulated NVRTC compiles CUDA C with g++.";
            return NvrtcResult.Compilation;
        }
        var defines = options.Where(o => o.StartsWith("-D", StringComparison.Ordinal) || o.StartsWith("--define-macro=", StringComparison.Ordinal))
            .Select(o => "-D" + (o.StartsWith("-D", StringComparison.Ordinal) ? o[2..] : o["--define-macro=".Length..])).ToList();
        var header = CompatHeader();
        var kernels = KernelPattern().Matches(p.Source).Select(m => m.Groups[1].Value).Distinct().ToList();
        var unit = new StringBuilder()
            .Append("#include \"ntkdsl_cuda_compat.h\"\n#line 1 \"").Append(p.Name).Append("\"\n")
            .Append(p.Source).Append('\n');
        foreach (var k in kernels) unit.Append("NTKEMU_EXPORT(").Append(k).Append(")\n");
        var flags = new List<string> { "-std=c++17", "-O2", "-fPIC", "-shared", "-fno-fast-math" };
        // NVRTC's default is --fmad=true (a·b + c may become one fused multiply-add); the last --fmad option wins.
        string? fmad = options.LastOrDefault(o => o.StartsWith("--fmad=", StringComparison.Ordinal) || o.StartsWith("-fmad=", StringComparison.Ordinal));
        bool contract = fmad is null || fmad.EndsWith("=true", StringComparison.Ordinal);
        if (fmad is not null && !fmad.EndsWith("=true", StringComparison.Ordinal) && !fmad.EndsWith("=false", StringComparison.Ordinal)) return NvrtcResult.InvalidOption;
        if (contract && HostHasFma)
        {
            if (IsX64) flags.Add("-mfma");
            flags.Add("-ffp-contract=fast");
        }
        else flags.Add("-ffp-contract=off");
        flags.AddRange(defines);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header + "\0" + unit + "\0" + string.Join(' ', flags))))[..32];
        var dir = CacheDirectory();
        var lib = Path.Combine(dir, $"prog-{key}.so");
        if (!File.Exists(lib))
        {
            var work = Path.Combine(dir, $"build-{key}-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}");
            Directory.CreateDirectory(work);
            try
            {
                File.WriteAllText(Path.Combine(work, "ntkdsl_cuda_compat.h"), header);
                File.WriteAllText(Path.Combine(work, "unit.cpp"), unit.ToString());
                var psi = new ProcessStartInfo(cxx) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = work };
                foreach (var f in flags) psi.ArgumentList.Add(f);
                psi.ArgumentList.Add("-I" + work);
                psi.ArgumentList.Add("-o");
                psi.ArgumentList.Add(Path.Combine(work, "out.so"));
                psi.ArgumentList.Add("unit.cpp");
                using var proc = Process.Start(psi)!;
                var stderr = proc.StandardError.ReadToEndAsync();
                var stdout = proc.StandardOutput.ReadToEnd();
                proc.WaitForExit();
                p.Log = (stdout + stderr.Result).Trim();
                if (proc.ExitCode != 0) return NvrtcResult.Compilation;
                File.Move(Path.Combine(work, "out.so"), lib, overwrite: true);
            }
            finally
            {
                try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        p.Image = [.. EmulatedModule.Magic, .. File.ReadAllBytes(lib)];
        return NvrtcResult.Success;
    }

    /// <inheritdoc />
    public NvrtcResult GetProgramLog(IntPtr program, out string log)
    {
        log = "";
        lock (_gate)
        {
            if (!_programs.TryGetValue(program, out var p)) return NvrtcResult.InvalidProgram;
            log = p.Log;
        }
        return NvrtcResult.Success;
    }

    /// <inheritdoc />
    public NvrtcResult GetCubin(IntPtr program, out byte[] cubin)
    {
        cubin = [];
        lock (_gate)
        {
            if (!_programs.TryGetValue(program, out var p)) return NvrtcResult.InvalidProgram;
            if (p.Image is null) return NvrtcResult.InvalidProgram;
            cubin = p.Image;
        }
        return NvrtcResult.Success;
    }

    /// <inheritdoc />
    public NvrtcResult DestroyProgram(IntPtr program)
    {
        lock (_gate) return _programs.Remove(program) ? NvrtcResult.Success : NvrtcResult.InvalidProgram;
    }

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+([A-Za-z_]\w*)\s*\(")]
    private static partial Regex KernelPattern();
}
