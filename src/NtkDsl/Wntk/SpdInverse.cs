using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>Inverse of a symmetric positive-definite matrix by the blocked Cholesky of <see cref="BlockedCholesky"/>, or null when it is not.</summary>
internal static class SpdInverse
{
    /// <summary>A^{-1} for a symmetric row-major n × n matrix, or null if A is not positive definite beyond rounding.</summary>
    public static double[]? Of(double[] a, int n)
    {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.Max(maxDiag, a[i * n + i]);
        var chol = BlockedCholesky.TryFactor((double[])a.Clone(), n);
        if (chol is null || chol.MinPivot <= SymmetricEigen.PositivityFloor(n, maxDiag)) return null;
        var identity = new double[n * n];
        for (int i = 0; i < n; i++) identity[i * n + i] = 1.0;
        var inv = chol.Solve(identity, n);
        NtkDsl.Regression.KernelInput.SymmetrizeInPlace(inv, n);
        return inv;
    }

    /// <summary>Σ_i a_i b_i (the Frobenius product of two matrices stored alike).</summary>
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
