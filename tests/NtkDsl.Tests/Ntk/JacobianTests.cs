using NtkDsl.Tests.Support;

namespace NtkDsl.Tests.Ntk;

public sealed class JacobianTests
{
    public static TheoryData<string> Names => Zoo.Names();

    /// <summary>Analytic Jacobian vs central finite differences of Forward through SetParameters.</summary>
    [Theory, MemberData(nameof(Names))]
    public void JacobianMatchesCentralFiniteDifferences(string name)
    {
        var model = Zoo.Create(name);
        var x = Zoo.RandomInputs(4, model.Info.Inputs, 11);
        var j = model.Jacobian(x);
        var p0 = model.GetParameters();
        int n = x.Rows, k = model.Info.Outputs, p = p0.Length;
        Assert.Equal(new[] { n, k, p }, j.Shape.ToArray());
        const double h = 1e-6;
        var fd = new double[n * k * p];
        for (int q = 0; q < p; q++)
        {
            var plus = (double[])p0.Clone();
            var minus = (double[])p0.Clone();
            plus[q] += h;
            minus[q] -= h;
            model.SetParameters(plus);
            var fp = model.Forward(x).ToFlatArray();
            model.SetParameters(minus);
            var fm = model.Forward(x).ToFlatArray();
            for (int r = 0; r < n * k; r++) fd[r * p + q] = (fp[r] - fm[r]) / (2 * h);
        }
        model.SetParameters(p0);
        Close.Relative(fd, j.ToFlatArray(), 1e-6, name);
    }

    [Theory, MemberData(nameof(Names))]
    public void JvpAndVjpMatchTheExplicitJacobian(string name)
    {
        var model = Zoo.Create(name, seed: 3);
        var x = Zoo.RandomInputs(5, model.Info.Inputs, 12);
        var jm = Zoo.JacobianMatrix(model, x);
        int nk = jm.GetLength(0), p = jm.GetLength(1);
        var t = Zoo.RandomInputs(1, p, 13).Reshape(p);
        var u = Zoo.RandomInputs(x.Rows, model.Info.Outputs, 14);
        var jvp = model.Jvp(x, t).ToFlatArray();
        var vjp = model.Vjp(x, u).ToFlatArray();
        var expectJvp = new double[nk];
        var expectVjp = new double[p];
        var tv = t.ToFlatArray();
        var uv = u.ToFlatArray();
        for (int r = 0; r < nk; r++)
            for (int q = 0; q < p; q++)
            {
                expectJvp[r] += jm[r, q] * tv[q];
                expectVjp[q] += jm[r, q] * uv[r];
            }
        Close.Relative(expectJvp, jvp, 1e-12, "jvp");
        Close.Relative(expectVjp, vjp, 1e-12, "vjp");
    }

    [Fact]
    public void Float32ModelAgreesWithItsFloat64Twin()
    {
        var m32 = new Models.Float32Net(5);
        var m64 = new Models.Float64Twin(5);
        var p = m32.GetParameters(); // float32 values widened exactly
        m64.SetParameters(p);
        var x64 = Zoo.RandomInputs(6, 3, 15);
        var x32 = x64.To(DType.Float32);
        Assert.Equal(DType.Float32, m32.Forward(x32).DType);
        Close.Relative(m64.Forward(x64), m32.Forward(x32).To(DType.Float64), 1e-5, "forward f32");
        Close.Relative(m64.Ntk(x64), m32.Ntk(x32).To(DType.Float64), 1e-5, "ntk f32");
        Close.Relative(m64.Jacobian(x64), m32.Jacobian(x32).To(DType.Float64), 1e-5, "jacobian f32");
        var ex = Assert.Throws<ArgumentException>(() => m32.Forward(x64));
        Assert.Contains("To(DType.Float32)", ex.Message);
    }
}
