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
//! - **Serving** (the rest) is split by the bytes each miner's gateway served in the era,
//!   *as its clients vouch for them*: a client signs a [`ServedReceipt`] (the miner, the
//!   era, all bytes received from it in the era so far) and hands it to the gateway; the
//!   miner's off-chain worker submits them ([`report_served`](Pallet::report_served)),
//!   and the runtime checks every signature. Receipts are cumulative: a later one
//!   replaces an earlier, and only its growth counts, so a receipt reported twice counts
//!   once. A miner cannot claim bytes no client signed for.
//! - **Sybil clients are bounded, not free**: only accounts that hold
//!   [`Config::ClientDeposit`] ([`register_client`](Pallet::register_client)) since before
//!   the era vouch, each for at most [`Config::MaxServedPerClient`] bytes an era over all
//!   miners, and a deposit unbonds for a whole era after
//!   [`unregister_client`](Pallet::unregister_client). A miner that signs for itself with
//!   `k` accounts takes at most `k × MaxServedPerClient` bytes' share, for `k` deposits
//!   locked an era and more; a report also stays within
//!   [`Config::MaxServedPerStoredByte`] times the miner's capacity.
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
use codec::Encode;
pub use landmesh_primitives::miner::ServedReceipt;
use pallet_audit::{EraIndex, EraScores};
use pallet_miners::CapacityLedger;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Precision, Preservation},
			Get,
		},
		weights::Weight,
		PalletId,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		traits::{AccountIdConversion, IdentifyAccount, Saturating, Verify, Zero},
		Perbill, SaturatedConversion,
	},
};

/// A receipt as this runtime takes it.
pub type ReceiptOf<T> = ServedReceipt<<T as frame_system::Config>::AccountId, <T as Config>::ReceiptSignature>;

/// Makes signed receipts for the benchmarks (the runtime's signature scheme is the
/// runtime's business).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A client account `n` and its signature of `message`.
	fn sign(n: u32, message: &[u8]) -> (AccountId, Signature);
}

/// A registered client: from which era it vouches, and the era it asked to leave in.
#[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, codec::MaxEncodedLen, scale_info::TypeInfo)]
pub struct Client<Balance> {
	/// It vouches for this era and later ones.
	pub since: EraIndex,
	/// `unregister_client` was called in this era; the deposit is released after the next.
	pub leaving: Option<EraIndex>,
	/// What is held.
	pub deposit: Balance,
}

