//! Unit tests for every call and error path, assignment, payment and repair.

use crate::{mock::*, Error, Event, MinerReplicas, NextOrderId, Orders, PendingAssignments};
use landmesh_primitives::{
	proof::prove,
	replica::{replica_seed, SealDraw, SealRoots, Sealed},
	ContentId,
};
use pallet_miners::Endpoints;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		storage::{with_transaction, TransactionOutcome},
		traits::{fungible::InspectHold, Hooks},
	},
	sp_runtime::{DispatchError, TokenError},
};

const OWNER: u64 = 1;

fn content() -> Vec<u8> {
	(0..3000u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn content_id(bytes: &[u8]) -> ContentId {
	ContentId(landmesh_primitives::proof::root_of(bytes))
}

fn register(miner: u64, capacity: u64, region: &str) {
	let b = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = Endpoints { peer_id: b("peer"), multiaddrs: Default::default(), gateway: b("http://gw"), region: b(region) };
	assert_ok!(Miners::register(RuntimeOrigin::signed(miner), capacity, endpoints));
}

fn committed(miner: u64) -> u64 {
	pallet_miners::Miners::<Test>::get(miner).map_or(0, |m| m.committed)
}

fn escrow_held(who: u64) -> u64 {
	Balances::balance_on_hold(&crate::HoldReason::StorageEscrow.into(), &who)
}

fn holders(order: u64) -> Vec<u64> {
	Orders::<Test>::get(order).map(|o| o.holders.iter().map(|r| r.miner).collect()).unwrap_or_default()
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Storage(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Miners 11 and 12 in `eu`, 13 in `us`, each with 10 000 bytes; then the test; then the
/// invariants of both pallets.
fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		register(11, 10_000, "eu");
		register(12, 10_000, "eu");
		register(13, 10_000, "us");
		test();
		Storage::do_try_state().expect("storage invariants hold");
		Miners::do_try_state().expect("miner invariants hold");
	});
}

/// Moves to the next block, where the miners for the last block's requests are drawn.
fn next_block() {
	let n = System::block_number() + 1;
	System::set_block_number(n);
	Storage::on_initialize(n);
}

/// Places an order and moves to the next block, where its miners are drawn.
fn place(size: u64, replicas: u32, periods: u32) -> u64 {
	let order = NextOrderId::<Test>::get();
	assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), size, replicas, periods));
	assert!(holders(order).is_empty(), "miners are drawn in the next block");
	next_block();
	order
}

#[test]
fn place_order_holds_the_price_and_books_distinct_miners_across_regions() {
	run(|| {
		let order = place(3000, 2, 4);
		let cost = 3000 * 2 * 4 * PRICE;
		assert_eq!(escrow_held(OWNER), cost);
		let chosen = holders(order);
		assert_eq!(chosen.len(), 2);
		assert_ne!(chosen[0], chosen[1]);
		assert!(chosen.contains(&13), "the only `us` miner is always used with R = 2: {chosen:?}");
		for m in &chosen {
			assert_eq!(committed(*m), 3000);
			assert!(MinerReplicas::<Test>::contains_key(m, order));
		}
		assert!(events().contains(&Event::OrderPlaced {
			order,
			owner: OWNER,
			content_id: content_id(&content()),
			size: 3000,
			replicas: 2,
			end: 1 + 4 * PERIOD,
			cost,
		}));
	});
}

#[test]
fn assignment_spreads_over_regions_and_follows_randomness() {
	run(|| {
		let mut seen = std::collections::BTreeSet::new();
		for n in 0..6 {
			System::set_block_number(1 + n);
			let order = place(100, 2, 1);
			let chosen = holders(order);
			assert!(chosen.contains(&13), "one replica in `us`, one in `eu`: {chosen:?}");
			seen.extend(chosen);
		}
		assert!(seen.contains(&11) && seen.contains(&12), "both `eu` miners are drawn over several orders");
	});
}

#[test]
fn place_order_errors() {
	run(|| {
		let id = content_id(&content());
		let place = |size, replicas, periods| Storage::place_order(RuntimeOrigin::signed(OWNER), id, size, replicas, periods);
		assert_noop!(place(0, 1, 1), Error::<Test>::EmptyContent);
		assert_noop!(place((1 << 30) + 1, 1, 1), Error::<Test>::ContentTooLarge);
		assert_noop!(place(100, 0, 1), Error::<Test>::BadReplicaCount);
		assert_noop!(place(100, MAX_REPLICAS + 1, 1), Error::<Test>::BadReplicaCount);
		assert_noop!(place(100, 1, 0), Error::<Test>::ZeroPeriods);
		assert_noop!(place(1 << 30, 3, u32::MAX), Error::<Test>::Overflow);
		assert_noop!(place(20_000, 1, 1), Error::<Test>::NotEnoughMiners);
		assert_noop!(
			Storage::place_order(RuntimeOrigin::signed(99), id, 100, 1, 1),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

#[test]
fn orders_in_one_block_never_over_commit_a_miner() {
	run(|| {
		// Each miner has room for one 6000-byte replica; four orders in one block are all
		// accepted (each saw room), and when they are drawn the fourth runs short.
		let first = NextOrderId::<Test>::get();
		for _ in 0..4 {
			assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), 6000, 1, 1));
		}
		next_block();
		assert_eq!((committed(11), committed(12), committed(13)), (6000, 6000, 6000));
		assert!(holders(first + 3).is_empty());
		assert!(events().contains(&Event::ReplicaUnplaced { order: first + 3 }));
		// Now nobody has room: refused at once.
		assert_noop!(
			Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), 6000, 1, 1),
			Error::<Test>::NotEnoughMiners
		);
	});
}

