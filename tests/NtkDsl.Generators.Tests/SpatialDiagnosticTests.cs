using Microsoft.CodeAnalysis;

namespace NtkDsl.Generators.Tests;

/// <summary>
/// The diagnostics of spatial models (issue 14, NTK1027–NTK1041, and NTK1005/1015/1016 on the new layers): each once,
/// at the exact argument or token to change, with no generated model code (the stub of the layer properties compiles).
/// </summary>
public sealed class SpatialDiagnosticTests
{
    private const string Header = "[NtkModel(InputShape = new[] { 8, 8, 3 })]";
    private const string Tail = "[GlobalAvgPool] public partial Layer Gap { get; }\n[Dense(2)] public partial DenseLayer Out { get; }";

    private static (Diagnostic Diagnostic, GeneratorHarness.Run Run) Single(string id, string body, string header = Header)
    {
        string source = "using System;\nusing NtkDsl;\nnamespace Demo;\n" + header + "\npublic partial class M\n{\n" + body + "\n}\n";
        var run = GeneratorHarness.Generate(source);
        var hits = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(hits.Count == 1, $"expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        Assert.True(run.GeneratorDiagnostics.All(d => d.Severity != DiagnosticSeverity.Error || d.Id == id),
            "only " + id + " expected, got: " + string.Join("; ", run.GeneratorDiagnostics));
        DiagnosticTests.NoModelCode(run);
        return (hits[0], run);
    }

    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    [Fact]
    public void ValidSpatialModelHasNoDiagnostics()
    {
        var run = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n" + Header + "\npublic partial class M\n{\n[Conv2D(4, 3)] public partial ConvLayer C { get; }\n" + Tail + "\n}\n");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void BothInputsAndInputShape()
    {
        var (both, _) = Single("NTK1027", "[Dense(2)] public partial DenseLayer Out { get; }", "[NtkModel(Inputs = 3, InputShape = new[] { 2, 2, 1 })]");
        Assert.Equal("InputShape = new[] { 2, 2, 1 }", At(both));
        Assert.Contains("both", both.GetMessage());
        // Neither is no longer an error: the input width is a constructor argument (WidthlessGeneratorTests).
    }

    [Theory]
    [InlineData("new[] { 8, 8 }")]
    [InlineData("new[] { 8, 0, 3 }")]
    [InlineData("new[] { 8, 8, 3, 1 }")]
    [InlineData("new[] { -1, 8, 3 }")]
    [InlineData("null")]
    public void InputShapeMustBeThreePositiveInts(string shape)
    {
        var (d, _) = Single("NTK1028", "[Dense(2)] public partial DenseLayer Out { get; }", "[NtkModel(InputShape = " + shape + ")]");
        Assert.Equal("InputShape = " + shape, At(d));
        Assert.Contains("three positive values", d.GetMessage());
    }

    [Theory]
    [InlineData("new[] { 6, 6 }")]
    [InlineData("new[] { 65536, 65536, 1 }")]
    public void AnInvalidInputShapeDoesNotHideTheShapeIndependentErrors(string shape)
    {
        // The new user's model: only NTK1028 and NTK1038 were reported; the Conv2D after Flatten (NTK1029) and the last
        // layer that is not Dense (NTK1037) appeared only after the shape was fixed. They do not depend on the image size.
        const string body = "[Flatten] public partial Layer Flat { get; }\n[Conv2D(4, 3)] public partial ConvLayer Conv { get; }\n"
            + "[LayerNorm(Epsilon = 0)] public partial Layer Norm { get; }\n[GlobalAvgPool] public partial Layer Gap { get; }";
        string Source(string s) => "using NtkDsl;\nnamespace Demo;\n[NtkModel(InputShape = " + s + ")]\npublic partial class M\n{\n" + body + "\n}\n";
        string[] Ids(GeneratorHarness.Run r) => r.GeneratorDiagnostics.Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        var fixedShape = GeneratorHarness.Generate(Source("new[] { 6, 6, 2 }"));
        Assert.Equal(new[] { "NTK1029", "NTK1037", "NTK1038" }, Ids(fixedShape));
        var run = GeneratorHarness.Generate(Source(shape));
        Assert.Equal(new[] { "NTK1028", "NTK1029", "NTK1037", "NTK1038" }, Ids(run));
        Assert.Equal("Conv2D(4, 3)", At(run.GeneratorDiagnostics.Single(d => d.Id == "NTK1029")));
        Assert.Equal("GlobalAvgPool", At(run.GeneratorDiagnostics.Single(d => d.Id == "NTK1037")));
        Assert.Equal("InputShape = " + shape, At(run.GeneratorDiagnostics.Single(d => d.Id == "NTK1028")));
        DiagnosticTests.NoModelCode(run);
    }

    [Fact]
    public void AnInvalidInputShapeReportsNoErrorThatDependsOnTheImageSize()
    {
        // With the size unknown, a Dense on the input (fine for { 1, 1, d }) and a large window are not errors.
        var run = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n[NtkModel(InputShape = new[] { 2, 0, 3 })]\npublic partial class M\n{\n"
            + "[Conv2D(4, 9, Padding = Padding.Valid)] public partial ConvLayer C { get; }\n[Flatten] public partial Layer F { get; }\n[Dense(2)] public partial DenseLayer Out { get; }\n}\n");
        Assert.Equal("NTK1028", Assert.Single(run.GeneratorDiagnostics).Id);
        var dense = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n[NtkModel(InputShape = new[] { 12 })]\npublic partial class M\n{\n"
            + "[Dense(2)] public partial DenseLayer Out { get; }\n}\n");
        Assert.Equal("NTK1028", Assert.Single(dense.GeneratorDiagnostics).Id);
    }

    [Theory]
    [InlineData("[Conv2D(4, 3)] public partial ConvLayer X { get; }", "Conv2D")]
    [InlineData("[AvgPool2D(2)] public partial Layer X { get; }", "AvgPool2D")]
    [InlineData("[GlobalAvgPool] public partial Layer X { get; }", "GlobalAvgPool")]
    [InlineData("[Flatten] public partial Layer X { get; }", "Flatten")]
    public void SpatialLayerAfterFlatten(string layer, string attribute)
    {
        var (d, _) = Single("NTK1029", "[Flatten] public partial Layer F { get; }\n" + layer + "\n[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.StartsWith(attribute, At(d));
        Assert.Contains("after 'F'", d.GetMessage());
        Assert.Contains("move it before 'F'", d.GetMessage());
    }

    [Fact]
    public void SpatialLayerInAnInputsModel()
    {
        var (d, _) = Single("NTK1041", "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n[Dense(2)] public partial DenseLayer Out { get; }", "[NtkModel(Inputs = 12)]");
        Assert.Equal("Conv2D(4, 3)", At(d));
        Assert.Contains("InputShape = new[] { height, width, channels }", d.GetMessage());
        var (norm, _) = Single("NTK1041", "[Dense(4)] public partial DenseLayer H { get; }\n[LayerNorm] public partial Layer N { get; }\n[Dense(2)] public partial DenseLayer Out { get; }", "[NtkModel(Inputs = 12)]");
        Assert.Equal("LayerNorm", At(norm));
        Assert.Contains("InputShape = new[] { 1, 1, 12 }", norm.GetMessage());
    }

    [Theory]
    [InlineData("[Conv2D(4, 9, Padding = Padding.Valid)] public partial ConvLayer X { get; }", "9")]
    [InlineData("[AvgPool2D(9)] public partial Layer X { get; }", "9")]
    public void WindowLargerThanTheImage(string layer, string span)
    {
        var (d, _) = Single("NTK1030", layer + "\n" + Tail);
        Assert.Equal(span, At(d));
        Assert.Contains("8×8 pixels (Padding.Valid: no padding)", d.GetMessage());
        Assert.Contains("at most 8", d.GetMessage());
    }

    [Fact]
    public void WindowTooLargeAfterDownsampling()
    {
        // 8 → 4 after the pool; a Valid 5×5 window no longer fits, while Same padding always does.
        var (d, _) = Single("NTK1030", "[AvgPool2D(2)] public partial Layer P { get; }\n[Conv2D(4, 5, Padding = Padding.Valid)] public partial ConvLayer X { get; }\n" + Tail);
        Assert.Equal("5", At(d));
        Assert.Contains("4×4", d.GetMessage());
        var ok = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n" + Header + "\npublic partial class M\n{\n[AvgPool2D(2)] public partial Layer P { get; }\n[Conv2D(4, 5)] public partial ConvLayer X { get; }\n" + Tail + "\n}\n");
        Assert.Empty(ok.GeneratorDiagnostics);
    }

    [Theory]
    [InlineData("[Conv2D(0, 3)] public partial ConvLayer X { get; }", "0", "channels")]
    [InlineData("[Conv2D(4, -1)] public partial ConvLayer X { get; }", "-1", "kernel size")]
    [InlineData("[Conv2D(4, 3, Stride = 0)] public partial ConvLayer X { get; }", "Stride = 0", "Stride")]
    [InlineData("[AvgPool2D(0)] public partial Layer X { get; }", "0", "window")]
    [InlineData("[AvgPool2D(2, Stride = -2)] public partial Layer X { get; }", "Stride = -2", "Stride")]
    public void NonPositiveSizes(string layer, string span, string what)
    {
        var (d, _) = Single("NTK1031", layer + "\n" + Tail);
        Assert.Equal(span, At(d));
        Assert.Contains(what + " = ", d.GetMessage());
        Assert.Matches(what + @" = -?\d+; (use|declare) ", d.GetMessage()); // says what to write instead
    }

    [Fact]
    public void AvgPoolStrideMessageOffersTheDefault()
    {
        var (d, _) = Single("NTK1031", "[AvgPool2D(3, Stride = -1)] public partial Layer X { get; }\n" + Tail);
        Assert.Equal("Stride = -1", At(d));
        Assert.EndsWith("has Stride = -1; use Stride = 1 or more, or remove the argument for a stride equal to the window (3)", d.GetMessage());
    }

    [Fact]
    public void DenseDirectlyAfterAnImage()
    {
        var (d, _) = Single("NTK1032", "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.Equal("Dense(2)", At(d));
        Assert.Contains("follows 'C', whose output is a 8×8×4 image", d.GetMessage());
        Assert.Contains("[Flatten] (256 features) or [GlobalAvgPool] (4 features)", d.GetMessage()); // 8·8·4, 4
        // A 1×1 image is a feature vector already: no Flatten needed.
        var ok = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n[NtkModel(InputShape = new[] { 1, 1, 5 })]\npublic partial class M\n{\n[LayerNorm] public partial Layer N { get; }\n[Dense(2)] public partial DenseLayer Out { get; }\n}\n");
        Assert.Empty(ok.GeneratorDiagnostics);
    }

    [Theory]
    [InlineData("[Add(\"Cc\")] public partial Layer A { get; }", "\"Cc\"", "is not a layer of the model", "did you mean 'C'?")]
    [InlineData("[Add(\"Nope\")] public partial Layer A { get; }", "\"Nope\"", "is not a layer of the model", null)] // no layer is close: no suggestion (checked below)
    [InlineData("[Add(nameof(A))] public partial Layer A { get; }", "nameof(A)", "is the Add layer itself", null)]
    [InlineData("[Add(nameof(Later))] public partial Layer A { get; }\n[Conv2D(4, 3)] public partial ConvLayer Later { get; }", "nameof(Later)", "is declared after it", null)]
    public void AddMustNameAnEarlierLayer(string layers, string span, string problem, string? hint)
    {
        var (d, _) = Single("NTK1033", "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n" + layers + "\n" + Tail);
        Assert.Equal(span, At(d));
        Assert.Contains(problem, d.GetMessage());
        if (hint is not null) Assert.Contains(hint, d.GetMessage());
        else Assert.DoesNotContain("did you mean", d.GetMessage());
    }

    [Fact]
    public void AddOfDifferentShapes()
    {
        var (d, _) = Single("NTK1034", "[Conv2D(4, 3)] public partial ConvLayer C1 { get; }\n[Conv2D(6, 3)] public partial ConvLayer C2 { get; }\n[Add(nameof(C1))] public partial Layer A { get; }\n" + Tail);
        Assert.Equal("nameof(C1)", At(d));
        Assert.Contains("'C1' (8×8×4) to activations of shape 8×8×6", d.GetMessage());
    }

    [Theory]
    [InlineData("[Conv2D(4, 3)] public partial Layer X { get; }", "Layer", "ConvLayer")]
    [InlineData("[AvgPool2D(2)] public partial ConvLayer X { get; }", "ConvLayer", "Layer")] // not [Flatten]: the Tail's GlobalAvgPool after it would be a second, real error
    [InlineData("[Flatten] public partial ConvLayer X { get; }\n[Dense(3)] public partial DenseLayer H { get; }", "ConvLayer", "Layer")]
    [InlineData("[LayerNorm] public partial DenseLayer X { get; }", "DenseLayer", "Layer")]
    public void PropertyTypeMismatch(string layer, string span, string expected)
    {
        var (d, _) = Single("NTK1035", layer + "\n" + (layer.Contains("Flatten") ? "[Dense(2)] public partial DenseLayer Out { get; }" : Tail));
        Assert.Equal(span, At(d));
        Assert.Contains("declare it as '" + expected + "'", d.GetMessage());
    }

    [Fact]
    public void LayerPropertyWithASetter()
    {
        var (d, _) = Single("NTK1036", "[AvgPool2D(2)] public partial Layer X { get; set; }\n" + Tail);
        Assert.Equal("X", At(d));
        Assert.Contains("it has a setter", d.GetMessage());
        Assert.Contains("'public partial Layer X { get; }'", d.GetMessage());
    }

    [Fact]
    public void LastLayerMustBeDense()
    {
        var (d, _) = Single("NTK1037", "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n[GlobalAvgPool] public partial Layer Gap { get; }");
        Assert.Equal("GlobalAvgPool", At(d));
        Assert.Contains("'Gap' ([GlobalAvgPool]); add a [Dense(outputs)] readout layer after it", d.GetMessage());
        var (conv, _) = Single("NTK1037", "[Conv2D(4, 3)] public partial ConvLayer C { get; }");
        Assert.Equal("Conv2D(4, 3)", At(conv));
        Assert.Contains("end the model with [Flatten] or [GlobalAvgPool] and a [Dense(outputs)] readout layer", conv.GetMessage());
    }

    [Theory]
    [InlineData("0.0")]
    [InlineData("-1e-5")]
    [InlineData("double.NaN")]
    [InlineData("double.PositiveInfinity")]
    public void LayerNormEpsilon(string epsilon)
    {
        var (d, _) = Single("NTK1038", "[LayerNorm(Epsilon = " + epsilon + ")] public partial Layer N { get; }\n" + Tail);
        Assert.Equal("Epsilon = " + epsilon, At(d));
    }

    [Fact]
    public void Float32IsNotSupportedYet()
    {
        var (d, _) = Single("NTK1039", "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n" + Tail, "[NtkModel(InputShape = new[] { 8, 8, 3 }, Precision = Precision.Float32)]");
        Assert.Equal("Precision = Precision.Float32", At(d));
        Assert.Contains("not support yet", d.GetMessage());
    }

    [Fact]
    public void TwoLayerAttributesOnOneProperty()
    {
        var (d, _) = Single("NTK1040", "[Flatten, LayerNorm] public partial Layer X { get; }\n" + Tail);
        Assert.Equal("LayerNorm", At(d));
        Assert.Contains("move [LayerNorm] to a property of its own", d.GetMessage());
    }

    [Fact]
    public void TooManyParameters()
    {
        // 8·8·3 → Flatten (192) → 1 Dense of 2^24 units: 192·2^24 > int.MaxValue.
        var (d, _) = Single("NTK1015", "[Flatten] public partial Layer F { get; }\n[Dense(16777216)] public partial DenseLayer Out { get; }");
        Assert.Equal("M", At(d));
        Assert.Contains((192L * 16777216 + 16777216).ToString(System.Globalization.CultureInfo.InvariantCulture), d.GetMessage());
    }

    [Fact]
    public void ConvArgumentsShareTheDenseChecks()
    {
        var (std, _) = Single("NTK1005", "[Conv2D(4, 3, WeightStd = -1.0)] public partial ConvLayer C { get; }\n" + Tail);
        Assert.Equal("WeightStd = -1.0", At(std));
        var (padding, _) = Single("NTK1016", "[Conv2D(4, 3, Padding = (Padding)7)] public partial ConvLayer C { get; }\n" + Tail);
        Assert.Equal("Padding = (Padding)7", At(padding));
        var (custom, _) = Single("NTK1006", "[Conv2D(4, 3, Activation.Custom)] public partial ConvLayer C { get; }\n" + Tail);
        Assert.Equal("Conv2D(4, 3, Activation.Custom)", At(custom));
    }

    // ---- Several independent errors in one model (each once, at its own argument), and no cascades ----

    private static List<(string Id, string Span, string Message)> Errors(string body, string header = Header)
    {
        string source = "using System;\nusing NtkDsl;\nnamespace Demo;\n" + header + "\npublic partial class M\n{\n" + body + "\n}\n";
        var run = GeneratorHarness.Generate(source);
        DiagnosticTests.NoModelCode(run);
        return run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceSpan.Start).Select(d => (d.Id, At(d), d.GetMessage())).ToList();
    }

    [Fact]
    public void ThreeIndependentShapeErrorsAreAllReported()
    {
        var errors = Errors(
            "[Conv2D(4, 9, Padding = Padding.Valid)] public partial ConvLayer C1 { get; }\n" + // 9 > 8: NTK1030 on the kernel size
            "[Conv2D(6, 3)] public partial ConvLayer C2 { get; }\n" +
            "[Add(\"C9\")] public partial Layer A { get; }\n" +                                   // no such layer: NTK1033
            "[Flatten] public partial Layer F { get; }\n" +
            "[AvgPool2D(2)] public partial Layer P { get; }\n" +                                  // after Flatten: NTK1029
            "[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.Equal(new[] { ("NTK1030", "9"), ("NTK1033", "\"C9\""), ("NTK1029", "AvgPool2D(2)") }, errors.Select(e => (e.Id, e.Span)).ToArray());
        Assert.Contains("8×8 pixels (Padding.Valid: no padding); use a window of at most 8", errors[0].Message);
        Assert.Contains("did you mean 'C1'?", errors[1].Message);
        Assert.Contains("needs an image but its input is flat (? features after 'F')", errors[2].Message);
    }

