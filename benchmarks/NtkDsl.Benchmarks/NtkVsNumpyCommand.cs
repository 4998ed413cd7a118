using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NtkDsl.Benchmarks;

/// <summary>
/// `ntk-vs-numpy`: the structured Trace NTK of the `ntk` workload (64-512-512-10 ReLU, x1 = x2) against the
/// hand-written numpy structured NTK (`numpy_structured_ntk.py`, run as a subprocess) in alternating rounds, so that
/// load from other processes hits both alike. Prints each round's times and ratio, the median ratio and the spread.
/// Besides wall time it reports CPU seconds (user + system, all threads) of the same timed interval on both sides —
/// ours from this process, numpy's from <c>time.process_time()</c> around the script's own timed call — and their
/// ratio, which other processes' load disturbs far less than wall time (it still counts spinning worker threads and
/// slows with shared caches, so the wall-time goal can only be confirmed on a quiet machine).
/// With <c>--phases</c> it also prints where the assembly's time goes (<see cref="NtkDsl.Kernels.NtkPhaseTimes"/>).
/// </summary>
internal static partial class NtkVsNumpyCommand
{
    private const string ScriptName = "numpy_structured_ntk.py";

    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of inputs (N), at least 64.", DefaultValueFactory = _ => 2048 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (ours, then numpy), at least 1.", DefaultValueFactory = _ => 5 };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Calls per side in each round; a side's round time is its best call (the numpy script's own best-of-R rule). At least 1.",
            DefaultValueFactory = _ => 3,
        };
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
            Description = "Pause between the two sides of a round, so that OpenBLAS's spinning threads park. At least 0.",
            DefaultValueFactory = _ => 200,
        };
        var phases = new Option<bool>("--phases")
        {
            Description = "Also time the phases of our side (features, Grams, Hadamard passes, checks, writes) in each round.",
        };
        var save = new Option<FileInfo?>("--save")
        {
            Description = "Write the last round's kernel as raw little-endian float64 (N·N values, row-major) to this file, to compare builds bit for bit (cmp). Its folder is created when missing; checked before any timing.",
        };
        var command = new Command("ntk-vs-numpy", "Structured NTK vs the hand-written numpy structured NTK, alternating rounds.")
        {
            n, rounds, repeats, python, script, pause, phases, save,
        };
        command.SetAction(parse => Run(parse.GetValue(n), parse.GetValue(rounds), parse.GetValue(repeats), parse.GetValue(python),
            parse.GetValue(script), parse.GetValue(pause), parse.GetValue(phases), parse.GetValue(save), Console.Out));
        return command;
    }

    private static int Run(int n, int rounds, int repeats, string? python, FileInfo? script, int pauseMs, bool phases, FileInfo? save, TextWriter output)
    {
        // --n: at least 64, as the numpy script warms up on 64 rows.
        if (!(BenchArgs.InRange(output, "--n", n, 64) && BenchArgs.InRange(output, "--rounds", rounds, 1)
            && BenchArgs.InRange(output, "--repeats", repeats, 1) && BenchArgs.InRange(output, "--pause-ms", pauseMs, 0)
            && BenchArgs.OutputFile(output, "--save", save?.FullName)))
            return BenchArgs.UsageError;
        output.WriteLine(Inv($"Structured NTK, 64-512-512-10 ReLU, Trace, x1 = x2, N = {n}; {rounds} alternating round{(rounds == 1 ? "" : "s")} of best-of-{repeats} calls per side; {Environment.ProcessorCount} logical CPUs; {LoadAverage()}"));
        var model = new CpuBenchMlp(0);
        var x = NtkBenchmark.Inputs(n, 64, 1);
        model.Ntk(x.SliceRows(0, 64)); // JIT warm-up
        model.Ntk(x);

        var peer = FindPeer(python, script, output);
        if (peer is not null)
        {
            output.WriteLine($"numpy peer: {peer.Value.Python} {peer.Value.Script}; {peer.Value.Blas}");
            if (OpenBlasCore.Warning(CoreRegex().Match(peer.Value.Blas) is { Success: true } core ? core.Groups[1].Value : null, "numpy") is { } warning)
                output.WriteLine("numpy peer: " + warning);
        }

        if (phases)
        {
            // The features alone: a Diagonal-mode call runs the same forward/backward feature extraction, then only
            // an O(N·widths) assembly.
            using var me = Process.GetCurrentProcess();
            for (int r = 0; r < 3; r++)
            {
                me.Refresh();
                var c0 = me.TotalProcessorTime;
                var sw0 = Stopwatch.StartNew();
                model.Ntk(x, mode: NtkMode.Diagonal);
                double tf = sw0.Elapsed.TotalSeconds;
                me.Refresh();
                output.WriteLine(Inv($"  features (a Diagonal-mode call): {tf:F3} s, CPU {(me.TotalProcessorTime - c0).TotalSeconds:F3} s"));
            }
        }

        var ours = new List<double>();
        var oursCpu = new List<double>();
        var theirs = new List<double>();
        var theirsCpu = new List<double>();
        var ratios = new List<double>();
        var cpuRatios = new List<double>();
        string? saveError = null;
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
        {
            // Best of `repeats` back-to-back calls: the one least disturbed by other processes.
            double t = double.MaxValue, c = 0;
            Tensor k = null!;
            (string Name, double Seconds)[]? bestPhases = null;
            for (int rep = 0; rep < repeats; rep++)
            {
                if (phases) NtkDsl.Kernels.NtkPhaseTimes.Start();
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var kr = model.Ntk(x);
                double tr = sw.Elapsed.TotalSeconds;
                self.Refresh();
                double cr = (self.TotalProcessorTime - cpu0).TotalSeconds;
                var pr = phases ? NtkDsl.Kernels.NtkPhaseTimes.Stop() : null;
                if (tr < t) (t, c, k, bestPhases) = (tr, cr, kr, pr);
            }
            if (save is not null && r == rounds - 1)
                saveError = Save(save.FullName, k);
            ours.Add(t);
            oursCpu.Add(c);
            if (bestPhases is not null) PrintPhases(bestPhases, t, output);
            if (peer is null)
            {
                output.WriteLine(Inv($"round {r + 1}: NtkDsl {t:F3} s, CPU {c:F3} s (Θ[0,0] = {k[0, 0]:F6})"));
                continue;
            }
            Thread.Sleep(pauseMs);
            var tp = RunPeer(peer.Value, n, repeats, output);
            Thread.Sleep(pauseMs);
            if (tp is not var (tn, cn, cTotal)) return 1;
            theirs.Add(tn);
            theirsCpu.Add(cn);
            ratios.Add(t / tn);
            cpuRatios.Add(c / cn);
            output.WriteLine(Inv($"round {r + 1}: NtkDsl {t:F3} s, numpy {tn:F3} s, ratio {t / tn:F3}; CPU NtkDsl {c:F3} s, numpy {cn:F3} s (child user+sys {cTotal:F3} s), ratio {c / cn:F3} (Θ[0,0] = {k[0, 0]:F6})"));
        }

        output.WriteLine(Inv($"NtkDsl: median {Median(ours):F3} s, spread {Spread(ours):P1}; CPU median {Median(oursCpu):F3} s, spread {Spread(oursCpu):P1}"));
        if (peer is null)
        {
            output.WriteLine("numpy: not measured (no interpreter with numpy, or the script was not found; see above).");
            return ReportSave(save, saveError, output);
        }
        output.WriteLine(Inv($"numpy:  median {Median(theirs):F3} s, spread {Spread(theirs):P1}; CPU median {Median(theirsCpu):F3} s, spread {Spread(theirsCpu):P1}"));
        output.WriteLine(Inv($"ratio NtkDsl / numpy: median {Median(ratios):F3}, min {ratios.Min():F3}, max {ratios.Max():F3}, spread {Spread(ratios):P1} ((max − min) / median)"));
        output.WriteLine(Inv($"CPU-time ratio NtkDsl / numpy: median {Median(cpuRatios):F3}, min {cpuRatios.Min():F3}, max {cpuRatios.Max():F3}, spread {Spread(cpuRatios):P1}"));
        output.WriteLine("CPU seconds are user + system over all threads of the timed interval (numpy: OpenBLAS threads included, spinning too); " +
            "they are steadier than wall time under load, but the wall-time goal holds only when measured on a quiet machine.");
        output.WriteLine(LoadAverage());
        return ReportSave(save, saveError, output);
    }

    /// <summary>Writes the kernel as raw little-endian float64; null, or the reason it could not be written (the summary is printed first).</summary>
    private static string? Save(string path, Tensor k)
    {
        try
        {
            File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(k.ToFlatArray().AsSpan()).ToArray());
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>0, or 1 after saying why the --save file could not be written.</summary>
    private static int ReportSave(FileInfo? save, string? error, TextWriter output)
    {
        if (error is null) return 0;
        output.WriteLine($"--save: could not write '{save?.FullName}': {error}");
        return 1;
    }

    /// <summary>Prints the assembly phases of one round and the rest of its time (forward/backward features, allocation).</summary>
    private static void PrintPhases((string Name, double Seconds)[] phases, double total, TextWriter output)
    {
        double assembly = phases.Sum(p => p.Seconds);
        var parts = phases.Select(p => Inv($"{p.Name} {p.Seconds:F3}")).Append(Inv($"features+rest {total - assembly:F3}"));
        output.WriteLine("  phases (s): " + string.Join(", ", parts));
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
        var failures = new List<string>();
        foreach (string p in candidates)
        {
            var (code, text) = Exec(p, ["-c", BlasProbe], timeoutMs: 60_000);
            if (code == 0) return new Peer(p, path, text.Trim());
            failures.Add($"numpy peer: `{p}` cannot import numpy ({FirstLine(text)}).");
        }
        // Only when no candidate works: the `python3` on PATH lacking numpy is no news when /usr/bin/python3 has it.
        foreach (string f in failures) output.WriteLine(f);
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

    /// <summary>
    /// Runs the script once (one repeat) under a wrapper that records <c>time.process_time()</c> (CPU of every thread
    /// of the process) at each of the script's <c>time.perf_counter()</c> calls, so the last two bracket its timed
    /// call; it also prints the child's whole user + system time. Returns (wall s, CPU s of the timed call, child CPU s).
    /// </summary>
    private static (double Wall, double Cpu, double ChildCpu)? RunPeer(Peer peer, int n, int repeats, TextWriter output)
    {
        var (code, text) = Exec(peer.Python, ["-c", CpuWrapper, peer.Script, n.ToString(CultureInfo.InvariantCulture),
            repeats.ToString(CultureInfo.InvariantCulture)], timeoutMs: 600_000);
        var m = BestRegex().Match(text);
        var c = CpuRegex().Match(text);
        if (code == 0 && m.Success && c.Success)
            return (Parse(m.Groups[1].Value), Parse(c.Groups[1].Value), Parse(c.Groups[2].Value));
        output.WriteLine($"numpy peer failed (exit {code}): {text.Trim()}");
        return null;
    }

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>
    /// argv: script, N, repeats. Patches time.perf_counter (the script's timer, read before and after each timed call) to
    /// also note the process CPU time, and prints the CPU seconds of the call with the best wall time (the one the script
    /// reports as "best").
    /// </summary>
    private const string CpuWrapper = """
        import sys, time, resource, runpy
        marks = []
        _perf = time.perf_counter
        def _marked():
            t = _perf()
            marks.append((t, time.process_time()))
            return t
        time.perf_counter = _marked
        script = sys.argv[1]
        sys.argv = sys.argv[1:]
        runpy.run_path(script, run_name='__main__')
        ru = resource.getrusage(resource.RUSAGE_SELF)
        timed = marks[-2 * int(sys.argv[2]):]
        calls = [(timed[i + 1][0] - timed[i][0], timed[i + 1][1] - timed[i][1]) for i in range(0, len(timed) - 1, 2)]
        print('cpu %.6f s of timed call; child %.6f s' % (min(calls)[1], ru.ru_utime + ru.ru_stime))
        """;

    /// <summary>The core name in the probe's "OpenBLAS core NAME, T threads".</summary>
    [GeneratedRegex(@"OpenBLAS core ([^,;\s]+)")]
    private static partial Regex CoreRegex();

    [GeneratedRegex(@"best ([0-9.]+) s")]
    private static partial Regex BestRegex();

    [GeneratedRegex(@"cpu ([0-9.]+) s of timed call; child ([0-9.]+) s")]
    private static partial Regex CpuRegex();

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
