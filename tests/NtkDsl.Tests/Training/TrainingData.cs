using NtkDsl.Tests.Regression;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Training;

internal static class TrainingData
{
    public static Tensor X(int rows, int seed) => Zoo.RandomInputs(rows, 3, seed);

    public static Tensor Y(int rows, int outputs, int seed) => Tensor.FromArray(DenseReference.Normal(rows * outputs, seed), rows, outputs);

    /// <summary>J·Jᵀ from the explicit Jacobians: the full kernel over all N·K outputs, (a·K + c) × (b·K + d).</summary>
    public static double[] ExplicitKernel(INtkModel m, Tensor x1, Tensor x2, out int rows, out int cols)
    {
        var j1 = Zoo.JacobianMatrix(m, x1);
        var j2 = Zoo.JacobianMatrix(m, x2);
        rows = j1.GetLength(0);
        cols = j2.GetLength(0);
        int p = j1.GetLength(1);
        var k = new double[rows * cols];
        for (int a = 0; a < rows; a++)
            for (int b = 0; b < cols; b++)
            {
                double s = 0;
                for (int q = 0; q < p; q++) s += j1[a, q] * j2[b, q];
                k[a * cols + b] = s;
            }
        return k;
    }
}
