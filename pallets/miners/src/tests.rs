//! Unit tests for every call and error, the capacity ledger, and a property test of the
//! capacity accounting.

use crate::{
	mock::*, CapacityLedger, Endpoints, Error, Event, MinerStatus, SectorCommitment, SectorCount, Sectors, StoredBytes,
	Unsealed,
};
use landmesh_primitives::{filler, ContentId};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold},
	sp_runtime::{DispatchError, Perbill, TokenError},
};
use proptest::prelude::*;

fn endpoints(region: &str) -> Endpoints {
	let b = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	Endpoints {
		peer_id: b("12D3KooWPeer"),
		multiaddrs: vec![b("/ip4/127.0.0.1/tcp/4001")].try_into().unwrap(),
		gateway: b("http://127.0.0.1:8080"),
		region: b(region),
	}
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Miners(e) => Some(e),
			_ => None,
		})
		.expect("a miners event")
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&crate::HoldReason::MinerStake.into(), &who)
}

/// The root and seal links of the sector in `slot` of `who`, committed at `at`, as if the
/// miner held a sector whose drawn chunks are derived as they must be (the mock's 1 GiB
/// sectors are too big to generate; the rewards tests seal real ones).
fn seal_links(who: u64, slot: u32, at: u64, seed: [u8; 32]) -> (ContentId, Vec<filler::SectorLink>) {
	let index = Sectors::<Test>::get(who, slot).expect("a sector").index;
	filler::sparse_links(&seed, SECTOR, &Miners::seal_indices(&who, index, at)).expect("distinct chunks")
}

/// Commits a sector at the current block and seals it two blocks later.
fn commit_and_seal(who: u64) {
	let at = System::block_number();
	let slot = crate::Miners::<Test>::get(who).expect("a miner").sectors;
	assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(who), next_index(who), ContentId([0xEE; 32])));
	System::set_block_number(at + 2);
	let index = Sectors::<Test>::get(who, slot).unwrap().index;
	let (root, links) = seal_links(who, slot, at, filler::sector_seed(&who, index));
	// The miner's real commitment: the root of the sector it generated.
	Sectors::<Test>::insert(who, slot, SectorCommitment { index, root });
	assert_ok!(Miners::prove_sector(RuntimeOrigin::signed(who), slot, links.try_into().unwrap()));
	assert_eq!(last_event(), Event::SectorSealed { miner: who, sector: index });
}

fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Miners::do_try_state().expect("invariants hold");
	});
}

#[test]
fn register_holds_stake_per_tib_rounded_up() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 2 * TIB, endpoints("eu")));
		assert_eq!(last_event(), Event::Registered { miner: 1, capacity: 2 * TIB, stake: 2 * STAKE_PER_TIB });
		assert_eq!(held(1), 2 * STAKE_PER_TIB);
		// One byte more than a TiB costs one unit more (rounded up), never less.
		assert_ok!(Miners::register(RuntimeOrigin::signed(2), TIB + 1, endpoints("us")));
		assert_eq!(held(2), STAKE_PER_TIB + 1);
		assert_ok!(Miners::register(RuntimeOrigin::signed(3), MIN_CAPACITY, endpoints("us")));
		assert_eq!(held(3), MIN_STAKE, "never less than the least stake");
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.capacity, m.committed, m.status), (2 * TIB, 0, MinerStatus::Active));
		assert_eq!(m.endpoints, endpoints("eu"));
	});
}

#[test]
fn register_errors() {
	run(|| {
		assert_noop!(Miners::register(RuntimeOrigin::signed(1), 0, endpoints("eu")), Error::<Test>::ZeroCapacity);
		assert_noop!(
			Miners::register(RuntimeOrigin::signed(1), 1000 * TIB, endpoints("eu")),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")));
		assert_noop!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")), Error::<Test>::AlreadyRegistered);
		for who in 2..=5 {
			assert_ok!(Miners::register(RuntimeOrigin::signed(who), TIB, endpoints("eu")));
		}
		assert_noop!(Miners::register(RuntimeOrigin::signed(6), TIB, endpoints("eu")), Error::<Test>::TooManyMiners);
	});
}

#[test]
fn update_endpoints() {
	run(|| {
		assert_noop!(Miners::update_endpoints(RuntimeOrigin::signed(1), endpoints("eu")), Error::<Test>::NotMiner);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")));
		assert_ok!(Miners::update_endpoints(RuntimeOrigin::signed(1), endpoints("ap")));
		assert_eq!(last_event(), Event::EndpointsUpdated { miner: 1 });
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().endpoints.region.into_inner(), b"ap".to_vec());
	});
}

