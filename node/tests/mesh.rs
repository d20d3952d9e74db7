//! The content mesh embedded in real `--dev` nodes: a model's file uploaded through a
//! node's gateway is served back byte for byte under the content id the chain's model NFT
//! names; a node that lacks a content finds the miner keeping it from chain state and
//! fetches it over the mesh.

mod common;

use common::{dev_node, execute, http};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::ContentId;
use landmesh_runtime::genesis::SAMPLE_MODELS;
use polkadot_sdk::sp_keyring::Sr25519Keyring;

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
	let (status, _, body) = http(gateway, "POST", &format!("/content?name={name}"), &[("Content-Type", "model/gltf+json")], &file);
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
	let (status, _, _) = http(&miner_node.gateway_url, "POST", "/content", &[], &file);
	assert_eq!(status, 201);

	// On the reader's chain, Bob registers as a miner reachable at the miner node's mesh
	// address, and Charlie orders the model kept: the chain assigns the replica to Bob.
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let (address, peer_id) = miner_node.mesh_addr.split_once("/p2p/").expect("a /p2p/ suffix");
	let text = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = pallet_miners::Endpoints {
		peer_id: text(peer_id),
		multiaddrs: vec![text(address)].try_into().unwrap(),
		gateway: text(&miner_node.gateway_url),
		region: text("eu-west"),
	};
	execute(&client, &chain, Sr25519Keyring::Bob, pallet_miners::Call::register { capacity: 1 << 30, endpoints }.into()).await;
	let content_id = ContentId::from_hex(root).unwrap();
	let order = pallet_storage::Call::place_order { content_id, size, replicas: 1, periods: 1 };
	execute(&client, &chain, Sr25519Keyring::Charlie, order.into()).await;

	// The reader's gateway does not hold the model; it asks its chain who keeps it and
	// fetches it from Bob's mesh node, verified.
	let (status, head, body) = http(&node.gateway_url, "GET", &format!("/content/{root}"), &[], b"");
	assert_eq!(status, 200, "{head}\n{}", String::from_utf8_lossy(&body));
	assert_eq!(body, file);
	// And keeps it: the next request is served from its own store.
	let (status, _, body) = http(&node.gateway_url, "GET", &format!("/content/{root}"), &[("Range", "bytes=-5")], b"");
	assert_eq!((status, body.as_slice()), (206, &file[file.len() - 5..]));
}
