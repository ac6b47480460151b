#!/usr/bin/env bash
# Stop the local infrastructure started by tools/infra/up.sh (data is kept).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

rc=0
"$dir/kafka.sh" down || rc=1
"$dir/postgres.sh" down || rc=1
exit "$rc"