#[test]
fn capacity_moves_the_stake_and_never_drops_below_committed() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 2 * TIB, endpoints("eu")));
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(1), 4 * TIB));
		assert_eq!(last_event(), Event::CapacityChanged { miner: 1, capacity: 4 * TIB, stake: 4 * STAKE_PER_TIB });
		assert_eq!(held(1), 4 * STAKE_PER_TIB);
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 3 * TIB));
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), 3 * TIB - 1), Error::<Test>::BelowCommitted);
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(1), 3 * TIB));
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().stake, 3 * STAKE_PER_TIB);
		assert_eq!(held(1), 4 * STAKE_PER_TIB, "a capacity cut unbonds: the stake stays held");
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroCapacity);
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(2), TIB), Error::<Test>::NotMiner);
		assert_noop!(
			Miners::set_capacity(RuntimeOrigin::signed(1), 1000 * TIB),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

/// Attack (issue 15): raise the capacity, commit, and lower it again a block later to get
/// the stake back before anything could be checked. Must hold: a cut unbonds: the stake
/// stays held and slashable for `UnbondingPeriod`, then `withdraw_unbonded` releases it;
/// raising again re-bonds what is unbonding before holding more.
#[test]
fn a_capacity_cut_unbonds_and_stays_slashable() {
	run(|| {
		System::set_block_number(1);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 10 * TIB, endpoints("eu")));
		assert_noop!(Miners::withdraw_unbonded(RuntimeOrigin::signed(1)), Error::<Test>::NothingUnbonding);
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(1), 4 * TIB));
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.stake, m.unbonding), (4 * STAKE_PER_TIB, Some((6 * STAKE_PER_TIB, 1 + UNBONDING))));
		assert_eq!(held(1), 10 * STAKE_PER_TIB);
		assert_noop!(Miners::withdraw_unbonded(RuntimeOrigin::signed(1)), Error::<Test>::StillUnbonding);
		// A slash meanwhile takes its fraction of everything at risk, unbonding stake first.
		assert_eq!(<Miners as CapacityLedger<u64>>::slash(&1, Perbill::from_percent(10)), STAKE_PER_TIB as u128);
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.stake, m.unbonding), (4 * STAKE_PER_TIB, Some((5 * STAKE_PER_TIB, 1 + UNBONDING))));
		// Raising again takes from what unbonds first: nothing more is held.
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(1), 6 * TIB));
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.stake, m.unbonding), (6 * STAKE_PER_TIB, Some((3 * STAKE_PER_TIB, 1 + UNBONDING))));
		assert_eq!(held(1), 9 * STAKE_PER_TIB);
		System::set_block_number(1 + UNBONDING);
		let free = Balances::free_balance(1);
		assert_ok!(Miners::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(last_event(), Event::Unbonded { miner: 1, amount: 3 * STAKE_PER_TIB });
		assert_eq!(Balances::free_balance(1), free + 3 * STAKE_PER_TIB);
		assert_eq!(held(1), 6 * STAKE_PER_TIB);
		assert_noop!(Miners::withdraw_unbonded(RuntimeOrigin::signed(1)), Error::<Test>::NothingUnbonding);
	});
}

