namespace NtkDsl.Tests.Dynamics;

/// <summary>
/// Reference integrators for the linearized dynamics: classical RK4 with small steps for the coupled flow
/// df/dt = −(η/N) A (f − Y), df*/dt = −(η/N) B (f − Y), and the explicit discrete GD recursion.
/// A is n × n (the training kernel plus ridge), B is m × n (the test–train kernel); f, Y are n × K, f* is m × K.
/// </summary>
internal static class LinearOde
{
    /// <summary>Integrates from t = 0 to t = T with RK4, steps of at most h; returns (f(T), f*(T)).</summary>
    public static (double[] Train, double[] Test) Rk4(double[] a, double[] b, int n, int m, int k, double[] y,
        double[] f0, double[] f0Test, double coeff, double tEnd, double h)
    {
        int steps = Math.Max(1, (int)Math.Ceiling(tEnd / h));
        double dt = tEnd / steps;
        var f = (double[])f0.Clone();
        var g = (double[])f0Test.Clone();
        if (tEnd == 0) return (f, g);
        for (int s = 0; s < steps; s++)
        {
            // The right-hand side depends only on f, so the f* stages reuse the f stages.
            var (k1, l1) = Rhs(a, b, n, m, k, y, f, coeff);
            var (k2, l2) = Rhs(a, b, n, m, k, y, Axpy(f, k1, dt / 2), coeff);
            var (k3, l3) = Rhs(a, b, n, m, k, y, Axpy(f, k2, dt / 2), coeff);
            var (k4, l4) = Rhs(a, b, n, m, k, y, Axpy(f, k3, dt), coeff);
            for (int i = 0; i < f.Length; i++) f[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
            for (int i = 0; i < g.Length; i++) g[i] += dt / 6 * (l1[i] + 2 * l2[i] + 2 * l3[i] + l4[i]);
        }
        return (f, g);
    }

    /// <summary>k explicit steps f ← f − c A (f − Y), f* ← f* − c B (f − Y) (f* uses the pre-step f).</summary>
    public static (double[] Train, double[] Test) Iterate(double[] a, double[] b, int n, int m, int k, double[] y,
        double[] f0, double[] f0Test, double coeff, int steps)
    {
        var f = (double[])f0.Clone();
        var g = (double[])f0Test.Clone();
        for (int s = 0; s < steps; s++)
        {
            var (df, dg) = Rhs(a, b, n, m, k, y, f, coeff);
            for (int i = 0; i < f.Length; i++) f[i] += df[i];
            for (int i = 0; i < g.Length; i++) g[i] += dg[i];
        }
        return (f, g);
    }

    private static (double[] Df, double[] Dg) Rhs(double[] a, double[] b, int n, int m, int k, double[] y, double[] f, double coeff)
    {
        var r = new double[n * k];
        for (int i = 0; i < r.Length; i++) r[i] = f[i] - y[i];
        var df = Regression.DenseReference.Multiply(a, n, n, r, k);
        var dg = Regression.DenseReference.Multiply(b, m, n, r, k);
        for (int i = 0; i < df.Length; i++) df[i] *= -coeff;
        for (int i = 0; i < dg.Length; i++) dg[i] *= -coeff;
        return (df, dg);
    }

    private static double[] Axpy(double[] x, double[] d, double s)
    {
        var r = new double[x.Length];
        for (int i = 0; i < r.Length; i++) r[i] = x[i] + s * d[i];
        return r;
    }
}
