//! Outsourcing on real nodes (sealed replicas, `landmesh_primitives::replica`): an order of
//! two replicas goes to Bob, whose node seals and keeps its replica, and to Charlie, a lazy
//! miner played by this test. Charlie seals once, honestly, to be confirmed, then keeps
//! nothing. Challenged, it first (a) forwards the challenge to a holder: the chunks of the
//! content from Bob's gateway, and Bob's own sealed replica; both are refused and the
//! challenge is missed. Asked again, it (b) fetches the whole content from a gateway and
//! seals again; the rebuild takes longer than the deadline, so the retry fails and
//! Charlie is slashed and loses the replica, while Bob passes his challenges.
//!
//! The chain here has 48 MiB sectors, so a replica's chain starts with 48 MiB of labels
//! (1.5 M derivations): the same security argument as the main chain's 1 GiB prefix, at a
//! size a test can seal (about a minute here) against a 5-block (15 s) deadline.

mod common;

use common::{execute, free_port, http, register_miner, try_execute, upload, Events, TestNode};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::{
	proof::prove,
	replica::{replica_seed, Sealed},
	storage::{AssignmentView, ChallengeTarget, ChallengeView},
	ContentId,
};
use landmesh_runtime::{AccountId, BlockNumber, RuntimeEvent};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The chain's sector size, and so each replica's prefix of labels.
const SECTOR: u64 = 48 << 20;

/// The dev chain's spec with `SECTOR`-byte sectors, written into `dir`.
fn spec_with_large_sectors(dir: &std::path::Path) -> String {
	let out = std::process::Command::new(env!("CARGO_BIN_EXE_landmesh-node"))
		.args(["build-spec", "--chain=dev"])
		.output()
		.expect("build-spec runs");
	assert!(out.status.success(), "build-spec: {}", String::from_utf8_lossy(&out.stderr));
	let mut spec: Value = serde_json::from_slice(&out.stdout).expect("a JSON chain spec");
	spec["genesis"]["runtimeGenesis"]["patch"]["miners"]["sectorSize"] = json!(SECTOR);
	let path = dir.join("large-sectors.json");
	std::fs::write(&path, serde_json::to_vec(&spec).expect("JSON")).expect("spec written");
	path.display().to_string()
}

