"""Ratio table of NtkDsl.Cuda against the PyTorch anchors measured in the same run (benchmarks/gpu/run.sh).

Reads ntkdsl.jsonl and torch.jsonl from the results folder given as the only argument and prints a Markdown table:
time ratio NtkDsl / PyTorch (below 1 = NtkDsl faster), the issue-12 goal, and the accuracy. Every goal of issue 12
has a row even when a measurement is missing ("missing", ratio n/a). N is the largest N of the float64 rows (8192 in
a real run; `run.sh dry` runs tiny N in the emulation) and the torch.func row's N the smallest N of the float32 rows
(1024 in a real run)."""
import json, os, sys

def load(path):
    rows = []
    if not os.path.exists(path):
        return rows
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    return rows

def find(rows, method, n=None, dtype=None):
    for r in rows:
        if r.get("method") == method and (n is None or r.get("n") == n) and (dtype is None or r.get("dtype") == dtype) and "error" not in r:
            return r
    return None

out = sys.argv[1]
ours = load(os.path.join(out, "ntkdsl.jsonl"))
torch = load(os.path.join(out, "torch.jsonl"))
dev = next((r.get("device") for r in ours if r.get("method") == "ntkdsl_device"), None) or "unknown"
smi = open(os.path.join(out, "device.txt")).read().strip() if os.path.exists(os.path.join(out, "device.txt")) else ""
print(f"Device: {dev} ({smi})\n")
print("| workload | NtkDsl ms | PyTorch ms | ratio | goal | accuracy |")
print("| --- | --- | --- | --- | --- | --- |")

def row(label, mine, anchor, goal, acc="", inverse=False):
    if mine is None or anchor is None:
        a, b = (f"{mine['ms']:.1f}" if mine else "missing"), (f"{anchor['ms']:.1f}" if anchor else "missing")
        print(f"| {label} | {a} | {b} | n/a | {goal} | {acc} |")
        return
    r = anchor["ms"] / mine["ms"] if inverse else mine["ms"] / anchor["ms"]
    print(f"| {label} | {mine['ms']:.1f} | {anchor['ms']:.1f} | {r:.3g}{'x faster' if inverse else 'x'} | {goal} | {acc} |")

n = max([r["n"] for r in ours if r.get("method") == "ntkdsl_structured_f64" and "n" in r] or [8192])
small = min([r["n"] for r in ours if r.get("method") == "ntkdsl_structured_f32" and "n" in r] or [1024])
f64 = find(ours, "ntkdsl_structured_f64", n)
row("W1 structured NTK float64, x1 != x2", f64, find(torch, "structured_torch", n, "torch.float64"), "<= 0.5x",
    f"rel vs CPU NtkDsl {f64['rel_vs_cpu']:.2e} ({f64['rel_block']}^2 block)" if f64 else "")
sym = find(ours, "ntkdsl_structured_f64_symmetric", n)
row("W1 float64, x1 == x2 (SYRK triangle + mirror)", sym, find(torch, "structured_torch", n, "torch.float64"), "<= 0.3x",
    f"rel vs CPU NtkDsl {sym['rel_vs_cpu']:.2e} ({sym['rel_block']}^2 block)" if sym and "rel_vs_cpu" in sym else "")
def acc32(r):
    if not r:
        return ""
    if "rel_max_vs_f64r" not in r:
        return f"rel vs float64 {r['rel_vs_f64']:.2e}"
    text = f"vs float64 of the same float32-rounded inputs: max/max {r['rel_max_vs_f64r']:.2e}, Frobenius {r['rel_fro_vs_f64r']:.2e}"
    if "relu_flips" in r:
        text += (f"; {r['relu_flips']} ReLU derivative flips in {r['rows_with_flips_x1']}+{r['rows_with_flips_x2']} rows, "
                 f"max/max without those rows {r['rel_max_unflipped_vs_f64r']:.2e}")
    return text

f32 = find(ours, "ntkdsl_structured_f32", n)
t32 = find(torch, "structured_torch", n, "torch.float32")
row("W1 float32 strict", f32, t32, "<= 0.5x", acc32(f32) + (f"; torch Frobenius {t32['rel']:.2e}" if t32 and "rel" in t32 else ""))
tf = find(ours, "ntkdsl_structured_tf32", n)
ttf = find(torch, "structured_torch_tf32", n)
row("W1 TF32", tf, ttf, "<= 0.5x", acc32(tf) + (f"; torch Frobenius {ttf['rel']:.2e}" if ttf and "rel" in ttf else ""))
s32 = find(ours, "ntkdsl_structured_f32", small)
tj = find(torch, "jacobian_contraction", small)
row(f"W1 float32 N={small} vs torch.func Jacobian contraction", s32, tj, ">= 1000x faster",
    (f"max/max vs float64 of the same float32-rounded inputs {s32['rel_max_vs_f64r']:.2e} ({s32['rel_block']}^2)" if s32 and "rel_max_vs_f64r" in s32 else "")
    + (f"; torch Frobenius {tj['rel']:.2e}" if tj and "rel" in tj else ""), inverse=True)
