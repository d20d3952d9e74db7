//! The gateway over real HTTP on loopback: uploads, downloads, ranges, HEAD, caching
//! headers, CORS and every error status.

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Method, Request, StatusCode};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use landmesh_mesh::{
	gateway::{self, Gateway, Uploaded},
	Magnet, Pin, Store,
};
use std::{net::SocketAddr, sync::Arc};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

struct Running {
	addr: SocketAddr,
	store: Store,
	client: HttpClient,
	_dir: tempfile::TempDir,
}

async fn start(upload_limit: u64) -> Running {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	let gateway = Arc::new(Gateway::local(store.clone(), upload_limit));
	tokio::spawn(gateway::serve(listener, gateway));
	Running { addr, store, client: Client::builder(TokioExecutor::new()).build_http(), _dir: dir }
}

struct Answer {
	status: StatusCode,
	headers: hyper::HeaderMap,
	body: Vec<u8>,
}

impl Answer {
	fn header(&self, name: &str) -> &str {
		self.headers.get(name).map_or("", |v| v.to_str().unwrap())
	}
	fn text(&self) -> String {
		String::from_utf8_lossy(&self.body).into_owned()
	}
}

impl Running {
	async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
		let mut request = Request::builder().method(method).uri(format!("http://{}{path}", self.addr));
		for (k, v) in headers {
			request = request.header(*k, *v);
		}
		let response = self.client.request(request.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
		let status = response.status();
		let headers = response.headers().clone();
		let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
		Answer { status, headers, body }
	}

	async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
		self.send(Method::GET, path, headers, vec![]).await
	}
}

fn model(size: usize) -> Vec<u8> {
	(0..size).map(|i| (i * 7 % 256) as u8 ^ (i >> 14) as u8).collect()
}

#[tokio::test]
async fn upload_then_fetch_whole_ranges_head_and_conditional() {
	let gw = start(64 << 20).await;
	let bytes = model(300_000);
	let up = gw
		.send(Method::POST, "/content?name=cube.glb", &[("content-type", "model/gltf-binary")], bytes.clone())
		.await;
	assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
	let uploaded: Uploaded = serde_json::from_slice(&up.body).unwrap();
	let root = blake3::hash(&bytes).to_hex().to_string();
	assert_eq!(uploaded.content_id, root, "the id is the b3sum of the upload");
	assert_eq!(uploaded.size, bytes.len() as u64);
	let magnet: Magnet = uploaded.magnet.parse().unwrap();
	assert_eq!((magnet.size, magnet.name.as_deref()), (Some(300_000), Some("cube.glb")));
	assert_eq!(up.header("location"), format!("/content/{root}"));
	assert_eq!(gw.store.pins(&magnet.root).unwrap(), vec![Pin::Upload], "uploads are pinned");

	let path = format!("/content/{root}");
	let full = gw.get(&path, &[]).await;
	assert_eq!(full.status, StatusCode::OK);
	assert_eq!(full.body, bytes);
	assert_eq!(full.header("content-type"), "model/gltf-binary");
	assert_eq!(full.header("content-length"), "300000");
	assert_eq!(full.header("etag"), format!("\"{root}\""));
	assert_eq!(full.header("cache-control"), "public, max-age=31536000, immutable");
	assert_eq!(full.header("accept-ranges"), "bytes");
	assert_eq!(full.header("access-control-allow-origin"), "*");

	let cases: [(&str, usize, usize); 5] = [
		("bytes=0-0", 0, 1),
		("bytes=100-199", 100, 200),
		("bytes=299990-", 299_990, 300_000),
		("bytes=-10", 299_990, 300_000),
		("bytes=250000-999999", 250_000, 300_000),
	];
	for (range, from, to) in cases {
		let part = gw.get(&path, &[("range", range)]).await;
		assert_eq!(part.status, StatusCode::PARTIAL_CONTENT, "{range}");
		assert_eq!(part.body, bytes[from..to], "{range}");
		assert_eq!(part.header("content-range"), format!("bytes {}-{}/300000", from, to - 1), "{range}");
	}
	let past = gw.get(&path, &[("range", "bytes=300000-")]).await;
	assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
	assert_eq!(past.header("content-range"), "bytes */300000");
	for malformed in ["bytes=9-3", "bytes=abc", "pages=1-2", "bytes=0-1,5-6"] {
		let whole = gw.get(&path, &[("range", malformed)]).await;
		assert_eq!((whole.status, whole.body.len()), (StatusCode::OK, 300_000), "{malformed} is ignored");
	}

	let head = gw.send(Method::HEAD, &path, &[], vec![]).await;
	assert_eq!(head.status, StatusCode::OK);
	assert_eq!(head.header("content-length"), "300000");
	assert!(head.body.is_empty());
	let head_range = gw.send(Method::HEAD, &path, &[("range", "bytes=10-19")], vec![]).await;
	assert_eq!((head_range.status, head_range.header("content-length")), (StatusCode::PARTIAL_CONTENT, "10"));

	let cached = gw.get(&path, &[("if-none-match", &format!("\"{root}\""))]).await;
	assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
	assert!(cached.body.is_empty());

	let preflight = gw.send(Method::OPTIONS, &path, &[("origin", "https://world.example")], vec![]).await;
	assert_eq!(preflight.status, StatusCode::NO_CONTENT);
	assert!(preflight.header("access-control-allow-methods").contains("GET"));
	assert!(preflight.header("access-control-allow-headers").contains("Range"));

	// Served bytes are counted per content: the full body, five ranges, four ignored ones.
	let served = gw.store.access(&magnet.root).unwrap().served;
	assert_eq!(served, 300_000 * 5 + 1 + 100 + 10 + 10 + 50_000);
}

