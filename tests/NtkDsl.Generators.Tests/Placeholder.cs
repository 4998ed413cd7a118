namespace NtkDsl.Generators.Tests;

public sealed class GeneratorAssemblyTests
{
    [Fact]
    public void GeneratorTypeIsAnIncrementalGenerator() =>
        Assert.True(typeof(Microsoft.CodeAnalysis.IIncrementalGenerator).IsAssignableFrom(typeof(NtkModelGenerator)));
}
