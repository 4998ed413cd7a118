using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NtkDsl;
using NtkDsl.Cuda;
using NtkDsl.Cuda.Interop;
using NtkDsl.Cuda.Memory;
using NtkDsl.Cuda.Analytic;
using NtkDsl.Cuda.Ntk;
using NtkDsl.Kernels;

// GPU benchmark of the NtkDsl.Cuda machinery beside ../shared/bench/torch_ntk.py (run both in one command:
// benchmarks/gpu/run.sh). Prints one JSON object per line: method, n, dtype, ms (median), rel (relative error).
// Workload W1 (gpu.md): MLP 784-2048-2048-10, ReLU, NTK parameterization, Trace mode, random normal inputs.
// Also: float32/TF32 accuracy against float64 from the same float32-rounded inputs and parameters (max/max, Frobenius),
// per-phase breakdowns (ntkdsl_phases_*: device synchronized after every phase) of W1's structured NTK in float64,
// float32 and TF32 through the device model path (DenseModelEngine features, then DeviceNtkAssembly: Grams by cuBLAS,
// Hadamard accumulation, copy to host) and of the analytic kernel; the ReLU derivative flips between float32/TF32 and
// float64 (φ' read from the device features: a hidden unit is active iff its scaled activation is positive),
// and the device infinite-width NTK (ntkdsl_analytic_ntk_f64) beside torch's elementwise analytic ReLU NTK.
// ntkdsl_structured_* and ntkdsl_model_on_device_*: the generated model constructed on the device
// (new W1Model(0, device).Ntk(x1, x2)): forward pass, per-layer features and kernel assembly on the device
// (Device.ModelBackend), result in host memory; the latter at --model-n rows (default min(n, 4096)).
// Usage: NtkDsl.Cuda.Benchmarks [--n 8192] [--small-n 1024] [--gemm-n 8192] [--model-n 4096] [--quick] [--emulated]
// (--emulated runs the same code on the host emulation: a smoke test of the benchmark itself, not a measurement;
// benchmarks/gpu/run.sh dry runs it at N = 64.)

