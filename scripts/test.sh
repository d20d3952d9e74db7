#!/usr/bin/env bash
# Sets up a fresh machine if needed, then builds and runs every test of the workspace:
# pallet unit tests, benchmark tests, the integration tests that start real nodes, and
# the ink! contracts' unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo test --workspace --locked "$@"
# The ink! contracts' unit tests (their own workspace; no cargo-contract needed).
scripts/contracts.sh test