/// The byte·blocks the rewards split by: proven bytes (confirmed replicas, sectors) times
/// the blocks they were held, counted as they change and started again when taken.
#[test]
fn proven_bytes_accrue_per_block_and_are_taken_per_era() {
	run(|| {
		System::set_block_number(1);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 4 * SECTOR, endpoints("eu")));
		System::set_block_number(11);
		// A sector earns from its seal (block 13), not from its commit.
		commit_and_seal(1);
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 1000));
		System::set_block_number(21);
		// Committed but not confirmed: not proven, earns nothing.
		<Miners as CapacityLedger<u64>>::confirm(&1, 600);
		System::set_block_number(31);
		let taken = <Miners as CapacityLedger<u64>>::take_byte_blocks();
		let expected = 18 * SECTOR as u128 + 10 * 600;
		assert_eq!(taken, vec![(1, expected)]);
		System::set_block_number(32);
		assert_eq!(<Miners as CapacityLedger<u64>>::take_byte_blocks(), vec![(1, SECTOR as u128 + 600)], "started again");
		// A sector dropped stops earning at once.
		assert_ok!(Miners::drop_sectors(RuntimeOrigin::signed(1), 1));
		System::set_block_number(42);
		assert_eq!(<Miners as CapacityLedger<u64>>::take_byte_blocks(), vec![(1, 10 * 600)]);
	});
}

#[test]
fn commit_never_exceeds_free_capacity_within_a_block() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 1000, endpoints("eu")));
		// Two orders in the same block: the second sees the first's booking.
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 600));
		assert_noop!(<Miners as CapacityLedger<u64>>::commit(&1, 401), Error::<Test>::InsufficientCapacity);
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 400));
		<Miners as CapacityLedger<u64>>::release(&1, 600, false);
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().committed, 400);
		assert_noop!(<Miners as CapacityLedger<u64>>::commit(&2, 1), Error::<Test>::NotMiner);
	});
}

#[test]
fn candidates_are_active_miners_with_room() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 1000, endpoints("eu")));
		assert_ok!(Miners::register(RuntimeOrigin::signed(2), 500, endpoints("us")));
		assert_ok!(Miners::register(RuntimeOrigin::signed(3), 2000, endpoints("ap")));
		assert_ok!(Miners::exit(RuntimeOrigin::signed(3)));
		let mut found: Vec<_> = <Miners as CapacityLedger<u64>>::candidates(600).into_iter().map(|(m, free, _)| (m, free)).collect();
		found.sort();
		assert_eq!(found, vec![(1, 1000)], "2 lacks room, 3 is leaving");
		assert!(<Miners as CapacityLedger<u64>>::is_exiting(&3));
		assert!(!<Miners as CapacityLedger<u64>>::is_exiting(&1));
	});
}

#[test]
fn exit_unbond_and_withdraw() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")));
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 10));
		assert_noop!(Miners::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::NotExiting);
		assert_ok!(Miners::exit(RuntimeOrigin::signed(1)));
		assert_eq!(last_event(), Event::Exiting { miner: 1 });
		assert_noop!(Miners::exit(RuntimeOrigin::signed(1)), Error::<Test>::Exiting);
		// An exiting miner takes nothing new and cannot change its capacity.
		assert_noop!(<Miners as CapacityLedger<u64>>::commit(&1, 1), Error::<Test>::Exiting);
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), 2 * TIB), Error::<Test>::Exiting);
		assert_noop!(Miners::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::StillUnbonding);
		System::set_block_number(1 + UNBONDING);
		assert_noop!(Miners::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::ReplicasOwed);
		<Miners as CapacityLedger<u64>>::release(&1, 10, false);
		assert_ok!(Miners::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(last_event(), Event::Withdrawn { miner: 1, stake: STAKE_PER_TIB });
		assert_eq!(held(1), 0);
		assert_eq!(Balances::free_balance(1), ENDOWMENT);
		assert!(crate::Miners::<Test>::get(1).is_none());
		assert_noop!(Miners::exit(RuntimeOrigin::signed(1)), Error::<Test>::NotMiner);
		assert_noop!(Miners::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::NotMiner);
	});
}

