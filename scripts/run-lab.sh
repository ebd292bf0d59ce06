#!/usr/bin/env bash
# The main job of CNN Lab (second half of README's first command, after scripts/setup.sh).
# Until the browser app is served from here, it builds the native `cnnlab` tool and runs a short
# training run on a class-balanced subset of the default dataset (scripts/find-data.sh), then
# evaluates it and prints where the results are.
#
# Usage: bash scripts/run-lab.sh
# Environment (all optional):
#   CNNLAB_LAB_MODEL (cnn), CNNLAB_LAB_EPOCHS (1), CNNLAB_LAB_TRAIN_PER_CLASS (500),
#   CNNLAB_LAB_TEST_PER_CLASS (100), CNNLAB_BUILD_PREFIX (build), CNNLAB_JOBS (2),
#   CNNLAB_CIFAR10 (see scripts/find-data.sh)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

build_dir="$repo_root/${CNNLAB_BUILD_PREFIX:-build}"
jobs="${CNNLAB_JOBS:-2}"
imgui_dir="${CNNLAB_DEPS:-/usr/local/src/cnnlab-deps}/imgui-1.86"
model="${CNNLAB_LAB_MODEL:-cnn}"
epochs="${CNNLAB_LAB_EPOCHS:-1}"
train_per_class="${CNNLAB_LAB_TRAIN_PER_CLASS:-500}"
test_per_class="${CNNLAB_LAB_TEST_PER_CLASS:-100}"
run_dir="$repo_root/runs/quickstart"
pack="$repo_root/data/quickstart-${train_per_class}-${test_per_class}.pack"

say() { echo "run-lab: $*"; }
die() { echo "run-lab: ERROR: $*" >&2; exit 1; }

data="$(bash scripts/find-data.sh)" || die "no dataset (run 'bash scripts/setup.sh' first)"

# Same configuration as the test command's native build, so both share one build folder.
imgui_flag=()
[ -d "$imgui_dir" ] && imgui_flag=(-DIMGUI_DIR="$imgui_dir")
say "building the native cnnlab tool in $build_dir"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${imgui_flag[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs" --target cnnlab
cnnlab="$build_dir/cnnlab"
[ -x "$cnnlab" ] || die "$cnnlab was not built"

# The subset pack is a build output made from the data (never committed; data/ is ignored).
# It is remade when the chosen source changes.
mkdir -p "$repo_root/data"
if [ ! -f "$pack" ] || [ "$(cat "$pack.source" 2>/dev/null)" != "$data" ]; then
  say "packing a class-balanced subset ($train_per_class train + $test_per_class test per class)"
  rm -f "$pack" "$pack.source"
  "$cnnlab" pack --data "$data" --out "$pack" --train-per-class "$train_per_class" \
    --test-per-class "$test_per_class" --seed 1
  printf '%s\n' "$data" > "$pack.source"
fi

say "training $model for $epochs epoch(s) on $pack (from $data)"
rm -rf "$run_dir"
"$cnnlab" train --data "$pack" --model "$model" --epochs "$epochs" --seed 1 --out "$run_dir"

say "evaluating on the subset's test images"
"$cnnlab" eval --model-file "$run_dir/model.cnnlab" --data "$pack"

say "done. Results:"
say "  model:   $run_dir/model.cnnlab"
say "  history: $run_dir/history.csv, $run_dir/history.json"
say "  data:    $data (subset pack $pack)"
