#!/usr/bin/env bash
# GPU check of NtkDsl.Cuda in one short command (gpu.md: the GPU machine has no .NET and no network).
#
#   benchmarks/gpu/run.sh publish   # development machine: publish the GPU tests and the GPU benchmark
#                                   # self-contained for linux-x64 into artifacts/gpu (checked < 64 MiB)
#   benchmarks/gpu/run.sh run       # GPU machine, from the repository root: run the tests against the real
#                                   # libraries, the benchmark, ../shared/bench/torch_ntk.py, and write a ratio table
#   benchmarks/gpu/run.sh           # both, where .NET and a GPU are on one machine
#   benchmarks/gpu/run.sh dry       # no GPU needed: the published tests (real-library ones skip with the reason) and
#                                   # the benchmark at N = 64 on the host emulation, then the ratio table; checks the
#                                   # script, the published apps and the table (every goal row), measures nothing
#
# With the session's device tool: run `publish` here, then run `benchmarks/gpu/run.sh run` there carrying
# artifacts/gpu/app.tar.xz and artifacts/gpu/bench (the unpacked app folder is about 85 MiB, over the 64 MiB a copy may hold). Results go to $OUT (when set) or artifacts/gpu/results: tests.log, ntkdsl.jsonl, torch.jsonl,
# table.md. Each phase has its own timeout so that the whole run stays under 10 minutes.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ART="$ROOT/artifacts/gpu"
APP="$ART/app"
MODE="${1:-all}"

publish() {
    rm -rf "$APP" && mkdir -p "$APP"
    local common=(-c Release -r linux-x64 --self-contained true -p:SatelliteResourceLanguages=en
                  -p:InvariantGlobalization=true -p:DebugType=none -p:GenerateDocumentationFile=false
                  -p:EnableMicrosoftTestingExtensionsCodeCoverage=false -o "$APP")
    dotnet publish "$ROOT/tests/NtkDsl.Cuda.Tests/NtkDsl.Cuda.Tests.csproj" "${common[@]}" || return 1
    dotnet publish "$ROOT/benchmarks/gpu/NtkDsl.Cuda.Benchmarks/NtkDsl.Cuda.Benchmarks.csproj" "${common[@]}" || return 1
    # No code coverage, no other-platform or localized folders on the GPU machine.
    rm -rf "$APP/CodeCoverage" "$APP/runtimes"/{win,osx}* 2>/dev/null
    find "$APP" -mindepth 1 -maxdepth 1 -type d -regex '.*/[a-z][a-z]\(-[A-Za-z]+\)?' ! -name en -exec rm -rf {} +
    # Debugger-only runtime pieces are not needed to run.
    rm -f "$APP/libmscordbi.so" "$APP/libmscordaccore.so" "$APP/createdump"
    # Two self-contained apps share one runtime folder (about 85 MiB); the copy to the GPU machine is the xz archive.
    mkdir -p "$ART/bench" && cp "$ROOT/../shared/bench/torch_ntk.py" "$ART/bench/" 2>/dev/null \
        || echo "warning: ../shared/bench/torch_ntk.py not found; the GPU run will have no PyTorch anchors" >&2
    rm -f "$ART/app.tar.xz"
    XZ_OPT="-T0 -6" tar -C "$ART" -cJf "$ART/app.tar.xz" app || return 1
    local raw=$(( $(du -sb "$APP" | cut -f1) / 1048576 )) mib=$(( $(stat -c %s "$ART/app.tar.xz") / 1048576 ))
    echo "published to $APP (${raw} MiB), archive $ART/app.tar.xz: ${mib} MiB"
    if [ "$mib" -ge 64 ]; then echo "archive too large for one copy to the GPU machine (limit 64 MiB)" >&2; return 1; fi
}

