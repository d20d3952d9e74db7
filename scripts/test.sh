#!/usr/bin/env bash
# Sets up a fresh machine if needed, then builds and runs every test of the workspace:
# pallet unit tests, benchmark tests, and the integration tests that start real nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo test --workspace --locked "$@"
