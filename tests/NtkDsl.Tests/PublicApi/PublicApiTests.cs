using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace NtkDsl.Tests.PublicApi;

/// <summary>
/// Pins the public surface of NtkDsl.dll and NtkDsl.Cuda.dll against baseline files in this folder: what users see
/// (<c>PublicApi.{assembly}.txt</c>: types and members) and the hidden infrastructure for generated code
/// (<c>PublicApi.{assembly}.Hidden.txt</c>: types, and hidden members of visible types). A change fails with the
/// added and removed lines; approve an intended one with <c>NTKDSL_ACCEPT_PUBLIC_API=1</c>, which rewrites the
/// baselines (then review the diff of the .txt files like any other change).
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "NTKDSL_ACCEPT_PUBLIC_API";

    public static TheoryData<string> Assemblies => new() { "NtkDsl", "NtkDsl.Cuda" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void VisibleSurfaceMatchesTheBaseline(string assembly) =>
        Compare(PublicApiLister.Visible(Load(assembly)), $"PublicApi.{assembly}.txt");

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void HiddenInfrastructureMatchesTheBaseline(string assembly) =>
        Compare(PublicApiLister.Hidden(Load(assembly)), $"PublicApi.{assembly}.Hidden.txt");

    [Fact]
    public void EveryTypeTheGeneratorEmitsIsPublic()
    {
        // Generated code lives in the user's assembly, which has no InternalsVisibleTo: every NtkDsl type named in
        // the emitters' output (the verified snapshots) must be public, hidden or not. Names are read from the
        // snapshot text, independently of the lister.
        string snapshots = Path.Combine(SourceDirectory(), "..", "..", "NtkDsl.Generators.Tests", "Snapshots");
        var files = Directory.GetFiles(snapshots, "*.verified.cs");
        Assert.NotEmpty(files);
        var assembly = typeof(Tensor).Assembly;
        var names = files.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"global::(NtkDsl(?:\.[A-Z][A-Za-z0-9_]*)+)"))
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var resolved = new List<string>();
        foreach (string name in names)
        {
            // The longest dotted prefix that is a type (the rest is a member or nested access).
            var parts = name.Split('.');
            for (int n = parts.Length; n >= 2; n--)
            {
                var type = assembly.GetType(string.Join('.', parts[..n]))
                    ?? assembly.GetTypes().FirstOrDefault(t => t.FullName is { } f && f.StartsWith(string.Join('.', parts[..n]) + "`", StringComparison.Ordinal));
                if (type is null) continue;
                Assert.True(type.IsVisible, $"generated code names {type.FullName}, which is not public: user assemblies cannot reach it");
                resolved.Add(type.FullName!);
                break;
            }
        }
        Assert.Contains("NtkDsl.Kernels.NtkAssembler", resolved);   // the scan found the infrastructure it exists for
        Assert.Contains("NtkDsl.Tensor", resolved);
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void NoVisibleMemberNamesAHiddenType(string assembly)
    {
        // A hidden (infrastructure) type in the signature of a visible member shows in IntelliSense and docs all the same
        // (IDifferentiableModel.AccessGuard exposed ModelAccessGuard so): no visible member line ("Type::member") may name
        // one. A hidden interface in a visible type's base list is implemented explicitly (CudaDevice : IModelBackend,
        // LinearizedModel : IAccessGuardedModel) and adds no visible member, so type lines are not checked.
        var loaded = Load(assembly);
        var hidden = new[] { typeof(Tensor).Assembly, loaded }.Distinct().SelectMany(a => a.GetExportedTypes()).Where(PublicApiLister.IsHiddenType)
            .Select(t => PublicApiLister.Name(t).Split('<')[0]).Distinct().ToList();
        Assert.Contains("NtkDsl.ModelAccessGuard", hidden);   // the scan sees the hidden types
        var offending = PublicApiLister.Visible(loaded)
            .Where(line => line.Contains("::", StringComparison.Ordinal))
            .Where(line => hidden.Any(h => System.Text.RegularExpressions.Regex.IsMatch(line, @"(?<![\w.])" + System.Text.RegularExpressions.Regex.Escape(h) + @"(?![\w`])")))
            .ToList();
        Assert.True(offending.Count == 0, "visible members naming hidden types:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void HiddenTypesSayWhyInTheirDocumentation()
    {
        // Every type hidden from IntelliSense carries the docstring line that tells a reader it is infrastructure.
        var assembly = typeof(Tensor).Assembly;
        string xml = File.ReadAllText(Path.ChangeExtension(assembly.Location, ".xml"));
        var docs = System.Xml.Linq.XDocument.Parse(xml).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m.Value, StringComparer.Ordinal);
        var hidden = assembly.GetExportedTypes().Where(t => PublicApiLister.IsHiddenType(t) && !PublicApiLister.IsHiddenType(t.DeclaringType ?? typeof(object)))
            .ToList();
        Assert.NotEmpty(hidden);
        var missing = hidden.Where(t => !(docs.TryGetValue("T:" + t.FullName!.Replace('+', '.'), out var d)
            && d.Contains("Infrastructure for generated code; not part of the supported API.", StringComparison.Ordinal))).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "hidden types without the infrastructure docstring line: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheDiffNamesAddedAndRemovedLines()
    {
        string text = Diff(["a", "b", "c"], ["a", "c", "d"]);
        Assert.Equal("- b\n+ d\n", text);
    }

    private static Assembly Load(string name) => name switch
    {
        "NtkDsl" => typeof(Tensor).Assembly,
        "NtkDsl.Cuda" => typeof(global::NtkDsl.Cuda.CudaDevice).Assembly,
        _ => throw new ArgumentException($"unknown assembly {name}", nameof(name)),
    };

    private static void Compare(IReadOnlyList<string> actual, string file)
    {
        string path = Path.Combine(SourceDirectory(), file);
        string text = string.Join("\n", actual) + "\n";
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1") File.WriteAllText(path, text);
        Assert.True(File.Exists(path), $"no baseline {path}: run the tests once with {AcceptVariable}=1 to write it, then review and commit it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string diff = Diff(expected, actual);
        Assert.True(diff.Length == 0,
            $"The public surface differs from {file} ('+' is new, '-' is gone):\n{diff}\nIf the change is intended, rerun with " +
            $"{AcceptVariable}=1 (e.g. `{AcceptVariable}=1 dotnet test -c Release -- --filter-class '*PublicApiTests'` in " +
            "tests/NtkDsl.Tests) and commit the rewritten baseline; if not, make the type internal or mark it " +
            "[EditorBrowsable(EditorBrowsableState.Never)] with the infrastructure docstring line.");
    }

    internal static string Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var gone = expected.Except(actual, StringComparer.Ordinal).Select(l => "- " + l);
        var added = actual.Except(expected, StringComparer.Ordinal).Select(l => "+ " + l);
        var text = new StringBuilder();
        foreach (string line in gone.Concat(added).OrderBy(l => l[2..], StringComparer.Ordinal)) text.Append(line).Append('\n');
        return text.ToString();
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
