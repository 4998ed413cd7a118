using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Regression;

namespace NtkDsl.Wntk;

/// <summary>Inverse of a symmetric positive-definite matrix by Cholesky (MathNet.Numerics), or null when it is not.</summary>
internal static class SpdInverse
{
    /// <summary>A^{-1} for a symmetric row-major n × n matrix, or null if A is not positive definite beyond rounding.</summary>
    public static double[]? Of(double[] a, int n)
    {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.Max(maxDiag, a[i * n + i]);
        try
        {
            var chol = Matrix<double>.Build.DenseOfColumnMajor(n, n, a).Cholesky();
            var l = chol.Factor;
            for (int i = 0; i < n; i++)
                if (l[i, i] * l[i, i] <= SymmetricEigen.PositivityFloor(n, maxDiag)) return null;
            var inv = chol.Solve(Matrix<double>.Build.DenseIdentity(n)).ToColumnMajorArray();
            // Symmetrize: row- and column-major then agree exactly.
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double v = 0.5 * (inv[i * n + j] + inv[j * n + i]);
                    inv[i * n + j] = v;
                    inv[j * n + i] = v;
                }
            return inv;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Σ_i a_i b_i (the Frobenius product of two matrices stored alike).</summary>
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
