//! # Miners
//!
//! Storage miners: accounts that keep replicas of model data and of their own filler
//! sectors, and answer storage challenges.
//!
//! - [`register`](Pallet::register) declares a capacity in bytes and holds a stake of
//!   [`Config::StakePerTiB`] per TiB of it (rounded up), with the endpoints others reach
//!   the miner by (peer id, multiaddrs, HTTP gateway, region).
//! - [`set_capacity`](Pallet::set_capacity) raises or lowers the capacity (never below
//!   what is committed) and moves the stake with it.
//! - [`exit`](Pallet::exit) stops new commitments; [`withdraw`](Pallet::withdraw) releases
//!   the stake after [`Config::UnbondingPeriod`] once no replica is owed (pallet-storage
//!   moves a leaving miner's replicas elsewhere).
//!
//! - [`commit_sector`](Pallet::commit_sector) commits the root of a filler sector
//!   (`landmesh_primitives::filler`) in free capacity, so idle space can be challenged
//!   too; [`drop_sectors`](Pallet::drop_sectors) gives sectors up. Replicas always take
//!   precedence: a replica that needs the room pushes the last sectors out.
//! - **A sector earns only once sealed**: [`prove_sector`](Pallet::prove_sector) answers
//!   [`Config::SealChunks`] chunks drawn from the hash of the block *after* the commit
//!   (unknown when the commit was signed), within [`Config::SealDeadline`], each with its
//!   links to its predecessor and parents. A root that is not the miner's filler (random
//!   bytes committed to farm the pool) can never be sealed, so it never counts; an
//!   unsealed sector can still be challenged, and slashed for, like any other. Only the
//!   author of that next block could grind the draw, as with any on-chain randomness.
//!
//! The storage pallets use the [`CapacityLedger`] this pallet implements: `commit` checks
//! and books bytes in one step, so two orders in one block can never together exceed a
//! miner's free capacity; `slash` burns a fraction of the held stake.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helpers;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use codec::Encode;
use landmesh_primitives::{
	filler::{self, LinkError, SectorLink},
	proof, ContentId,
};
use polkadot_sdk::{
	frame_support::{
		self,
		dispatch::DispatchResult,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision},
			Contains, Get,
		},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_io::hashing::blake2_256,
	sp_runtime::{
		traits::{Saturating, Zero},
		Perbill, SaturatedConversion,
	},
};

/// The balance type of [`Config::Currency`].
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A miner as stored.
pub type MinerOf<T> = Miner<BalanceOf<T>, BlockNumberFor<T>>;

/// One tebibyte, the unit stake is quoted in.
pub const TIB: u64 = 1 << 40;

