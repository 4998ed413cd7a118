using System.Globalization;

namespace NtkDsl;

/// <summary>
/// Non-negative weights w_g per parameter group (each layer's weights and biases), keyed by layer name. Groups not
/// set take <see cref="Default"/> (1.0 unless given). Used by the weighted NTK Σ_g w_g Θ^g and by per-group learning
/// rates.
/// </summary>
/// <remarks>Thread safety: not modified after construction; safe to read from any thread.</remarks>
public sealed class GroupWeights
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Weights that are all <paramref name="defaultWeight"/> until set otherwise.</summary>
    public GroupWeights(double defaultWeight = 1.0)
    {
        CheckValue("default", defaultWeight);
        Default = defaultWeight;
    }

    /// <summary>Weight of every group not set explicitly.</summary>
    public double Default { get; }

    /// <summary>All weights 1: the plain NTK.</summary>
    public static GroupWeights Ones => new(1.0);

    /// <summary>The explicitly set group keys and weights.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>Sets the weight of a layer's weight matrix. Returns this for chaining.</summary>
    public GroupWeights Weights(string layer, double weight) => Set(layer, ParameterKind.Weights, weight);

    /// <summary>Sets the weight of a layer's bias vector. Returns this for chaining.</summary>
    public GroupWeights Bias(string layer, double weight) => Set(layer, ParameterKind.Bias, weight);

    /// <summary>Sets both the weight-matrix and bias weights of a layer. Returns this for chaining.</summary>
    public GroupWeights Layer(string layer, double weight) => Set(layer, ParameterKind.Weights, weight).Set(layer, ParameterKind.Bias, weight);

    /// <summary>Sets one group's weight. Returns this for chaining.</summary>
    public GroupWeights Set(string layer, ParameterKind kind, double weight)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(layer);
        string key = $"{layer}.{kind}";
        CheckValue(key, weight);
        _values[key] = weight;
        return this;
    }

    /// <summary>
    /// The weight of every group of <paramref name="model"/>, in <see cref="ModelInfo.Groups"/> order. Throws
    /// <see cref="ArgumentException"/> naming any key that is not a group of the model, with the nearest valid key.
    /// </summary>
    public double[] Resolve(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var key in _values.Keys)
        {
            if (model.FindGroup(key) is not null) continue;
            string? nearest = model.Groups.Select(g => g.Key).OrderBy(k => NameDistance.Compute(k, key)).FirstOrDefault();
            string hint = nearest is not null && NameDistance.IsClose(nearest, key) ? $" Did you mean '{nearest}'?" : "";
            string valid = string.Join(", ", model.Groups.Select(g => g.Key));
            throw new ArgumentException($"GroupWeights names '{key}', which is not a parameter group of {model.Name}.{hint} Valid groups: {valid}.");
        }
        return model.Groups.Select(g => _values.TryGetValue(g.Key, out var w) ? w : Default).ToArray();
    }

    /// <summary>A vector of length P with each parameter's group weight (the diagonal of D in J·D·Jᵀ).</summary>
    public double[] PerParameter(ModelInfo model)
    {
        var w = Resolve(model);
        var d = new double[model.ParameterCount];
        for (int g = 0; g < model.Groups.Count; g++)
            Array.Fill(d, w[g], model.Groups[g].Offset, model.Groups[g].Count);
        return d;
    }

    /// <summary>Weights from a vector in <see cref="ModelInfo.Groups"/> order.</summary>
    public static GroupWeights FromVector(ModelInfo model, ReadOnlySpan<double> weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (weights.Length != model.Groups.Count)
            throw new ArgumentException($"{model.Name} has {model.Groups.Count} parameter groups but {weights.Length} weights were given.", nameof(weights));
        var gw = new GroupWeights();
        for (int g = 0; g < weights.Length; g++)
        {
            CheckValue(model.Groups[g].QualifiedName(model.Name), weights[g]);
            gw.Set(model.Groups[g].Layer, model.Groups[g].Kind, weights[g]);
        }
        return gw;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"GroupWeights(default {Default.ToString("G6", CultureInfo.InvariantCulture)}{string.Concat(_values.Select(kv => $", {kv.Key} = {kv.Value.ToString("G6", CultureInfo.InvariantCulture)}"))})";

    private static void CheckValue(string key, double weight)
    {
        if (!double.IsFinite(weight) || weight < 0)
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"The weight of group {key} must be finite and ≥ 0 (the WNTK J·D·Jᵀ needs D ⪰ 0); got {weight.ToString(CultureInfo.InvariantCulture)}.");
    }
}