    [Fact]
    public void ErrorsThatFollowOnlyFromAnEarlierOneAreNotReported()
    {
        // C1's window does not fit, so its output size is unknown: the pool's window (which would not fit a 0-pixel
        // image either), the Add of C1 to C2 (same channels) and the Dense on an image of unknown size (maybe 1×1)
        // depend on how C1 is fixed and stay silent.
        var errors = Errors(
            "[Conv2D(4, 9, Padding = Padding.Valid)] public partial ConvLayer C1 { get; }\n" +
            "[AvgPool2D(3, Padding = Padding.Valid)] public partial Layer P { get; }\n" +
            "[Conv2D(4, 3)] public partial ConvLayer C2 { get; }\n" +
            "[Add(nameof(C1))] public partial Layer A { get; }\n" +
            "[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.Equal(new[] { ("NTK1030", "9") }, errors.Select(e => (e.Id, e.Span)).ToArray());
    }

    [Fact]
    public void AnErrorCertainDespiteAnEarlierOneIsReported()
    {
        // C0's channel count is invalid (NTK1031), so the image size after it is unknown; but C1 declares 4 channels and
        // C2 6, so adding C1's output to C2's is wrong whatever C0 becomes. The last layer is not Dense either (NTK1037).
        var errors = Errors(
            "[Conv2D(0, 3)] public partial ConvLayer C0 { get; }\n" +
            "[Conv2D(4, 3)] public partial ConvLayer C1 { get; }\n" +
            "[Conv2D(6, 3)] public partial ConvLayer C2 { get; }\n" +
            "[Add(nameof(C1))] public partial Layer A { get; }\n" +
            "[GlobalAvgPool] public partial Layer Gap { get; }");
        Assert.Equal(new[] { ("NTK1031", "0"), ("NTK1034", "nameof(C1)"), ("NTK1037", "GlobalAvgPool") }, errors.Select(e => (e.Id, e.Span)).ToArray());
        Assert.Contains("'C1' (?×?×4) to activations of shape ?×?×6", errors[1].Message);
    }

    [Fact]
    public void DenseOnAnImageAndALaterErrorAreBothReported()
    {
        // Dense after an 8×8 image is wrong (NTK1032); its output (5 features) is certain, so the Add of the image C to
        // those features is a second, independent error, and the Flatten after it a third.
        var errors = Errors(
            "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n" +
            "[Dense(5)] public partial DenseLayer H { get; }\n" +
            "[Add(nameof(C))] public partial Layer A { get; }\n" +
            "[Flatten] public partial Layer F { get; }\n" +
            "[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.Equal(new[] { ("NTK1032", "Dense(5)"), ("NTK1034", "nameof(C)"), ("NTK1029", "Flatten") }, errors.Select(e => (e.Id, e.Span)).ToArray());
        Assert.Contains("'C' (8×8×4) to activations of shape 5 features", errors[1].Message);
    }

    [Theory]
    [InlineData("[Conv2D(4, 3)] public partial Layer C1 { get; }", "NTK1035", "Layer")]           // Conv2D on a Layer property
    [InlineData("[Conv2D(4, 3)] public partial ConvLayer C1 { get; set; }", "NTK1036", "C1")]     // a setter
    [InlineData("[Conv2D(4, 3)] public partial ConvLayer Cost { get; }", "NTK1012", "Cost")]      // a reserved name
    public void AWrongLayerPropertyDoesNotHideTheShapeErrorsOfTheOthers(string first, string memberId, string memberSpan)
    {
        string name = memberId == "NTK1012" ? "Cost" : "C1";
        // C1's property is wrong, but its arguments (4 channels, 3×3, Same) are certain: C2's window still does not fit
        // the 8×8 image (NTK1030) and the Add of C1's 8×8×4 output to C2's 8×8×6 is still wrong (NTK1034).
        var errors = Errors(first + "\n" +
            "[Conv2D(6, 9, Padding = Padding.Valid)] public partial ConvLayer C2 { get; }\n" +
            "[Conv2D(6, 3)] public partial ConvLayer C3 { get; }\n" +
            "[Add(\"" + name + "\")] public partial Layer A { get; }\n" + Tail);
        Assert.Equal(new[] { (memberId, memberSpan), ("NTK1030", "9"), ("NTK1034", "\"" + name + "\"") }, errors.Select(e => (e.Id, e.Span)).ToArray());
        Assert.Contains("'" + name + "' (8×8×4) to activations of shape ?×?×6", errors[2].Message);
    }

    [Fact]
    public void AWrongDensePropertyDoesNotHideTheShapeErrorsOfTheOthers()
    {
        // H is a Dense layer on a ConvLayer property (NTK1008); it still reads 5 features, so the Flatten after it is
        // wrong whatever the property's type becomes (NTK1029), as is the Dense on the 8×8 image before it (NTK1032).
        var errors = Errors(
            "[Conv2D(4, 3)] public partial ConvLayer C { get; }\n" +
            "[Dense(3)] public partial DenseLayer D { get; }\n" +
            "[Dense(5)] public partial ConvLayer H { get; }\n" +
            "[Flatten] public partial Layer F { get; }\n" +
            "[Dense(2)] public partial DenseLayer Out { get; }");
        Assert.Equal(new[] { ("NTK1032", "Dense(3)"), ("NTK1008", "H"), ("NTK1029", "Flatten") }, errors.Select(e => (e.Id, e.Span)).ToArray());
    }

    [Fact]
    public void AWrongLayerPropertyInAValidChainReportsOnlyItself()
    {
        // The other layers fit: the member error is the only one, and no model code is generated (Errors checks).
        var errors = Errors("[Conv2D(4, 3)] public partial Layer C1 { get; }\n" + Tail);
        Assert.Equal(new[] { ("NTK1035", "Layer") }, errors.Select(e => (e.Id, e.Span)).ToArray());
    }

    [Fact]
    public void AWrongDensePropertyStillCountsTowardsTheParameterLimit()
    {
        // Inputs = 100000; Big (a Dense of 30000 on a wrong type) and Next (30000 → 2) make 100000·30000 + … > int.MaxValue:
        // NTK1015 holds whatever Big's property type becomes.
        var run = GeneratorHarness.Generate("using NtkDsl;\nnamespace Demo;\n[NtkModel(Inputs = 100000)]\npublic partial class M\n{\n"
            + "[Dense(30000)] public partial ConvLayer Big { get; }\n[Dense(2)] public partial DenseLayer Next { get; }\n}\n");
        Assert.Equal(new[] { "NTK1008", "NTK1015" }, run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray());
    }

    // ---- Sizes beyond 32-bit indexing ----

    [Fact]
    public void InputShapeOverflowSaysHowFarToDownsample()
    {
        // 65536·65536·1 = 2^32 values; halving each side gives 2^30 ≤ 2147483647.
        var (d, _) = Single("NTK1028", Tail, "[NtkModel(InputShape = new[] { 65536, 65536, 1 })]");
        Assert.Equal("InputShape = new[] { 65536, 65536, 1 }", At(d));
        Assert.Contains("4294967296 values per row", d.GetMessage());
        Assert.Contains("by at least 2 per side: InputShape = new[] { 32768, 32768, 1 }; layers with more channels than the input need more", d.GetMessage());
    }

    [Fact]
    public void LayerOutputOverflowNamesTheLayerAndTheChannelLimit()
    {
        // 1024·1024 pixels × 4096 channels = 2^32 values; ⌊2147483647 / 1048576⌋ = 2047 channels fit. Reported once, on
        // the layer that makes the tensor too large, not on Wider, which only keeps it so (Single checks there is one).
        var (d, _) = Single("NTK1044", "[Conv2D(4096, 3)] public partial ConvLayer Wide { get; }\n[Conv2D(4096, 3)] public partial ConvLayer Wider { get; }\n" + Tail,
            "[NtkModel(InputShape = new[] { 1024, 1024, 3 })]");
        Assert.Equal("Conv2D(4096, 3)", At(d));
        Assert.Contains("'Wide' ([Conv2D]) outputs 1024×1024×4096 = 4294967296 values", d.GetMessage());
        Assert.Contains("declare at most 2047 channels (it has 1048576 output pixels)", d.GetMessage());
    }
}
