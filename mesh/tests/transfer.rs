//! Peer-to-peer transfers between real mesh swarms on loopback: each node has its own
//! key, port, RocksDB store and files. Upload on A, B caches it, C fetches from A and B at
//! once; a corrupted copy on B is detected by B, never sent, and the fetch completes from
//! A; with A gone, a fetch completes from the others.

mod common;

use common::{introduce, model, node, node_with_timeout, rogue_peer, Hints};
use landmesh_mesh::{fetch, Pin};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fetch_from_many_survive_corruption_and_loss() {
	let bytes = model(6 << 20);
	let (a, b, c) = (node().await, node().await, node().await);
	let root = a.store.import(&bytes[..], Some(bytes.len() as u64), u64::MAX, None, Some(Pin::Upload)).unwrap().root;

	// B fetches it from A and keeps it as cache.
	let peers = introduce(&b, &[&a]).await;
	let got = fetch::download(&b.mesh, &b.store, root, &peers).await.unwrap();
	assert_eq!(got.from.get(&a.mesh.peer_id()), Some(&(6 << 20)));
	assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes);
	assert!(!b.store.info(&root).unwrap().unwrap().pinned, "a fetched copy is cache, not pinned");

	// C fetches from A and B at once: both deliver, the bytes are identical.
	let peers = introduce(&c, &[&a, &b]).await;
	let got = fetch::download(&c.mesh, &c.store, root, &peers).await.unwrap();
	assert_eq!(c.store.read_to_vec(&root).unwrap(), bytes);
	let (from_a, from_b) = (got.from[&a.mesh.peer_id()], got.from[&b.mesh.peer_id()]);
	assert_eq!(from_a + from_b, 6 << 20);
	assert!(from_a > 0 && from_b > 0, "both peers served: A {from_a}, B {from_b}");
	assert!(b.store.access(&root).unwrap().served > 0, "B counts what it served");

	// B's copy rots on disk. D asks B and A: B detects it while encoding, sends nothing of
	// it and drops its copy; D completes from A.
	let file = b.dir.path().join("blobs").join(root.to_hex());
	let mut on_disk = std::fs::read(&file).unwrap();
	for i in (0..on_disk.len()).step_by(1 << 20) {
		on_disk[i + 100] ^= 0x5a;
	}
	std::fs::write(&file, &on_disk).unwrap();
	let d = node().await;
	let peers = introduce(&d, &[&b, &a]).await;
	let got = fetch::download(&d.mesh, &d.store, root, &peers).await.unwrap();
	assert_eq!(d.store.read_to_vec(&root).unwrap(), bytes);
	assert_eq!(got.from.get(&b.mesh.peer_id()), None, "nothing came from the corrupt copy");
	assert!(b.store.info(&root).unwrap().is_none(), "B dropped its corrupt copy");

	// A goes away. E fetches from A, C and D: A fails, the others deliver.
	let a_id = a.mesh.peer_id();
	drop(a);
	let e = node().await;
	let peers = introduce(&e, &[&c, &d]).await;
	e.mesh.add_address(a_id, "/ip4/127.0.0.1/tcp/1".parse().unwrap()).await;
	let got = fetch::download(&e.mesh, &e.store, root, &[vec![a_id], peers].concat()).await.unwrap();
	assert_eq!(e.store.read_to_vec(&root).unwrap(), bytes);
	assert_eq!(got.from.get(&a_id), None);

	// Nobody has an unknown content: a clear error, nothing stored.
	let unknown = landmesh_mesh::ContentId([7; 32]);
	let err = fetch::download(&e.mesh, &e.store, unknown, &[c.mesh.peer_id()]).await.unwrap_err();
	assert!(matches!(err, fetch::FetchError::NotFound(1, _)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boundary_sizes_transfer_exactly() {
	let (a, b) = (node().await, node().await);
	let peers = introduce(&b, &[&a]).await;
	for size in [0usize, 1, 1024, 16 * 1024 - 1, 16 * 1024 + 1, (1 << 20) + 1] {
		let bytes = model(size);
		let root = a.store.import(&bytes[..], Some(size as u64), u64::MAX, None, None).unwrap().root;
		fetch::download(&b.mesh, &b.store, root, &peers).await.unwrap();
		assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes, "size {size}");
	}
}

/// A peer that answers every range with bytes that are not the content (a bug or a
/// liar): the downloader detects it at the first group, bans it and completes elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_sending_bad_data_is_banned() {
	use landmesh_mesh::wire::{Request, Response};
	let (a, b) = (node().await, node().await);
	let bytes = model(3 << 20);
	let root = a.store.import(&bytes[..], Some(bytes.len() as u64), u64::MAX, None, None).unwrap().root;
	let size = bytes.len() as u64;
	let (liar_id, liar_addr) = rogue_peer(move |request| {
		Some(match request {
			Request::Size { .. } => Response::Size(size),
			Request::Range { .. } => Response::Range(vec![0xab; 64 * 20 + (1 << 20)]),
		})
	})
	.await;

	b.mesh.add_address(liar_id, liar_addr).await;
	// From the liar alone: it is banned at its first answer and nothing is stored.
	let err = fetch::download(&b.mesh, &b.store, root, &[liar_id]).await.unwrap_err();
	assert!(matches!(&err, fetch::FetchError::PeersExhausted { banned, .. } if banned == &vec![liar_id]), "{err}");
	assert!(b.store.info(&root).unwrap().is_none());
	assert_eq!(std::fs::read_dir(b.dir.path().join("tmp")).unwrap().count(), 0, "no partial file is left");
	// With an honest peer beside it, the download completes with the right bytes and
	// nothing the liar sent.
	let honest = introduce(&b, &[&a]).await;
	let got = fetch::download(&b.mesh, &b.store, root, &[vec![liar_id], honest].concat()).await.unwrap();
	assert_eq!(got.from.get(&liar_id), None, "not one byte from the liar is kept");
	assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes);
}

