//! Proof of space on a real `--dev --miner` node, with nobody sending a transaction for
//! the miner: the node seals filler sectors into its free capacity up to `--seal-limit`,
//! commits their roots, proves each seal on the chunks the chain draws after the commit,
//! and answers the sector challenges the audit rounds open, all from its own store.

mod common;

use common::{dev_node_with, register_miner, Events};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::storage::{ChallengeTarget, MinerView, SectorView};
use landmesh_runtime::{AccountId, Balance, BlockNumber, RuntimeEvent};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread")]
async fn a_miner_node_seals_commits_proves_and_answers_sector_challenges_by_itself() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	// The dev chain's sectors are 1 MiB: three of them.
	let node = dev_node_with("sealing", dir.path(), &["--no-prometheus".into(), "--miner".into(), "--seal-limit=3MiB".into()]);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	register_miner(&client, &chain, Sr25519Keyring::Alice, &node).await;
	let alice: AccountId = Sr25519Keyring::Alice.to_account_id();

	let (mut committed, mut sealed, mut passed) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
	let mut challenged = std::collections::BTreeMap::new();
	let mut watch = Events { client: &client, next: 1 };
	watch
		.until("three sectors sealed and a sector challenge passed", std::time::Duration::from_secs(300), |event| {
			match event {
				RuntimeEvent::Miners(pallet_miners::Event::SectorCommitted { miner, sector, .. }) if *miner == alice => {
					committed.insert(*sector);
				},
				RuntimeEvent::Miners(pallet_miners::Event::SectorSealed { miner, sector }) if *miner == alice => {
					sealed.insert(*sector);
				},
				RuntimeEvent::Audit(pallet_audit::Event::Challenged { challenge, miner, target, .. }) if *miner == alice => {
					assert!(matches!(target, ChallengeTarget::Sector { .. }), "only sectors are stored: {target:?}");
					challenged.insert(*challenge, *target);
				},
				RuntimeEvent::Audit(pallet_audit::Event::Passed { challenge, miner }) if *miner == alice => {
					passed.insert(*challenge);
				},
				RuntimeEvent::Audit(pallet_audit::Event::Missed { .. } | pallet_audit::Event::Failed { .. }) => {
					panic!("the miner missed a challenge: {event:?}")
				},
				RuntimeEvent::Miners(pallet_miners::Event::SectorDropped { .. }) => panic!("a sector was dropped: {event:?}"),
				_ => {},
			}
			sealed.len() == 3 && !passed.is_empty()
		})
		.await;
	assert_eq!(committed, BTreeSet::from([0, 1, 2]), "one sector per index, in order");
	assert!(passed.iter().all(|c| challenged.contains_key(c)), "passed challenges were opened for sectors");

	// The limit holds: three sectors, all sealed, though the free capacity has room for
	// a thousand more.
	let view: Option<MinerView<Balance, BlockNumber>> =
		client.call("landmesh_miner", vec![json!(alice), Value::Null]).await.expect("landmesh_miner answers");
	let view = view.expect("Alice is a miner");
	assert_eq!((view.sectors, view.unsealed, view.next_sector, view.sector_size), (3, 0, 3, 1 << 20));
	assert!(view.sector_room > 1000, "room for more: {}", view.sector_room);
	let sectors: Vec<SectorView> =
		client.call("landmesh_sectors", vec![json!(alice), Value::Null]).await.expect("landmesh_sectors answers");
	assert_eq!(sectors.iter().map(|s| (s.slot, s.index, s.seal.is_none())).collect::<Vec<_>>(), vec![(0, 0, true), (1, 1, true), (2, 2, true)]);
	// Each root is the sector derived for Alice and its index: what the node sealed.
	for s in &sectors {
		let (_, root) = landmesh_primitives::filler::generate(&landmesh_primitives::filler::sector_seed(&alice, s.index), 1024);
		assert_eq!(s.root, root, "sector {}", s.index);
	}
}
