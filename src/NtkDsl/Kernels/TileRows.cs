
namespace NtkDsl.Kernels;

/// <summary>
/// Splits the rows of a memory-bound elementwise pass over a tile (accumulating Gram products, writing a result tile)
/// into one contiguous band per core. Small passes run on the calling thread: a pool wake-up costs more than they do.
/// </summary>
internal static class TileRows
{
    /// <summary>Elements (rows × columns) below which a pass stays on the calling thread.</summary>
    internal const long ParallelElements = 1 << 15;

    /// <summary>
    /// Runs <paramref name="body"/>(r0, r1) over bands covering [0, <paramref name="rows"/>). An exception from a band
    /// is rethrown as itself (not wrapped in <see cref="AggregateException"/>).
    /// </summary>
    public static void For(int rows, int columns, Action<int, int> body) => For(rows, columns, parallel: true, body);

    /// <summary>
    /// As <see cref="For(int, int, Action{int, int})"/>; with <paramref name="parallel"/> false the whole pass runs on
    /// the calling thread (a caller that already keeps every core busy, such as the NTK assembly's parallel tiles).
    /// </summary>
    public static void For(int rows, int columns, bool parallel, Action<int, int> body)
    {
        int bands = !parallel || (long)rows * columns < ParallelElements ? 1 : Math.Min(rows, Environment.ProcessorCount);
        if (bands <= 1)
        {
            body(0, rows);
            return;
        }
        ParallelLoop.For(0, bands, b => body(Band(rows, bands, b), Band(rows, bands, b + 1)));
    }

    /// <summary>Start of band <paramref name="b"/> of <paramref name="bands"/> equal bands of <paramref name="rows"/>.</summary>
    internal static int Band(int rows, int bands, int b) => (int)((long)rows * b / bands);
}
