//! Real `landmesh-node` processes on loopback for the integration tests.

#![allow(dead_code)]

use landmesh_runtime::Hash;
use std::{
	io::{BufRead, BufReader, Write},
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::mpsc,
	time::Duration,
};

/// A free TCP port on 127.0.0.1 (the OS picks it; the listener is dropped before use).
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("the OS hands out a free loopback port")
}

/// A running node; killed when dropped. Its log is kept in `log_path` for post-mortems.
pub struct TestNode {
	pub name: String,
	child: Child,
	/// `ws://127.0.0.1:<port>`, learned from the node's own log.
	pub ws_url: String,
	/// `12D3Koo...`, learned from the node's own log.
	pub peer_id: String,
	/// `http://127.0.0.1:<port>`: the content gateway, learned from the node's own log.
	pub gateway_url: String,
	/// `/ip4/127.0.0.1/tcp/<port>/p2p/<peer id>`: the content mesh's swarm, from the log.
	pub mesh_addr: String,
	/// `/ip4/127.0.0.1/tcp/<port>/p2p/<peer id>`: the chain's p2p address (set by
	/// [`dev_node_with`], which chooses the port).
	pub p2p_addr: String,
	pub log_path: PathBuf,
}

impl TestNode {
	/// Starts `landmesh-node` with `args` and waits until its RPC server and network are up.
	pub fn start(name: &str, args: &[String], log_dir: &Path) -> TestNode {
		let log_path = log_dir.join(format!("{name}.log"));
		let mut child = Command::new(env!("CARGO_BIN_EXE_landmesh-node"))
			.args(args)
			.arg("--rpc-port=0")
			.arg("--gateway-port=0")
			.arg("--mesh-port=0")
			.arg("--no-mdns")
			// One compile of the runtime for all the tests' nodes, not one per node.
			.arg(concat!("--wasm-cache=", env!("CARGO_TARGET_TMPDIR"), "/wasm-cache"))
			.arg("--log=info")
			.stdout(Stdio::null())
			.stderr(Stdio::piped())
			.spawn()
			.expect("landmesh-node starts");
		let stderr = child.stderr.take().expect("stderr is piped");
		let (tx, rx) = mpsc::channel::<String>();
		{
			let mut file = std::fs::File::create(&log_path).expect("log file can be created");
			std::thread::spawn(move || {
				for line in BufReader::new(stderr).lines().map_while(Result::ok) {
					let _ = writeln!(file, "{line}");
					let _ = tx.send(line);
				}
			});
		}

		let (mut ws_url, mut peer_id, mut gateway_url, mut mesh_addr) = (None, None, None, None);
		let deadline = std::time::Instant::now() + Duration::from_secs(120);
		while ws_url.is_none() || peer_id.is_none() || gateway_url.is_none() || mesh_addr.is_none() {
			let left = deadline.saturating_duration_since(std::time::Instant::now());
			let line = match rx.recv_timeout(left) {
				Ok(line) => line,
				Err(_) => panic!(
					"{name} did not start within 120 s; log: {}\n{}",
					log_path.display(),
					std::fs::read_to_string(&log_path).unwrap_or_default()
				),
			};
			if let Some(rest) = line.split("Running JSON-RPC server: addr=").nth(1) {
				let addr = rest
					.split([',', ' '])
					.find(|a| a.starts_with("127.0.0.1:"))
					.expect("the RPC server listens on 127.0.0.1");
				ws_url = Some(format!("ws://{addr}"));
			}
			if let Some(rest) = line.split("Local node identity is: ").nth(1) {
				peer_id = Some(rest.trim().to_string());
			}
			if let Some(rest) = line.split("Gateway listening on ").nth(1) {
				gateway_url = Some(rest.trim().to_string());
			}
			if let Some(rest) = line.split("Mesh listening on ").nth(1).filter(|r| r.starts_with("/ip4/127.0.0.1/")) {
				mesh_addr = Some(rest.trim().to_string());
			}
		}
		TestNode {
			name: name.to_string(),
			child,
			ws_url: ws_url.expect("set above"),
			peer_id: peer_id.expect("set above"),
			gateway_url: gateway_url.expect("set above"),
			mesh_addr: mesh_addr.expect("set above"),
			p2p_addr: String::new(),
			log_path,
		}
	}

