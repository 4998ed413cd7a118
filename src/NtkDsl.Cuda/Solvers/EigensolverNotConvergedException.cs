using System.Globalization;

namespace NtkDsl.Cuda;

/// <summary>
/// cuSOLVER's symmetric eigensolver (<c>cusolverDnDsyevd</c> / <c>cusolverDnSsyevd</c>) reported devInfo = i &gt; 0: i
/// off-diagonal elements of the intermediate tridiagonal form did not converge to zero. The message names the call,
/// the order and the fix.
/// </summary>
/// <remarks>
/// Causes, most likely first: NaN or ±∞ in the matrix's lower triangle (the core's callers check the kernel first, so
/// from them this points at values overwritten on the device); entries spanning a range near the floating-point limits
/// (rescale the matrix, e.g. divide a kernel by its largest diagonal entry, which scales the eigenvalues by the same
/// factor and leaves the eigenvectors unchanged); a float32 matrix where float64 is needed.
/// </remarks>
public sealed class EigensolverNotConvergedException : CudaException
{
    /// <summary>Creates the exception for <paramref name="call"/> on an n × n matrix with devInfo = <paramref name="unconverged"/>.</summary>
    public EigensolverNotConvergedException(string call, int order, int unconverged)
        : base(call, "devInfo " + unconverged.ToString(CultureInfo.InvariantCulture), unconverged,
            FormattableString.Invariant($"The symmetric eigensolver did not converge on the {order} × {order} matrix ({unconverged} off-diagonal elements of its tridiagonal form stayed nonzero). ") +
            "Check the matrix for NaN or infinity, rescale it if its entries are near the floating-point limits (divide a kernel by its largest diagonal entry), " +
            "use float64 rather than float32, or compute the decomposition on the host (pass Device.Cpu, or no device).")
    {
        Order = order;
        Unconverged = unconverged;
    }

    /// <summary>The order n of the matrix.</summary>
    public int Order { get; }

    /// <summary>devInfo: the number of off-diagonal elements that did not converge.</summary>
    public int Unconverged { get; }
}
