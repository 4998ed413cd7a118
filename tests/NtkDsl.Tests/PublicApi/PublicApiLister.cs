using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace NtkDsl.Tests.PublicApi;

/// <summary>
/// Renders an assembly's public surface as sorted text lines, one per type and one per member, so that a baseline
/// file can pin it and a failing comparison reads as a diff. Two lists: what users see (public types and members
/// without <c>[EditorBrowsable(Never)]</c>) and the hidden infrastructure that generated code or NtkDsl.Cuda needs
/// (a type marked Never, or nested in one, and marked members of visible types).
/// </summary>
/// <remarks>
/// Hand-written: the public-API analyzers and ApiCompat tools are not among this repository's served packages, and
/// this needs only reflection. Members are declared-only (inherited ones belong to their declaring type); protected
/// members count on unsealed types; property and event accessors appear as their property or event; nullable
/// reference annotations are not rendered.
/// </remarks>
internal static class PublicApiLister
{
    /// <summary>The lines of the user-visible surface of <paramref name="assembly"/>, sorted ordinally.</summary>
    public static IReadOnlyList<string> Visible(Assembly assembly) => Lines(assembly.GetExportedTypes(), hidden: false);

    /// <summary>The hidden infrastructure types (kind and name) and the hidden members of visible types, sorted ordinally.</summary>
    public static IReadOnlyList<string> Hidden(Assembly assembly) => Lines(assembly.GetExportedTypes(), hidden: true);

    /// <summary>Whether <paramref name="type"/> or a type it is nested in carries <c>[EditorBrowsable(Never)]</c>.</summary>
    public static bool IsHiddenType(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
            if (IsNever(t)) return true;
        return false;
    }

    private static bool IsNever(MemberInfo m) =>
        m.GetCustomAttribute<EditorBrowsableAttribute>()?.State == EditorBrowsableState.Never;

    /// <summary>The lines of <paramref name="types"/> (public ones; others are skipped): visible or hidden ones.</summary>
    internal static List<string> Lines(IEnumerable<Type> types, bool hidden)
    {
        // Sorted by (type name, type line first, member line) so that a type's members follow it.
        var rows = new List<(string Type, int Order, string Line)>();
        foreach (var type in types)
        {
            if (!type.IsVisible) continue;
            string name = Name(type);
            if (name.Contains("+<", StringComparison.Ordinal)) continue;   // compiler-generated (extension blocks' grouping types)
            if (IsHiddenType(type))
            {
                if (hidden) rows.Add((name, 0, TypeLine(type)));
                continue;
            }
            if (!hidden) rows.Add((name, 0, TypeLine(type)));
            foreach (var member in Members(type))
                if (IsNever(member) == hidden) rows.Add((name, 1, name + "::" + MemberLine(type, member)));
        }
        return rows.OrderBy(r => r.Type, StringComparer.Ordinal).ThenBy(r => r.Order).ThenBy(r => r.Line, StringComparer.Ordinal)
            .Select(r => r.Line).ToList();
    }

