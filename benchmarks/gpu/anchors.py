"""The PyTorch anchors that benchmarks/gpu/ratio_table.py compares with, measured in the same call as NtkDsl.

Runs only the cases of ../shared/bench/torch_ntk.py that issue 12's goals name, so that the whole GPU run fits in
its time limit: the structured NTK of workload W1 at N = 8192 in float64, float32 and TF32; torch.func's Jacobian
contraction at N = 1024 (one timed repetition after a warm-up: about 20 s each on an H100); the analytic ReLU NTK,
eigh and the GEMM ceilings (torch_ntk.run_extra). Usage: python3 anchors.py PATH/TO/torch_ntk.py > torch.jsonl
"""
import importlib.util, json, sys

spec = importlib.util.spec_from_file_location("torch_ntk", sys.argv[1])
t = importlib.util.module_from_spec(spec)
spec.loader.exec_module(t)
torch = t.torch
print(json.dumps(dict(method="torch_version", version=torch.__version__, device=torch.cuda.get_device_name())), flush=True)
t.run_extra(8192)
t.run_torch(8192, torch.float64, ["structured_torch"])
t.run_torch(8192, torch.float32, ["structured_torch"])
torch.backends.cuda.matmul.allow_tf32 = True
t.run_torch(8192, torch.float32, ["structured_torch"])
t.RESULTS[-1]["method"] = "structured_torch_tf32"
print(json.dumps(t.RESULTS[-1]), flush=True)
torch.backends.cuda.matmul.allow_tf32 = False
original = t.bench
t.bench = lambda fn, reps=5: original(fn, reps=1)  # the Jacobian contraction takes tens of seconds per repetition
t.run_torch(1024, torch.float32, ["jacobian_contraction"])
