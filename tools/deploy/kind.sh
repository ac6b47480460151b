#!/usr/bin/env bash
# kind for operators who have Docker:
#   tools/deploy/kind.sh up       create the cluster of deploy/kind/cluster.yaml (once)
#   tools/deploy/kind.sh deploy   build the images, `kind load` them, helm install/upgrade
#   tools/deploy/kind.sh down     delete the cluster
# kind (KIND_VERSION) and helm come from the Go module proxy into ~/.cache/ntb.
set -euo pipefail
cd "$(dirname "$0")/../.."

KIND_VERSION=v0.30.0
CACHE_DIR="${NTB_TOOLS_CACHE:-$HOME/.cache/ntb}"
KIND="$CACHE_DIR/kind-$KIND_VERSION/kind"
CLUSTER=ntb
NAMESPACE="${NTB_NAMESPACE:-ntb}"
TAG=dev
SERVICES=(identity laborcoin matching intangible-bank scf-exchange fx-model)

need_docker() {
  docker info >/dev/null 2>&1 || { echo "kind.sh: a running Docker engine is required" >&2; exit 1; }
}

install_kind() {
  if [[ ! -x "$KIND" ]]; then
    mkdir -p "$(dirname "$KIND")"
    GOBIN="$(dirname "$KIND")" CGO_ENABLED=0 "$(command -v go || echo /usr/local/go/bin/go)" \
      install "sigs.k8s.io/kind@$KIND_VERSION"
  fi
}

helm_bin() {
  tools/deploy/install-tools.sh --print-env | sed -n 's/^NTB_HELM=//p'
}

up() {
  need_docker
  install_kind
  if "$KIND" get clusters | grep -qx "$CLUSTER"; then
    echo "kind cluster $CLUSTER exists"
  else
    "$KIND" create cluster --config deploy/kind/cluster.yaml --wait 120s
  fi
}

deploy() {
  need_docker
  install_kind
  local helm
  helm="$(helm_bin)"
  for service in "${SERVICES[@]}"; do
    docker build -f "services/$service/Dockerfile" -t "ntb-$service:$TAG" .
    "$KIND" load docker-image --name "$CLUSTER" "ntb-$service:$TAG"
  done
  "$helm" upgrade --install ntb deploy/helm/ntb --namespace "$NAMESPACE" --create-namespace \
    -f deploy/helm/ntb/values-kind.yaml --set image.tag="$TAG" --wait --timeout 10m
  "$helm" test ntb --namespace "$NAMESPACE" --timeout 5m
}

down() {
  install_kind
  "$KIND" delete cluster --name "$CLUSTER"
}

case "${1:-}" in
  up) up ;;
  deploy) deploy ;;
  down) down ;;
  *) echo "usage: $0 up|deploy|down" >&2; exit 2 ;;
esac