an = find(ours, "ntkdsl_analytic_ntk_f64", n)
row("AnalyticNtk depth-2 ReLU float64 (device recursion vs torch elementwise)", an, find(torch, "analytic_ntk_torch_f64", n), "<= 0.25x",
    f"rel vs CPU AnalyticNtk {an['rel_vs_cpu']:.2e} ({an['rel_block']}^2 block)" if an else "")
for m, label in [("ntkdsl_model_on_device_f64", "x1 != x2"), ("ntkdsl_model_on_device_f64_symmetric", "x1 == x2")]:
    r = find(ours, m)
    if r:
        # No PyTorch anchor at this N: the structured torch NTK at 8192 scaled by (N/8192)^2 is shown for orientation.
        t = find(torch, "structured_torch", n, "torch.float64")
        scaled = f"{t['ms'] * (r['n'] / n) ** 2:.1f} (8192 anchor x (N/8192)^2)" if t else "missing"
        print(f"| W1 generated model on the device, N={r['n']}, {label} (features and assembly on the device) | {r['ms']:.1f} | {scaled} | n/a | (none) | rel vs CPU NtkDsl {r['rel_vs_cpu']:.2e} ({r['rel_block']}^2 block) |")
row(f"eigh of the {n}^2 kernel (cuSOLVER syevd)", find(ours, "ntkdsl_eigh_f64", n), find(torch, "eigh_f64", n), "(none)")
print()
print("| GEMM | NtkDsl TFLOP/s | PyTorch TFLOP/s |")
print("| --- | --- | --- |")
for mine, theirs in [("ntkdsl_dgemm", "dgemm"), ("ntkdsl_sgemm_fp32_strict", "sgemm_fp32_strict"), ("ntkdsl_sgemm_tf32", "sgemm_tf32")]:
    a, b = find(ours, mine), find(torch, theirs)
    print(f"| {theirs} | {a['tflops']:.1f} | {b['tflops']:.1f} |" if a and b else f"| {theirs} | {a and round(a['tflops'], 1)} | {b and round(b['tflops'], 1)} |")
sy = find(ours, "ntkdsl_dsyrk")
if sy:
    print(f"| dsyrk (lower, n^2 k useful flops) | {sy['tflops']:.1f} | |")

# GEMM-bound floor: the structured algorithm's flops (forward, delta and Gram GEMMs) at the measured GEMM rate.
print("\n| case | GFLOP (GEMMs) | effective TFLOP/s | floor at our GEMM rate | goal time (goal ratio x PyTorch) |")
print("| --- | --- | --- | --- | --- |")
rates = {"ntkdsl_structured_f64": "ntkdsl_dgemm", "ntkdsl_structured_f64_symmetric": "ntkdsl_dsyrk",
         "ntkdsl_structured_f32": "ntkdsl_sgemm_fp32_strict", "ntkdsl_structured_tf32": "ntkdsl_sgemm_tf32"}
anchors = {"ntkdsl_structured_f64": ("torch.float64", 0.5), "ntkdsl_structured_f64_symmetric": ("torch.float64", 0.3),
           "ntkdsl_structured_f32": ("torch.float32", 0.5), "ntkdsl_structured_tf32": (None, 0.5)}
for m, g in rates.items():
    r, gr = find(ours, m, n), find(ours, g)
    if not r or "gflop" not in r:
        continue
    floor = f"{r['gflop'] / gr['tflops']:.1f} ms" if gr else "n/a"
    dt, factor = anchors[m]
    t = find(torch, "structured_torch_tf32", n) if dt is None else find(torch, "structured_torch", n, dt)
    goal = f"{t['ms'] * factor:.1f} ms" if t else "n/a"
    print(f"| {m[len('ntkdsl_'):]} | {r['gflop']:.0f} | {r['gflop'] / r['ms']:.1f} | {floor} | {goal} |")

# Where the time goes: one profiled run per case, the device synchronized after every phase.
phases = [r for r in ours if r.get("method", "").startswith("ntkdsl_phases_")]
for p in phases:
    print(f"\nPhases of {p['method'][len('ntkdsl_phases_'):]} (N = {p['n']}): profiled total {p['ms_profiled_total']:.1f} ms, unprofiled median {p['ms_unprofiled']:.1f} ms\n")
    print("| phase | ms | share |")
    print("| --- | --- | --- |")
    total = p["ms_profiled_total"] or 1.0
    for k, v in sorted(p["phases"].items(), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:.2f} | {100 * v / total:.0f}% |")
