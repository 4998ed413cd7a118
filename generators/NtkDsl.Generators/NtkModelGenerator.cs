using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators;

/// <summary>Placeholder; replaced by the real pipeline.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NtkModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
