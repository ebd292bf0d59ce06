#!/usr/bin/env bash
# Sets up everything CNN Lab needs on Debian 12 (run as root on a fresh machine; idempotent and
# quick when everything is already there):
#   1. Debian packages (compilers, Emscripten, header-only libraries, Chromium, datasets).
#   2. Dear ImGui 1.86 sources from Debian's source package, unpacked to $CNNLAB_DEPS/imgui-1.86.
#   3. npm packages of the site (web/vendor: fflate) and of the browser tests (tests/browser),
#      never a downloaded browser.
#   4. Data: the official CIFAR-10 binary release into data/ (md5-checked) unless CIFAR-10 is
#      already available (CNNLAB_CIFAR10, ../shared); Fashion-MNIST from Debian otherwise.
#
# Usage: bash scripts/setup.sh [--deps-only] [--bench]
#   --deps-only   steps 1-3 only (what the test command needs); no data download
#   --bench       also the benchmarks' comparison packages: Debian's PyTorch (python3-torch) and
#                 OpenBLAS (bench/pytorch_compare.py, bench/pytorch_accuracy.py); large, and
#                 nothing else needs them
# Environment:
#   CNNLAB_DEPS         where third-party sources go (default /usr/local/src/cnnlab-deps)
#   CNNLAB_CIFAR10      a CIFAR-10 source to use instead of downloading (see scripts/find-data.sh)
#   CNNLAB_NO_DOWNLOAD  set to 1 to skip the CIFAR-10 download attempt
#   CNNLAB_CIFAR10_URL  another address of cifar-10-binary.tar.gz (a mirror; the md5 is checked)
# The ImGui location is printed at the end; builds pass it to CMake as -DIMGUI_DIR=... (the
# scripts in this folder do that for you).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps_dir="${CNNLAB_DEPS:-/usr/local/src/cnnlab-deps}"
imgui_version=1.86
imgui_dir="$deps_dir/imgui-$imgui_version"

cifar10_url="${CNNLAB_CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
cifar10_md5=c32a1d4ab5d03f1284b67883e8d87530

apt_packages=(
  build-essential cmake git pkg-config emscripten nodejs npm libeigen3-dev doctest-dev
  libglfw3-dev libgl-dev libstb-dev libcli11-dev nlohmann-json3-dev fonts-dejavu-core
  dataset-fashion-mnist chromium xvfb dpkg-dev xz-utils ca-certificates curl python3
  python3-fonttools brotli clang libclang-rt-14-dev
)

bench_packages=(python3-torch libopenblas0-pthread)

deps_only=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    --bench) apt_packages+=("${bench_packages[@]}") ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

need_root() {  # need_root WHAT
  [ "$(id -u)" = 0 ] || die "$1 needs root: run 'bash scripts/setup.sh' as root (or with sudo)"
}

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -q || die "apt-get update failed (network or sources problem; see above)"
    apt_updated=1
  fi
}

# ---- 1. Debian packages ------------------------------------------------------------------------
package_present() {  # package_present NAME
  case "$1" in
    # NodeSource's nodejs (on some images) bundles npm and conflicts with Debian's npm package:
    # a working command is what matters.
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ] ;;
  esac
}

install_packages() {
  local missing=() pkg
  for pkg in "${apt_packages[@]}"; do
    package_present "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" = 0 ]; then
    say "Debian packages: all ${#apt_packages[@]} present"
    return
  fi
  need_root "installing ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  apt_update_once
  apt-get install -y -q "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed (see above)"
}

