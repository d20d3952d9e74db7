//! The mesh under attack, played for real: hostile peers are hand-written libp2p swarms on
//! loopback that lie about sizes, ask for what they may not have, send hostile ranges and
//! flood requests; a hostile client fires concurrent misses at a gateway. Each test names
//! the attack it plays and what must hold.

mod common;

use common::{introduce, model, node, node_with, node_with_timeout, serving_peer, Hints};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use landmesh_mesh::{
	directory::{Access, Credentials, Directory},
	fetch::{self, FetchError, FetchOptions},
	gateway::{self, Gateway},
	peers,
	wire::{Request, Response},
	ContentId, PeerId,
};
use std::{sync::Arc, time::Duration};

/// Attack: peers answer `Size(true + 1)` and `Size(u64::MAX)` (the second used to make the
/// downloader plan ~2^44 ranges and abort; the first changed the tree shape so that the
/// honest peer's correct data failed and it was banned). Both liars hold the real bytes
/// and serve them. Must hold: the download completes from the honest peer, the liars and
/// only they are banned, nothing is left reserved.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn peers_lying_about_the_size_are_banned_and_the_download_completes() {
	let (a, b) = (node().await, node().await);
	let bytes = model((3 << 20) + 5);
	let root = a.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let (plus_one, plus_one_addr, _) = serving_peer(a.store.clone(), |size| size + 1).await;
	let (huge, huge_addr, _) = serving_peer(a.store.clone(), |_| u64::MAX).await;
	// Empty: a size whose last range starts at "0 - 1".
	let (empty, empty_addr, _) = serving_peer(a.store.clone(), |_| 0).await;
	b.mesh.add_address(plus_one, plus_one_addr).await;
	b.mesh.add_address(huge, huge_addr).await;
	b.mesh.add_address(empty, empty_addr).await;
	let honest = introduce(&b, &[&a]).await;
	// The liars first, as if their ids sorted first.
	let peers = [vec![empty, huge, plus_one], honest.clone()].concat();
	let got = tokio::time::timeout(Duration::from_secs(60), fetch::download(&b.mesh, &b.store, root, &peers))
		.await
		.expect("the download does not hang")
		.expect("the download completes");
	assert_eq!(got.info.size, bytes.len() as u64);
	assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes);
	assert!(got.banned.contains(&huge), "the u64::MAX liar is banned: {:?}", got.banned);
	assert!(got.banned.contains(&plus_one), "the +1 liar is banned: {:?}", got.banned);
	assert!(got.banned.contains(&empty), "the 'empty' liar is banned: {:?}", got.banned);
	assert!(!got.banned.contains(&honest[0]), "the honest peer is not banned");
	// What a liar served before its claim landed was verified like everything else.
	assert_eq!(got.from.values().sum::<u64>(), bytes.len() as u64);
	assert!(got.from.get(&honest[0]).is_some_and(|n| *n > 0), "the honest peer served");
	assert_eq!(b.store.reserved(), 0, "the download's reservation became the blob");
}

/// Attack: a size claim above what the node accepts is refused before any range is
/// asked, even when no honest peer is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_above_the_limit_is_refused_before_anything_is_fetched() {
	let (a, b) = (node().await, node().await);
	let root = a.store.import(&model(100_000)[..], None, u64::MAX, None, None).unwrap().root;
	let (huge, huge_addr, counts) = serving_peer(a.store.clone(), |_| 1 << 40).await;
	b.mesh.add_address(huge, huge_addr).await;
	let err = fetch::download(&b.mesh, &b.store, root, &[huge]).await.unwrap_err();
	assert!(matches!(&err, FetchError::PeersExhausted { banned, .. } if banned == &vec![huge]), "{err}");
	assert_eq!(counts.ranges(), 0, "no range was asked of a peer claiming 1 TiB");
	// The chain recording more than the node accepts: refused without asking anyone.
	let options = FetchOptions { size: Some(1 << 40), max_size: Some(1 << 30), ..Default::default() };
	let err = fetch::download_with(&b.mesh, &b.store, root, &[huge], options).await.unwrap_err();
	assert!(matches!(err, FetchError::TooLarge { size, .. } if size == 1 << 40), "{err}");
	assert_eq!((counts.sizes(), counts.ranges()), (1, 0));
}

/// Attack: an order declares 1 byte for a 3 MiB root (or a model's record is wrong).
/// Must hold: the recorded size is the only one tried, proven with one range before any
/// other is planned; the download fails with a clear error; the holder is not banned and
/// sends one small answer; with the right size the same holder serves it all, asked no
/// `Size` at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_size_is_proven_before_ranges_are_planned() {
	let (a, b) = (node().await, node().await);
	let bytes = model((3 << 20) + 77);
	let root = a.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let (holder, addr, counts) = serving_peer(a.store.clone(), |size| size).await;
	b.mesh.add_address(holder, addr).await;
	let wrong = FetchOptions { size: Some(1), ..Default::default() };
	let err = fetch::download_with(&b.mesh, &b.store, root, &[holder], wrong).await.unwrap_err();
	assert!(matches!(err, FetchError::SizeNotProven { size: 1, .. }), "{err}");
	assert_eq!((counts.sizes(), counts.ranges()), (0, 1), "one proof asked, nothing planned");
	assert!(counts.bytes() < 64 << 10, "the proof cost {} bytes, not the content", counts.bytes());
	assert!(b.store.info(&root).unwrap().is_none());
	assert_eq!(std::fs::read_dir(b.dir.path().join("tmp")).unwrap().count(), 0, "no partial file is left");

	let right = FetchOptions { size: Some(bytes.len() as u64), ..Default::default() };
	let got = fetch::download_with(&b.mesh, &b.store, root, &[holder], right).await.unwrap();
	assert!(got.banned.is_empty());
	assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes);
	// Four ranges of 1 MiB: the proof (the last one) is one of them, not fetched twice.
	assert_eq!((counts.sizes(), counts.ranges()), (0, 1 + 4));
}