/// Receipt records of an ended era removed per block.
pub const PRUNED_PER_BLOCK: u32 = 64;
/// Ended eras waiting for their receipt records to be removed.
pub const MAX_ERAS_PRUNING: u32 = 4;

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
		/// CYBR: minted into the pool, paid out of it, held as client deposits.
		type Currency: Mutate<Self::AccountId> + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// How clients sign receipts (`MultiSignature` in the runtime).
		type ReceiptSignature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>> + Parameter;
		/// Held from a client that vouches for served bytes.
		#[pallet::constant]
		type ClientDeposit: Get<BalanceOf<Self>>;
		/// The most bytes one client vouches for in an era, over all miners.
		#[pallet::constant]
		type MaxServedPerClient: Get<u64>;
		/// The most receipts in one report.
		#[pallet::constant]
		type MaxReceiptsPerReport: Get<u32>;
		/// Signs receipts for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::ReceiptSignature>;
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
		/// A miner is paid for serving at most this many bytes per byte of its capacity in
		/// an era, whatever its receipts say.
		#[pallet::constant]
		type MaxServedPerStoredByte: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A client's deposit, which lets it vouch for served bytes.
		ClientDeposit,
	}

	/// The accounts that may vouch for served bytes.
	#[pallet::storage]
	pub type Clients<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Client<BalanceOf<T>>>;

	/// Bytes each client's receipts have counted for each miner in an era (receipts are
	/// cumulative: only growth beyond this counts).
	#[pallet::storage]
	pub type Counted<T: Config> = StorageNMap<
		_,
		(NMapKey<Twox64Concat, EraIndex>, NMapKey<Blake2_128Concat, T::AccountId>, NMapKey<Blake2_128Concat, T::AccountId>),
		u64,
		ValueQuery,
	>;

	/// Bytes each client has vouched for in an era, over all miners (at most
	/// `MaxServedPerClient`).
	#[pallet::storage]
	pub type Vouched<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// Ended eras whose receipt records are still being removed, a few per block, oldest
	/// first.
	#[pallet::storage]
	pub type Pruning<T: Config> = StorageValue<_, BoundedVec<EraIndex, ConstU32<MAX_ERAS_PRUNING>>, ValueQuery>;

	/// The era being accumulated (rewards for earlier eras are distributed).
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// Bytes each miner served, as its clients' receipts vouch, per era.
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
		/// Clients that vouch from the first era (each holds `ClientDeposit`): a dev
		/// chain's wallets, so served bytes count from its first block.
		pub clients: Vec<T::AccountId>,
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
			let deposit = T::ClientDeposit::get();
			for client in &self.clients {
				T::Currency::hold(&HoldReason::ClientDeposit.into(), client, deposit)
					.expect("genesis clients are endowed with their deposit");
				Clients::<T>::insert(client, Client { since: 0, leaving: None, deposit });
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
		/// A miner reported receipts: `bytes` more counted for it in the current era.
		ServedReported { era: EraIndex, miner: T::AccountId, bytes: u64 },
		/// An account registered as a client, holding its deposit.
		ClientRegistered { client: T::AccountId, deposit: BalanceOf<T> },
		/// A client asked to leave; its deposit is released after the next era.
		ClientLeaving { client: T::AccountId },
		/// A client's deposit was released.
		ClientWithdrawn { client: T::AccountId, deposit: BalanceOf<T> },
		/// A miner claimed its rewards.
		Claimed { miner: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only registered miners report or are rewarded.
		NotMiner,
		/// Reports are for the current era only.
		WrongEra,
		/// A receipt's signature is not its client's over the served message for this miner
		/// and era.
		BadReceipt,
		/// A receipt is for another era than the one reported.
		ReceiptWrongEra,
		/// The account is a client already.
		AlreadyClient,
		/// The account is not a client.
		NotClient,
		/// The client is leaving already.
		ClientLeaving,
		/// The deposit is released after the era following `unregister_client`.
		ClientStillBonded,
		/// Nothing to claim.
		NothingToClaim,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let era = T::Scores::era_of(now);
			let ended = CurrentEra::<T>::get();
			if era <= ended {
				return T::WeightInfo::on_initialize_idle().saturating_add(Self::prune_receipts());
			}
			CurrentEra::<T>::put(era);
			let miners = Self::reward_era(ended);
			T::WeightInfo::on_initialize_era(miners)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Report clients' receipts for what this miner's gateway served in the current era
		/// (its off-chain worker submits them near the era's end, any number of times).
		/// Each receipt counts the growth of its cumulative bytes for this miner, within
		/// its client's `MaxServedPerClient`; a receipt of an unregistered client, or of
		/// one registered in this era, counts nothing. A bad signature refuses the report.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::report_served(receipts.len() as u32))]
		pub fn report_served(
			origin: OriginFor<T>,
			era: EraIndex,
			receipts: BoundedVec<ReceiptOf<T>, T::MaxReceiptsPerReport>,
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let (capacity, _) = T::Miners::capacity_of(&miner).ok_or(Error::<T>::NotMiner)?;
			ensure!(era == CurrentEra::<T>::get(), Error::<T>::WrongEra);
			let chain = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let miner_bytes = miner.encode();
			let mut added = 0u64;
			for r in receipts.iter() {
				ensure!(r.era == era, Error::<T>::ReceiptWrongEra);
				let message = landmesh_primitives::miner::served_message(chain.as_ref(), &miner_bytes, era, r.bytes);
				let wrapped = alloc::format!("<Bytes>{message}</Bytes>");
				ensure!(
					r.signature.verify(message.as_bytes(), &r.client) || r.signature.verify(wrapped.as_bytes(), &r.client),
					Error::<T>::BadReceipt
				);
				let vouches = Clients::<T>::get(&r.client).is_some_and(|c| c.since <= era && c.leaving.is_none_or(|l| l >= era));
				if !vouches {
					continue;
				}
				let counted = Counted::<T>::get((era, &r.client, &miner));
				let room = T::MaxServedPerClient::get().saturating_sub(Vouched::<T>::get(era, &r.client));
				let more = r.bytes.saturating_sub(counted).min(room);
				if more == 0 {
					continue;
				}
				Counted::<T>::insert((era, &r.client, &miner), counted.saturating_add(more));
				Vouched::<T>::mutate(era, &r.client, |v| *v = v.saturating_add(more));
				added = added.saturating_add(more);
			}
			// Within the plausibility bound: beyond it, receipts are recorded but not paid.
			let cap = capacity.saturating_mul(T::MaxServedPerStoredByte::get() as u64);
			let total = Served::<T>::get(era, &miner).unwrap_or(0).saturating_add(added).min(cap);
			Served::<T>::insert(era, &miner, total);
			Self::deposit_event(Event::ServedReported { era, miner, bytes: added });
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

		/// Become a client whose receipts count, from the next era on, holding
		/// `ClientDeposit`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_client())]
		pub fn register_client(origin: OriginFor<T>) -> DispatchResult {
			let client = ensure_signed(origin)?;
			ensure!(!Clients::<T>::contains_key(&client), Error::<T>::AlreadyClient);
			let deposit = T::ClientDeposit::get();
			T::Currency::hold(&HoldReason::ClientDeposit.into(), &client, deposit)?;
			Clients::<T>::insert(&client, Client { since: CurrentEra::<T>::get().saturating_add(1), leaving: None, deposit });
			Self::deposit_event(Event::ClientRegistered { client, deposit });
			Ok(())
		}

		/// Stop vouching: receipts count to the end of this era, and the deposit is
		/// released ([`withdraw_client`](Self::withdraw_client)) once the next era ends.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unregister_client())]
		pub fn unregister_client(origin: OriginFor<T>) -> DispatchResult {
			let client = ensure_signed(origin)?;
			Clients::<T>::try_mutate(&client, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::NotClient)?;
				ensure!(c.leaving.is_none(), Error::<T>::ClientLeaving);
				c.leaving = Some(CurrentEra::<T>::get());
				Ok(())
			})?;
			Self::deposit_event(Event::ClientLeaving { client });
			Ok(())
		}

		/// Release a leaving client's deposit, after the era following the one it left in.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_client())]
		pub fn withdraw_client(origin: OriginFor<T>) -> DispatchResult {
			let client = ensure_signed(origin)?;
			let c = Clients::<T>::get(&client).ok_or(Error::<T>::NotClient)?;
			let left = c.leaving.ok_or(Error::<T>::ClientStillBonded)?;
			ensure!(CurrentEra::<T>::get() > left.saturating_add(1), Error::<T>::ClientStillBonded);
			let deposit =
				T::Currency::release(&HoldReason::ClientDeposit.into(), &client, c.deposit, Precision::BestEffort)?;
			Clients::<T>::remove(&client);
			Self::deposit_event(Event::ClientWithdrawn { client, deposit });
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
		// The era's receipt records are dead now (reports are for the current era only):
		// removed a few per block from the next one on.
		Pruning::<T>::mutate(|eras| {
			if eras.is_full() {
				// Four eras' records still waiting is far beyond any real load; the oldest
				// stays behind rather than the newest.
				eras.remove(0);
			}
			let _ = eras.try_push(era);
		});
		Self::deposit_event(Event::EraRewarded { era, storage: paid_storage, serving: paid_serving });
		miners.len() as u32
	}

	/// Removes up to [`PRUNED_PER_BLOCK`] receipt records of the era being pruned; returns
	/// the weight.
	fn prune_receipts() -> Weight {
		let eras = Pruning::<T>::get();
		let Some(&era) = eras.first() else { return Weight::zero() };
		let counted = Counted::<T>::clear_prefix((era,), PRUNED_PER_BLOCK, None);
		let vouched = Vouched::<T>::clear_prefix(era, PRUNED_PER_BLOCK, None);
		if counted.maybe_cursor.is_none() && vouched.maybe_cursor.is_none() {
			Pruning::<T>::mutate(|eras| {
				eras.retain(|e| *e != era);
			});
		}
		let removed = u64::from(counted.unique.saturating_add(vouched.unique));
		T::DbWeight::get().reads_writes(removed.saturating_add(1), removed.saturating_add(1))
	}

	/// The invariants: what is owed is the sum of the claims, and the pool holds it; each
	/// client's deposit is held; no client vouched beyond its allowance.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let sum = Claimable::<T>::iter_values().fold(BalanceOf::<T>::zero(), |a, b| a.saturating_add(b));
		frame_support::ensure!(sum == Owed::<T>::get(), "owed differs from the sum of claims");
		frame_support::ensure!(T::Currency::balance(&Self::pool()) >= sum, "the pool cannot pay what it owes");
		use frame_support::traits::fungible::InspectHold;
		for (client, c) in Clients::<T>::iter() {
			let held = T::Currency::balance_on_hold(&HoldReason::ClientDeposit.into(), &client);
			frame_support::ensure!(held == c.deposit, "a client's recorded deposit is not what is held");
		}
		frame_support::ensure!(
			Vouched::<T>::iter_values().all(|v| v <= T::MaxServedPerClient::get()),
			"a client vouched beyond its allowance"
		);
		Ok(())
	}
}
