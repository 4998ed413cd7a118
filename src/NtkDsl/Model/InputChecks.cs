using System.Globalization;

namespace NtkDsl;

/// <summary>Argument checks shared by every generated method; each error names the problem and the fix.</summary>
/// <remarks>Thread safety: stateless; safe to call from any thread.
/// <para>Infrastructure for generated code; not part of the supported API.</para></remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class InputChecks
{
    /// <summary>
    /// Checks that <paramref name="x"/> is a non-empty N × <paramref name="features"/> matrix of finite values whose
    /// element type matches the model's precision.
    /// </summary>
    /// <param name="x">The batch, N × <paramref name="features"/>.</param>
    /// <param name="features">Input width d of the model.</param>
    /// <param name="dtype">The model's element type.</param>
    /// <param name="model">Model name for messages.</param>
    /// <param name="argument">Argument name for messages.</param>
    /// <param name="inputShape">For a model declared with <c>InputShape</c>: the shape as text (e.g. "28×28×1"), named in the width error.</param>
    public static void Features(Tensor? x, int features, DType dtype, string model, string argument, string? inputShape = null)
    {
        if (x is null) throw new ArgumentNullException(argument, $"{model}: {argument} is null; pass an N × {features} tensor.");
        if (x.Rank != 2)
            throw new ArgumentException($"{model}: {argument} must be an N × {features} matrix, got shape [{string.Join(", ", x.Shape.ToArray())}].", argument);
        if (x.Rows == 0)
            throw new ArgumentException($"{model}: {argument} is an empty batch (0 rows); pass at least one example.", argument);
        if (x.Columns != features)
            throw new ArgumentException(inputShape is null
                ? $"{model}: {argument} has {x.Columns} features per row but {model} takes rows of {features} features (its Inputs = {features}, or inputs: {features} given at construction to a model declared without Inputs)."
                : $"{model}: {argument} has {x.Columns} features per row but the model's InputShape {inputShape} needs {features} (channels last: each pixel's channels together).", argument);
        if (x.DType != dtype)
            throw new ArgumentException($"{model}: {argument} is {x.DType} but the model computes in {dtype}; convert with x.To(DType.{dtype}).", argument);
        Finite(x, model, argument);
    }

    /// <summary>
    /// <see cref="Features"/> (float64) for a model declared without <c>Inputs</c> or <c>InputShape</c>, whose input width
    /// comes from its constructor or, for the static analytic kernels, from the columns of x1: the width error names
    /// where the width came from instead of an <c>Inputs</c> the user never wrote.
    /// </summary>
    /// <param name="x">The batch, N × <paramref name="inputs"/>.</param>
    /// <param name="inputs">The input width d.</param>
    /// <param name="model">Model name for messages.</param>
    /// <param name="argument">Argument name for messages.</param>
    /// <param name="widthFrom">
    /// Null for an instance (the width it was constructed with); otherwise the argument the width was read from (the
    /// analytic kernels read it from "x1", which <paramref name="argument"/> then must match).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException">Not an N × d float64 matrix of finite values (N ≥ 1).</exception>
    public static void WidthlessFeatures(Tensor? x, int inputs, string model, string argument, string? widthFrom = null)
    {
        if (x is not null && x.Rank == 2 && x.Columns != inputs)
            throw new ArgumentException(widthFrom is null
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{model}: {argument} has {x.Columns} features per row but this {model} was constructed with inputs: {inputs}; pass rows of {inputs} features, or construct a model for this data with inputs: {x.Columns} (e.g. new {model}(inputs: {argument}.Columns, seed: 0)).")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{model}: {argument} has {x.Columns} features per row but {widthFrom} has {inputs}; the analytic kernels of {model} (declared without Inputs) read the input width d from {widthFrom}'s columns, so {widthFrom} and {argument} need the same number of columns."),
                argument);
        Features(x, inputs, DType.Float64, model, argument);
    }

    /// <summary>Throws naming the first row and column holding NaN or ±∞.</summary>
    public static void Finite(Tensor x, string model, string argument)
    {
        ArgumentNullException.ThrowIfNull(x);
        long cols = Math.Max(1, x.Columns);
        for (long i = 0; i < x.Length; i++)
        {
            double v = x.GetFlat(i);
            if (!double.IsFinite(v))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{model}: {argument} holds {v} at row {i / cols}, column {i % cols}; inputs must be finite (clean or impute the data first)."), argument);
        }
    }

    /// <summary>Checks a tangent/cotangent/target shape.</summary>
    public static void Shape(Tensor? t, string model, string argument, params int[] expected)
    {
        if (t is null) throw new ArgumentNullException(argument, $"{model}: {argument} is null; expected shape [{string.Join(", ", expected)}].");
        if (!t.Shape.SequenceEqual(expected))
            throw new ArgumentException($"{model}: {argument} has shape [{string.Join(", ", t.Shape.ToArray())}] but shape [{string.Join(", ", expected)}] is required.", argument);
        Finite(t, model, argument);
    }

    /// <summary>Checks the length of a flat parameter vector.</summary>
    public static void ParameterLength(int given, int expected, string model)
    {
        if (given != expected)
            throw new ArgumentException($"{model}: the parameter vector has length {given} but the model has {expected} parameters.", "values");
    }
}
