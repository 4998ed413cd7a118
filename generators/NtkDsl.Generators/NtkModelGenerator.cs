using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NtkDsl.Generators.Emit;
using NtkDsl.Generators.Model;
using NtkDsl.Generators.Parsing;

namespace NtkDsl.Generators;

/// <summary>
/// The NtkDsl incremental generator: finds [NtkModel] classes, turns each into an equatable <see cref="ModelSpec"/>
/// (diagnostics included), and emits its members. Tracking names let tests prove that an unrelated edit reruns nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NtkModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the parse step.</summary>
    public const string ParseStep = "NtkDsl.Parse";

    /// <summary>Tracking name of the valid-model step.</summary>
    public const string ModelStep = "NtkDsl.Models";

    /// <summary>Tracking name of the diagnostics step.</summary>
    public const string DiagnosticsStep = "NtkDsl.Diagnostics";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider.ForAttributeWithMetadataName(
                ModelParser.ModelAttribute,
                static (node, _) => node is TypeDeclarationSyntax, // records too, so that NTK1019 can say why they are not models
                static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(ParseStep);

        // Diagnostics are cached as plain values; only when reported are they mapped back onto the compilation's syntax
        // trees, so that #pragma warning disable and the IDE see real source locations.
        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(DiagnosticsStep)
            .Where(static d => d.Count > 0);
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (var d in pair.Left) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
        });

        var models = results.Where(static r => r.Model is not null).Select(static (r, _) => r.Model!).WithTrackingName(ModelStep);
        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            foreach (var (hint, source) in ModelEmitter.Emit(model))
                spc.AddSource(hint, SourceText.From(source, System.Text.Encoding.UTF8));
            // The model's device code (CUDA C) in its own part file; InputShape and width-less models have none yet.
            if (CudaEmitter.Emit(model) is { } cuda) spc.AddSource(cuda.HintName, SourceText.From(cuda.Source, System.Text.Encoding.UTF8));
        });

        // A model with errors gets throwing implementations of its [Dense] properties instead of nothing, so its
        // diagnostics are not buried under one CS9248 per layer.
        var stubs = results.Where(static r => r.Stub is not null).Select(static (r, _) => r.Stub!);
        context.RegisterSourceOutput(stubs, static (spc, stub) =>
        {
            var (hint, source) = ModelEmitter.EmitStub(stub);
            spc.AddSource(hint, SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }
}
