using System.Globalization;

namespace NtkDsl.Wntk;

/// <summary>What <see cref="WntkLearner.Learn(WntkProblem)"/> returns: the objective that ran, the weights, the ridge and the trace.</summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class WntkLearningResult
{
    internal WntkLearningResult(string objective, ObjectiveDirection direction, IReadOnlyList<string> groupNames, double[] weights,
        double ridge, double[] history, int bestIteration)
    {
        Objective = objective;
        Direction = direction;
        GroupNames = groupNames;
        Weights = weights;
        Ridge = ridge;
        History = history;
        BestIteration = bestIteration;
    }

    /// <summary>The name of the objective that ran (<see cref="IWntkObjective.Name"/>).</summary>
    public string Objective { get; }

    /// <summary>Whether the objective was minimized or maximized.</summary>
    public ObjectiveDirection Direction { get; }

    /// <summary>The group names, in weight order.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>The learned weights w_g ≥ 0 (the best iterate, never worse than the unit start).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The ridge λ at the best iterate (the starting ridge when the objective does not use it).</summary>
    public double Ridge { get; }

    /// <summary>The objective value at every iterate; entry 0 is the unit-weight start.</summary>
    public IReadOnlyList<double> History { get; }

    /// <summary>Index in <see cref="History"/> of the returned iterate.</summary>
    public int BestIteration { get; }

    /// <summary>The objective value at unit weights.</summary>
    public double InitialValue => History[0];

    /// <summary>The objective value of the returned weights.</summary>
    public double FinalValue => History[BestIteration];

    /// <summary>The weights as <see cref="GroupWeights"/> for a model whose group keys are <see cref="GroupNames"/>.</summary>
    public GroupWeights ToGroupWeights()
    {
        var gw = new GroupWeights();
        for (int g = 0; g < GroupNames.Count; g++)
        {
            string key = GroupNames[g];
            int dot = key.LastIndexOf('.');
            if (dot <= 0 || !Enum.TryParse<ParameterKind>(key[(dot + 1)..], out var kind))
                throw new InvalidOperationException($"Group name '{key}' is not of the form Layer.Weights or Layer.Bias; build the problem from NtkBlocks or AnalyticMlp kernels.");
            gw.Set(key[..dot], kind, Weights[g]);
        }
        return gw;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Objective}: {InitialValue:G6} → {FinalValue:G6} after {History.Count - 1} steps; λ = {Ridge:G4}; w = [{string.Join(", ", GroupNames.Select((n, g) => $"{n} {Weights[g]:G4}"))}]");
}