/// Griefing (issue 15): `settle` on a short order asks for miners; called again and again
/// in one block, it could fill the queue so that nobody can place an order. Must hold: an
/// order waits once, however often it is asked for.
#[test]
fn an_order_waits_for_miners_once_however_often_it_is_settled() {
	run(|| {
		let order = place(1000, 3, 2);
		assert_ok!(Miners::exit(RuntimeOrigin::signed(11)));
		assert_ok!(Storage::evacuate(RuntimeOrigin::signed(5), order, 11));
		for _ in 0..2 * MAX_ASSIGNMENTS {
			assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		}
		assert_eq!(PendingAssignments::<Test>::get().len(), 1);
		assert_eq!(PendingAssignments::<Test>::get()[0].1.to_vec(), vec![11], "the dropped miner stays excluded");
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), 100, 1, 1));
	});
}

#[test]
fn at_most_max_assignments_wait_per_block() {
	run(|| {
		let id = content_id(&content());
		for _ in 0..MAX_ASSIGNMENTS {
			assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, 100, 1, 1));
		}
		assert_noop!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, 100, 1, 1), Error::<Test>::AssignmentsFull);
		next_block();
		assert!(PendingAssignments::<Test>::get().is_empty());
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, 100, 1, 1));
	});
}

/// A 32-byte value from a xorshift generator: the "VRF outputs" of the blocks to come.
fn next_vrf(state: &mut u64) -> [u8; 32] {
	let mut out = [0u8; 32];
	for word in out.chunks_mut(8) {
		*state ^= *state << 13;
		*state ^= *state >> 7;
		*state ^= *state << 17;
		word.copy_from_slice(&state.to_le_bytes());
	}
	out
}

/// Attack (issue 15, steering the assignment): an owner that also runs miner 11 wants its
/// orders kept by 11 (paid to itself, or the only copy of something in its hands). It knows
/// the randomness of the block before the one its order lands in, so it simulates the
/// order with it and places the order only when the simulation puts the replica on 11.
/// Must hold: the miners are drawn with the randomness of a later block, which the owner
/// could not know, so its choice is no better than chance (11 has a third of the room).
#[test]
fn an_owner_cannot_steer_its_order_onto_a_chosen_miner() {
	run(|| {
		let mut vrf = 0x5eed_u64;
		let (mut placed, mut landed) = (0u32, 0u32);
		for _ in 0..90 {
			ParentVrf::set(next_vrf(&mut vrf));
			let predicted = with_transaction(|| {
				let order = place(100, 1, 1);
				TransactionOutcome::Rollback(Ok::<_, DispatchError>(holders(order)))
			})
			.unwrap();
			if predicted != vec![11] {
				next_block();
				continue;
			}
			let order = NextOrderId::<Test>::get();
			assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), 100, 1, 1));
			ParentVrf::set(next_vrf(&mut vrf));
			next_block();
			placed += 1;
			landed += (holders(order) == vec![11]) as u32;
			assert_ok!(Storage::cancel(RuntimeOrigin::signed(OWNER), order));
		}
		eprintln!("the owner placed {placed} orders its simulation put on 11; {landed} landed there");
		assert!(placed >= 15, "the simulation chose 11 only {placed} times");
		assert!(landed * 10 <= placed * 6, "the owner steered {landed} of {placed} orders onto its miner");
	});
}

/// The seal proof of `miner`'s replica of `order` (committed at `committed_at`) from
/// `sealed`, and the content's last chunk.
fn seal_answers(order: u64, miner: u64, committed_at: u64, sealed: &Sealed, bytes: &[u8]) -> Vec<SealDraw> {
	mark_block(committed_at + 1);
	let o = Orders::<Test>::get(order).unwrap();
	let draws = Storage::seal_draws(order, &miner, &o, committed_at).expect("drawn");
	draws.into_iter().map(|d| sealed.answer(bytes, d).unwrap()).collect()
}

/// Gives block `n` a hash, as a real block has (mock blocks have none).
fn mark_block(n: u64) {
	polkadot_sdk::frame_system::BlockHash::<Test>::insert(n, polkadot_sdk::sp_core::H256::repeat_byte(n as u8 | 1));
}

