namespace NtkDsl;

/// <summary>Which part of the K × K output block of the NTK is returned (neural-tangents' trace/diagonal axes).</summary>
public enum NtkMode
{
    /// <summary>N1 × N2 matrix of (1/K) Σ_c Θ_cc, the mean over outputs as neural-tangents computes it.</summary>
    Trace = 0,
    /// <summary>N1 × N2 × K × K: every output pair.</summary>
    Full = 1,
    /// <summary>Only Θ(x_i, x_i): a vector of N traced values (requires x2 == null).</summary>
    Diagonal = 2,
    /// <summary>Only Θ(x_i, x_i) with the full K × K block: N × K × K (requires x2 == null).</summary>
    DiagonalFull = 3,
}

/// <summary>Progress of a long kernel computation.</summary>
/// <param name="Stage">What is being computed.</param>
/// <param name="Done">Work units finished.</param>
/// <param name="Total">Work units in all.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct NtkProgress(string Stage, long Done, long Total)
{
    /// <summary>Fraction finished in [0, 1].</summary>
    public double Fraction => Total == 0 ? 1.0 : (double)Done / Total;
}
