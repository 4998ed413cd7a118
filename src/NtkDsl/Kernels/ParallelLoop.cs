using System.Runtime.ExceptionServices;

namespace NtkDsl.Kernels;

/// <summary>
/// <see cref="Parallel.For(int, int, Action{int})"/> that rethrows the first exception of the loop body as itself, with
/// its stack trace, instead of an <see cref="AggregateException"/> — also when loops nest (a DualActivationException
/// from a table built inside a parallel pair loop reaches the caller as DualActivationException). Every parallel loop
/// of the library goes through here so the documented exception types hold.
/// </summary>
internal static class ParallelLoop
{
    public static void For(int from, int to, Action<int> body) => Run(() => Parallel.For(from, to, body));

    public static void For(int from, int to, ParallelOptions options, Action<int> body) => Run(() => Parallel.For(from, to, options, body));

    public static void For<TLocal>(int from, int to, Func<TLocal> init, Func<int, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> final)
        => Run(() => Parallel.For(from, to, init, body, final));

    public static void For<TLocal>(int from, int to, ParallelOptions options, Func<TLocal> init, Func<int, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> final)
        => Run(() => Parallel.For(from, to, options, init, body, final));

    public static void For<TLocal>(long from, long to, ParallelOptions options, Func<TLocal> init, Func<long, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> final)
        => Run(() => Parallel.For(from, to, options, init, body, final));

    /// <summary>Runs <paramref name="body"/>; an AggregateException (nested ones flattened) is replaced by its first inner exception.</summary>
    public static void Run(Action body)
    {
        try
        {
            body();
        }
        catch (AggregateException e)
        {
            var inner = e.Flatten().InnerExceptions;
            if (inner.Count == 0) throw;
            ExceptionDispatchInfo.Capture(inner[0]).Throw();
        }
    }
}
