using MathNet.Numerics.LinearAlgebra;
using NtkDsl.Experiments;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Audit;

/// <summary>
/// <see cref="LazyTraining.Run"/> (math.md §6) against a direct simulation written here: the α-scaled centred
/// network trained by plain gradient descent on R(α h)/α² in τ units (w ← w − dt·(1/α)·Jᵀ(α h − y*), the gradient
/// from <c>Jacobian</c> at every step) and its linearization's recursion g ← g − dt·Θ0(g − y*) with Θ0 = J0 J0ᵀ over
/// all N = n·K outputs, dt = StepFraction/λ_max(Θ0) from a MathNet eigendecomposition. Compared per recorded point:
/// the step count for the time, the train and test errors ‖α h − α h̄‖, the movement ‖w − w0‖, its bound √(τ R0)/α,
/// both risks, R0 and λ_max. The existing LazyTrainingTests check the laws (slopes, bounds) and that the function-space
/// linearization equals training the linearized model; none recomputes the reported numbers from the definitions.
/// </summary>
public sealed class LazyTrainingAuditTests(ITestOutputHelper output)
{
    [Fact]
    public void ReportedCurvesEqualADirectSimulation()
    {
        var model = new AuditMlp(31);
        const int n = 4, k = 3, nk = n * k;
        var x = AuditReference.Inputs(n, 5, 800);
        var xTest = AuditReference.Inputs(2, 5, 801);
        var y = Tensor.FromArray(Zoo.RandomInputs(n, k, 802).ToFlatArray(), n, k);
        var options = new LazyTrainingOptions { Alphas = [2, 8], Horizons = [0.5, 2], KernelDrift = false };
        var result = LazyTraining.Run(model, x, y, xTest, options);

        var yv = Vector<double>.Build.DenseOfArray(y.ToFlatArray());
        var j0 = Matrix<double>.Build.DenseOfArray(Zoo.JacobianMatrix(model, x));
        var j0t = Matrix<double>.Build.DenseOfArray(Zoo.JacobianMatrix(model, xTest));
        var theta0 = j0 * j0.Transpose();
        var cross0 = j0t * j0.Transpose();
        double lmax = theta0.Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
        double dt = 0.2 / lmax, r0 = 0.5 * yv.DotProduct(yv);
        Assert.Equal(lmax, result.LambdaMax, 1e-10 * lmax);
        Assert.Equal(dt, result.Step, 1e-10 * dt);
        Assert.Equal(r0, result.R0, 1e-12 * r0);
        var f0 = Vector<double>.Build.DenseOfArray(model.Forward(x).ToFlatArray());
        var f0t = Vector<double>.Build.DenseOfArray(model.Forward(xTest).ToFlatArray());
        var w0 = model.GetParameters();
        double worst = 0;
        foreach (var run in result.Runs)
        {
            double alpha = run.Alpha;
            var net = (AuditMlp)model.Clone();
            var w = Vector<double>.Build.DenseOfArray(w0);
            var g = Vector<double>.Build.Dense(nk);
            var gt = Vector<double>.Build.Dense(2 * k);
            int step = 0;
            foreach (var point in run.Points)
            {
                Assert.Equal(point.Step * dt, point.Time, 1e-12 * Math.Max(1, point.Time));
                for (; step < point.Step; step++)
                {
                    net.SetParameters(w.ToArray());
                    var j = Matrix<double>.Build.DenseOfArray(Zoo.JacobianMatrix(net, x));
                    var h = Vector<double>.Build.DenseOfArray(net.Forward(x).ToFlatArray()) - f0;
                    w -= dt / alpha * (j.Transpose() * (alpha * h - yv));
                    var r = g - yv;
                    g -= dt * (theta0 * r);
                    gt -= dt * (cross0 * r);
                }
                net.SetParameters(w.ToArray());
                var gNet = alpha * (Vector<double>.Build.DenseOfArray(net.Forward(x).ToFlatArray()) - f0);
                var gNetT = alpha * (Vector<double>.Build.DenseOfArray(net.Forward(xTest).ToFlatArray()) - f0t);
                double trainErr = (gNet - g).L2Norm(), testErr = (gNetT - gt).L2Norm();
                double movement = (w - Vector<double>.Build.DenseOfArray(w0)).L2Norm();
                double risk = 0.5 * Math.Pow((gNet - yv).L2Norm(), 2), linRisk = 0.5 * Math.Pow((g - yv).L2Norm(), 2);
                double[] expected = [trainErr, testErr, movement, Math.Sqrt(point.Time * r0) / alpha, risk, linRisk];
                double[] got = [point.TrainError, point.TestError, point.Movement, point.MovementBound, point.Risk, point.LinearRisk];
                // Errors are differences of O(1) outputs; compare them on the scale of the outputs (‖y*‖), the rest relatively.
                double scale = yv.L2Norm();
                for (int i = 0; i < expected.Length; i++)
                {
                    double err = Math.Abs(expected[i] - got[i]) / (i < 2 ? scale : Math.Max(Math.Abs(expected[i]), 1e-300));
                    worst = Math.Max(worst, err);
                    Assert.True(err <= 1e-9, $"α={alpha} step {point.Step} quantity {i}: {got[i]} vs {expected[i]}");
                }
            }
        }
        output.WriteLine($"LazyTraining vs direct simulation: worst relative difference {worst:E2}, λ_max {lmax:G6}, dt {dt:G6}, {result.Runs[0].Points.Count} points per α");
    }
}