/// A directory that gates one content: open to one miner's peer id and to requests whose
/// credentials say `licensed`/`ok`; everything else open.
struct Gate {
	root: ContentId,
	miner: PeerId,
}

impl Directory for Gate {
	fn holders(&self, _: &ContentId) -> Vec<(PeerId, Vec<libp2p::Multiaddr>)> {
		Vec::new()
	}

	fn media_type(&self, _: &ContentId) -> Option<String> {
		None
	}

	fn access(&self, root: &ContentId, who: Option<&Credentials>) -> Access {
		if *root != self.root {
			return Access::Open;
		}
		match who {
			Some(c) if c.account == "licensed" && c.signature == "ok" => Access::Granted,
			Some(_) => Access::Denied("no licence".into()),
			None => Access::Unauthenticated("sign".into()),
		}
	}

	fn peer_access(&self, root: &ContentId, peer: &PeerId, who: Option<&Credentials>) -> Access {
		if *peer == self.miner {
			return Access::Granted;
		}
		self.access(root, who)
	}
}

/// Attack: a raw libp2p client asks a node for a gated content it holds, over
/// `/landmesh/transfer/2`, with no credentials and with someone else's. Must hold: no
/// bytes and no size (the same `NotFound` as for what it lacks, so presence is not told);
/// the miner the directory admits by its peer id, and a request with valid credentials,
/// get it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gated_content_leaves_a_node_only_to_whom_the_directory_admits() {
	let miner = node().await;
	let gated = model(200_000);
	let public = model(50_000);
	let gated_root = ContentId(*blake3::hash(&gated).as_bytes());
	let directory = Arc::new(Gate { root: gated_root, miner: miner.mesh.peer_id() });
	let holder = node_with(peers::Options { directory: Some(directory), ..Default::default() }).await;
	holder.store.import(&gated[..], None, u64::MAX, None, None).unwrap();
	let public_root = holder.store.import(&public[..], None, u64::MAX, None, None).unwrap().root;

	let stranger = node().await;
	let holder_id = introduce(&stranger, &[&holder]).await[0];
	let ask = |request| stranger.mesh.request(holder_id, request);
	let forged = Some(Credentials { account: "mallory".into(), expires: u64::MAX, signature: "00".into() });
	for credentials in [None, forged] {
		let size = ask(Request::Size { root: gated_root, credentials: credentials.clone() }).await.unwrap();
		assert_eq!(size, Response::NotFound, "no size of gated content");
		let range = ask(Request::Range { root: gated_root, start: 0, end: 16_384, credentials }).await.unwrap();
		assert_eq!(range, Response::NotFound, "no bytes of gated content");
	}
	let err = fetch::download(&stranger.mesh, &stranger.store, gated_root, &[holder_id]).await.unwrap_err();
	assert!(matches!(err, FetchError::NotFound(..)), "{err}");
	// The same stranger gets public content: the refusal is the gate, not absence.
	assert_eq!(ask(Request::Size { root: public_root, credentials: None }).await.unwrap(), Response::Size(50_000));

	// The miner the chain assigned it, by its authenticated peer id.
	let to_miner = introduce(&miner, &[&holder]).await;
	fetch::download(&miner.mesh, &miner.store, gated_root, &to_miner).await.unwrap();
	assert_eq!(miner.store.read_to_vec(&gated_root).unwrap(), gated);
	// A licensed client, by the credentials its request carries.
	let licensed = Credentials { account: "licensed".into(), expires: u64::MAX, signature: "ok".into() };
	let options = FetchOptions { credentials: Some(licensed.clone()), trusted: vec![holder_id], ..Default::default() };
	fetch::download_with(&stranger.mesh, &stranger.store, gated_root, &[holder_id], options).await.unwrap();
	assert_eq!(stranger.store.read_to_vec(&gated_root).unwrap(), gated);

	// A peer that only announced itself (not one the chain names) is never shown them:
	// a fetch signature is good to whoever holds it until it expires.
	let other = node().await;
	let (provider, provider_addr, counts) = serving_peer(holder.store.clone(), |size| size).await;
	other.mesh.add_address(provider, provider_addr).await;
	let options = FetchOptions { credentials: Some(licensed), trusted: vec![holder_id], ..Default::default() };
	fetch::download_with(&other.mesh, &other.store, gated_root, &[provider], options).await.unwrap();
	assert!(counts.sizes() + counts.ranges() > 0);
	assert_eq!(counts.credentials(), 0, "no request to the untrusted provider carried the signature");
}

/// Attack: ranges a peer controls end to end: past the end, ending at `u64::MAX`, larger
/// than a range may be, empty. Must hold: each is refused, the node does not drop its
/// copy or stop serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_ranges_are_refused_and_the_node_keeps_serving() {
	let (holder, client) = (node().await, node().await);
	let bytes = model(100_000);
	let root = holder.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let id = introduce(&client, &[&holder]).await[0];
	let range = |start, end| Request::Range { root, start, end, credentials: None };
	for (start, end) in [(u64::MAX - 10, u64::MAX), (100_000, 100_001), (200_000, 300_000), (0, 2 << 20), (5, 5), (9, 3)] {
		let answer = client.mesh.request(id, range(start, end)).await.unwrap();
		assert_eq!(answer, Response::Refused, "{start}..{end}");
	}
	assert_eq!(holder.store.read_to_vec(&root).unwrap(), bytes, "the holder kept its copy");
	fetch::download(&client.mesh, &client.store, root, &[id]).await.unwrap();
	assert_eq!(client.store.read_to_vec(&root).unwrap(), bytes);
}

