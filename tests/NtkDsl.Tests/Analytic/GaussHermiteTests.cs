using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Analytic;

namespace NtkDsl.Tests.Analytic;

public sealed class GaussHermiteTests
{
    private static double DoubleFactorial(int m)
    {
        double r = 1;
        for (int k = m; k > 1; k -= 2) r *= k;
        return r;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(64)]
    public void EvenMomentsOfTheStandardNormalAreExact(int n)
    {
        var rule = GaussHermite.Get(n);
        Assert.Equal(n, rule.Count);
        // E[Z^(2k)] = (2k − 1)!! is integrated exactly up to degree 2n − 1 (capped at 2k = 40 to stay in range).
        for (int k = 0; 2 * k <= Math.Min(2 * n - 1, 40); k++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += rule.Weights[i] * Math.Pow(rule.Nodes[i], 2 * k);
            double exact = DoubleFactorial(2 * k - 1);
            Assert.True(Math.Abs(sum - exact) <= 1e-12 * exact, $"n = {n}, E[Z^{2 * k}] = {sum} vs {exact}");
        }
        // The rule is exactly symmetric, so odd moments vanish up to summation rounding.
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(-rule.Nodes[n - 1 - i], rule.Nodes[i]);
            Assert.Equal(rule.Weights[n - 1 - i], rule.Weights[i]);
        }
        for (int k = 0; 2 * k + 1 <= Math.Min(2 * n - 1, 39); k++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += rule.Weights[i] * Math.Pow(rule.Nodes[i], 2 * k + 1);
            Assert.True(Math.Abs(sum) <= 1e-13 * DoubleFactorial(2 * k + 1), $"n = {n}, E[Z^{2 * k + 1}] = {sum}");
        }
    }

    [Fact]
    public void ThreePointRuleIsTheKnownOne()
    {
        // He_3(x) = x³ − 3x has roots 0, ±√3; the weights 1/6, 2/3, 1/6 make E[1] = 1 and E[Z²] = 1.
        var rule = GaussHermite.Get(3);
        Assert.Equal(-Math.Sqrt(3), rule.Nodes[0], 1e-15);
        Assert.Equal(0.0, rule.Nodes[1]);
        Assert.Equal(Math.Sqrt(3), rule.Nodes[2], 1e-15);
        Assert.Equal(1.0 / 6, rule.Weights[0], 1e-15);
        Assert.Equal(2.0 / 3, rule.Weights[1], 1e-15);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(150)]
    public void NodesAndWeightsMatchGolubWelschEigendecomposition(int n)
    {
        // Independent construction: eigenvalues of the Jacobi matrix (off-diagonal √k) are the nodes and the squared
        // first components of the normalised eigenvectors the weights (MathNet's symmetric eigensolver).
        var j = Matrix<double>.Build.Dense(n, n);
        for (int k = 1; k < n; k++) j[k - 1, k] = j[k, k - 1] = Math.Sqrt(k);
        var evd = j.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var rule = GaussHermite.Get(n);
        for (int i = 0; i < n; i++)
        {
            int e = order[i];
            double node = evd.EigenValues[e].Real;
            double weight = evd.EigenVectors[0, e] * evd.EigenVectors[0, e];
            Assert.Equal(node, rule.Nodes[i], 1e-11 * Math.Max(1, Math.Abs(node)));
            // The eigenvector route has absolute (not relative) accuracy in the weights.
            Assert.Equal(weight, rule.Weights[i], 1e-13);
        }
        Assert.Equal(1.0, rule.Weights.ToArray().Sum(), 1e-14);
    }

    [Fact]
    public void LargeRulesStayFiniteAndIntegrateTheGaussianCharacteristicFunction()
    {
        var rule = GaussHermite.Get(600);
        Assert.All(rule.Weights.ToArray(), w => Assert.True(w >= 0 && double.IsFinite(w)));
        // E[cos(tZ)] = e^(−t²/2).
        foreach (double t in new[] { 0.5, 3.0, 10.0 })
            Assert.Equal(Math.Exp(-t * t / 2), rule.Expectation(x => Math.Cos(t * x)), 1e-13);
    }

    [Fact]
    public void RulesAreCachedAndCountsValidated()
    {
        Assert.Same(GaussHermite.Get(33), GaussHermite.Get(33));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GaussHermite.Get(0));
        Assert.Contains("between 1 and", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussHermite.Get(GaussHermite.MaxNodes + 1));
    }
}
