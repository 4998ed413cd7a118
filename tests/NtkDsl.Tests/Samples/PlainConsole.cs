using Spectre.Console;

namespace NtkDsl.Tests.Samples;

/// <summary>A Spectre console without colour or interaction that writes into <paramref name="writer"/>, for the samples' Run methods.</summary>
internal static class PlainConsole
{
    public static IAnsiConsole Into(TextWriter writer, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        return console;
    }
}
