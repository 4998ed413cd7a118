using System.Globalization;
using NtkDsl.Predict;

namespace NtkDsl.Regression;

/// <summary>
/// Routes the dense float64 work of the dynamics, regression and predictors to a device's
/// <see cref="ILinearAlgebraBackend"/>, or to the managed code (unchanged, the same calls as before devices existed)
/// when there is none. Products checked here for shape; the numerical checks stay with the callers.
/// </summary>
internal static class DeviceLinearAlgebra
{
    /// <summary>
    /// The backend of <paramref name="device"/>: null for no device or the CPU (the managed code runs); otherwise the
    /// device's <see cref="Device.LinearAlgebra"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">A non-CPU device without a linear-algebra backend (never a silent CPU fallback).</exception>
    public static ILinearAlgebraBackend? Resolve(Device? device, string owner)
    {
        if (device is null || device.IsCpu) return null;
        return device.LinearAlgebra ?? throw new NotSupportedException(
            $"{owner}: {device.Name} has no implementation of the eigendecomposition, Cholesky and products in this build of NtkDsl; pass Device.Cpu (or no device), or reference the device's package (NtkDsl.Cuda for Device.Cuda).");
    }

    /// <summary>C = A·B for A m × k and B k × n (<see cref="DenseMath.Multiply"/> without a backend).</summary>
    public static double[] Multiply(ILinearAlgebraBackend? backend, double[] a, int m, int k, double[] b, int n) =>
        backend is null ? DenseMath.Multiply(a, m, k, b, n) : Checked(backend.Multiply(false, false, m, n, k, a, b), m, n);

    /// <summary>C = Aᵀ·B for A k × m and B k × n (<see cref="DenseMath.MultiplyTransposed"/> without a backend).</summary>
    public static double[] MultiplyTransposed(ILinearAlgebraBackend? backend, double[] a, int k, int m, double[] b, int n) =>
        backend is null ? DenseMath.MultiplyTransposed(a, k, m, b, n) : Checked(backend.Multiply(true, false, m, n, k, a, b), m, n);

    /// <summary>C = A·Bᵀ for A m × k and B n × k (<see cref="PosteriorMath.MultiplyByTranspose"/> without a backend).</summary>
    public static double[] MultiplyByTranspose(ILinearAlgebraBackend? backend, double[] a, int m, int k, double[] b, int n) =>
        backend is null ? PosteriorMath.MultiplyByTranspose(a, m, k, b, n) : Checked(backend.Multiply(false, true, m, n, k, a, b), m, n);

    private static double[] Checked(double[] c, int m, int n)
    {
        if (c is null || c.Length != (long)m * n)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The device's linear-algebra backend returned {(c is null ? "null" : c.Length + " values")} for an {m} × {n} product; this is a bug in the device package."));
        return c;
    }
}