#[test]
fn slash_burns_a_fraction_of_the_stake() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 10 * TIB, endpoints("eu")));
		let issuance = Balances::total_issuance();
		assert_eq!(<Miners as CapacityLedger<u64>>::slash(&1, Perbill::from_percent(10)), 1_000);
		assert_eq!(last_event(), Event::Slashed { miner: 1, amount: 1_000 });
		assert_eq!(held(1), 9_000);
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().stake, 9_000);
		assert_eq!(Balances::total_issuance(), issuance - 1_000, "slashed stake is burned");
		assert_eq!(<Miners as CapacityLedger<u64>>::slash(&7, Perbill::from_percent(10)), 0, "not a miner");
		// After a slash the miner leaves with what is left.
		assert_ok!(Miners::exit(RuntimeOrigin::signed(1)));
		System::set_block_number(1 + UNBONDING);
		assert_ok!(Miners::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 1_000);
	});
}

/// The derivation index `miner`'s next sector gets.
fn next_index(miner: u64) -> u32 {
	crate::Miners::<Test>::get(miner).map_or(0, |m| m.next_sector)
}

#[test]
fn sectors_fill_free_capacity_and_give_way_to_replicas() {
	run(|| {
		let root = |n: u8| ContentId([n; 32]);
		assert_noop!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), root(0)), Error::<Test>::NotMiner);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 3 * SECTOR + 10, endpoints("eu")));
		for n in 0..3 {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), root(n)));
			assert_eq!(last_event(), Event::SectorCommitted { miner: 1, sector: n as u32, root: root(n) });
		}
		assert_noop!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), root(9)), Error::<Test>::NoRoomForSector);
		// A commit handed over twice (a node resending while the first was in the pool)
		// lands once: the second names an index that is taken.
		assert_noop!(Miners::commit_sector(RuntimeOrigin::signed(1), 2, root(2)), Error::<Test>::WrongSectorIndex);
		assert_eq!(SectorCount::<Test>::get(), 3);
		// The capacity cannot go below replicas plus sectors.
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), 3 * SECTOR - 1), Error::<Test>::BelowCommitted);
		// A replica needing the room pushes the last sector out (sectors are free space).
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 11));
		assert_eq!(last_event(), Event::SectorDropped { miner: 1, sector: 2 });
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.committed, m.sectors, m.next_sector), (11, 2, 3));
		assert_eq!(Sectors::<Test>::get(1, 1), Some(SectorCommitment { index: 1, root: root(1) }));
		// Room again: the next sector gets a fresh index, never a dropped one's.
		<Miners as CapacityLedger<u64>>::release(&1, 11, false);
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), root(7)));
		assert_eq!(Sectors::<Test>::get(1, 2), Some(SectorCommitment { index: 3, root: root(7) }));
		// Giving sectors up; then the capacity can be lowered.
		assert_ok!(Miners::drop_sectors(RuntimeOrigin::signed(1), 2));
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().sectors, 1);
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(1), SECTOR));
		assert_eq!(
			<Miners as CapacityLedger<u64>>::stored_by_miner(),
			vec![(1, StoredBytes { committed: 0, confirmed: 0, filler: SECTOR })]
		);
		// Leaving drops the rest.
		assert_ok!(Miners::exit(RuntimeOrigin::signed(1)));
		assert_noop!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), root(8)), Error::<Test>::Exiting);
		System::set_block_number(1 + UNBONDING);
		assert_ok!(Miners::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(Sectors::<Test>::iter().count(), 0);
		assert_eq!(SectorCount::<Test>::get(), 0);
	});
}

#[test]
fn at_most_max_sectors_per_miner() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")));
		for n in 0..MAX_SECTORS {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([n as u8; 32])));
		}
		assert_noop!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([0; 32])), Error::<Test>::TooManySectors);
	});
}

