#!/usr/bin/env bash
# The ink! contracts (contracts/): toolchain, build, tests, deploy.
#   scripts/contracts.sh build    install cargo-contract (pinned) if missing, build every
#                                 contract, copy the blobs and metadata to contracts/artifacts/
#   scripts/contracts.sh test     check the artifacts were built from the sources as they
#                                 are, then the contracts' unit tests (ink!'s off-chain environment)
#   scripts/contracts.sh deploy   deploy model-licence and planet-gate to a running node
#                                 (URL=ws://127.0.0.1:9944 SURI=//Alice by default)
# See contracts/README.md for why the versions and the workarounds are what they are.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

CARGO_CONTRACT_VERSION=6.0.0-beta.2
TOOLS="${LANDMESH_TOOLS:-$HOME/.cache/landmesh/tools}"
INK_TARGET="$TOOLS/ink-target"
export PATH="$TOOLS/bin:$PATH"
# Rust 1.95 refuses JSON target specs (ink! 6 builds for a RISC-V one) without this.
export CARGO_UNSTABLE_JSON_TARGET_SPEC=true

CONTRACTS="model-licence planet-gate"
# What the committed artifacts were built from: every contract's manifest and code, and the
# lock file. `test` compares it with the sources as they are, so a contract changed without
# `build` fails the tests instead of the node test deploying stale code.
sources_digest() {
	(cd contracts && sha256sum Cargo.toml Cargo.lock $(for c in $CONTRACTS; do echo "$c/Cargo.toml $c/lib.rs"; done))
}

install_cargo_contract() {
	if cargo contract --version 2>/dev/null | grep -q "$CARGO_CONTRACT_VERSION"; then return; fi
	echo "contracts: installing cargo-contract $CARGO_CONTRACT_VERSION (about 7 minutes)"
	CARGO_TARGET_DIR="$TOOLS/build" cargo install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked --root "$TOOLS"
	rm -rf "$TOOLS/build"
}

case "${1:-build}" in
build)
	install_cargo_contract
	for contract in $CONTRACTS; do
		name=${contract//-/_}
		(cd "contracts/$contract" && CARGO_TARGET_DIR="$INK_TARGET" cargo contract build --release --quiet)
		cp "$INK_TARGET/ink/$name/$name.polkavm" "$INK_TARGET/ink/$name/$name.json" contracts/artifacts/
		echo "contracts: $name.polkavm $(stat -c %s "contracts/artifacts/$name.polkavm") bytes"
	done
	sources_digest > contracts/artifacts/SOURCES.sha256
	;;
test)
	if ! sources_digest | cmp -s - contracts/artifacts/SOURCES.sha256; then
		echo "contracts: contracts/artifacts/ were not built from the contracts' current sources;" \
			"run scripts/contracts.sh build and commit contracts/artifacts/" >&2
		exit 1
	fi
	CARGO_TARGET_DIR="$INK_TARGET" cargo test --manifest-path contracts/Cargo.toml --locked
	;;
deploy)
	URL="${URL:-ws://127.0.0.1:9944}"
	SURI="${SURI:-//Alice}"
	cargo build --locked --workspace --bins
	tool="$CARGO_TARGET_DIR/debug/landmesh-contracts"
	alice=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
	"$tool" --url "$URL" --suri "$SURI" model-licence --model 0 --price 10 --share "$alice:1"
	"$tool" --url "$URL" --suri "$SURI" planet-gate --world 0 --fee 2 --pass-hours 24 --free-per-day 10
	;;
*)
	echo "usage: scripts/contracts.sh build|test|deploy" >&2
	exit 2
	;;
esac
