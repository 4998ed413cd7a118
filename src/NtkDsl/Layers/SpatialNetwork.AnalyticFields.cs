namespace NtkDsl.Layers;

// TEMPORARY (branch h-canalytic): the three fields the analytic partial reads, declared here only so that this branch
// builds before SpatialNetwork.cs (written concurrently) declares and assigns them. DELETE THIS FILE when merging with
// the branch whose SpatialNetwork.cs declares _layers, _inputShape and _parameterization (CS0102 points here otherwise).
#pragma warning disable CS0649 // assigned by the constructor in SpatialNetwork.cs after the merge
public sealed partial class SpatialNetwork
{
    private readonly IReadOnlyList<LayerSpec> _layers = [];
    private readonly int[] _inputShape = [];
    private readonly Parameterization _parameterization;
}
#pragma warning restore CS0649