# The published apps: artifacts/gpu/app, or the archive unpacked into a temporary folder (the device tool carries only it).
unpack() {
    if [ ! -x "$APP/NtkDsl.Cuda.Tests" ] && [ -f "$ART/app.tar.xz" ]; then
        APP="${TMPDIR:-/tmp}/ntkdsl-gpu-app/app"
        rm -rf "${APP%/app}" && mkdir -p "${APP%/app}" && tar -C "${APP%/app}" -xJf "$ART/app.tar.xz" || return 1
    fi
    [ -x "$APP/NtkDsl.Cuda.Tests" ] || { echo "no published app in $APP: run '$0 publish' first" >&2; return 1; }
}

dry() {
    local out="${OUT:-$ART/dry}"
    mkdir -p "$out"
    unpack || return 1
    echo "== tests (emulation; the real-library tests skip without a GPU) =="
    timeout 600 "$APP/NtkDsl.Cuda.Tests" > "$out/tests.log" 2>&1
    local rc=$?
    echo "tests exit code $rc" | tee -a "$out/tests.log"
    grep -E "Total:|total:|failed:|succeeded:|skipped:" "$out/tests.log" | sed "s/\x1b\[[0-9;]*m//g" || true
    echo "== NtkDsl benchmark, N = 64 on the host emulation (not a measurement) =="
    timeout 900 "$APP/NtkDsl.Cuda.Benchmarks" --emulated --n 64 --small-n 32 --gemm-n 64 --model-n 64 --quick > "$out/ntkdsl.jsonl" 2> "$out/ntkdsl.err"
    local brc=$?
    echo "benchmark exit code $brc"; cat "$out/ntkdsl.jsonl"; tail -5 "$out/ntkdsl.err"
    : > "$out/torch.jsonl" # no PyTorch anchors without a GPU: their rows read "missing"
    python3 "$ROOT/benchmarks/gpu/ratio_table.py" "$out" | tee "$out/table.md"
    [ "$rc" -eq 0 ] && [ "$brc" -eq 0 ]
}

run() {
    local out="${OUT:-$ART/results}"
    mkdir -p "$out"
    unpack || return 1
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/device.txt" 2>&1 || true
    echo "== tests (real libraries and emulation) =="
    timeout 120 "$APP/NtkDsl.Cuda.Tests" > "$out/tests.log" 2>&1
    echo "tests exit code $?" | tee -a "$out/tests.log"
    grep -E "Total:|total:|failed:|succeeded:|skipped:" "$out/tests.log" | sed "s/\x1b\[[0-9;]*m//g" || true
    echo "== NtkDsl benchmark =="
    timeout 200 "$APP/NtkDsl.Cuda.Benchmarks" > "$out/ntkdsl.jsonl" 2> "$out/ntkdsl.err"
    echo "benchmark exit code $?"; cat "$out/ntkdsl.jsonl"
    echo "== PyTorch anchors (same machine, same call) =="
    # ../shared does not travel to the GPU machine with the device tool: publish copies the script into artifacts/gpu/bench.
    local torch="$ROOT/../shared/bench/torch_ntk.py"
    [ -f "$torch" ] || torch="$ART/bench/torch_ntk.py"
    if [ -f "$torch" ]; then
        PYTHONUNBUFFERED=1 timeout 170 python3 "$ROOT/benchmarks/gpu/anchors.py" "$torch" > "$out/torch.jsonl" 2> "$out/torch.err"
        echo "anchors exit code $?"; cat "$out/torch.jsonl"; tail -5 "$out/torch.err"
    else
        echo "missing torch_ntk.py (looked in $ROOT/../shared/bench and $ART/bench)" | tee "$out/torch.err"
    fi
    python3 "$ROOT/benchmarks/gpu/ratio_table.py" "$out" | tee "$out/table.md"
}

case "$MODE" in
    publish) publish ;;
    run) run ;;
    dry) dry ;;
    all) publish && run ;;
    *) echo "usage: $0 [publish|run|dry]" >&2; exit 64 ;;
esac
