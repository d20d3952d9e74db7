use crate::{mock::*, Error, Event, SetChanged, Validators};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	pallet_session::SessionManager,
	sp_runtime::DispatchError,
};

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

#[test]
fn genesis_sets_the_validators() {
	new_test_ext(vec![1, 2, 3]).execute_with(|| {
		assert_eq!(set(), vec![1, 2, 3]);
		assert!(!SetChanged::<Test>::get());
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn root_adds_a_validator_and_session_gets_the_new_set_once() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 3));
		System::assert_last_event(Event::ValidatorAdded { who: 3 }.into());
		assert_eq!(set(), vec![1, 2, 3]);
		// Handed over at the next session boundary, and only once.
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2, 3]));
		assert_eq!(ValidatorSet::new_session(3), None);
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn root_removes_a_validator() {
	new_test_ext(vec![1, 2, 3]).execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { who: 2 }.into());
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 3]));
	});
}

#[test]
fn unchanged_set_is_not_handed_over() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		assert_eq!(ValidatorSet::new_session(1), None);
		assert_eq!(ValidatorSet::new_session_genesis(0), None);
	});
}

#[test]
fn only_root_may_change_the_set() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn adding_twice_fails() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
	});
}

#[test]
fn removing_a_stranger_fails() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
	});
}

#[test]
fn the_last_validator_cannot_be_removed() {
	new_test_ext(vec![1]).execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
	});
}

#[test]
fn the_set_is_bounded() {
	new_test_ext((0..100).collect()).execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 1000),
			Error::<Test>::TooManyValidators
		);
	});
}
