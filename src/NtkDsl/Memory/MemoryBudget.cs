using System.Globalization;

namespace NtkDsl.Memory;

/// <summary>
/// Checks a large request against the memory available to the process before allocating it, so that an oversized
/// kernel, Jacobian or feature buffer fails at once with a <see cref="NotEnoughMemoryException"/> that says what to do,
/// not with a bare <see cref="OutOfMemoryException"/> after minutes of work or a kill by the operating system.
/// Generated <c>Ntk</c>/<c>NtkPerGroup</c>/<c>Wntk</c>, <c>Jacobian</c> and analytic kernels check their whole working
/// set from the cost model (<see cref="ModelCost"/>) on entry; the runtime checks every large result tensor
/// (<see cref="Tensor.Zeros(DType, int[])"/>), the per-layer NTK feature buffers and the dynamics' eigendecomposition.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// <para>Available memory is the least of the GC limit minus the managed heap, the cgroup limit minus its usage (this
/// process's cgroup and its parents, v1 or v2), /proc/meminfo's MemAvailable, and the environment variable
/// <see cref="LimitVariable"/> when set (see <see cref="MemoryAvailability"/>). Requests under
/// <see cref="CheckThresholdBytes"/> are not checked (reading the limits costs a few microseconds). When a request
/// does not fit, the GC collects once and the check is repeated before throwing.</para>
/// <para>The figures are a snapshot: memory other processes take between the check and the allocation is not
/// reserved. Thread safety: all members are safe to call from any thread.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class MemoryBudget
{
    /// <summary>Environment variable with a byte limit for this process (e.g. <c>NTKDSL_MEMORY_LIMIT_BYTES=8000000000</c>).</summary>
    public const string LimitVariable = "NTKDSL_MEMORY_LIMIT_BYTES";

    /// <summary>Requests below this many bytes (16 MiB) are not checked.</summary>
    public const long CheckThresholdBytes = 16L << 20;

    private static readonly AsyncLocal<long?> TestLimit = new();

    /// <summary>What the process can allocate now, per source.</summary>
    public static MemoryAvailability Available()
    {
        var gc = GC.GetGCMemoryInfo();
        long gcBytes = gc.TotalAvailableMemoryBytes - GC.GetTotalMemory(forceFullCollection: false);
        long? limit = TestLimit.Value ?? EnvironmentLimit();
        return new MemoryAvailability(gcBytes, LinuxMemory.CgroupAvailable(), LinuxMemory.MemAvailable(), limit);
    }

    /// <summary>
    /// Throws <see cref="NotEnoughMemoryException"/> when <paramref name="bytes"/> exceeds <see cref="Available"/>.
    /// </summary>
    /// <param name="bytes">The bytes the operation will hold at once.</param>
    /// <param name="operation">Who asks, for the message (e.g. "Mlp.Ntk").</param>
    /// <param name="detail">What the bytes are, e.g. "Trace kernel 20000 × 20000 plus features".</param>
    /// <param name="fix">Operation-specific advice placed before the general one (row blocks with <see cref="KernelStream"/>, .npy streaming, Float32); may be empty.</param>
    public static void Ensure(long bytes, string operation, string detail, string fix) => Ensure(bytes, operation, detail, fix, generalAdvice: true);

    /// <summary>As <see cref="Ensure(long, string, string, string)"/>; without the general advice (row blocks with
    /// <see cref="KernelStream"/>) when <paramref name="generalAdvice"/> is false, for callers already computing in row blocks.</summary>
    internal static void Ensure(long bytes, string operation, string detail, string fix, bool generalAdvice)
    {
        if (bytes < 0) bytes = long.MaxValue; // An overflowed size is certainly too large.
        if (bytes < CheckThresholdBytes && TestLimit.Value is null) return;
        var available = Available();
        if (bytes <= available.Bytes) return;
        // Garbage may still hold memory the GC would give back: collect once before deciding.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        available = Available();
        if (bytes <= available.Bytes) return;
        string size = bytes == long.MaxValue ? "more than 9.2 EB (the size overflows)" : ModelCost.FormatBytes(bytes);
        throw new NotEnoughMemoryException(string.Create(CultureInfo.InvariantCulture,
            $"{operation}: {detail} needs {size} at once, but only {ModelCost.FormatBytes(available.Bytes)} is available to this process ({available}). {fix}{(generalAdvice ? (fix.Length > 0 ? " " : "") + GeneralAdvice : "")}"),
            operation, bytes, available.Bytes);
    }

    private const string GeneralAdvice = "In general: compute the result in row blocks with NtkDsl.KernelStream (KernelStream.NtkToNpy(model, \"k.npy\", x) streams Ntk to an .npy file of any size in O(rows per block × N) memory with progress; WntkToNpy, NtkPerGroupToNpy and ToNpy(path, x1, x2, (r, c, ct) => Model.AnalyticNtk(r, c, cancellationToken: ct)) do the same for the other kernels; the *RowBlocks methods hand each block of x1.SliceRows(start, count) to your code instead), declare the model with [NtkModel(Precision = Precision.Float32)] to halve features and results, or free memory / raise the container limit.";

    /// <summary>Checks the working set of <c>Ntk</c>, <c>Wntk</c> (<paramref name="results"/> = 1) or <c>NtkPerGroup</c> (one result per group).</summary>
    public static void EnsureNtk(ModelCost cost, int n1, int? n2, NtkMode mode, int results = 1)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (!Enum.IsDefined(mode)) return; // The caller reports the bad mode.
        if (n2 is not null && mode is NtkMode.Diagonal or NtkMode.DiagonalFull) return; // Likewise.
        long working = ModelCost.SaturatedBytes(() => cost.Ntk(n1, n2, mode));
        long k = cost.Model.Outputs;
        long one = Multiply(mode switch
        {
            NtkMode.Trace => Multiply(n1, n2 ?? n1),
            NtkMode.Full => Multiply(Multiply(n1, n2 ?? n1), k * k),
            NtkMode.Diagonal => n1,
            _ => Multiply(n1, k * k),
        }, cost.ElementSize);
        long bytes = Add(working, Multiply(one, Math.Max(0, results - 1)));
        string shape = mode switch
        {
            NtkMode.Trace => string.Create(CultureInfo.InvariantCulture, $"{n1} × {n2 ?? n1}"),
            NtkMode.Full => string.Create(CultureInfo.InvariantCulture, $"{n1} × {n2 ?? n1} × {k} × {k}"),
            NtkMode.Diagonal => string.Create(CultureInfo.InvariantCulture, $"{n1}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{n1} × {k} × {k}"),
        };
        string what = string.Create(CultureInfo.InvariantCulture,
            $"the {mode} kernel{(results > 1 ? $" of each of {results} groups" : "")} ({shape}, {ModelCost.FormatBytes(one)}{(results > 1 ? " each" : "")}) with the per-layer features of its inputs");
        string fix = mode == NtkMode.Full
            ? "NtkMode.Trace needs K² = " + (k * k).ToString(CultureInfo.InvariantCulture) + " times less for the result."
            : results > 1 ? "Ntk (one kernel) or Wntk instead of NtkPerGroup holds one result instead of " + results.ToString(CultureInfo.InvariantCulture) + "." : "";
        Ensure(bytes, cost.Model.Name + (results > 1 ? ".NtkPerGroup" : ".Ntk"), what, fix);
    }

    /// <summary>Checks the working set of <c>Jacobian</c> (N × K × P plus features).</summary>
    public static void EnsureJacobian(ModelCost cost, int n)
    {
        ArgumentNullException.ThrowIfNull(cost);
        long bytes = ModelCost.SaturatedBytes(() => cost.Jacobian(n));
        long jacobian = Multiply(Multiply(Multiply(n, cost.Model.Outputs), cost.ParameterCount), cost.ElementSize);
        string jacobianSize = jacobian == long.MaxValue ? "more than 9.2 EB" : ModelCost.FormatBytes(jacobian);
        Ensure(bytes, cost.Model.Name + ".Jacobian", string.Create(CultureInfo.InvariantCulture,
            $"the explicit Jacobian ({n} × {cost.Model.Outputs} × {cost.ParameterCount}, {jacobianSize}) with the per-output features"),
            "The NTK never needs J: use Ntk/NtkPerGroup, or Jvp/Vjp for products with J.");
    }

    /// <summary>Checks the working set of the infinite-width kernels <c>AnalyticNtk</c>/<c>AnalyticNngp</c>/<c>AnalyticWntk</c> (float64).</summary>
    public static void EnsureAnalytic(ModelCost cost, int n1, int? n2)
    {
        ArgumentNullException.ThrowIfNull(cost);
        long bytes = ModelCost.SaturatedBytes(() => cost.AnalyticNtk(n1, n2));
        Ensure(bytes, cost.Model.Name + ".AnalyticNtk", string.Create(CultureInfo.InvariantCulture,
            $"the infinite-width kernel ({n1} × {n2 ?? n1} float64) with copies of the inputs"),
            "AnalyticNtkDiagonal gives Θ(x_i, x_i) alone in O(N).");
    }

    /// <summary>Checks a dense array of <paramref name="elements"/> values of <paramref name="elementSize"/> bytes.</summary>
    public static void EnsureArray(long elements, int elementSize, string operation, string detail, string fix = "")
        => Ensure(Multiply(elements, elementSize), operation, detail, fix);

    /// <summary>Test hook: caps the available memory at <paramref name="bytes"/> for the calling flow (async-local) and checks every size.</summary>
    internal static IDisposable LimitForTesting(long bytes)
    {
        var previous = TestLimit.Value;
        TestLimit.Value = bytes;
        return new Restore(() => TestLimit.Value = previous);
    }

    private static long? EnvironmentLimit() => ParseLimit(Environment.GetEnvironmentVariable(LimitVariable));

    /// <summary>
    /// The byte limit in <see cref="LimitVariable"/>: a whole number of bytes, optionally followed by a unit (kB, MB, GB,
    /// TB: powers of 1000; KiB, MiB, GiB, TiB: powers of 1024; case-insensitive, spaces allowed before the unit); null or
    /// empty means no limit.
    /// </summary>
    /// <exception cref="InvalidOperationException">Anything else (a typo, zero, a negative or fractional number, an unknown
    /// unit, an overflow): a limit the user set must never be ignored silently.</exception>
    internal static long? ParseLimit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        string t = text.Trim();
        int digits = 0;
        while (digits < t.Length && char.IsAsciiDigit(t[digits])) digits++;
        string unit = t[digits..].Trim().ToUpperInvariant();
        long scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "M" or "MB" => 1000_000,
            "G" or "GB" => 1000_000_000,
            "T" or "TB" => 1000_000_000_000,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => -1,
        };
        if (digits > 0 && scale > 0 && long.TryParse(t.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            && n > 0 && n <= long.MaxValue / scale)
            return n * scale;
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The environment variable {LimitVariable} is '{text}', which is not a memory size: set it to a whole number of bytes greater than 0, optionally with a unit (e.g. 8000000000, 8GB, 512MiB), or unset it for no limit."));
    }

    private static long Add(long a, long b) => a < 0 || b < 0 || a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Multiply(long a, long b)
    {
        if (a < 0 || b < 0) return long.MaxValue;
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