int n = 8192, smallN = 1024, gemmN = 8192, modelN = -1;
bool quick = false, emulated = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--n": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--small-n": smallN = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--gemm-n": gemmN = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--model-n": modelN = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--quick": quick = true; break;
        case "--emulated": emulated = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 64;
    }
}
if (modelN < 0) modelN = Math.Min(n, 4096);

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
        // SYRK (the x1 = x2 path): n²·k useful flops, half a GEMM's.
        double msSyrk = Time(device, reps, () => GpuBlas.SyrkLower(g, g, 1.0, a, g, 0.0, c, g));
        Emit(new() { ["method"] = "ntkdsl_dsyrk", ["n"] = g, ["ms"] = msSyrk, ["tflops"] = 1.0 * g * g * g / msSyrk / 1e9 });
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
    int reps3 = quick ? 1 : 3;

    // float64, x1 ≠ x2: the generated model constructed on the device (issue 12: features and assembly on the device,
    // parameters resident, the result copied to host memory in row tiles), timed end to end as a user calls it, so
    // unlike PyTorch's (left on the device) the time includes copying the N × N result back. Accuracy of a corner block
    // against the CPU NtkDsl result, for the model on the device and for the NtkOnDevice wrapper.
    var gpuModel = new W1Model(0, device);
    double[] reference64;
    double msF64;
    {
        int warm = Math.Min(n, 64);
        gpuModel.Ntk(x1.SliceRows(0, warm), x2.SliceRows(0, warm)); // compile the modules, upload the parameters
        Tensor? result = null;
        double ms = Time(device, reps3, () => result = gpuModel.Ntk(x1, x2));
        msF64 = ms;
        reference64 = result!.ToFlatArray();
        int b = Math.Min(256, n);
        var cpu = model.Ntk(x1.SliceRows(0, b), x2.SliceRows(0, b), NtkMode.Trace).ToFlatArray();
        var viaEntry = model.NtkOnDevice(device, x1.SliceRows(0, b), x2.SliceRows(0, b)).ToFlatArray();
        var block = new double[b * b];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++) block[i * b + j] = reference64[(long)i * n + j];
        Emit(new() { ["method"] = "ntkdsl_structured_f64", ["n"] = n, ["dtype"] = "float64", ["ms"] = ms, ["rel_vs_cpu"] = MaxOverMax(block, cpu), ["rel_entry_point_vs_cpu"] = MaxOverMax(viaEntry, cpu), ["rel_block"] = b, ["gflop"] = W1Flops(n, n, false) / 1e9, ["includes"] = "result copied to host" });

        // x1 = x2: features once, one triangle of tiles (SYRK on the diagonal blocks), mirrored on the host.
        double msSym = Time(device, reps3, () => result = gpuModel.Ntk(x1));
        var cpuSym = model.Ntk(x1.SliceRows(0, b), null, NtkMode.Trace).ToFlatArray();
        var symFlat = result!.ToFlatArray();
        var symBlock = new double[b * b];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++) symBlock[i * b + j] = symFlat[(long)i * n + j];
        Emit(new() { ["method"] = "ntkdsl_structured_f64_symmetric", ["n"] = n, ["dtype"] = "float64", ["ms"] = msSym, ["rel_vs_cpu"] = MaxOverMax(symBlock, cpuSym), ["rel_block"] = b, ["gflop"] = W1Flops(n, n, true) / 1e9, ["includes"] = "result copied to host" });

        // Eigendecomposition of the symmetric kernel (cuSOLVER syevd), as torch.linalg.eigh.
        using var sym = device.Upload<double>(result!.AsSpan());
        using var a = device.Allocate<double>((long)n * n);
        using var w = device.Allocate<double>(n);
        double msEig = Time(device, 1, () =>
        {
            sym.AsMemory().CopyTo(a);
            GpuSolver.SymmetricEigen(a, n, n, w);
        });
        Emit(new() { ["method"] = "ntkdsl_eigh_f64", ["n"] = n, ["ms"] = msEig });
    }

    // The float32 reference: float64 from the float32-rounded inputs and parameters (as torch_ntk.py does), so that the
    // comparison measures the float32 arithmetic only.
    var roundedParameters = parameters.Select(v => (double)(float)v).ToArray();
    double[] reference32;
    {
        var rounded = new W1Model(0, device);
        rounded.SetParameters(roundedParameters);
        reference32 = rounded.Ntk(Round(x1), Round(x2)).ToFlatArray();
    }

    // Where the time goes in float64: one profiled run of the device model path (the float32-rounded inputs and
    // parameters, so that its φ' masks are the reference of the float32 flip count below).
    var x1r = Round(x1);
    var x2r = Round(x2);
    var profile64 = ProfileW1<double>(device, roundedParameters, x1r, x2r, GpuFloat32Mode.Strict);
    EmitPhases("ntkdsl_phases_structured_f64", n, msF64, profile64.Phases);

    // float32 strict and TF32 (model.NtkOnDevice: the same device path in float32, parameters bound per call):
    // accuracy against both float64 results, max-error/max-scale and Frobenius relative; the ReLU derivative flips
    // against float64 (a pre-activation within float32 rounding of 0 takes the other φ', moving a whole row by about
    // 1/width) and the max/max error without the rows and columns of examples that have a flip.
    foreach (var mode in new[] { GpuFloat32Mode.Strict, GpuFloat32Mode.Tf32 })
    {
        var precision = mode == GpuFloat32Mode.Strict ? GpuPrecision.Float32 : GpuPrecision.Tf32;
        Tensor? result = null;
        double ms = Time(device, reps3, () => result = model.NtkOnDevice(device, x1, x2, precision: precision));
        var got = result!.ToFlatArray();
        var profile = ProfileW1<float>(device, roundedParameters, x1r, x2r, mode);
        var (flips, flipped1) = Flips(profile.Masks[0], profile64.Masks[0], n);
        var (flips2, flipped2) = Flips(profile.Masks[1], profile64.Masks[1], n);
        double maxErr = 0, maxScale = 0, sumSqErr = 0, sumSqRef = 0, maxErrUnrounded = 0, maxScaleUnrounded = 0, maxErrUnflipped = 0;
        for (long idx = 0; idx < got.LongLength; idx++)
        {
            double r = reference32[idx], diff = Math.Abs(got[idx] - r);
            maxErr = Math.Max(maxErr, diff);
            maxScale = Math.Max(maxScale, Math.Abs(r));
            sumSqErr += diff * diff;
            sumSqRef += r * r;
            maxErrUnrounded = Math.Max(maxErrUnrounded, Math.Abs(got[idx] - reference64[idx]));
            maxScaleUnrounded = Math.Max(maxScaleUnrounded, Math.Abs(reference64[idx]));
            if (!flipped1[idx / n] && !flipped2[idx % n]) maxErrUnflipped = Math.Max(maxErrUnflipped, diff);
        }
        string name = mode == GpuFloat32Mode.Strict ? "ntkdsl_structured_f32" : "ntkdsl_structured_tf32";
        Emit(new()
        {
            ["method"] = name, ["n"] = n, ["dtype"] = "float32", ["ms"] = ms, ["gflop"] = W1Flops(n, n, false) / 1e9,
            ["rel_vs_f64"] = maxErrUnrounded / maxScaleUnrounded,
            ["rel_max_vs_f64r"] = maxErr / maxScale,
            ["rel_fro_vs_f64r"] = Math.Sqrt(sumSqErr / sumSqRef),
            ["relu_flips"] = flips + flips2,
            ["rows_with_flips_x1"] = flipped1.Count(f => f),
            ["rows_with_flips_x2"] = flipped2.Count(f => f),
            ["rel_max_unflipped_vs_f64r"] = maxErrUnflipped / maxScale,
            ["includes"] = "parameter upload and result copied to host",
        });
        EmitPhases(mode == GpuFloat32Mode.Strict ? "ntkdsl_phases_structured_f32" : "ntkdsl_phases_structured_tf32", n, ms, profile.Phases);
    }

    // N = smallN float32 (torch.func's Jacobian contraction anchor is at N = 1024).
    {
        var s1 = x1.SliceRows(0, smallN);
        var s2 = x2.SliceRows(0, smallN);
        Tensor? small = null;
        double ms = Time(device, reps, () => small = model.NtkOnDevice(device, s1, s2, precision: GpuPrecision.Float32));
        // Accuracy against the float64 kernel of the same float32-rounded inputs and parameters (its top-left block).
        int m = Math.Min(smallN, n);
        var got = small!.ToFlatArray();
        var block = new double[(long)m * m];
        var mine = new double[(long)m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                block[(long)i * m + j] = reference32[(long)i * n + j];
                mine[(long)i * m + j] = got[(long)i * smallN + j];
            }
        Emit(new() { ["method"] = "ntkdsl_structured_f32", ["n"] = smallN, ["dtype"] = "float32", ["ms"] = ms, ["rel_max_vs_f64r"] = MaxOverMax(mine, block), ["rel_block"] = m });
    }

    // Infinite-width NTK of W1's architecture (depth-2 ReLU, σ_w = σ_b = 1: torch_ntk.py's analytic_relu_ntk), float64,
    // from inputs on the device: the diagonal chains, one DGEMM for x·x'/d and the fused per-pair recursion.
    {
        var kernels = AnalyticDeviceKernels.For<W1Model>(device); // the CUDA C generated for W1Model at compile time
        using var gw = device.Upload<double>(Enumerable.Repeat(1.0, W1Model.Info.Groups.Count).ToArray());
        using var d1 = device.Upload<double>(x1.ToFlatArray());
        using var d2 = device.Upload<double>(x2.ToFlatArray());
        using var k = device.Allocate<double>((long)n * n);
        double ms = Time(device, reps, () =>
        {
            using var c1 = kernels.DiagonalChain(d1, n);
            using var c2 = kernels.DiagonalChain(d2, n);
            kernels.Pairs(c1, c2, gw, symmetric: false, ntk: true, 0, n, k);
        });
        var timer = new PhaseTimes(device);
        timer.Start();
        using (var c1 = kernels.DiagonalChain(d1, n))
        using (var c2 = kernels.DiagonalChain(d2, n))
        {
            timer.Mark("diagonal chains");
            kernels.Pairs(c1, c2, gw, symmetric: false, ntk: true, 0, n, k, timer);
        }
        int b = Math.Min(128, n);
        var got = k.ToArray();
        var cpu = W1Model.AnalyticNtk(x1.SliceRows(0, b), x2.SliceRows(0, b)).ToFlatArray();
        var block = new double[b * b];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++) block[i * b + j] = got[(long)i * n + j];
        Emit(new() { ["method"] = "ntkdsl_analytic_ntk_f64", ["n"] = n, ["dtype"] = "float64", ["ms"] = ms, ["rel_vs_cpu"] = MaxOverMax(block, cpu), ["rel_block"] = b });
        EmitPhases("ntkdsl_phases_analytic_ntk_f64", n, ms, timer.Milliseconds);
    }

    // The generated model constructed on the device: every generated method runs there (issue 12's seam).
    // Timed end to end as a user calls it (upload of x, device features, Grams and Hadamard sums, copy back);
    // accuracy of a corner block against the same model on the CPU.
    {
        var onDevice = new W1Model(0, device);
        var m1 = x1.SliceRows(0, modelN);
        var m2 = x2.SliceRows(0, modelN);
        int b = Math.Min(256, modelN);
        var cpu = model.Ntk(x1.SliceRows(0, b), x2.SliceRows(0, b), NtkMode.Trace).ToFlatArray();
        var cpuSym = model.Ntk(x1.SliceRows(0, b), null, NtkMode.Trace).ToFlatArray();
        foreach (bool symmetric in new[] { false, true })
        {
            Tensor? result = null;
            double ms = Time(device, 1, () => result = onDevice.Ntk(m1, symmetric ? null : m2));
            var got = result!.ToFlatArray();
            var block = new double[b * b];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++) block[i * b + j] = got[(long)i * modelN + j];
            Emit(new()
            {
                ["method"] = symmetric ? "ntkdsl_model_on_device_f64_symmetric" : "ntkdsl_model_on_device_f64", ["n"] = modelN, ["dtype"] = "float64",
                ["ms"] = ms, ["rel_vs_cpu"] = MaxOverMax(block, symmetric ? cpuSym : cpu), ["rel_block"] = b,
            });
        }
        var blocks = onDevice.NtkPerGroup(x1.SliceRows(0, b), x2.SliceRows(0, b), NtkMode.Trace);
        Emit(new() { ["method"] = "ntkdsl_model_on_device_per_group_f64", ["n"] = b, ["dtype"] = "float64", ["rel_sum_vs_cpu"] = MaxOverMax(blocks.Sum().ToFlatArray(), cpu) });
    }
}
return 0;

