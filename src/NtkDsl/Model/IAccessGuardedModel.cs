namespace NtkDsl;

/// <summary>
/// A model that detects concurrent mutation of itself through a <see cref="ModelAccessGuard"/>: generated models and
/// <see cref="Training.LinearizedModel"/> implement it (explicitly), and <see cref="ModelAccessGuard.Exclusive"/>
/// (used by <see cref="Training.Trainer"/>) holds the guard exclusively for a run. Kept apart from
/// <see cref="IDifferentiableModel"/> so that the user-visible interface names no infrastructure type.
/// <para>Infrastructure for generated code; not part of the supported API.</para>
/// </summary>
/// <remarks>Thread safety: the guard is safe to use from any thread (that is its point).</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IAccessGuardedModel
{
    /// <summary>The guard of this instance (never null).</summary>
    ModelAccessGuard AccessGuard { get; }
}
