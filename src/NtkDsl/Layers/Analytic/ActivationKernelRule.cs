using NtkDsl.Analytic;

namespace NtkDsl.Layers.Analytic;

/// <summary>
/// The infinite-width rule of a layer's activation φ, applied to every pixel pair (docs/math.md §4; Novak et al. 2019,
/// §2.2; Arora et al. 2019, §4): with q1 = Σ(x, x)(p, p), q2 = Σ(x', x')(p', p'), c = Σ(x, x')(p, p') of the
/// pre-activations, K̃ = E[φ(u)φ(v)] and Ṫ = E[φ'(u)φ'(v)] for (u, v) ~ N(0, [[q1, c], [c, q2]]).
/// </summary>
/// <remarks>
/// <para>The same choice of path as the generated Dense kernels (ModelEmitter.Analytic): closed forms for Identity,
/// ReLU, leaky ReLU, |x|, erf (<see cref="DualActivations"/>) and sin (<see cref="SinDual"/>); every other activation
/// (tanh, sigmoid, GELU, softplus, a user's function via <see cref="LayerActivation.Phi"/>/<see cref="LayerActivation.Derivative"/>)
/// through the error-controlled <see cref="AdaptiveDual{TFunction}"/>, tabulated per call as a <see cref="DualSeries"/>.</para>
/// <para>The residual and LayerNorm rules also need the mean m(q) = E[φ(u)], u ~ N(0, q), of the activation: closed
/// forms where they exist (ReLU √(q/2π), leaky ReLU (1 − s)√(q/2π), |x| √(2q/π), GELU q/√(2π(1 + q)) by Stein's lemma,
/// sigmoid 1/2 and 0 for the odd activations identity, erf, tanh and sin), else α_0 of the Hermite expansion
/// (<see cref="IDualIntegrator.HermiteCoefficients"/>), a one-dimensional adaptive integral.</para>
/// </remarks>
internal sealed class ActivationKernelRule
{
    private readonly Activation _kind;
    private readonly double _slope;

    public ActivationKernelRule(LayerActivation activation, string layer)
    {
        ArgumentNullException.ThrowIfNull(activation);
        _kind = activation.Kind;
        _slope = activation.LeakySlope;
        Name = layer + " (" + activation.Name + ")";
        Engine = _kind switch
        {
            Activation.Tanh => AdaptiveDual.Create(new TanhFunction(), Name),
            Activation.Sigmoid => AdaptiveDual.Create(new SigmoidFunction(), Name),
            Activation.Gelu => AdaptiveDual.Create(new GeluFunction(), Name),
            Activation.Softplus => AdaptiveDual.Create(new SoftplusFunction(), Name),
            Activation.Custom => AdaptiveDual.Create(new DelegateFunction(activation.Phi, activation.Derivative), Name),
            _ => null,
        };
    }

    /// <summary>"Model.Layer (activation)", for messages (as the generated Dense models name a layer).</summary>
    public string Name { get; }

    /// <summary>φ(x) = x: the layer's output is its pre-activation (no dual, mean 0).</summary>
    public bool IsIdentity => _kind == Activation.Identity;

    /// <summary>The integrator of an activation without a closed form (null for closed forms).</summary>
    public IDualIntegrator? Engine { get; }

    /// <summary>
    /// Whether φ is piecewise linear, a·min(x, 0) + b·max(x, 0) with φ'(0) = <paramref name="derivativeAtZero"/>
    /// (ReLU, leaky ReLU, |x|): its dual then runs row by row in <see cref="PiecewiseLinearDualRow"/>.
    /// </summary>
    public bool IsPiecewiseLinear(out double a, out double b, out double derivativeAtZero)
    {
        (bool yes, a, b, derivativeAtZero) = _kind switch
        {
            Activation.Relu => (true, 0.0, 1.0, 0.0),
            Activation.LeakyRelu => (true, _slope, 1.0, _slope),
            Activation.Abs => (true, -1.0, 1.0, 0.0),
            _ => (false, 0.0, 0.0, 0.0),
        };
        return yes;
    }

    /// <summary>K̃ and Ṫ by a closed form (only when <see cref="Engine"/> is null).</summary>
    public void Dual(double q1, double q2, double c, out double kTilde, out double tDot)
    {
        switch (_kind)
        {
            case Activation.Relu: DualActivations.Relu(q1, q2, c, out kTilde, out tDot); break;
            case Activation.LeakyRelu: DualActivations.LeakyRelu(_slope, q1, q2, c, out kTilde, out tDot); break;
            case Activation.Abs: DualActivations.Abs(q1, q2, c, out kTilde, out tDot); break;
            case Activation.Erf: DualActivations.Erf(q1, q2, c, out kTilde, out tDot); break;
            case Activation.Sin: SinDual.Dual(q1, q2, c, out kTilde, out tDot); break;
            case Activation.Identity: DualActivations.Identity(q1, q2, c, out kTilde, out tDot); break;
            default: throw new InvalidOperationException(Name + ": this activation has no closed form; use its DualSeries table.");
        }
    }

    /// <summary>E[φ(u)] for u ~ N(0, q).</summary>
    public double Mean(double q)
    {
        const double InvSqrtTwoPi = 0.398942280401432677939946059934;
        switch (_kind)
        {
            case Activation.Identity:
            case Activation.Erf:
            case Activation.Tanh:
            case Activation.Sin:
                return 0.0;
            case Activation.Relu: return InvSqrtTwoPi * Math.Sqrt(q);
            case Activation.LeakyRelu: return (1.0 - _slope) * InvSqrtTwoPi * Math.Sqrt(q);
            case Activation.Abs: return 2.0 * InvSqrtTwoPi * Math.Sqrt(q);
            case Activation.Sigmoid: return 0.5;
            case Activation.Gelu: return q * InvSqrtTwoPi / Math.Sqrt(1.0 + q);
            default:
                Span<double> alpha = stackalloc double[2];
                Span<double> beta = stackalloc double[2];
                Engine!.HermiteCoefficients(q, alpha, beta, out _, out _);
                return alpha[0]; // α_0 = E[φ(√q Z)·h_0(Z)], h_0 = 1
        }
    }
}