/// Charlie's open challenge, once there is one.
async fn challenge_of(client: &DevClient, who: &AccountId, not: Option<u64>, within: Duration) -> ChallengeView<BlockNumber> {
	let deadline = Instant::now() + within;
	loop {
		let open: Vec<ChallengeView<BlockNumber>> =
			client.call("landmesh_challenges", vec![json!(who), Value::Null]).await.expect("challenges answer");
		if let Some(c) = open.into_iter().find(|c| Some(c.id) != not) {
			return c;
		}
		assert!(Instant::now() < deadline, "no challenge within {within:?}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// The answer to challenge `c` from `bytes`, as an `audit.answer` call.
fn answer_from(c: &ChallengeView<BlockNumber>, bytes: &[u8]) -> landmesh_runtime::RuntimeCall {
	let proofs: Vec<_> = c.indices.iter().map(|i| prove(bytes, *i).expect("a chunk of the content")).collect();
	pallet_audit::Call::answer { challenge: c.id, proofs: proofs.try_into().expect("four proofs") }.into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_miner_without_its_sealed_replica_fails_by_forwarding_or_by_sealing_again() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let spec = spec_with_large_sectors(dir.path());
	let chain_flag = format!("--chain={spec}");
	let port = free_port();
	let mut alice = TestNode::start(
		"outsourcing-alice",
		&[
			chain_flag.clone(),
			"--alice".into(),
			"--force-authoring".into(),
			"--tmp".into(),
			format!("--port={port}"),
			"--no-prometheus".into(),
			"--unsafe-force-node-key-generation".into(),
		],
		dir.path(),
	);
	alice.p2p_addr = format!("/ip4/127.0.0.1/tcp/{port}/p2p/{}", alice.peer_id);
	let bob_node = common::peer_of(
		"outsourcing-bob",
		dir.path(),
		&alice,
		&chain_flag,
		&[
			"--bob".into(),
			"--unsafe-force-node-key-generation".into(),
			"--miner".into(),
			"--seal-limit=0".into(),
			format!("--mesh-bootnodes={}", alice.mesh_addr),
		],
	);
	let client = DevClient::connect(&alice.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let (bob, charlie) = (Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Charlie.to_account_id());
	register_miner(&client, &chain, Sr25519Keyring::Bob, &bob_node).await;
	// Charlie's endpoints name Alice's node: it runs none of its own.
	register_miner(&client, &chain, Sr25519Keyring::Charlie, &alice).await;

	let content: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
	let (status, _, body) = upload(&alice.gateway_url, "/content", &[], &content);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let content_id = ContentId(landmesh_primitives::proof::root_of(&content));
	let place = pallet_storage::Call::place_order { content_id, size: content.len() as u64, replicas: 2, periods: 1 };
	execute(&client, &chain, Sr25519Keyring::Eve, place.into()).await;

	// Charlie is assigned too (only two miners); it seals once, honestly, and confirms.
	let assigned = loop {
		let a: Vec<AssignmentView> = client.call("landmesh_assignments", vec![json!(charlie), Value::Null]).await.expect("RPC");
		if let Some(a) = a.into_iter().next() {
			break a;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	let order = assigned.order;
	let seed = replica_seed(&charlie, order, &content_id);
	let (bytes, started) = (content.clone(), Instant::now());
	let sealed = tokio::task::spawn_blocking(move || Sealed::new(&bytes, seed, SECTOR)).await.expect("sealed");
	let honest_seal = started.elapsed();
	execute(&client, &chain, Sr25519Keyring::Charlie, pallet_storage::Call::commit_replica { order, roots: sealed.roots }.into())
		.await;
	let draws = loop {
		let a: Vec<AssignmentView> = client.call("landmesh_assignments", vec![json!(charlie), Value::Null]).await.expect("RPC");
		if let Some(draws) = a.into_iter().next().and_then(|a| a.seal_draws) {
			break draws;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	let seal: Vec<_> = draws.into_iter().map(|d| sealed.answer(&content, d).expect("a draw")).collect();
	let last = prove(&content, landmesh_primitives::proof::chunk_count(content.len() as u64) - 1).expect("last chunk");
	let confirm = pallet_storage::Call::confirm { order, proof: last, seal: seal.try_into().expect("16 draws") };
	execute(&client, &chain, Sr25519Keyring::Charlie, confirm.into()).await;
	// ...and keeps nothing but the roots.
	let charlie_root = sealed.roots.replica;
	drop(sealed);

	// Bob's node seals its own replica and confirms it by itself.
	let mut watch = Events { client: &client, next: 1 };
	watch
		.until("Bob's node confirms its sealed replica", Duration::from_secs(300), |e| {
			matches!(e, RuntimeEvent::Storage(pallet_storage::Event::ReplicaConfirmed { miner, .. }) if *miner == bob)
		})
		.await;
	let bob_roots = {
		let a: Vec<AssignmentView> = client.call("landmesh_assignments", vec![json!(bob), Value::Null]).await.expect("RPC");
		a.into_iter().find(|a| a.order == order).and_then(|a| a.sealed).expect("Bob committed roots")
	};
	assert_ne!(bob_roots.replica, charlie_root, "two miners' replicas of one content differ");

	// (a) Forwarding: Charlie's challenge, answered from what a holder serves.
	let first = challenge_of(&client, &charlie, None, Duration::from_secs(120)).await;
	assert_eq!((first.target, first.content_id), (ChallengeTarget::Replica { order }, charlie_root));
	let (status, _, served) = http(&bob_node.gateway_url, "GET", &format!("/content/{}", content_id.to_hex()), &[], b"");
	assert_eq!((status, served.len()), (200, content.len()), "Bob's gateway serves the content");
	let refused = try_execute(&client, &chain, Sr25519Keyring::Charlie, answer_from(&first, &served)).await;
	assert!(refused.is_err(), "the content as Bob serves it does not answer Charlie's challenge");
	// Two accounts, one disk: Bob's sealed replica, as his gateway serves it.
	let (status, _, bobs) = http(&bob_node.gateway_url, "GET", &format!("/content/{}", bob_roots.replica.to_hex()), &[], b"");
	assert_eq!((status, bobs.len()), (200, content.len()), "Bob's gateway serves his sealed replica");
	let refused = try_execute(&client, &chain, Sr25519Keyring::Charlie, answer_from(&first, &bobs)).await;
	assert!(refused.is_err(), "Bob's sealed replica does not answer Charlie's challenge");

	// (b) Sealing again: the retry, answered from the whole content fetched and sealed anew.
	let mut retry = None;
	watch
		.until("Charlie's first challenge missed", Duration::from_secs(60), |e| match e {
			RuntimeEvent::Audit(pallet_audit::Event::Missed { challenge, retry: r, .. }) if *challenge == first.id => {
				retry = Some(*r);
				true
			},
			_ => false,
		})
		.await;
	let second = challenge_of(&client, &charlie, Some(first.id), Duration::from_secs(30)).await;
	assert_eq!(Some(second.id), retry);
	let rebuilt = Instant::now();
	let (status, _, fetched) = http(&alice.gateway_url, "GET", &format!("/content/{}", content_id.to_hex()), &[], b"");
	assert_eq!(status, 200);
	let again = tokio::task::spawn_blocking(move || {
		let sealed = Sealed::new(&fetched, seed, SECTOR);
		sealed.replica
	})
	.await
	.expect("sealed again");
	assert_eq!(landmesh_primitives::proof::root_of(&again), charlie_root.0, "the rebuild is the replica");
	let rebuild = rebuilt.elapsed();
	let late = try_execute(&client, &chain, Sr25519Keyring::Charlie, answer_from(&second, &again)).await;
	let now = client.best_number().await.expect("best block");
	eprintln!(
		"honest seal {:.1} s; rebuild on demand {:.1} s; the retry was due by block {}, the answer came at {now}: {late:?}",
		honest_seal.as_secs_f64(),
		rebuild.as_secs_f64(),
		second.deadline
	);
	let (mut failed, mut bob_passed) = (false, false);
	watch
		.until("Charlie fails and Bob passes", Duration::from_secs(120), |e| {
			match e {
				RuntimeEvent::Audit(pallet_audit::Event::Failed { challenge, miner, slashed, .. }) if *challenge == second.id => {
					assert_eq!(*miner, charlie);
					assert!(*slashed > 0, "the failure is slashed");
					failed = true
				},
				RuntimeEvent::Audit(pallet_audit::Event::Passed { miner, .. }) if *miner == bob => bob_passed = true,
				RuntimeEvent::Audit(pallet_audit::Event::Failed { miner, .. }) if *miner == bob => panic!("Bob failed: {e:?}"),
				_ => {},
			}
			failed && bob_passed
		})
		.await;
	assert!(late.is_err(), "the rebuilt answer came after the deadline");
	let after: Vec<AssignmentView> = client.call("landmesh_assignments", vec![json!(charlie), Value::Null]).await.expect("RPC");
	assert!(after.iter().all(|a| a.order != order), "Charlie lost the replica");
	bob_node.stop();
	alice.stop();
}
