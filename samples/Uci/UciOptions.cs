using System.Globalization;

namespace Uci;

/// <summary>Command-line options of the UCI benchmark.</summary>
internal sealed class UciOptions
{
    public string DataDir { get; private set; } = DefaultDataDir();
    public int Splits { get; private set; } = 5;
    public int PowerSplits { get; private set; } = 3;
    public int MaxTrain { get; private set; } = 2000;
    public int WntkRows { get; private set; } = 400;
    public int Iterations { get; private set; } = 300;
    public bool Empirical { get; private set; } = true;
    public int CoarseFrom { get; private set; } = 3000;
    public HashSet<string>? Datasets { get; private set; }
    public string OutDir { get; private set; } = "results";

    public static UciOptions? Parse(string[] args)
    {
        var o = new UciOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int Count(string v) => v == "all" ? int.MaxValue : int.Parse(v, CultureInfo.InvariantCulture);
            switch (a)
            {
                case "--splits": o.Splits = Count(Next()); break;
                case "--power-splits": o.PowerSplits = Count(Next()); break;
                case "--max-train": { int m = Count(Next()); o.MaxTrain = m == 0 ? int.MaxValue : m; break; }
                case "--wntk-rows": o.WntkRows = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--iterations": o.Iterations = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--no-empirical": o.Empirical = false; break;
                case "--full": o.Splits = int.MaxValue; o.PowerSplits = 3; o.MaxTrain = int.MaxValue; break;
                case "--coarse-from": { int m = Count(Next()); o.CoarseFrom = m == 0 ? int.MaxValue : m; break; }
                case "--datasets": o.Datasets = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--out": o.OutDir = Next(); break;
                case "-h" or "--help":
                    Console.WriteLine("Usage: Uci [DATA_DIR] [--full (the README protocol: all 20 splits, power-plant's first 3, all training rows)] [--splits N|all (default 5)] [--power-splits N|all (default 3)] [--datasets yacht,concrete,...] " +
                        "[--max-train N|0 = all (default 2000)] [--wntk-rows N (default 400)] [--iterations N (default 300)] [--no-empirical] " +
                        "[--coarse-from N|0 = never (default 3000): from N training rows, ridge grids are searched coarse-to-fine] [--out DIR]");
                    return null;
                default:
                    if (a.StartsWith('-')) throw new ArgumentException($"Unknown option {a}; see --help.");
                    o.DataDir = Path.GetFullPath(a);
                    break;
            }
        }
        return o;
    }

    private static string DefaultDataDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkDsl.sln"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", "uci"));
        return Path.GetFullPath(Path.Combine("..", "shared", "datasets", "uci"));
    }
}
