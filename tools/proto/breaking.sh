#!/usr/bin/env bash
# Checks proto/ for breaking changes (rules in proto/buf.yaml, category FILE)
# against a git revision of this repository.
#
#   tools/proto/breaking.sh [GIT_REF]     (default: HEAD, i.e. uncommitted changes)
#
# Passes with a notice when GIT_REF has no proto/buf.yaml (nothing to compare).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ref="${1:-HEAD}"

"$repo_root/tools/proto/lint.sh" > /dev/null
if ! git -C "$repo_root" cat-file -e "$ref:proto/buf.yaml" 2>/dev/null; then
  echo "breaking.sh: $ref has no proto/buf.yaml; nothing to compare against"
  exit 0
fi
cd "$repo_root/proto"
"$repo_root/tools/proto/node_modules/.bin/buf" breaking \
  --against "$repo_root/.git#ref=$ref,subdir=proto"
echo "buf breaking against $ref: none"