fn bounded(draws: Vec<SealDraw>) -> polkadot_sdk::frame_support::BoundedVec<SealDraw, polkadot_sdk::frame_support::traits::ConstU32<SEAL_DRAWS>> {
	draws.try_into().unwrap()
}

#[test]
fn confirm_with_the_seal_proof_and_the_last_chunk() {
	run(|| {
		let bytes = content();
		let order = place(3000, 2, 2);
		let miner = holders(order)[0];
		let id = content_id(&bytes);
		let sealed = Sealed::new(&bytes, replica_seed(&miner, order, &id), SECTOR_SIZE);
		let last = prove(&bytes, 2).unwrap();
		let none = || bounded(Vec::new());
		assert_noop!(Storage::confirm(RuntimeOrigin::signed(miner), order, last.clone(), none()), Error::<Test>::NotCommitted);
		let outsider = [11, 12, 13].into_iter().find(|m| !holders(order).contains(m)).unwrap();
		assert_noop!(Storage::commit_replica(RuntimeOrigin::signed(outsider), order, sealed.roots), Error::<Test>::NotHolder);
		assert_ok!(Storage::commit_replica(RuntimeOrigin::signed(miner), order, sealed.roots));
		assert!(events().contains(&Event::ReplicaCommitted { order, miner, roots: sealed.roots }));
		assert_noop!(Storage::commit_replica(RuntimeOrigin::signed(miner), order, sealed.roots), Error::<Test>::AlreadyCommitted);
		// The draws read the hash of the block after the commit: not before it exists.
		let committed_at = System::block_number();
		System::set_block_number(committed_at + 1);
		assert_noop!(Storage::confirm(RuntimeOrigin::signed(miner), order, last.clone(), none()), Error::<Test>::SealNotReady);
		System::set_block_number(committed_at + 2);
		// Nor while the chain knows no hash for it (a forgotten hash would make the draws
		// known in advance).
		assert_noop!(Storage::confirm(RuntimeOrigin::signed(miner), order, last.clone(), none()), Error::<Test>::SealNotReady);
		let answers = seal_answers(order, miner, committed_at, &sealed, &bytes);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(miner), order, last.clone(), bounded(answers[1..].to_vec())),
			Error::<Test>::WrongSealCount
		);
		let mut swapped = answers.clone();
		swapped.swap(0, 1);
		assert!(Storage::confirm(RuntimeOrigin::signed(miner), order, last.clone(), bounded(swapped)).is_err(), "answers out of order");
		// Wrong last chunk (the first is longer), a proof of other content, too shallow.
		let with = |last| Storage::confirm(RuntimeOrigin::signed(miner), order, last, bounded(answers.clone()));
		assert_noop!(with(prove(&bytes, 0).unwrap()), Error::<Test>::ProofWrongLength);
		let other: Vec<u8> = bytes.iter().map(|b| b ^ 1).collect();
		assert_noop!(with(prove(&other, 2).unwrap()), Error::<Test>::ProofMismatch);
		let mut shallow = last.clone();
		shallow.siblings.pop();
		assert_noop!(with(shallow), Error::<Test>::ProofWrongDepth);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(outsider), order, last.clone(), bounded(answers.clone())),
			Error::<Test>::NotHolder
		);
		assert_ok!(with(last.clone()));
		assert!(events().contains(&Event::ReplicaConfirmed { order, miner }));
		assert_noop!(with(last.clone()), Error::<Test>::AlreadyConfirmed);
		assert_noop!(Storage::confirm(RuntimeOrigin::signed(miner), 77, last, none()), Error::<Test>::UnknownOrder);
		// Challenges are drawn on the sealed replica, not on the public content.
		use crate::ReplicaRegistry;
		assert_eq!(<Storage as ReplicaRegistry<u64>>::confirmed_at(0).map(|(_, _, root, _)| root), Some(sealed.roots.replica));
	});
}

