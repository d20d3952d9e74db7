//! `landmesh`, the command-line client, against real dev nodes: the whole journey of a
//! model (upload, mint, place, order storage, find it in the world, fetch it from a node
//! that never had it), a hostile gateway that corrupts what it serves, and bad input.

mod common;

use common::{dev_node_with, dev_peer_of, http, TestNode};
use serde_json::Value;
use std::{
	io::{Read, Write},
	path::{Path, PathBuf},
	process::Command,
	time::Duration,
};

/// The `landmesh` binary, built beside the node.
fn cli_binary() -> PathBuf {
	let path = Path::new(env!("CARGO_BIN_EXE_landmesh-node")).with_file_name("landmesh");
	assert!(path.exists(), "{} is missing: build it with `cargo build -p landmesh-cli`", path.display());
	path
}

struct Run {
	code: i32,
	stdout: String,
	stderr: String,
}

impl Run {
	fn json(&self) -> Value {
		serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
	}
}

/// Runs `landmesh` against `node` as `suri` (none if empty), in `dir`.
fn landmesh(node: &TestNode, suri: &str, dir: &Path, args: &[&str]) -> Run {
	let mut command = Command::new(cli_binary());
	command
		.current_dir(dir)
		.env_remove("LANDMESH_SURI")
		.env("HOME", dir)
		.env("LANDMESH_NODE", &node.ws_url)
		.env("LANDMESH_GATEWAY", &node.gateway_url)
		.args(args);
	if !suri.is_empty() {
		command.env("LANDMESH_SURI", suri);
	}
	let output = command.output().expect("landmesh runs");
	Run {
		code: output.status.code().unwrap_or(-1),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

fn ok(run: Run, what: &str) -> Run {
	assert_eq!(run.code, 0, "{what} failed:\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
	run
}

/// A GLB-shaped file of `size` bytes (the chain does not parse models).
fn glb(size: usize) -> Vec<u8> {
	let mut bytes: Vec<u8> = (0..size).map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[2]).collect();
	bytes[..4].copy_from_slice(b"glTF");
	bytes
}

/// The whole journey on real nodes: Alice registers her node as a miner with the CLI;
/// Bob puts a GLB into the world in one command (upload, mint, place, storage order) and
/// a re-run repeats nothing; `world show` lists it; `get` from a node that never had it
/// returns identical bytes, verified; `store status` shows the order; `--json` carries
/// the same facts as the text.
#[tokio::test(flavor = "multi_thread")]
async fn put_mint_place_store_then_find_and_get_it_from_a_node_that_never_had_it() {
	let dir = tempfile::tempdir().unwrap();
	let alice = dev_node_with("cli-alice", dir.path(), &["--no-prometheus".into(), "--miner".into(), "--seal-limit=0".into()]);
	let other = dev_peer_of("cli-other", dir.path(), &alice, &[format!("--mesh-bootnodes={}", alice.mesh_addr)]);
	let work = dir.path();

	let registered = ok(landmesh(&alice, "//Alice", work, &["miner", "register", "--capacity", "1GiB", "--json"]), "miner register").json();
	assert_eq!(registered["capacity"], 1u64 << 30);
	assert!(alice.mesh_addr.ends_with(registered["peerId"].as_str().unwrap()), "the peer id read from the node's gateway");

	let model_bytes = glb(3 * 1024 * 1024 + 123);
	std::fs::write(work.join("tower.glb"), &model_bytes).unwrap();
	let args = [
		"put", "tower.glb", "--mint", "--name", "tower", "--place", "3", "--at", "8,0,8", "--rot", "0,90,0", "--scale", "2",
		"--store", "--replicas", "1", "--days", "1",
	];
	let human = ok(landmesh(&alice, "//Bob", work, &args), "put");
	let root = landmesh_primitives::ContentId(landmesh_primitives::proof::root_of(&model_bytes)).to_hex();
	assert!(human.stdout.contains(&root), "put prints the content id: {}", human.stdout);
	assert!(human.stdout.contains("magnet:?"), "and the magnet: {}", human.stdout);
	for step in ["uploaded tower.glb", "minted model", "placed model", "ordered 1 replicas"] {
		assert!(human.stderr.contains(step), "put reports `{step}`: {}", human.stderr);
	}
	// A re-run resumes: everything is found done, nothing is sent again.
	let again = ok(landmesh(&alice, "//Bob", work, &[&args[..], &["--json"]].concat()), "put again").json();
	assert_eq!(again["uploaded"], "already");
	assert!(again["mintedIn"].is_null(), "no second mint: {again}");
	let (model, placement, order) = (again["model"].as_u64().unwrap(), again["placement"].as_u64().unwrap(), again["order"].as_u64().unwrap());

	let world = ok(landmesh(&alice, "", work, &["world", "show", "0", "0,0", "3x2", "--json"]), "world show").json();
	let parcel = world["parcels"].as_array().unwrap().iter().find(|p| p["parcel"]["id"] == 3).expect("parcel 3 in the region").clone();
	let placed = parcel["placements"].as_array().unwrap().iter().find(|p| p["placement"] == placement).expect("the placement").clone();
	assert_eq!(placed["model"], model);
	assert_eq!(placed["transform"]["rotationMillideg"], serde_json::json!([0, 90_000, 0]));
	assert_eq!(placed["transform"]["scalePermille"], serde_json::json!([2000, 2000, 2000]));
	let table = ok(landmesh(&alice, "", work, &["world", "show", "0", "0,0", "3x2"]), "world show").stdout;
	assert!(table.contains(&format!("#{placement} tower (model {model})")), "{table}");

	// From a node that never had it: its gateway fetches from the mesh, the CLI checks it.
	// (It follows Alice's chain: wait until it has imported the mint.)
	let deadline = std::time::Instant::now() + Duration::from_secs(60);
	while landmesh(&other, "", work, &["model", "show", &model.to_string()]).code != 0 {
		assert!(std::time::Instant::now() < deadline, "the other node never saw model {model}");
		std::thread::sleep(Duration::from_millis(500));
	}
	let fetched = ok(
		landmesh(&other, "", work, &["get", &format!("model:{model}"), "-o", "copy.glb", "--only", "--json"]),
		"get from the other node",
	)
	.json();
	assert_eq!(std::fs::read(work.join("copy.glb")).unwrap(), model_bytes, "identical bytes");
	assert_eq!(fetched["contentId"], root.as_str());
	assert_eq!(fetched["served"], serde_json::json!([{ "gateway": other.gateway_url, "bytes": model_bytes.len() }]));
	assert_eq!(fetched["refused"], serde_json::json!([]));

	let status = ok(landmesh(&alice, "", work, &["store", "status", &format!("model:{model}"), "--json"]), "store status").json();
	let orders = status["orders"].as_array().unwrap();
	assert_eq!(orders.len(), 1);
	assert_eq!(orders[0]["id"], order);
	assert_eq!(orders[0]["model"], model);
	let text = ok(landmesh(&alice, "", work, &["store", "status", &format!("model:{model}")]), "store status").stdout;
	assert!(text.contains(&format!("model {model} {root}: 1 orders")), "{text}");

	let account = ok(landmesh(&alice, "//Bob", work, &["account", "--json"]), "account").json();
	let free: u128 = account["free"].as_str().unwrap().parse().unwrap();
	assert!(free > 0 && account["nonce"].as_u64().unwrap() >= 3, "{account}");
	drop(other);
}

/// A gateway that lies about everything it can: a size too large, an outboard whose top
/// pair is true and whose inner pairs are not, and every range with its first byte
/// flipped. `get` takes none of it: it finds the size the root proves, the outboard
/// that checks, refuses the spoiled bytes naming the range, and completes from the
/// honest gateway.
#[tokio::test(flavor = "multi_thread")]
async fn get_refuses_a_gateway_that_corrupts_a_byte_and_completes_from_another() {
	let dir = tempfile::tempdir().unwrap();
	let alice = dev_node_with("cli-corrupt", dir.path(), &["--no-prometheus".into()]);
	let work = dir.path();
	let bytes = glb(8 * 1024 * 1024 + 5);
	std::fs::write(work.join("big.glb"), &bytes).unwrap();
	ok(landmesh(&alice, "//Alice", work, &["put", "big.glb"]), "put");
	let root = landmesh_primitives::ContentId(landmesh_primitives::proof::root_of(&bytes)).to_hex();

	let hostile = hostile_gateway(alice.gateway_url.clone());
	let gateways = format!("{hostile},{}", alice.gateway_url);
	let run = ok(landmesh(&alice, "", work, &["--gateway", &gateways, "get", &root, "-o", "got.glb", "--only", "--json"]), "get");
	assert_eq!(std::fs::read(work.join("got.glb")).unwrap(), bytes, "the honest gateway filled in what the hostile one spoiled");
	let report = run.json();
	let refused = report["refused"].as_array().unwrap();
	assert!(!refused.is_empty(), "the hostile gateway's bytes were refused: {report}");
	assert_eq!(refused[0]["gateway"], hostile.as_str());
	let from = refused[0]["from"].as_u64().unwrap();
	assert_eq!(from % (1 << 20), 0, "the spoiled group is the first of a piece: {report}");
	assert!(run.stderr.contains(&format!("{hostile} sent bytes {from}..")), "a warning names the range: {}", run.stderr);
	let honest: u64 = report["served"].as_array().unwrap().iter().filter(|s| s["gateway"] == alice.gateway_url.as_str()).map(|s| s["bytes"].as_u64().unwrap()).sum();
	assert_eq!(honest, bytes.len() as u64, "every kept byte came from the honest gateway");

	// A partial file is resumed: what verifies is kept, the rest fetched.
	let part = work.join("again.glb.part");
	let mut partial = bytes.clone();
	partial[5 << 20] ^= 0xff; // a spoiled byte in the sixth piece
	std::fs::write(&part, &partial[..7 << 20]).unwrap();
	let resumed = ok(landmesh(&alice, "", work, &["get", &root, "-o", "again.glb", "--only", "--json"]), "resume").json();
	assert_eq!(resumed["resumed"], 6u64 << 20, "five whole pieces and the seventh kept: {resumed}");
	assert_eq!(std::fs::read(work.join("again.glb")).unwrap(), bytes);
	assert!(!part.exists());
}

/// Bad input: each is one line that says what to do, exit code 1, and nothing sent.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_one_line_with_the_fix_and_sends_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let alice = dev_node_with("cli-bad", dir.path(), &["--no-prometheus".into()]);
	let work = dir.path();
	std::fs::write(work.join("m.glb"), glb(2000)).unwrap();
	let nonce = || ok(landmesh(&alice, "//Bob", work, &["account", "--json"]), "account").json()["nonce"].as_u64().unwrap();
	let before = nonce();
	let cases: [(&str, Vec<&str>, &str); 7] = [
		("not a secret uri", vec!["transfer", "alice", "1"], "secret URI"),
		("//Bob", vec!["parcel", "buy", "999"], "not for sale"),
		("//Bob", vec!["transfer", "alice", "1.0000000000001"], "13 decimals"),
		("//Bob", vec!["miner", "register", "--capacity", "0"], "at least one byte"),
		("//Bob", vec!["put", "missing.glb"], "cannot open missing.glb"),
		("//Bob", vec!["--node", "ws://127.0.0.1:1", "transfer", "alice", "1"], "cannot reach the node at ws://127.0.0.1:1"),
		("//Bob", vec!["model", "place", "0", "2", "--at", "99,0,8"], "the placement is off"),
	];
	for (suri, args, says) in cases {
		let run = landmesh(&alice, suri, work, &args);
		assert_eq!(run.code, 1, "{args:?} fails: {}", run.stdout);
		assert!(run.stderr.contains(says), "{args:?} says `{says}`: {}", run.stderr);
		assert_eq!(run.stderr.trim().lines().count(), 1, "{args:?}: one line: {}", run.stderr);
		let json = landmesh(&alice, suri, work, &[&args[..], &["--json"]].concat());
		assert!(json.json()["error"].as_str().unwrap().contains(says), "--json carries the same error");
	}
	// A dispatch failure names the pallet's error and its documentation.
	let run = landmesh(&alice, "//Bob", work, &["model", "burn", "0"]);
	assert_eq!(run.code, 1);
	assert!(run.stderr.contains("models.NotModelOwner"), "{}", run.stderr);
	assert_eq!(nonce(), before + 1, "only the burn that failed on chain was sent");
}

/// A gateway in front of `upstream` that says every content is 48 KiB longer than it is,
/// spoils the first hash pair of every outboard (keeping the top pair, which a client
/// might check alone) and flips the first byte of every content body it serves.
fn hostile_gateway(upstream: String) -> String {
	let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	std::thread::spawn(move || {
		for stream in listener.incoming().flatten() {
			let upstream = upstream.clone();
			std::thread::spawn(move || serve_corrupted(stream, &upstream));
		}
	});
	base
}

fn serve_corrupted(mut stream: std::net::TcpStream, upstream: &str) {
	stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
	loop {
		let mut head = Vec::new();
		let mut byte = [0u8; 1];
		while !head.ends_with(b"\r\n\r\n") {
			match stream.read(&mut byte) {
				Ok(1) => head.push(byte[0]),
				_ => return,
			}
		}
		let text = String::from_utf8_lossy(&head).into_owned();
		let mut lines = text.lines();
		let mut first = lines.next().unwrap_or("").split(' ');
		let (method, path) = (first.next().unwrap_or("GET").to_string(), first.next().unwrap_or("/").to_string());
		let headers: Vec<(String, String)> = lines
			.filter_map(|l| l.split_once(':'))
			.map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
			.filter(|(k, _)| k.eq_ignore_ascii_case("range"))
			.collect();
		let pass: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
		let (status, upstream_head, mut body) = http(upstream, &method, &path, &pass, b"");
		if method == "GET" && path.starts_with("/content/") && !body.is_empty() {
			if !path.ends_with("/outboard") {
				body[0] ^= 0x01;
			} else if body.len() > 128 {
				body[0] ^= 0x01;
			}
		}
		let keep = |name: &str| {
			upstream_head.lines().find(|l| l.to_ascii_lowercase().starts_with(name)).map(|l| format!("{l}\r\n")).unwrap_or_default()
		};
		let length = if method == "HEAD" {
			let real: u64 = keep("content-length:").split(':').nth(1).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
			format!("Content-Length: {}\r\n", real + 48 * 1024)
		} else {
			format!("Content-Length: {}\r\n", body.len())
		};
		let response = format!("HTTP/1.1 {status} X\r\n{length}{}{}\r\n", keep("content-range:"), keep("x-landmesh-content-length:"));
		if stream.write_all(response.as_bytes()).is_err() || (method != "HEAD" && stream.write_all(&body).is_err()) {
			return;
		}
	}
}
