#!/usr/bin/env bash
# The site's download size: the bytes of every file a built site serves except its dataset packs
# (data/*.pack: the same data whatever the code) and the precompressed .gz/.br copies, raw and
# gzip -9 compressed (what a server that compresses sends), per file and in total. With a second
# site folder, prints both totals and the change in percent (size targets compare against the
# site of an earlier commit).
#
#   bash bench/site_size.sh [SITE] [BASELINE_SITE]       default SITE: build-wasm/site
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
site="${1:-$repo_root/build-wasm/site}"
[ -d "$site" ] || { echo "site_size.sh: $site is not a folder: build the site first" >&2; exit 2; }
python3 - "$site" "${2:-}" <<'PY'
import gzip, os, sys

def sizes(site):
    rows = []
    for folder, _, files in os.walk(site, followlinks=True):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, site)
            if rel.startswith("data" + os.sep) and name.endswith(".pack"):
                continue
            if name.endswith((".gz", ".br")):  # web/precompress.sh's copies of the files
                continue
            data = open(path, "rb").read()
            rows.append((rel, len(data), len(gzip.compress(data, 9))))
    return sorted(rows)

def total(rows):
    return sum(r[1] for r in rows), sum(r[2] for r in rows)

site, base = sys.argv[1], sys.argv[2]
rows = sizes(site)
for rel, raw, gz in rows:
    print(f"{raw:>10,} {gz:>10,}  {rel}")
raw, gz = total(rows)
print(f"{raw:>10,} {gz:>10,}  total of {site} (raw, gzip -9), packs excluded")
if base:
    braw, bgz = total(sizes(base))
    print(f"{braw:>10,} {bgz:>10,}  total of {base}")
    print(f"change: raw {100 * (raw - braw) / braw:+.1f} %, gzip {100 * (gz - bgz) / bgz:+.1f} %")
PY
