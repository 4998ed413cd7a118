using System.Globalization;
using NtkDsl.IO;

namespace NtkDsl.Experiments;

/// <summary>
/// Writes a lazy-training result to a folder: <c>lazy_curves.csv</c> (every curve point of every α),
/// <c>lazy_slopes.csv</c> (the fits per horizon), <c>lazy_training.json</c> (everything), optionally
/// <c>quadratic_witness.csv</c>, and three SVG plots: error vs τ per α (log–log), α·error vs τ (the collapse) and
/// error vs τ/α.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from any thread (an array the caller passes to be written needs the caller's exclusive use).</remarks>
public static class LazyTrainingReport
{
    /// <summary>Writes the files and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, RunMetadata metadata, LazyTrainingResult result,
        QuadraticWitness? witness = null, IReadOnlyList<WitnessPoint>? witnessPoints = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(result);
        if ((witness is null) != (witnessPoints is null))
            throw new ArgumentException("Pass the witness together with its points (or neither).", nameof(witnessPoints));
        Directory.CreateDirectory(folder);
        metadata.Values["integrator"] = result.Integrator.ToString();
        metadata.Values["time_units"] = "tau = steps*eta/N; R = 0.5*||alpha*h - y||^2 (not divided by N)";
        metadata.Values["r0"] = result.R0.ToString("R", CultureInfo.InvariantCulture);
        metadata.Values["lambda_max"] = result.LambdaMax.ToString("R", CultureInfo.InvariantCulture);
        metadata.Values["step_tau"] = result.Step.ToString("R", CultureInfo.InvariantCulture);
        var paths = new List<string>();
        string P(string name)
        {
            var p = Path.Combine(folder, name);
            paths.Add(p);
            return p;
        }

        ResultWriter.WriteCsv(P("lazy_curves.csv"), metadata,
            ["alpha", "time", "step", "train_error", "test_error", "alpha_times_train_error", "movement", "movement_bound",
             "movement_ratio", "risk", "linear_risk", "kernel_drift"],
            result.Runs.SelectMany(r => r.Points.Select(p => (IReadOnlyList<object?>)new object?[]
            {
                r.Alpha, p.Time, p.Step, p.TrainError, p.TestError, r.Alpha * p.TrainError, p.Movement, p.MovementBound,
                p.MovementBound > 0 ? p.Movement / p.MovementBound : double.NaN, p.Risk, p.LinearRisk, p.KernelDrift,
            })));
        ResultWriter.WriteCsv(P("lazy_slopes.csv"), metadata,
            ["horizon", "time", "train_slope", "train_intercept", "train_r2", "test_slope", "collapse_ratio", "max_kernel_drift"],
            result.Slopes.Select(s => (IReadOnlyList<double>)[s.Horizon, s.Time, s.TrainSlope, s.TrainIntercept, s.TrainR2,
                s.TestSlope, s.CollapseRatio, s.KernelDrift.DefaultIfEmpty(double.NaN).Max()]));
        if (witness is not null)
        {
            ResultWriter.WriteCsv(P("quadratic_witness.csv"), metadata,
                ["alpha", "horizon", "sup_error", "kappa", "bound", "error_over_kappa_sqrt_r0", "movement", "movement_bound"],
                witnessPoints!.Select(w => (IReadOnlyList<double>)[w.Alpha, w.Horizon, w.SupError, w.Kappa, w.Bound,
                    w.ErrorOverKappa(witness.R0), w.Movement, w.MovementBound]));
        }
        ResultWriter.WriteJson(P("lazy_training.json"), metadata, new
        {
            integrator = result.Integrator.ToString(),
            result.Alphas,
            result.Horizons,
            outputCount = result.OutputCount,
            r0 = result.R0,
            errorCap = result.ErrorCap,
            lambdaMax = result.LambdaMax,
            step = result.Step,
            maxMovementRatio = result.MaxMovementRatio,
            maxErrorCapRatio = result.MaxErrorCapRatio,
            movementBoundHolds = result.MovementBoundHolds,
            errorCapHolds = result.ErrorCapHolds,
            slopes = result.Slopes,
            runs = result.Runs.Select(r => new { alpha = r.Alpha, maxMovementRatio = r.MaxMovementRatio, points = r.Points }),
            witness = witness is null ? null : new
            {
                outputs = witness.Outputs,
                parameters = witness.Parameters,
                lipschitz = witness.Lipschitz,
                r0 = witness.R0,
                kappaConstant = LazyBounds.KappaConstant,
                points = witnessPoints,
            },
        });

        var errors = new SvgLinePlot { Title = "Network vs linearization, training set", XLabel = "τ", YLabel = "‖αh − αh̄‖", LogX = true, LogY = true };
        var collapse = new SvgLinePlot { Title = "Collapse: α·error against τ", XLabel = "τ", YLabel = "α·‖αh − αh̄‖", LogX = true, LogY = true };
        var scaled = new SvgLinePlot { Title = "Error against τ/α", XLabel = "τ/α", YLabel = "‖αh − αh̄‖", LogX = true, LogY = true };
        foreach (var r in result.Runs)
        {
            string name = $"α = {r.Alpha.ToString("G4", CultureInfo.InvariantCulture)}";
            var t = r.Points.Select(p => p.Time).ToArray();
            var e = r.Points.Select(p => p.TrainError).ToArray();
            errors.Add(name, t, e);
            collapse.Add(name, t, e.Select(v => v * r.Alpha).ToArray());
            scaled.Add(name, t.Select(v => v / r.Alpha).ToArray(), e);
        }
        errors.Save(P("error_vs_time.svg"));
        collapse.Save(P("collapse_alpha_error_vs_time.svg"));
        scaled.Save(P("error_vs_time_over_alpha.svg"));
        return paths;
    }
}
