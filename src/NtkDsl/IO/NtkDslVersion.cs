using System.Reflection;

namespace NtkDsl.IO;

/// <summary>The version of the NtkDsl assembly, as recorded in checkpoints and result files.</summary>
internal static class NtkDslVersion
{
    /// <summary>The informational version (falls back to the assembly version).</summary>
    public static string Current { get; } = Compute();

    private static string Compute()
    {
        var asm = typeof(Tensor).Assembly;
        string? info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(info))
        {
            int plus = info.IndexOf('+', StringComparison.Ordinal);
            return plus > 0 ? info[..plus] : info;
        }
        return asm.GetName().Version?.ToString() ?? "unknown";
    }
}