/// A verifying client fetches a content's outboard once and checks every group it gets,
/// from any gateway, against the content id alone.
#[tokio::test]
async fn the_outboard_lets_a_client_check_every_group_against_the_content_id() {
	let gw = start(64 << 20).await;
	let bytes = model(1_000_000);
	let up = gw.send(Method::POST, "/content", &[], bytes.clone()).await;
	assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
	let root = blake3::hash(&bytes);
	let answer = gw.get(&format!("/content/{}/outboard", root.to_hex()), &[]).await;
	assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
	assert_eq!(answer.header("x-landmesh-content-length"), "1000000");
	// 62 groups of 16 KiB: 61 hash pairs.
	assert_eq!(answer.body.len(), 61 * 64);
	let outboard = landmesh_mesh::verified::outboard(landmesh_mesh::ContentId(*root.as_bytes()), 1_000_000, answer.body);
	let read = |bytes: Vec<u8>| move |at: u64, buffer: &mut [u8]| -> std::io::Result<()> {
		buffer.copy_from_slice(&bytes[at as usize..at as usize + buffer.len()]);
		Ok(())
	};
	let checked = landmesh_mesh::verified::read_verified(&outboard, 100_000..600_000, read(bytes.clone()), |_| Ok(()));
	assert_eq!(checked.unwrap(), 500_000);
	let mut corrupt = bytes.clone();
	corrupt[400_000] ^= 1;
	let refused = landmesh_mesh::verified::read_verified(&outboard, 100_000..600_000, read(corrupt), |_| Ok(()));
	assert!(matches!(refused, Err(landmesh_mesh::verified::VerifyError::Corrupt(393_216))), "{refused:?}");

	let absent = gw.get(&format!("/content/{}/outboard", "ab".repeat(32)), &[]).await;
	assert_eq!(absent.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn errors_have_statuses_and_messages() {
	let gw = start(100_000).await;
	let unknown = format!("/content/{}", "ab".repeat(32));
	let missing = gw.get(&unknown, &[]).await;
	assert_eq!(missing.status, StatusCode::NOT_FOUND);
	assert!(missing.text().contains("not stored"), "{}", missing.text());
	assert_eq!(missing.header("access-control-allow-origin"), "*", "errors carry CORS too");
	let bad = gw.get("/content/not-a-root", &[]).await;
	assert_eq!(bad.status, StatusCode::BAD_REQUEST);
	assert!(bad.text().contains("64 hex digits"));

	// Too large: refused from the Content-Length before reading, and when streamed
	// without one.
	let big = gw.send(Method::POST, "/content", &[], model(100_001)).await;
	assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", big.text());
	assert!(big.text().contains("100000"));
	assert!(gw.store.list().unwrap().is_empty(), "nothing of a refused upload is kept");

	// Exactly the limit is fine; an empty upload is a valid (empty) content.
	let ok = gw.send(Method::POST, "/content", &[], model(100_000)).await;
	assert_eq!(ok.status, StatusCode::CREATED);
	let empty = gw.send(Method::POST, "/content", &[], vec![]).await;
	assert_eq!(empty.status, StatusCode::CREATED);
	let uploaded: Uploaded = serde_json::from_slice(&empty.body).unwrap();
	assert_eq!(uploaded.content_id, blake3::hash(b"").to_hex().to_string());
	let path = format!("/content/{}", uploaded.content_id);
	let got = gw.get(&path, &[]).await;
	assert_eq!((got.status, got.body.len()), (StatusCode::OK, 0));
	assert_eq!(gw.get(&path, &[("range", "bytes=0-0")]).await.status, StatusCode::RANGE_NOT_SATISFIABLE);
}

#[tokio::test]
async fn a_chunked_upload_over_the_limit_is_cut_off_with_413() {
	use futures::StreamExt;
	let gw = start(50_000).await;
	// A body without Content-Length (chunked): the gateway stops at the limit.
	let chunks = futures::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from(vec![1u8; 10_000])))));
	let body = http_body_util::StreamBody::new(chunks.boxed());
	let client: Client<_, http_body_util::StreamBody<_>> = Client::builder(TokioExecutor::new()).build_http();
	let request = Request::post(format!("http://{}/content", gw.addr)).body(body).unwrap();
	let response = client.request(request).await.unwrap();
	assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
	assert!(gw.store.list().unwrap().is_empty());
}

