using NtkDsl.Kernels;

namespace NtkDsl.Tests.Kernels;

/// <summary>
/// <see cref="NtkAssembler"/> in Trace mode on hand-built features, against a double loop written here from math.md §2:
/// Θ(i, j) = (1/K)·Σ_l D_l(i, j)·(w_W·⟨a_l(i), a_l(j)⟩ + w_B·c_B²) with D_l = ⟨δ_l(i), δ_l(j)⟩ (General, Reduced and
/// Diagonal deltas) or K (Unit). 1,100 rows make three 512-row tiles (a partial one too), so the symmetric kernel runs
/// the lower-triangle SYRKs of the diagonal tiles, the full products of the others and the mirror; the asymmetric
/// kernel runs full products everywhere. Every entry is compared, and the symmetric kernel must be exactly symmetric.
/// </summary>
public sealed class NtkAssemblyTests
{
    private const int K = 3;

    private static NtkFeatures<double> Features(int rows, int seed)
    {
        var layers = new LayerFeatures<double>[]
        {
            new(rows, 5, 7, K, DeltaForm.General, 0.5, true, 0, 1),
            new(rows, 7, 4, K, DeltaForm.Reduced, 1.0, false, 2, -1),
            new(rows, 4, K, K, DeltaForm.Diagonal, 1.5, true, 3, 4),
            new(rows, 4, K, K, DeltaForm.Unit, 2.0, true, 5, 6),
        };
        var s = new NormalSampler(seed);
        foreach (var l in layers)
        {
            s.FillNormal(l.Inputs, 1.0);
            s.FillNormal(l.Deltas, 1.0);
        }
        return new NtkFeatures<double>(rows, K, layers);
    }

    private static readonly double[] Weights = [1.0, 0.5, 2.0, 1.0, 0.25, 1.5, 0.75];

    private static (double Value, double Abs) Reference(NtkFeatures<double> f1, NtkFeatures<double> f2, int i, int j)
    {
        double sum = 0, abs = 0;
        foreach (var (l1, l2) in f1.Layers.Zip(f2.Layers))
        {
            double d = l1.Form == DeltaForm.Unit ? K : Dot(l1.Deltas, l2.Deltas, l1.DeltaWidth, i, j, out _);
            double a = Dot(l1.Inputs, l2.Inputs, l1.InputWidth, i, j, out double aAbs);
            Dot(l1.Deltas, l2.Deltas, l1.DeltaWidth, i, j, out double dAbs);
            if (l1.Form == DeltaForm.Unit) dAbs = K;
            double wB = l1.HasBias ? Weights[l1.BiasGroup] * l1.BiasScale * l1.BiasScale : 0.0;
            sum += d * (Weights[l1.WeightGroup] * a + wB);
            abs += dAbs * (Weights[l1.WeightGroup] * aAbs + wB);
        }
        return (sum / K, abs / K);
    }

    private static double Dot(double[] x, double[] y, int width, int i, int j, out double abs)
    {
        double s = 0;
        abs = 0;
        for (int p = 0; p < width; p++)
        {
            double t = x[i * width + p] * y[j * width + p];
            s += t;
            abs += Math.Abs(t);
        }
        return s;
    }

    private static double[] Assemble(NtkFeatures<double> f1, NtkFeatures<double>? f2) =>
        NtkAssembler.Assemble(f1, f2, NtkMode.Trace, 1, new int[Weights.Length], Weights, null, CancellationToken.None)[0].ToFlatArray();