# ---- 2. Dear ImGui sources (Debian source package, never vendored) ----------------------------
# A deb-src entry for the same archive and suite as the system's own Debian entry.
src_list=/etc/apt/sources.list.d/cnnlab-src.sources
ensure_deb_src() {
  [ -f "$src_list" ] && return
  need_root "adding a deb-src entry"
  local uri="" suite=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    suite=$(awk '/^Suites:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  elif [ -f /etc/apt/sources.list ]; then
    # One-line format: deb [options] URI SUITE COMPONENTS...
    read -r uri suite < <(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                                             print $i, $(i + 1); exit }' /etc/apt/sources.list) || true
  fi
  [ -n "$uri" ] || die "cannot find the Debian archive in /etc/apt/sources.list.d/debian.sources" \
                       "or /etc/apt/sources.list, to add a deb-src entry for imgui"
  suite="${suite:-bookworm}"
  say "adding a deb-src entry ($uri $suite main) as $src_list"
  cat > "$src_list" <<EOF2
Types: deb-src
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF2
  apt_updated=0  # the new entry's index must be fetched
}

install_imgui() {
  if [ -f "$imgui_dir/imgui.cpp" ] && [ -f "$imgui_dir/backends/imgui_impl_glfw.cpp" ] \
     && [ -f "$imgui_dir/backends/imgui_impl_opengl3.cpp" ]; then
    say "Dear ImGui $imgui_version sources: $imgui_dir"
    return
  fi
  mkdir -p "$deps_dir" || die "cannot create $deps_dir (set CNNLAB_DEPS to a writable folder)"
  local orig
  orig=$(ls "$deps_dir"/imgui_"$imgui_version"*.orig.tar.* 2>/dev/null | head -n 1 || true)
  if [ -z "$orig" ]; then
    if ! apt-cache showsrc imgui 2>/dev/null | grep -q "^Version: $imgui_version"; then
      ensure_deb_src
      need_root "fetching the deb-src index"
      apt_updated=0
      apt_update_once
    fi
    say "downloading Debian's imgui source package into $deps_dir"
    (cd "$deps_dir" && apt-get source -q --download-only "imgui") \
      || die "apt-get source --download-only imgui failed (see above)"
    orig=$(ls "$deps_dir"/imgui_"$imgui_version"*.orig.tar.* 2>/dev/null | head -n 1 || true)
    [ -n "$orig" ] || die "apt-get source gave no imgui_$imgui_version*.orig.tar.* in $deps_dir" \
                          "(Debian's imgui is not $imgui_version?)"
  fi
  # Unpack beside the target, then move into place, so an interrupted run leaves nothing half-done.
  local tmp
  tmp=$(mktemp -d "$deps_dir/.unpack.XXXXXX")
  tar -xf "$orig" -C "$tmp" || { rm -rf "$tmp"; die "cannot unpack $orig"; }
  [ -f "$tmp/imgui-$imgui_version/imgui.cpp" ] \
    || { rm -rf "$tmp"; die "$orig has no imgui-$imgui_version/imgui.cpp"; }
  rm -rf "$imgui_dir"
  mv "$tmp/imgui-$imgui_version" "$imgui_dir"
  rm -rf "$tmp"
  say "Dear ImGui $imgui_version sources unpacked to $imgui_dir"
}

# ---- 3. npm packages: the site's (web/vendor: fflate, which reads .zip datasets in the page)
# and the browser tests' (tests/browser), each pinned by its package-lock.json ---------------------
npm_install_in() {
  local dir="$1"
  [ -f "$dir/package.json" ] || return 0
  local what="${dir#$repo_root/}"
  if [ -f "$dir/node_modules/.package-lock.json" ] \
     && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package.json" ] \
     && { [ ! -f "$dir/package-lock.json" ] \
          || [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; }; then
    say "npm packages of $what: up to date"
    return
  fi
  if [ -f "$dir/package-lock.json" ]; then
    say "npm ci in $what"
    (cd "$dir" && npm ci --no-audit --no-fund) || die "npm ci in $what failed (see above)"
  else
    say "npm install in $what"
    (cd "$dir" && npm install --no-audit --no-fund) \
      || die "npm install in $what failed (see above)"
  fi
}

install_npm_packages() {
  # Never let Playwright fetch a browser of its own: the tests drive Debian's /usr/bin/chromium.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  npm_install_in "$repo_root/web/vendor"
  npm_install_in "$repo_root/tests/browser"
}

# ---- 4. Data -----------------------------------------------------------------------------------
download_cifar10() {
  local data_dir="$repo_root/data"
  local archive="$data_dir/cifar-10-binary.tar.gz"
  mkdir -p "$data_dir"
  say "downloading the official CIFAR-10 binary release (162 MB) to $archive"
  rm -f "$archive.part"
  if ! curl -fL --connect-timeout 20 --retry 2 -o "$archive.part" "$cifar10_url"; then
    rm -f "$archive.part"
    say "could not download CIFAR-10 from $cifar10_url (no network?)."
    say "Point CNNLAB_CIFAR10 at a copy (binary folder/archive or image folder) to use it."
    return 1
  fi
  local sum
  sum=$(md5sum "$archive.part" | cut -d' ' -f1)
  if [ "$sum" != "$cifar10_md5" ]; then
    rm -f "$archive.part"
    say "the downloaded CIFAR-10 archive has md5 $sum, expected $cifar10_md5: discarded"
    return 1
  fi
  mv "$archive.part" "$archive"
  # Unpack aside, then move into place: find-data.sh must never pick a half-unpacked folder.
  local tmp
  tmp=$(mktemp -d "$data_dir/.unpack.XXXXXX")
  if ! tar -xzf "$archive" -C "$tmp" || [ ! -d "$tmp/cifar-10-batches-bin" ]; then
    rm -rf "$tmp"
    say "cannot unpack $archive"
    return 1
  fi
  rm -rf "$data_dir/cifar-10-batches-bin"
  mv "$tmp/cifar-10-batches-bin" "$data_dir/cifar-10-batches-bin"
  rm -rf "$tmp"
  say "CIFAR-10 (official, md5 ok) in $data_dir/cifar-10-batches-bin"
}

prepare_data() {
  if ! bash "$repo_root/scripts/find-data.sh" --cifar10 --quiet >/dev/null 2>&1; then
    if [ -n "${CNNLAB_CIFAR10:-}" ]; then
      bash "$repo_root/scripts/find-data.sh" --cifar10 >/dev/null  # explains the problem
    fi
    if [ "${CNNLAB_NO_DOWNLOAD:-0}" = 1 ]; then
      say "CNNLAB_NO_DOWNLOAD=1: not downloading CIFAR-10"
    else
      download_cifar10 || say "continuing without CIFAR-10: the lab falls back to Fashion-MNIST."
    fi
  fi
  local chosen
  chosen=$(bash "$repo_root/scripts/find-data.sh") || die "no dataset available (see above)"
  say "default dataset: $chosen"
}

# ---- Main --------------------------------------------------------------------------------------
install_packages
install_imgui
install_npm_packages
if [ "$deps_only" = 0 ]; then
  prepare_data
fi
say "done (ImGui: -DIMGUI_DIR=$imgui_dir)"
