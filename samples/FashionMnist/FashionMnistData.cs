using System.Globalization;
using NtkDsl;
using NtkDsl.IO;
using NtkDsl.Regression;

namespace FashionMnist;

/// <summary>How pixels are standardized after scaling to [0, 1].</summary>
public enum Standardization
{
    /// <summary>Per image: each image's 784 values minus their mean, divided by their standard deviation (no training statistics; every image has squared norm 784).</summary>
    Image,

    /// <summary>Per pixel: each pixel minus its mean over the training subset, divided by its standard deviation there (<see cref="Standardizer"/>; pixels constant on the subset map to 0).</summary>
    Pixel,
}

/// <summary>The four Fashion-MNIST IDX files (60,000 training and 10,000 test images of 28 × 28, ten classes).</summary>
public sealed class FashionMnistData
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Pixels per image.</summary>
    public const int Pixels = 28 * 28;

    /// <summary>Number of classes.</summary>
    public const int Classes = 10;

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The file names without the optional .gz, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private FashionMnistData(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages, IdxArray testLabels)
    {
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
    }

    /// <summary>Training images (60,000 × 28 × 28).</summary>
    public IdxArray TrainImages { get; }

    /// <summary>Training labels.</summary>
    public IdxArray TrainLabels { get; }

    /// <summary>Test images (10,000 × 28 × 28).</summary>
    public IdxArray TestImages { get; }

    /// <summary>Test labels.</summary>
    public IdxArray TestLabels { get; }

    /// <summary>The path of <paramref name="baseName"/> in <paramref name="folder"/>: the .gz file if present, else the uncompressed one, else null.</summary>
    public static string? Find(string folder, string baseName)
    {
        foreach (string name in new[] { baseName + ".gz", baseName })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>The file names (without .gz) missing from <paramref name="folder"/>; empty when all four are there.</summary>
    public static IReadOnlyList<string> MissingFiles(string folder) => FileNames.Where(f => Find(folder, f) is null).ToList();

    /// <summary>What to tell a user whose <paramref name="folder"/> lacks <paramref name="missing"/>: how to get the data.</summary>
    public static string MissingDataMessage(string folder, IReadOnlyList<string> missing) => string.Join(Environment.NewLine,
        $"Fashion-MNIST not found in {folder}: missing {string.Join(", ", missing.Select(m => m + "[.gz]"))}.",
        "Get the data in either of two ways:",
        "  1. Install the Debian package (files under " + DefaultFolder + "):",
        "       sudo apt-get install dataset-fashion-mnist",
        "  2. Download the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,",
        "     t10k-labels-idx1-ubyte.gz) from the Fashion-MNIST repository (github.com/zalandoresearch/fashion-mnist, folder",
        "     data/fashion) into one folder, and pass it: --data FOLDER (gzip-compressed or not).");

    /// <summary>Reads the four files from <paramref name="folder"/> and checks the shapes and labels.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, image and label counts differ, images are not 28 × 28, or a label is not 0–9.</exception>
    public static FashionMnistData Load(string folder)
    {
        string Path(int i) => Find(folder, FileNames[i]) ?? throw new FileNotFoundException(MissingDataMessage(folder, MissingFiles(folder)));
        var (trainImages, trainLabels) = IdxFile.ReadLabelledImages(Path(0), Path(1));
        var (testImages, testLabels) = IdxFile.ReadLabelledImages(Path(2), Path(3));
        foreach (var images in new[] { trainImages, testImages })
            if (images.ItemSize != Pixels || images.Dimensions[1] != 28)
                throw new InvalidDataException($"{images.Source}: images are {string.Join(" × ", images.Dimensions.Skip(1))} pixels; Fashion-MNIST images are 28 × 28.");
        foreach (var labels in new[] { trainLabels, testLabels })
        {
            int bad = labels.Data.IndexOfAnyExceptInRange((byte)0, (byte)(Classes - 1));
            if (bad >= 0)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{labels.Source}: label {labels.Data[bad]} at item {bad}; Fashion-MNIST labels are 0 to 9."));
        }
        return new FashionMnistData(trainImages, trainLabels, testImages, testLabels);
    }

    /// <summary>
    /// <paramref name="count"/> distinct training rows drawn uniformly without replacement by a Fisher–Yates shuffle
    /// seeded with <paramref name="seed"/> (a partial shuffle of 0..available−1: the first count positions), sorted.
    /// </summary>
    public static int[] SampleRows(int available, int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, available);
        var perm = Enumerable.Range(0, available).ToArray();
        var rng = new NormalSampler(seed);
        for (int i = 0; i < count; i++)
        {
            int j = i + (int)(rng.NextUInt64() % (ulong)(available - i));
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        var rows = perm[..count];
        Array.Sort(rows);
        return rows;
    }

    /// <summary>
    /// The chosen images as N × 784 float64 rows: pixels scaled to [0, 1] (byte / 255), then standardized as
    /// <paramref name="mode"/> says; per-pixel statistics come from <paramref name="train"/> only and are applied to both.
    /// </summary>
    public static (Tensor Train, Tensor Test) Preprocess(Tensor train, Tensor test, Standardization mode)
    {
        if (mode == Standardization.Pixel)
        {
            var s = Standardizer.Fit(train);
            return (s.Transform(train), s.Transform(test));
        }
        return (PerImage(train), PerImage(test));
    }

    /// <summary>Each row minus its mean, divided by its population standard deviation (a constant row becomes 0).</summary>
    public static Tensor PerImage(Tensor x)
    {
        int n = x.Rows, d = x.Columns;
        var v = new double[(long)n * d];
        for (int i = 0; i < n; i++)
        {
            double mean = 0;
            for (int j = 0; j < d; j++) mean += x[i, j];
            mean /= d;
            double ss = 0;
            for (int j = 0; j < d; j++) ss += (x[i, j] - mean) * (x[i, j] - mean);
            double sd = Math.Sqrt(ss / d);
            for (int j = 0; j < d; j++) v[(long)i * d + j] = sd > 0 ? (x[i, j] - mean) / sd : 0.0;
        }
        return Tensor.Wrap(v, n, d);
    }

    /// <summary>The labels of <paramref name="rows"/> (all items when null).</summary>
    public static int[] Labels(IdxArray labels, IReadOnlyList<int>? rows = null) =>
        rows is null ? labels.Data.ToArray().Select(b => (int)b).ToArray() : rows.Select(r => (int)labels.Item(r)[0]).ToArray();

    /// <summary>Regression targets: one-hot rows minus 0.1 (0.9 for the class, −0.1 elsewhere; each row sums to 0), N × 10.</summary>
    public static Tensor Targets(IReadOnlyList<int> labels)
    {
        var y = new double[labels.Count * Classes];
        for (int i = 0; i < labels.Count; i++)
            for (int c = 0; c < Classes; c++) y[i * Classes + c] = (c == labels[i] ? 1.0 : 0.0) - 0.1;
        return Tensor.Wrap(y, labels.Count, Classes);
    }

    /// <summary>The fraction of rows of <paramref name="scores"/> (N × 10) whose largest entry (first on ties) is at the true label.</summary>
    public static double Accuracy(Tensor scores, IReadOnlyList<int> labels)
    {
        if (scores.Rows != labels.Count || scores.Columns != Classes)
            throw new ArgumentException($"Scores are {scores.Rows} × {scores.Columns}, expected {labels.Count} × {Classes}.", nameof(scores));
        int right = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            int best = 0;
            for (int c = 1; c < Classes; c++)
                if (scores[i, c] > scores[i, best]) best = c;
            if (best == labels[i]) right++;
        }
        return (double)right / labels.Count;
    }
}
