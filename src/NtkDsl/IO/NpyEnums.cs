namespace NtkDsl.IO;

/// <summary>Byte order of the elements in a .npy file.</summary>
public enum NpyByteOrder
{
    /// <summary>Little-endian (<c>'&lt;'</c> in the dtype string); what NumPy writes on x86 and ARM.</summary>
    LittleEndian = 0,
    /// <summary>Big-endian (<c>'&gt;'</c> in the dtype string).</summary>
    BigEndian = 1,
}

/// <summary>The .npy format version to write.</summary>
public enum NpyVersion
{
    /// <summary>Version 1.0 when the header fits its 2-byte length field, otherwise 2.0 (what NumPy does).</summary>
    Auto = 0,
    /// <summary>Version 1.0: 2-byte header length, latin-1 header.</summary>
    Version1 = 1,
    /// <summary>Version 2.0: 4-byte header length, latin-1 header.</summary>
    Version2 = 2,
    /// <summary>Version 3.0: 4-byte header length, UTF-8 header.</summary>
    Version3 = 3,
}
