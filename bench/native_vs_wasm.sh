#!/usr/bin/env bash
# Same run, two builds: trains the same model with the same seed and settings with the native
# cnnlab and with cnnlab.js under node (one thread each), then prints both test accuracies and
# their difference. Initial weights and batch order are bit-identical in both builds (pinned by
# tests/test_model.cpp and test_core.cpp); results differ only through floating-point summation
# order inside the kernels.
#
#   bash bench/native_vs_wasm.sh DATA [MODEL] [EPOCHS]     e.g. a pack made by `cnnlab pack`
#
# Environment: NATIVE (default build/cnnlab), WASM (default build-wasm/cnnlab.js), SEED (7).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:?usage: native_vs_wasm.sh DATA [MODEL] [EPOCHS]}"
model="${2:-cnn}"
epochs="${3:-3}"
native="${NATIVE:-$repo_root/build/cnnlab}"
wasm="${WASM:-$repo_root/build-wasm/cnnlab.js}"
seed="${SEED:-7}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
args=(train --data "$data" --model "$model" --epochs "$epochs" --threads 1 --seed "$seed" --quiet)
"$native" "${args[@]}" --out "$out/native"
node "$wasm" "${args[@]}" --out "$out/wasm"
python3 - "$out" "$model" "$epochs" <<'PY'
import json, sys
out, model, epochs = sys.argv[1:]
acc = {b: json.load(open(f"{out}/{b}/history.json"))["test"]["accuracy"] for b in ("native", "wasm")}
print(f"{model}, {epochs} epochs: native {100 * acc['native']:.2f} %, wasm {100 * acc['wasm']:.2f} %, "
      f"difference {100 * abs(acc['native'] - acc['wasm']):.2f} points")
PY
