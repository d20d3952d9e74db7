//! Unit tests for every call and error, the capacity ledger, and a property test of the
//! capacity accounting.

use crate::{mock::*, CapacityLedger, Endpoints, Error, Event, MinerStatus};
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
		assert_ok!(Miners::register(RuntimeOrigin::signed(3), 1, endpoints("us")));
		assert_eq!(held(3), 1);
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
		assert_eq!(held(1), 3 * STAKE_PER_TIB);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 3 * STAKE_PER_TIB);
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroCapacity);
		assert_noop!(Miners::set_capacity(RuntimeOrigin::signed(2), TIB), Error::<Test>::NotMiner);
		assert_noop!(
			Miners::set_capacity(RuntimeOrigin::signed(1), 1000 * TIB),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
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
		<Miners as CapacityLedger<u64>>::release(&1, 600);
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
		<Miners as CapacityLedger<u64>>::release(&1, 10);
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

#[derive(Clone, Debug)]
enum Op {
	Commit(u64),
	Release(u64),
	SetCapacity(u64),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(0u64..5_000).prop_map(Op::Commit),
		(0u64..5_000).prop_map(Op::Release),
		(0u64..20_000).prop_map(Op::SetCapacity),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(128))]

	/// Whatever the order of commitments, releases and capacity changes, the ledger agrees
	/// with a plain model, never commits beyond capacity, and holds exactly the stake.
	#[test]
	fn capacity_accounting_matches_a_model(ops in proptest::collection::vec(op(), 1..40)) {
		new_test_ext().execute_with(|| {
			assert_ok!(Miners::register(RuntimeOrigin::signed(1), 10_000, endpoints("eu")));
			let (mut capacity, mut committed) = (10_000u64, 0u64);
			for op in ops {
				match op {
					Op::Commit(b) => {
						let ok = <Miners as CapacityLedger<u64>>::commit(&1, b).is_ok();
						prop_assert_eq!(ok, committed + b <= capacity);
						if ok { committed += b; }
					},
					Op::Release(b) => {
						<Miners as CapacityLedger<u64>>::release(&1, b);
						committed = committed.saturating_sub(b);
					},
					Op::SetCapacity(c) => {
						let ok = Miners::set_capacity(RuntimeOrigin::signed(1), c).is_ok();
						prop_assert_eq!(ok, c > 0 && c >= committed);
						if ok { capacity = c; }
					},
				}
				let m = crate::Miners::<Test>::get(1).unwrap();
				prop_assert_eq!((m.capacity, m.committed), (capacity, committed));
				prop_assert!(Miners::do_try_state().is_ok());
			}
			Ok(())
		})?;
	}
}
