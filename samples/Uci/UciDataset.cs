using NtkDsl;
using NtkDsl.IO;
using NtkDsl.Regression;

namespace Uci;

/// <summary>One UCI data set: where it lives, which column is the target, and the README's reference figures.</summary>
internal sealed record UciDataset(string Name, int Columns, int Target, string McDropout, string IndependentNtk, string IndependentWntk)
{
    public static IReadOnlyList<UciDataset> All { get; } =
    [
        new("yacht", 7, 6, "1.23 ± 0.38", "2.70 ± 0.21", "1.00 ± 0.11"),
        new("concrete", 9, 8, "5.45 ± 0.19", "4.91 ± 0.14", "4.83 ± 0.15"),
        new("energy", 9, 8, "0.97 ± 0.06", "1.65 ± 0.03", "0.84 ± 0.02"),
        new("wine-quality-red", 12, 11, "0.657 ± 0.010", "0.577 ± 0.011", "0.570 ± 0.011"),
        new("power-plant", 5, 4, "4.18 ± 0.04", "3.64 ± 0.10 (3 splits)", "3.61 ± 0.09 (3 splits)"),
    ];

    public static UciData Load(string root, UciDataset spec)
    {
        string dir = Path.Combine(root, spec.Name);
        var table = TableReader.Read(Path.Combine(dir, "data.txt"), new TableReadOptions
        {
            Delimiter = TableDelimiter.Whitespace,
            HasHeader = false,
            TargetColumn = spec.Target,
            FeatureColumns = Enumerable.Range(0, spec.Columns).Where(c => c != spec.Target && (spec.Name != "energy" || c < 8)).ToArray(),
        });
        return new UciData(spec, table, dir);
    }
}

/// <summary>A loaded data set.</summary>
internal sealed class UciData(UciDataset spec, Table table, string dir)
{
    public UciDataset Spec { get; } = spec;

    /// <summary>Split k, standardized with the training rows' statistics; at most maxTrain training rows (a deterministic subset).</summary>
    public UciSplit Split(int k, int maxTrain)
    {
        int[] train = TableReader.ReadIndices(Path.Combine(dir, "splits", $"train_{k}.txt"), table.Rows);
        int[] test = TableReader.ReadIndices(Path.Combine(dir, "splits", $"test_{k}.txt"), table.Rows);
        if (train.Length > maxTrain)
        {
            var folds = RidgeSelection.FoldIndices(train.Length, (int)Math.Ceiling(train.Length / (double)maxTrain), k);
            train = folds[0].Select(i => train[i]).ToArray();
        }
        Tensor xtr = Rows(table.Features, train), xte = Rows(table.Features, test);
        Tensor ytr = Rows(table.Targets!, train), yte = Rows(table.Targets!, test);
        var fx = Standardizer.Fit(xtr);
        var fy = Standardizer.Fit(ytr);
        return new UciSplit(fx.Transform(xtr), fy.Transform(ytr), fx.Transform(xte), yte, fy);
    }

    private static Tensor Rows(Tensor t, int[] rows)
    {
        int c = t.Columns;
        var d = new double[rows.Length * c];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < c; j++) d[i * c + j] = t[rows[i], j];
        return Tensor.Wrap(d, rows.Length, c);
    }
}

/// <summary>Standardized training rows, standardized test features, raw test targets and the target scaler.</summary>
internal sealed record UciSplit(Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY, Standardizer TargetScaler);
