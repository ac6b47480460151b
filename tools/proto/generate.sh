#!/usr/bin/env bash
# Generates the Python code of every contract under proto/ntb into OUT_DIR/ntb:
# messages (*_pb2.py), gRPC stubs (*_pb2_grpc.py) and their mypy stubs (*.pyi),
# plus an empty __init__.py in every package directory and OUT_DIR/ntb/py.typed.
#
#   tools/proto/generate.sh [OUT_DIR]     (default: libs/ntbproto/src)
#
# Stale generated files under OUT_DIR/ntb are deleted first; the output is
# deterministic (same inputs, same bytes). Uses the workspace venv's grpcio-tools and
# mypy-protobuf; set PYTHON to use another interpreter that has both.
set -euo pipefail
export LC_ALL=C

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

out_dir="${1:-libs/ntbproto/src}"
python="${PYTHON:-$repo_root/.venv/bin/python}"
venv_bin="$(dirname "$python")"
for tool in "$python" "$venv_bin/protoc-gen-mypy" "$venv_bin/protoc-gen-mypy_grpc"; do
  if [ ! -x "$tool" ]; then
    echo "generate.sh: $tool not found; install the workspace dev dependencies (uv sync)" >&2
    exit 1
  fi
done

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
package_dir="$out_dir/ntb"

# 1. Delete what an earlier run generated (but keep py.typed and anything else).
if [ -d "$package_dir" ]; then
  find "$package_dir" -type d -name __pycache__ -prune -exec rm -rf {} +
  find "$package_dir" -type f \( -name '*_pb2.py' -o -name '*_pb2.pyi' \
    -o -name '*_pb2_grpc.py' -o -name '*_pb2_grpc.pyi' -o -name '__init__.py' \) -delete
  find "$package_dir" -mindepth 1 -type d -empty -delete
fi

# 2. Every .proto under proto/ntb, in a stable order.
mapfile -t protos < <(cd proto && find ntb -type f -name '*.proto' | sort)
if [ "${#protos[@]}" -eq 0 ]; then
  echo "generate.sh: no .proto files under proto/ntb" >&2
  exit 1
fi

# 3. One protoc run over all files (imports resolve against proto/ and the
#    well-known types bundled with grpcio-tools). mypy-protobuf options: "quiet"
#    (no per-file chatter); "generate_concrete_servicer_stubs" so a generated
#    *ServiceServicer base class is not abstract for mypy: it can be instantiated
#    (every RPC answers UNIMPLEMENTED) and subclassed one RPC at a time. Stubs type
#    both grpc.Channel and grpc.aio.Channel clients.
wkt_include="$("$python" -c 'import os, grpc_tools; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"
protoc_log="$(mktemp)"
trap 'rm -f "$protoc_log"' EXIT
if ! "$python" -m grpc_tools.protoc \
  -I proto \
  -I "$wkt_include" \
  --plugin=protoc-gen-mypy="$venv_bin/protoc-gen-mypy" \
  --plugin=protoc-gen-mypy_grpc="$venv_bin/protoc-gen-mypy_grpc" \
  --python_out="$out_dir" \
  --grpc_python_out="$out_dir" \
  --mypy_out=quiet:"$out_dir" \
  --mypy_grpc_out=quiet,generate_concrete_servicer_stubs:"$out_dir" \
  "${protos[@]/#/proto/}" 2> "$protoc_log"; then
  cat "$protoc_log" >&2
  echo "generate.sh: protoc failed" >&2
  exit 1
fi
cat "$protoc_log" >&2

# 4. Make every generated directory a regular package, and mark the tree typed.
find "$package_dir" -type d | sort | while read -r dir; do
  : > "$dir/__init__.py"
done
: > "$package_dir/py.typed"

echo "generated ${#protos[@]} proto files into $package_dir"
