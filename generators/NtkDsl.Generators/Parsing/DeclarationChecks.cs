using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Emit;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Parsing;

/// <summary>
/// Checks of the model class as a whole against what the generator emits: a record (NTK1019), a file-local type
/// (NTK1023), anything that stops the generated constructor from being declared or called (NTK1024: primary
/// constructor, base class without a parameterless constructor, required members, a constructor with the same
/// parameters), and names that collide with generated members (NTK1025: the class name, user members, members
/// inherited from a base class, the reserved prefix). Each is reported at the user's token that has to change.
/// </summary>
internal static class DeclarationChecks
{
    private const string DeviceType = "NtkDsl.Device";

    /// <summary>Reports every problem found; true when the model cannot be generated.</summary>
    /// <param name="widthless">Declared without Inputs/InputShape: the constructor is (int inputs, int seed, Device?) and InfoFor/CostFor are generated too.</param>
    public static bool Check(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, SemanticModel semanticModel, List<DiagnosticInfo> diagnostics, bool widthless, CancellationToken ct)
    {
        bool Reserved(string n) => ModelParser.ReservedNames.Contains(n) || (widthless && ModelParser.WidthlessReservedNames.Contains(n));
        var compilation = semanticModel.Compilation;
        int before = diagnostics.Count;
        var classLocation = LocationInfo.From(syntax.Identifier.GetLocation());
        string name = symbol.Name;

        if (syntax is RecordDeclarationSyntax record)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotAClass, LocationInfo.From(record.Keyword.GetLocation()), name));

        // File-local: the model itself or its outermost containing type (only top-level types can be 'file').
        var outermost = symbol;
        while (outermost.ContainingType is not null) outermost = outermost.ContainingType;
        if (outermost.IsFileLocal)
            foreach (var reference in outermost.DeclaringSyntaxReferences)
                if (reference.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword)) is { } file && file != default)
                {
                    // On a containing type, the message also names the model inside it (by its path from that type).
                    string holds = SymbolEqualityComparer.Default.Equals(outermost, symbol) ? ""
                        : $" and contains the model '{symbol.ToDisplayString().Substring(outermost.ToDisplayString().Length + 1)}'";
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.FileLocalModel, LocationInfo.From(file.GetLocation()), outermost.Name, holds));
                    break;
                }

        // Primary constructors (on any part of the class).
        foreach (var reference in symbol.DeclaringSyntaxReferences)
            if (reference.GetSyntax(ct) is TypeDeclarationSyntax { ParameterList: { } parameters } && syntax is not RecordDeclarationSyntax)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConstructorConflict, LocationInfo.From(parameters), name,
                    "has a primary constructor", "remove the parameter list and keep state in fields or properties"));

        // A user constructor with the generated one's parameters.
        int ints = widthless ? 2 : 1;
        foreach (var ctor in symbol.InstanceConstructors)
            if (!ctor.IsImplicitlyDeclared && ctor.Parameters.Length == ints + 1 && ctor.Parameters.Take(ints).All(p => p.Type.SpecialType == SpecialType.System_Int32)
                && ctor.Parameters[ints].Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::" + DeviceType)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConstructorConflict, LocationInfo.From(ctor.Locations.FirstOrDefault()), name,
                    widthless ? "declares a constructor with the parameters (int, int, Device)" : "declares a constructor with the parameters (int, Device)", "change that constructor's parameters"));

        // Base class: the generated constructor calls base(), so it needs an accessible constructor without arguments.
        var baseSyntax = BaseTypeSyntax(symbol, ct);
        var baseType = symbol.BaseType;
        if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && baseType.TypeKind != TypeKind.Error)
        {
            bool callable = baseType.InstanceConstructors.Any(c => compilation.IsSymbolAccessibleWithin(c, symbol)
                && c.Parameters.All(p => p.IsOptional || p.IsParams));
            if (!callable)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConstructorConflict, baseSyntax ?? classLocation, name,
                    "derives from '" + baseType.Name + "', which has no accessible constructor without arguments",
                    "add a parameterless (protected) constructor to '" + baseType.Name + "' or change the base class"));
        }

        // Required members would have to be set by Clone and Load, which cannot know their values.
        for (var t = symbol; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            foreach (var member in t.GetMembers())
                if (member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true })
                {
                    var location = SymbolEqualityComparer.Default.Equals(t, symbol) ? LocationInfo.From(member.Locations.FirstOrDefault()) : baseSyntax ?? classLocation;
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConstructorConflict, location, name,
                        "has the required member '" + member.Name + "'", "remove 'required' (or give the member a default value)"));
                }

        // Names: the class itself, its own members, and what it inherits.
        if (Reserved(name) || Names.IsReserved(name))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict, classLocation, "Model class '" + name + "'",
                Names.IsReserved(name) ? "the prefix '" + Names.Reserved + "' reserved for generated members" : "the generated member '" + name + "' (a member cannot have its class's name)",
                "rename the class"));
        foreach (var member in symbol.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation) }) continue;
            if (IsLayer(member)) continue; // layers get NTK1012
            var location = LocationInfo.From(member.Locations.FirstOrDefault());
            if (Names.IsReserved(member.Name))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict, location, "Member '" + member.Name + "' of '" + name + "'",
                    "the prefix '" + Names.Reserved + "' reserved for generated members", "rename it"));
            else if (Reserved(member.Name))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict, location, "Member '" + member.Name + "' of '" + name + "'",
                    "the generated member '" + member.Name + "'", "rename it"));
            else if (ImplementsNtkInterface(member))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict, location, "Member '" + member.Name + "' of '" + name + "'",
                    "the generated implementation of " + member.Name, "remove it: NtkDsl implements INtkModel"));
        }
        for (var t = symbol.BaseType; t is not null && t.SpecialType != SpecialType.System_Object && t.TypeKind != TypeKind.Error; t = t.BaseType)
        {
            var clashes = t.GetMembers().Where(m => !m.IsImplicitlyDeclared && m.DeclaredAccessibility != Accessibility.Private && m is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }
                && (Reserved(m.Name) || Names.IsReserved(m.Name))).Select(m => m.Name).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToList();
            if (clashes.Count > 0)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict, baseSyntax ?? classLocation,
                    "'" + string.Join("', '", clashes) + "' inherited by '" + name + "' from '" + t.Name + "'",
                    "the generated members of the same names (they would hide the inherited ones)", "rename them in '" + t.Name + "' or change the base class"));
        }
        // Generated bodies use 'var' and 'nameof'; a type named 'var' or a member named 'nameof' in scope changes their meaning.
        int inside = syntax.OpenBraceToken.IsMissing ? syntax.Identifier.Span.End : syntax.OpenBraceToken.Span.End;
        foreach (var word in new[] { "var", "nameof" })
        {
            var found = word == "var" ? semanticModel.LookupNamespacesAndTypes(inside, name: word) : semanticModel.LookupSymbols(inside, name: word);
            var culprit = found.FirstOrDefault(f => f.Locations.Any(l => l.IsInSource));
            if (culprit is null) continue;
            var location = culprit.Locations.First(l => l.IsInSource);
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.GeneratedNameConflict,
                location.SourceTree == syntax.SyntaxTree ? LocationInfo.From(location) : classLocation,
                (culprit is ITypeSymbol ? "The type '" : "The member '") + culprit.Name + "' visible in '" + name + "'",
                "the '" + word + "' the generated code uses", "rename it"));
        }
        return diagnostics.Count > before;
    }

    private static bool IsLayer(ISymbol member) =>
        member is IPropertySymbol && member.GetAttributes().Any(ModelParser.IsLayer);

    private static bool ImplementsNtkInterface(ISymbol member)
    {
        IEnumerable<ISymbol> explicitImpls = member switch
        {
            IMethodSymbol m => m.ExplicitInterfaceImplementations,
            IPropertySymbol p => p.ExplicitInterfaceImplementations,
            _ => Enumerable.Empty<ISymbol>(),
        };
        return explicitImpls.Any(i => i.ContainingType?.ContainingNamespace?.ToDisplayString() == "NtkDsl");
    }

    private static LocationInfo? BaseTypeSyntax(INamedTypeSymbol symbol, CancellationToken ct)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
            if (reference.GetSyntax(ct) is TypeDeclarationSyntax { BaseList: { } list } && list.Types.Count > 0)
                return LocationInfo.From(list.Types[0]);
        return null;
    }
}
