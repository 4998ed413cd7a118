using NtkDsl.Dynamics;
using NtkDsl.Tests.Training;
using NtkDsl.Training;
using static NtkDsl.Tests.Training.TrainingData;

namespace NtkDsl.Tests.Threading;

/// <summary>
/// Issue 13 item 11: mutating one model from two threads throws <see cref="ConcurrentModelAccessException"/> instead
/// of tearing results. Real threads, made deterministic with barriers: the first thread is held inside its call (by
/// the guard's test hook, or a trainer's record callback) while the second one acts.
/// </summary>
public sealed class ConcurrentModelAccessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="first"/> on a new thread and, once it is held inside the model, <paramref name="second"/> here.</summary>
    private static T WhileHeld<T>(Func<Barrier, T> first, Action second)
    {
        using var barrier = new Barrier(2);
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = first(barrier); }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        try
        {
            Assert.True(barrier.SignalAndWait(Wait), "the first thread never reached the model");
            second();
        }
        finally
        {
            barrier.SignalAndWait(Wait);
            thread.Join();
        }
        if (error is not null) throw new InvalidOperationException("the first thread failed", error);
        return result;
    }

    private static void HoldOn(INtkModel model, string member, int thread, Barrier barrier)
        => ((IAccessGuardedModel)model).AccessGuard.EnteredForTesting = m =>
        {
            if (m != member || Environment.CurrentManagedThreadId != thread) return;
            barrier.SignalAndWait(Wait);
            barrier.SignalAndWait(Wait);
        };

    [Fact]
    public void SetParametersDuringForwardOnAnotherThreadThrowsAndTheForwardIsNotTorn()
    {
        var model = new TrainTanh(1);
        var x = X(50, 2);
        var reference = model.Forward(x).ToFlatArray();
        var changed = model.GetParameters().Select(v => v + 1).ToArray();
        var outputs = WhileHeld(barrier =>
        {
            HoldOn(model, "Forward", Environment.CurrentManagedThreadId, barrier);
            return model.Forward(x).ToFlatArray();
        }, () =>
        {
            var e = Assert.Throws<ConcurrentModelAccessException>(() => model.SetParameters(changed));
            Assert.Contains("SetParameters was called on thread", e.Message, StringComparison.Ordinal);
            Assert.Contains("while Forward is running", e.Message, StringComparison.Ordinal);
            Assert.Contains("Clone()", e.Message, StringComparison.Ordinal);
            // Reads may overlap: a second Forward and GetParameters run while the first is in flight.
            Assert.Equal(reference, model.Forward(x).ToFlatArray());
            Assert.NotEqual(changed, model.GetParameters());
        });
        Assert.Equal(reference, outputs);
        ((IAccessGuardedModel)model).AccessGuard.EnteredForTesting = null;
        model.SetParameters(changed); // Alone again: allowed.
        Assert.Equal(changed, model.GetParameters());
    }

    [Fact]
    public void ReadsAndWritesDuringSetParametersOnAnotherThreadThrow()
    {
        var model = new TrainTanh(3);
        var x = X(10, 4);
        var changed = model.GetParameters().Select(v => -v).ToArray();
        WhileHeld(barrier =>
        {
            HoldOn(model, "SetParameters", Environment.CurrentManagedThreadId, barrier);
            model.SetParameters(changed);
            return 0;
        }, () =>
        {
            Assert.Contains("while SetParameters is running", Assert.Throws<ConcurrentModelAccessException>(() => model.Forward(x)).Message, StringComparison.Ordinal);
            Assert.Throws<ConcurrentModelAccessException>(() => model.GetParameters());
            Assert.Throws<ConcurrentModelAccessException>(() => model.Ntk(x));
            Assert.Throws<ConcurrentModelAccessException>(() => model.Vjp(x, Tensor.Zeros(10, 1)));
            Assert.Throws<ConcurrentModelAccessException>(() => model.SetParameters(changed));
        });
        ((IAccessGuardedModel)model).AccessGuard.EnteredForTesting = null;
        Assert.Equal(changed, model.GetParameters());
    }

    [Fact]
    public void ASecondTrainerOrAnyCallFromAnotherThreadDuringTrainingThrowsAndTheRunIsUnchanged()
    {
        var model = new TrainTanh(5);
        Tensor x = X(12, 6), y = Y(12, 1, 7);
        double eta = 0.3 * GradientDescentMse.MaxLearningRate(model.Ntk(x));
        var options = new TrainerOptions { LearningRate = eta };
        // Reference: the same run on a copy, alone.
        var alone = model.Clone();
        new Trainer(options).Train(alone, x, y, 20, 5);

        int trainerThread = 0;
        WhileHeld(barrier =>
        {
            trainerThread = Environment.CurrentManagedThreadId;
            return new Trainer(options).Train(model, x, y, 20, 5, p =>
            {
                if (p.Step != 5) return;
                barrier.SignalAndWait(Wait);
                barrier.SignalAndWait(Wait);
            });
        }, () =>
        {
            var e = Assert.Throws<ConcurrentModelAccessException>(() => new Trainer(options).Train(model, x, y, 3));
            Assert.Contains("Trainer.Train was called", e.Message, StringComparison.Ordinal);
            Assert.Contains($"while Trainer.Train is running on thread {trainerThread}", e.Message, StringComparison.Ordinal);
            Assert.Throws<ConcurrentModelAccessException>(() => model.SetParameters(alone.GetParameters()));
            Assert.Throws<ConcurrentModelAccessException>(() => model.Forward(x));
        });
        Assert.Equal(alone.GetParameters(), model.GetParameters());
        new Trainer(options).Train(model, x, y, 1); // Free again after the run.
    }

    [Fact]
    public void TrainingALinearizedModelIsGuardedToo()
    {
        var lin = new TrainTanh(8).Linearize();
        Tensor x = X(6, 9), y = Y(6, 1, 10);
        WhileHeld(barrier => new Trainer(new TrainerOptions { LearningRate = 0.01, CheckStability = false }).Train(lin, x, y, 2, 1, p =>
        {
            if (p.Step != 1) return;
            barrier.SignalAndWait(Wait);
            barrier.SignalAndWait(Wait);
        }), () =>
        {
            Assert.Throws<ConcurrentModelAccessException>(() => lin.SetParameters(lin.Theta0));
            Assert.Throws<ConcurrentModelAccessException>(() => new Trainer().Train(lin, x, y, 1));
        });
    }

    [Fact]
    public void ManyConcurrentReadersAreAllowedAndAgree()
    {
        var model = new TrainTanh(11);
        var x = X(64, 12);
        var reference = model.Forward(x).ToFlatArray();
        var results = new double[8][];
        Parallel.For(0, 8, i => results[i] = model.Forward(x).ToFlatArray());
        Assert.All(results, r => Assert.Equal(reference, r));
    }
}