static void EmitPhases(string method, int n, double unprofiledMs, List<KeyValuePair<string, double>> phases) =>
    Emit(new()
    {
        ["method"] = method, ["n"] = n, ["ms_unprofiled"] = unprofiledMs, ["ms_profiled_total"] = phases.Sum(p => p.Value),
        ["phases"] = phases.ToDictionary(p => p.Key, p => Math.Round(p.Value, 3)),
    });

// One profiled run of W1's traced NTK (x1 ≠ x2) through the device model path, as CudaDevice.Ntk runs it: upload,
// features (DenseModelEngine), assembly (DeviceNtkAssembly, which marks its Grams, Hadamard accumulation and host copy
// when DeviceNtkAssembly<T>.Profile is set); the device is synchronized after every phase. Also returns, per batch, the
// hidden units' φ' masks read from the device features (layer l's inputs are cW·ReLU(h) of layer l − 1: positive iff
// φ' = 1), row-major n × (2048 + 2048).
static (List<KeyValuePair<string, double>> Phases, bool[][] Masks) ProfileW1<T>(CudaDevice device, double[] parameters, Tensor x1, Tensor x2, GpuFloat32Mode mode)
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    var info = W1Model.Info;
    var weights = new T[info.Layers.Count][];
    var biases = new T[]?[info.Layers.Count];
    for (int l = 0; l < info.Layers.Count; l++)
    {
        var L = info.Layers[l];
        weights[l] = parameters.AsSpan(L.WeightOffset, L.WeightCount).ToArray().Select(T.CreateSaturating).ToArray();
        biases[l] = L.UseBias ? parameters.AsSpan(L.BiasOffset, L.BiasCount).ToArray().Select(T.CreateSaturating).ToArray() : null;
    }
    var dtype = typeof(T) == typeof(double) ? DType.Float64 : DType.Float32;
    var binding = new DeviceModel<T>(device, info, W1Model.CudaSource, weights, biases);
    var timer = new PhaseTimes(device);
    var masks = new bool[2][];
    try
    {
        using var engine = new DenseModelEngine<T>(device, binding, device.ParametersOf(binding), mode);
        timer.Start();
        var d1 = engine.UploadInputs(x1.To(dtype));
        var d2 = engine.UploadInputs(x2.To(dtype));
        timer.Mark("upload x1, x2");
        var f1 = engine.Features(d1, x1.Rows, traced: true);
        var f2 = engine.Features(d2, x2.Rows, traced: true);
        timer.Mark("features (forward GEMMs, φ/φ', delta GEMMs)");
        var groups = info.Groups.Count;
        DeviceNtkAssembly<T>.Profile = timer;
        try
        {
            DeviceNtkAssembly<T>.Run(device, device.KernelOptions with { Float32 = mode }, f1, f2, NtkMode.Trace, 1, new int[groups],
                Enumerable.Repeat(1.0, groups).ToArray(), null, default);
        }
        finally
        {
            DeviceNtkAssembly<T>.Profile = null;
        }
        timer.Mark("assembly (rest)");
        masks[0] = Active(f1);
        masks[1] = Active(f2);
    }
    finally
    {
        device.Models.Remove(binding);
    }
    return (timer.Milliseconds, masks);
}

