# shellcheck shell=bash
# Shared helpers of tools/infra/*.sh (sourced, not executed).
#
# Environment (all optional):
#   NTB_INFRA_DIR   state of the local servers      (default <repo>/.local/infra)
#   NTB_CACHE_DIR   downloaded Kafka runtimes        (default $HOME/.cache/ntb)

INFRA_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if REPO_ROOT="$(git -C "$INFRA_SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null)"; then
  :
else
  REPO_ROOT="$(cd "$INFRA_SCRIPT_DIR/../.." && pwd)"
fi
INFRA_DIR="${NTB_INFRA_DIR:-$REPO_ROOT/.local/infra}"
mkdir -p "$INFRA_DIR"
INFRA_DIR="$(cd "$INFRA_DIR" && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
CACHE_DIR="${NTB_CACHE_DIR:-${HOME:-/root}/.cache/ntb}"

# Short progress lines: "[postgres] starting ...".
log() { printf '[%s] %s\n' "$INFRA_NAME" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$INFRA_NAME" "$*" >&2; exit 1; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PID: true when the process exists (and is not a zombie).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" ]]
}

# apt_install PKG...: install Debian packages, running `apt-get update` once
# when the package lists are empty or the first attempt fails.
apt_install() {
  [[ $EUID -eq 0 ]] || die "need root to install: $* (or install them yourself)"
  command -v apt-get >/dev/null || die "apt-get not found; install $* yourself"
  export DEBIAN_FRONTEND=noninteractive
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt-get update"
    apt-get update -qq
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >/dev/null
  elif ! apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >/dev/null
  fi
}