/// What the storage pallets need from the miner registry.
pub trait CapacityLedger<AccountId> {
	/// Books `bytes` on an active miner with that much free capacity, or fails and books
	/// nothing. Filler sectors that no longer fit are dropped.
	fn commit(miner: &AccountId, bytes: u64) -> DispatchResult;
	/// Marks `bytes` of what is committed as confirmed (the miner proved it holds them).
	fn confirm(miner: &AccountId, bytes: u64);
	/// Releases `bytes` previously committed (a replica expired, moved or was lost),
	/// `confirmed` or not.
	fn release(miner: &AccountId, bytes: u64, confirmed: bool);
	/// Burns `fraction` of the miner's held stake; returns what was burned.
	fn slash(miner: &AccountId, fraction: Perbill) -> u128;
	/// The active miners with at least `min_free` bytes free: `(miner, free bytes, region)`,
	/// at most `MaxMiners` of them.
	fn candidates(min_free: u64) -> alloc::vec::Vec<(AccountId, u64, EndpointText)>;
	/// Whether the miner has asked to leave (its replicas must move).
	fn is_exiting(miner: &AccountId) -> bool;
	/// A miner's `(capacity, committed)` bytes, if registered.
	fn capacity_of(miner: &AccountId) -> Option<(u64, u64)>;
	/// Every miner with the bytes it stands for, at most `MaxMiners`.
	fn stored_by_miner() -> alloc::vec::Vec<(AccountId, StoredBytes)>;
	/// Every miner with the byte·blocks of proven bytes it held since the last call (the
	/// last era's end), at most `MaxMiners`; each miner's count starts again from zero.
	fn take_byte_blocks() -> alloc::vec::Vec<(AccountId, u128)>;
	/// The size of a filler sector.
	fn sector_size() -> u64;
	/// How many filler sectors are committed, over all miners.
	fn sector_count() -> u32;
	/// Sector `n < sector_count()` of all miners' sectors listed together, so that every
	/// sector is drawn as often as any other: `(miner, slot, sector)`.
	fn sector_at(n: u32) -> Option<(AccountId, u32, SectorCommitment)>;
	/// Drops `miner`'s sector derived with `index`, wherever it is now (a failed
	/// challenge; slots move as sectors are lost, indices never do).
	fn sector_lost(miner: &AccountId, index: u32);
	/// Whether `miner` still has the sector derived with `index`.
	fn has_sector(miner: &AccountId, index: u32) -> bool;
}

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
		/// CYBR, held as stake.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Stake per TiB of declared capacity.
		#[pallet::constant]
		type StakePerTiB: Get<BalanceOf<Self>>;
		/// Blocks between `exit` and `withdraw`: long enough for the last challenges on the
		/// miner's replicas and for their repair elsewhere.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// The most miners registered at once; bounds the work of choosing miners for a
		/// replica.
		#[pallet::constant]
		type MaxMiners: Get<u32>;
		/// Bytes in a filler sector (`landmesh_primitives::filler::SECTOR_SIZE` in the
		/// runtime; small in tests so sectors can be generated). A chain's genesis may set
		/// smaller sectors ([`SectorSizeOverride`]); the weights are for this size.
		#[pallet::constant]
		type SectorSize: Get<u64>;
		/// The most filler sectors one miner commits: bounds the work of dropping them.
		#[pallet::constant]
		type MaxSectors: Get<u32>;
		/// Chunks a sector's seal proof answers.
		#[pallet::constant]
		type SealChunks: Get<u32>;
		/// Blocks after its commit within which a sector can be sealed: fewer than the
		/// chain keeps block hashes for, since the draw reads the hash of the block after
		/// the commit.
		#[pallet::constant]
		type SealDeadline: Get<BlockNumberFor<Self>>;
		/// The least capacity a miner registers with, or lowers to: the registry holds at most
		/// `MaxMiners`, so a seat must cost something.
		#[pallet::constant]
		type MinCapacity: Get<u64>;
		/// The least stake any miner holds, whatever its capacity (its registration
		/// deposit): filling the `MaxMiners` seats locks `MaxMiners` times this.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;
		/// The miners with a challenge open (pallet-audit): they cannot leave, nor drop
		/// sectors, until it closes, so a miner that lost data cannot dodge the slash.
		type Challenged: Contains<Self::AccountId>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A miner's stake.
		MinerStake,
	}

	/// Every registered miner.
	#[pallet::storage]
	pub type Miners<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, MinerOf<T>>;

	/// How many miners are registered.
	#[pallet::storage]
	pub type MinerCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Each miner's filler sectors, in slots `0..Miner::sectors` (dense, so a challenge
	/// can draw one in a single read).
	#[pallet::storage]
	pub type Sectors<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, SectorCommitment>;

	/// The slot each sector is in now, by miner and derivation index: a lost sector's slot
	/// takes the last sector, so a challenge names a sector by its index, and this finds it.
	#[pallet::storage]
	pub type SectorSlots<T: Config> = StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, u32>;

	/// The sectors not sealed yet, by miner and derivation index, with the block they were
	/// committed in: they take room but do not earn.
	#[pallet::storage]
	pub type Unsealed<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, BlockNumberFor<T>>;

	/// Every committed sector of every miner, in dense slots `0..SectorCount`: `(miner,
	/// derivation index)`. Sector challenges are drawn from this list, so each sector (all
	/// are one size) is as likely as any other: a miner with 1 024 sectors is challenged
	/// 1 024 times as often as one with one.
	#[pallet::storage]
	pub type AllSectors<T: Config> = StorageMap<_, Twox64Concat, u32, (T::AccountId, u32)>;

	/// The slot of each sector in [`AllSectors`], by miner and derivation index.
	#[pallet::storage]
	pub type AllSectorSlots<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, u32>;

	/// How many sectors are committed, over all miners.
	#[pallet::storage]
	pub type SectorCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The filler sector size when the chain's genesis set one below
	/// [`Config::SectorSize`]: the development chains' 1 MiB sectors, which a node seals in
	/// about a second (and whose proofs of space are not secure: see
	/// `landmesh_primitives::filler`).
	#[pallet::storage]
	pub type SectorSizeOverride<T: Config> = StorageValue<_, u64, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Filler sectors of this many bytes instead of [`Config::SectorSize`] (a whole
		/// number of chunks, at most `Config::SectorSize`).
		pub sector_size: Option<u64>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(size) = self.sector_size {
				assert!(
					size > 0 && size <= T::SectorSize::get() && size % proof::CHUNK_SIZE == 0,
					"miners.sectorSize must be a whole number of chunks, at most {}",
					T::SectorSize::get()
				);
				SectorSizeOverride::<T>::put(size);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A miner registered with this capacity and stake.
		Registered { miner: T::AccountId, capacity: u64, stake: BalanceOf<T> },
		/// A miner changed its endpoints.
		EndpointsUpdated { miner: T::AccountId },
		/// A miner's capacity (and stake) changed.
		CapacityChanged { miner: T::AccountId, capacity: u64, stake: BalanceOf<T> },
		/// A miner asked to leave.
		Exiting { miner: T::AccountId },
		/// Stake a capacity cut unbonded was released.
		Unbonded { miner: T::AccountId, amount: BalanceOf<T> },
		/// A miner left; its remaining stake was released.
		Withdrawn { miner: T::AccountId, stake: BalanceOf<T> },
		/// Part of a miner's stake was burned.
		Slashed { miner: T::AccountId, amount: BalanceOf<T> },
		/// A miner committed a filler sector.
		SectorCommitted { miner: T::AccountId, sector: u32, root: ContentId },
		/// A miner sealed a filler sector: its bytes earn from now on.
		SectorSealed { miner: T::AccountId, sector: u32 },
		/// A filler sector no longer counts (given up, pushed out by a replica, or lost);
		/// the miner may delete it.
		SectorDropped { miner: T::AccountId, sector: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This account is already a miner.
		AlreadyRegistered,
		/// This account is not a miner.
		NotMiner,
		/// A miner must offer at least one byte.
		ZeroCapacity,
		/// The capacity cannot go below what is committed to replicas.
		BelowCommitted,
		/// The miner is leaving and takes no new replicas or changes.
		Exiting,
		/// `withdraw` needs an `exit` first.
		NotExiting,
		/// The unbonding period has not passed.
		StillUnbonding,
		/// No stake is unbonding: lower the capacity first.
		NothingUnbonding,
		/// Below `MinCapacity`.
		CapacityTooSmall,
		/// The miner has a challenge open: answer it (or let it expire) first.
		ChallengeOpen,
		/// The miner still holds replicas the chain assigned to it.
		ReplicasOwed,
		/// The miner's free capacity is smaller than the replica.
		InsufficientCapacity,
		/// `MaxMiners` are registered already.
		TooManyMiners,
		/// The free capacity has no room for another sector.
		NoRoomForSector,
		/// The miner has `MaxSectors` sectors already.
		TooManySectors,
		/// The miner has no sector in this slot.
		UnknownSector,
		/// The sector is sealed already.
		AlreadySealed,
		/// The seal draw reads the hash of the block after the commit: wait a block.
		SealNotReady,
		/// `SealDeadline` has passed: the sector can no longer be sealed; drop it.
		SealExpired,
		/// One link per drawn chunk, in order.
		WrongSealCount,
		/// The sector was sealed for another index than the miner's next one
		/// (`Miner::next_sector`): that commit landed already, or the node is behind.
		WrongSectorIndex,
		/// A link's proofs do not lead to the sector's root.
		SealProofMismatch,
		/// A drawn chunk is not derived from its predecessor and parents: the committed
		/// root is not this miner's filler.
		SealBroken,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Become a miner offering `capacity` bytes, holding the stake for it, reachable at
		/// `endpoints`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(origin: OriginFor<T>, capacity: u64, endpoints: Endpoints) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Miners::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			ensure!(capacity > 0, Error::<T>::ZeroCapacity);
			ensure!(capacity >= T::MinCapacity::get(), Error::<T>::CapacityTooSmall);
			ensure!(MinerCount::<T>::get() < T::MaxMiners::get(), Error::<T>::TooManyMiners);
			let stake = Self::stake_for(capacity);
			T::Currency::hold(&HoldReason::MinerStake.into(), &who, stake)?;
			Miners::<T>::insert(
				&who,
				Miner {
					capacity,
					committed: 0,
					confirmed: 0,
					sectors: 0,
					unsealed: 0,
					next_sector: 0,
					stake,
					endpoints,
					status: MinerStatus::Active,
					byte_blocks: 0,
					accrued_at: frame_system::Pallet::<T>::block_number(),
					unbonding: None,
				},
			);
			MinerCount::<T>::mutate(|n| *n = n.saturating_add(1));
			Self::deposit_event(Event::Registered { miner: who, capacity, stake });
			Ok(())
		}

		/// Replace the miner's endpoints (a new address, a new gateway).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_endpoints())]
		pub fn update_endpoints(origin: OriginFor<T>, endpoints: Endpoints) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Miners::<T>::try_mutate(&who, |m| -> DispatchResult {
				let m = m.as_mut().ok_or(Error::<T>::NotMiner)?;
				m.endpoints = endpoints;
				Ok(())
			})?;
			Self::deposit_event(Event::EndpointsUpdated { miner: who });
			Ok(())
		}

		/// Raise or lower the capacity, never below what is committed to replicas and
		/// sectors (drop sectors first). The stake follows: held on a raise (from what is
		/// unbonding first), and on a lowering the excess unbonds: it stays held, and
		/// slashable, for `UnbondingPeriod` ([`withdraw_unbonded`](Self::withdraw_unbonded)
		/// releases it then). Stake cannot be freed the block after bytes were committed.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_capacity())]
		pub fn set_capacity(origin: OriginFor<T>, capacity: u64) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			ensure!(m.status == MinerStatus::Active, Error::<T>::Exiting);
			ensure!(capacity > 0, Error::<T>::ZeroCapacity);
			ensure!(capacity >= T::MinCapacity::get(), Error::<T>::CapacityTooSmall);
			let sectors = (m.sectors as u64).saturating_mul(Self::sector_size());
			ensure!(capacity >= m.committed.saturating_add(sectors), Error::<T>::BelowCommitted);
			let wanted = Self::stake_for(capacity);
			let now = frame_system::Pallet::<T>::block_number();
			let (mut unbonding, until) = m.unbonding.unwrap_or_default();
			if wanted > m.stake {
				// Unbonding stake is still held: it is bonded again before anything new.
				let rebonded = unbonding.min(wanted - m.stake);
				unbonding -= rebonded;
				let more = wanted - m.stake - rebonded;
				if !more.is_zero() {
					T::Currency::hold(&HoldReason::MinerStake.into(), &who, more)?;
				}
				m.unbonding = (!unbonding.is_zero()).then_some((unbonding, until));
			} else if wanted < m.stake {
				let until = now.saturating_add(T::UnbondingPeriod::get());
				m.unbonding = Some((unbonding.saturating_add(m.stake - wanted), until));
			}
			m.capacity = capacity;
			m.stake = wanted;
			Miners::<T>::insert(&who, m);
			Self::deposit_event(Event::CapacityChanged { miner: who, capacity, stake: wanted });
			Ok(())
		}

		/// Stop taking replicas and start the unbonding period.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::exit())]
		pub fn exit(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Miners::<T>::try_mutate(&who, |m| -> DispatchResult {
				let m = m.as_mut().ok_or(Error::<T>::NotMiner)?;
				ensure!(m.status == MinerStatus::Active, Error::<T>::Exiting);
				m.status = MinerStatus::Exiting { since: frame_system::Pallet::<T>::block_number() };
				Ok(())
			})?;
			Self::deposit_event(Event::Exiting { miner: who });
			Ok(())
		}

		/// After the unbonding period, with no replica owed: release the stake, drop the
		/// filler sectors and leave.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxSectors::get()))]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			let MinerStatus::Exiting { since } = m.status else { return Err(Error::<T>::NotExiting.into()) };
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= since.saturating_add(T::UnbondingPeriod::get()), Error::<T>::StillUnbonding);
			ensure!(m.committed == 0, Error::<T>::ReplicasOwed);
			ensure!(!T::Challenged::contains(&who), Error::<T>::ChallengeOpen);
			let held = T::Currency::balance_on_hold(&HoldReason::MinerStake.into(), &who);
			T::Currency::release(&HoldReason::MinerStake.into(), &who, held, Precision::BestEffort)?;
			let mut m = m;
			let sectors = m.sectors;
			Self::drop_last_sectors(&who, &mut m, sectors);
			Miners::<T>::remove(&who);
			MinerCount::<T>::mutate(|n| *n = n.saturating_sub(1));
			Self::deposit_event(Event::Withdrawn { miner: who, stake: held });
			Ok(Some(T::WeightInfo::withdraw(sectors)).into())
		}

		/// Commit the root of the next filler sector, derived with `index`, which must be
		/// `Miner::next_sector` (`landmesh_primitives::filler`), in free capacity: a commit
		/// sent twice lands once. The chain cannot recompute a sector; the seal proof and
		/// challenges check its chunks and their links. It earns once sealed
		/// ([`prove_sector`](Self::prove_sector)).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::commit_sector())]
		pub fn commit_sector(origin: OriginFor<T>, index: u32, root: ContentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			ensure!(index == m.next_sector, Error::<T>::WrongSectorIndex);
			ensure!(m.status == MinerStatus::Active, Error::<T>::Exiting);
			ensure!(m.sectors < T::MaxSectors::get(), Error::<T>::TooManySectors);
			ensure!(m.sectors < m.sector_room(Self::sector_size()), Error::<T>::NoRoomForSector);
			let sector = m.next_sector;
			Sectors::<T>::insert(&who, m.sectors, SectorCommitment { index: sector, root });
			SectorSlots::<T>::insert(&who, sector, m.sectors);
			Self::list_sector(&who, sector);
			Unsealed::<T>::insert(&who, sector, frame_system::Pallet::<T>::block_number());
			m.sectors += 1;
			m.unsealed += 1;
			m.next_sector = m.next_sector.saturating_add(1);
			Miners::<T>::insert(&who, m);
			Self::deposit_event(Event::SectorCommitted { miner: who, sector, root });
			Ok(())
		}

		/// Give up the last `count` filler sectors (to lower the capacity, or to free the
		/// disk).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::drop_sectors(*count))]
		pub fn drop_sectors(origin: OriginFor<T>, count: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			ensure!(!T::Challenged::contains(&who), Error::<T>::ChallengeOpen);
			Self::drop_last_sectors(&who, &mut m, count);
			Miners::<T>::insert(&who, m);
			Ok(())
		}

		/// Release the stake a capacity cut unbonded, once its unbonding period has passed.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			let (amount, until) = m.unbonding.ok_or(Error::<T>::NothingUnbonding)?;
			ensure!(frame_system::Pallet::<T>::block_number() >= until, Error::<T>::StillUnbonding);
			let released =
				T::Currency::release(&HoldReason::MinerStake.into(), &who, amount, Precision::BestEffort)?;
			m.unbonding = None;
			Miners::<T>::insert(&who, m);
			Self::deposit_event(Event::Unbonded { miner: who, amount: released });
			Ok(())
		}

		/// Seal the sector in `slot`: one link per chunk [`seal_indices`](Pallet::seal_indices)
		/// draws, from the block after its commit and within `SealDeadline` of it. From
		/// then on its bytes earn. A wrong proof is refused and changes nothing.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::prove_sector())]
		pub fn prove_sector(
			origin: OriginFor<T>,
			slot: u32,
			links: BoundedVec<SectorLink, T::SealChunks>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Miners::<T>::get(&who).ok_or(Error::<T>::NotMiner)?;
			let sector = Sectors::<T>::get(&who, slot).ok_or(Error::<T>::UnknownSector)?;
			let committed_at = Unsealed::<T>::get(&who, sector.index).ok_or(Error::<T>::AlreadySealed)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now > committed_at.saturating_add(1u32.into()), Error::<T>::SealNotReady);
			ensure!(now <= committed_at.saturating_add(T::SealDeadline::get()), Error::<T>::SealExpired);
			let indices = Self::seal_indices(&who, sector.index, committed_at);
			ensure!(links.len() == indices.len(), Error::<T>::WrongSealCount);
			let seed = filler::sector_seed(&who, sector.index);
			let size = Self::sector_size();
			for (j, link) in indices.iter().zip(links.iter()) {
				filler::verify_link(&sector.root, size, &seed, *j, link).map_err(|e| match e {
					LinkError::Proof(_) => Error::<T>::SealProofMismatch,
					LinkError::FirstChunk | LinkError::Broken => Error::<T>::SealBroken,
				})?;
			}
			Self::accrue(&mut m);
			Unsealed::<T>::remove(&who, sector.index);
			m.unsealed = m.unsealed.saturating_sub(1);
			Miners::<T>::insert(&who, m);
			Self::deposit_event(Event::SectorSealed { miner: who, sector: sector.index });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The stake `capacity` bytes require: `StakePerTiB` per TiB, rounded up, and at
	/// least `MinStake`.
	pub fn stake_for(capacity: u64) -> BalanceOf<T> {
		let per_tib: u128 = T::StakePerTiB::get().saturated_into();
		let stake: BalanceOf<T> = (per_tib.saturating_mul(capacity as u128)).div_ceil(TIB as u128).saturated_into();
		stake.max(T::MinStake::get())
	}

	/// The chunks (never chunk 0, which has no links) the seal proof of sector `index` of
	/// `miner`, committed at `committed_at`, answers: drawn from the hash of the block after
	/// the commit, which the miner could not know when it signed the commit.
	pub fn seal_indices(miner: &T::AccountId, index: u32, committed_at: BlockNumberFor<T>) -> alloc::vec::Vec<u64> {
		let hash = frame_system::Pallet::<T>::block_hash(committed_at.saturating_add(1u32.into()));
		// Labels 1.. (label 0 has no links to check).
		let span = filler::label_count(Self::sector_size()).saturating_sub(1).max(1);
		(0..T::SealChunks::get())
			.map(|i| {
				let draw = blake2_256(&(b"landmesh/seal", hash, miner, index, i).encode());
				1 + u64::from_le_bytes([draw[0], draw[1], draw[2], draw[3], draw[4], draw[5], draw[6], draw[7]]) % span
			})
			.collect()
	}

	/// Bytes in a filler sector on this chain.
	pub fn sector_size() -> u64 {
		SectorSizeOverride::<T>::get().unwrap_or_else(T::SectorSize::get)
	}

	/// A miner's sectors, slot by slot: `(slot, sector, the labels its seal proof must
	/// answer)`, the last `None` once sealed, while the block that draws them is still to
	/// come, and after the seal deadline. For its node, which seals and proves them.
	pub fn sectors_of(who: &T::AccountId) -> alloc::vec::Vec<(u32, SectorCommitment, Option<alloc::vec::Vec<u64>>)> {
		let Some(m) = Miners::<T>::get(who) else { return alloc::vec::Vec::new() };
		let now = frame_system::Pallet::<T>::block_number();
		(0..m.sectors)
			.filter_map(|slot| {
				let sector = Sectors::<T>::get(who, slot)?;
				// Drawn from the block after the commit; none from the deadline's last block
				// on (a seal sent then lands too late, and its fee is lost).
				let seal = Unsealed::<T>::get(who, sector.index)
					.filter(|at| now > at.saturating_add(1u32.into()) && now < at.saturating_add(T::SealDeadline::get()))
					.map(|at| Self::seal_indices(who, sector.index, at));
				Some((slot, sector, seal))
			})
			.collect()
	}

	/// The most proven bytes of one miner the reward pool counts: as much as `MaxSectors`
	/// filler sectors. A replica byte earns from the pool what a filler byte does, and no
	/// miner counts more than the filler it could have sealed, so storage an owner orders
	/// from its own miner earns from the pool nothing that filler in the same space would
	/// not (and costs the order fee); replicas beyond it earn their orders' payments.
	pub fn max_counted() -> u64 {
		(T::MaxSectors::get() as u64).saturating_mul(Self::sector_size())
	}

	/// Counts the byte·blocks `m` held up to now (its proven bytes, at most
	/// [`max_counted`](Self::max_counted)); called before its proven bytes change (the
	/// caller stores `m`).
	fn accrue(m: &mut MinerOf<T>) {
		let now = frame_system::Pallet::<T>::block_number();
		let blocks: u128 = now.saturating_sub(m.accrued_at).saturated_into();
		let counted = m.proven(Self::sector_size()).min(Self::max_counted());
		m.byte_blocks = m.byte_blocks.saturating_add(blocks.saturating_mul(counted as u128));
		m.accrued_at = now;
	}

	/// A dropped sector that was never sealed leaves the unsealed count.
	fn forget_seal(who: &T::AccountId, m: &mut MinerOf<T>, index: u32) {
		if Unsealed::<T>::take(who, index).is_some() {
			m.unsealed = m.unsealed.saturating_sub(1);
		}
	}

	/// Drops up to `count` of the miner's last sectors (the caller stores `m`).
	fn drop_last_sectors(who: &T::AccountId, m: &mut MinerOf<T>, count: u32) {
		let count = count.min(m.sectors);
		if count > 0 {
			Self::accrue(m);
		}
		for _ in 0..count {
			m.sectors -= 1;
			if let Some(s) = Sectors::<T>::take(who, m.sectors) {
				SectorSlots::<T>::remove(who, s.index);
				Self::unlist_sector(who, s.index);
				Self::forget_seal(who, m, s.index);
				Self::deposit_event(Event::SectorDropped { miner: who.clone(), sector: s.index });
			}
		}
	}

	/// Puts sector `index` of `who` at the end of [`AllSectors`].
	fn list_sector(who: &T::AccountId, index: u32) {
		let slot = SectorCount::<T>::get();
		AllSectors::<T>::insert(slot, (who.clone(), index));
		AllSectorSlots::<T>::insert(who, index, slot);
		SectorCount::<T>::put(slot.saturating_add(1));
	}

	/// Takes sector `index` of `who` off [`AllSectors`]; the last sector moves into its
	/// slot, so the list stays dense.
	fn unlist_sector(who: &T::AccountId, index: u32) {
		let Some(slot) = AllSectorSlots::<T>::take(who, index) else { return };
		let last = SectorCount::<T>::get().saturating_sub(1);
		SectorCount::<T>::put(last);
		let moved = AllSectors::<T>::take(last);
		if slot != last {
			if let Some((owner, moved_index)) = moved {
				AllSectorSlots::<T>::insert(&owner, moved_index, slot);
				AllSectors::<T>::insert(slot, (owner, moved_index));
			}
		}
	}

	/// Checks the invariants: replicas and sectors fit the capacity, confirmed ≤ committed,
	/// the sector slots are dense and their owners listed, the recorded stake is what is
	/// held, and the count is right.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let (mut count, mut sectors) = (0u32, 0u32);
		for (who, m) in Miners::<T>::iter() {
			frame_support::ensure!(m.committed <= m.capacity, "a miner is committed beyond its capacity");
			frame_support::ensure!(m.confirmed <= m.committed, "a miner confirmed more than is committed");
			frame_support::ensure!(
				(m.sectors as u64).saturating_mul(Self::sector_size()) <= m.free(),
				"a miner's sectors do not fit its free capacity"
			);
			frame_support::ensure!(
				Sectors::<T>::iter_key_prefix(&who).count() == m.sectors as usize
					&& (0..m.sectors).all(|slot| Sectors::<T>::contains_key(&who, slot)),
				"a miner's sector slots are not dense"
			);
			frame_support::ensure!(
				SectorSlots::<T>::iter_key_prefix(&who)
					.all(|index| AllSectorSlots::<T>::get(&who, index)
						.is_some_and(|at| AllSectors::<T>::get(at) == Some((who.clone(), index)))),
				"a sector is missing from the list challenges are drawn from"
			);
			sectors += m.sectors;
			frame_support::ensure!(
				SectorSlots::<T>::iter_prefix(&who).count() == m.sectors as usize
					&& SectorSlots::<T>::iter_prefix(&who)
						.all(|(index, slot)| Sectors::<T>::get(&who, slot).is_some_and(|s| s.index == index)),
				"a miner's sector slots index is wrong"
			);
			frame_support::ensure!(
				m.unsealed <= m.sectors && Unsealed::<T>::iter_key_prefix(&who).count() == m.unsealed as usize,
				"a miner's unsealed count is wrong"
			);
			frame_support::ensure!(
				T::Currency::balance_on_hold(&HoldReason::MinerStake.into(), &who)
					== m.stake.saturating_add(m.unbonding.map_or_else(Zero::zero, |(b, _)| b)),
				"a miner's recorded stake is not what is held"
			);
			count += 1;
		}
		frame_support::ensure!(count == MinerCount::<T>::get(), "miner count is wrong");
		frame_support::ensure!(
			sectors == SectorCount::<T>::get()
				&& AllSectors::<T>::iter().count() == sectors as usize
				&& AllSectorSlots::<T>::iter().count() == sectors as usize,
			"the list challenges are drawn from holds other sectors than those committed"
		);
		Ok(())
	}
}

