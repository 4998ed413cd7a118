using System.Text.Json;

namespace NtkDsl.Tests.Support;

/// <summary>Finds ../shared beside the repository root; tests skip with a clear message when it is absent.</summary>
internal static class SharedData
{
    public static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtkDsl.sln"))) return dir.FullName;
        return null;
    }

    public static string? SharedDir(string sub)
    {
        var env = Environment.GetEnvironmentVariable("NTKDSL_SHARED_DIR");
        string? root = env ?? (RepoRoot() is { } r ? Path.Combine(r, "..", "shared") : null);
        if (root is null) return null;
        var path = Path.GetFullPath(Path.Combine(root, sub));
        return Directory.Exists(path) ? path : null;
    }

    /// <summary>The shared folder or a dynamic skip explaining what is missing.</summary>
    public static string RequireShared(string sub) =>
        SharedDir(sub) ?? throw Xunit.Sdk.SkipException.ForSkip(
            $"../shared/{sub} not found beside the repository (set NTKDSL_SHARED_DIR to the shared folder to run this test).");

    public static JsonElement Fixture(string name)
    {
        var dir = RequireShared("fixtures");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, name + ".json")));
        return doc.RootElement.Clone();
    }

    public static double[] Flat(JsonElement e)
    {
        var list = new List<double>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.Array) foreach (var c in x.EnumerateArray()) Walk(c);
            else list.Add(x.GetDouble());
        }
        Walk(e);
        return list.ToArray();
    }

    public static int[] ShapeOf(JsonElement e)
    {
        var shape = new List<int>();
        while (e.ValueKind == JsonValueKind.Array)
        {
            shape.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0) break;
            e = e[0];
        }
        return shape.ToArray();
    }

    public static Tensor Tensor(JsonElement e) => NtkDsl.Tensor.FromArray(Flat(e), ShapeOf(e));
}
