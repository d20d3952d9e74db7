#!/usr/bin/env bash
# The ink! 5 / pallet-contracts spike (contracts/README.md), reproducible. Not part of the
# tests: the chain runs ink! 6 on pallet-revive; this shows what the other path takes.
#   contracts/spikes/ink5.sh build    install cargo-contract 5.0.3 (pinned, ~16 min once),
#                                     build the ink! 5 flipper in release mode
#   contracts/spikes/ink5.sh deploy   deploy it to a dev node whose runtime has
#                                     pallet-contracts, flip it and read it back
#                                     (URL=ws://127.0.0.1:9944 SURI=//Alice by default)
# The runtime for `deploy`: `git apply contracts/spikes/ink5-runtime.patch` (or check out
# the branch spike/ink5-pallet-contracts), then `scripts/dev.sh`.
set -euo pipefail
cd "$(dirname "$0")"
spikes="$PWD"

CARGO_CONTRACT_VERSION=5.0.3
TOOLS="${LANDMESH_TOOLS:-$HOME/.cache/landmesh/tools}/ink5"
export CARGO_TARGET_DIR="$TOOLS/target"
contract="$CARGO_TARGET_DIR/ink/flipper.contract"

case "${1:-build}" in
build)
	if ! "$TOOLS/bin/cargo-contract" --version 2>/dev/null | grep -q "$CARGO_CONTRACT_VERSION"; then
		echo "ink5: installing cargo-contract $CARGO_CONTRACT_VERSION"
		CARGO_TARGET_DIR="$TOOLS/build" cargo install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked --root "$TOOLS"
		rm -rf "$TOOLS/build"
	fi
	# cargo-contract runs $CARGO: the shim swaps the removed panic feature for the strategy.
	(cd ink5-flipper && CARGO="$spikes/ink5-cargo" "$TOOLS/bin/cargo-contract" contract build --release)
	;;
deploy)
	URL="${URL:-ws://127.0.0.1:9944}"
	SURI="${SURI:-//Alice}"
	out=$("$TOOLS/bin/cargo-contract" contract instantiate --constructor new --args false \
		--suri "$SURI" --url "$URL" -x --skip-confirm --output-json "$contract")
	address=$(echo "$out" | sed -n 's/.*"contract": *"\([^"]*\)".*/\1/p' | head -1)
	echo "ink5: flipper at $address"
	"$TOOLS/bin/cargo-contract" contract call --contract "$address" --message flip \
		--suri "$SURI" --url "$URL" -x --skip-confirm "$contract" >/dev/null
	"$TOOLS/bin/cargo-contract" contract call --contract "$address" --message get \
		--suri "$SURI" --url "$URL" "$contract" | grep -q 'Ok(true)' \
		&& echo "ink5: flipped, get() answers true"
	;;
*)
	echo "usage: contracts/spikes/ink5.sh build|deploy" >&2
	exit 2
	;;
esac
