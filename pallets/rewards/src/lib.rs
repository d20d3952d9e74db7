//! # Rewards
//!
//! Each era, a reward pool is split among the miners.
//!
//! - **The pool** receives [`Config::EraIssuance`] newly minted CYBR at every era's end,
//!   plus whatever reaches its account in between (the runtime routes transaction fees
//!   there). What is not owed to miners yet is distributable.
//! - **Storage** ([`Config::StorageShare`] of the pool) is split by *proven stored
//!   byte·blocks*: the bytes of the replicas the miner has confirmed plus its sealed
//!   filler sectors (a sector earns once its seal proof passed, so made-up roots never
//!   do), at most `pallet_miners::Pallet::max_counted` per miner, times the blocks of the era it held them (pallet-miners counts them
//!   as they change). A snapshot would pay a miner that commits a TiB in an era's last
//!   block as if it had held it all era; byte·blocks pay it one block's worth (idle space earns too, as in Filecoin, so capacity is there when orders
//!   come; replicas also earn their orders' payments), weighted by its pass ratio in the
//!   era's challenges (pallet-audit). Assigned but unconfirmed replicas earn nothing. A miner that was not challenged in the era counts fully:
//!   challenges are samples, and no evidence is not evidence of loss.
//! - **Self-dealing gains nothing filler would not**: an owner ordering storage from its
//!   own miner is paid its own escrow back, burns the order fee, and its replica bytes
//!   count for the pool exactly as filler bytes in the same room would, up to the same cap
//!   (the chain cannot tell a third party from an owner's second account, so the rule is
//!   that it need not).
//! - **Serving** (the rest) is split by the bytes each miner's node reported serving in
//!   the era ([`report_served`](Pallet::report_served), submitted by its off-chain
//!   worker): one report per miner per era, at most [`Config::MaxServedPerStoredByte`]
//!   times the miner's declared capacity: a plausibility bound, not a proof, since served
//!   bytes cannot be verified on chain.
//! - Shares accrue in [`Claimable`]; a miner [`claim`](Pallet::claim)s when it wants.

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
use pallet_audit::{EraIndex, EraScores};
use pallet_miners::CapacityLedger;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::Preservation,
			Get,
		},
		weights::Weight,
		PalletId,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		Perbill, SaturatedConversion,
	},
};