/// Attack (the review of the first version): a miner commits, then waits until the chain
/// has forgotten the hash its draws are made from, so that they are known in advance and a
/// replica sealed only at those places passes. Must hold: a seal proof after
/// `ConfirmDeadline` is refused (the chain keeps hashes longer than that), and so is one
/// whose draw hash is unknown.
#[test]
fn a_seal_proof_past_the_deadline_or_without_its_draw_hash_is_refused() {
	run(|| {
		let bytes = content();
		let order = place(3000, 1, 50);
		let miner = holders(order)[0];
		let id = content_id(&bytes);
		let sealed = Sealed::new(&bytes, replica_seed(&miner, order, &id), SECTOR_SIZE);
		assert_ok!(Storage::commit_replica(RuntimeOrigin::signed(miner), order, sealed.roots));
		let committed_at = System::block_number();
		System::set_block_number(committed_at + 2);
		let answers = seal_answers(order, miner, committed_at, &sealed, &bytes);
		let assigned_at = Orders::<Test>::get(order).unwrap().holders[0].assigned_at;
		System::set_block_number(assigned_at + CONFIRM_DEADLINE + 1);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(miner), order, prove(&bytes, 2).unwrap(), bounded(answers.clone())),
			Error::<Test>::ConfirmTooLate
		);
		// In time, but with the draw's hash forgotten: no draws.
		System::set_block_number(assigned_at + CONFIRM_DEADLINE);
		polkadot_sdk::frame_system::BlockHash::<Test>::remove(committed_at + 1);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(miner), order, prove(&bytes, 2).unwrap(), bounded(answers.clone())),
			Error::<Test>::SealNotReady
		);
		mark_block(committed_at + 1);
		assert_ok!(Storage::confirm(RuntimeOrigin::signed(miner), order, prove(&bytes, 2).unwrap(), bounded(answers)));
	});
}

/// Attack (the review): a content of a few bytes, its replica committed with the one label
/// that covers them left out of the chain (so that the replica is the plain content).
/// Must hold: mask draws fall only on labels that cover the content's bytes, so the
/// broken label is drawn every time.
#[test]
fn the_mask_draws_fall_on_the_labels_that_cover_the_content() {
	let layout = landmesh_primitives::replica::Layout::new(40, SECTOR_SIZE);
	for i in 0..200u32 {
		let (_, mask) = layout.draw(&polkadot_sdk::sp_io::hashing::blake2_256(&i.to_le_bytes()));
		assert!((layout.mask_start()..layout.mask_start() + 2).contains(&mask), "label {mask}");
	}
}

/// Attack: a miner that keeps nothing commits the content itself as its "replica" (so
/// that any gateway answers its challenges), or a chain of labels it never derived
/// (zeros: nothing to redo when challenged). Must hold: neither is ever confirmed, so
/// neither is paid or counted.
#[test]
fn a_replica_that_is_not_sealed_is_never_confirmed() {
	run(|| {
		let bytes = content();
		let order = place(3000, 2, 2);
		let [a, b] = [holders(order)[0], holders(order)[1]];
		let id = content_id(&bytes);
		let seed_a = replica_seed(&a, order, &id);
		// Plain: the honest chain, but the content committed as the replica.
		let plain = Sealed { replica: bytes.clone(), roots: SealRoots { replica: id, ..Sealed::new(&bytes, seed_a, SECTOR_SIZE).roots }, ..Sealed::new(&bytes, seed_a, SECTOR_SIZE) };
		assert_ok!(Storage::commit_replica(RuntimeOrigin::signed(a), order, plain.roots));
		let committed_at = System::block_number();
		System::set_block_number(committed_at + 2);
		let answers = seal_answers(order, a, committed_at, &plain, &bytes);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(a), order, prove(&bytes, 2).unwrap(), bounded(answers)),
			Error::<Test>::NotSealed
		);
		// Cheap: zeros for a chain, the replica sealed with them.
		let zeros = vec![0u8; plain.chain.len()];
		let mask = &zeros[(plain.layout.prefix * 1024) as usize..];
		let replica = landmesh_primitives::replica::seal_chunk(&bytes, mask);
		let roots = SealRoots { labels: content_id(&zeros), replica: content_id(&replica) };
		let cheap = Sealed { chain: zeros.clone(), replica, roots, seed: replica_seed(&b, order, &id), layout: plain.layout };
		assert_ok!(Storage::commit_replica(RuntimeOrigin::signed(b), order, roots));
		let committed_at = System::block_number();
		System::set_block_number(committed_at + 2);
		let answers = seal_answers(order, b, committed_at, &cheap, &bytes);
		assert_noop!(
			Storage::confirm(RuntimeOrigin::signed(b), order, prove(&bytes, 2).unwrap(), bounded(answers)),
			Error::<Test>::SealBroken
		);
		assert!(Orders::<Test>::get(order).unwrap().holders.iter().all(|r| !r.confirmed));
	});
}

