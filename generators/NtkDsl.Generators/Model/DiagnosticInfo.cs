using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NtkDsl.Generators.Model;

/// <summary>A source location as plain values (a <see cref="Location"/> would keep the syntax tree alive and break caching).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation(Compilation? compilation = null)
    {
        if (compilation is not null)
            foreach (var tree in compilation.SyntaxTrees)
                if (tree.FilePath == FilePath && tree.Length >= Span.End) return Location.Create(tree, Span);
        return Location.Create(FilePath, Span, LineSpan);
    }

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());
}

/// <summary>A diagnostic to report: descriptor id, location and message arguments, all equatable.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args)
        => new(descriptor.Id, location, new EquatableArray<string>(args));

    public Diagnostic ToDiagnostic(Compilation? compilation = null)
        => Diagnostic.Create(Diagnostics.Descriptors.ById(Id), Location?.ToLocation(compilation), System.Linq.Enumerable.ToArray(Arguments));
}

/// <summary>What the transform step returns for one [NtkModel] class: the model, or (when it has errors) a stub.</summary>
internal sealed record ModelResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics, ModelStub? Stub = null);
