//! The content mesh embedded in real `--dev` nodes: a model's file uploaded through a
//! node's gateway is served back byte for byte under the content id the chain's model NFT
//! names; a node that lacks a content finds the miner keeping it from chain state and
//! fetches it over the mesh; a `--miner` node assigned a replica fetches it, confirms it
//! and answers its challenges on chain through its off-chain worker.

mod common;

use common::{dev_node, dev_node_with, dev_peer_of, execute, get_signed, http, register_miner, upload};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::ContentId;
use landmesh_runtime::{genesis::SAMPLE_MODELS, AccountId, RuntimeEvent};
use polkadot_sdk::{sp_core::crypto::Ss58Codec, sp_keyring::Sr25519Keyring};

#[test]
fn a_dev_node_serves_uploaded_models_over_http() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = dev_node("mesh", dir.path(), None);
	let gateway = &node.gateway_url;
	let (name, root, size) = SAMPLE_MODELS[0];
	let path = format!("/content/{root}");

	// Not uploaded yet: the chain knows the model, this node does not hold its bytes.
	let (status, _, body) = http(gateway, "GET", &path, &[], b"");
	assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));

	let file = std::fs::read(format!("{}/../assets/models/{name}", env!("CARGO_MANIFEST_DIR"))).expect("the sample model");
	let (status, _, body) = upload(gateway, &format!("/content?name={name}"), &[("Content-Type", "model/gltf+json")], &file);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
	assert_eq!(answer["contentId"], root, "the upload's id is the one the chain's model NFT names");
	assert_eq!(answer["size"], size);
	assert_eq!(answer["magnet"], format!("magnet:?xt=urn:blake3:{root}&xl={size}&dn={name}"));

	let (status, head, body) = http(gateway, "GET", &path, &[], b"");
	assert_eq!((status, body.as_slice()), (200, file.as_slice()));
	assert!(head.to_lowercase().contains("content-type: model/gltf+json"), "{head}");
	let (status, _, body) = http(gateway, "GET", &path, &[("Range", "bytes=0-9")], b"");
	assert_eq!((status, body.as_slice()), (206, &file[..10]));
	node.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_miss_is_fetched_from_the_miner_the_chain_names() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = dev_node("mesh-reader", dir.path(), None);
	// A second node whose mesh holds the model. It runs a dev chain of its own; only its
	// mesh and gateway matter here: the mesh is independent of the chain.
	let miner_node = dev_node("mesh-miner", dir.path(), None);
	let (name, root, size) = SAMPLE_MODELS[1];
	let file = std::fs::read(format!("{}/../assets/models/{name}", env!("CARGO_MANIFEST_DIR"))).expect("the sample model");
	let (status, _, _) = upload(&miner_node.gateway_url, "/content", &[], &file);
	assert_eq!(status, 201);

	// On the reader's chain, Bob registers as a miner reachable at the miner node's mesh
	// address, and Charlie orders the model kept: the chain assigns the replica to Bob.
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	register_miner(&client, &chain, Sr25519Keyring::Bob, &miner_node).await;
	let content_id = ContentId::from_hex(root).unwrap();
	let order = pallet_storage::Call::place_order { content_id, size, replicas: 1, periods: 1 };
	execute(&client, &chain, Sr25519Keyring::Charlie, order.into()).await;

	// The reader's gateway does not hold the model; it asks its chain who keeps it (and
	// what it is) and fetches it from Bob's mesh node, verified.
	// The pyramid is for mainland pass holders: unsigned, the gateway refuses it; signed
	// by Bob, its owner, it is served.
	let (status, head, _) = http(&node.gateway_url, "GET", &format!("/content/{root}"), &[], b"");
	assert_eq!(status, 401, "{head}");
	let (status, head, body) = get_signed(&node.gateway_url, root, Sr25519Keyring::Bob, &[]);
	assert_eq!(status, 200, "{head}\n{}", String::from_utf8_lossy(&body));
	assert_eq!(body, file);
	assert!(head.to_lowercase().contains("content-type: model/gltf+json"), "the chain's model format names the type: {head}");
	// And keeps it: the next request is served from its own store.
	let (status, _, body) = get_signed(&node.gateway_url, root, Sr25519Keyring::Bob, &[("Range", "bytes=-5")]);
	assert_eq!((status, body.as_slice()), (206, &file[file.len() - 5..]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_miner_assigned_a_replica_fetches_it_confirms_it_and_answers_its_challenge() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let files: Vec<Vec<u8>> = SAMPLE_MODELS
		.iter()
		.map(|(name, _, _)| std::fs::read(format!("{}/../assets/models/{name}", env!("CARGO_MANIFEST_DIR"))).expect("a sample model"))
		.collect();
	let (_, root, size) = SAMPLE_MODELS[0];
	let (_, gated_root, gated_size) = SAMPLE_MODELS[1];

	// The miner: Alice's dev node with --miner, linked to Bob's wallet (Bob owns the
	// pyramid on the dev chain, which only mainland pass holders may fetch).
	let bob = Sr25519Keyring::Bob.to_account_id().to_ss58check();
	// No filler sectors (tests/sealing.rs has those): its challenges are its replicas'.
	let flags = ["--no-prometheus".into(), "--miner".into(), "--seal-limit=0".into(), format!("--link-wallet={bob}")];
	let miner = dev_node_with("miner", dir.path(), &flags);
	// A node of the same chain that has both sample models; it joins the miner's mesh, so
	// the DHT names it as a provider, and it answers gated content only to whom its chain
	// admits: the miner assigned it.
	let seed = dev_peer_of("miner-seed", dir.path(), &miner, &[format!("--mesh-bootnodes={}", miner.mesh_addr)]);
	for file in &files {
		let (status, _, _) = upload(&seed.gateway_url, "/content", &[], file);
		assert_eq!(status, 201);
	}
	let client = DevClient::connect(&miner.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	register_miner(&client, &chain, Sr25519Keyring::Alice, &miner).await;
	// Charlie orders the public cube kept, Bob his gated pyramid (only an order of the
	// model's owner admits its miners to gated bytes); Alice, the only miner, gets both.
	for (root, size, who) in [(root, size, Sr25519Keyring::Charlie), (gated_root, gated_size, Sr25519Keyring::Bob)] {
		let content_id = ContentId::from_hex(root).unwrap();
		let order = pallet_storage::Call::place_order { content_id, size, replicas: 1, periods: 1 };
		execute(&client, &chain, who, order.into()).await;
	}

	// Nobody sends a transaction for Alice from here on: her node fetches the replicas,
	// and its off-chain worker confirms it and answers the challenge the next audit
	// round draws (every 10 blocks; the only confirmed replica on chain is hers).
	let alice: AccountId = Sr25519Keyring::Alice.to_account_id();
	// Both replicas confirmed (the gated one's holder admits the miner once it has synced
	// the order), and a challenge passed.
	let (mut confirmed, mut passed) = (std::collections::BTreeSet::new(), false);
	let mut next = 1;
	let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(240);
	while !(confirmed.len() == 2 && passed) {
		assert!(tokio::time::Instant::now() < deadline, "confirmed: {confirmed:?}, passed a challenge: {passed} after 240 s");
		let best = client.best_number().await.expect("best block");
		while next <= best {
			let hash = client.block_hash(next).await.expect("RPC").expect("a block");
			for record in client.events(hash).await.expect("events") {
				match record.event {
					RuntimeEvent::Storage(pallet_storage::Event::ReplicaConfirmed { miner, order }) if miner == alice => {
						confirmed.insert(order);
					},
					RuntimeEvent::Audit(pallet_audit::Event::Passed { miner, .. }) if miner == alice => passed = true,
					RuntimeEvent::Audit(pallet_audit::Event::Failed { miner, .. }) if miner == alice => {
						panic!("the miner failed a challenge at #{next}")
					},
					_ => {},
				}
			}
			next += 1;
		}
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
	}
	// Both replicas (the gated one too: the seed's chain admits the miner assigned it) were
	// fetched ahead of any request: with the seed gone, the miner still serves them.
	seed.stop();
	for ((_, root, _), file) in SAMPLE_MODELS.iter().zip(&files) {
		let gateway = miner.gateway_url.clone();
		let (status, _, body) = wait_for_200(|| get_signed(&gateway, root, Sr25519Keyring::Bob, &[])).await;
		assert_eq!((status, &body == file), (200, true), "{root}");
	}

	// A raw libp2p client, no miner of it and no credentials, asks the miner for the
	// gated content it holds: no size, no bytes (told as if absent). The public one it gets.
	let stranger = stranger_mesh(dir.path()).await;
	let (address, peer) = miner.mesh_addr.rsplit_once("/p2p/").expect("a /p2p/ suffix");
	let peer: landmesh_mesh::PeerId = peer.parse().expect("a peer id");
	stranger.add_address(peer, address.parse().expect("a multiaddr")).await;
	let ask = |root: &str, range: bool| {
		let root = ContentId::from_hex(root).unwrap();
		let request = if range {
			landmesh_mesh::wire::Request::Range { root, start: 0, end: 1000, credentials: None }
		} else {
			landmesh_mesh::wire::Request::Size { root, credentials: None }
		};
		stranger.request(peer, request)
	};
	use landmesh_mesh::wire::Response;
	assert_eq!(ask(gated_root, false).await.expect("an answer"), Response::NotFound, "no size of gated content");
	assert_eq!(ask(gated_root, true).await.expect("an answer"), Response::NotFound, "no bytes of gated content");
	assert_eq!(ask(root, false).await.expect("an answer"), Response::Size(size), "public content is served");
}

/// Retries a request while it is not `200` yet (a replica may still be landing), for up
/// to a minute; returns the last answer.
async fn wait_for_200(mut request: impl FnMut() -> (u16, String, Vec<u8>)) -> (u16, String, Vec<u8>) {
	let mut answer = request();
	for _ in 0..120 {
		if answer.0 == 200 {
			break;
		}
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
		answer = request();
	}
	answer
}

/// A mesh swarm with a fresh key and an empty store: a libp2p client that is nobody.
async fn stranger_mesh(dir: &std::path::Path) -> landmesh_mesh::Mesh {
	let store = landmesh_mesh::Store::open(&dir.join("stranger"), 1 << 20).expect("a store");
	let key = landmesh_mesh::Keypair::generate_ed25519();
	landmesh_mesh::Mesh::start(key, "/ip4/127.0.0.1/tcp/0".parse().expect("a multiaddr"), store).expect("a swarm")
}