/// A peer that takes ranges and never answers. The downloader waits for it up to an hour
/// per request here, so the download can only complete because idle peers take over
/// ranges stuck in flight (the endgame). The two-minute guard turns a hang into a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_peer_does_not_hold_up_a_download() {
	use landmesh_mesh::wire::{Request, Response};
	let a = node().await;
	let b = node_with_timeout(std::time::Duration::from_secs(3600)).await;
	let bytes = model(6 << 20);
	let root = a.store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
	let size = bytes.len() as u64;
	let (stalled_id, stalled_addr) = rogue_peer(move |request| match request {
		Request::Size { .. } => Some(Response::Size(size)),
		Request::Range { .. } => None,
	})
	.await;
	b.mesh.add_address(stalled_id, stalled_addr).await;
	let peers = [vec![stalled_id], introduce(&b, &[&a]).await].concat();
	let download = fetch::download(&b.mesh, &b.store, root, &peers);
	let got = tokio::time::timeout(std::time::Duration::from_secs(120), download)
		.await
		.expect("the download completes without waiting for the stalled peer")
		.unwrap();
	assert_eq!(got.from.get(&stalled_id), None);
	assert_eq!(got.from[&a.mesh.peer_id()], size);
	assert_eq!(b.store.read_to_vec(&root).unwrap(), bytes);
}

/// `GET` on a gateway that lacks the content: it finds a holder (in the DHT, or among the
/// peers its directory names), streams the verified bytes as they arrive with the media
/// type the directory gives, and keeps a copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_miss_is_fetched_through_the_mesh_and_cached() {
	use http_body_util::{BodyExt, Empty};
	use hyper::body::Bytes;
	use hyper_util::{client::legacy::Client, rt::TokioExecutor};
	use landmesh_mesh::gateway::{self, Gateway};
	use std::sync::Arc;

	let (a, c) = (node().await, node().await);
	let in_dht = model(5 << 20);
	let hinted = model(3 << 20 | 77);
	let dht_root = a.store.import(&in_dht[..], None, u64::MAX, None, None).unwrap().root;
	let hinted_root = a.store.import(&hinted[..], None, u64::MAX, None, None).unwrap().root;
	a.mesh.provide(dht_root).await;
	introduce(&c, &[&a]).await;

	let a_id = a.mesh.peer_id();
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	let a_addr = a.addr.clone();
	let directory = Arc::new(Hints::one(hinted_root, (a_id, vec![a_addr])));
	let gw = Gateway::new(c.store.clone(), 0, Some(c.mesh.clone()), Some(directory));
	tokio::spawn(gateway::serve(listener, Arc::new(gw)));
	let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let get = |path: String, range: Option<&'static str>| {
		let client = client.clone();
		async move {
			let mut request = hyper::Request::get(path);
			if let Some(r) = range {
				request = request.header("range", r);
			}
			let response = client.request(request.body(Empty::new()).unwrap()).await.unwrap();
			let status = response.status();
			let media_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
			(status, media_type, response.into_body().collect().await.unwrap().to_bytes().to_vec())
		}
	};

	// Found through the DHT provider record A published.
	let (status, media_type, body) = get(format!("{base}/content/{}", dht_root.to_hex()), None).await;
	assert_eq!((status.as_u16(), media_type.as_deref()), (200, Some("application/octet-stream")));
	assert_eq!(body, in_dht);
	// Found through the hint, asked for a range: the range arrives, the whole is cached.
	let (status, media_type, body) = get(format!("{base}/content/{}", hinted_root.to_hex()), Some("bytes=2000000-2000099")).await;
	assert_eq!((status.as_u16(), media_type.as_deref()), (206, Some("model/gltf-binary")));
	assert_eq!(body, hinted[2_000_000..2_000_100]);
	for (root, bytes) in [(dht_root, &in_dht), (hinted_root, &hinted)] {
		for _ in 0..100 {
			if c.store.info(&root).unwrap().is_some() {
				break;
			}
			tokio::time::sleep(std::time::Duration::from_millis(20)).await;
		}
		assert_eq!(&c.store.read_to_vec(&root).unwrap(), bytes, "the gateway kept a verified copy");
		assert!(!c.store.info(&root).unwrap().unwrap().pinned);
	}
	let cached = c.store.info(&hinted_root).unwrap().unwrap();
	assert_eq!(cached.media_type.as_deref(), Some("model/gltf-binary"), "the copy keeps its media type");
	// What nobody has is a 404.
	let (status, _, _) = get(format!("{base}/content/{}", "cd".repeat(32)), None).await;
	assert_eq!(status, 404);
}
