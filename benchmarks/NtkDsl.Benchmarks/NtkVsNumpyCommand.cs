using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `ntk-vs-numpy`: the structured Trace NTK of the `ntk` workload (64-512-512-10 ReLU, x1 = x2) against the
/// hand-written numpy structured NTK (`numpy_structured_ntk.py`, run as a subprocess) in alternating rounds, so that
/// load from other processes hits both alike. Prints each round's times and ratio, the median ratio and the spread.
/// </summary>
internal static partial class NtkVsNumpyCommand
{
    private const string ScriptName = "numpy_structured_ntk.py";

    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs (N).", DefaultValueFactory = _ => 2048 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (ours, then numpy).", DefaultValueFactory = _ => 5 };
        var python = new Option<string?>("--python")
        {
            Description = "Python interpreter with numpy (default: the first of python3 on PATH and /usr/bin/python3 that imports numpy).",
        };
        var script = new Option<FileInfo?>("--script")
        {
            Description = $"Path of {ScriptName} (default: shared/bench/ or ../shared/bench/ from the current folder or the repository root).",
        };
        var pause = new Option<int>("--pause-ms")
        {
            Description = "Pause between the two sides of a round, so that OpenBLAS's spinning threads park.",
            DefaultValueFactory = _ => 200,
        };
        var command = new Command("ntk-vs-numpy", "Structured NTK vs the hand-written numpy structured NTK, alternating rounds.")
        {
            n, rounds, python, script, pause,
        };
        command.SetAction(parse => Run(parse.GetValue(n), Math.Max(1, parse.GetValue(rounds)), parse.GetValue(python),
            parse.GetValue(script), Math.Max(0, parse.GetValue(pause)), Console.Out));
        return command;
    }

    private static int Run(int n, int rounds, string? python, FileInfo? script, int pauseMs, TextWriter output)
    {
        if (n < 64)
        {
            output.WriteLine("--n must be at least 64 (the numpy script warms up on 64 rows).");
            return 2;
        }
        output.WriteLine(Inv($"Structured NTK, 64-512-512-10 ReLU, Trace, x1 = x2, N = {n}; {rounds} alternating rounds; {Environment.ProcessorCount} logical CPUs; {LoadAverage()}"));
        var model = new CpuBenchMlp(0);
        var x = NtkBenchmark.Inputs(n, 64, 1);
        model.Ntk(x.SliceRows(0, 64)); // JIT warm-up
        model.Ntk(x);

        var peer = FindPeer(python, script, output);
        if (peer is not null)
        {
            output.WriteLine($"numpy peer: {peer.Value.Python} {peer.Value.Script}; {peer.Value.Blas}");
            if (peer.Value.Blas.Contains("OpenBLAS core Prescott", StringComparison.Ordinal) && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
                output.WriteLine("numpy peer: OpenBLAS did not recognise this AVX-512 CPU and fell back to its SSE3 (Prescott) kernels, " +
                    "which handicaps numpy; for a fair comparison run with OPENBLAS_CORETYPE=SkylakeX (or Haswell on AVX2-only CPUs).");
        }

        var ours = new List<double>();
        var theirs = new List<double>();
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            var k = model.Ntk(x);
            double t = sw.Elapsed.TotalSeconds;
            ours.Add(t);
            if (peer is null)
            {
                output.WriteLine(Inv($"round {r + 1}: NtkDsl {t:F3} s (Θ[0,0] = {k[0, 0]:F6})"));
                continue;
            }
            Thread.Sleep(pauseMs);
            double? tp = RunPeer(peer.Value, n, output);
            Thread.Sleep(pauseMs);
            if (tp is not double tn) return 1;
            theirs.Add(tn);
            ratios.Add(t / tn);
            output.WriteLine(Inv($"round {r + 1}: NtkDsl {t:F3} s, numpy {tn:F3} s, ratio {t / tn:F3} (Θ[0,0] = {k[0, 0]:F6})"));
        }

        output.WriteLine(Inv($"NtkDsl: median {Median(ours):F3} s, spread {Spread(ours):P1}"));
        if (peer is null)
        {
            output.WriteLine("numpy: not measured (no interpreter with numpy, or the script was not found; see above).");
            return 0;
        }
        output.WriteLine(Inv($"numpy:  median {Median(theirs):F3} s, spread {Spread(theirs):P1}"));
        output.WriteLine(Inv($"ratio NtkDsl / numpy: median {Median(ratios):F3}, min {ratios.Min():F3}, max {ratios.Max():F3}, spread {Spread(ratios):P1} ((max − min) / median)"));
        output.WriteLine(LoadAverage());
        return 0;
    }

    private readonly record struct Peer(string Python, string Script, string Blas);

    /// <summary>Finds an interpreter that imports numpy and the script; prints why not when either is missing.</summary>
    private static Peer? FindPeer(string? python, FileInfo? script, TextWriter output)
    {
        string? path = script?.FullName ?? DefaultScript();
        if (path is null || !File.Exists(path))
        {
            output.WriteLine($"numpy peer: {ScriptName} not found ({(path ?? "searched shared/bench and ../shared/bench")}); pass --script. Timing NtkDsl only.");
            return null;
        }
        var candidates = python is not null ? new[] { python } : new[] { "python3", "/usr/bin/python3" };
        foreach (string p in candidates)
        {
            var (code, text) = Exec(p, ["-c", BlasProbe], timeoutMs: 60_000);
            if (code == 0) return new Peer(p, path, text.Trim());
            output.WriteLine($"numpy peer: `{p}` cannot import numpy ({FirstLine(text)}).");
        }
        output.WriteLine("numpy peer: no interpreter with numpy (Debian: apt-get install python3-numpy). Timing NtkDsl only.");
        return null;
    }

    /// <summary>Prints numpy's version and the BLAS library the process loaded (OpenBLAS: its core type and threads).</summary>
    private const string BlasProbe = """
        import numpy, ctypes
        numpy.ones((2, 2)) @ numpy.ones((2, 2))
        libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})
        info = 'BLAS: ' + (', '.join(libs) or 'unknown')
        try:
            ob = ctypes.CDLL(next(l for l in libs if 'openblas' in l.lower()))
            ob.openblas_get_corename.restype = ctypes.c_char_p
            info += '; OpenBLAS core ' + ob.openblas_get_corename().decode() + ', ' + str(ob.openblas_get_num_threads()) + ' threads'
        except Exception:
            pass
        print('numpy ' + numpy.__version__ + '; ' + info)
        """;

    private static string? DefaultScript()
    {
        var roots = new List<string> { Directory.GetCurrentDirectory() };
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NtkDsl.sln")) || Directory.Exists(Path.Combine(d.FullName, ".git")) || File.Exists(Path.Combine(d.FullName, ".git")))
            {
                roots.Add(d.FullName);
                break;
            }
        foreach (string root in roots)
            foreach (string rel in new[] { Path.Combine("shared", "bench", ScriptName), Path.Combine("..", "shared", "bench", ScriptName) })
            {
                string p = Path.GetFullPath(Path.Combine(root, rel));
                if (File.Exists(p)) return p;
            }
        return null;
    }

    private static double? RunPeer(Peer peer, int n, TextWriter output)
    {
        var (code, text) = Exec(peer.Python, [peer.Script, n.ToString(CultureInfo.InvariantCulture), "1"], timeoutMs: 600_000);
        var m = BestRegex().Match(text);
        if (code == 0 && m.Success) return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"numpy peer failed (exit {code}): {text.Trim()}");
        return null;
    }

    [GeneratedRegex(@"best ([0-9.]+) s")]
    private static partial Regex BestRegex();

    private static (int Code, string Text) Exec(string file, string[] args, int timeoutMs)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static string FirstLine(string text)
    {
        var lines = text.Trim().Split('\n');
        return lines.Length == 0 ? "" : lines[^1].Trim();
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(v => v).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>(max − min) / median.</summary>
    private static double Spread(List<double> xs) => (xs.Max() - xs.Min()) / Median(xs);

    private static string LoadAverage()
    {
        try
        {
            return "load average " + File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => a + " " + b);
        }
        catch (IOException)
        {
            return "load average unavailable";
        }
        catch (UnauthorizedAccessException)
        {
            return "load average unavailable";
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
