using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NtkDsl;
using NtkDsl.Cuda;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Tests.Ntk;
using NtkDsl.Kernels;

// GPU benchmark of the NtkDsl.Cuda machinery beside ../shared/bench/torch_ntk.py (run both in one command:
// benchmarks/gpu/run.sh). Prints one JSON object per line: method, n, dtype, ms (median), rel (relative error).
// Workload W1 (gpu.md): MLP 784-2048-2048-10, ReLU, NTK parameterization, Trace mode, random normal inputs.
// Usage: NtkDsl.Cuda.Benchmarks [--n 8192] [--small-n 1024] [--gemm-n 8192] [--quick] [--emulated]
// (--emulated runs the same code on the host emulation: a smoke test of the benchmark itself, not a measurement.)

int n = 8192, smallN = 1024, gemmN = 8192;
bool quick = false, emulated = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--n": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--small-n": smallN = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--gemm-n": gemmN = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--quick": quick = true; break;
        case "--emulated": emulated = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 64;
    }
}

CudaDevice device;
try
{
    device = emulated
        ? CudaDevice.Open(0, new NtkDsl.Cuda.Emulation.EmulatedGpu(new() { TotalMemoryBytes = 4UL << 30 }).CreateBackend())
        : CudaDevice.Open(0, CudaBackend.LoadNative());
}
catch (Exception e) when (e is CudaLibraryNotFoundException or CudaException)
{
    Console.Error.WriteLine("No usable GPU: " + e.Message);
    Emit(new() { ["method"] = "ntkdsl_device", ["error"] = e.Message.Split('\n')[0] });
    return 2;
}