/// Attack: two miner accounts keep one disk, so the second answers with the first's
/// replica (its roots, its seal proof). Must hold: a replica is sealed for its miner and
/// order; the second account's seal check refuses the first's, so one copy is never
/// confirmed (or paid) as two.
#[test]
fn one_sealed_replica_is_not_confirmed_for_two_miners() {
	run(|| {
		let bytes = content();
		let order = place(3000, 2, 2);
		let [a, b] = [holders(order)[0], holders(order)[1]];
		assert_ok!(seal_and_confirm(a, order, &bytes));
		let a_roots = Orders::<Test>::get(order).unwrap().holders[0].seal.unwrap().0;
		let a_sealed = Sealed::new(&bytes, replica_seed(&a, order, &content_id(&bytes)), SECTOR_SIZE);
		assert_eq!(a_roots, a_sealed.roots);
		assert_ok!(Storage::commit_replica(RuntimeOrigin::signed(b), order, a_roots));
		let committed_at = System::block_number();
		System::set_block_number(committed_at + 2);
		// b's draws, answered from a's replica and chain: its labels are not b's (their
		// parents are other labels, so the proofs name the wrong chunks, or the labels are
		// not derived from them).
		let answers = seal_answers(order, b, committed_at, &a_sealed, &bytes);
		let refused = Storage::confirm(RuntimeOrigin::signed(b), order, prove(&bytes, 2).unwrap(), bounded(answers));
		assert!(
			[Error::<Test>::SealProofMismatch, Error::<Test>::SealBroken].into_iter().any(|e| refused == Err(e.into())),
			"{refused:?}"
		);
		let confirmed: Vec<u64> = Orders::<Test>::get(order).unwrap().holders.iter().filter(|r| r.confirmed).map(|r| r.miner).collect();
		assert_eq!(confirmed, vec![a]);
	});
}

#[test]
fn confirmed_replicas_are_paid_per_period_and_the_rest_is_refunded_at_the_end() {
	run(|| {
		let bytes = content();
		let order = place(3000, 2, 3);
		let (paid, idle) = (holders(order)[0], holders(order)[1]);
		assert_ok!(seal_and_confirm(paid, order, &bytes));
		let (paid_before, idle_before, owner_before) =
			(Balances::free_balance(paid), Balances::free_balance(idle), Balances::free_balance(OWNER));
		let per_period = 3000 * PRICE;
		// Two periods later: the confirmed miner gets two periods' pay; the other nothing.
		System::set_block_number(1 + 2 * PERIOD + 3);
		assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		assert_eq!(Balances::free_balance(paid), paid_before + 2 * per_period);
		assert_eq!(Balances::free_balance(idle), idle_before);
		assert_eq!(escrow_held(OWNER), 3000 * 2 * 3 * PRICE - 2 * per_period);
		// Settling again in the same period pays nothing more.
		assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		assert_eq!(Balances::free_balance(paid), paid_before + 2 * per_period);
		// At the end: the last period is paid, the order closed, the rest refunded.
		System::set_block_number(1 + 3 * PERIOD);
		assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		assert_eq!(Balances::free_balance(paid), paid_before + 3 * per_period);
		let refund = 3000 * 2 * 3 * PRICE - 3 * per_period;
		assert!(events().contains(&Event::Closed { order, refund }));
		assert_eq!(Balances::free_balance(OWNER), owner_before + refund);
		assert_eq!(escrow_held(OWNER), 0);
		assert!(Orders::<Test>::get(order).is_none());
		assert_eq!((committed(paid), committed(idle)), (0, 0));
		assert_noop!(Storage::settle(RuntimeOrigin::signed(5), order), Error::<Test>::UnknownOrder);
	});
}

#[test]
fn renew_and_cancel() {
	run(|| {
		let order = place(1000, 1, 1);
		assert_noop!(Storage::renew(RuntimeOrigin::signed(2), order, 1), Error::<Test>::NotOwner);
		assert_noop!(Storage::renew(RuntimeOrigin::signed(OWNER), order, 0), Error::<Test>::ZeroPeriods);
		assert_ok!(Storage::renew(RuntimeOrigin::signed(OWNER), order, 2));
		assert_eq!(Orders::<Test>::get(order).unwrap().end, 1 + 3 * PERIOD);
		assert_eq!(escrow_held(OWNER), 1000 * 3 * PRICE);
		assert_noop!(Storage::cancel(RuntimeOrigin::signed(2), order), Error::<Test>::NotOwner);
		let before = Balances::free_balance(OWNER);
		let miner = holders(order)[0];
		assert_ok!(Storage::cancel(RuntimeOrigin::signed(OWNER), order));
		// Nothing was confirmed, so nothing was paid: everything comes back.
		assert_eq!(Balances::free_balance(OWNER), before + 1000 * 3 * PRICE);
		assert_eq!(committed(miner), 0);
		// An ended order takes no change.
		let placed_at = System::block_number();
		let order = place(1000, 1, 1);
		System::set_block_number(placed_at + PERIOD);
		assert_noop!(Storage::renew(RuntimeOrigin::signed(OWNER), order, 1), Error::<Test>::OrderEnded);
	});
}

#[test]
fn a_lost_replica_is_repaired_on_another_miner() {
	run(|| {
		let order = place(1000, 2, 2);
		let before = holders(order);
		let third = [11, 12, 13].into_iter().find(|m| !before.contains(m)).unwrap();
		assert_ok!(Storage::replica_lost(order, &before[0]));
		assert_eq!(holders(order), vec![before[1]]);
		next_block();
		let after = holders(order);
		assert_eq!(after, vec![before[1], third]);
		assert_eq!(committed(before[0]), 0);
		assert_eq!(committed(third), 1000);
		assert!(events().contains(&Event::ReplicaDropped { order, miner: before[0] }));
		assert!(events().contains(&Event::ReplicaAssigned { order, miner: third }));
		assert_noop!(Storage::replica_lost(order, &before[0]), Error::<Test>::NotHolder);
	});
}