/// Attack: one peer fires 256 range requests of a MiB at once. Must hold: streams beyond
/// the per-connection cap are refused, the node answers at most its per-peer budget at a
/// time and tells the rest `Busy` at once (each admitted answer holds a MiB until it is
/// sent); nothing hangs; another peer is served meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_flood_is_answered_busy_beyond_the_budget() {
	let (holder, flooder, other) = (node().await, node().await, node().await);
	let bytes = model(4 << 20);
	let root = holder.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let id = introduce(&flooder, &[&holder]).await[0];
	// Connected first: libp2p fails every request queued on a dial that another request
	// already started, which is the flooder's problem, not the one tested here.
	let warm = flooder.mesh.request(id, Request::Size { root, credentials: None }).await.unwrap();
	assert_eq!(warm, Response::Size(4 << 20));
	let requests = (0..256u64).map(|i| {
		let start = (i % 4) << 20;
		flooder.mesh.request(id, Request::Range { root, start, end: start + (1 << 20), credentials: None })
	});
	let answers = futures::future::join_all(requests).await;
	let (mut served, mut busy, mut refused) = (0, 0, 0);
	for answer in answers {
		match answer {
			Ok(Response::Range(_)) => served += 1,
			Ok(Response::Busy) => busy += 1,
			// Streams over the connection's cap never open.
			Err(peers::PeerError::Failed { .. }) => refused += 1,
			other => panic!("every request is answered with bytes or Busy, or refused: {other:?}"),
		}
	}
	assert_eq!(served + busy + refused, 256);
	assert!(busy > 0, "beyond {} at once, requests are told to wait ({served} served, {refused} refused)", peers::MAX_INBOUND_PER_PEER);
	assert!(served >= peers::MAX_INBOUND_PER_PEER, "the budget itself is served ({served})");
	let to_other = introduce(&other, &[&holder]).await;
	fetch::download(&other.mesh, &other.store, root, &to_other).await.unwrap();
}

