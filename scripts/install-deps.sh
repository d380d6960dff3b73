#!/usr/bin/env bash
# Installs what Lineup needs and the machine lacks. Idempotent and quiet when everything is
# present, so the Makefile calls it every time.
#
#   scripts/install-deps.sh run    what `make run` needs: libhiredis-dev + pkg-config (the
#                                  Redis client links the system hiredis)
#   scripts/install-deps.sh test   what `make test` needs, also:
#     Debian: redis-server (Redis integration tests), openssl (test certificates for TLS), libhiredis-dev + pkg-config (the Redis
#             client), protobuf-compiler (scripts/generate-protos.sh), prometheus for its
#             promtool (the alert rules' tests; the server it also ships is not started),
#             python3 + python3-venv when there is no usable Python
#     PyPI:   grpcio, grpcio-tools, pytest in .build-venv/ (the cross-language interop test),
#             a virtual environment so a system Python marked externally-managed is untouched
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-test}"
venv=".build-venv"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "install-deps: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

apt_updated=false
# Extra apt-get options for one call (e.g. --no-install-recommends).
APT_OPTIONS=""
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "install-deps: installing Debian packages: ${missing[*]}" >&2
  if [ "$apt_updated" = false ]; then
    as_root apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $APT_OPTIONS "${missing[@]}" >/dev/null
}

python_venv() {
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import grpc, grpc_tools, pytest' >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  rm -rf "$venv"
  python3 -m venv "$venv" || { apt_install python3-venv; python3 -m venv "$venv"; }
  echo "install-deps: installing grpcio, grpcio-tools, pytest into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check grpcio grpcio-tools pytest
}

case "$profile" in
  run)
    apt_install libhiredis-dev pkg-config
    ;;
  test)
    apt_install redis-server libhiredis-dev pkg-config protobuf-compiler openssl
    # Only promtool is needed: without recommends, no node exporter comes along.
    APT_OPTIONS="--no-install-recommends" apt_install prometheus
    python_venv
    ;;
  *)
    echo "usage: $0 [run|test]" >&2
    exit 2
    ;;
esac
