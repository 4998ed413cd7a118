namespace NtkDsl.Training;

/// <summary>
/// The linearization f_lin(x; θ) = f(x; θ0) + J(x; θ0)(θ − θ0) of a model around θ0 (math.md §5). Evaluated with one
/// forward pass and one JVP at θ0 — the Jacobian is never built. Its own JVP/VJP are those of the base model at θ0,
/// so the same trainer trains it.
/// </summary>
/// <remarks>Thread safety: as generated models (<see cref="IDifferentiableModel"/>): concurrent reads are safe;
/// <see cref="SetParameters"/> and training runs need the instance alone, and a conflict throws
/// <see cref="ConcurrentModelAccessException"/>.</remarks>
public sealed class LinearizedModel : IDifferentiableModel, IAccessGuardedModel
{
    private readonly INtkModel _base;
    private readonly double[] _theta0;
    private readonly double[] _theta;
    private readonly ModelAccessGuard _access;

    /// <summary>Linearizes around the current parameters of <paramref name="model"/>; the instance is owned from now on.</summary>
    public LinearizedModel(INtkModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _base = model;
        _theta0 = model.GetParameters();
        _theta = (double[])_theta0.Clone();
        _access = new ModelAccessGuard(model.Info.Name + " (linearized)");
    }

    /// <inheritdoc />
    ModelAccessGuard IAccessGuardedModel.AccessGuard => _access;

    /// <inheritdoc />
    public ModelInfo Info => _base.Info;

    /// <summary>The expansion point θ0.</summary>
    public ReadOnlySpan<double> Theta0 => _theta0;

    /// <inheritdoc />
    public double[] GetParameters()
    {
        using var access = _access.EnterRead(nameof(GetParameters));
        return (double[])_theta.Clone();
    }

    /// <inheritdoc />
    public void SetParameters(ReadOnlySpan<double> values)
    {
        InputChecks.ParameterLength(values.Length, _theta.Length, Info.Name + " (linearized)");
        Kernels.FeatureOps.CheckFiniteParameters(values, Info.Name + " (linearized)");
        using var access = _access.EnterWrite(nameof(SetParameters));
        values.CopyTo(_theta);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor x)
    {
        using var access = _access.EnterRead(nameof(Forward));
        var f0 = _base.Forward(x);
        var delta = new double[_theta.Length];
        bool moved = false;
        for (int i = 0; i < delta.Length; i++)
        {
            delta[i] = _theta[i] - _theta0[i];
            moved |= delta[i] != 0;
        }
        if (!moved) return f0;
        var jvp = _base.Jvp(x, Tensor.Wrap(delta, delta.Length));
        TensorOps.AddScaled(f0, jvp, 1.0);
        return f0;
    }

    /// <inheritdoc />
    public Tensor Jvp(Tensor x, Tensor tangent) => _base.Jvp(x, tangent);

    /// <inheritdoc />
    public Tensor Vjp(Tensor x, Tensor cotangent) => _base.Vjp(x, cotangent);
}
