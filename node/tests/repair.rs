//! Repair on real nodes: three miner nodes (Bob, Charlie and Dave, peers of Alice's dev
//! validator) and an order of two replicas of a content uploaded to a fifth node. Once both
//! replicas are confirmed the uploader leaves, then one holder's node stops. The chain
//! fails that miner's challenges, drops its replica and assigns the third miner, whose node
//! fetches the content from the remaining holder, confirms it and passes a challenge on it;
//! Alice's gateway, which never had the content, still serves it.

mod common;

use common::{dev_node_with, dev_peer_of, execute, http, register_miner, upload, Events, TestNode};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::ContentId;
use landmesh_runtime::{AccountId, RuntimeEvent};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_lost_with_its_miner_is_rebuilt_on_another_and_still_served() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let alice = dev_node_with("repair-alice", dir.path(), &["--no-prometheus".into()]);
	let mesh = format!("--mesh-bootnodes={}", alice.mesh_addr);
	let mut miners: Vec<(AccountId, Option<TestNode>)> = Vec::new();
	let client = DevClient::connect(&alice.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	for (key, name) in [(Sr25519Keyring::Bob, "bob"), (Sr25519Keyring::Charlie, "charlie"), (Sr25519Keyring::Dave, "dave")] {
		// `--bob` and the like hold the dev keys (the miner's among them) and make the node
		// a validator, which wants a network key it did not generate itself.
		let flags = [
			format!("--{name}"),
			"--unsafe-force-node-key-generation".into(),
			"--miner".into(),
			"--seal-limit=0".into(),
			mesh.clone(),
		];
		let node = dev_peer_of(&format!("repair-{name}"), dir.path(), &alice, &flags);
		register_miner(&client, &chain, key, &node).await;
		miners.push((key.to_account_id(), Some(node)));
	}
	let uploader = dev_peer_of("repair-uploader", dir.path(), &alice, &["--seal-limit=0".into(), mesh.clone()]);
	let content: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
	let (status, _, body) = upload(&uploader.gateway_url, "/content", &[], &content);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let root = serde_json::from_slice::<serde_json::Value>(&body).expect("JSON")["contentId"].as_str().unwrap().to_string();
	let content_id = ContentId::from_hex(&root).expect("a content id");
	let order = pallet_storage::Call::place_order { content_id, size: content.len() as u64, replicas: 2, periods: 1 };
	execute(&client, &chain, Sr25519Keyring::Eve, order.into()).await;

	let mut watch = Events { client: &client, next: 1 };
	let mut holders = Vec::new();
	watch
		.until("both replicas confirmed", Duration::from_secs(240), |event| {
			if let RuntimeEvent::Storage(pallet_storage::Event::ReplicaConfirmed { miner, .. }) = event {
				holders.push(miner.clone());
			}
			holders.len() == 2
		})
		.await;
	// Only the miners keep it now.
	uploader.stop();
	let lost = holders[0].clone();
	let at = miners.iter().position(|(m, _)| *m == lost).expect("a holder is one of the miners");
	miners[at].1.take().expect("running").stop();
	let third = miners.iter().find(|(m, _)| !holders.contains(m)).map(|(m, _)| m.clone()).expect("a third miner");

	let (mut dropped, mut confirmed, mut passed) = (false, false, false);
	watch
		.until("the replica rebuilt on the third miner and proven", Duration::from_secs(420), |event| {
			match event {
				RuntimeEvent::Storage(pallet_storage::Event::ReplicaDropped { miner, .. }) if *miner == lost => dropped = true,
				RuntimeEvent::Storage(pallet_storage::Event::ReplicaConfirmed { miner, .. }) if *miner == third => {
					assert!(dropped, "the third miner is assigned after the loss");
					confirmed = true
				},
				RuntimeEvent::Audit(pallet_audit::Event::Passed { miner, .. }) if *miner == third && confirmed => passed = true,
				RuntimeEvent::Audit(pallet_audit::Event::Failed { miner, .. }) if *miner != lost => {
					panic!("a running miner failed a challenge: {event:?}")
				},
				_ => {},
			}
			passed
		})
		.await;

	// A gateway that never had the content fetches it from the miners that keep it.
	let mut answer = (0, String::new(), Vec::new());
	for _ in 0..60 {
		answer = http(&alice.gateway_url, "GET", &format!("/content/{root}"), &[], &[]);
		if answer.0 == 200 {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert_eq!(answer.0, 200, "{}", String::from_utf8_lossy(&answer.2));
	assert!(answer.2 == content, "the bytes served are the content's");
}
