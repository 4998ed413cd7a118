using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using NtkDsl.Generators.Model;

namespace NtkDsl.Generators.Emit;

/// <summary>
/// The one place where names become C# text or hint names. Every user-derived identifier the emitter writes goes
/// through <see cref="Identifier"/>; every generated non-public member starts with <see cref="Reserved"/>, a prefix
/// the parser forbids in user member names (NTK1012/NTK1026), so generated and user names cannot collide.
/// </summary>
internal static class Names
{
    /// <summary>Prefix of every generated private member and nested type (users may not declare names starting with it).</summary>
    public const string Reserved = "__ntk";

    /// <summary>A symbol name (as Roslyn stores it: without '@') as a C# identifier: keywords get '@'.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A dotted namespace of raw names as C# text (each part escaped).</summary>
    public static string Namespace(string dotted) => string.Join(".", dotted.Split('.').Select(Identifier));

    /// <summary>Whether a user-declared name would be taken by a generated private member.</summary>
    public static bool IsReserved(string name) => name.StartsWith(Reserved, System.StringComparison.Ordinal);

    /// <summary>
    /// The hint-name stem of a model, unique by construction even on case-insensitive file systems (Roslyn compares hint
    /// names ignoring case): the raw dotted name (namespace parts, then each type's name with "`arity" when generic)
    /// with every character outside [A-Za-z0-9] encoded ('_' as "__", others as "_x{code}_"), then one segment
    /// "n{namespace parts}c{case bits}" holding how many parts are namespaces (so namespace A.B and class A.B differ)
    /// and the upper/lower case of every ASCII letter as hex bits (so Mlp and MLP differ), and "r" for a record. The
    /// encoding is decodable, so distinct declarations never share a stem.
    /// </summary>
    public static string HintStem(string? ns, IEnumerable<ContainingType> types, bool record = false)
    {
        var parts = new List<string>();
        if (ns is not null) parts.AddRange(ns.Split('.'));
        int namespaceParts = parts.Count;
        parts.AddRange(types.Select(t => t.TypeParameters.Length == 0 ? t.Name : t.Name + "`" + (t.TypeParameters.Split(',').Length)));
        var sb = new StringBuilder();
        var bits = new List<bool>();
        foreach (var part in parts)
        {
            if (sb.Length > 0) sb.Append('.');
            foreach (char ch in part)
            {
                if (ch is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
                {
                    sb.Append(ch);
                    bits.Add(ch <= 'Z');
                }
                else if (ch is >= '0' and <= '9') sb.Append(ch);
                else if (ch == '_') sb.Append("__");
                else sb.Append("_x").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture)).Append('_');
            }
        }
        sb.Append(".n").Append(namespaceParts.ToString(CultureInfo.InvariantCulture)).Append('c');
        for (int i = 0; i < bits.Count; i += 4)
        {
            int nibble = 0;
            for (int j = 0; j < 4; j++) nibble = nibble * 2 + (i + j < bits.Count && bits[i + j] ? 1 : 0);
            sb.Append("0123456789abcdef"[nibble]);
        }
        if (record) sb.Append('r');
        return sb.ToString();
    }

    /// <summary>The hint-name stem of a generated model (non-generic by construction).</summary>
    public static string HintStem(ModelSpec model) =>
        HintStem(model.Namespace, model.ContainingTypes.Concat(new[] { new ContainingType("", model.ClassName) }));
}