    private static IEnumerable<MemberInfo> Members(Type type)
    {
        if (typeof(Delegate).IsAssignableFrom(type.BaseType)) yield break;   // the signature is on the type line
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var m in type.GetMembers(flags))
        {
            if (m is Type || m.Name.StartsWith('<')) continue;   // nested types are listed on their own; compiler names
            if (m is FieldInfo { IsSpecialName: true }) continue;  // an enum's value__
            if (m is MethodBase method && (method.IsSpecialName && !method.IsConstructor && !method.Name.StartsWith("op_", StringComparison.Ordinal))) continue;
            if (Visible(type, m)) yield return m;
        }
    }

    private static bool Visible(Type type, MemberInfo m)
    {
        static bool Access(bool isPublic, bool isFamily, bool isFamOrAssem, Type t) =>
            isPublic || (!t.IsSealed && (isFamily || isFamOrAssem));
        return m switch
        {
            MethodBase x => Access(x.IsPublic, x.IsFamily, x.IsFamilyOrAssembly, type),
            FieldInfo x => Access(x.IsPublic, x.IsFamily, x.IsFamilyOrAssembly, type),
            PropertyInfo x => x.GetAccessors(nonPublic: true).Any(a => Visible(type, a)),
            EventInfo x => x.AddMethod is { } add && Visible(type, add),
            _ => false,
        };
    }

    private static string TypeLine(Type type)
    {
        string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : typeof(Delegate).IsAssignableFrom(type.BaseType) ? "delegate"
            : type.IsValueType ? (IsRecord(type) ? "record struct" : "struct") : IsRecord(type) ? "record" : "class";
        var mods = new List<string>();
        if (type.IsValueType && type.GetCustomAttribute<IsReadOnlyAttribute>() is not null) mods.Add("readonly");
        if (type is { IsClass: true, IsAbstract: true, IsSealed: true }) mods.Add("static");
        else if (type is { IsClass: true, IsAbstract: true } && !type.IsInterface) mods.Add("abstract");
        else if (type is { IsClass: true, IsSealed: true } && kind is "class" or "record") mods.Add("sealed");
        var text = new StringBuilder(Name(type)).Append(" [").Append(string.Join(' ', mods.Append(kind)));
        if (kind == "delegate")
        {
            var invoke = type.GetMethod("Invoke")!;
            return text.Append(' ').Append(Name(invoke.ReturnType)).Append(Parameters(invoke)).Append(']').ToString();
        }
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(Name(b));
        if (type.IsEnum) bases.Add(Name(Enum.GetUnderlyingType(type)));
        var inherited = type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Where(i => i.IsVisible && !inherited.Contains(i)).Select(Name).Order(StringComparer.Ordinal));
        if (bases.Count > 0) text.Append(" : ").Append(string.Join(", ", bases));
        return text.Append(']').ToString();
    }

    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$") is not null
        || (type.IsValueType && type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is null
            && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    private static string MemberLine(Type type, MemberInfo m) => m switch
    {
        ConstructorInfo c => Modifiers(c) + "ctor" + Parameters(c),
        MethodInfo x => Modifiers(x) + "method " + Name(x.ReturnType) + " " + x.Name + GenericArguments(x) + Parameters(x),
        PropertyInfo p => Modifiers(p.GetAccessors(nonPublic: true).First(a => Visible(type, a))) + "property " + Name(p.PropertyType) + " "
            + (p.GetIndexParameters().Length > 0 ? "this[" + string.Join(", ", p.GetIndexParameters().Select(Parameter)) + "]" : p.Name)
            + " {" + Accessor(type, p.GetMethod, "get") + Accessor(type, p.SetMethod, IsInit(p.SetMethod) ? "init" : "set") + " }",
        FieldInfo f when type.IsEnum => "value " + f.Name + " = " + Convert.ToString(f.GetRawConstantValue(), CultureInfo.InvariantCulture),
        FieldInfo f => (f.IsFamily || f.IsFamilyOrAssembly ? "protected " : "") + (f.IsLiteral ? "const " : (f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : ""))
            + "field " + Name(f.FieldType) + " " + f.Name + (f.IsLiteral ? " = " + Literal(f.GetRawConstantValue()) : ""),
        EventInfo e => "event " + Name(e.EventHandlerType!) + " " + e.Name,
        _ => m.ToString()!,
    };

    private static string Accessor(Type type, MethodInfo? accessor, string name) =>
        accessor is not null && Visible(type, accessor) ? " " + (accessor.IsFamily || accessor.IsFamilyOrAssembly ? "protected " : "") + name + ";" : "";

    private static bool IsInit(MethodInfo? setter) =>
        setter?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true;

    private static string Modifiers(MethodBase m)
    {
        var s = new StringBuilder();
        if (m.IsFamily || m.IsFamilyOrAssembly) s.Append("protected ");
        if (m.IsStatic) s.Append("static ");
        if (m.IsAbstract && !m.DeclaringType!.IsInterface) s.Append("abstract ");
        else if (m is MethodInfo mi && mi.IsVirtual && !mi.IsFinal && !m.DeclaringType!.IsInterface)
            s.Append(mi.GetBaseDefinition() != mi ? "override " : "virtual ");
        return s.ToString();
    }

    private static string GenericArguments(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m) => "(" + string.Join(", ", m.GetParameters().Select(Parameter)) + ")";

    private static string Parameter(ParameterInfo p)
    {
        var type = p.ParameterType;
        string prefix = "";
        if (type.IsByRef)
        {
            prefix = p.IsOut ? "out " : p.IsIn ? "in " : "ref ";
            type = type.GetElementType()!;
        }
        if (p.GetCustomAttribute<ParamArrayAttribute>() is not null) prefix = "params ";
        var text = prefix + Name(type) + " " + p.Name;
        return p.HasDefaultValue ? text + " = " + Literal(p.RawDefaultValue) : text;
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    /// <summary>C#-like full name: generic arguments in angle brackets, nested types joined by '+', T? for Nullable.</summary>
    public static string Name(Type type)
    {
        if (type.IsGenericParameter) return type.Name;
        if (type.IsArray) return Name(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsPointer) return Name(type.GetElementType()!) + "*";
        if (type.IsByRef) return "ref " + Name(type.GetElementType()!);
        if (Nullable.GetUnderlyingType(type) is { } inner) return Name(inner) + "?";
        string name = type.IsNested ? Name(type.DeclaringType!) + "+" + type.Name
            : (type.Namespace is null ? "" : type.Namespace + ".") + type.Name;
        int tick = name.LastIndexOf('`');
        if (tick >= 0 && tick > name.LastIndexOf('+')) name = name[..tick];
        if (!type.IsGenericType) return name;
        var args = type.GetGenericArguments();
        if (type.IsNested) args = args[type.DeclaringType!.GetGenericArguments().Length..];
        return args.Length == 0 ? name : name + "<" + string.Join(", ", args.Select(Name)) + ">";
    }
}
