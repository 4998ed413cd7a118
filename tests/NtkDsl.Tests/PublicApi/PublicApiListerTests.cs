using System.ComponentModel;

namespace NtkDsl.Tests.PublicApi;

/// <summary>
/// The lister behind the public-API pin, on fixture types whose expected lines are written out by hand here: what is
/// listed (public types and members, enum values, delegate signatures), what is hidden (a type marked
/// <c>[EditorBrowsable(Never)]</c>, the types nested in it, a marked member of a visible type) and what is left out
/// (internal types and members).
/// </summary>
public sealed class PublicApiListerTests
{
    private const string P = "NtkDsl.Tests.PublicApi.PublicApiListerTests";

    private static readonly Type[] Fixture =
        [typeof(Widget), typeof(Plumbing), typeof(Plumbing.Inner), typeof(Mode), typeof(Secret), typeof(Measure)];

    [Fact]
    public void VisibleLinesAreTheUserFacingTypesAndMembers()
    {
        string[] expected =
        [
            P + "+Measure [delegate System.Int32(" + P + "+Widget w)]",
            P + "+Mode [enum : System.Int32]",
            P + "+Mode::value Off = 0",
            P + "+Mode::value On = 2",
            P + "+Widget [sealed class : System.IDisposable]",
            P + "+Widget::const field System.Int32 Limit = 3",
            P + "+Widget::ctor(System.Int32 size, System.String name = null)",
            P + "+Widget::method System.Void Dispose()",
            P + "+Widget::method T First<T>(System.Collections.Generic.IReadOnlyList<T> items)",
            P + "+Widget::property System.Int32 Size { get; }",
            P + "+Widget::property System.String Label { get; init; }",
            P + "+Widget::static method " + P + "+Widget Create(ref System.Double total, params System.Int32[] sizes)",
        ];
        Assert.Equal(expected, PublicApiLister.Lines(Fixture, hidden: false));
    }

    [Fact]
    public void HiddenLinesAreTheMarkedTypesTheirNestedTypesAndMarkedMembers()
    {
        string[] expected =
        [
            P + "+Plumbing [static class]",
            P + "+Plumbing+Inner [sealed class]",
            P + "+Widget::method System.Void ForGeneratedCode()",
        ];
        Assert.Equal(expected, PublicApiLister.Lines(Fixture, hidden: true));
    }

    public sealed class Widget : IDisposable
    {
        public const int Limit = 3;

        public Widget(int size, string? name = null)
        {
            Size = size;
            Label = name ?? "";
        }

        public int Size { get; }

        public string Label { get; init; }

        public static Widget Create(ref double total, params int[] sizes)
        {
            total += sizes.Length;
            return new Widget(sizes.Length);
        }

        public T First<T>(IReadOnlyList<T> items) => items[Size - Size];

        public void Dispose() { }

        [EditorBrowsable(EditorBrowsableState.Never)]
        public void ForGeneratedCode() { }

        internal void NotPublic() { }
    }

    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Plumbing
    {
        public static void Run() { }

        public sealed class Inner;
    }

    public enum Mode { Off = 0, On = 2 }

    internal sealed class Secret;

    public delegate int Measure(Widget w);
}
