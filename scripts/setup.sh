# Sourced by the other scripts: installs what a fresh machine lacks and sets the build
# environment. Safe to run again; each step checks first.
#   - Debian packages: protobuf-compiler (libp2p), clang + libclang-dev (librocksdb-sys),
#     libssl-dev + pkg-config (litep2p's WebRTC), curl (scripts/localnet.sh status)
#   - rustup: the wasm32v1-none target and rust-src (the runtime's wasm build)
#   - CARGO_TARGET_DIR outside the clone, so every clone and CI run share one warm cache

set -euo pipefail

_sudo() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

_missing=()
command -v protoc >/dev/null 2>&1 || _missing+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || _missing+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || _missing+=(libclang-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || _missing+=(libssl-dev)
command -v pkg-config >/dev/null 2>&1 || _missing+=(pkg-config)
command -v curl >/dev/null 2>&1 || _missing+=(curl)
if [ ${#_missing[@]} -gt 0 ]; then
	echo "setup: installing ${_missing[*]}"
	_sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive _sudo apt-get install -y -qq "${_missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32v1-none; then
	echo "setup: adding the wasm32v1-none target"
	rustup target add wasm32v1-none
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
	echo "setup: adding rust-src"
	rustup component add rust-src
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/landmesh/target}"
# With the target dir outside the clone, the runtime's wasm build must be told where the
# workspace (and its Cargo.lock) is, or it resolves dependency versions afresh.
export WASM_BUILD_WORKSPACE_HINT="${WASM_BUILD_WORKSPACE_HINT:-$(pwd)}"
mkdir -p "$CARGO_TARGET_DIR"
# The node binary every script runs (dev profile: the one profile tests and node share).
export LANDMESH_NODE="$CARGO_TARGET_DIR/debug/landmesh-node"
