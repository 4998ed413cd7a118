using NtkDsl.Kernels;

namespace NtkDsl.Regression;

/// <summary>Row-major float64 products on the managed GEMM, for the regression and dynamics code.</summary>
internal static class DenseMath
{
    /// <summary>C = A·B for A m × k and B k × n.</summary>
    public static double[] Multiply(double[] a, int m, int k, double[] b, int n)
    {
        var c = new double[m * n];
        if (k == 0) return c;
        Blas.Gemm(Transpose.No, Transpose.No, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
        return c;
    }

    /// <summary>C = Aᵀ·B for A k × m and B k × n.</summary>
    public static double[] MultiplyTransposed(double[] a, int k, int m, double[] b, int n)
    {
        var c = new double[m * n];
        if (k == 0) return c;
        Blas.Gemm(Transpose.Yes, Transpose.No, m, n, k, 1.0, a, m, b, n, 0.0, c, n);
        return c;
    }

    /// <summary>The rows <paramref name="rows"/> and columns <paramref name="cols"/> of a row-major matrix with <paramref name="width"/> columns.</summary>
    public static double[] Submatrix(double[] a, int width, int[] rows, int[] cols)
    {
        var s = new double[rows.Length * cols.Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++)
                s[i * cols.Length + j] = a[rows[i] * width + cols[j]];
        return s;
    }

    /// <summary>
    /// (K + λI)^{-1}·B from the eigendecomposition of K: V diag(1/(Λ + λ)) Vᵀ B, for B n × columns (the two products
    /// on <paramref name="la"/> when given).
    /// </summary>
    public static double[] EigenSolve(SymmetricEigen eigen, double ridge, double[] b, int columns, ILinearAlgebraBackend? la = null)
    {
        int n = eigen.N;
        double[] r = DeviceLinearAlgebra.MultiplyTransposed(la, eigen.Vectors, n, n, b, columns);
        for (int j = 0; j < n; j++)
        {
            double inv = 1.0 / (eigen.Values[j] + ridge);
            for (int c = 0; c < columns; c++) r[j * columns + c] *= inv;
        }
        return DeviceLinearAlgebra.Multiply(la, eigen.Vectors, n, n, r, columns);
    }
}
