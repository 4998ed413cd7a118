using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NtkDsl.Generators.Diagnostics;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Parsing;

/// <summary>Turns an [NtkModel] class symbol into an equatable <see cref="ModelSpec"/> plus diagnostics.</summary>
internal static class ModelParser
{
    public const string ModelAttribute = "NtkDsl.NtkModelAttribute";

    /// <summary>
    /// The public members the generator emits (every other generated member starts with <see cref="Emit.Names.Reserved"/>).
    /// A layer (NTK1012), another member, an inherited member or the class itself (NTK1025) of the same name would collide.
    /// A test parses the generated code of several models and checks that this list is complete.
    /// </summary>
    internal static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "Info", "Device", "Forward", "GetParameters", "SetParameters", "Jacobian", "Jvp", "Vjp", "Ntk", "NtkPerGroup",
        "Wntk", "AnalyticNngp", "AnalyticNtk", "AnalyticWntk", "AnalyticNtkDiagonal", "AnalyticNngpDiagonal", "Save", "Load",
        "Cost", "Linearize", "Clone", "CudaSource", "CudaAnalyticUnsupportedReason",
    };

    /// <summary>The further public members of a model declared without Inputs (the input width is a constructor argument).</summary>
    internal static readonly HashSet<string> WidthlessReservedNames = new(StringComparer.Ordinal) { "InfoFor", "CostFor" };

    /// <summary>Whether [NtkModel] names neither Inputs nor InputShape: the input width is given at construction (issue 15).</summary>
    internal static bool IsWidthless(AttributeData attribute) => !attribute.NamedArguments.Any(a => a.Key is "Inputs" or "InputShape");

    /// <summary>
    /// Test hook (per thread, null in normal use): an exception to throw while analysing the named model, so tests can
    /// prove that a failure inside the generator becomes NTK2001 rather than CS8785.
    /// </summary>
    [ThreadStatic] internal static Func<string, Exception?>? FaultInjection;

    public static ModelResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            // Structs and interfaces cannot carry [NtkModel] (the compiler says so: CS0592). When two parts of one class
            // both carry it (CS0579), only the first part is analysed, so nothing is generated twice.
            if (symbol.TypeKind != TypeKind.Class || !IsFirstAttributedPart(symbol, syntax, ct))
                return new ModelResult(null, EquatableArray<DiagnosticInfo>.Empty);
            var model = ParseCore(symbol, syntax, context.SemanticModel, context.Attributes[0], diagnostics, out bool compilerErrors, ct);
            bool errors = compilerErrors || diagnostics.Any(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
            return new ModelResult(errors ? null : model, new EquatableArray<DiagnosticInfo>(diagnostics),
                errors || model is null ? StubBuilder.Build(symbol, ct) : null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // The generator must never throw: any surprise becomes a diagnostic instead of CS8785.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InternalError, LocationInfo.From(syntax.Identifier.GetLocation()), symbol.Name, ex.GetType().Name + ": " + ex.Message));
            return new ModelResult(null, new EquatableArray<DiagnosticInfo>(diagnostics), SafeStub(symbol, ct));
        }
    }

    private static ModelStub? SafeStub(INamedTypeSymbol symbol, CancellationToken ct)
    {
        try
        {
            return StubBuilder.Build(symbol, ct);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // Already reporting NTK2001; a stub is a nicety.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static bool IsFirstAttributedPart(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, CancellationToken ct)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != ModelAttribute) continue;
            var owner = attribute.ApplicationSyntaxReference?.GetSyntax(ct).FirstAncestorOrSelf<TypeDeclarationSyntax>();
            return owner is null || owner == syntax;
        }
        return true;
    }

    private static ModelSpec? ParseCore(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, SemanticModel semanticModel,
        AttributeData attribute, List<DiagnosticInfo> diagnostics, out bool compilerErrors, CancellationToken ct)
    {
        compilerErrors = false;
        if (FaultInjection?.Invoke(symbol.Name) is { } fault) throw fault;
        var classLocation = LocationInfo.From(syntax.Identifier.GetLocation());
        bool structuralError = false;

        // Class shape: partial, non-generic, not static/abstract, containing types partial and non-generic.
        var containing = new List<ContainingType>();
        string modelPath = symbol.Name; // the model's name as seen from the containing type being checked (Mid.Inner)
        for (var t = symbol.ContainingType; t is not null; t = t.ContainingType)
        {
            // Reported on the containing type's own identifier (the declaration to change), naming it and the model it
            // contains, so that a user who sees "'Outer' …" knows which model asked for it.
            var containerLocation = DeclarationIdentifier(t, ct) ?? classLocation;
            string keyword = StubBuilder.Keyword(t, ct);
            if (t.TypeParameters.Length > 0) // its own type parameters: a type nested in a generic one is reported there once
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GenericModel, containerLocation, t.Name, $" and contains the model '{modelPath}'",
                    $"move '{modelPath}' out of '{t.Name}' or remove the type parameters of '{t.Name}'"));
                structuralError = true;
            }
            if (!IsPartial(t, ct))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotPartial, containerLocation, t.Name,
                    $"because it contains the model '{modelPath}', whose members NtkDsl generates inside it", keyword));
                structuralError = true;
            }
            containing.Insert(0, new ContainingType(keyword, t.Name));
            modelPath = t.Name + "." + modelPath;
        }
        if (symbol.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.GenericModel, classLocation, symbol.Name, "", "remove its type parameters"));
            structuralError = true;
        }
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotPartial, classLocation, symbol.Name,
                "so that NtkDsl can generate its members (every type containing it must be partial too)", StubBuilder.Keyword(symbol, ct)));
            structuralError = true;
        }
        if (symbol.IsStatic || symbol.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.StaticOrAbstractModel, classLocation, symbol.Name, symbol.IsStatic ? "static" : "abstract"));
            structuralError = true;
        }
        bool widthless = IsWidthless(attribute);
        if (DeclarationChecks.Check(symbol, syntax, semanticModel, diagnostics, widthless, ct)) structuralError = true;

        // [NtkModel] arguments.
        int inputs = 0;
        var parameterization = ParameterizationKind.Ntk;
        var precision = PrecisionKind.Float64;
        var analytic = AnalyticKernelsKind.Auto;
        double weightStd = 1.0, biasStd = 1.0, outputScale = 1.0;
        bool centered = false;
        LocationInfo? inputsLocation = AttributeLocation(attribute, ct), shapeLocation = null, precisionLocation = null;
        bool inputsGiven = false;
        int[]? inputShape = null;
        // An argument the compiler could not bind (a typo, a wrong type) is the compiler's error to report: checking
        // the values that did bind would only add misleading diagnostics such as "Inputs = 0".
        bool modelAttributeBroken = HasCompilerErrors(attribute, semanticModel, ct);
        compilerErrors |= modelAttributeBroken;
        foreach (var arg in modelAttributeBroken ? Enumerable.Empty<KeyValuePair<string, TypedConstant>>() : attribute.NamedArguments)
        {
            var loc = ArgumentLocation(attribute, arg.Key, -1, ct);
            switch (arg.Key)
            {
                case "Inputs": inputs = arg.Value.Value is int i ? i : 0; inputsLocation = loc; inputsGiven = true; break;
                case "InputShape":
                    shapeLocation = loc;
                    inputShape = arg.Value.Kind == TypedConstantKind.Array && !arg.Value.IsNull
                        ? arg.Value.Values.Select(v => v.Value is int d ? d : 0).ToArray()
                        : new int[0];
                    break;
                case "Parameterization": parameterization = (ParameterizationKind)CheckEnum(arg.Value, 1, "Parameterization", loc, diagnostics); break;
                case "Precision": precision = (PrecisionKind)CheckEnum(arg.Value, 1, "Precision", loc, diagnostics); precisionLocation = loc; break;
                case "AnalyticKernels": analytic = (AnalyticKernelsKind)CheckEnum(arg.Value, 1, "AnalyticKernels", loc, diagnostics); break;
                case "WeightStd": weightStd = CheckStd(arg.Value, "WeightStd", "model " + symbol.Name, loc, diagnostics); break;
                case "BiasStd": biasStd = CheckStd(arg.Value, "BiasStd", "model " + symbol.Name, loc, diagnostics); break;
                case "Centered": centered = arg.Value.Value is bool cb && cb; break;
                case "OutputScale":
                    outputScale = arg.Value.Value is double os ? os : double.NaN;
                    if (double.IsNaN(outputScale) || double.IsInfinity(outputScale) || outputScale == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidOutputScale, loc, symbol.Name, outputScale.ToString("R", CultureInfo.InvariantCulture)));
                        outputScale = 1.0;
                    }
                    break;
            }
        }
        bool spatial = inputShape is not null;
        if (!modelAttributeBroken)
        {
            if (inputsGiven && spatial)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InputsOrInputShape, shapeLocation, symbol.Name, "declares both Inputs and InputShape", "both"));
            else if (inputsGiven && !spatial && inputs <= 0)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.NonPositiveInputs, inputsLocation, symbol.Name, inputs.ToString(CultureInfo.InvariantCulture)));
            if (spatial && (inputShape!.Length != 3 || inputShape.Any(d => d <= 0)))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidInputShape, shapeLocation, symbol.Name,
                    "{ " + string.Join(", ", inputShape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + " }",
                    "write InputShape = new[] { height, width, channels } with three positive values"));
                inputShape = null;
            }
            if (spatial && precision == PrecisionKind.Float32)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SpatialFloat32, precisionLocation, symbol.Name));
            if (widthless && precision == PrecisionKind.Float32)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.WidthlessFloat32, precisionLocation, symbol.Name));
        }

        // Layers: [Dense] properties in declaration order.
        var layerContext = new Layers.LayerParseContext(symbol, semanticModel.Compilation, weightStd, biasStd, analytic, diagnostics, ct) { Widthless = widthless };
        var layers = new List<LayerSpec>();
        var spatialLayers = new List<Layers.ParsedLayer>();
        bool layerErrors = false;
        // A layer left out of the list (several layer attributes, an attribute the compiler rejected, a non-Dense layer
        // of a width-less model) leaves a gap in the layer chain: the shapes after it would mislead, so the shape pass of
        // spatial models is skipped. A layer whose property is wrong (NTK1008, NTK1012, NTK1035, NTK1036) stays in the
        // chain (its arguments are read), so the shape errors of the other layers are still reported.
        bool layerGap = false;
        foreach (var member in OrderedMembers(symbol))
        {
            ct.ThrowIfCancellationRequested();
            var declared = member.GetAttributes().Where(Layers.LayerKinds.IsLayerAttribute).ToList();
            if (declared.Count == 0) continue;
            var attr = declared[0];
            var kind = Layers.LayerKinds.KindOf(attr)!.Value;
            if (declared.Count > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SeveralLayerAttributes, AttributeLocation(declared[1], ct), member.Name,
                    Layers.LayerKinds.ShortName(kind), Layers.LayerKinds.ShortName(Layers.LayerKinds.KindOf(declared[1])!.Value)));
                layerErrors = layerGap = true;
                continue;
            }
            if (HasCompilerErrors(attr, semanticModel, ct))
            {
                compilerErrors = true;
                continue;
            }
            if (spatial)
            {
                int reportedBefore = diagnostics.Count;
                var parsed = Layers.LayerKinds.Parse(layerContext, kind, member, attr, out bool memberOk);
                bool argumentErrors = diagnostics.Skip(reportedBefore).Any(d => Layers.SpatialLayerRules.AffectsShape(d.Id));
                spatialLayers.Add(new Layers.ParsedLayer(parsed, attr, argumentErrors));
                if (!memberOk) layerErrors = true;
                continue;
            }
            if (kind != LayerKindId.Dense && modelAttributeBroken)
            {
                layerErrors = layerGap = true; // the compiler's error on [NtkModel] may be a mistyped InputShape
                continue;
            }
            if (kind != LayerKindId.Dense && widthless)
            {
                // Reported at [NtkModel]: the fix is there (declare InputShape), or the layer goes.
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.WidthlessSpatialLayer, AttributeLocation(attribute, ct), symbol.Name, member.Name, Layers.LayerKinds.ShortName(kind)));
                layerErrors = layerGap = true;
                continue;
            }
            if (widthless)
            {
                var parsed = Layers.LayerKinds.Parse(layerContext, kind, member, attr, out bool memberOk);
                spatialLayers.Add(new Layers.ParsedLayer(parsed, attr));
                if (!memberOk) layerErrors = true;
                continue;
            }
            if (kind != LayerKindId.Dense)
            {
                string d = inputs > 0 ? inputs.ToString(CultureInfo.InvariantCulture) : "d";
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.NeedsInputShape, AttributeLocation(attr, ct), member.Name, Layers.LayerKinds.ShortName(kind),
                    kind is LayerKindId.Add or LayerKindId.LayerNorm ? "1, 1, " + d : "height, width, channels", d));
                layerErrors = true;
                continue;
            }
            // Kept in the list when its property is wrong, so the parameter count (NTK1015) sees every layer's width.
            layers.Add(Layers.DenseKind.Parse(layerContext, member, attr, out bool denseOk));
            if (!denseOk) layerErrors = true;
        }
        if (layers.Count == 0 && spatialLayers.Count == 0 && !compilerErrors && !layerErrors && !diagnostics.Any(d => d.Id is "NTK1008" or "NTK1012"))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NoLayers, classLocation, symbol.Name));
        if (spatial)
            return ParseSpatial(symbol, containing, inputShape, parameterization, precision, analytic, outputScale, centered, spatialLayers, layerContext,
                classLocation, shapeLocation, compilerErrors || layerGap, structuralError || compilerErrors || layerErrors);
        if (widthless)
            return ParseWidthless(symbol, containing, parameterization, precision, analytic, outputScale, centered, spatialLayers, layerContext,
                structuralError || compilerErrors || layerErrors || modelAttributeBroken);

        if (!spatial && inputs > 0 && layers.Count > 0)
        {
            long count = 0;
            int fanIn = inputs;
            foreach (var l in layers)
            {
                count += (long)fanIn * l.Width + (l.UseBias ? l.Width : 0);
                fanIn = l.Width;
            }
            if (count > int.MaxValue)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.TooManyParameters, classLocation, symbol.Name, count.ToString(CultureInfo.InvariantCulture)));
        }

        // Two members with one name are the compiler's CS0102; generating for them would only add errors.
        if (layers.Select(l => l.Name).Distinct().Count() != layers.Count) return null;
        if (structuralError || compilerErrors || layerErrors) return null;
        string? ns = NamespaceOf(symbol);
        return new ModelSpec(ns, symbol.Name, new EquatableArray<ContainingType>(containing), inputs, parameterization, precision, analytic,
            new EquatableArray<LayerSpec>(layers), outputScale, centered);
    }

    /// <summary>
    /// The rest of a model declared with InputShape: each kind's shape rule in order (their diagnostics; run also when
    /// other errors were reported, as long as every layer was read, so that independent errors show together), the
    /// parameter count (NTK1015), and the model (null on any error: <paramref name="errors"/> or one reported here).
    /// </summary>
    private static ModelSpec? ParseSpatial(INamedTypeSymbol symbol, List<ContainingType> containing, int[]? inputShape, ParameterizationKind parameterization,
        PrecisionKind precision, AnalyticKernelsKind analytic, double outputScale, bool centered, List<Layers.ParsedLayer> layers, Layers.LayerParseContext ctx,
        LocationInfo? classLocation, LocationInfo? shapeLocation, bool gap, bool errors)
    {
        if (layers.Count == 0) return null;
        // Shapes need all layers (one the compiler rejected or that has several layer attributes would leave a gap, and
        // the shapes after it would mislead), and an input that is an image for sure (with Inputs too, NTK1027, the fix
        // may be to drop InputShape). A layer whose own arguments are wrong passes on only what stays certain; one whose
        // property is wrong (its type, a setter, a reserved name) or a class declaration error changes no shape.
        if (gap || ctx.Diagnostics.Any(d => d.Id == Descriptors.InputsOrInputShape.Id)) return null;
        // An invalid InputShape (NTK1028, already reported when inputShape is null) still declares an image: the layers
        // are checked on an image of unknown size, so the errors that do not depend on it (a Conv2D after Flatten, a
        // last layer that is not Dense) show together with NTK1028 (docs/diagnostics.md: every independent error).
        var input = inputShape is null ? Layers.SpatialLayerRules.Unknown : new ShapeSpec(inputShape[0], inputShape[1], inputShape[2], false);
        bool inputKnown = inputShape is not null;
        if (input.Size > int.MaxValue)
        {
            ctx.Report(Descriptors.InvalidInputShape, shapeLocation ?? classLocation, symbol.Name, "{ " + string.Join(", ", inputShape!) + " }",
                InputTooLarge(input));
            input = Layers.SpatialLayerRules.Unknown;
            inputKnown = false;
        }
        if (!Layers.LayerKinds.CheckShapes(ctx, input, layers, symbol.Name) || !inputKnown) return null;
        long count = layers.Sum(l => Layers.LayerKinds.ParameterCount(l.Spec));
        if (count > int.MaxValue)
        {
            ctx.Report(Descriptors.TooManyParameters, classLocation, symbol.Name, count.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (errors) return null;
        if (layers.Select(l => l.Spec.Name).Distinct().Count() != layers.Count) return null;
        if (ctx.Diagnostics.Any(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error)) return null;
        return new ModelSpec(NamespaceOf(symbol), symbol.Name, new EquatableArray<ContainingType>(containing), (int)input.Size, parameterization, precision, analytic,
            EquatableArray<LayerSpec>.Empty, outputScale, centered, new EquatableArray<int>(inputShape!), new EquatableArray<SpatialLayerSpec>(layers.Select(l => l.Spec)));
    }

    /// <summary>
    /// The rest of a model declared without Inputs or InputShape (issue 15): Dense layers only, their shapes from a flat
    /// input of unknown width (<see cref="ShapeSpec.Channels"/> 0 stands for d). The parameter count depends on d, so
    /// NTK1015 cannot apply; the run time checks it when a width is given. Null on any error.
    /// </summary>
    private static ModelSpec? ParseWidthless(INamedTypeSymbol symbol, List<ContainingType> containing, ParameterizationKind parameterization,
        PrecisionKind precision, AnalyticKernelsKind analytic, double outputScale, bool centered, List<Layers.ParsedLayer> layers, Layers.LayerParseContext ctx,
        bool errors)
    {
        if (layers.Count == 0) return null;
        if (errors || ctx.Diagnostics.Any(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error)) return null;
        if (!Layers.LayerKinds.CheckShapes(ctx, new ShapeSpec(1, 1, 0, true), layers, symbol.Name)) return null;
        if (layers.Select(l => l.Spec.Name).Distinct().Count() != layers.Count) return null;
        return new ModelSpec(NamespaceOf(symbol), symbol.Name, new EquatableArray<ContainingType>(containing), 0, parameterization, precision, analytic,
            EquatableArray<LayerSpec>.Empty, outputScale, centered, default, new EquatableArray<SpatialLayerSpec>(layers.Select(l => l.Spec)), Widthless: true);
    }

    /// <summary>The raw dotted namespace (Roslyn's display string escapes keywords: "@event").</summary>
    internal static string? NamespaceOf(INamedTypeSymbol symbol)
    {
        var parts = new List<string>();
        for (var n = symbol.ContainingNamespace; n is not null && !n.IsGlobalNamespace; n = n.ContainingNamespace) parts.Insert(0, n.Name);
        return parts.Count == 0 ? null : string.Join(".", parts);
    }

    /// <summary>Whether the compiler reports an error inside the attribute (an unknown member, a wrong argument type).</summary>
    private static bool HasCompilerErrors(AttributeData attribute, SemanticModel semanticModel, CancellationToken ct)
    {
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error)) return true;
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return false;
        if (syntax.ContainsDiagnostics) return true;
        // An argument that did not bind is missing from the attribute data (cheaper than asking for diagnostics).
        var args = syntax.ArgumentList?.Arguments ?? default;
        int named = args.Count(a => a.NameEquals is not null), positional = args.Count - named;
        if (named != attribute.NamedArguments.Length || positional > attribute.ConstructorArguments.Length) return true;
        return syntax.SyntaxTree == semanticModel.SyntaxTree && args.Any(a => a.NameColon is not null)
            && semanticModel.GetDiagnostics(syntax.Span, ct).Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>Activations whose dual kernels are closed forms in the runtime (DualActivations, SinDual): no quadrature.</summary>
    internal static bool HasClosedForm(ActivationKind a) =>
        a is ActivationKind.Identity or ActivationKind.Relu or ActivationKind.LeakyRelu or ActivationKind.Abs or ActivationKind.Erf
            or ActivationKind.Sin;

    internal static IEnumerable<ISymbol> OrderedMembers(INamedTypeSymbol symbol)
    {
        // Declaration order: by syntax tree (in compilation order), then by position in the file.
        var trees = new Dictionary<SyntaxTree, int>();
        return symbol.GetMembers()
            .Where(m => m is IPropertySymbol || m is IFieldSymbol || m is IMethodSymbol { MethodKind: MethodKind.Ordinary })
            .Select(m => (m, loc: m.Locations.FirstOrDefault()))
            .OrderBy(x => x.loc?.SourceTree is { } t ? (trees.TryGetValue(t, out var i) ? i : trees[t] = trees.Count) : int.MaxValue)
            .ThenBy(x => x.loc?.SourceSpan.Start ?? 0)
            .Select(x => x.m);
    }

    /// <summary>True for NtkDsl's [Dense] attribute (by full name, so a user's own DenseAttribute is not taken for it).</summary>
    internal static bool IsDense(AttributeData a) => a.AttributeClass?.ToDisplayString() == Layers.DenseKind.Attribute;

    /// <summary>True for any of NtkDsl's layer attributes (Dense, Conv2D, pooling, Flatten, Add, LayerNorm).</summary>
    internal static bool IsLayer(AttributeData a) => Layers.LayerKinds.IsLayerAttribute(a);

    /// <summary>The identifier of the first declaration of <paramref name="type"/> in source (null when it has none).</summary>
    private static LocationInfo? DeclarationIdentifier(INamedTypeSymbol type, CancellationToken ct) =>
        type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<BaseTypeDeclarationSyntax>()
            .Select(d => LocationInfo.From(d.Identifier.GetLocation())).FirstOrDefault();

    internal static bool IsPartial(INamedTypeSymbol type, CancellationToken ct) =>
        type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>
    /// NTK1028's fix for an input of more than int.MaxValue values per row: the smallest whole downsampling factor for
    /// which the input fits. A layer with more channels than the input needs more (NTK1044 then names it), so the
    /// message says "at least".
    /// </summary>
    private static string InputTooLarge(ShapeSpec input)
    {
        int factor = 2;
        while ((long)((input.Height + factor - 1) / factor) * ((input.Width + factor - 1) / factor) * input.Channels > int.MaxValue) factor++;
        int h = (input.Height + factor - 1) / factor, w = (input.Width + factor - 1) / factor;
        return "that is " + input.Size.ToString(CultureInfo.InvariantCulture) + " values per row, more than the 2147483647 that NtkDsl indexes with 32-bit integers; "
            + "downsample the images (by at least " + factor.ToString(CultureInfo.InvariantCulture) + " per side: InputShape = new[] { "
            + h.ToString(CultureInfo.InvariantCulture) + ", " + w.ToString(CultureInfo.InvariantCulture) + ", " + input.Channels.ToString(CultureInfo.InvariantCulture)
            + " }; layers with more channels than the input need more, and NTK1044 then names the layer) or crop them";
    }

    internal static int CheckEnum(TypedConstant value, int max, string what, LocationInfo? loc, List<DiagnosticInfo> diagnostics)
    {
        int v = value.Value is int i ? i : 0;
        if (v < 0 || v > max)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnknownEnumValue, loc, what, v.ToString(CultureInfo.InvariantCulture)));
            return 0;
        }
        return v;
    }

    internal static double CheckStd(TypedConstant value, string name, string owner, LocationInfo? loc, List<DiagnosticInfo> diagnostics)
    {
        double v = value.Value switch { double d => d, float f => f, int i => i, _ => double.NaN };
        if (double.IsNaN(v) || double.IsInfinity(v) || v < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidStd, loc, name, owner, v.ToString("R", CultureInfo.InvariantCulture)));
            return 1.0;
        }
        return v;
    }

    internal static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken ct) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(ct));

    /// <summary>The location of a named argument (<paramref name="name"/>) or positional argument (<paramref name="position"/>).</summary>
    internal static LocationInfo? ArgumentLocation(AttributeData attribute, string? name, int position, CancellationToken ct)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return null;
        var args = syntax.ArgumentList?.Arguments;
        if (args is null) return LocationInfo.From(syntax);
        if (name is not null)
        {
            var named = args.Value.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return LocationInfo.From((SyntaxNode?)named ?? syntax);
        }
        var positional = args.Value.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
        return LocationInfo.From(position < positional.Count ? positional[position] : syntax);
    }
}
