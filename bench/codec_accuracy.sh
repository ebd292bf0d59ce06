#!/usr/bin/env bash
# Does training on a JPEG pack cost accuracy? Trains the `cnn` recipe (k=3; Adam 1e-3, batch 64,
# no augmentation, 10 epochs, early stopping with patience 3, 10 % stratified validation split)
# on full CIFAR-10 over 3 seeds (42, 43, 44), once on a raw pack (the source's exact pixels) and
# once on a JPEG pack (the default codec, what the site serves), and prints per seed test
# accuracy and loss with mean ± std for each, and the difference of the means beside the seeds'
# spread.
#
#   bash bench/codec_accuracy.sh [raw] [jpeg]        default: raw jpeg
#
# Each codec's run is `cnnlab experiment --model cnn --vary kernel=3 --repeats 3`, the command
# README's "Accuracy on full CIFAR-10" uses; one codec is about 35 minutes on 2 free cores.
# Environment: CNNLAB_EXE (default build/cnnlab), CNNLAB_CIFAR10 (else scripts/find-data.sh
# --cifar10 decides), THREADS (default 2), OUT (default build/codec-accuracy; packs are made once
# as OUT/cifar10-full-{raw,jpeg}.pack and each codec's results go to OUT/<codec>/). A codec whose
# OUT/<codec>/results.csv exists is not trained again (delete it to rerun); the table is saved as
# OUT/results.md.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exe="${CNNLAB_EXE:-$repo_root/build/cnnlab}"
[ -x "$exe" ] || { echo "codec_accuracy.sh: $exe not found: build first (cmake --build build)" >&2; exit 1; }
data="${CNNLAB_CIFAR10:-$(bash "$repo_root/scripts/find-data.sh" --cifar10 --quiet)}" || {
  echo "codec_accuracy.sh: no CIFAR-10 found (set CNNLAB_CIFAR10)" >&2; exit 1; }
threads="${THREADS:-2}"
out="${OUT:-$repo_root/build/codec-accuracy}"
codecs=("$@")
[ ${#codecs[@]} -gt 0 ] || codecs=(raw jpeg)
mkdir -p "$out"

for codec in "${codecs[@]}"; do
  case "$codec" in
    raw) pack_flags=(--raw) ;;   # the exact pixels of the source
    jpeg) pack_flags=() ;;       # the pack default: JPEG, as the site serves
    *) echo "codec_accuracy.sh: unknown codec '$codec' (raw or jpeg)" >&2; exit 1 ;;
  esac
  pack="$out/cifar10-full-$codec.pack"
  [ -f "$pack" ] || "$exe" pack --data "$data" --out "$pack" "${pack_flags[@]}"
  if [ ! -f "$out/$codec/results.csv" ]; then
    start=$(date +%s)
    "$exe" experiment --data "$pack" --model cnn --vary kernel=3 --repeats 3 \
      --threads "$threads" --out "$out/$codec"
    echo "$codec: $(( $(date +%s) - start )) s" >&2
  fi
done

# The table: one row per codec, per seed accuracy and loss, mean ± std (sample std, n-1), and
# under it the JPEG - raw difference of the mean accuracy against the seeds' std.
python3 - "$out" "${codecs[@]}" <<'PY' | tee "$out/results.md"
import csv, statistics, sys
out, codecs = sys.argv[1], sys.argv[2:]
runs = {}
for codec in codecs:
    with open(f"{out}/{codec}/results.csv") as f:
        runs[codec] = sorted(csv.DictReader(f), key=lambda r: int(r["seed"]))
seeds = [r["seed"] for r in runs[codecs[0]]]
print("| pack | " + " | ".join(f"seed {s}" for s in seeds) + " | mean ± std |")
print("|---|" + "---:|" * (len(seeds) + 1))
means, stds = {}, {}
for codec in codecs:
    acc = [100 * float(r["test_accuracy"]) for r in runs[codec]]
    loss = [float(r["test_loss"]) for r in runs[codec]]
    means[codec], stds[codec] = statistics.mean(acc), statistics.stdev(acc)
    print(f"| {codec}: test accuracy | " + " | ".join(f"{a:.1f} %" for a in acc)
          + f" | {means[codec]:.1f} ± {stds[codec]:.1f} % |")
    print(f"| {codec}: test loss | " + " | ".join(f"{l:.3f}" for l in loss)
          + f" | {statistics.mean(loss):.3f} ± {statistics.stdev(loss):.3f} |")
    print(f"| {codec}: epochs run | " + " | ".join(r["epochs"] for r in runs[codec]) + " | |")
if "raw" in means and "jpeg" in means:
    diff = means["jpeg"] - means["raw"]
    spread = max(stds["raw"], stds["jpeg"])
    print(f"\nJPEG - raw: {diff:+.1f} points of mean test accuracy; the seeds' std is "
          f"{stds['raw']:.1f} (raw) and {stds['jpeg']:.1f} (JPEG) points: the difference is "
          + ("within" if abs(diff) <= spread else "outside") + " the seed spread.")
PY
echo "data: $data, threads: $threads" >&2