#[test]
fn a_leaving_miners_replicas_are_evacuated_and_short_orders_refilled() {
	run(|| {
		let order = place(1000, 3, 2);
		assert_noop!(Storage::evacuate(RuntimeOrigin::signed(5), order, 11), Error::<Test>::MinerNotExiting);
		assert_ok!(Miners::exit(RuntimeOrigin::signed(11)));
		// No fourth miner: the replica is dropped and the order runs short.
		assert_ok!(Storage::evacuate(RuntimeOrigin::signed(5), order, 11));
		assert_eq!(holders(order).len(), 2);
		next_block();
		assert!(events().contains(&Event::ReplicaUnplaced { order }));
		// A new miner joins; `settle` fills the gap.
		register(14, 10_000, "ap");
		assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		next_block();
		assert!(holders(order).contains(&14));
		assert_eq!(holders(order).len(), 3);
	});
}

/// Griefing (issue 15): an order of content nobody has locks miners' capacity and pushes
/// out their filler. Must hold: it costs a non-refundable fee, and once `ConfirmDeadline`
/// passes with no holder able to confirm, anyone can close it: capacity back, escrow
/// refunded, no miner slashed for content it could not fetch.
#[test]
fn an_order_nobody_can_confirm_closes_at_its_deadline_without_slashing() {
	run(|| {
		let issuance = Balances::total_issuance();
		let before = Balances::free_balance(OWNER);
		let order = place(3000, 2, 4);
		assert_eq!(Balances::total_issuance(), issuance - ORDER_FEE, "the fee is burned");
		let chosen = holders(order);
		let assigned_at = System::block_number();
		let stakes: Vec<u64> = chosen.iter().map(|m| pallet_miners::Miners::<Test>::get(m).unwrap().stake).collect();
		System::set_block_number(assigned_at + CONFIRM_DEADLINE - 1);
		assert_noop!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order), Error::<Test>::NothingExpired);
		System::set_block_number(assigned_at + CONFIRM_DEADLINE);
		assert_ok!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order));
		assert!(Orders::<Test>::get(order).is_none(), "closed");
		for (m, stake) in chosen.iter().zip(stakes) {
			assert_eq!(committed(*m), 0, "capacity released");
			assert_eq!(pallet_miners::Miners::<Test>::get(m).unwrap().stake, stake, "not slashed");
			assert!(events().contains(&Event::ReplicaExpired { order, miner: *m }));
		}
		assert_eq!(Balances::free_balance(OWNER), before - ORDER_FEE, "everything but the fee comes back");
	});
}

/// A miner that never confirms a content another holder did confirm: past the deadline
/// another miner takes the replica. The late miner loses the assignment, not stake: an
/// owner colluding with a holder that never serves could otherwise have honest miners
/// slashed at every deadline.
#[test]
fn a_late_miner_is_replaced_when_the_content_was_confirmed() {
	run(|| {
		let bytes = content();
		let order = place(3000, 2, 10);
		let [on_time, late] = holders(order)[..] else { panic!("two holders") };
		assert_ok!(seal_and_confirm(on_time, order, &bytes));
		let stake = pallet_miners::Miners::<Test>::get(late).unwrap().stake;
		System::set_block_number(System::block_number() + CONFIRM_DEADLINE);
		assert_ok!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order));
		assert_eq!(pallet_miners::Miners::<Test>::get(late).unwrap().stake, stake, "not slashed");
		next_block();
		let now = holders(order);
		assert!(now.contains(&on_time) && !now.contains(&late), "{now:?}");
		assert_eq!(now.len(), 2, "the replica went to the third miner");
		assert_eq!(committed(late), 0);
		assert_noop!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order), Error::<Test>::NothingExpired);
		// The new miner is late too, the first one meanwhile lost: the content was
		// confirmed once, so the order stays open and is reassigned, not closed.
		assert_ok!(Storage::replica_lost(order, &on_time));
		next_block();
		System::set_block_number(System::block_number() + CONFIRM_DEADLINE);
		assert_ok!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order));
		assert!(Orders::<Test>::get(order).is_some(), "an order once confirmed is not closed by expiry");
	});
}

/// Free riding (issue 15): an owner cancels one block before each period ends and places
/// the order again, so that no whole period ever elapses. Must hold: the confirmed miner
/// is paid pro rata for the blocks it kept the content.
#[test]
fn cancelling_just_before_a_period_ends_pays_the_blocks_kept() {
	run(|| {
		let bytes = content();
		let order = place(3000, 1, 3);
		let miner = holders(order)[0];
		assert_ok!(seal_and_confirm(miner, order, &bytes));
		let before = Balances::free_balance(miner);
		System::set_block_number(1 + PERIOD - 1);
		assert_ok!(Storage::cancel(RuntimeOrigin::signed(OWNER), order));
		let per_period = 3000 * PRICE;
		assert_eq!(Balances::free_balance(miner), before + per_period * (PERIOD - 1) / PERIOD);
		assert!(Balances::free_balance(miner) > before, "the blocks kept are paid");
	});
}