#[test]
fn a_lost_sector_is_replaced_by_the_last_and_draws_find_the_rest() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), TIB, endpoints("eu")));
		assert_eq!(<Miners as CapacityLedger<u64>>::sector_at(0), None, "no sectors yet");
		for n in 0..4 {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([n; 32])));
		}
		// A stale report (no sector has that index) changes nothing.
		<Miners as CapacityLedger<u64>>::sector_lost(&1, 9);
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().sectors, 4);
		<Miners as CapacityLedger<u64>>::sector_lost(&1, 1);
		assert_eq!(last_event(), Event::SectorDropped { miner: 1, sector: 1 });
		assert_eq!(Sectors::<Test>::get(1, 1), Some(SectorCommitment { index: 3, root: ContentId([3; 32]) }));
		// Attack (issue 15): a miner failing two sector challenges at once, the second on
		// the last sector, which the first loss moved into another slot. Must hold: the
		// moved sector is still found by its index (its challenge stands, and is slashed),
		// and losing it drops it.
		assert!(<Miners as CapacityLedger<u64>>::has_sector(&1, 3), "the moved sector is still the miner's");
		<Miners as CapacityLedger<u64>>::sector_lost(&1, 3);
		assert_eq!(last_event(), Event::SectorDropped { miner: 1, sector: 3 });
		assert!(!<Miners as CapacityLedger<u64>>::has_sector(&1, 3));
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().sectors, 2);
		// Put back the state the draws below expect: sectors 0, 2 and a fresh one.
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([3; 32])));
		assert_eq!(<Miners as CapacityLedger<u64>>::sector_count(), 3);
		let mut drawn: Vec<u32> =
			(0..3).filter_map(|n| <Miners as CapacityLedger<u64>>::sector_at(n).map(|(_, _, s)| s.index)).collect();
		drawn.sort();
		assert_eq!(drawn, vec![0, 2, 4], "the list holds every live sector, the lost ones never");
		assert_eq!(<Miners as CapacityLedger<u64>>::sector_at(3), None, "and nothing past its end");
	});
}

#[test]
fn confirmed_bytes_follow_confirmations_and_releases() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 1000, endpoints("eu")));
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 300));
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 200));
		<Miners as CapacityLedger<u64>>::confirm(&1, 300);
		assert_eq!(
			<Miners as CapacityLedger<u64>>::stored_by_miner(),
			vec![(1, StoredBytes { committed: 500, confirmed: 300, filler: 0 })]
		);
		<Miners as CapacityLedger<u64>>::release(&1, 200, false);
		<Miners as CapacityLedger<u64>>::release(&1, 300, true);
		let m = crate::Miners::<Test>::get(1).unwrap();
		assert_eq!((m.committed, m.confirmed), (0, 0));
	});
}

#[derive(Clone, Debug)]
enum Op {
	Commit(u64),
	Confirm(u64),
	Release(u64, bool),
	SetCapacity(u64),
	CommitSector,
	DropSectors(u32),
}

/// Sizes span a few sectors, so sectors are committed and pushed out.
fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(0..5 * SECTOR).prop_map(Op::Commit),
		(0..5 * SECTOR).prop_map(Op::Confirm),
		(0..5 * SECTOR, any::<bool>()).prop_map(|(b, c)| Op::Release(b, c)),
		(0..20 * SECTOR).prop_map(Op::SetCapacity),
		Just(Op::CommitSector),
		(0u32..4).prop_map(Op::DropSectors),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(128))]

	/// Whatever the order of commitments, confirmations, releases, capacity changes and
	/// sectors, the ledger agrees with a plain model, never commits beyond capacity, keeps
	/// sectors in the free part, and holds exactly the stake.
	#[test]
	fn capacity_accounting_matches_a_model(ops in proptest::collection::vec(op(), 1..40)) {
		new_test_ext().execute_with(|| {
			let start = 10 * SECTOR;
			assert_ok!(Miners::register(RuntimeOrigin::signed(1), start, endpoints("eu")));
			let (mut capacity, mut committed, mut confirmed, mut sectors) = (start, 0u64, 0u64, 0u32);
			let room = |capacity: u64, committed: u64| ((capacity - committed) / SECTOR) as u32;
			for op in ops {
				match op {
					Op::Commit(b) => {
						let ok = <Miners as CapacityLedger<u64>>::commit(&1, b).is_ok();
						prop_assert_eq!(ok, committed + b <= capacity);
						if ok {
							committed += b;
							sectors = sectors.min(room(capacity, committed));
						}
					},
					Op::Confirm(b) => {
						<Miners as CapacityLedger<u64>>::confirm(&1, b);
						confirmed = (confirmed + b).min(committed);
					},
					Op::Release(b, was_confirmed) => {
						<Miners as CapacityLedger<u64>>::release(&1, b, was_confirmed);
						committed = committed.saturating_sub(b);
						if was_confirmed { confirmed = confirmed.saturating_sub(b); }
						confirmed = confirmed.min(committed);
					},
					Op::SetCapacity(c) => {
						let ok = Miners::set_capacity(RuntimeOrigin::signed(1), c).is_ok();
						prop_assert_eq!(ok, c >= MIN_CAPACITY && c >= committed + sectors as u64 * SECTOR);
						if ok { capacity = c; }
					},
					Op::CommitSector => {
						let ok = Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([0; 32])).is_ok();
						prop_assert_eq!(ok, sectors < MAX_SECTORS && sectors < room(capacity, committed));
						if ok { sectors += 1; }
					},
					Op::DropSectors(n) => {
						assert_ok!(Miners::drop_sectors(RuntimeOrigin::signed(1), n));
						sectors = sectors.saturating_sub(n);
					},
				}
				let m = crate::Miners::<Test>::get(1).unwrap();
				prop_assert_eq!((m.capacity, m.committed, m.confirmed, m.sectors), (capacity, committed, confirmed, sectors));
				prop_assert!(Miners::do_try_state().is_ok());
			}
			Ok(())
		})?;
	}
}

