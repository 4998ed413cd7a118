namespace NtkDsl;

/// <summary>How weights and biases enter a dense layer (math.md §1).</summary>
public enum Parameterization
{
    /// <summary>NTK parameterization: h = (σ_w/√fan_in)·W·a + σ_b·b with every entry of W and b drawn from N(0, 1).</summary>
    Ntk = 0,
    /// <summary>Standard parameterization: h = W·a + b with W ~ N(0, σ_w²/fan_in) and b ~ N(0, σ_b²).</summary>
    Standard = 1,
}

/// <summary>Floating-point precision of a model's parameters and computations.</summary>
public enum Precision
{
    /// <summary>IEEE double precision (the default; all tests of conventions use it).</summary>
    Float64 = 0,
    /// <summary>IEEE single precision.</summary>
    Float32 = 1,
}

/// <summary>Which infinite-width kernel paths a model accepts.</summary>
public enum AnalyticKernels
{
    /// <summary>Closed forms where they exist (Identity, Relu, LeakyRelu, Abs, Erf, Sin), error-controlled adaptive
    /// integration (AdaptiveDual, DualSeries tables) for every other activation.</summary>
    Auto = 0,
    /// <summary>Closed forms only: a model whose activation has no closed form is a compile-time error (NTK1014).</summary>
    ClosedFormOnly = 1,
}

/// <summary>The activation applied after a dense layer's affine map.</summary>
public enum Activation
{
    /// <summary>φ(x) = x.</summary>
    Identity = 0,
    /// <summary>φ(x) = max(x, 0).</summary>
    Relu,
    /// <summary>φ(x) = x for x ≥ 0, slope·x otherwise (slope from <see cref="DenseAttribute.LeakySlope"/>).</summary>
    LeakyRelu,
    /// <summary>φ(x) = |x|.</summary>
    Abs,
    /// <summary>φ(x) = erf(x).</summary>
    Erf,
    /// <summary>φ(x) = tanh(x).</summary>
    Tanh,
    /// <summary>φ(x) = 1/(1 + e^(−x)).</summary>
    Sigmoid,
    /// <summary>φ(x) = x·Φ(x) with Φ the standard normal CDF (exact GELU, not the tanh approximation).</summary>
    Gelu,
    /// <summary>φ(x) = log(1 + e^x).</summary>
    Softplus,
    /// <summary>φ(x) = sin(x).</summary>
    Sin,
    /// <summary>A user function named by <see cref="DenseAttribute.ActivationMethod"/>, differentiated symbolically at compile time.</summary>
    Custom,
}

/// <summary>Border handling of <see cref="Conv2DAttribute"/> and <see cref="AvgPool2DAttribute"/> (neural-tangents' <c>Padding</c>).</summary>
public enum Padding
{
    /// <summary>Zero padding so that the output has ceil(input / stride) pixels per side; the padding before is half the total, rounded down (JAX's 'SAME').</summary>
    Same = 0,

    /// <summary>No padding: floor((input − window) / stride) + 1 pixels per side.</summary>
    Valid = 1,

    /// <summary>Periodic (wrap-around) padding with the output size of <see cref="Same"/>.</summary>
    Circular = 2,
}
