using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NtkDsl.Cuda.Analytic;
using NtkDsl.Cuda.Emulation;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Cuda.Tests.Support;

namespace NtkDsl.Cuda.Tests.Generated;

/// <summary>
/// The CUDA C that the generator emits per model (<see cref="IDeviceSource.CudaSource"/>), compiled unchanged by g++
/// through ntkdsl_cuda_compat.h (the emulated NVRTC) and run over whole grids: φ/φ' against the model's own generated C#
/// activation methods at 1e-14, the elementwise kernels against loops written here, the infinite-width recursion against
/// the CPU's generated AnalyticNtk/AnalyticNngp/AnalyticWntk at 1e-12.
/// </summary>
public sealed class GeneratedCudaSourceTests
{
    private static double[] Grid()
    {
        var z = new List<double> { 0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 30.0, -30.0, 0.5, -0.5 };
        for (int k = 0; k <= 160; k++) z.Add(-8.0 + 0.1 * k + 1e-3);
        return z.ToArray();
    }

    /// <summary>The generated C# φ (or φ') of layer <paramref name="layer"/>: the private static method the CPU code calls.</summary>
    private static Func<double, double> CSharp<TModel>(string kind, int layer)
    {
        var m = typeof(TModel).GetMethod("__ntk" + kind + layer.ToString(CultureInfo.InvariantCulture), BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeof(TModel).Name} has no generated __ntk{kind}{layer}.");
        return z => (double)m.Invoke(null, [z])!;
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        if (expected.Equals(actual)) return;
        double error = Math.Abs(expected - actual);
        Assert.True(error <= tolerance * Math.Abs(expected), $"{what}: device {actual:R}, C# {expected:R} (relative {error / Math.Abs(expected):E2})");
    }

    public static TheoryData<string> PhiModels => ["builtins", "custom", "standard", "output"];

    [Theory]
    [MemberData(nameof(PhiModels))]
    public void PhiAndDerivativeMatchTheGeneratedCSharpTo1e14(string name)
    {
        Emulated.RequireCompiler();
        switch (name)
        {
            case "builtins": CheckActivations<AllBuiltins>(); break;
            case "custom": CheckActivations<CustomSmooth>(); break;
            case "standard": CheckActivations<StandardReluErf>(); break;
            default: CheckActivations<OutputErf>(); break;
        }
    }