/// The balance type of [`Config::Currency`].
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

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
		/// CYBR: minted into the pool, paid out of it.
		type Currency: Mutate<Self::AccountId>;
		/// The miners and their committed bytes (pallet-miners).
		type Miners: CapacityLedger<Self::AccountId>;
		/// Eras and pass ratios (pallet-audit).
		type Scores: EraScores<Self::AccountId, BlockNumberFor<Self>>;
		/// Derives the pool account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// CYBR minted into the pool at the end of every era.
		#[pallet::constant]
		type EraIssuance: Get<BalanceOf<Self>>;
		/// The part of the pool paid for storage; the rest pays for serving.
		#[pallet::constant]
		type StorageShare: Get<Perbill>;
		/// A miner may report serving at most this many bytes per byte of its capacity in
		/// an era.
		#[pallet::constant]
		type MaxServedPerStoredByte: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The era being accumulated (rewards for earlier eras are distributed).
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// Bytes each miner reported serving, per era.
	#[pallet::storage]
	pub type Served<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, u64>;

	/// What each miner may claim.
	#[pallet::storage]
	pub type Claimable<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// The sum of [`Claimable`]: the part of the pool already owed.
	#[pallet::storage]
	pub type Owed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Nothing to configure: the pool account is derived from `PalletId`.
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// The pool account exists from genesis (with the existential deposit), so the
		/// first fees, smaller than that deposit, are kept rather than dropped.
		fn build(&self) {
			let pool = Pallet::<T>::pool();
			if T::Currency::balance(&pool).is_zero() {
				let _ = T::Currency::mint_into(&pool, T::Currency::minimum_balance());
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An era's pool was split: `storage` by proven bytes, `serving` by served bytes.
		EraRewarded { era: EraIndex, storage: BalanceOf<T>, serving: BalanceOf<T> },
		/// A miner's reward for an era.
		Rewarded { era: EraIndex, miner: T::AccountId, amount: BalanceOf<T> },
		/// A miner reported the bytes its node served in the current era.
		ServedReported { era: EraIndex, miner: T::AccountId, bytes: u64 },
		/// A miner claimed its rewards.
		Claimed { miner: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only registered miners report or are rewarded.
		NotMiner,
		/// Reports are for the current era only.
		WrongEra,
		/// This miner has reported for this era already.
		AlreadyReported,
		/// More bytes than `MaxServedPerStoredByte` × capacity: not plausible.
		ImplausibleReport,
		/// Nothing to claim.
		NothingToClaim,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let era = T::Scores::era_of(now);
			let ended = CurrentEra::<T>::get();
			if era <= ended {
				return T::WeightInfo::on_initialize_idle();
			}
			CurrentEra::<T>::put(era);
			let miners = Self::reward_era(ended);
			T::WeightInfo::on_initialize_era(miners)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Report the bytes this miner's node served in the current era (once per era; its
		/// off-chain worker submits it).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::report_served())]
		pub fn report_served(origin: OriginFor<T>, era: EraIndex, bytes: u64) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let (capacity, _) = T::Miners::capacity_of(&miner).ok_or(Error::<T>::NotMiner)?;
			ensure!(era == CurrentEra::<T>::get(), Error::<T>::WrongEra);
			ensure!(!Served::<T>::contains_key(era, &miner), Error::<T>::AlreadyReported);
			let cap = capacity.saturating_mul(T::MaxServedPerStoredByte::get() as u64);
			ensure!(bytes <= cap, Error::<T>::ImplausibleReport);
			Served::<T>::insert(era, &miner, bytes);
			Self::deposit_event(Event::ServedReported { era, miner, bytes });
			Ok(())
		}

		/// Pay out everything this miner has earned.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(origin: OriginFor<T>) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let amount = Claimable::<T>::get(&miner);
			ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
			T::Currency::transfer(&Self::pool(), &miner, amount, Preservation::Expendable)?;
			Claimable::<T>::remove(&miner);
			Owed::<T>::mutate(|o| *o = o.saturating_sub(amount));
			Self::deposit_event(Event::Claimed { miner, amount });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The pool account.
	pub fn pool() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Mints the era's issuance and splits the distributable pool among the miners;
	/// returns how many miners were considered.
	fn reward_era(era: EraIndex) -> u32 {
		let pool = Self::pool();
		let _ = T::Currency::mint_into(&pool, T::EraIssuance::get());
		let distributable = T::Currency::balance(&pool)
			.saturating_sub(T::Currency::minimum_balance())
			.saturating_sub(Owed::<T>::get());
		let storage_pot = T::StorageShare::get() * distributable;
		let serving_pot = distributable.saturating_sub(storage_pot);

		let miners = T::Miners::take_byte_blocks();
		let weights: Vec<(T::AccountId, u128, u128)> = miners
			.iter()
			.map(|(miner, byte_blocks)| {
				let score = T::Scores::score(era, miner);
				// Confirmed replicas and committed filler, weighted by how long they were
				// held in the era: bytes committed for its last blocks earn those blocks.
				let stored = *byte_blocks;
				let proven = if score.total == 0 {
					stored
				} else {
					stored * score.passed as u128 / score.total as u128
				};
				let served = Served::<T>::take(era, miner).unwrap_or(0) as u128;
				(miner.clone(), proven, served)
			})
			.collect();
		let total_proven: u128 = weights.iter().map(|w| w.1).sum();
		let total_served: u128 = weights.iter().map(|w| w.2).sum();
		let share = |pot: BalanceOf<T>, part: u128, total: u128| -> BalanceOf<T> {
			if total == 0 {
				return Zero::zero();
			}
			let pot: u128 = pot.saturated_into();
			// pot × part / total without overflow: part ≤ total, so split the product.
			let whole = (pot / total).saturating_mul(part);
			let rest = (pot % total).saturating_mul(part) / total;
			whole.saturating_add(rest).saturated_into()
		};
		let (mut paid_storage, mut paid_serving) = (BalanceOf::<T>::zero(), BalanceOf::<T>::zero());
		for (miner, proven, served) in weights {
			let s = share(storage_pot, proven, total_proven);
			let v = share(serving_pot, served, total_served);
			let amount = s.saturating_add(v);
			if amount.is_zero() {
				continue;
			}
			paid_storage = paid_storage.saturating_add(s);
			paid_serving = paid_serving.saturating_add(v);
			Claimable::<T>::mutate(&miner, |c| *c = c.saturating_add(amount));
			Owed::<T>::mutate(|o| *o = o.saturating_add(amount));
			Self::deposit_event(Event::Rewarded { era, miner, amount });
		}
		// Reports of miners that left during the era were not taken above.
		let _ = Served::<T>::clear_prefix(era, 4096, None);
		Self::deposit_event(Event::EraRewarded { era, storage: paid_storage, serving: paid_serving });
		miners.len() as u32
	}

	/// The invariants: what is owed is the sum of the claims, and the pool holds it.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let sum = Claimable::<T>::iter_values().fold(BalanceOf::<T>::zero(), |a, b| a.saturating_add(b));
		frame_support::ensure!(sum == Owed::<T>::get(), "owed differs from the sum of claims");
		frame_support::ensure!(T::Currency::balance(&Self::pool()) >= sum, "the pool cannot pay what it owes");
		Ok(())
	}
}