static bool[] Active<T>(DeviceFeatures<T> f) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    int w1 = f.Layers[1].InputWidth, w2 = f.Layers[2].InputWidth;
    var a1 = new T[(long)f.Rows * w1];
    var a2 = new T[(long)f.Rows * w2];
    f.Inputs[1].Slice(0, a1.Length).CopyTo(a1);
    f.Inputs[2].Slice(0, a2.Length).CopyTo(a2);
    var mask = new bool[(long)f.Rows * (w1 + w2)];
    for (long r = 0; r < f.Rows; r++)
    {
        for (int u = 0; u < w1; u++) mask[r * (w1 + w2) + u] = a1[r * w1 + u] > T.Zero;
        for (int u = 0; u < w2; u++) mask[r * (w1 + w2) + w1 + u] = a2[r * w2 + u] > T.Zero;
    }
    return mask;
}

// Units whose φ' differs between two runs, and per example whether it has any.
static (long Count, bool[] Rows) Flips(bool[] a, bool[] b, int rows)
{
    long count = 0;
    var flagged = new bool[rows];
    long width = a.LongLength / rows;
    for (long i = 0; i < a.LongLength; i++)
        if (a[i] != b[i])
        {
            count++;
            flagged[i / width] = true;
        }
    return (count, flagged);
}