/// A GET with a range through a hyper client: (status, headers, body).
async fn get(url: String, headers: &[(&'static str, &str)]) -> (u16, hyper::HeaderMap, Vec<u8>) {
	let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let mut request = hyper::Request::get(url);
	for (k, v) in headers {
		request = request.header(*k, *v);
	}
	let response = client.request(request.body(Empty::new()).unwrap()).await.unwrap();
	let (status, head) = (response.status().as_u16(), response.headers().clone());
	(status, head, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Attack: 20 concurrent `bytes=0-0` requests for an uncached 8 MiB content (each used to
/// start its own full download into its own temporary file), a HEAD on a miss, and
/// repeated requests for an id nobody has. Must hold: one download, at most 8 range
/// requests at the holder (8 ranges of a MiB), one temporary file; HEAD transfers nothing;
/// an absent id is asked of the holder once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_share_one_download() {
	let (a, c) = (node().await, node().await);
	let bytes = model(8 << 20);
	let other = model(3 << 20);
	let root = a.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let other_root = a.store.import(&other[..], None, u64::MAX, None, None).unwrap().root;
	let absent = ContentId([0xcd; 32]);
	let (holder, addr, counts) = serving_peer(a.store.clone(), |size| size).await;
	let named = (holder, vec![addr]);
	let directory = Hints {
		contents: [
			(root, (named.clone(), None)),
			(other_root, (named.clone(), Some(other.len() as u64))),
			(absent, (named.clone(), None)),
		]
		.into(),
	};
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	let gw = Gateway::new(c.store.clone(), 0, Some(c.mesh.clone()), Some(Arc::new(directory)));
	tokio::spawn(gateway::serve(listener, Arc::new(gw)));

	let url = format!("{base}/content/{}", root.to_hex());
	let misses = (0..20).map(|_| get(url.clone(), &[("range", "bytes=0-0")]));
	let answers = futures::future::join_all(misses).await;
	let tmp_files = std::fs::read_dir(c.dir.path().join("tmp")).unwrap().count();
	for (status, _, body) in &answers {
		assert_eq!((*status, body.as_slice()), (206, &bytes[..1]));
	}
	assert!(tmp_files <= 1, "{tmp_files} temporary files for one content");
	assert!(counts.sizes() <= 1, "{} size requests", counts.sizes());
	for _ in 0..200 {
		if c.store.info(&root).unwrap().is_some() {
			break;
		}
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
	assert_eq!(c.store.read_to_vec(&root).unwrap(), bytes, "the one download completed and was kept");
	assert!(counts.ranges() <= 8, "{} range requests for 8 ranges", counts.ranges());

	// HEAD on a miss whose size the chain records: answered, nothing transferred.
	let asked = (counts.sizes(), counts.ranges());
	let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let head = hyper::Request::head(format!("{base}/content/{}", other_root.to_hex())).body(Empty::new()).unwrap();
	let response = client.request(head).await.unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(response.headers()["content-length"], other.len().to_string());
	assert_eq!((counts.sizes(), counts.ranges()), asked, "HEAD asked the holder nothing");
	assert!(c.store.info(&other_root).unwrap().is_none());

	// An id nobody has: asked once, then answered from memory.
	let absent_url = format!("{base}/content/{}", absent.to_hex());
	assert_eq!(get(absent_url.clone(), &[]).await.0, 404);
	let asked = counts.sizes();
	for _ in 0..5 {
		assert_eq!(get(absent_url.clone(), &[]).await.0, 404);
	}
	assert_eq!(counts.sizes(), asked, "an absent id is not asked again at once");
}

/// Attack: 600 connections GET a 64 MiB content and never read a byte of it, and 100 more
/// send their headers a byte at a time (slowloris). Each reader used to hold a blocking
/// thread until it read, so 600 of them exhausted the pool every store read, peer answer
/// and proof needs. Must hold: a small GET on a new connection is answered within 2 s, a
/// peer is still served over the mesh, and blocking work (a challenge's chunk proof)
/// still runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stalled_readers_and_slowloris_do_not_hold_the_node() {
	use tokio::io::AsyncWriteExt;
	let holder = node().await;
	let big = holder.store.import(&model(64 << 20)[..], None, u64::MAX, None, None).unwrap().root;
	let small_bytes = model(1000);
	let small = holder.store.import(&small_bytes[..], None, u64::MAX, None, None).unwrap().root;
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	let gw = Gateway::new(holder.store.clone(), 0, Some(holder.mesh.clone()), None);
	tokio::spawn(gateway::serve(listener, Arc::new(gw)));

	let mut held = Vec::new();
	for _ in 0..600 {
		let socket = tokio::net::TcpSocket::new_v4().unwrap();
		// A tiny receive window: the server's writes stall at once, as for a reader that
		// never reads, without the kernel buffering megabytes per connection.
		socket.set_recv_buffer_size(4096).unwrap();
		let mut stream = socket.connect(addr).await.unwrap();
		let request = format!("GET /content/{} HTTP/1.1\r\nHost: gateway\r\n\r\n", big.to_hex());
		stream.write_all(request.as_bytes()).await.unwrap();
		held.push(stream);
	}
	let mut slowloris = Vec::new();
	for _ in 0..100 {
		let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
		stream.write_all(b"GET /content/").await.unwrap();
		slowloris.push(tokio::spawn(async move {
			for _ in 0..30 {
				if stream.write_all(b"a").await.is_err() {
					return;
				}
				tokio::time::sleep(Duration::from_millis(500)).await;
			}
		}));
	}
	// Let the stalled responses start (each has its first block read and waiting).
	tokio::time::sleep(Duration::from_millis(500)).await;

	let url = format!("http://{addr}/content/{}", small.to_hex());
	let (status, _, body) = tokio::time::timeout(Duration::from_secs(2), get(url, &[]))
		.await
		.expect("a small GET is answered within 2 s while 700 clients stall");
	assert_eq!((status, body), (200, small_bytes.clone()));

	let other = node().await;
	let to_holder = introduce(&other, &[&holder]).await;
	tokio::time::timeout(Duration::from_secs(10), fetch::download(&other.mesh, &other.store, small, &to_holder))
		.await
		.expect("a peer is served meanwhile")
		.unwrap();
	let store = holder.store.clone();
	let proof = tokio::time::timeout(
		Duration::from_secs(2),
		tokio::task::spawn_blocking(move || landmesh_mesh::challenge::chunk_proof(&store, &big, 0)),
	)
	.await
	.expect("blocking work still runs: a challenge is still answered");
	assert!(proof.unwrap().is_ok());
	drop(held);
	for task in slowloris {
		task.abort();
	}
}

/// The server drops a connection whose client stops reading, once no byte has moved for
/// its idle timeout; and a client that never finishes its headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_dropped() {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let holder = node().await;
	let big = holder.store.import(&model(16 << 20)[..], None, u64::MAX, None, None).unwrap().root;
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	let app = gateway::router(Arc::new(Gateway::local(holder.store.clone(), 0)));
	tokio::spawn(landmesh_mesh::server::serve_with(listener, app, Duration::from_secs(2)));

	let socket = tokio::net::TcpSocket::new_v4().unwrap();
	socket.set_recv_buffer_size(4096).unwrap();
	let mut reader = socket.connect(addr).await.unwrap();
	let request = format!("GET /content/{} HTTP/1.1\r\nHost: gateway\r\n\r\n", big.to_hex());
	reader.write_all(request.as_bytes()).await.unwrap();
	// Read a little, then stall past the idle timeout: the server gives up on us.
	let mut buf = vec![0u8; 4096];
	let n = reader.read(&mut buf).await.unwrap();
	assert!(n > 0);
	tokio::time::sleep(Duration::from_secs(5)).await;
	let mut total = 0usize;
	let drained = tokio::time::timeout(Duration::from_secs(20), async {
		loop {
			match reader.read(&mut buf).await {
				Ok(0) | Err(_) => break,
				Ok(n) => total += n,
			}
		}
	})
	.await;
	assert!(drained.is_ok(), "the connection was closed");
	assert!((total as u64) < 16 << 20, "the body was cut short ({total} bytes), not sent whole");
	// What is counted as served is what was handed to the connection, not the 16 MiB read.
	let mut served = 0;
	for _ in 0..50 {
		served = holder.store.access(&big).unwrap().served;
		if served > 0 {
			break;
		}
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
	assert!(served > 0 && served < 16 << 20, "served {served} of a 16 MiB body cut short");

	// Headers that never end: closed after the header deadline.
	let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
	slow.write_all(b"GET /content/").await.unwrap();
	let closed = tokio::time::timeout(
		landmesh_mesh::server::HEADER_TIMEOUT + Duration::from_secs(10),
		slow.read(&mut buf),
	)
	.await
	.expect("the server closes a connection whose headers never end");
	assert!(matches!(closed, Ok(0) | Err(_)) || String::from_utf8_lossy(&buf).contains("408"), "{closed:?}");
}

/// Uploads as a node's directory rules them: signed by an allowed account, within its
/// quota, within the uploads' share of the store.
struct Uploads;

impl Directory for Uploads {
	fn holders(&self, _: &ContentId) -> Vec<(PeerId, Vec<libp2p::Multiaddr>)> {
		Vec::new()
	}

	fn media_type(&self, _: &ContentId) -> Option<String> {
		None
	}

	fn chain(&self) -> Option<String> {
		Some("c0ffee".into())
	}

	fn uploader(&self, who: Option<&Credentials>) -> Result<Option<String>, Access> {
		match who {
			None => Err(Access::Unauthenticated("sign".into())),
			Some(c) if c.signature != "ok" => Err(Access::Unauthenticated("bad signature".into())),
			Some(c) if ["alice", "bob", "carol"].contains(&c.account.as_str()) => Ok(Some(c.account.clone())),
			Some(c) => Err(Access::Denied(format!("{} may not upload", c.account))),
		}
	}
}

/// Attack: a web page (or anyone) posts to a node's gateway: unsigned, signed by an
/// account the operator does not allow, past its quota, or enough to fill the store so
/// assigned replicas no longer fit; and re-uploads a content as `text/html`. Must hold:
/// `401`/`403`/`413`/`507` with nothing stored, uploads never take more than their share,
/// the first media type stands, and what is served cannot run as a page of the gateway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_signed_bounded_and_cannot_retype_content() {
	let dir = tempfile::tempdir().unwrap();
	let store = landmesh_mesh::Store::open(dir.path(), 1 << 20).unwrap();
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	let mut gw = Gateway::new(store.clone(), 1 << 20, None, Some(Arc::new(Uploads)));
	gw.upload_quota = 300_000;
	tokio::spawn(gateway::serve(listener, Arc::new(gw)));
	let client: Client<_, http_body_util::Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let post = |who: Option<(&'static str, &'static str)>, media_type: &'static str, body: Vec<u8>| {
		let client = client.clone();
		let base = base.clone();
		async move {
			let mut request = hyper::Request::post(format!("{base}/content")).header("content-type", media_type);
			if let Some((account, signature)) = who {
				request = request
					.header("x-landmesh-account", account)
					.header("x-landmesh-expires", "99999999999")
					.header("x-landmesh-signature", signature);
			}
			let response = client.request(request.body(http_body_util::Full::new(Bytes::from(body))).unwrap()).await.unwrap();
			let (status, head) = (response.status().as_u16(), response.headers().clone());
			(status, head, response.into_body().collect().await.unwrap().to_bytes().to_vec())
		}
	};
	let (status, head, _) = post(None, "text/plain", model(1000)).await;
	assert_eq!(status, 401, "an unsigned upload (what any web page can send) is refused");
	assert!(head["www-authenticate"].to_str().unwrap().contains("chain=\"c0ffee\""), "it says what to sign for");
	assert_eq!(post(Some(("alice", "forged")), "text/plain", model(1000)).await.0, 401);
	assert_eq!(post(Some(("mallory", "ok")), "text/plain", model(1000)).await.0, 403);
	assert!(store.list().unwrap().is_empty(), "nothing of a refused upload is kept");

	// Within the quota; then past it.
	let first = model(250_000);
	let (status, _, _) = post(Some(("alice", "ok")), "model/gltf-binary", first.clone()).await;
	assert_eq!(status, 201);
	let (status, _, body) = post(Some(("alice", "ok")), "model/gltf-binary", model(100_000).into_iter().rev().collect()).await;
	assert_eq!(status, 413, "past alice's quota: {}", String::from_utf8_lossy(&body));
	assert_eq!(store.uploaded(Some(b"alice")).unwrap(), 250_000);

	// Bob: the same bytes again as text/html: stored once, the first type stands, and
	// every response forbids running it as a page.
	let (status, _, body) = post(Some(("bob", "ok")), "text/html", first.clone()).await;
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let root = blake3::hash(&first).to_hex().to_string();
	let (status, head, _) = get(format!("{base}/content/{root}"), &[]).await;
	assert_eq!(status, 200);
	assert_eq!(head["content-type"], "model/gltf-binary", "the first media type stands");
	assert_eq!(head["x-content-type-options"], "nosniff");
	assert!(head["content-security-policy"].to_str().unwrap().contains("sandbox"));

	// Uploads take at most half the store (512 KiB of 1 MiB): Carol's 280 KB is within her
	// quota but not within the share, so the rest stays for assigned replicas.
	let (status, _, body) = post(Some(("carol", "ok")), "model/gltf-binary", model(280_000).into_iter().rev().collect()).await;
	assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
	assert!(store.uploaded(None).unwrap() <= 512 << 10);
	let replica = model(400_000).into_iter().map(|b| b ^ 0x55).collect::<Vec<u8>>();
	store.import(&replica[..], None, u64::MAX, None, Some(landmesh_mesh::Pin::Replica(7))).expect("a replica still fits");
}

/// Attack: a peer caught lying in one download is named again as a source for the next.
/// Must hold: it stays struck out (its strikes fade over minutes), so the next download
/// does not ask it at all while an honest source is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_caught_lying_stays_out_of_later_downloads() {
	let (a, b) = (node().await, node().await);
	let first = a.store.import(&model(300_000)[..], None, u64::MAX, None, None).unwrap().root;
	let second_bytes: Vec<u8> = model(200_000).into_iter().rev().collect();
	let second = a.store.import(&second_bytes[..], None, u64::MAX, None, None).unwrap().root;
	let (liar, liar_addr, counts) = serving_peer(a.store.clone(), |size| size + 1).await;
	let honest = (a.mesh.peer_id(), vec![a.addr.clone()]);
	let named = vec![(liar, vec![liar_addr]), honest];
	let peers = fetch::sources(&b.mesh, first, named.clone()).await;
	let got = fetch::download(&b.mesh, &b.store, first, &peers).await.unwrap();
	assert!(got.banned.contains(&liar));
	assert!(b.mesh.is_struck(&liar));
	let asked = (counts.sizes(), counts.ranges());
	let peers = fetch::sources(&b.mesh, second, named).await;
	assert!(!peers.contains(&liar), "a struck peer is not a source while others are");
	fetch::download(&b.mesh, &b.store, second, &peers).await.unwrap();
	assert_eq!(b.store.read_to_vec(&second).unwrap(), second_bytes);
	assert_eq!((counts.sizes(), counts.ranges()), asked, "the liar was asked nothing");
}

/// Attack: a peer floods this node's DHT store with provider records for thousands of
/// random keys (libp2p's store counted them against the limit on this node's own, so its
/// `start_providing` failed). Must hold: the node still announces what it caches, and
/// another node finds it as a provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_provider_record_flood_does_not_stop_a_node_announcing_its_content() {
	use futures::StreamExt;
	use libp2p::{kad, swarm::SwarmEvent, StreamProtocol};
	let (a, c) = (node().await, node().await);
	// The flooder: a Kademlia node under the mesh's protocol that provides 1,500 random
	// keys with A as the only peer it knows, so every ADD_PROVIDER goes to A.
	let mut flooder = common::hand_built_swarm(|key| {
		let id = key.public().to_peer_id();
		let store =
			kad::store::MemoryStore::with_config(id, kad::store::MemoryStoreConfig { max_provided_keys: 10_000, ..Default::default() });
		let mut kad = kad::Behaviour::with_config(id, store, kad::Config::new(StreamProtocol::new(peers::KAD_PROTOCOL)));
		kad.set_mode(Some(kad::Mode::Server));
		kad
	});
	flooder.behaviour_mut().add_address(&a.mesh.peer_id(), a.addr.clone());
	let keys = 1_500;
	for i in 0..keys {
		flooder.behaviour_mut().start_providing(kad::RecordKey::new(&(i as u64).to_le_bytes())).unwrap();
	}
	let mut done = 0;
	tokio::time::timeout(Duration::from_secs(120), async {
		while done < keys {
			if let SwarmEvent::Behaviour(kad::Event::OutboundQueryProgressed { result: kad::QueryResult::StartProviding(_), step, .. }) =
				flooder.select_next_some().await
			{
				done += usize::from(step.last);
			}
		}
	})
	.await
	.expect("the flood was delivered");
	tokio::spawn(async move { while flooder.next().await.is_some() {} });

	let root = a.store.import(&model(70_000)[..], None, u64::MAX, None, None).unwrap().root;
	a.mesh.provide(root).await;
	introduce(&c, &[&a]).await;
	let mut found = Vec::new();
	for _ in 0..50 {
		found = c.mesh.find_providers(root).await;
		if found.contains(&a.mesh.peer_id()) {
			break;
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	assert!(found.contains(&a.mesh.peer_id()), "A is found as the provider after the flood: {found:?}");
}

/// Attack: a peer answers `Size` (or is named by the chain) and then never answers the
/// proof. Requests may wait up to an hour here, so only the stagger (the next claimant is
/// asked after 750 ms) lets the download finish; the guard turns a hang into a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_size_proof_does_not_hold_up_a_download() {
	let a = node().await;
	let b = common::node_with_timeout(Duration::from_secs(3600)).await;
	let bytes = model(2 << 20);
	let root = a.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let size = bytes.len() as u64;
	let (stalled, stalled_addr) = common::rogue_peer(move |request| match request {
		Request::Size { .. } => Some(Response::Size(size)),
		Request::Range { .. } => None,
	})
	.await;
	b.mesh.add_address(stalled, stalled_addr).await;
	let peers = [vec![stalled], introduce(&b, &[&a]).await].concat();
	for options in [FetchOptions::default(), FetchOptions { size: Some(size), ..Default::default() }] {
		let dir = tempfile::tempdir().unwrap();
		let store = landmesh_mesh::Store::open(dir.path(), 1 << 30).unwrap();
		let download = fetch::download_with(&b.mesh, &store, root, &peers, options);
		tokio::time::timeout(Duration::from_secs(60), download)
			.await
			.expect("the download does not wait for the stalled proof")
			.unwrap();
		assert_eq!(store.read_to_vec(&root).unwrap(), bytes);
	}
}

/// A node that starts with content in its store announces it (provider records live in
/// memory, so a restarted node's were gone): another node finds it in the DHT without
/// anyone asking it to provide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_announces_what_its_store_holds_when_it_starts() {
	let dir = tempfile::tempdir().unwrap();
	let store = landmesh_mesh::Store::open(dir.path(), 1 << 30).unwrap();
	let root = store.import(&model(40_000)[..], None, u64::MAX, None, None).unwrap().root;
	let mesh = landmesh_mesh::Mesh::start(
		landmesh_mesh::Keypair::generate_ed25519(),
		"/ip4/127.0.0.1/tcp/0".parse().unwrap(),
		store.clone(),
	)
	.unwrap();
	let addr = loop {
		if let Some(a) = mesh.listen_addrs().await.into_iter().next() {
			break a;
		}
		tokio::time::sleep(Duration::from_millis(10)).await;
	};
	let c = node().await;
	c.mesh.add_address(mesh.peer_id(), addr).await;
	let mut found = Vec::new();
	for _ in 0..50 {
		found = c.mesh.find_providers(root).await;
		if found.contains(&mesh.peer_id()) {
			break;
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	assert!(found.contains(&mesh.peer_id()), "the stored content was announced at start: {found:?}");
}

/// The resident memory of this process (the test's nodes and attackers together).
fn resident_bytes() -> u64 {
	let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
	statm.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 4096
}

/// A transfer codec that sends requests and never reads the answer to a `Range` (past its
/// first byte): a
/// client that asks for MiBs and leaves them in the node's memory (its receive window
/// fills and the node's writes stall).
#[derive(Clone, Default)]
struct Unread {
	range: bool,
}

#[async_trait::async_trait]
impl libp2p::request_response::Codec for Unread {
	type Protocol = libp2p::StreamProtocol;
	type Request = Request;
	type Response = Response;

	async fn read_request<T: futures::AsyncRead + Unpin + Send>(&mut self, _: &Self::Protocol, _: &mut T) -> std::io::Result<Request> {
		Err(std::io::Error::other("the attacker serves nothing"))
	}
	async fn read_response<T: futures::AsyncRead + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T) -> std::io::Result<Response> {
		if self.range {
			// One byte: a stream the node refused fails here; one it answers stays unread
			// (far below the receive window, so nothing more is taken off the node).
			let mut first = [0u8; 1];
			futures::AsyncReadExt::read_exact(io, &mut first).await?;
			futures::future::pending::<()>().await;
		}
		landmesh_mesh::wire::read_message(io).await
	}
	async fn write_request<T: futures::AsyncWrite + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T, r: Request) -> std::io::Result<()> {
		self.range = matches!(r, Request::Range { .. });
		landmesh_mesh::wire::write_message(io, &r).await
	}
	async fn write_response<T: futures::AsyncWrite + Unpin + Send>(&mut self, _: &Self::Protocol, _: &mut T, _: Response) -> std::io::Result<()> {
		Err(std::io::Error::other("the attacker serves nothing"))
	}
}

