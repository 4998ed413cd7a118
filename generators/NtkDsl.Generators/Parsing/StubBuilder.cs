using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Parsing;

/// <summary>
/// Declaration text copied from the user's code so generated parts match it (type keywords, property modifiers), and
/// the <see cref="ModelStub"/> of a model that is not generated.
/// </summary>
internal static class StubBuilder
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The declaration text before a type's name, e.g. "partial class", "ref partial struct", "partial record struct".</summary>
    public static string Keyword(INamedTypeSymbol type, CancellationToken ct)
    {
        var syntax = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
        string kind = syntax switch
        {
            RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };
        // 'ref' must appear on every part of a ref struct, and right before 'partial'.
        return (type.IsRefLikeType ? "ref " : "") + "partial " + kind;
    }

    /// <summary>The modifiers of a member's declaration except 'partial', in source order ("public virtual", "" for none).</summary>
    public static string Modifiers(ISymbol member, CancellationToken ct)
    {
        var syntax = member.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<MemberDeclarationSyntax>().FirstOrDefault();
        if (syntax is null) return "";
        return string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));
    }

    /// <summary>Whether <paramref name="type"/> is one of the layer property types (NtkDsl.DenseLayer, ConvLayer, Layer).</summary>
    private static bool IsLayerType(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "DenseLayer" or "ConvLayer" or "Layer", ContainingNamespace: { Name: "NtkDsl", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>
    /// A stub for a model with errors: throwing implementations of its layer properties (a layer attribute, or a partial
    /// property of type DenseLayer, ConvLayer or Layer without one, as with NTK1002). Also when the class or a containing
    /// type is not partial (NTK1001): the added part turns the compiler's CS0751 + CS9248 per property into one CS0260
    /// ("missing partial modifier") per such type. Null when no part can be added (a file-local type, NTK1023) or there is
    /// nothing to implement.
    /// </summary>
    public static ModelStub? Build(INamedTypeSymbol symbol, CancellationToken ct)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = symbol; t is not null; t = t.ContainingType) chain.Insert(0, t);
        if (chain[0].IsFileLocal) return null;

        var properties = new List<StubProperty>();
        var seen = new HashSet<string>();
        foreach (var member in symbol.GetMembers().OfType<IPropertySymbol>())
        {
            if (!member.IsPartialDefinition || member.PartialImplementationPart is not null || member.IsIndexer) continue;
            if (member.Type.TypeKind == TypeKind.Error || !seen.Add(member.Name)) continue;
            if (!member.GetAttributes().Any(ModelParser.IsLayer) && !IsLayerType(member.Type)) continue;
            string refKind = member.ReturnsByRefReadonly ? "ref readonly " : member.ReturnsByRef ? "ref " : "";
            properties.Add(new StubProperty(Modifiers(member, ct), refKind + member.Type.ToDisplayString(TypeFormat), member.Name,
                member.GetMethod is not null, member.SetMethod is not null, member.SetMethod?.IsInitOnly == true));
        }
        if (properties.Count == 0) return null;
        var types = chain.Select(t => new ContainingType(Keyword(t, ct), t.Name, string.Join(",", t.TypeParameters.Select(p => p.Name)))).ToList();
        return new ModelStub(ModelParser.NamespaceOf(symbol), new EquatableArray<ContainingType>(types.Take(types.Count - 1)), types[types.Count - 1],
            new EquatableArray<StubProperty>(properties));
    }
}
