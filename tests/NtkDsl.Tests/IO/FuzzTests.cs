using NtkDsl.IO;

namespace NtkDsl.Tests.IO;

/// <summary>
/// Feeds seeded random and mutated byte strings to the readers: only the documented exception types may escape,
/// and no input may hang (each read runs under a generous watchdog; this is a hang detector, not a timing test).
/// </summary>
public sealed class FuzzTests
{
    private const string Syntax = "{}()[]',: -0123456789LTF\n";
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(20);

    private static byte[] Mutate(Random rng, byte[] seed, int headerEnd)
    {
        var b = (byte[])seed.Clone();
        switch (rng.Next(8))
        {
            case 0: // flip bits anywhere
                for (int i = rng.Next(1, 4); i > 0; i--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1: // overwrite a header byte with a random or a syntax character
                b[rng.Next(Math.Min(headerEnd, b.Length))] = rng.Next(2) == 0 ? (byte)rng.Next(256) : (byte)Syntax[rng.Next(Syntax.Length)];
                return b;
            case 2: // truncate
                return b[..rng.Next(b.Length)];
            case 3: // append junk
                return [.. b, .. RandomBytes(rng, rng.Next(1, 40))];
            case 4: // insert bytes in the header
            {
                int at = rng.Next(Math.Min(headerEnd, b.Length));
                return [.. b[..at], .. RandomBytes(rng, rng.Next(1, 6)), .. b[at..]];
            }
            case 5: // delete a header range
            {
                int at = rng.Next(Math.Min(headerEnd, b.Length));
                int len = rng.Next(1, 8);
                return [.. b[..at], .. b[Math.Min(b.Length, at + len)..]];
            }
            case 6: // corrupt a length field with an extreme value
            {
                int at = rng.Next(6, 16);
                if (at < b.Length) b[at] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0;
                return b;
            }
            default: // pure noise, sometimes behind a valid magic string
                var noise = RandomBytes(rng, rng.Next(0, 200));
                if (rng.Next(2) == 0 && noise.Length > 12) seed.AsSpan(0, 8).CopyTo(noise);
                return noise;
        }
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static void Run(Action read, Func<Exception, bool> documented, string what)
    {
        var task = Task.Run(() =>
        {
            try { read(); }
            catch (Exception e) when (documented(e)) { }
        });
        Assert.True(task.Wait(Watchdog), $"A read did not finish within {Watchdog}: {what}");
    }

    [Fact]
    public void NpyReaderOnlyThrowsNpyFormatException()
    {
        var rng = new Random(20240607);
        var t = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => i * 1.5).ToArray(), 2, 3, 4);
        var seeds = new List<byte[]>();
        foreach (var v in new[] { NpyVersion.Version1, NpyVersion.Version2, NpyVersion.Version3 })
            foreach (bool fortran in new[] { false, true })
            {
                var ms = new MemoryStream();
                NpyFile.Write(ms, rng.Next(2) == 0 ? t : t.To(DType.Float32), new NpyWriteOptions { Version = v, FortranOrder = fortran, ByteOrder = (NpyByteOrder)rng.Next(2) });
                seeds.Add(ms.ToArray());
            }
        int accepted = 0;
        for (int i = 0; i < 3000; i++)
        {
            var seed = seeds[rng.Next(seeds.Count)];
            var input = Mutate(rng, seed, 64);
            bool seekable = rng.Next(4) != 0;
            Run(() =>
            {
                var s = new MemoryStream(input);
                var result = NpyFile.Read(seekable ? s : new NonSeekableStream(s));
                Assert.Equal(result.Length, result.ToFlatArray().Length);
                Interlocked.Increment(ref accepted);
            }, e => e is NpyFormatException, Convert.ToHexString(input));
        }
        Assert.InRange(accepted, 1, 2999); // some mutations stay valid (e.g. flips in data bytes), most do not
    }

    [Fact]
    public void CheckpointReaderOnlyThrowsCheckpointExceptions()
    {
        var rng = new Random(777);
        var m = CheckpointTests.Mlp(hidden: 3);
        using var dir = new TempDir();
        string path = dir.File("seed.ckpt");
        Checkpoint.Save(path, m, CheckpointTests.Params(m));
        byte[] seed = File.ReadAllBytes(path);
        int headerEnd = seed.Length - 8 * m.ParameterCount - 32;
        int accepted = 0;
        for (int i = 0; i < 2000; i++)
        {
            var input = Mutate(rng, seed, headerEnd);
            Run(() =>
            {
                var p = Checkpoint.Load(new MemoryStream(input), "fuzz", m);
                // The checksum admits only inputs the mutation left unchanged (e.g. a byte overwritten by itself).
                Assert.Equal(seed, input);
                Assert.Equal(m.ParameterCount, p.Length);
                Interlocked.Increment(ref accepted);
            }, e => e is CheckpointCorruptException or CheckpointMismatchException, Convert.ToHexString(input));
        }
        Assert.InRange(accepted, 0, 1000); // most mutations change bytes and must be rejected
    }
}