static double MaxOverMax(double[] got, double[] reference)
{
    double err = 0, scale = 0;
    for (int i = 0; i < got.Length; i++)
    {
        err = Math.Max(err, Math.Abs(got[i] - reference[i]));
        scale = Math.Max(scale, Math.Abs(reference[i]));
    }
    return err / scale;
}

// Floating-point operations of W1's traced structured NTK (2 per multiply–add; a SYRK counts its triangle): forward
// GEMMs and delta GEMMs per input set, and the per-layer Grams with math.md §2's reductions (the readout needs no delta
// Gram; the last hidden layer, traced, one n-wide Gram). Elementwise work is not counted.
static double W1Flops(int n1, int n2, bool symmetric)
{
    int[] widths = [784, 2048, 2048, 10];
    int hidden = widths.Length - 2, k = widths[^1];
    double perRow = 0;
    for (int l = 0; l < hidden; l++) perRow += 2.0 * widths[l] * widths[l + 1];
    for (int l = hidden - 2; l >= 0; l--) perRow += 2.0 * k * widths[l + 1] * widths[l + 2];
    double gramInner = widths[hidden];
    for (int l = 0; l < hidden; l++) gramInner += widths[l] + (l == hidden - 1 ? widths[l + 1] : (double)k * widths[l + 1]);
    return symmetric ? perRow * n1 + (double)n1 * n1 * gramInner : perRow * (n1 + (double)n2) + 2.0 * n1 * n2 * gramInner;
}

static Tensor Round(Tensor x) => Tensor.FromArray(x.ToFlatArray().Select(v => (double)(float)v).ToArray(), x.Rows, x.Columns);

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

static void Emit(Dictionary<string, object> row) => Console.WriteLine(JsonSerializer.Serialize(row, JsonOptions.Relaxed));

static class JsonOptions
{
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>Workload W1 of gpu.md.</summary>
[NtkModel(Inputs = 784)]
public partial class W1Model
{
    [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden1 { get; }
    [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden2 { get; }
    [Dense(10)] public partial DenseLayer Readout { get; }
}