/// The list challenges are drawn from: every confirmed replica, once, found by any of its
/// bytes, and kept dense as replicas in the middle go (the last takes their slot).
#[test]
fn confirmed_replicas_are_listed_densely_and_found_by_their_bytes() {
	run(|| {
		let prefix = |n: usize| content()[..n].to_vec();
		let mut orders = Vec::new();
		for size in [100usize, 1024, 1025, 3000, 7] {
			let bytes = prefix(size);
			let order = NextOrderId::<Test>::get();
			assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&bytes), size as u64, 1, 10));
			next_block();
			let miner = holders(order)[0];
			assert_ok!(seal_and_confirm(miner, order, &bytes));
			orders.push((order, size as u128));
		}
		// Unconfirmed replicas are not drawn.
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), content_id(&content()), 3000, 1, 10));
		next_block();
		Storage::do_try_state().expect("listed after confirmation");
		// Two in the middle go; the rest are found by their first and last bytes.
		for gone in [orders[1].0, orders[2].0] {
			assert_ok!(Storage::cancel(RuntimeOrigin::signed(OWNER), gone));
			Storage::do_try_state().expect("dense after a cancel");
		}
		let live: Vec<_> = orders.iter().filter(|(o, _)| *o != orders[1].0 && *o != orders[2].0).collect();
		assert_eq!(Storage::confirmed_bytes(), live.iter().map(|(_, size)| size).sum::<u128>());
		let mut found = std::collections::BTreeMap::new();
		let total = Storage::confirmed_bytes();
		for byte in 0..total {
			let (order, _) = Storage::confirmed_at(byte).expect("every byte is held");
			*found.entry(order).or_insert(0u128) += 1;
		}
		assert_eq!(Storage::confirmed_at(total), None, "nothing past the end");
		let expected: std::collections::BTreeMap<_, _> = live.iter().map(|(o, size)| (*o, *size)).collect();
		assert_eq!(found, expected, "each replica is found by exactly as many bytes as it has");
	});
}

/// Attack: an ended order's closing (every replica paid and taken off the challenge list)
/// is pushed onto a call priced for a few late replicas. Must hold: `expire_unconfirmed`
/// refuses an ended order and changes nothing; `settle` closes it.
#[test]
fn an_ended_order_is_closed_by_settle_only() {
	run(|| {
		let order = place(3000, 2, 1);
		let end = Orders::<Test>::get(order).unwrap().end;
		System::set_block_number(end + CONFIRM_DEADLINE);
		assert_noop!(Storage::expire_unconfirmed(RuntimeOrigin::signed(5), order), Error::<Test>::OrderEnded);
		assert_ok!(Storage::settle(RuntimeOrigin::signed(5), order));
		assert!(!Orders::<Test>::contains_key(order));
	});
}

const MODEL: u32 = 7;

fn free(who: u64) -> u64 {
	Balances::free_balance(who)
}

/// Attack and rule (storage that lives with the land): a model changes hands; its old
/// owner tries to cancel its order and take the escrow back. Must hold: the order follows
/// the model, so only the current owner cancels it and receives what is unspent, anyone
/// may top it up, and an unknown model or a stranger cannot order for it.
#[test]
fn an_order_of_a_model_follows_its_owner_and_anyone_may_top_it_up() {
	run(|| {
		set_model(MODEL, OWNER, content_id(&content()), 3000);
		assert_noop!(Storage::place_model_order(RuntimeOrigin::signed(2), MODEL, 2, 2), Error::<Test>::NotModelOwner);
		assert_noop!(Storage::place_model_order(RuntimeOrigin::signed(OWNER), 99, 2, 2), Error::<Test>::UnknownModel);
		let (order, before) = (NextOrderId::<Test>::get(), free(OWNER));
		assert_ok!(Storage::place_model_order(RuntimeOrigin::signed(OWNER), MODEL, 2, 2));
		let pot = Storage::model_escrow_account();
		let cost = 3000 * 2 * 2 * PRICE;
		let o = Orders::<Test>::get(order).unwrap();
		assert_eq!((o.model, o.owner, o.content_id, o.size), (Some(MODEL), pot, content_id(&content()), 3000));
		assert_eq!(before - free(OWNER), cost + ORDER_FEE, "the owner paid the price and the fee");
		assert_eq!((escrow_held(OWNER), escrow_held(pot)), (0, cost), "the escrow moved to the pallet's account");
		assert!(events().contains(&Event::ModelOrderPlaced { order, model: MODEL, payer: OWNER }));
		next_block();
		assert_eq!(holders(order).len(), 2);

		// Sold: the new owner controls the order; the old one no longer does.
		set_model(MODEL, 2, content_id(&content()), 3000);
		assert_noop!(Storage::cancel(RuntimeOrigin::signed(OWNER), order), Error::<Test>::NotModelOwner);
		// A stranger tops it up (and cannot cancel it).
		let top_up = 3000 * 2 * PRICE;
		assert_ok!(Storage::renew(RuntimeOrigin::signed(3), order, 1));
		assert_eq!(escrow_held(pot), cost + top_up);
		assert_noop!(Storage::cancel(RuntimeOrigin::signed(3), order), Error::<Test>::NotModelOwner);
		// Nothing was confirmed, so everything goes to the owner of the day.
		let before = free(2);
		assert_ok!(Storage::cancel(RuntimeOrigin::signed(2), order));
		assert_eq!(free(2) - before, cost + top_up);
		assert!(events().contains(&Event::ModelRefunded { order, model: MODEL, owner: 2, amount: cost + top_up }));
		assert_eq!(escrow_held(pot), 0);
		assert!(crate::OrdersByModel::<Test>::iter_prefix(MODEL).next().is_none());
	});
}

