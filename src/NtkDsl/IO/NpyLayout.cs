using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NtkDsl.IO;

/// <summary>Byte-order conversion and the walk between Fortran (column-major) and C (row-major) element order.</summary>
internal static class NpyLayout
{
    /// <summary>The byte order of this machine.</summary>
    public static NpyByteOrder Native => BitConverter.IsLittleEndian ? NpyByteOrder.LittleEndian : NpyByteOrder.BigEndian;

    /// <summary>Reverses the bytes of each element in place.</summary>
    public static void Swap(Span<byte> elements, int itemSize)
    {
        if (itemSize == 8)
        {
            var u = MemoryMarshal.Cast<byte, ulong>(elements);
            BinaryPrimitives.ReverseEndianness(u, u);
        }
        else
        {
            var u = MemoryMarshal.Cast<byte, uint>(elements);
            BinaryPrimitives.ReverseEndianness(u, u);
        }
    }

    /// <summary>
    /// Visits the elements of a row-major array in column-major order: each <see cref="Next"/> returns the row-major
    /// offset of the next element in Fortran order (first index fastest).
    /// </summary>
    internal sealed class FortranCursor
    {
        private readonly long[] _shape;
        private readonly long[] _cStride;
        private readonly long[] _index;
        private long _offset;

        public FortranCursor(ReadOnlySpan<long> shape)
        {
            _shape = shape.ToArray();
            _cStride = new long[_shape.Length];
            _index = new long[_shape.Length];
            long s = 1;
            for (int k = _shape.Length - 1; k >= 0; k--)
            {
                _cStride[k] = s;
                s *= _shape[k];
            }
        }

        /// <summary>Row-major offset of the current element; advances to the next one in column-major order.</summary>
        public long Next()
        {
            long result = _offset;
            for (int k = 0; k < _index.Length; k++)
            {
                if (++_index[k] < _shape[k])
                {
                    _offset += _cStride[k];
                    break;
                }
                _offset -= (_index[k] - 1) * _cStride[k];
                _index[k] = 0;
            }
            return result;
        }
    }
}
