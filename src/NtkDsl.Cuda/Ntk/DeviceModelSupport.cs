namespace NtkDsl.Cuda.Ntk;

/// <summary>Which generated models a <see cref="CudaDevice"/> can run (checked by the generated constructor).</summary>
internal static class DeviceModelSupport
{
    /// <summary>
    /// Dense-only models (any activation, parameterization, bias setting, output scale or centring: their kernel
    /// assembly works on host-computed per-layer features) pass; a model with spatial layers throws, naming the layer.
    /// </summary>
    public static void Require(CudaDevice device, ModelInfo info)
    {
        foreach (var layer in info.Layers)
            if (layer.Kind != "Dense")
                throw new NotSupportedException(
                    $"{info.Name}: layer {layer.Name} is {layer.Kind}; the Dense model engine of {device.Name} runs models made of Dense layers only " +
                    $"(generated models with spatial layers reach the device through its spatial engine instead). Construct {info.Name} on Device.Cpu (omit the device argument).");
        if (info.InputShape is not null)
            throw new NotSupportedException(
                $"{info.Name} takes image inputs (InputShape); the Dense model engine of {device.Name} runs models with flat inputs only (generated InputShape models reach the device through its spatial engine instead). Construct {info.Name} on Device.Cpu (omit the device argument).");
    }
}
