#!/usr/bin/env bash
# The one place that decides which dataset CNN Lab uses by default. Set-up, the test command,
# run-lab.sh and the benchmarks all call it, so they always agree.
#
# Usage: bash scripts/find-data.sh [--cifar10] [--quiet]
#   Prints the chosen dataset path (one line on stdout) and why it was chosen (on stderr).
#   --cifar10  accept only CIFAR-10; exit 1 (printing nothing) when none is available
#   --quiet    no explanation on stderr
#
# Order (the first that exists wins):
#   1. $CNNLAB_CIFAR10: a CIFAR-10 binary folder or archive, an image-folder tree or its .tar.gz,
#      or a pack file. Set but missing is an error (exit 2), never a silent fallback.
#   2. data/cifar-10-batches-bin: the official binary release, downloaded and md5-checked by
#      scripts/setup.sh (or data/cifar-10-binary.tar.gz, the same archive not yet unpacked).
#   3. ../shared/datasets/cifar10-imagefolder.tar.gz beside the checkout (CI and development).
#   4. Fashion-MNIST from Debian's dataset-fashion-mnist (IDX files), when no CIFAR-10 is found.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fashion_mnist_dir=/usr/share/datasets/fashion-mnist

cifar10_only=0
quiet=0
for arg in "$@"; do
  case "$arg" in
    --cifar10) cifar10_only=1 ;;
    --quiet) quiet=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "find-data.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

say() { [ "$quiet" = 1 ] || echo "find-data: $*" >&2; }

choose() {  # choose PATH REASON
  say "$2: $1"
  printf '%s\n' "$1"
  exit 0
}

if [ -n "${CNNLAB_CIFAR10:-}" ]; then
  if [ ! -e "$CNNLAB_CIFAR10" ]; then
    echo "find-data: CNNLAB_CIFAR10 is set to '$CNNLAB_CIFAR10', which does not exist" >&2
    exit 2
  fi
  choose "$(cd "$(dirname "$CNNLAB_CIFAR10")" && pwd)/$(basename "$CNNLAB_CIFAR10")" \
    "CIFAR-10 from CNNLAB_CIFAR10"
fi

official_dir="$repo_root/data/cifar-10-batches-bin"
official_archive="$repo_root/data/cifar-10-binary.tar.gz"
if [ -f "$official_dir/test_batch.bin" ] && [ -f "$official_dir/data_batch_5.bin" ]; then
  choose "$official_dir" "CIFAR-10 (official binary release, downloaded by setup)"
fi
if [ -f "$official_archive" ]; then
  choose "$official_archive" "CIFAR-10 (official binary archive, downloaded by setup)"
fi

shared_archive="$repo_root/../shared/datasets/cifar10-imagefolder.tar.gz"
if [ -f "$shared_archive" ]; then
  choose "$(cd "$(dirname "$shared_archive")" && pwd)/$(basename "$shared_archive")" \
    "CIFAR-10 image folder beside the checkout"
fi

if [ "$cifar10_only" = 1 ]; then
  say "no CIFAR-10 found (set CNNLAB_CIFAR10, or run scripts/setup.sh to download it)"
  exit 1
fi

if [ -f "$fashion_mnist_dir/train-images-idx3-ubyte.gz" ]; then
  choose "$fashion_mnist_dir" "no CIFAR-10 found; falling back to Fashion-MNIST"
fi

echo "find-data: no dataset found: no CIFAR-10 (CNNLAB_CIFAR10, data/, ../shared) and no" \
     "Fashion-MNIST in $fashion_mnist_dir (run scripts/setup.sh)" >&2
exit 1