/// Registry spam (issue 15): 1-byte miners filling the `MaxMiners` seats. Must hold: a
/// capacity below `MinCapacity` is refused, and every seat holds at least `MinStake`.
#[test]
fn a_seat_in_the_registry_costs_a_minimum_capacity_and_stake() {
	run(|| {
		assert_noop!(Miners::register(RuntimeOrigin::signed(1), 1, endpoints("eu")), Error::<Test>::CapacityTooSmall);
		assert_noop!(
			Miners::register(RuntimeOrigin::signed(1), MIN_CAPACITY - 1, endpoints("eu")),
			Error::<Test>::CapacityTooSmall
		);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), MIN_CAPACITY, endpoints("eu")));
		assert!(Miners::stake_for(MIN_CAPACITY) == MIN_STAKE && STAKE_PER_TIB * MIN_CAPACITY < MIN_STAKE * TIB);
		assert_eq!(held(1), MIN_STAKE, "the least stake, though the capacity alone would need less");
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), MIN_CAPACITY - 1), Error::<Test>::CapacityTooSmall);
	});
}

/// Attack: a miner with a challenge open leaves to dodge the slash. Must hold: `withdraw`
/// and `drop_sectors` wait until the challenge closes.
#[test]
fn a_challenged_miner_cannot_leave_or_drop_sectors() {
	run(|| {
		System::set_block_number(1);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 2 * SECTOR, endpoints("eu")));
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([1; 32])));
		assert_ok!(Miners::exit(RuntimeOrigin::signed(1)));
		System::set_block_number(1 + UNBONDING);
		ChallengedMiners::set(vec![1]);
		assert_noop!(Miners::drop_sectors(RuntimeOrigin::signed(1), 1), Error::<Test>::ChallengeOpen);
		assert_noop!(Miners::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::ChallengeOpen);
		ChallengedMiners::set(vec![]);
		assert_ok!(Miners::withdraw(RuntimeOrigin::signed(1)));
	});
}

/// Attack: a miner with a fake sector under challenge has a replica assigned to itself
/// (a self-order) to push the sector out, so that the challenge is voided. Must hold: a
/// challenged miner takes no replica that would drop a sector (assignment moves on).
#[test]
fn a_challenged_miners_sectors_are_not_pushed_out() {
	run(|| {
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 2 * SECTOR, endpoints("eu")));
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([1; 32])));
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([2; 32])));
		ChallengedMiners::set(vec![1]);
		assert_noop!(<Miners as CapacityLedger<u64>>::commit(&1, 1), Error::<Test>::ChallengeOpen);
		ChallengedMiners::set(vec![]);
		assert_ok!(<Miners as CapacityLedger<u64>>::commit(&1, 1));
		assert_eq!(crate::Miners::<Test>::get(1).unwrap().sectors, 1, "unchallenged, the replica pushes one out");
	});
}