type Ask = (Request, tokio::sync::oneshot::Sender<Result<Response, String>>);

/// A peer with its own identity and one connection to `to`, sending what it is told
/// through the [`Unread`] codec, as many streams at once as it likes.
async fn unread_peer(to: PeerId, addr: libp2p::Multiaddr) -> tokio::sync::mpsc::Sender<Ask> {
	use futures::StreamExt;
	use libp2p::{request_response, swarm::SwarmEvent, StreamProtocol};
	let mut swarm = common::hand_built_swarm(|_| {
		request_response::Behaviour::<Unread>::new(
			[(StreamProtocol::new(landmesh_mesh::wire::PROTOCOL), request_response::ProtocolSupport::Outbound)],
			request_response::Config::default()
				.with_request_timeout(Duration::from_secs(3600))
				.with_max_concurrent_streams(1024),
		)
	});
	swarm.add_peer_address(to, addr);
	let (asks, mut rx) = tokio::sync::mpsc::channel::<Ask>(1024);
	tokio::spawn(async move {
		let mut waiting = std::collections::HashMap::new();
		loop {
			tokio::select! {
				ask = rx.recv() => {
					let Some((request, reply)) = ask else { break };
					waiting.insert(swarm.behaviour_mut().send_request(&to, request), reply);
				},
				event = swarm.select_next_some() => match event {
					SwarmEvent::Behaviour(request_response::Event::Message {
						message: request_response::Message::Response { request_id, response }, ..
					}) => {
						if let Some(reply) = waiting.remove(&request_id) {
							let _ = reply.send(Ok(response));
						}
					},
					SwarmEvent::Behaviour(request_response::Event::OutboundFailure { request_id, error, .. }) => {
						if let Some(reply) = waiting.remove(&request_id) {
							let _ = reply.send(Err(error.to_string()));
						}
					},
					_ => {},
				},
			}
		}
	});
	asks
}

