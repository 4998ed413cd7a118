using NtkDsl.Tests.Models;
using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Analytic;

/// <summary>Forces the generated quadrature path (custom activations) and compares it with the closed forms.</summary>
public sealed class QuadraturePathTests
{
    [Fact]
    public void CustomIdentityThroughQuadratureEqualsTheClosedForm()
    {
        var x1 = Zoo.RandomInputs(6, 3, 50);
        var x2 = Zoo.RandomInputs(4, 3, 51);
        Close.Relative(ClosedIdentityNet.AnalyticNtk(x1, x2), CustomIdentityNet.AnalyticNtk(x1, x2), 1e-10, "ntk");
        Close.Relative(ClosedIdentityNet.AnalyticNngp(x1, x2), CustomIdentityNet.AnalyticNngp(x1, x2), 1e-10, "nngp");
    }

    [Fact]
    public void CustomReluThroughQuadratureMatchesTheClosedForm()
    {
        // The adaptive rule puts ReLU's kink on panel boundaries (AdaptiveDual), so the quadrature path now meets the
        // closed form to the stated 1e−10 (it used to be within a few percent); nonzero differences show it really is
        // the quadrature path.
        var x = Zoo.RandomInputs(6, 3, 52);
        var x2 = Zoo.RandomInputs(5, 3, 54);
        double err = TensorOps.RelativeError(CustomReluNet.AnalyticNtk(x), ClosedReluNet.AnalyticNtk(x));
        Assert.True(err < 1e-10, $"quadrature ReLU NTK differs by {err:E2}");
        double errCross = TensorOps.RelativeError(CustomReluNet.AnalyticNtk(x, x2), ClosedReluNet.AnalyticNtk(x, x2));
        Assert.True(errCross < 1e-10, $"quadrature ReLU cross NTK differs by {errCross:E2}");
        Assert.True(err > 0 || errCross > 0, "the custom path must really be the quadrature path");
    }

    [Fact]
    public void CustomActivationForwardUsesTheUsersMethodAndTheSymbolicDerivative()
    {
        var model = new CustomNet(3);
        var x = Zoo.RandomInputs(3, 3, 53);
        var direct = new ErfTanhShape(model).Forward(x);
        Close.Relative(direct, model.Forward(x), 1e-14, "forward");
    }

    /// <summary>Recomputes CustomNet's forward pass by hand from its parameters.</summary>
    private sealed class ErfTanhShape(CustomNet m)
    {
        public Tensor Forward(Tensor x)
        {
            var p = m.GetParameters();
            int n = x.Rows;
            var y = new double[n * 2];
            for (int r = 0; r < n; r++)
            {
                var a1 = new double[4];
                for (int i = 0; i < 4; i++)
                {
                    double h = p[12 + i];
                    for (int j = 0; j < 3; j++) h += p[i * 3 + j] * x[r, j] / Math.Sqrt(3);
                    a1[i] = h * Math.Tanh(h) + 0.1 * Math.Exp(-h * h) + 0.1 * h;
                }
                var a2 = new double[4];
                for (int i = 0; i < 4; i++)
                {
                    double h = p[32 + i];
                    for (int j = 0; j < 4; j++) h += p[16 + i * 4 + j] * a1[j] / 2.0;
                    a2[i] = Math.Tanh(h);
                }
                for (int c = 0; c < 2; c++)
                {
                    double h = p[44 + c];
                    for (int j = 0; j < 4; j++) h += p[36 + c * 4 + j] * a2[j] / 2.0;
                    y[r * 2 + c] = h;
                }
            }
            return Tensor.FromArray(y, n, 2);
        }
    }
}
