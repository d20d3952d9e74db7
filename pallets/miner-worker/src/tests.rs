//! The worker signs and submits what the node hands over, once, with the miner key, and
//! reports each era's served bytes once, inside the era.

use crate::{mock::*, MinerTask, Receipt, OUTBOX_KEY, RECEIPTS_KEY};
use codec::{Decode, Encode};
use landmesh_primitives::proof::ChunkProof;
use polkadot_sdk::{
	frame_support::traits::Hooks,
	sp_core::sr25519,
	sp_runtime::{generic::Preamble, offchain::storage::StorageValueRef, traits::Verify},
};

fn proof(byte: u8) -> ChunkProof {
	ChunkProof { chunk: vec![byte; 7].try_into().unwrap(), siblings: vec![[byte; 32]].try_into().unwrap() }
}

fn hand_over(tasks: &[MinerTask]) {
	StorageValueRef::persistent(OUTBOX_KEY).set(&tasks.to_vec());
}

fn outbox() -> Option<Vec<MinerTask>> {
	StorageValueRef::persistent(OUTBOX_KEY).get().expect("decodable")
}

/// What the node's gateway collected in `era`: one receipt of `bytes`.
fn collected(era: u32, bytes: u64) -> Vec<Receipt> {
	let receipt = Receipt {
		client: polkadot_sdk::sp_runtime::AccountId32::new([7; 32]),
		era,
		bytes,
		signature: polkadot_sdk::sp_runtime::MultiSignature::Sr25519(sr25519::Signature::from_raw([1; 64])),
	};
	StorageValueRef::persistent(RECEIPTS_KEY).set(&(era, vec![receipt.clone()]));
	vec![receipt]
}

/// The tasks in the pool, checking each is signed by `key` over its call.
fn sent(pool: &parking_lot::RwLock<polkadot_sdk::sp_core::offchain::testing::PoolState>, key: sr25519::Public) -> Vec<MinerTask> {
	sent_with_nonces(pool, key).into_iter().map(|(task, _)| task).collect()
}

/// [`sent`], with each transaction's nonce.
fn sent_with_nonces(
	pool: &parking_lot::RwLock<polkadot_sdk::sp_core::offchain::testing::PoolState>,
	key: sr25519::Public,
) -> Vec<(MinerTask, u32)> {
	let sent = std::mem::take(&mut pool.write().transactions);
	sent.iter()
		.map(|bytes| {
			let xt = Extrinsic::decode(&mut &bytes[..]).expect("an extrinsic");
			let Preamble::Signed(account, signature, nonce) = xt.preamble else { panic!("unsigned: {xt:?}") };
			assert_eq!(account, key);
			assert!(signature.verify(&xt.function.encode()[..], &key), "signed with the miner key");
			let RuntimeCall::System(polkadot_sdk::frame_system::Call::remark { remark }) = xt.function else {
				panic!("not a task: {:?}", xt.function)
			};
			(MinerTask::decode(&mut &remark[..]).expect("a task"), nonce.0)
		})
		.collect()
}

/// The state an off-chain worker runs on is its block's: a transaction it sent one block
/// ago and that is still in the pool has not moved the account's nonce. The worker must
/// not sign the next block's tasks with the same nonce (the pool would take one of the
/// two); and a nonce the chain never saw is given up after `NONCE_LIFETIME` blocks.
#[test]
fn consecutive_blocks_sign_with_nonces_that_do_not_collide() {
	use polkadot_sdk::frame_system;
	let (mut ext, pool, key) = offchain_ext(Some("//Alice"));
	let key = key.unwrap();
	ext.execute_with(|| {
		hand_over(&[MinerTask::Confirm { order: 1, proof: proof(1), seal: Vec::new() }, MinerTask::Confirm { order: 2, proof: proof(2), seal: Vec::new() }]);
		MinerWorker::offchain_worker(1);
		let nonces: Vec<u32> = sent_with_nonces(&pool, key).into_iter().map(|(_, n)| n).collect();
		assert_eq!(nonces, vec![0, 1]);
		// Block 2's state: neither transaction is in yet (what an off-chain worker wrote
		// to state was never persisted).
		frame_system::Account::<Test>::remove(key);
		hand_over(&[MinerTask::Answer { challenge: 9, proofs: vec![proof(3)] }]);
		MinerWorker::offchain_worker(2);
		let nonces: Vec<u32> = sent_with_nonces(&pool, key).into_iter().map(|(_, n)| n).collect();
		assert_eq!(nonces, vec![2], "the next nonce, not the state's 0 again");
		// Many blocks later the chain has still seen none of them: they were dropped, and
		// the state's nonce is used again rather than leaving a gap forever.
		frame_system::Account::<Test>::remove(key);
		hand_over(&[MinerTask::Answer { challenge: 10, proofs: vec![proof(4)] }]);
		MinerWorker::offchain_worker(2 + u64::from(crate::NONCE_LIFETIME));
		let nonces: Vec<u32> = sent_with_nonces(&pool, key).into_iter().map(|(_, n)| n).collect();
		assert_eq!(nonces, vec![0]);
	});
}

#[test]
fn the_outbox_is_signed_with_the_miner_key_and_sent_once() {
	let (mut ext, pool, key) = offchain_ext(Some("//Alice"));
	let key = key.unwrap();
	ext.execute_with(|| {
		let tasks = vec![
			MinerTask::Confirm { order: 7, proof: proof(1), seal: Vec::new() },
			MinerTask::Answer { challenge: 3, proofs: vec![proof(2), proof(3)] },
		];
		hand_over(&tasks);
		MinerWorker::offchain_worker(1);
		assert_eq!(sent(&pool, key), tasks);
		assert_eq!(outbox(), Some(vec![]), "the outbox is emptied");

		MinerWorker::offchain_worker(2);
		assert_eq!(sent(&pool, key), vec![], "nothing is sent twice");
	});
}