/// Attack (issue 13, item 7): 8 peers on 8 connections each open 256 streams asking for a
/// MiB and never read the answers. Must hold: the node holds at most its serving budget
/// of answers ([`peers::MAX_SERVING`], so memory grows by tens of MiB, not the 2 GiB
/// asked for), streams beyond a connection's cap are refused, further requests, the
/// attackers' and an honest peer's, are told `Busy` at once instead of queueing, and
/// once the node drops the unread answers (its request timeout) the honest peer is
/// served.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unread_answers_on_many_connections_stay_within_the_budget() {
	const ATTACKERS: usize = 8;
	const STREAMS: u64 = 256;
	let holder = node_with_timeout(Duration::from_secs(10)).await;
	let bytes = model(4 << 20);
	let root = holder.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let before = resident_bytes();
	let mut attackers = Vec::new();
	let mut pending = Vec::new();
	for _ in 0..ATTACKERS {
		let attacker = unread_peer(holder.mesh.peer_id(), holder.addr.clone()).await;
		// Connected first, so that no request is lost to a dial race.
		let (reply, rx) = tokio::sync::oneshot::channel();
		attacker.send((Request::Size { root, credentials: None }, reply)).await.unwrap();
		assert_eq!(rx.await.unwrap(), Ok(Response::Size(4 << 20)));
		for i in 0..STREAMS {
			let start = (i % 4) << 20;
			let (reply, rx) = tokio::sync::oneshot::channel();
			attacker.send((Request::Range { root, start, end: start + (1 << 20), credentials: None }, reply)).await.unwrap();
			pending.push(rx);
		}
		attackers.push(attacker);
	}
	// The node takes in what its budget allows, and no more, however long the attack holds.
	let mut most = 0;
	for _ in 0..40 {
		let serving = holder.mesh.serving().await;
		assert!(serving <= peers::MAX_SERVING, "{serving} answers held at once");
		most = most.max(serving);
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	assert_eq!(most, peers::MAX_SERVING, "the attackers fill the budget (the test attacks)");
	let grown = resident_bytes().saturating_sub(before);
	let asked = ATTACKERS as u64 * STREAMS << 20;
	eprintln!("unread flood: {most} answers held at most, memory +{} MiB for {} MiB asked", grown >> 20, asked >> 20);
	assert!(grown < 256 << 20, "memory grew by {} MiB while {} MiB were asked for", grown >> 20, asked >> 20);
	// More requests, on an attacker's connection or from an honest peer: told to wait.
	let (reply, rx) = tokio::sync::oneshot::channel();
	attackers[0].send((Request::Size { root, credentials: None }, reply)).await.unwrap();
	let answer = rx.await.unwrap();
	assert!(matches!(answer, Ok(Response::Busy) | Err(_)), "an attacker over its budget: {answer:?}");
	let honest = node().await;
	let id = introduce(&honest, &[&holder]).await[0];
	let answer = honest.mesh.request(id, Request::Size { root, credentials: None }).await.unwrap();
	assert_eq!(answer, Response::Busy, "the node's budget is spent");
	// Streams over a connection's cap never opened: most of the 2048 asks failed rather
	// than being held, and none was answered with bytes (nobody read them).
	let mut refused = 0;
	for rx in pending.iter_mut() {
		if let Ok(Err(_)) = rx.try_recv() {
			refused += 1;
		}
	}
	assert!(refused > 0, "streams beyond {} a connection are refused", peers::MAX_STREAMS_PER_CONNECTION);
	// The node drops unread answers at its request timeout; then the honest peer is served.
	let mut waited = 0;
	while holder.mesh.serving().await > 0 {
		assert!(waited < 300, "unread answers are dropped at the request timeout");
		waited += 1;
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	fetch::download(&honest.mesh, &honest.store, root, &[id]).await.unwrap();
	assert_eq!(honest.store.read_to_vec(&root).unwrap(), bytes);
	drop(attackers);
}

/// A directory whose every decision takes `delay` (a slow contract check), counting how
/// many run at once.
struct SlowDirectory {
	delay: Duration,
	now: std::sync::atomic::AtomicUsize,
	most: std::sync::atomic::AtomicUsize,
}

impl Directory for SlowDirectory {
	fn holders(&self, _: &ContentId) -> Vec<(PeerId, Vec<libp2p::Multiaddr>)> {
		Vec::new()
	}
	fn media_type(&self, _: &ContentId) -> Option<String> {
		None
	}
	fn peer_access(&self, _: &ContentId, _: &PeerId, _: Option<&Credentials>) -> Access {
		use std::sync::atomic::Ordering::SeqCst;
		let now = self.now.fetch_add(1, SeqCst) + 1;
		self.most.fetch_max(now, SeqCst);
		std::thread::sleep(self.delay);
		self.now.fetch_sub(1, SeqCst);
		Access::Open
	}
}

/// Attack: a peer lets its requests time out while the node is still building their
/// answers (a slow check, a slow disk), then asks again. Must hold: a request keeps its
/// place in the budget until its answer is built, so the peer never has more than
/// [`peers::MAX_INBOUND_PER_PEER`] answers under way at once, however often it times out.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timed_out_requests_keep_their_place_until_their_answer_is_built() {
	use std::sync::atomic::Ordering::SeqCst;
	let directory = Arc::new(SlowDirectory { delay: Duration::from_secs(2), now: Default::default(), most: Default::default() });
	let holder =
		node_with(peers::Options { request_timeout: Duration::from_secs(1), directory: Some(directory.clone()) }).await;
	let bytes = model(100_000);
	let root = holder.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let client = node().await;
	let id = introduce(&client, &[&holder]).await[0];
	let _ = client.mesh.request(id, Request::Size { root, credentials: None }).await;
	let wave = || {
		(0..peers::MAX_INBOUND_PER_PEER).map(|_| {
			let mesh = client.mesh.clone();
			tokio::spawn(async move { mesh.request(id, Request::Range { root, start: 0, end: 1000, credentials: None }).await })
		})
	};
	let first: Vec<_> = wave().collect();
	// The first wave has timed out at the node, its answers still being built.
	tokio::time::sleep(Duration::from_millis(1500)).await;
	let second: Vec<_> = wave().collect();
	for request in first.into_iter().chain(second) {
		let _ = request.await;
	}
	let most = directory.most.load(SeqCst);
	assert!(most <= peers::MAX_INBOUND_PER_PEER, "{most} answers built at once for one peer");
	assert!(most > 0, "the test asked");
}