impl<T: Config> CapacityLedger<T::AccountId> for Pallet<T> {
	fn commit(miner: &T::AccountId, bytes: u64) -> DispatchResult {
		Miners::<T>::try_mutate(miner, |m| {
			let m = m.as_mut().ok_or(Error::<T>::NotMiner)?;
			frame_support::ensure!(m.status == MinerStatus::Active, Error::<T>::Exiting);
			frame_support::ensure!(m.free() >= bytes, Error::<T>::InsufficientCapacity);
			m.committed += bytes;
			// Replicas take precedence over filler: drop the sectors that no longer fit. Not
			// while the miner is challenged: a replica pushing out its challenged sector
			// would void the challenge (assignment then picks another miner; an error here
			// leaves `m` unwritten).
			let excess = m.sectors.saturating_sub(m.sector_room(Self::sector_size()));
			frame_support::ensure!(excess == 0 || !T::Challenged::contains(miner), Error::<T>::ChallengeOpen);
			Self::drop_last_sectors(miner, m, excess);
			Ok(())
		})
	}

	fn confirm(miner: &T::AccountId, bytes: u64) {
		Miners::<T>::mutate(miner, |m| {
			if let Some(m) = m {
				Self::accrue(m);
				m.confirmed = m.confirmed.saturating_add(bytes).min(m.committed);
			}
		});
	}

