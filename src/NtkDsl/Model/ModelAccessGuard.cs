using System.Globalization;

namespace NtkDsl;

/// <summary>
/// Detects concurrent mutation of one model instance and throws <see cref="ConcurrentModelAccessException"/> instead
/// of letting a computation read half-old, half-new parameters. Every generated model holds one: its readers
/// (<c>Forward</c>, <c>Jvp</c>, <c>Vjp</c>, <c>GetParameters</c>, <c>Ntk</c>, <c>NtkPerGroup</c>, <c>Wntk</c>,
/// <c>Jacobian</c>) enter a read scope, <c>SetParameters</c> a write scope, and <see cref="Training.Trainer"/> an
/// exclusive scope for its whole run.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>
/// <para>The contract it enforces: any number of threads may read one model at the same time; a write excludes
/// every other read and write; an exclusive scope (a trainer's run, which alternates writes and reads) excludes every
/// other thread, while its own thread reads and writes freely. A call that would break this throws at once, naming
/// the member that is running, on which thread, and what to do (a <c>Clone()</c> per thread, or a lock).</para>
/// <para>Not detected: writes through the spans of <see cref="DenseLayer.Weights"/> and <see cref="DenseLayer.Bias"/>,
/// which share the model's storage without going through <c>SetParameters</c>. The check costs one uncontended lock
/// per call. Thread safety: all members are safe to call from any thread (that is the point).</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class ModelAccessGuard
{
    private readonly object _gate = new();
    private readonly string _model;
    private int _readers;
    private string? _reader;
    private int _readerThread;
    private int _writerThread;
    private string? _writer;
    private int _ownerThread;
    private int _ownerDepth;
    private string? _owner;

    /// <summary>A guard for the model named <paramref name="modelName"/> (generated code creates one per instance).</summary>
    public ModelAccessGuard(string modelName) => _model = modelName ?? throw new ArgumentNullException(nameof(modelName));

    /// <summary>Enters a read of the parameters by <paramref name="member"/>; dispose the scope when done.</summary>
    /// <exception cref="ConcurrentModelAccessException">Another thread is writing, or owns the model exclusively.</exception>
    public Scope EnterRead(string member)
    {
        int me = Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            if (_writerThread != 0)
                throw Conflict(member, _writer!, _writerThread, "reading parameters while they are replaced returns a mix of old and new values");
            if (_ownerThread != 0 && _ownerThread != me)
                throw Conflict(member, _owner!, _ownerThread, "the model's parameters change between its calls");
            _readers++;
            _reader = member;
            _readerThread = me;
        }
        EnteredForTesting?.Invoke(member);
        return new Scope(this, ScopeKind.Read);
    }

    /// <summary>Enters a write of the parameters by <paramref name="member"/>; dispose the scope when done.</summary>
    /// <exception cref="ConcurrentModelAccessException">Another call is reading or writing, or another thread owns the model.</exception>
    public Scope EnterWrite(string member)
    {
        int me = Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            if (_writerThread != 0)
                throw Conflict(member, _writer!, _writerThread, "two writes at once leave parameters from both");
            if (_readers > 0)
                throw Conflict(member, _reader!, _readerThread, "replacing parameters during a computation tears its result");
            if (_ownerThread != 0 && _ownerThread != me)
                throw Conflict(member, _owner!, _ownerThread, "the owner's next step would use these parameters");
            _writerThread = me;
            _writer = member;
        }
        EnteredForTesting?.Invoke(member);
        return new Scope(this, ScopeKind.Write);
    }

    /// <summary>
    /// Makes the calling thread the model's only user until the scope is disposed (nested scopes on the same thread
    /// are allowed): what a training run needs, since it alternates <c>SetParameters</c> with computations.
    /// </summary>
    /// <exception cref="ConcurrentModelAccessException">Another thread owns the model or is reading or writing it.</exception>
    public Scope EnterExclusive(string owner)
    {
        int me = Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            if (_ownerThread != 0 && _ownerThread != me)
                throw Conflict(owner, _owner!, _ownerThread, "two training runs on one model interleave their steps");
            if (_ownerThread == 0)
            {
                if (_writerThread != 0 && _writerThread != me)
                    throw Conflict(owner, _writer!, _writerThread, "two writers at once leave parameters from both");
                if (_readers > 0 && _readerThread != me)
                    throw Conflict(owner, _reader!, _readerThread, "training would replace the parameters under that computation");
                _ownerThread = me;
                _owner = owner;
            }
            _ownerDepth++;
            return new Scope(this, ScopeKind.Exclusive);
        }
    }

    /// <summary>
    /// Enters an exclusive scope on <paramref name="model"/> when it has a guard (it implements
    /// <see cref="IAccessGuardedModel"/>); otherwise returns an empty scope.
    /// </summary>
    public static Scope Exclusive(IDifferentiableModel model, string owner)
    {
        ArgumentNullException.ThrowIfNull(model);
        return (model as IAccessGuardedModel)?.AccessGuard?.EnterExclusive(owner) ?? default;
    }

    /// <summary>Test hook: runs on the calling thread right after a read or write scope is entered (to hold a call "in flight").</summary>
    internal Action<string>? EnteredForTesting { get; set; }

    private void Exit(ScopeKind kind)
    {
        lock (_gate)
        {
            switch (kind)
            {
                case ScopeKind.Read:
                    if (--_readers == 0) _reader = null;
                    break;
                case ScopeKind.Write:
                    _writerThread = 0;
                    _writer = null;
                    break;
                case ScopeKind.Exclusive:
                    if (--_ownerDepth == 0)
                    {
                        _ownerThread = 0;
                        _owner = null;
                    }
                    break;
            }
        }
    }

    private ConcurrentModelAccessException Conflict(string member, string running, int thread, string why)
        => new(string.Create(CultureInfo.InvariantCulture,
            $"{_model}: {member} was called on thread {Environment.CurrentManagedThreadId} while {running} is running on thread {thread} on the same instance; {why}. A model instance may be read by many threads at once, but a write (SetParameters) or a training run needs it alone: give each thread its own copy (model.Clone()) or serialize the calls with a lock."));

    internal enum ScopeKind
    {
        None,
        Read,
        Write,
        Exclusive,
    }

    /// <summary>An entered read, write or exclusive scope; disposing it leaves the scope (once).</summary>
    public struct Scope : IDisposable
    {
        private ModelAccessGuard? _guard;
        private readonly ScopeKind _kind;

        internal Scope(ModelAccessGuard guard, ScopeKind kind)
        {
            _guard = guard;
            _kind = kind;
        }

        /// <summary>Leaves the scope.</summary>
        public void Dispose()
        {
            var g = _guard;
            _guard = null;
            g?.Exit(_kind);
        }
    }
}

/// <summary>
/// Thrown when one model instance is mutated concurrently (see <see cref="ModelAccessGuard"/>): <c>SetParameters</c>
/// during a computation on another thread, two training runs at once, or any call from another thread during a run.
/// </summary>
/// <remarks>Thread safety: an immutable exception object, safe to read from any thread.</remarks>
public sealed class ConcurrentModelAccessException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ConcurrentModelAccessException(string message) : base(message) { }
}
