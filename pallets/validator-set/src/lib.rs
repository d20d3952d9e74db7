//! # Validator set
//!
//! The accounts that run BABE and GRANDPA, managed by root (sudo today, governance later).
//! This pallet is pallet-session's `SessionManager`: a change made in session `n` is handed
//! to pallet-session at the end of session `n`, queued for one session, and active from
//! session `n + 2`, as pallet-session requires. A validator must also have set its session
//! keys (`session.set_keys`); pallet-session skips accounts without keys.
//!
//! The list is never empty and never shorter than [`Config::MinValidators`], so root cannot
//! stop block production or finality by mistake.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::vec::Vec;
use polkadot_sdk::{frame_support, frame_system, pallet_session};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>>
			+ IsType<<Self as polkadot_sdk::frame_system::Config>::RuntimeEvent>;
		/// Who may add and remove validators (root in the Landmesh runtime).
		type ManagerOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The largest validator set; bounds the stored list and the session handover.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The smallest validator set `remove_validator` may leave behind.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The validator accounts, in the order they were added.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since pallet-session last asked; only then is a new set
	/// handed over (handing over an unchanged set would start a needless GRANDPA set change).
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of session 0.
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut seen = alloc::collections::BTreeSet::new();
			for v in &self.validators {
				assert!(seen.insert(v), "duplicate validator in genesis");
			}
			let bounded: BoundedVec<_, _> = self
				.validators
				.clone()
				.try_into()
				.expect("genesis validators exceed MaxValidators");
			Validators::<T>::put(bounded);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the validator set two sessions from now.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the validator set two sessions from now.
		ValidatorRemoved { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a validator.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The set already holds `MaxValidators` accounts.
		TooManyValidators,
		/// Removing the account would leave fewer than `MinValidators`.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() >= 1, "MinValidators must be at least 1");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"MinValidators must not exceed MaxValidators"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `who` to the validator set.
		///
		/// Origin: `ManagerOrigin`. Takes effect two sessions later, once `who` has set
		/// session keys. Emits `ValidatorAdded`. Fails with `AlreadyValidator` or
		/// `TooManyValidators`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::ManagerOrigin::ensure_origin(origin)?;
			Self::do_add_validator(who)
		}

		/// Remove `who` from the validator set.
		///
		/// Origin: `ManagerOrigin`. Takes effect two sessions later. Emits
		/// `ValidatorRemoved`. Fails with `NotValidator` or `TooFewValidators`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::ManagerOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(who)
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_add_validator(who: T::AccountId) -> DispatchResult {
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
				set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
				Ok(())
			})?;
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		pub(crate) fn do_remove_validator(who: T::AccountId) -> DispatchResult {
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				let pos = set.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
				ensure!(
					set.len() > T::MinValidators::get() as usize,
					Error::<T>::TooFewValidators
				);
				set.remove(pos);
				Ok(())
			})?;
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// The set is free of duplicates and within its bounds.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			let unique: alloc::collections::BTreeSet<_> = set.iter().collect();
			ensure!(unique.len() == set.len(), "duplicate validator");
			ensure!(
				set.is_empty() || set.len() >= T::MinValidators::get() as usize,
				"fewer than MinValidators"
			);
			Ok(())
		}
	}
}

/// A session's number (`sp_staking::SessionIndex`).
type SessionIndex = u32;

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		if SetChanged::<T>::take() {
			Some(Validators::<T>::get().into_inner())
		} else {
			None
		}
	}

	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		// pallet-session's own genesis keys decide session 0 and 1.
		None
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}
