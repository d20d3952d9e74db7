//! The storage economy on a real `--dev --tmp` node, driven over JSON-RPC as a miner's
//! node and a client would: Bob registers as a miner, Charlie orders a content kept, Bob
//! confirms it with a proof of its last chunk, the chain challenges Bob, and Bob answers
//! with chunk proofs computed from the content.

mod common;

use common::{dev_node, execute, until_finalized};
use landmesh_node::{
	dev_client::DevClient,
	transactions::sign,
};
use landmesh_primitives::{
	proof::{chunk_count, prove, root_of},
	replica,
	storage::{AssignmentView, ChallengeTarget, ChallengeView, MinerView, OrderView},
	ContentId,
};
use landmesh_runtime::{AccountId, Balance, BlockNumber, RuntimeCall, RuntimeEvent};
use polkadot_sdk::{frame_system, sp_keyring::Sr25519Keyring};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn miner_registers_confirms_a_replica_and_answers_a_challenge() {
	let dir = tempfile::tempdir().expect("temp dir");
	let node = dev_node("storage", dir.path(), None);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let (bob, charlie) = (Sr25519Keyring::Bob, Sr25519Keyring::Charlie);
	let bob_id: AccountId = bob.to_account_id();

	// Not a miner yet.
	let none: Option<MinerView<Balance, BlockNumber>> =
		client.call("landmesh_miner", vec![json!(bob_id), Value::Null]).await.expect("landmesh_miner answers");
	assert_eq!(none, None);

	let text = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = pallet_miners::Endpoints {
		peer_id: text("12D3KooWBob"),
		multiaddrs: vec![text("/ip4/127.0.0.1/tcp/4001")].try_into().unwrap(),
		gateway: text("http://127.0.0.1:8080"),
		region: text("eu-west"),
	};
	execute(&client, &chain, bob, pallet_miners::Call::register { capacity: 1 << 30, endpoints }.into()).await;

	// Charlie orders a 5000-byte content kept on one replica for two periods.
	let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 241) as u8).collect();
	let content_id = ContentId(root_of(&bytes));
	let call: RuntimeCall =
		pallet_storage::Call::place_order { content_id, size: bytes.len() as u64, replicas: 1, periods: 2 }.into();
	execute(&client, &chain, charlie, call).await;

	let miner: Option<MinerView<Balance, BlockNumber>> =
		client.call("landmesh_miner", vec![json!(bob_id), Value::Null]).await.expect("landmesh_miner answers");
	let miner = miner.expect("Bob is a miner");
	assert_eq!((miner.capacity, miner.committed, miner.region.as_str()), (1 << 30, 5000, "eu-west"));
	let orders: Vec<OrderView<AccountId, Balance, BlockNumber>> =
		client.call("landmesh_contentStatus", vec![json!(content_id), Value::Null]).await.expect("contentStatus answers");
	assert_eq!(orders.len(), 1);
	let replica = &orders[0].holders[0];
	assert_eq!((replica.miner.clone(), replica.confirmed, replica.gateway.as_str()), (bob_id.clone(), false, "http://127.0.0.1:8080"));
	let order = orders[0].id;
	let assignments = || async {
		let assigned: Vec<AssignmentView> =
			client.call("landmesh_assignments", vec![json!(bob_id), Value::Null]).await.expect("assignments answers");
		assigned
	};
	let assigned = assignments().await;
	assert_eq!(assigned.len(), 1);
	assert_eq!((assigned[0].order, assigned[0].content_id, assigned[0].size), (order, content_id, 5000));
	assert_eq!((assigned[0].sealed, assigned[0].confirmed), (None, false));

	// Bob seals his replica (as his node would), commits its roots, and confirms with the
	// seal proof the chain draws from the next block.
	let seed = replica::replica_seed(&bob_id, order, &content_id);
	let sealed = replica::Sealed::new(&bytes, seed, landmesh_runtime::genesis::DEV_SECTOR_SIZE);
	execute(&client, &chain, bob, pallet_storage::Call::commit_replica { order, roots: sealed.roots }.into()).await;
	let draws = loop {
		let assigned = assignments().await;
		assert_eq!(assigned[0].sealed, Some(sealed.roots), "assignments show the committed roots");
		if let Some(draws) = assigned[0].seal_draws.clone() {
			break draws;
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	};
	let seal: Vec<_> = draws.into_iter().map(|d| sealed.answer(&bytes, d).unwrap()).collect();
	let last = prove(&bytes, chunk_count(5000) - 1).unwrap();
	execute(&client, &chain, bob, pallet_storage::Call::confirm { order, proof: last, seal: seal.try_into().unwrap() }.into()).await;
	let orders: Vec<OrderView<AccountId, Balance, BlockNumber>> =
		client.call("landmesh_contentStatus", vec![json!(content_id), Value::Null]).await.unwrap();
	assert!(orders[0].holders[0].confirmed);
	let miner: Option<MinerView<Balance, BlockNumber>> = client.call("landmesh_miner", vec![json!(bob_id), Value::Null]).await.unwrap();
	assert_eq!(miner.map(|m| m.confirmed), Some(5000), "the miner's confirmed bytes count the replica");

	// The chain challenges Bob within a few rounds (every 10 blocks); Bob answers.
	let deadline = Instant::now() + Duration::from_secs(180);
	let challenge = loop {
		let open: Vec<ChallengeView<BlockNumber>> =
			client.call("landmesh_challenges", vec![json!(bob_id), Value::Null]).await.expect("challenges answers");
		if let Some(c) = open.into_iter().next() {
			break c;
		}
		assert!(Instant::now() < deadline, "Bob was not challenged within 180 s");
		tokio::time::sleep(Duration::from_secs(2)).await;
	};
	// On Bob's sealed replica, not on the content anyone can fetch.
	assert_eq!((challenge.target, challenge.content_id, challenge.size), (ChallengeTarget::Replica { order }, sealed.roots.replica, 5000));
	let proofs: Vec<_> = challenge.indices.iter().map(|i| prove(&sealed.replica, *i).unwrap()).collect();
	let events = execute(
		&client,
		&chain,
		bob,
		pallet_audit::Call::answer { challenge: challenge.id, proofs: proofs.try_into().unwrap() }.into(),
	)
	.await;
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Audit(pallet_audit::Event::Passed { challenge: c, miner }) if *c == challenge.id && *miner == bob_id)));
	let orders: Vec<OrderView<AccountId, Balance, BlockNumber>> =
		client.call("landmesh_contentStatus", vec![json!(content_id), Value::Null]).await.unwrap();
	assert!(orders[0].holders[0].last_proven.is_some(), "contentStatus shows when Bob last proved his replica");

	// A wrong answer to a closed challenge is refused with the pallet's error, no state change.
	let nonce = client.next_nonce(&bob_id).await.unwrap();
	let xt = sign(&bob.pair(), pallet_audit::Call::answer { challenge: challenge.id, proofs: Default::default() }.into(), nonce, &chain);
	let (in_block, _) = until_finalized(client.submit_and_watch(&xt).await.expect("fee is payable")).await;
	let failed = client.events(in_block).await.unwrap().into_iter().any(|r| matches!(r.event,
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { .. })));
	assert!(failed, "answering a closed challenge fails");
}
