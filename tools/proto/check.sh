#!/usr/bin/env bash
# Fails if the committed generated code (libs/ntbproto/src/ntb) differs from what
# tools/proto/generate.sh makes from proto/ now.
set -euo pipefail
export LC_ALL=C

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

tmp_dir="$(mktemp -d)"
trap 'rm -rf "$tmp_dir"' EXIT

tools/proto/generate.sh "$tmp_dir/out" > /dev/null
if ! diff -r -x __pycache__ "$tmp_dir/out/ntb" libs/ntbproto/src/ntb > "$tmp_dir/diff.txt" 2>&1; then
  head -n 40 "$tmp_dir/diff.txt" >&2
  echo "generated code is stale: run make proto" >&2
  exit 1
fi
echo "generated code is up to date"