#[test]
fn a_node_without_a_miner_key_sends_nothing_and_keeps_its_outbox() {
	let (mut ext, pool, _) = offchain_ext(None);
	ext.execute_with(|| {
		let tasks = vec![MinerTask::Confirm { order: 1, proof: proof(1), seal: Vec::new() }];
		hand_over(&tasks);
		collected(0, 1_000);
		MinerWorker::offchain_worker(95);
		assert!(pool.read().transactions.is_empty());
		assert_eq!(outbox(), Some(tasks));
	});
}

#[test]
fn a_task_no_call_can_carry_is_dropped_and_the_rest_sent() {
	let (mut ext, pool, key) = offchain_ext(Some("//Bob"));
	let key = key.unwrap();
	ext.execute_with(|| {
		let too_many = MinerTask::Answer { challenge: 1, proofs: vec![proof(1); 5] };
		let fine = MinerTask::Confirm { order: 2, proof: proof(2), seal: Vec::new() };
		hand_over(&[too_many, fine.clone()]);
		MinerWorker::offchain_worker(1);
		assert_eq!(sent(&pool, key), vec![fine]);
		assert_eq!(outbox(), Some(vec![]));
	});
}

#[test]
fn an_undecodable_outbox_is_dropped() {
	let (mut ext, pool, key) = offchain_ext(Some("//Alice"));
	let key = key.unwrap();
	ext.execute_with(|| {
		StorageValueRef::persistent(OUTBOX_KEY).set(&vec![0xffu8; 3]);
		MinerWorker::offchain_worker(1);
		assert_eq!(sent(&pool, key), vec![]);
		assert_eq!(outbox(), Some(vec![]), "replaced by an empty outbox");
	});
}

/// Receipts of two clients in `era`: `(client byte, bytes)`.
fn collected_of(era: u32, clients: &[(u8, u64)]) -> Vec<Receipt> {
	let receipts: Vec<Receipt> = clients
		.iter()
		.map(|(c, bytes)| Receipt {
			client: polkadot_sdk::sp_runtime::AccountId32::new([*c; 32]),
			era,
			bytes: *bytes,
			signature: polkadot_sdk::sp_runtime::MultiSignature::Sr25519(sr25519::Signature::from_raw([1; 64])),
		})
		.collect();
	StorageValueRef::persistent(RECEIPTS_KEY).set(&(era, receipts.clone()));
	receipts
}

#[test]
fn receipts_that_grew_are_reported_at_most_once_per_interval() {
	let (mut ext, pool, key) = offchain_ext(Some("//Alice"));
	let key = key.unwrap();
	ext.execute_with(|| {
		// Nothing is reported before the node collected receipts.
		MinerWorker::offchain_worker(91);
		assert_eq!(sent(&pool, key), vec![]);

		// Era 1 (blocks 100..200).
		let receipts = collected_of(1, &[(1, 3_000), (2, 500)]);
		MinerWorker::offchain_worker(150);
		assert_eq!(sent(&pool, key), vec![MinerTask::ReportServed { era: 1, receipts }]);
		MinerWorker::offchain_worker(151);
		assert_eq!(sent(&pool, key), vec![], "unchanged: not again");
		let grown = collected_of(1, &[(1, 4_000), (2, 500)]);
		MinerWorker::offchain_worker(155);
		assert_eq!(sent(&pool, key), vec![], "grown, but within the interval");
		MinerWorker::offchain_worker(150 + WINDOW);
		assert_eq!(
			sent(&pool, key),
			vec![MinerTask::ReportServed { era: 1, receipts: grown[..1].to_vec() }],
			"only the receipt that grew"
		);

		// The very last block of an era is too late; receipts of an era gone by are not
		// reported in the next.
		collected_of(1, &[(1, 5_000)]);
		MinerWorker::offchain_worker(199);
		assert_eq!(sent(&pool, key), vec![]);
		MinerWorker::offchain_worker(200);
		assert_eq!(sent(&pool, key), vec![]);
		let receipts = collected_of(2, &[(1, 10)]);
		MinerWorker::offchain_worker(201);
		assert_eq!(sent(&pool, key), vec![MinerTask::ReportServed { era: 2, receipts: receipts.clone() }]);
		// Nothing grows: after RESEND_AFTER_INTERVALS intervals everything goes again (the
		// last report may have been dropped).
		MinerWorker::offchain_worker(201 + WINDOW);
		assert_eq!(sent(&pool, key), vec![]);
		MinerWorker::offchain_worker(201 + WINDOW * crate::RESEND_AFTER_INTERVALS);
		assert_eq!(sent(&pool, key), vec![MinerTask::ReportServed { era: 2, receipts }]);
	});
}

#[test]
fn outbox_tasks_and_the_report_go_out_together() {
	let (mut ext, pool, key) = offchain_ext(Some("//Alice"));
	let key = key.unwrap();
	ext.execute_with(|| {
		let receipts = collected(0, 10);
		let confirm = MinerTask::Confirm { order: 9, proof: proof(9), seal: Vec::new() };
		hand_over(&[confirm.clone()]);
		MinerWorker::offchain_worker(95);
		assert_eq!(sent(&pool, key), vec![confirm, MinerTask::ReportServed { era: 0, receipts }]);
	});
}
