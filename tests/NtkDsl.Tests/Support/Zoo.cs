using NtkDsl.Tests.Models;

namespace NtkDsl.Tests.Support;

internal static class Zoo
{
    public static readonly Dictionary<string, Func<int, INtkModel>> Float64Models = new()
    {
        ["identity"] = s => new IdentityNet(s),
        ["relu"] = s => new ReluNet(s),
        ["leaky"] = s => new LeakyNet(s),
        ["abs"] = s => new AbsNet(s),
        ["erf"] = s => new ErfNet(s),
        ["tanh"] = s => new TanhNet(s),
        ["sigmoid"] = s => new SigmoidNet(s),
        ["gelu"] = s => new GeluNet(s),
        ["softplus"] = s => new SoftplusNet(s),
        ["sin"] = s => new SinNet(s),
        ["standard"] = s => new StandardTanhNet(s),
        ["nobias"] = s => new NoBiasNet(s),
        ["outputact"] = s => new OutputActivationNet(s),
        ["single"] = s => new SingleLayerNet(s),
        ["deep"] = s => new DeepNet(s),
        ["custom"] = s => new CustomNet(s),
    };

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var k in Float64Models.Keys) d.Add(k);
        return d;
    }

    public static INtkModel Create(string name, int seed = 1) => Float64Models[name](seed);

    public static Tensor RandomInputs(int rows, int cols, int seed)
    {
        var s = new NormalSampler(seed);
        var d = new double[rows * cols];
        s.FillNormal(d, 1.0);
        return Tensor.FromArray(d, rows, cols);
    }

    /// <summary>The explicit Jacobian as an (N·K) × P matrix.</summary>
    public static double[,] JacobianMatrix(INtkModel m, Tensor x)
    {
        var j = m.Jacobian(x);
        int nk = j.Shape[0] * j.Shape[1], p = j.Shape[2];
        var a = new double[nk, p];
        for (int r = 0; r < nk; r++)
            for (int q = 0; q < p; q++) a[r, q] = j.GetFlat((long)r * p + q);
        return a;
    }
}