    [Fact]
    public void SymmetricTraceKernelMatchesTheDoubleLoopAndIsExactlySymmetric()
    {
        const int n = 1100;
        var f = Features(n, 40);
        var theta = Assemble(f, null);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                var (e, abs) = Reference(f, f, i, j);
                double got = theta[i * n + j];
                Assert.True(Math.Abs(got - e) <= 1e-13 * abs + 1e-300, $"Θ[{i},{j}] = {got:R}, expected {e:R} (scale {abs:E2})");
                Assert.Equal(got, theta[j * n + i]);
            }
    }

    [Fact]
    public void TraceKernelOfTwoBatchesMatchesTheDoubleLoop()
    {
        const int n1 = 1100, n2 = 530;
        var f1 = Features(n1, 41);
        var f2 = Features(n2, 42);
        var theta = Assemble(f1, f2);
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < n2; j++)
            {
                var (e, abs) = Reference(f1, f2, i, j);
                double got = theta[i * n2 + j];
                Assert.True(Math.Abs(got - e) <= 1e-13 * abs + 1e-300, $"Θ[{i},{j}] = {got:R}, expected {e:R} (scale {abs:E2})");
            }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 3)]
    [InlineData(2, 1)]
    [InlineData(7, 0)]
    public void TinyBatchesMatchTheDoubleLoop(int n1, int n2)
    {
        var f1 = Features(n1, 43);
        var f2 = n2 == 0 ? null : Features(n2, 44);
        var theta = Assemble(f1, f2);
        int cols = n2 == 0 ? n1 : n2;
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < cols; j++)
            {
                var (e, abs) = Reference(f1, f2 ?? f1, i, j);
                Assert.True(Math.Abs(theta[i * cols + j] - e) <= 1e-13 * abs + 1e-300, $"Θ[{i},{j}] = {theta[i * cols + j]:R}, expected {e:R}");
            }
    }

    [Fact]
    public void PerGroupOutputsSumToTheKernelAndEachMatchesItsTerm()
    {
        // One output per group: the weight and bias accumulators of a layer are different arrays (with every group in
        // one output they are the same array, checked once).
        const int n = 530;
        var f = Features(n, 45);
        int groups = Weights.Length;
        var perGroup = NtkAssembler.Assemble(f, null, NtkMode.Trace, groups, Enumerable.Range(0, groups).ToArray(), Weights, null, CancellationToken.None)
            .Select(t => t.ToFlatArray()).ToArray();
        var total = Assemble(f, null);
        var rnd = new Random(5);
        for (int s = 0; s < 400; s++)
        {
            int i = rnd.Next(n), j = rnd.Next(n);
            double sum = 0;
            for (int g = 0; g < groups; g++) sum += perGroup[g][i * n + j];
            var (e, abs) = Reference(f, f, i, j);
            Assert.True(Math.Abs(sum - e) <= 1e-13 * abs + 1e-300, $"Σ_g Θ^g[{i},{j}] = {sum:R}, expected {e:R}");
            Assert.True(Math.Abs(total[i * n + j] - e) <= 1e-13 * abs + 1e-300);
            // Group 0 is the weights of layer 0 alone: (1/K)·w₀·⟨a, a'⟩·⟨δ, δ'⟩.
            var l0 = f.Layers[0];
            double a = 0, d = 0, aAbs = 0, dAbs = 0;
            for (int p = 0; p < l0.InputWidth; p++) { a += l0.Inputs[i * l0.InputWidth + p] * l0.Inputs[j * l0.InputWidth + p]; aAbs += Math.Abs(l0.Inputs[i * l0.InputWidth + p] * l0.Inputs[j * l0.InputWidth + p]); }
            for (int p = 0; p < l0.DeltaWidth; p++) { d += l0.Deltas[i * l0.DeltaWidth + p] * l0.Deltas[j * l0.DeltaWidth + p]; dAbs += Math.Abs(l0.Deltas[i * l0.DeltaWidth + p] * l0.Deltas[j * l0.DeltaWidth + p]); }
            double e0 = Weights[0] * a * d / K;
            Assert.True(Math.Abs(perGroup[0][i * n + j] - e0) <= 1e-13 * Weights[0] * aAbs * dAbs / K + 1e-300, $"Θ^0[{i},{j}]");
        }
    }

    [Fact]
    public void PhaseTimesAreCollectedWhileEnabled()
    {
        var f = Features(600, 46);
        NtkPhaseTimes.Start();
        Assemble(f, null);
        var phases = NtkPhaseTimes.Stop();
        Assert.Equal(Enum.GetNames<NtkPhaseTimes.Phase>().Length - 1, phases.Length);
        Assert.All(phases, p => Assert.True(p.Seconds >= 0, p.Name));
        Assert.True(phases.Single(p => p.Name == "DeltaGram").Seconds > 0, "the delta Grams were timed");
        Assert.False(NtkPhaseTimes.Enabled);
    }
}
