using System.Globalization;

namespace NtkDsl.Regression;

/// <summary>
/// Test scores of an <see cref="NtkRegressor"/> in the original target units: the root mean squared error of the
/// predictive mean and the Gaussian test log-likelihood averaged per test point,
/// LL = (1/m) Σ_j [−½·log(2π·v_j) − (y_j − μ_j)²/(2·v_j)] with μ_j, v_j the predictive mean and variance
/// (the protocol of Hernández-Lobato &amp; Adams 2015 and Gal &amp; Ghahramani 2016).
/// </summary>
/// <param name="Rmse">√((1/m) Σ_j (y_j − μ_j)²).</param>
/// <param name="LogLikelihood">The average Gaussian log predictive density per test point (nats).</param>
/// <param name="Count">m, the number of test points.</param>
public sealed record NtkRegressionScore(double Rmse, double LogLikelihood, int Count)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RMSE {Rmse:G4}, LL {LogLikelihood:G4} (m = {Count})");
}

/// <summary>
/// Predictions of an <see cref="NtkRegressor"/> for m points in the original target units: each a length-m vector.
/// </summary>
/// <param name="Mean">The predictive mean μ.</param>
/// <param name="Variance">The predictive variance of a new observation (latent variance plus noise).</param>
/// <param name="LatentVariance">The posterior variance of the noise-free function value.</param>
public sealed record NtkPrediction(Tensor Mean, Tensor Variance, Tensor LatentVariance);
