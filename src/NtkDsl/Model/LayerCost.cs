namespace NtkDsl;

/// <summary>Static figures of one layer.</summary>
/// <param name="Name">Layer (property) name.</param>
/// <param name="FanIn">Input width m.</param>
/// <param name="Width">Output width n.</param>
/// <param name="Parameters">Weights and biases: m·n (+ n).</param>
/// <param name="ForwardFlopsPerExample">Forward flops for one example: 2·m·n for the GEMM, 2·n for the bias, n for the activation (none for Identity).</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record LayerCost(string Name, int FanIn, int Width, long Parameters, long ForwardFlopsPerExample);