/// Attack (issue 15, filler that was never generated): a miner commits roots it made up and
/// tries to seal them. Must hold: the seal draw is unknown at commit (it reads the next
/// block's hash), so no made-up root seals; an unsealed sector takes room and earns
/// nothing; every wrong or late seal is refused with its error and changes nothing.
#[test]
fn only_sectors_derived_from_their_seed_seal_and_only_sealed_ones_earn() {
	run(|| {
		System::set_block_number(1);
		assert_ok!(Miners::register(RuntimeOrigin::signed(1), 4 * SECTOR, endpoints("eu")));
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(1), next_index(1), ContentId([1; 32])));
		assert_eq!(Unsealed::<Test>::get(1, 0), Some(1));
		let (_, links) = seal_links(1, 0, 1, filler::sector_seed(&1u64, 0));
		let bounded =
			|l: &Vec<filler::SectorLink>| -> polkadot_sdk::frame_support::BoundedVec<_, _> { l.clone().try_into().unwrap() };
		// The draw is not known in the block after the commit's.
		System::set_block_number(2);
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&links)), Error::<Test>::SealNotReady);
		System::set_block_number(3);
		// Links of a sector whose drawn chunks are real do not lead to a made-up root.
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&links)), Error::<Test>::SealProofMismatch);
		assert_noop!(
			Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&links[..1].to_vec())),
			Error::<Test>::WrongSealCount
		);
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 1, bounded(&links)), Error::<Test>::UnknownSector);
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(2), 0, bounded(&links)), Error::<Test>::NotMiner);
		// A root whose drawn chunks, predecessors and parents all lead to it, but hold bytes
		// that were never derived (one block of ones everywhere).
		let seed = filler::sector_seed(&1u64, 0);
		let drawn = Miners::seal_indices(&1, 0, 1);
		let ones = [1u8; 1024];
		let chunk = filler::chunk_of;
		let mut known: Vec<(u64, &[u8])> = drawn
			.iter()
			.flat_map(|u| filler::parents(&seed, *u).into_iter().chain([u - 1, *u]))
			.map(|i| (chunk(i), &ones[..]))
			.collect();
		known.sort_by_key(|(i, _)| *i);
		known.dedup_by_key(|(i, _)| *i);
		let (forged, proofs) = landmesh_primitives::proof::prove_sparse(SECTOR, &known).unwrap();
		let proof_of = |u: u64| proofs[known.iter().position(|(k, _)| *k == chunk(u)).unwrap()].clone();
		let other_links: Vec<_> = drawn
			.iter()
			.map(|u| filler::SectorLink {
				chunk: proof_of(*u),
				previous: proof_of(u - 1),
				parents: filler::parents(&seed, *u).map(proof_of),
			})
			.collect();
		Sectors::<Test>::insert(1, 0, SectorCommitment { index: 0, root: ContentId(forged) });
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&other_links)), Error::<Test>::SealBroken);
		// Unsealed, it earned nothing.
		System::set_block_number(1 + SEAL_DEADLINE + 1);
		assert_eq!(<Miners as CapacityLedger<u64>>::take_byte_blocks(), vec![(1, 0)]);
		// Too late: the sector can only be dropped now.
		let (root, links) = seal_links(1, 0, 1, filler::sector_seed(&1u64, 0));
		Sectors::<Test>::insert(1, 0, SectorCommitment { index: 0, root });
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&links)), Error::<Test>::SealExpired);
		assert_ok!(Miners::drop_sectors(RuntimeOrigin::signed(1), 1));
		assert_eq!(Unsealed::<Test>::get(1, 0), None, "a dropped sector leaves the unsealed list");
		// A sector sealed in time earns, and is sealed once.
		commit_and_seal(1);
		let sealed_at = System::block_number();
		let (_, links) = seal_links(1, 0, sealed_at - 2, filler::sector_seed(&1u64, 1));
		assert_noop!(Miners::prove_sector(RuntimeOrigin::signed(1), 0, bounded(&links)), Error::<Test>::AlreadySealed);
		System::set_block_number(sealed_at + 5);
		assert_eq!(<Miners as CapacityLedger<u64>>::take_byte_blocks(), vec![(1, 5 * SECTOR as u128)]);
	});
}
