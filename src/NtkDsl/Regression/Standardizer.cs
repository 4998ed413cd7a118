namespace NtkDsl.Regression;

/// <summary>
/// Per-column standardization z = (x − mean) / scale, fitted on training rows and applied to any rows with the same
/// columns; use one instance for features and another for targets. The scale is the population standard deviation
/// (divide by N, as scikit-learn's StandardScaler). A column is treated as constant, and given scale 1 so that it
/// maps to 0 and back without dividing by zero, when its standard deviation is at most 1e-12 times its largest
/// magnitude (constant up to rounding). Inputs may be float32 or float64; outputs are float64.
/// </summary>
/// <remarks>Thread safety: not modified after it is fitted; concurrent transforms only read it.</remarks>
public sealed class Standardizer
{
    private const string Owner = nameof(Standardizer);
    private const double ConstantTolerance = 1e-12;
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly bool[] _constant;

    private Standardizer(double[] mean, double[] scale, bool[] constant)
    {
        _mean = mean;
        _scale = scale;
        _constant = constant;
    }

    /// <summary>Number of columns.</summary>
    public int Columns => _mean.Length;

    /// <summary>Per-column mean of the training rows.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Per-column scale: the population standard deviation, or 1 for constant columns.</summary>
    public IReadOnlyList<double> Scale => _scale;

    /// <summary>Which columns were constant on the training rows (scale set to 1).</summary>
    public IReadOnlyList<bool> IsConstant => _constant;

    /// <summary>Fits mean and scale on the rows of an N × d matrix (N ≥ 1).</summary>
    public static Standardizer Fit(Tensor data)
    {
        double[] x = Check(data, -1, nameof(data), out int rows, out int cols);
        if (rows == 0) throw new ArgumentException($"{Owner}: {nameof(data)} has 0 rows; fit on at least one training row.", nameof(data));
        return FitValues(x, rows, cols);
    }

    /// <summary>
    /// <see cref="Fit"/> for a caller that has already checked <paramref name="data"/> (an N × d matrix, N ≥ 1, finite):
    /// the values are not scanned a second time.
    /// </summary>
    internal static Standardizer FitChecked(Tensor data) => FitValues(data.ToFlatArray(), data.Rows, data.Columns);

    /// <summary>
    /// The standardizer whose column f is <paramref name="b"/>'s when <paramref name="fromB"/>[f], else
    /// <paramref name="a"/>'s (both fitted on the same number of columns): each column's statistics depend on that
    /// column alone, so this equals a fit on the matrix whose columns are picked the same way.
    /// </summary>
    internal static Standardizer Pick(Standardizer a, Standardizer b, IReadOnlyList<bool> fromB)
    {
        int d = a.Columns;
        var mean = new double[d];
        var scale = new double[d];
        var constant = new bool[d];
        for (int c = 0; c < d; c++)
        {
            var s = fromB[c] ? b : a;
            mean[c] = s._mean[c];
            scale[c] = s._scale[c];
            constant[c] = s._constant[c];
        }
        return new Standardizer(mean, scale, constant);
    }

    private static Standardizer FitValues(double[] x, int rows, int cols)
    {
        var mean = new double[cols];
        var scale = new double[cols];
        var constant = new bool[cols];
        for (int c = 0; c < cols; c++)
        {
            double sum = 0, maxAbs = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += x[i * cols + c];
                maxAbs = Math.Max(maxAbs, Math.Abs(x[i * cols + c]));
            }
            double mu = sum / rows, ss = 0;
            for (int i = 0; i < rows; i++)
            {
                double d = x[i * cols + c] - mu;
                ss += d * d;
            }
            double sd = Math.Sqrt(ss / rows);
            mean[c] = mu;
            constant[c] = sd <= ConstantTolerance * maxAbs;
            scale[c] = constant[c] ? 1.0 : sd;
        }
        return new Standardizer(mean, scale, constant);
    }

    /// <summary>(x − mean) / scale, column by column, for an M × d matrix.</summary>
    public Tensor Transform(Tensor data)
    {
        double[] x = Check(data, Columns, nameof(data), out int rows, out int cols);
        return TransformValues(x, rows, cols);
    }

    /// <summary>
    /// <see cref="Transform"/> for a caller that has already checked <paramref name="data"/> (M × d, finite, d =
    /// <see cref="Columns"/>): the values are not scanned a second time.
    /// </summary>
    internal Tensor TransformChecked(Tensor data) => TransformValues(data.ToFlatArray(), data.Rows, data.Columns);

    private Tensor TransformValues(double[] x, int rows, int cols)
    {
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < cols; c++)
                x[i * cols + c] = (x[i * cols + c] - _mean[c]) / _scale[c];
        return Tensor.Wrap(x, rows, cols);
    }

    /// <summary>z · scale + mean, column by column: the inverse of <see cref="Transform"/>.</summary>
    public Tensor InverseTransform(Tensor data)
    {
        double[] x = Check(data, Columns, nameof(data), out int rows, out int cols);
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < cols; c++)
                x[i * cols + c] = x[i * cols + c] * _scale[c] + _mean[c];
        return Tensor.Wrap(x, rows, cols);
    }

    private static double[] Check(Tensor? data, int columns, string argument, out int rows, out int cols)
    {
        if (data is null) throw new ArgumentNullException(argument, $"{Owner}: {argument} is null; pass an N × d matrix with one example per row.");
        if (data.Rank != 2)
            throw new ArgumentException($"{Owner}: {argument} must be an N × d matrix, got shape [{KernelInput.ShapeText(data)}]; reshape a vector with t.Reshape(n, 1).", argument);
        rows = data.Rows;
        cols = data.Shape[1];
        if (columns >= 0 && cols != columns)
            throw new ArgumentException($"{Owner}: {argument} has {cols} columns but the standardizer was fitted on {columns}.", argument);
        InputChecks.Finite(data, Owner, argument);
        return data.ToFlatArray();
    }
}