/// Every response carries CORS (axum's own rejections too) and the headers that keep
/// content from running as a page of the gateway's origin; a browser can read the
/// headers a client needs; a weak validator matches; a huge range end is clamped.
#[tokio::test]
async fn every_response_carries_cors_and_content_security() {
	let gw = start(1 << 20).await;
	let bytes = model(20_000);
	let up = gw.send(Method::POST, "/content", &[("content-type", "text/html")], bytes.clone()).await;
	assert_eq!(up.status, StatusCode::CREATED);
	let root = blake3::hash(&bytes).to_hex().to_string();
	let path = format!("/content/{root}");
	let wrong_method = gw.send(Method::DELETE, &path, &[], vec![]).await;
	let unknown_route = gw.get("/nothing-here", &[]).await;
	let ok = gw.get(&path, &[]).await;
	for answer in [&wrong_method, &unknown_route, &ok, &up] {
		assert_eq!(answer.header("access-control-allow-origin"), "*", "{}", answer.status);
		assert_eq!(answer.header("x-content-type-options"), "nosniff", "{}", answer.status);
		assert!(answer.header("content-security-policy").contains("sandbox"), "{}", answer.status);
	}
	assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
	let exposed = ok.header("access-control-expose-headers").to_ascii_lowercase();
	for name in ["location", "retry-after", "www-authenticate", "content-range", "etag"] {
		assert!(exposed.contains(name), "{name} is exposed: {exposed}");
	}
	let weak = gw.get(&path, &[("if-none-match", &format!("W/\"{root}\""))]).await;
	assert_eq!(weak.status, StatusCode::NOT_MODIFIED, "a weak validator matches");
	let huge = gw.get(&path, &[("range", "bytes=19990-18446744073709551615")]).await;
	assert_eq!((huge.status, huge.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &bytes[19_990..]));
	let past = gw.get(&path, &[("range", "bytes=18446744073709551614-18446744073709551615")]).await;
	assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
}

/// Not a test by itself: the gateway process that
/// [`an_upload_acknowledged_survives_the_process_being_killed`] kills. Runs when
/// `LANDMESH_GATEWAY_CHILD` names a store directory.
#[tokio::test]
#[ignore = "run by an_upload_acknowledged_survives_the_process_being_killed as its child"]
async fn gateway_child_process() {
	let Ok(dir) = std::env::var("LANDMESH_GATEWAY_CHILD") else { return };
	let store = Store::open(std::path::Path::new(&dir), 1 << 30).unwrap();
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	println!("listening {}", listener.local_addr().unwrap());
	gateway::serve(listener, Arc::new(Gateway::local(store, 1 << 30))).await.unwrap();
}

/// Crash: the gateway's process is killed (SIGKILL) the moment it answers `201`. Must
/// hold: the store reopened from disk has the content, whole and verified. A `201` is
/// sent only after the commit (RocksDB written with `sync`, the blob file and its
/// directory synced), not before it.
#[tokio::test]
async fn an_upload_acknowledged_survives_the_process_being_killed() {
	use std::io::BufRead;
	let dir = tempfile::tempdir().unwrap();
	let mut child = std::process::Command::new(std::env::current_exe().unwrap())
		.args(["gateway_child_process", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
		.env("LANDMESH_GATEWAY_CHILD", dir.path())
		.stdout(std::process::Stdio::piped())
		.spawn()
		.unwrap();
	let stdout = child.stdout.take().unwrap();
	// Killed whatever happens, so that a failed assertion leaves no gateway behind.
	struct Kill(std::process::Child);
	impl Drop for Kill {
		fn drop(&mut self) {
			let _ = self.0.kill();
			let _ = self.0.wait();
		}
	}
	let mut child = Kill(child);
	let addr = tokio::task::spawn_blocking(move || {
		let lines = std::io::BufReader::new(stdout).lines();
		// libtest prints `test gateway_child_process ... ` before the line, unterminated.
		lines.map_while(Result::ok).find_map(|line| line.split("listening ").nth(1).map(str::to_string))
	})
	.await
	.unwrap()
	.expect("the child gateway starts");
	let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
	let mut roots = Vec::new();
	for (i, size) in [100usize, 300_000, 3 << 20].into_iter().enumerate() {
		let bytes: Vec<u8> = model(size).into_iter().map(|b| b ^ i as u8).collect();
		let request = Request::post(format!("http://{addr}/content")).body(Full::new(Bytes::from(bytes.clone()))).unwrap();
		let response = client.request(request).await.unwrap();
		assert_eq!(response.status(), StatusCode::CREATED);
		if i == 2 {
			// Killed before anything else can happen: no graceful shutdown, no flush.
			child.0.kill().unwrap();
		}
		roots.push((blake3::hash(&bytes), bytes));
	}
	child.0.wait().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	for (root, bytes) in roots {
		let root = landmesh_mesh::ContentId(*root.as_bytes());
		assert_eq!(store.read_to_vec(&root).unwrap(), bytes, "an acknowledged upload is on disk");
	}
}