	fn release(miner: &T::AccountId, bytes: u64, confirmed: bool) {
		Miners::<T>::mutate(miner, |m| {
			if let Some(m) = m {
				Self::accrue(m);
				m.committed = m.committed.saturating_sub(bytes);
				if confirmed {
					m.confirmed = m.confirmed.saturating_sub(bytes);
				}
				m.confirmed = m.confirmed.min(m.committed);
			}
		});
	}

	fn slash(miner: &T::AccountId, fraction: Perbill) -> u128 {
		let Some(mut m) = Miners::<T>::get(miner) else { return 0 };
		// Unbonding stake answers for what was committed while it was bonded.
		let (unbonding, until) = m.unbonding.unwrap_or_default();
		let amount = fraction * m.stake.saturating_add(unbonding);
		if amount.is_zero() {
			return 0;
		}
		let burned = T::Currency::burn_held(
			&HoldReason::MinerStake.into(),
			miner,
			amount,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_default();
		// Taken from what unbonds first, then from the bonded stake.
		let from_unbonding = burned.min(unbonding);
		m.unbonding = (unbonding > from_unbonding).then_some((unbonding - from_unbonding, until));
		m.stake = m.stake.saturating_sub(burned - from_unbonding);
		Miners::<T>::insert(miner, m);
		Self::deposit_event(Event::Slashed { miner: miner.clone(), amount: burned });
		burned.saturated_into()
	}

	fn candidates(min_free: u64) -> alloc::vec::Vec<(T::AccountId, u64, EndpointText)> {
		Miners::<T>::iter()
			.filter(|(_, m)| m.status == MinerStatus::Active && m.free() >= min_free)
			.map(|(who, m)| (who, m.free(), m.endpoints.region))
			.collect()
	}

	fn is_exiting(miner: &T::AccountId) -> bool {
		Miners::<T>::get(miner).is_some_and(|m| m.status != MinerStatus::Active)
	}

	fn capacity_of(miner: &T::AccountId) -> Option<(u64, u64)> {
		Miners::<T>::get(miner).map(|m| (m.capacity, m.committed))
	}

	fn stored_by_miner() -> alloc::vec::Vec<(T::AccountId, StoredBytes)> {
		let sector = Self::sector_size();
		Miners::<T>::iter()
			.map(|(who, m)| {
				let filler = (m.sectors as u64).saturating_mul(sector);
				(who, StoredBytes { committed: m.committed, confirmed: m.confirmed, filler })
			})
			.collect()
	}

	fn take_byte_blocks() -> alloc::vec::Vec<(T::AccountId, u128)> {
		// Read whole first: writing while iterating a map is undefined.
		let miners: alloc::vec::Vec<(T::AccountId, MinerOf<T>)> = Miners::<T>::iter().collect();
		miners
			.into_iter()
			.map(|(who, mut m)| {
				Self::accrue(&mut m);
				let byte_blocks = core::mem::take(&mut m.byte_blocks);
				Miners::<T>::insert(&who, m);
				(who, byte_blocks)
			})
			.collect()
	}

	fn sector_size() -> u64 {
		Self::sector_size()
	}

	fn sector_count() -> u32 {
		SectorCount::<T>::get()
	}

	fn sector_at(n: u32) -> Option<(T::AccountId, u32, SectorCommitment)> {
		let (miner, index) = AllSectors::<T>::get(n)?;
		let slot = SectorSlots::<T>::get(&miner, index)?;
		let sector = Sectors::<T>::get(&miner, slot)?;
		Some((miner, slot, sector))
	}

	fn has_sector(miner: &T::AccountId, index: u32) -> bool {
		SectorSlots::<T>::contains_key(miner, index)
	}

	fn sector_lost(miner: &T::AccountId, index: u32) {
		let Some(mut m) = Miners::<T>::get(miner) else { return };
		let Some(slot) = SectorSlots::<T>::take(miner, index) else { return };
		Self::accrue(&mut m);
		// Keep the slots dense: the last sector moves into the lost one's slot.
		let last = m.sectors.saturating_sub(1);
		if let Some(moved) = Sectors::<T>::take(miner, last) {
			if slot != last {
				Sectors::<T>::insert(miner, slot, moved);
				SectorSlots::<T>::insert(miner, moved.index, slot);
			}
		}
		m.sectors = last;
		Self::unlist_sector(miner, index);
		Self::forget_seal(miner, &mut m, index);
		Miners::<T>::insert(miner, m);
		Self::deposit_event(Event::SectorDropped { miner: miner.clone(), sector: index });
	}
}
