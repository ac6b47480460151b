#!/usr/bin/env bash
# Lints proto/ with buf (rules in proto/buf.yaml). Installs the pinned buf from
# tools/proto/package-lock.json first if it is missing or another version
# (npm ci, preferring the local npm cache; node_modules is git-ignored).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools_dir="$repo_root/tools/proto"
buf="$tools_dir/node_modules/.bin/buf"

if ! command -v npm > /dev/null || ! command -v node > /dev/null; then
  echo "lint.sh: node and npm are needed to install buf (apt-get install nodejs npm)" >&2
  exit 1
fi
pinned="$(node -p "require('$tools_dir/package.json').devDependencies['@bufbuild/buf']")"
if [ ! -x "$buf" ] || [ "$("$buf" --version 2>/dev/null)" != "$pinned" ]; then
  echo "lint.sh: installing buf $pinned into tools/proto/node_modules" >&2
  (cd "$tools_dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
fi

cd "$repo_root/proto"
"$buf" lint
echo "buf lint: clean"
