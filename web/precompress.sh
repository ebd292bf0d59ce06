#!/usr/bin/env bash
# Writes FILE.gz (gzip -9) and, when Debian's `brotli` is installed, FILE.br (brotli -q 11) beside
# every file of a built site folder, for static hosts that serve precompressed files (README,
# "Deploying"). Skipped: the dataset packs (JPEG images do not compress, and a compressed
# transfer hides a pack's size from the page, which then cannot stream it into the trainer) and
# files whose .gz is newer than they are. Called by the cnnlab_site target.
#
#   bash web/precompress.sh SITE_DIR
set -euo pipefail
site="${1:?usage: precompress.sh SITE_DIR}"
have_brotli=0
command -v brotli >/dev/null && have_brotli=1
find "$site" -type f ! -name '*.gz' ! -name '*.br' ! -name '*.pack' -print0 |
  while IFS= read -r -d '' file; do
    if [ ! -e "$file.gz" ] || [ "$file" -nt "$file.gz" ]; then
      gzip -9 -n -k -f "$file"
    fi
    if [ "$have_brotli" = 1 ] && { [ ! -e "$file.br" ] || [ "$file" -nt "$file.br" ]; }; then
      brotli -q 11 -k -f "$file"
    fi
  done
