// The convolutional parts of the sample: the CNTK with global average pooling (kernel regression with the
// infinite-width NTK of the CNN below) and the same CNN at finite width trained with the Trainer (--methods cntk,cnn).
//
// Cost (why neither runs by default): the CNTK with GlobalAvgPool keeps the covariance of every pixel pair of the two
// images, 784² = 614,656 entries per image pair, and each Conv2D 3 × 3 layer sums 9 neighbours per entry, so one kernel
// entry costs about 784² · 9 · 2 layers ≈ 1.1e7 multiply-adds plus 784² · 2 dual-activation evaluations. Training 1,000
// and testing 10,000 images is 1,000²/2 + 1,000 · 10,000 ≈ 1.05e7 pairs ≈ 1.2e14 operations — days on a 2-core CPU.
// Run it on small subsets (e.g. --methods cntk --train-sizes 100,200 --test-size 500: 1.2e5 pairs ≈ 1.3e12 operations)
// or on the GPU once that backend runs these models. The finite CNN costs about 2 · 784 · 9 · (32 + 32 · 32) ≈ 1.5e7
// multiply-adds per image forward, about three times that with the backward pass: 20 epochs over 5,000 images is
// ≈ 4.5e12, tens of minutes on 2 cores; set --epochs accordingly.
using NtkDsl;

namespace FashionMnist;

/// <summary>
/// The CNN without the residual and normalization layers: two 3 × 3 ReLU convolutions of 32 channels (stride 1,
/// Same padding), global average pooling over the 28 × 28 pixels, a Dense readout to the 10 classes; NTK
/// parameterization with σ_w² = 2, σ_b² = 0.01 (as <see cref="MlpKernel"/>). Inputs are rows of 28·28·1 values
/// (NHWC: the flattened image, as the MLP parts use it). Its static <c>AnalyticNtk</c> is the CNTK with GAP (Arora et
/// al. 2019; Novak et al. 2019), which does not depend on the channel count; <c>new Cnn(seed)</c> is the finite network.
/// </summary>
[NtkModel(InputShape = new[] { 28, 28, 1 }, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class Cnn
{
    /// <summary>First convolution: 1 → 32 channels.</summary>
    [Conv2D(32, 3, Activation.Relu)] public partial ConvLayer C1 { get; }

    /// <summary>Second convolution: 32 → 32 channels.</summary>
    [Conv2D(32, 3, Activation.Relu)] public partial ConvLayer C2 { get; }

    /// <summary>Mean over all pixels per channel: 28 × 28 × 32 → 32.</summary>
    [GlobalAvgPool] public partial Layer Gap { get; }

    /// <summary>Readout: one output per class.</summary>
    [Dense(FashionMnistData.Classes)] public partial DenseLayer Readout { get; }
}

/// <summary>
/// The CNN whose infinite-width kernel the sample can afford at 1,000 and 5,000 training images on a small CPU:
/// 4 × 4 average pooling of the 28 × 28 input to 7 × 7, three 3 × 3 ReLU convolutions at 7 × 7 (Same padding; the
/// receptive field of the last one is the whole 7 × 7 map), global average pooling and a Dense readout; NTK
/// parameterization, σ_w² = 2, σ_b² = 0.01. Its <c>AnalyticNtk</c> (the CNTK with GAP) tracks the 49² = 2,401 pixel
/// pairs of the pooled maps: per image pair, the 49² input covariance, three window sums and 3 · 2,401 dual
/// activations (the pooling is applied to each image once, not per pair), about 1/256 of the pixel pairs of
/// <see cref="Cnn"/> at 28 × 28. <c>new PooledCnn(seed)</c> is the finite network at 32 channels.
/// </summary>
[NtkModel(InputShape = new[] { 28, 28, 1 }, WeightStd = 1.4142135623730951, BiasStd = 0.1)]
public partial class PooledCnn
{
    /// <summary>4 × 4 average pooling: 28 × 28 → 7 × 7.</summary>
    [AvgPool2D(4)] public partial Layer Pool { get; }

    /// <summary>3 × 3 convolution: 7 × 7 × 1 → 7 × 7 × 32.</summary>
    [Conv2D(32, 3, Activation.Relu)] public partial ConvLayer C1 { get; }

    /// <summary>3 × 3 convolution: 7 × 7 × 32 → 7 × 7 × 32.</summary>
    [Conv2D(32, 3, Activation.Relu)] public partial ConvLayer C2 { get; }

    /// <summary>3 × 3 convolution: 7 × 7 × 32 → 7 × 7 × 32.</summary>
    [Conv2D(32, 3, Activation.Relu)] public partial ConvLayer C3 { get; }

    /// <summary>Mean over the 7 × 7 pixels per channel.</summary>
    [GlobalAvgPool] public partial Layer Gap { get; }

    /// <summary>Readout: one output per class.</summary>
    [Dense(FashionMnistData.Classes)] public partial DenseLayer Readout { get; }
}

public static partial class Methods
{
    static partial void AddConvolutionalMethods(List<Method> methods)
    {
        methods.Add(new Method("cntk-pool", "CNTK (pooled, GAP) regression",
            "Kernel regression with the infinite-width NTK of PooledCnn (4x4 average pooling to 7x7, three 3x3 ReLU convolutions, global average pooling); ridge by leave-one-out; kernel blocks cached under OUTPUT/kernels, so a stopped run resumes", false,
            (s, ctx) => KernelRegressionWith("CNTK-pool", (x1, x2, p) => PooledCnn.AnalyticNtk(x1, x2, p), s, ctx, cacheKey: "cntk-pool")));
        methods.Add(new Method("cnn-pool", "CNN trained (pooled, 32 channels)",
            "PooledCnn at 32 channels trained by SGD with momentum on the square loss (Trainer), centred at initialization", false,
            (s, ctx) => TrainNetwork("CNN-pool", new PooledCnn(ctx.Options.Seed), s, ctx)));
        methods.Add(new Method("cntk", "CNTK (GAP) regression",
            "Kernel regression with the infinite-width NTK of the CNN (two 3x3 ReLU convolutions, global average pooling); ridge by leave-one-out; costly: about 1.1e7 operations per image pair", false,
            (s, ctx) => KernelRegressionWith("CNTK", (x1, x2, p) => Cnn.AnalyticNtk(x1, x2, p), s, ctx)));
        methods.Add(new Method("cnn", "CNN trained (32 channels)",
            "The same CNN at 32 channels trained by SGD with momentum on the square loss (Trainer), centred at initialization", false,
            (s, ctx) => TrainNetwork("CNN", new Cnn(ctx.Options.Seed), s, ctx)));
    }
}
