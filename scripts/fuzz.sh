#!/usr/bin/env bash
# The fuzz targets (fuzz/): what a peer, a client or a file hands the node to parse.
#   scripts/fuzz.sh [seconds] [target...]   each target for `seconds` (default 60) on its
#                                           corpus in fuzz/corpus/<target>, growing it
#   scripts/fuzz.sh check                   CI: each target replays its corpus and runs
#                                           5 s more (regression only; corpus untouched)
#   scripts/fuzz.sh minimize                shrink every corpus to what covers the same
#                                           (before committing a grown one)
# Installs cargo-fuzz (pinned) on first use. The stable toolchain builds the targets
# (RUSTC_BOOTSTRAP admits the sanitizer flags cargo-fuzz passes), into a target dir of
# their own: sanitizer-instrumented builds must not mix with the main one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

CARGO_FUZZ_VERSION=0.13.2
TOOLS="${LANDMESH_TOOLS:-$HOME/.cache/landmesh/tools}"
export PATH="$TOOLS/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$HOME/.cache/landmesh/fuzz-target"
ALL="wire_frame range_header magnet_link chunk_proof filler_link miner_outbox"

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
	echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
	CARGO_TARGET_DIR="$TOOLS/build" cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS"
	rm -rf "$TOOLS/build"
fi

# Runs one target with libFuzzer's arguments after `--`; prints its final stats as one
# line (runs, inputs it added), or, when it finds a crash, what libFuzzer said.
run() {
	local target="$1"
	shift
	local log
	log=$(mktemp)
	if ! cargo fuzz run --fuzz-dir fuzz "$target" "$@" -print_final_stats=1 >"$log" 2>&1; then
		tail -n 60 "$log"
		echo "fuzz: $target FAILED (the input is in fuzz/artifacts/$target/)" >&2
		rm -f "$log"
		return 1
	fi
	awk -v t="$target" '/stat::number_of_executed_units/ {runs=$2} /stat::new_units_added/ {new=$2}
		END {printf "fuzz: %-13s %10d runs, %d new inputs\n", t, runs, new}' "$log"
	rm -f "$log"
}

case "${1:-60}" in
check)
	for target in $ALL; do
		corpus="fuzz/corpus/$target"
		scratch=$(mktemp -d)
		# Replays every committed input, then 5 s of new ones into a scratch dir.
		run "$target" "$scratch" "$corpus" -- -max_total_time=5
		rm -rf "$scratch"
	done
	;;
minimize)
	for target in $ALL; do
		cargo fuzz cmin --fuzz-dir fuzz "$target" "fuzz/corpus/$target"
	done
	;;
*)
	seconds="$1"
	shift
	for target in ${*:-$ALL}; do
		mkdir -p "fuzz/corpus/$target"
		run "$target" "fuzz/corpus/$target" -- -max_total_time="$seconds"
	done
	;;
esac
