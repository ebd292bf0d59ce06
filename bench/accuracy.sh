#!/usr/bin/env bash
# Accuracy benchmark: trains the seeds' models on full CIFAR-10 (50,000 train of which 10 % is the
# stratified validation split, 10,000 test) with the seeds' recipe — Adam 1e-3, batch 64, no
# augmentation, 10 epochs with early stopping (patience 3) — and prints a Markdown table of test
# accuracy, test loss, epochs run, training images/s and wall time, beside the targets.
#
#   bash bench/accuracy.sh [MODEL ...]          default: mlp cnn vgg   (cnn3 cnn5 cnn7 also work)
#
# Environment: CNNLAB_EXE (default build/cnnlab), CNNLAB_CIFAR10 (else scripts/find-data.sh
# --cifar10 decides), THREADS (default 2), EPOCHS (default 10), OUT (default build/accuracy).
# Each run writes OUT/<model>/{model.cnnlab,history.json,history.csv}; the table is also saved
# as OUT/results.md.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exe="${CNNLAB_EXE:-$repo_root/build/cnnlab}"
[ -x "$exe" ] || { echo "accuracy.sh: $exe not found: build first (cmake --build build)" >&2; exit 1; }
data="${CNNLAB_CIFAR10:-$(bash "$repo_root/scripts/find-data.sh" --cifar10 --quiet)}" || {
  echo "accuracy.sh: no CIFAR-10 found (set CNNLAB_CIFAR10)" >&2; exit 1; }
threads="${THREADS:-2}"
epochs="${EPOCHS:-10}"
out="${OUT:-$repo_root/build/accuracy}"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mlp cnn vgg)
mkdir -p "$out"

# One pack of the whole data set, so each run does not decode 60,000 JPEGs again.
pack="$out/cifar10-full.pack"
# --raw: the exact pixels of the source (the default JPEG pack would re-encode them, lossy).
[ -f "$pack" ] || "$exe" pack --data "$data" --out "$pack" --raw

target() {
  case "$1" in mlp) echo ">= 43 %" ;; cnn|cnn3) echo ">= 68 %" ;; vgg) echo ">= 72 %" ;; *) echo "-" ;; esac
}
seed_figure() {
  case "$1" in mlp) echo "39-43 %" ;; cnn|cnn3) echo "67-70 %" ;; vgg) echo "73 %" ;; *) echo "-" ;; esac
}

table="| model | test accuracy | test loss | epochs | train images/s | wall time | target | seeds (notebooks) |
|---|---:|---:|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
  name="$m"; kernel=3
  case "$m" in cnn[0-9]*) name=cnn; kernel="${m#cnn}" ;; esac
  start=$(date +%s)
  "$exe" train --data "$pack" --model "$name" --kernel "$kernel" --epochs "$epochs" --batch 64 \
    --optimizer adam --lr 0.001 --patience 3 --threads "$threads" --out "$out/$m"
  secs=$(( $(date +%s) - start ))
  row=$(python3 - "$out/$m/history.json" "$m" "$secs" "$(target "$m")" "$(seed_figure "$m")" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
t = h["test"]
print(f"| {sys.argv[2]} | {100 * t['accuracy']:.1f} % | {t['loss']:.3f} | {len(h['history'])} "
      f"| {h['images_per_second']:.0f} | {int(sys.argv[3]) // 60} min {int(sys.argv[3]) % 60} s "
      f"| {sys.argv[4]} | {sys.argv[5]} |")
PY
)
  table="$table
$row"
done
printf '%s\n' "$table" | tee "$out/results.md"
echo "data: $data, threads: $threads, epochs: $epochs" >&2
