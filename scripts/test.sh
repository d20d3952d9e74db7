#!/usr/bin/env bash
# Sets up a fresh machine if needed, then builds and runs every test of the workspace:
# pallet unit tests, benchmark tests, the integration tests that start real nodes (four
# test binaries at a time: they mostly wait on blocks), the ink! contracts' unit tests,
# and the fuzz targets over their committed corpora (regression only).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if cargo nextest --version >/dev/null 2>&1; then
	# A real-node test that fails once under the load of the others is run again, and
	# reported as flaky (nextest prints FLAKY) rather than hidden.
	cargo nextest run --workspace --locked --no-fail-fast --test-threads 4 --retries 1 "$@"
else
	cargo test --workspace --locked "$@"
fi
# The ink! contracts' unit tests (their own workspace; no cargo-contract needed).
scripts/contracts.sh test
# Every fuzz target replays its corpus and runs a few seconds more.
scripts/fuzz.sh check