/// Burning a model ends its orders: the miners are paid for the blocks they kept, the
/// owner gets the rest; a model has at most `MaxOrdersPerModel` orders.
#[test]
fn burning_a_model_ends_its_orders_pays_the_miners_and_refunds_the_owner() {
	run(|| {
		let bytes = content();
		set_model(MODEL, OWNER, content_id(&bytes), 3000);
		let (order, placed_at) = (NextOrderId::<Test>::get(), System::block_number());
		for _ in 0..MAX_ORDERS_PER_MODEL {
			assert_ok!(Storage::place_model_order(RuntimeOrigin::signed(OWNER), MODEL, 1, 2));
		}
		assert_noop!(
			Storage::place_model_order(RuntimeOrigin::signed(OWNER), MODEL, 1, 2),
			Error::<Test>::TooManyModelOrders
		);
		next_block();
		let miner = holders(order)[0];
		assert_ok!(seal_and_confirm(miner, order, &bytes));
		for _ in 0..PERIOD / 2 {
			next_block();
		}
		let (owner_before, miner_before) = (free(OWNER), free(miner));
		assert_ok!(burn_test_model(MODEL));
		assert!(Orders::<Test>::get(order).is_none() && Orders::<Test>::get(order + 1).is_none());
		assert!(crate::OrdersByModel::<Test>::iter_prefix(MODEL).next().is_none());
		let paid = free(miner) - miner_before;
		// Paid from the order's start (its escrow pays for the blocks since), pro rata.
		let kept = System::block_number() - placed_at;
		assert!(kept < PERIOD);
		assert_eq!(paid, 3000 * PRICE * kept / PERIOD, "the miner is paid for the blocks of the period it kept");
		let placed = 3000 * 2 * PRICE;
		assert_eq!(free(OWNER) - owner_before, 2 * placed - paid, "the owner gets the rest of both orders");
		assert_eq!(escrow_held(Storage::model_escrow_account()), 0);
		assert_eq!(committed(miner), 0, "the miner's capacity is released");
	});
}

/// What a parcel buyer reads: across the orders keeping a content, replicas paid for and
/// confirmed, the block it is paid until, the last block a replica was proven.
#[test]
fn storage_status_shows_live_replicas_paid_until_and_last_proven() {
	run(|| {
		let bytes = content();
		let id = content_id(&bytes);
		assert_eq!(Storage::storage_status(&id, 3000), Default::default());
		let order = place(3000, 2, 3);
		let miner = holders(order)[0];
		assert_ok!(seal_and_confirm(miner, order, &bytes));
		use crate::ReplicaRegistry;
		<Storage as ReplicaRegistry<u64>>::replica_proven(order, &miner);
		let status = Storage::storage_status(&id, 3000);
		let end = Orders::<Test>::get(order).unwrap().end;
		assert_eq!(status.orders, vec![order]);
		assert_eq!((status.replicas, status.live_replicas), (2, 1));
		assert_eq!((status.stored_until, status.last_proven), (end, Some(System::block_number())));
		// Attack (the review): a fee buys an order of the content that no miner keeps (of
		// a wrong size, which can never be confirmed, or unconfirmed), paid far ahead, to
		// make the model look stored for years. Must hold: neither extends `stored_until`.
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, 1, 1, 40));
		let unconfirmed = place(3000, 1, 40);
		let status = Storage::storage_status(&id, 3000);
		assert_eq!(status.orders, vec![order, unconfirmed], "the wrong-size order is not this content's");
		assert_eq!((status.replicas, status.live_replicas, status.stored_until), (3, 1, end));
	});
}
