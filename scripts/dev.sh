#!/usr/bin/env bash
# Sets up a fresh machine if needed, builds the node, and runs a development chain with
# everything embedded: Alice validates and finalizes alone, state lives in a temporary
# directory, RPC on ws://127.0.0.1:9944. Extra arguments go to the node.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --locked -p landmesh-node
exec "$LANDMESH_NODE" --dev "$@"