    private static void CheckActivations<TModel>() where TModel : IDeviceSource
    {
        var z = Grid();
        using var e = new Emulated();
        var module = e.Device.Compile(TModel.CudaSource);
        var layers = TModel.Info.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            var phi = CSharp<TModel>("Phi", l);
            var dphi = CSharp<TModel>("DPhi", l);
            using var pre = e.Device.Upload<double>(z);
            using var act = e.Device.Allocate<double>(z.Length);
            using var dact = e.Device.Allocate<double>(z.Length);
            string kernel = "ntk_act_" + l.ToString(CultureInfo.InvariantCulture) + "_d";
            if (layers[l].UseBias)
            {
                using var bias = e.Device.Upload<double>(new double[z.Length]);
                module.Kernel(kernel).LaunchLinear(z.Length, 64, pre, bias, act, dact, 1.0, 0.0, (long)z.Length, z.Length);
            }
            else module.Kernel(kernel).LaunchLinear(z.Length, 64, pre, act, dact, 1.0, (long)z.Length);
            var a = act.ToArray();
            var d = dact.ToArray();
            for (int k = 0; k < z.Length; k++)
            {
                string at = $"{typeof(TModel).Name} layer {layers[l].Name} ({layers[l].ActivationName}) at z = {z[k]:R}";
                AssertClose(phi(z[k]), a[k], 1e-14, "φ " + at);
                AssertClose(dphi(z[k]), d[k], 1e-14, "φ' " + at);
            }
        }
    }

    [Fact]
    public void CustomActivationsAndTheirSymbolicDerivativesAreRightOnTheDevice()
    {
        // Independent of the generator: the user's methods for φ, and φ' by hand (d/dx of log(1 + e^{−|x|}) + max(x, 0)
        // is σ(x); of x·tanh(√(x² + 1)) − sin³(x)/3 it is tanh(s) + x²(1 − tanh²(s))/s − sin²(x)cos(x), s = √(x² + 1)).
        Emulated.RequireCompiler();
        var z = Grid().Where(v => Math.Abs(v) > 1e-6).ToArray(); // the kink of max(x, 0) at 0 is a convention, not a value
        using var e = new Emulated();
        var module = e.Device.Compile(CustomSmooth.CudaSource);
        double[] Run(int layer, out double[] derivative)
        {
            using var pre = e.Device.Upload<double>(z);
            using var bias = e.Device.Upload<double>(new double[z.Length]);
            using var act = e.Device.Allocate<double>(z.Length);
            using var dact = e.Device.Allocate<double>(z.Length);
            module.Kernel($"ntk_act_{layer}_d").LaunchLinear(z.Length, 32, pre, bias, act, dact, 1.0, 0.0, (long)z.Length, z.Length);
            derivative = dact.ToArray();
            return act.ToArray();
        }
        var soft = Run(0, out var dsoft);
        var wavy = Run(1, out var dwavy);
        for (int k = 0; k < z.Length; k++)
        {
            double x = z[k], s = Math.Sqrt(x * x + 1.0), t = Math.Tanh(s), sin = Math.Sin(x);
            AssertClose(CustomSmooth.Soft(x), soft[k], 1e-14, $"Soft({x:R})");
            AssertClose(1.0 / (1.0 + Math.Exp(-x)), dsoft[k], 1e-12, $"Soft'({x:R})");
            AssertClose(CustomSmooth.Wavy(x), wavy[k], 1e-14, $"Wavy({x:R})");
            AssertClose(t + x * x * (1.0 - t * t) / s - sin * sin * Math.Cos(x), dwavy[k], 1e-12, $"Wavy'({x:R})");
        }
    }

    [Fact]
    public void ElementwiseKernelsFollowTheirDocumentedFormulas()
    {
        Emulated.RequireCompiler();
        const int width = 4, rows = 5, count = width * rows;
        var pre = Reference.Random(count, 301, 2.0);
        var bias = Reference.Random(width, 302);
        using var e = new Emulated();
        var module = e.Device.Compile(AllBuiltins.CudaSource);
        // Layer 3 (Erf) with its bias: h = ws·pre + bs·bias[idx % width], in float64 and float32 (a wrong h fails by far more than 1e-14).
        var phi = CSharp<AllBuiltins>("Phi", 3);
        var dphi = CSharp<AllBuiltins>("DPhi", 3);
        using (var dPre = e.Device.Upload<double>(pre))
        using (var dBias = e.Device.Upload<double>(bias))
        using (var act = e.Device.Allocate<double>(count))
        using (var dact = e.Device.Allocate<double>(count))
        {
            module.Kernel("ntk_act_3_d").LaunchLinear(count, 8, dPre, dBias, act, dact, 0.7, 0.3, (long)count, width);
            var a = act.ToArray();
            var d = dact.ToArray();
            for (int i = 0; i < count; i++)
            {
                double h = 0.7 * pre[i] + 0.3 * bias[i % width];
                AssertClose(phi(h), a[i], 1e-14, $"φ(h[{i}])"); // the device's erf is the C library's, C#'s is MathNet's
                AssertClose(dphi(h), d[i], 1e-14, $"φ'(h[{i}])");
            }
        }
        var preF = Reference.ToFloat(pre);
        var biasF = Reference.ToFloat(bias);
        using (var dPre = e.Device.Upload<float>(preF))
        using (var dBias = e.Device.Upload<float>(biasF))
        using (var act = e.Device.Allocate<float>(count))
        using (var dact = e.Device.Allocate<float>(count))
        {
            module.Kernel("ntk_act_3_f").LaunchLinear(count, 8, dPre, dBias, act, dact, 0.7f, 0.3f, (long)count, width);
            var a = act.ToArray();
            var d = dact.ToArray();
            for (int i = 0; i < count; i++)
            {
                double h = (double)0.7f * preF[i] + (double)0.3f * biasF[i % width];
                AssertClose((float)phi(h), a[i], 1.2e-7, $"float φ(h[{i}])"); // one float rounding of the double result
                AssertClose((float)dphi(h), d[i], 1.2e-7, $"float φ'(h[{i}])");
            }
        }
        Assert.DoesNotContain("ntk_hadamard", AllBuiltins.CudaSource, StringComparison.Ordinal); // one accumulation kernel: NtkAssemblySource's
    }

    private static Tensor Inputs(int n, int d, int seed, double scale = 1.1) => Tensor.FromArray(Reference.Random(n * d, seed, scale), n, d);

    public static TheoryData<string> AnalyticModels => ["standard", "output", "mix"];

    [Theory]
    [MemberData(nameof(AnalyticModels))]
    public void InfiniteWidthKernelsMatchTheCpuTo1e12(string name)
    {
        Emulated.RequireCompiler();
        switch (name)
        {
            case "standard":
                CheckAnalytic<StandardReluErf>(StandardReluErf.AnalyticNtk, StandardReluErf.AnalyticNngp, StandardReluErf.AnalyticWntk,
                    new GroupWeights().Weights("Hidden1", 0.3).Bias("Readout", 2.5));
                break;
            case "output":
                CheckAnalytic<OutputErf>(OutputErf.AnalyticNtk, OutputErf.AnalyticNngp, OutputErf.AnalyticWntk,
                    new GroupWeights().Bias("Hidden", 0.2).Weights("Readout", 3.0));
                break;
            default:
                CheckAnalytic<AnalyticMix>(AnalyticMix.AnalyticNtk, AnalyticMix.AnalyticNngp, AnalyticMix.AnalyticWntk,
                    new GroupWeights().Weights("Hidden2", 0.5).Bias("Hidden3", 4.0));
                break;
        }
    }

    private delegate Tensor Kernel(Tensor x1, Tensor? x2, IProgress<NtkProgress>? progress, CancellationToken token);

    private delegate Tensor Weighted(Tensor x1, Tensor? x2, GroupWeights weights, IProgress<NtkProgress>? progress, CancellationToken token);

    private static void CheckAnalytic<TModel>(Kernel ntk, Kernel nngp, Weighted wntk, GroupWeights weights) where TModel : IDeviceSource
    {
        Assert.Null(TModel.CudaAnalyticUnsupportedReason);
        int d = TModel.Info.Inputs;
        var x1 = Inputs(9, d, 310);
        var x2 = Inputs(7, d, 311);
        using var e = new Emulated();
        void Check(double[] device, Tensor cpu, string what) =>
            Assert.True(Reference.MaxRelative(device, cpu.ToFlatArray(), floor: 0) < 1e-12, $"{typeof(TModel).Name} {what}: {Reference.MaxRelative(device, cpu.ToFlatArray(), floor: 0):E2}");
        Check(e.Device.AnalyticNtkOnDevice<TModel>(x1, x2).ToFlatArray(), ntk(x1, x2, null, default), "NTK x1 ≠ x2");
        Check(e.Device.AnalyticNngpOnDevice<TModel>(x1, x2).ToFlatArray(), nngp(x1, x2, null, default), "NNGP x1 ≠ x2");
        Check(e.Device.AnalyticNtkOnDevice<TModel>(x1).ToFlatArray(), ntk(x1, null, null, default), "NTK x1 = x2");
        Check(e.Device.AnalyticWntkOnDevice<TModel>(x1, x2, weights).ToFlatArray(), wntk(x1, x2, weights, null, default), "WNTK");
        // The weights matter: the weighted kernel is not the plain one.
        Assert.True(Reference.MaxRelative(e.Device.AnalyticWntkOnDevice<TModel>(x1, x2, weights).ToFlatArray(), ntk(x1, x2, null, default).ToFlatArray(), floor: 0) > 1e-3);
    }

    [Fact]
    public void CustomActivationsHaveNoDeviceAnalyticKernelAndSaySo()
    {
        string? why = CustomSmooth.CudaAnalyticUnsupportedReason;
        Assert.NotNull(why);
        Assert.Contains("Hidden1", why);
        Assert.Contains("Soft", why);
        Assert.Contains("CustomSmooth.AnalyticNtk", why);
        Assert.DoesNotContain(AnalyticDeviceKernels.PairKernel, CustomSmooth.CudaSource);
        Assert.Contains("No infinite-width kernels", CustomSmooth.CudaSource);
        using var e = new Emulated();
        var ex = Assert.Throws<NotSupportedException>(() => e.Device.AnalyticNtkOnDevice<CustomSmooth>(Inputs(2, 3, 320)));
        Assert.Equal(why, ex.Message);
        Assert.Throws<NotSupportedException>(() => e.Device.AnalyticWntkOnDevice<AllBuiltins>(Inputs(2, 3, 321), null, new GroupWeights()));
    }

    public static TheoryData<string> AllModels => ["builtins", "custom", "standard", "output", "mix", "sin", "relu2", "leaky", "tanh"];

    private static string SourceOf(string name) => name switch
    {
        "builtins" => AllBuiltins.CudaSource,
        "custom" => CustomSmooth.CudaSource,
        "standard" => StandardReluErf.CudaSource,
        "output" => OutputErf.CudaSource,
        "mix" => AnalyticMix.CudaSource,
        "sin" => AnalyticSinIdentity.CudaSource,
        "relu2" => ReluDepth2.CudaSource,
        "leaky" => LeakyPair.CudaSource,
        _ => TanhPair.CudaSource,
    };

    [Theory]
    [MemberData(nameof(AllModels))]
    public void TheSourceIsDeviceOnlyCudaAndCompilesWarningFree(string name)
    {
        string source = SourceOf(name);
        // Constructs NVRTC rejects or the emulation cannot run (ntkdsl_cuda_compat.h's restrictions), and C# leftovers.
        foreach (var forbidden in new[] { "__shared__", "__syncthreads", "extern \"C\" {", "#include", "std::", "printf", "malloc", "global::", "Math.", "double.NaN" })
            Assert.DoesNotContain(forbidden, source);
        var lines = source.Split('\n');
        Assert.All(lines.Where(l => l.Contains("__global__", StringComparison.Ordinal) && !l.TrimStart().StartsWith("//", StringComparison.Ordinal)),
            l => Assert.StartsWith("extern \"C\" __global__ void ", l));
        // g++ with -Wall -Werror over the exact text, as the emulated NVRTC includes it.
        Emulated.RequireCompiler();
        string dir = Path.Combine(Path.GetTempPath(), "ntkdsl-cuda-gen-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + name);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "ntkdsl_cuda_compat.h"), EmulatedNvrtc.CompatHeader());
            File.WriteAllText(Path.Combine(dir, "kernels.cu.cpp"), "#include \"ntkdsl_cuda_compat.h\"\n" + source);
            var psi = new ProcessStartInfo(EmulatedNvrtc.FindCompiler()!, "-std=c++17 -fsyntax-only -Wall -Werror kernels.cu.cpp")
            {
                WorkingDirectory = dir,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            string errors = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
