using System.Text.RegularExpressions;

namespace NtkDsl.Cuda.Kernels;

/// <summary>
/// The parameter types of an <c>extern "C" __global__</c> kernel read from its CUDA C text, so that a launch whose
/// arguments do not match (a double passed for a float, a float buffer for a double*) is refused with the parameter
/// named, instead of the kernel reading the wrong bytes. Codes: d double, f float, i int, u unsigned, l 64-bit
/// integer; pointers D double*, F float*, I int*; ? a type this check does not know (not checked).
/// </summary>
internal static partial class KernelSignature
{
    /// <summary>(name, code) per parameter, or null when the kernel's declaration is not found.</summary>
    public static IReadOnlyList<(string Name, char Code)>? Parse(string source, string kernel)
    {
        foreach (Match m in Declaration().Matches(source))
        {
            if (m.Groups[1].Value != kernel) continue;
            var text = m.Groups[2].Value.Trim();
            if (text.Length == 0 || text == "void") return [];
            var list = new List<(string, char)>();
            foreach (var raw in text.Split(','))
            {
                var p = Regex.Replace(raw, @"\b(const|volatile|__restrict__|__restrict|restrict)\b", " ").Trim();
                bool pointer = p.Contains('*', StringComparison.Ordinal);
                var tokens = p.Replace("*", " * ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string name = tokens.Length > 0 ? tokens[^1] : "?";
                string type = string.Join(' ', tokens.Take(tokens.Length - 1).Where(t => t != "*"));
                char code = (pointer, type) switch
                {
                    (true, "double") => 'D',
                    (true, "float") => 'F',
                    (true, "int") => 'I',
                    (false, "double") => 'd',
                    (false, "float") => 'f',
                    (false, "int") => 'i',
                    (false, "unsigned" or "unsigned int") => 'u',
                    (false, "long long" or "long long int" or "unsigned long long" or "int64_t" or "uint64_t" or "size_t" or "long") => 'l',
                    _ => '?',
                };
                list.Add((name, code));
            }
            return list;
        }
        return null;
    }

    /// <summary>Whether an argument of code <paramref name="arg"/> fits a parameter of code <paramref name="param"/>.</summary>
    public static bool Fits(char param, char arg) => param == '?' || param == arg || (param == 'u' && arg == 'i');

    public static string Describe(char code) => code switch
    {
        'd' => "double", 'f' => "float", 'i' => "int", 'u' => "unsigned", 'l' => "long long",
        'D' => "double*", 'F' => "float*", 'I' => "int*", _ => "?",
    };

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?void\s+([A-Za-z_]\w*)\s*\(([^)]*)\)")]
    private static partial Regex Declaration();
}