using (device)
{
    Emit(new() { ["method"] = "ntkdsl_device", ["device"] = device.Name });
    int reps = quick ? 2 : 5;

    // GEMM ceilings.
    {
        int g = gemmN;
        using var a = Random(device, (long)g * g, 1);
        using var b = Random(device, (long)g * g, 2);
        using var c = device.Allocate<double>((long)g * g);
        double ms = Time(device, reps, () => GpuBlas.Gemm(Transpose.No, Transpose.Yes, g, g, g, 1.0, a, g, b, g, 0.0, c, g));
        Emit(new() { ["method"] = "ntkdsl_dgemm", ["n"] = g, ["ms"] = ms, ["tflops"] = 2.0 * g * g * g / ms / 1e9 });
        using var af = RandomF(device, (long)g * g, 3);
        using var bf = RandomF(device, (long)g * g, 4);
        using var cf = device.Allocate<float>((long)g * g);
        foreach (var mode in new[] { GpuFloat32Mode.Strict, GpuFloat32Mode.Tf32 })
        {
            double msf = Time(device, reps, () => GpuBlas.Gemm(Transpose.No, Transpose.Yes, g, g, g, 1f, af, g, bf, g, 0f, cf, g, mode));
            Emit(new() { ["method"] = mode == GpuFloat32Mode.Strict ? "ntkdsl_sgemm_fp32_strict" : "ntkdsl_sgemm_tf32", ["n"] = g, ["ms"] = msf, ["tflops"] = 2.0 * g * g * g / msf / 1e9 });
        }
    }

    var model = new W1Model(0);
    var parameters = model.GetParameters();
    var x1 = Normal(n, 784, 11);
    var x2 = Normal(n, 784, 12);

    // float64, x1 ≠ x2, and its accuracy against the CPU NtkDsl result on a corner block.
    double[] reference64;
    {
        using var ntk = new DenseStackNtkOnDevice<double>(device, W1Model.Info, parameters);
        using var d1 = ntk.UploadInputs(x1);
        using var d2 = ntk.UploadInputs(x2);
        using var k = device.Allocate<double>((long)n * n);
        double ms = Time(device, quick ? 1 : 3, () =>
        {
            using var f1 = ntk.Compute(d1, n);
            using var f2 = ntk.Compute(d2, n);
            ntk.TraceTile(f1, f2, k);
        });
        reference64 = k.ToArray();
        int b = Math.Min(256, n);
        var cpu = model.Ntk(x1.SliceRows(0, b), x2.SliceRows(0, b), NtkMode.Trace).ToFlatArray();
        double rel = 0, scale = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
            {
                rel = Math.Max(rel, Math.Abs(reference64[(long)i * n + j] - cpu[i * b + j]));
                scale = Math.Max(scale, Math.Abs(cpu[i * b + j]));
            }
        Emit(new() { ["method"] = "ntkdsl_structured_f64", ["n"] = n, ["dtype"] = "float64", ["ms"] = ms, ["rel_vs_cpu"] = rel / scale, ["rel_block"] = b });

        // x1 = x2: features once, Grams by SYRK on one triangle, then a mirror.
        using var sym = device.Allocate<double>((long)n * n);
        double msSym = Time(device, quick ? 1 : 3, () =>
        {
            using var f = ntk.Compute(d1, n);
            ntk.TraceSymmetric(f, sym);
        });
        Emit(new() { ["method"] = "ntkdsl_structured_f64_symmetric", ["n"] = n, ["dtype"] = "float64", ["ms"] = msSym });

        // Eigendecomposition of the symmetric kernel (cuSOLVER syevd), as torch.linalg.eigh.
        using var a = device.Allocate<double>((long)n * n);
        using var w = device.Allocate<double>(n);
        double msEig = Time(device, 1, () =>
        {
            sym.AsMemory().CopyTo(a);
            GpuSolver.SymmetricEigen(a, n, n, w);
        });
        Emit(new() { ["method"] = "ntkdsl_eigh_f64", ["n"] = n, ["ms"] = msEig });
    }

    // float32 strict and TF32, accuracy against the float64 device result.
    foreach (var mode in new[] { GpuFloat32Mode.Strict, GpuFloat32Mode.Tf32 })
    {
        using var ntk = new DenseStackNtkOnDevice<float>(device, W1Model.Info, parameters, mode);
        using var d1 = ntk.UploadInputs(x1);
        using var d2 = ntk.UploadInputs(x2);
        using var k = device.Allocate<float>((long)n * n);
        double ms = Time(device, quick ? 1 : 3, () =>
        {
            using var f1 = ntk.Compute(d1, n);
            using var f2 = ntk.Compute(d2, n);
            ntk.TraceTile(f1, f2, k);
        });
        var got = k.ToArray();
        double err = 0, scale = 0;
        for (long i = 0; i < got.LongLength; i++)
        {
            err = Math.Max(err, Math.Abs(got[i] - reference64[i]));
            scale = Math.Max(scale, Math.Abs(reference64[i]));
        }
        Emit(new() { ["method"] = mode == GpuFloat32Mode.Strict ? "ntkdsl_structured_f32" : "ntkdsl_structured_tf32", ["n"] = n, ["dtype"] = "float32", ["ms"] = ms, ["rel_vs_f64"] = err / scale });
    }

    // N = smallN float32 (torch.func's Jacobian contraction anchor is at N = 1024).
    {
        using var ntk = new DenseStackNtkOnDevice<float>(device, W1Model.Info, parameters, GpuFloat32Mode.Strict);
        using var d1 = ntk.UploadInputs(x1.SliceRows(0, smallN));
        using var d2 = ntk.UploadInputs(x2.SliceRows(0, smallN));
        using var k = device.Allocate<float>((long)smallN * smallN);
        double ms = Time(device, reps, () =>
        {
            using var f1 = ntk.Compute(d1, smallN);
            using var f2 = ntk.Compute(d2, smallN);
            ntk.TraceTile(f1, f2, k);
        });
        Emit(new() { ["method"] = "ntkdsl_structured_f32", ["n"] = smallN, ["dtype"] = "float32", ["ms"] = ms });
    }
}
return 0;

static double Time(CudaDevice device, int reps, Action run)
{
    run();
    device.Synchronize();
    var times = new List<double>();
    for (int r = 0; r < reps; r++)
    {
        var sw = Stopwatch.StartNew();
        run();
        device.Synchronize();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

static Tensor Normal(int rows, int cols, int seed)
{
    var r = new Random(seed);
    var v = new double[(long)rows * cols];
    for (long i = 0; i < v.LongLength; i++)
    {
        double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
        v[i] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
    return Tensor.FromArray(v, rows, cols);
}

static DeviceBuffer<double> Random(CudaDevice device, long count, int seed)
{
    var r = new Random(seed);
    var v = new double[count];
    for (long i = 0; i < count; i++) v[i] = 2 * r.NextDouble() - 1;
    return device.Upload<double>(v);
}

static DeviceBuffer<float> RandomF(CudaDevice device, long count, int seed)
{
    var r = new Random(seed);
    var v = new float[count];
    for (long i = 0; i < count; i++) v[i] = (float)(2 * r.NextDouble() - 1);
    return device.Upload<float>(v);
}

static void Emit(Dictionary<string, object> row) => Console.WriteLine(JsonSerializer.Serialize(row));

/// <summary>Workload W1 of gpu.md.</summary>
[NtkModel(Inputs = 784)]
public partial class W1Model
{
    [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden1 { get; }
    [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden2 { get; }
    [Dense(10)] public partial DenseLayer Readout { get; }
}
