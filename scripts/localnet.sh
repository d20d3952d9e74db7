#!/usr/bin/env bash
# A four-validator network (Alice, Bob, Charlie, Dave) on loopback.
#
#   scripts/localnet.sh start    build, then start the four nodes in the background
#   scripts/localnet.sh status   best and finalized block of each node
#   scripts/localnet.sh stop     stop them cleanly (SIGINT, then wait)
#   scripts/localnet.sh purge    stop and delete the chain data
#
# Data, node keys, logs and pids live under $LANDMESH_NET_DIR (default
# ~/.local/share/landmesh/localnet/<name>), so a restart continues the same chain.
# Ports: p2p 30333+i, RPC 9944+i, Prometheus 9615+i for i = 0 (alice) .. 3 (dave).
set -euo pipefail
cd "$(dirname "$0")/.."
NET_DIR="${LANDMESH_NET_DIR:-$HOME/.local/share/landmesh/localnet}"
NAMES=(alice bob charlie dave)

node_bin() {
	source scripts/setup.sh
	cargo build --locked -p landmesh-node >&2
	echo "$LANDMESH_NODE"
}

rpc() { # port method -> result JSON
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "http://127.0.0.1:$1"
}

start() {
	local bin
	bin="$(node_bin)"
	mkdir -p "$NET_DIR"
	local boot=""
	for i in "${!NAMES[@]}"; do
		local name="${NAMES[$i]}" dir="$NET_DIR/${NAMES[$i]}"
		mkdir -p "$dir"
		if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "$name is already running (pid $(cat "$dir/pid"))"
		else
			[ -f "$dir/node-key" ] || "$bin" key generate-node-key --file "$dir/node-key" 2>/dev/null
			"$bin" --chain local --"$name" --base-path "$dir" --node-key-file "$dir/node-key" \
				--wasm-cache "$NET_DIR/wasm-cache" \
				--port $((30333 + i)) --rpc-port $((9944 + i)) --prometheus-port $((9615 + i)) \
				--no-mdns ${boot:+--bootnodes "$boot"} >"$dir/node.log" 2>&1 &
			echo $! >"$dir/pid"
			echo "$name: pid $!, rpc ws://127.0.0.1:$((9944 + i)), log $dir/node.log"
		fi
		if [ -z "$boot" ]; then
			boot="/ip4/127.0.0.1/tcp/30333/p2p/$("$bin" key inspect-node-key --file "$dir/node-key")"
		fi
	done
}

status() {
	for i in "${!NAMES[@]}"; do
		local port=$((9944 + i)) best fin
		best=$(rpc $port chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		fin=$(curl -s -H 'Content-Type: application/json' -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\",\"params\":[$(rpc $port chain_getFinalizedHead | sed -n 's/.*"result":\("0x[0-9a-f]*"\).*/\1/p')]}" "http://127.0.0.1:$port" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		if [ -n "$best" ]; then
			printf '%-8s best #%d finalized #%d\n' "${NAMES[$i]}" "$best" "${fin:-0}"
		else
			printf '%-8s down\n' "${NAMES[$i]}"
		fi
	done
}

stop() {
	for name in "${NAMES[@]}"; do
		local pidfile="$NET_DIR/$name/pid"
		[ -f "$pidfile" ] || continue
		local pid
		pid="$(cat "$pidfile")"
		if kill -INT "$pid" 2>/dev/null; then
			for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$pid" 2>/dev/null || true
			echo "$name stopped"
		fi
		rm -f "$pidfile"
	done
}

case "${1:-}" in
	start) start ;;
	status) status ;;
	stop) stop ;;
	purge) stop; rm -rf "$NET_DIR"; echo "removed $NET_DIR" ;;
	*) echo "usage: $0 start|status|stop|purge" >&2; exit 2 ;;
esac