	/// Stops the node as an operator would (SIGINT) and waits for it to exit.
	pub fn stop(mut self) {
		let _ = Command::new("kill").arg("-INT").arg(self.child.id().to_string()).status();
		for _ in 0..300 {
			if let Ok(Some(_)) = self.child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

impl Drop for TestNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The JSON-RPC error code and message inside a dev-client error, if it is one.
pub fn rpc_error(e: &landmesh_node::dev_client::Error) -> Option<(i32, String)> {
	match e.downcast_ref::<jsonrpsee::core::ClientError>() {
		Some(jsonrpsee::core::ClientError::Call(obj)) => Some((
			obj.code(),
			format!("{} {}", obj.message(), obj.data().map(|d| d.get()).unwrap_or_default()),
		)),
		_ => None,
	}
}

/// `GET path` over plain HTTP/1.0; returns the body.
pub fn http_get(port: u16, path: &str) -> std::io::Result<String> {
	use std::io::Read;
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
	write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
	let mut response = String::new();
	stream.read_to_string(&mut response)?;
	Ok(response)
}

/// A `--dev --tmp` node on free loopback ports, with Prometheus on `prometheus` if given.
pub fn dev_node(name: &str, dir: &std::path::Path, prometheus: Option<u16>) -> TestNode {
	let prometheus = match prometheus {
		Some(p) => format!("--prometheus-port={p}"),
		None => "--no-prometheus".into(),
	};
	dev_node_with(name, dir, &[prometheus])
}

/// A `--dev --tmp` node on free loopback ports, with `extra` flags.
pub fn dev_node_with(name: &str, dir: &std::path::Path, extra: &[String]) -> TestNode {
	let port = free_port();
	let mut args = vec!["--dev".to_string(), "--tmp".to_string(), format!("--port={port}")];
	args.extend_from_slice(extra);
	let mut node = TestNode::start(name, &args, dir);
	node.p2p_addr = format!("/ip4/127.0.0.1/tcp/{port}/p2p/{}", node.peer_id);
	node
}

/// A full node (not a validator) of the dev chain that `peer` runs, syncing from it.
pub fn dev_peer_of(name: &str, dir: &std::path::Path, peer: &TestNode, extra: &[String]) -> TestNode {
	peer_of(name, dir, peer, "--chain=dev", extra)
}

/// A full node of the chain `chain` (a `--chain=…` flag) that `peer` runs, syncing from it.
pub fn peer_of(name: &str, dir: &std::path::Path, peer: &TestNode, chain: &str, extra: &[String]) -> TestNode {
	let port = free_port();
	let mut args = vec![
		chain.to_string(),
		"--tmp".to_string(),
		format!("--port={port}"),
		format!("--bootnodes={}", peer.p2p_addr),
		"--no-prometheus".to_string(),
	];
	args.extend_from_slice(extra);
	let mut node = TestNode::start(name, &args, dir);
	node.p2p_addr = format!("/ip4/127.0.0.1/tcp/{port}/p2p/{}", node.peer_id);
	node
}

/// Follows a watched extrinsic to finality: (block it was included in, finalized block).
pub async fn until_finalized(
	mut sub: jsonrpsee::core::client::Subscription<serde_json::Value>,
) -> (Hash, Hash) {
	let mut in_block = None;
	let follow = async {
		while let Some(status) = sub.next().await {
			let status = status.expect("a well-formed status");
			if let Some(h) = status.get("inBlock") {
				in_block = Some(serde_json::from_value::<Hash>(h.clone()).expect("a hash"));
			} else if let Some(h) = status.get("finalized") {
				return serde_json::from_value::<Hash>(h.clone()).expect("a hash");
			} else if status.get("invalid").is_some() ||
				status.get("dropped").is_some() ||
				status.get("usurped").is_some()
			{
				panic!("the transaction left the pool: {status}");
			}
		}
		panic!("the status stream ended before finality");
	};
	let finalized = tokio::time::timeout(Duration::from_secs(120), follow)
		.await
		.expect("finalized within 120 s");
	(in_block.unwrap_or(finalized), finalized)
}

/// One HTTP/1.0 request to `base` (`http://127.0.0.1:<port>`): (status, headers, body).
pub fn http(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, Vec<u8>) {
	use std::io::Read;
	let host = base.trim_start_matches("http://");
	let mut stream = std::net::TcpStream::connect(host).expect("the gateway accepts connections");
	let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {}\r\n", body.len());
	for (k, v) in headers {
		request.push_str(&format!("{k}: {v}\r\n"));
	}
	request.push_str("\r\n");
	stream.write_all(request.as_bytes()).and_then(|()| stream.write_all(body)).expect("the request is sent");
	let mut response = Vec::new();
	stream.read_to_end(&mut response).expect("the response is read");
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
	let head = String::from_utf8_lossy(&response[..split]).into_owned();
	let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status code");
	(status, head, response[split + 4..].to_vec())
}

/// Signs `call` as `signer`, submits it, follows it to finality and returns the events
/// of its block; panics (with the dispatch error) if it failed.
pub async fn execute(
	client: &landmesh_node::dev_client::DevClient,
	chain: &landmesh_node::transactions::ChainIdentity,
	signer: polkadot_sdk::sp_keyring::Sr25519Keyring,
	call: landmesh_runtime::RuntimeCall,
) -> Vec<landmesh_runtime::RuntimeEvent> {
	match try_execute(client, chain, signer, call).await {
		Ok(events) => events,
		Err(e) => panic!("the call failed: {e:?}"),
	}
}

/// [`execute`], returning the dispatch error of a failed call.
pub async fn try_execute(
	client: &landmesh_node::dev_client::DevClient,
	chain: &landmesh_node::transactions::ChainIdentity,
	signer: polkadot_sdk::sp_keyring::Sr25519Keyring,
	call: landmesh_runtime::RuntimeCall,
) -> Result<Vec<landmesh_runtime::RuntimeEvent>, polkadot_sdk::sp_runtime::DispatchError> {
	client.execute(&signer.pair(), call, chain).await.expect("the transaction is finalized")
}

/// The chain a gateway's signed requests must name: what its `401` to an unsigned upload
/// says to sign for.
pub fn chain_of(base: &str) -> String {
	let (status, head, _) = http(base, "POST", "/content", &[], b"");
	assert_eq!(status, 401, "an unsigned upload is asked for a signature: {head}");
	let challenge = head.lines().find(|l| l.to_ascii_lowercase().starts_with("www-authenticate:")).expect("WWW-Authenticate");
	challenge.split("chain=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the chain to sign for").to_string()
}

/// The headers that sign a gateway request for content `root` (hex) on the gateway at
/// `base` as `who`, valid until `expires` (unix seconds): what a wallet sends for a gated
/// model (the chain it names is the one the gateway's `401` gives).
pub fn credentials(
	base: &str,
	who: polkadot_sdk::sp_keyring::Sr25519Keyring,
	root: &str,
	expires: u64,
) -> [(&'static str, String); 3] {
	signed_by(&chain_of(base), &who.pair(), root, expires)
}

/// [`credentials`] for any key, on the chain named `chain` (from [`chain_of`]).
pub fn signed_by(
	chain: &str,
	who: &polkadot_sdk::sp_core::sr25519::Pair,
	root: &str,
	expires: u64,
) -> [(&'static str, String); 3] {
	let root = landmesh_primitives::ContentId::from_hex(root).expect("a content id");
	signed_headers(who, &landmesh_mesh::directory::Credentials::message(chain, &root, expires), expires)
}

/// The three headers of a request signed by `who` over `message`, valid until `expires`.
fn signed_headers(who: &polkadot_sdk::sp_core::sr25519::Pair, message: &str, expires: u64) -> [(&'static str, String); 3] {
	use polkadot_sdk::sp_core::{crypto::Ss58Codec, Pair};
	let signature = polkadot_sdk::sp_core::bytes::to_hex(&who.sign(message.as_bytes()).0, false);
	[
		("X-Landmesh-Account", landmesh_runtime::AccountId::from(who.public()).to_ss58check()),
		("X-Landmesh-Expires", expires.to_string()),
		("X-Landmesh-Signature", signature),
	]
}

/// `POST /content` of `body` signed as Alice (any signed account may upload to a dev
/// chain's node), with `extra` headers.
pub fn upload(base: &str, path: &str, extra: &[(&str, &str)], body: &[u8]) -> (u16, String, Vec<u8>) {
	let who = polkadot_sdk::sp_keyring::Sr25519Keyring::Alice;
	let expires = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() + 60;
	let message = landmesh_mesh::directory::Credentials::upload_message(&chain_of(base), expires);
	let signed = signed_headers(&who.pair(), &message, expires);
	let mut headers: Vec<(&str, &str)> = signed.iter().map(|(k, v)| (*k, v.as_str())).collect();
	headers.extend_from_slice(extra);
	http(base, "POST", path, &headers, body)
}

/// A `GET` of content `root` (hex) signed as `who` for the next minute, with `extra` headers.
pub fn get_signed(base: &str, root: &str, who: polkadot_sdk::sp_keyring::Sr25519Keyring, extra: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
	let signed = credentials(base, who, root, now + 60);
	let mut headers: Vec<(&str, &str)> = signed.iter().map(|(k, v)| (*k, v.as_str())).collect();
	headers.extend_from_slice(extra);
	http(base, "GET", &format!("/content/{root}"), &headers, b"")
}

/// Registers `who` as a miner reachable at `node`'s mesh address and gateway.
pub async fn register_miner(
	client: &landmesh_node::dev_client::DevClient,
	chain: &landmesh_node::transactions::ChainIdentity,
	who: polkadot_sdk::sp_keyring::Sr25519Keyring,
	node: &TestNode,
) {
	let (address, peer_id) = node.mesh_addr.split_once("/p2p/").expect("a /p2p/ suffix");
	let text = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = pallet_miners::Endpoints {
		peer_id: text(peer_id),
		multiaddrs: vec![text(address)].try_into().unwrap(),
		gateway: text(&node.gateway_url),
		region: text("eu-west"),
	};
	execute(client, chain, who, pallet_miners::Call::register { capacity: 1 << 30, endpoints }.into()).await;
}

/// The events of the chain, block by block from `next`.
pub struct Events<'a> {
	pub client: &'a landmesh_node::dev_client::DevClient,
	/// The next block to read.
	pub next: u32,
}

impl Events<'_> {
	/// Reads blocks as they come and hands each event to `seen` until it returns `true`;
	/// panics with `what` after `within`.
	pub async fn until(&mut self, what: &str, within: Duration, mut seen: impl FnMut(&landmesh_runtime::RuntimeEvent) -> bool) {
		let deadline = tokio::time::Instant::now() + within;
		loop {
			assert!(tokio::time::Instant::now() < deadline, "not within {within:?}: {what}");
			let best = self.client.best_number().await.expect("best block");
			while self.next <= best {
				let hash = self.client.block_hash(self.next).await.expect("RPC").expect("a block");
				self.next += 1;
				for record in self.client.events(hash).await.expect("events") {
					if seen(&record.event) {
						return;
					}
				}
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
}
