//! # Storage
//!
//! Storage orders: an owner pays to keep a content (a [`ContentId`] and its size) on `R`
//! miners for a number of periods.
//!
//! - [`place_order`](Pallet::place_order) burns [`Config::OrderFee`] (never refunded: an
//!   order locks miners' capacity from the moment it is placed), holds the whole price
//!   (`size × R × periods ×` [`Config::PricePerBytePeriod`]) from the owner as escrow and
//!   assigns `R` miners.
//! - **Assignment** is deterministic from the chain's randomness (BABE's VRF output in the
//!   Landmesh runtime): each replica goes to a miner drawn with probability proportional
//!   to its free capacity, never two replicas of one order on one miner, and to a miner of
//!   a region the order does not use yet whenever one has room. Capacity is booked through
//!   pallet-miners' ledger at once, so orders in the same block never over-commit a miner.
//! - **Assignment happens in the block after the request** (an order placed, a replica
//!   dropped, a `settle` that finds replicas missing): the request is queued and the next
//!   block's `on_initialize` draws with that block's randomness, the VRF output of the
//!   block the request was included in. Whoever signs a request sees only the randomness
//!   of the block before, so it cannot try orders (or time a `settle` or an expiry) until
//!   the draw lands on a miner of its choosing; re-rolling by cancelling and ordering again
//!   burns [`Config::OrderFee`] each time. At most [`Config::MaxAssignmentsPerBlock`]
//!   requests wait per block; `place_order` refuses more (`AssignmentsFull`: retry in the
//!   next block), and a repair that finds the queue full leaves the order short for
//!   `settle`. An order with too few miners when its turn comes runs short the same way.
//! - **Replicas are sealed per miner** (`landmesh_primitives::replica`): a miner's replica
//!   is the content XOR a chain of labels derived from its account, the order and the
//!   content, slow to derive on purpose. The miner
//!   [`commit_replica`](Pallet::commit_replica)s the roots of the chain and of the
//!   replica, then [`confirm`](Pallet::confirm)s with the seal proof: [`Config::SealDraws`]
//!   labels drawn from the hash of the block after the commit, each derived from its
//!   links and, in the mask, XORed with the content into the replica, plus the content's
//!   last chunk (which pins the declared size, see `landmesh_primitives::proof`). Only
//!   confirmed replicas are paid; challenges ask for chunks of the sealed replica, which
//!   no other holder has and which the content alone cannot rebuild in time.
//! - **Payment** is lazy: [`settle`](Pallet::settle) (anyone may call it; every other call
//!   on an order settles first) pays each confirmed replica `size × PricePerBytePeriod` per
//!   elapsed period out of the escrow. At the end the order is closed: capacity released,
//!   the unspent escrow returned.
//! - [`renew`](Pallet::renew) extends and pays more; [`cancel`](Pallet::cancel) closes
//!   early and refunds the unused part.
//! - **Storage that lives with the land**: [`place_model_order`](Pallet::place_model_order)
//!   places an order that belongs to a model NFT. Its escrow moves to this pallet's account
//!   ([`Config::PalletId`]), so it follows the model: the model's current owner cancels it
//!   and receives what is unspent (at the end too); anyone may renew it (a top-up: the
//!   periods paid are added at once, and what is unused is refunded with the rest, so a
//!   prepaid balance and an extension are the same thing); burning the model ends its
//!   orders, paying the miners for the blocks kept and refunding the owner. A parcel buyer
//!   reads a model's storage (live replicas, stored until, last proven) in
//!   `landmesh_model` and `landmesh_modelsInRegion` ([`Pallet::storage_status`]). A
//!   refund the owner's account cannot receive (less than the existential deposit, to an
//!   account that does not exist) stays on the pallet's account.
//! - **Repair**: a replica lost to a failed challenge ([`Pallet::replica_lost`], called by
//!   pallet-audit) or held by a miner that is leaving ([`evacuate`](Pallet::evacuate)) is
//!   dropped and reassigned; the new miner fetches the content from the other holders and
//!   confirms. If no miner has room, the order runs short and `settle` tries again.
//! - **Expiry**: a replica not confirmed within [`Config::ConfirmDeadline`] is dropped by
//!   [`expire_unconfirmed`](Pallet::expire_unconfirmed) (anyone) and reassigned; the late
//!   miner loses the assignment, not stake. An order no miner ever confirmed closes
//!   instead (nobody showed the content exists): escrow refunded, the fee not.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod confirmed;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod test_runtime;
#[doc(hidden)]
pub use landmesh_primitives as primitives;
pub mod types;
pub mod weights;

use alloc::vec::Vec;
use codec::Encode;
use landmesh_primitives::{
	proof::{self, ChunkProof, ProofError},
	replica::{self, SealDraw, SealError, SealRoots},
	world::StorageStatus,
	ContentId, ModelId,
};
use pallet_miners::CapacityLedger;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation, Restriction},
			Contains, Get, Randomness,
		},
		BoundedVec, PalletId,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_io::hashing::blake2_256,
	sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		DispatchError, SaturatedConversion,
	},
};

/// The models orders can belong to (pallet-models, through the runtime).
pub trait ModelRecords<AccountId> {
	/// A model's owner and its data `(content id, size)`, if the model exists.
	fn model(model: ModelId) -> Option<(AccountId, ContentId, u64)>;
	/// For benchmarks: a model of `owner` whose data is `content` (`size` bytes).
	#[cfg(feature = "runtime-benchmarks")]
	fn model_for_benchmark(owner: &AccountId, content: ContentId, size: u64) -> ModelId;
}

impl<AccountId> ModelRecords<AccountId> for () {
	fn model(_: ModelId) -> Option<(AccountId, ContentId, u64)> {
		None
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn model_for_benchmark(_: &AccountId, _: ContentId, _: u64) -> ModelId {
		0
	}
}

/// The balance type of [`Config::Currency`].
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An order as stored.
pub type OrderOf<T> = Order<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxReplicas,
>;

/// What pallet-audit needs from the storage orders.
pub trait ReplicaRegistry<AccountId> {
	/// Bytes of all confirmed replicas together: what replica challenges are drawn from.
	fn confirmed_bytes() -> u128;
	/// The confirmed replica holding byte `byte` of all confirmed bytes laid end to end
	/// (`byte < confirmed_bytes()`), so that each is drawn in proportion to its size:
	/// `(order, miner, root of its sealed replica, size)`.
	fn confirmed_at(byte: u128) -> Option<(OrderId, AccountId, ContentId, u64)>;
	/// Drops a replica that failed a challenge and reassigns it.
	fn replica_lost(order: OrderId, miner: &AccountId) -> Result<(), DispatchError>;
	/// Records that the miner just proved its replica.
	fn replica_proven(order: OrderId, miner: &AccountId);
	/// Whether `miner` still keeps a confirmed replica of live order `order`.
	fn holds(order: OrderId, miner: &AccountId) -> bool;
	/// Whether `order` is still open.
	fn is_open(order: OrderId) -> bool;
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
		/// CYBR: escrow is held on the owner and paid out to miners from the hold.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The miner registry and its capacity ledger (pallet-miners).
		type Miners: CapacityLedger<Self::AccountId>;
		/// Where assignments come from (BABE's randomness in the Landmesh runtime).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;
		/// The price of keeping one byte on one replica for one period.
		#[pallet::constant]
		type PricePerBytePeriod: Get<BalanceOf<Self>>;
		/// Blocks in a storage period.
		#[pallet::constant]
		type PeriodLength: Get<BlockNumberFor<Self>>;
		/// The most replicas an order may ask for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;
		/// The largest content an order may store, in bytes.
		#[pallet::constant]
		type MaxContentSize: Get<u64>;
		/// The most miners assignment considers (pallet-miners' `MaxMiners`): bounds its scan.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;
		/// Blocks an assigned miner has to confirm its replica; past them
		/// [`expire_unconfirmed`](Pallet::expire_unconfirmed) drops it.
		#[pallet::constant]
		type ConfirmDeadline: Get<BlockNumberFor<Self>>;
		/// The miners with a challenge open (pallet-audit): an order whose holder is being
		/// challenged cannot be cancelled until the challenge closes, or an owner could
		/// void the challenges of a miner it colludes with.
		type Challenged: Contains<Self::AccountId>;
		/// Assignment requests (orders placed, replicas dropped, refills) drawn per block:
		/// each scans up to `MaxCandidates` miners in `on_initialize`.
		#[pallet::constant]
		type MaxAssignmentsPerBlock: Get<u32>;
		/// Burned from the owner on every order, refunded never: an order of content that
		/// does not exist locks miners' capacity until its deadline, and that is not free.
		#[pallet::constant]
		type OrderFee: Get<BalanceOf<Self>>;
		/// Bytes in a filler sector (pallet-miners'): a replica's chain starts with a
		/// sector's worth of labels (at most `replica::MAX_PREFIX`), which rebuilding any
		/// of its chunks must derive again.
		type SectorSize: Get<u64>;
		/// Draws a replica's seal proof answers.
		#[pallet::constant]
		type SealDraws: Get<u32>;
		/// The models orders can belong to.
		type Models: ModelRecords<Self::AccountId>;
		/// Names the account that holds the escrow of the orders that belong to models.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// The most open orders one model may have (burning it closes them all).
		#[pallet::constant]
		type MaxOrdersPerModel: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The unspent payment of the owner's storage orders.
		StorageEscrow,
	}

	/// Every open order.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Twox64Concat, OrderId, OrderOf<T>>;

	/// The id the next order gets.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// The replicas each miner keeps: `(miner, order)`, so a node finds its work and a
	/// leaving miner's replicas are found without scanning every order.
	#[pallet::storage]
	pub type MinerReplicas<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, OrderId, ()>;

	/// Assignment requests made in this block, drawn in the next one: each order with the
	/// miners it must not go to (those just dropped from it).
	#[pallet::storage]
	pub type PendingAssignments<T: Config> = StorageValue<
		_,
		BoundedVec<(OrderId, BoundedVec<T::AccountId, T::MaxReplicas>), T::MaxAssignmentsPerBlock>,
		ValueQuery,
	>;

	/// The open orders of each content, so a client finds where a content is kept.
	#[pallet::storage]
	pub type OrdersByContent<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ContentId, Twox64Concat, OrderId, ()>;

	/// The open orders that belong to each model.
	#[pallet::storage]
	pub type OrdersByModel<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, OrderId, ()>;

	/// Every confirmed replica, in dense slots `0..ConfirmedCount`: `(order, miner, size)`.
	/// Challenges are drawn from this list by bytes (see the `confirmed` module).
	#[pallet::storage]
	pub type ConfirmedReplicas<T: Config> = StorageMap<_, Twox64Concat, u32, (OrderId, T::AccountId, u64)>;

	/// The slot of each confirmed replica in [`ConfirmedReplicas`].
	#[pallet::storage]
	pub type ConfirmedSlots<T: Config> =
		StorageDoubleMap<_, Twox64Concat, OrderId, Blake2_128Concat, T::AccountId, u32>;

	/// How many replicas are confirmed.
	#[pallet::storage]
	pub type ConfirmedCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The Fenwick tree of the confirmed replicas' sizes: node `i ≥ 1` holds the bytes of
	/// slots `i - lowbit(i) .. i`.
	#[pallet::storage]
	pub type ConfirmedBytes<T: Config> = StorageMap<_, Twox64Concat, u32, u128, ValueQuery>;

	/// The number of slots the tree covers: 0, or a power of two at least
	/// [`ConfirmedCount`].
	#[pallet::storage]
	pub type ConfirmedSpan<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An order was placed and paid for.
		OrderPlaced {
			order: OrderId,
			owner: T::AccountId,
			content_id: ContentId,
			size: u64,
			replicas: u32,
			end: BlockNumberFor<T>,
			cost: BalanceOf<T>,
		},
		/// An order placed for a model (`OrderPlaced` says the rest): it belongs to the model.
		ModelOrderPlaced { order: OrderId, model: ModelId, payer: T::AccountId },
		/// An order that belongs to a model was closed and its unspent escrow paid to the
		/// model's owner.
		ModelRefunded { order: OrderId, model: ModelId, owner: T::AccountId, amount: BalanceOf<T> },
		/// A replica was assigned to a miner, which should fetch and confirm it.
		ReplicaAssigned { order: OrderId, miner: T::AccountId },
		/// No miner had room for a replica; `settle` will try again.
		ReplicaUnplaced { order: OrderId },
		/// A miner committed the roots of its sealed replica; its seal proof is drawn from
		/// the next block.
		ReplicaCommitted { order: OrderId, miner: T::AccountId, roots: SealRoots },
		/// A miner proved it holds its sealed replica.
		ReplicaConfirmed { order: OrderId, miner: T::AccountId },
		/// A replica was dropped (lost in a challenge, or its miner is leaving).
		ReplicaDropped { order: OrderId, miner: T::AccountId },
		/// A miner was paid for its replica.
		MinerPaid { order: OrderId, miner: T::AccountId, amount: BalanceOf<T> },
		/// An order was extended.
		Renewed { order: OrderId, end: BlockNumberFor<T>, cost: BalanceOf<T> },
		/// An order was closed (ended or cancelled) and its unspent escrow returned.
		Closed { order: OrderId, refund: BalanceOf<T> },
		/// A replica not confirmed within `ConfirmDeadline` was dropped.
		ReplicaExpired { order: OrderId, miner: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A content must be at least one byte.
		EmptyContent,
		/// The content is larger than `MaxContentSize`.
		ContentTooLarge,
		/// An order needs between 1 and `MaxReplicas` replicas.
		BadReplicaCount,
		/// An order or renewal must pay for at least one period.
		ZeroPeriods,
		/// Fewer miners have room for the content than the replicas asked for.
		NotEnoughMiners,
		/// The price overflows.
		Overflow,
		/// No open order has this id.
		UnknownOrder,
		/// Only the order's owner may do this.
		NotOwner,
		/// The caller holds no replica of this order.
		NotHolder,
		/// The replica is confirmed already.
		AlreadyConfirmed,
		/// The proof's chunk is not as long as the content's last chunk.
		ProofWrongLength,
		/// The proof has the wrong number of siblings for the content's size.
		ProofWrongDepth,
		/// The proof does not lead to the content id.
		ProofMismatch,
		/// The miner is not leaving; its replicas stay.
		MinerNotExiting,
		/// The order has ended; `settle` closes it.
		OrderEnded,
		/// No replica of the order is past its confirmation deadline.
		NothingExpired,
		/// A holder of the order has a challenge open: cancel once it closes.
		HolderChallenged,
		/// `MaxAssignmentsPerBlock` orders wait for miners already: place it in the next
		/// block.
		AssignmentsFull,
		/// The replica's roots are committed already (they cannot change before the seal
		/// proof: the draws are made for them).
		AlreadyCommitted,
		/// Commit the replica's roots (`commit_replica`) before confirming it.
		NotCommitted,
		/// The seal proof reads the hash of the block after the commit: wait a block.
		SealNotReady,
		/// `ConfirmDeadline` has passed since the assignment: the replica can only expire.
		ConfirmTooLate,
		/// The seal proof must answer `SealDraws` draws, in order.
		WrongSealCount,
		/// No model has this id.
		UnknownModel,
		/// Only the model's current owner may do this.
		NotModelOwner,
		/// The model has `MaxOrdersPerModel` open orders already.
		TooManyModelOrders,
		/// A chunk of the seal proof does not prove against the committed roots or the
		/// content id.
		SealProofMismatch,
		/// A label of the seal proof is not derived from its links: the chain is not this
		/// replica's.
		SealBroken,
		/// A replica chunk of the seal proof is not the content XOR the mask: the replica
		/// is not sealed.
		NotSealed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Draws the miners for the requests of the last block, with this block's
		/// randomness.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let pending = PendingAssignments::<T>::take();
			let requests = pending.len() as u32;
			for (order, exclude) in pending {
				// An order that ended meanwhile gets no miners (`settle` closes it).
				let Some(mut o) = Orders::<T>::get(order).filter(|o| now < o.end) else { continue };
				let missing = o.replicas.saturating_sub(o.holders.len() as u32);
				if missing > 0 {
					Self::assign(order, &mut o, missing, &exclude);
					Orders::<T>::insert(order, o);
				}
			}
			// Each request is drawn among up to `MaxCandidates` miners; an idle block reads
			// the empty queue.
			T::WeightInfo::assign_request(T::MaxCandidates::get())
				.saturating_mul(requests.into())
				.saturating_add(T::DbWeight::get().reads_writes(1, 1))
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Keep `content_id` (`size` bytes) on `replicas` miners for `periods` periods,
		/// holding the whole price now. The miners are drawn in the next block.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::place_order(T::MaxCandidates::get()))]
		pub fn place_order(
			origin: OriginFor<T>,
			content_id: ContentId,
			size: u64,
			replicas: u32,
			periods: u32,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::place(&owner, content_id, size, replicas, periods, None).map(|_| ())
		}

		/// Keep the data of `model` on `replicas` miners for `periods` periods, for the
		/// model: the order belongs to it (see the module docs). The model's owner; the
		/// price and the fee are paid now, the escrow moved to this pallet's account.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::place_model_order(T::MaxCandidates::get()))]
		pub fn place_model_order(origin: OriginFor<T>, model: ModelId, replicas: u32, periods: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (owner, content_id, size) = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(owner == who, Error::<T>::NotModelOwner);
			ensure!(
				(OrdersByModel::<T>::iter_key_prefix(model).count() as u32) < T::MaxOrdersPerModel::get(),
				Error::<T>::TooManyModelOrders
			);
			let order = Self::place(&who, content_id, size, replicas, periods, Some(model))?;
			OrdersByModel::<T>::insert(model, order, ());
			Self::deposit_event(Event::ModelOrderPlaced { order, model, payer: who });
			Ok(())
		}

		/// Show, as an assigned miner that committed its replica's roots, that it holds
		/// its sealed replica: one answer per draw of [`seal_draws`](Pallet::seal_draws)
		/// (made from the hash of the block after the commit), and a proof of the
		/// content's last chunk against the content id (which pins the size). A wrong
		/// proof is refused and changes nothing.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::confirm())]
		pub fn confirm(
			origin: OriginFor<T>,
			order: OrderId,
			proof: ChunkProof,
			seal: BoundedVec<SealDraw, T::SealDraws>,
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let mut o = Self::settled(order)?;
			let at = o.holders.iter().position(|r| r.miner == miner).ok_or(Error::<T>::NotHolder)?;
			ensure!(!o.holders[at].confirmed, Error::<T>::AlreadyConfirmed);
			let (roots, committed_at) = o.holders[at].seal.ok_or(Error::<T>::NotCommitted)?;
			// Past the deadline the replica is `expire_unconfirmed`'s, and its draw's block
			// hash may be forgotten (a draw known in advance could be forged for).
			let deadline = o.holders[at].assigned_at.saturating_add(T::ConfirmDeadline::get());
			ensure!(frame_system::Pallet::<T>::block_number() <= deadline, Error::<T>::ConfirmTooLate);
			let draws = Self::seal_draws(order, &miner, &o, committed_at).ok_or(Error::<T>::SealNotReady)?;
			ensure!(draws.len() == seal.len(), Error::<T>::WrongSealCount);
			let seed = replica::replica_seed(&miner, order, &o.content_id);
			let layout = replica::Layout::new(o.size, T::SectorSize::get());
			for (draw, answer) in draws.into_iter().zip(seal.iter()) {
				replica::verify_draw(&seed, &layout, &o.content_id, &roots, draw, answer).map_err(|e| match e {
					SealError::Proof(_) => Error::<T>::SealProofMismatch,
					SealError::Broken => Error::<T>::SealBroken,
					SealError::NotSealed => Error::<T>::NotSealed,
				})?;
			}
			let last = proof::chunk_count(o.size) - 1;
			proof::verify(&o.content_id, o.size, last, &proof).map_err(|e| match e {
				ProofError::WrongChunkLength | ProofError::IndexOutOfRange => Error::<T>::ProofWrongLength,
				ProofError::WrongDepth => Error::<T>::ProofWrongDepth,
				ProofError::RootMismatch => Error::<T>::ProofMismatch,
			})?;
			o.holders[at].confirmed = true;
			o.ever_confirmed = true;
			T::Miners::confirm(&miner, o.size);
			Self::index_confirmed(order, &miner, o.size);
			Orders::<T>::insert(order, o);
			Self::deposit_event(Event::ReplicaConfirmed { order, miner });
			Ok(())
		}

		/// Commit, as an assigned miner, the roots of its sealed replica of `order` and of
		/// the chain of labels it was sealed with (`landmesh_primitives::replica`). The
		/// seal proof ([`confirm`](Self::confirm)) is drawn from the next block's hash,
		/// unknown when this was signed. Once only: a commit sent twice is refused.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::commit_replica())]
		pub fn commit_replica(origin: OriginFor<T>, order: OrderId, roots: SealRoots) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let mut o = Self::settled(order)?;
			let r = o.holders.iter_mut().find(|r| r.miner == miner).ok_or(Error::<T>::NotHolder)?;
			ensure!(r.seal.is_none(), Error::<T>::AlreadyCommitted);
			r.seal = Some((roots, frame_system::Pallet::<T>::block_number()));
			Orders::<T>::insert(order, o);
			Self::deposit_event(Event::ReplicaCommitted { order, miner, roots });
			Ok(())
		}

		/// Extend an order by `periods`, paying for them now. Owner; anyone, for an order
		/// that belongs to a model (a top-up: the model's owner gets what is unused back).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::renew())]
		pub fn renew(origin: OriginFor<T>, order: OrderId, periods: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(periods > 0, Error::<T>::ZeroPeriods);
			let mut o = Self::settled(order)?;
			ensure!(o.model.is_some() || o.owner == who, Error::<T>::NotOwner);
			let cost = Self::price(o.size, o.replicas, periods)?;
			Self::escrow(&who, &o.owner, cost)?;
			o.escrow = o.escrow.saturating_add(cost);
			o.end = o.end.saturating_add(T::PeriodLength::get().saturating_mul(periods.into()));
			let end = o.end;
			Orders::<T>::insert(order, o);
			Self::deposit_event(Event::Renewed { order, end, cost });
			Ok(())
		}

		/// Close an order now: miners are paid for the time elapsed (whole periods, and the
		/// current one pro rata per block), the rest of the escrow returns to the owner.
		/// Owner; for an order that belongs to a model, the model's current owner.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel(T::MaxReplicas::get()).saturating_add(Pallet::<T>::unlisting(T::MaxReplicas::get())))]
		pub fn cancel(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut o = Self::settled(order)?;
			match o.model {
				Some(model) => ensure!(
					T::Models::model(model).is_some_and(|(owner, ..)| owner == who),
					Error::<T>::NotModelOwner
				),
				None => ensure!(o.owner == who, Error::<T>::NotOwner),
			}
			ensure!(!o.holders.iter().any(|r| T::Challenged::contains(&r.miner)), Error::<T>::HolderChallenged);
			Self::pay_partial(order, &mut o);
			Self::close_to(order, o, None);
			Ok(())
		}

		/// Pay what is due on an order, close it if it has ended, and ask for miners for
		/// missing replicas (drawn in the next block). Anyone (a miner wanting its pay, a
		/// keeper).
		#[pallet::call_index(4)]
		// Settling an ended order closes it, as `cancel` does (each confirmed replica taken
		// off the challenge list): whichever costs more.
		#[pallet::weight(
			T::WeightInfo::settle(T::MaxReplicas::get())
				.max(T::WeightInfo::cancel(T::MaxReplicas::get()))
				.saturating_add(Pallet::<T>::unlisting(T::MaxReplicas::get()))
		)]
		pub fn settle(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			ensure_signed(origin)?;
			let Some(o) = Self::settle_order(order)? else { return Ok(()) };
			if (o.holders.len() as u32) < o.replicas {
				// Drawn in the next block; when the queue is full, a later settle asks again.
				let _ = Self::request_assignment(order, &[]);
			}
			Orders::<T>::insert(order, o);
			Ok(())
		}

		/// Move a leaving miner's replica of an order to another miner. Anyone.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::evacuate().saturating_add(Pallet::<T>::unlisting(1)))]
		pub fn evacuate(origin: OriginFor<T>, order: OrderId, miner: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(T::Miners::is_exiting(&miner), Error::<T>::MinerNotExiting);
			Self::replica_lost(order, &miner)
		}

		/// Drop the replicas of an order not confirmed within `ConfirmDeadline`. Anyone (the
		/// owner, who wants its content kept; miners, who want the capacity back).
		///
		/// The late miners lose the assignment and its pay, not stake: whether a content
		/// can be fetched is up to those who hold it, and an owner colluding with a holder
		/// that never serves could otherwise have honest miners slashed every deadline.
		/// Other miners are assigned. An order that no miner ever confirmed closes instead
		/// (nobody showed the content exists, it may never have been uploaded): its escrow
		/// is refunded, the fee is not.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::expire_unconfirmed(T::MaxReplicas::get()))]
		pub fn expire_unconfirmed(origin: OriginFor<T>, order: OrderId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			// An ended order is `settle`'s to close (at its price), not this call's.
			let mut o = Self::settled(order)?;
			let now = frame_system::Pallet::<T>::block_number();
			let late: Vec<T::AccountId> = o
				.holders
				.iter()
				.filter(|r| !r.confirmed && r.assigned_at.saturating_add(T::ConfirmDeadline::get()) <= now)
				.map(|r| r.miner.clone())
				.collect();
			ensure!(!late.is_empty(), Error::<T>::NothingExpired);
			let count = late.len() as u32;
			for miner in &late {
				Self::deposit_event(Event::ReplicaExpired { order, miner: miner.clone() });
			}
			if !o.ever_confirmed {
				Self::close_to(order, o, None);
				return Ok(Some(T::WeightInfo::expire_unconfirmed(count)).into());
			}
			Self::replace_holders(order, &mut o, &late);
			Orders::<T>::insert(order, o);
			Ok(Some(T::WeightInfo::expire_unconfirmed(count)).into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// `size × replicas × periods × PricePerBytePeriod`, or `Overflow`.
	fn price(size: u64, replicas: u32, periods: u32) -> Result<BalanceOf<T>, Error<T>> {
		let per: u128 = T::PricePerBytePeriod::get().saturated_into();
		let total = (size as u128)
			.checked_mul(replicas as u128)
			.and_then(|v| v.checked_mul(periods as u128))
			.and_then(|v| v.checked_mul(per))
			.ok_or(Error::<T>::Overflow)?;
		BalanceOf::<T>::try_from(total).map_err(|_| Error::<T>::Overflow)
	}

	/// Assigns up to `count` more replicas of `order`, never to a holder or to `exclude`,
	/// booking capacity; returns how many were placed.
	fn assign(order: OrderId, o: &mut OrderOf<T>, count: u32, exclude: &[T::AccountId]) -> u32 {
		let (seed, _) = T::Randomness::random(&(b"landmesh/storage", order, o.holders.len() as u32).encode());
		let mut pool: Vec<_> = T::Miners::candidates(o.size)
			.into_iter()
			.filter(|(m, _, _)| !exclude.contains(m) && !o.holders.iter().any(|r| &r.miner == m))
			.collect();
		let mut regions: Vec<_> = Vec::new();
		let now = frame_system::Pallet::<T>::block_number();
		let mut placed = 0;
		for round in 0..count {
			// Prefer miners of a region the order does not use yet.
			let fresh: Vec<usize> = (0..pool.len()).filter(|i| !regions.contains(&pool[*i].2)).collect();
			let eligible: Vec<usize> = if fresh.is_empty() { (0..pool.len()).collect() } else { fresh };
			let total: u128 = eligible.iter().map(|i| pool[*i].1 as u128).sum();
			if total == 0 {
				Self::deposit_event(Event::ReplicaUnplaced { order });
				continue;
			}
			let draw = u128::from_le_bytes(
				blake2_256(&(seed, round).encode())[..16].try_into().expect("16 of 32 bytes"),
			) % total;
			let mut acc = 0u128;
			let pick = eligible
				.iter()
				.copied()
				.find(|i| {
					acc += pool[*i].1 as u128;
					draw < acc
				})
				.unwrap_or(eligible[eligible.len() - 1]);
			let (miner, _, region) = pool.swap_remove(pick);
			if T::Miners::commit(&miner, o.size).is_err() {
				continue;
			}
			if o.holders.try_push(Replica { miner: miner.clone(), assigned_at: now, seal: None, confirmed: false, last_proven: None }).is_err() {
				T::Miners::release(&miner, o.size, false);
				break;
			}
			regions.push(region);
			MinerReplicas::<T>::insert(&miner, order, ());
			Self::deposit_event(Event::ReplicaAssigned { order, miner });
			placed += 1;
		}
		placed
	}

	/// The account that holds the escrow of the orders that belong to models.
	pub fn model_escrow_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Places an order paid by `payer` (the fee burned, the price held: on the payer, or on
	/// the pallet's account for an order that belongs to `model`); returns its id.
	fn place(
		payer: &T::AccountId,
		content_id: ContentId,
		size: u64,
		replicas: u32,
		periods: u32,
		model: Option<ModelId>,
	) -> Result<OrderId, DispatchError> {
		use frame_support::ensure;
		ensure!(size > 0, Error::<T>::EmptyContent);
		ensure!(size <= T::MaxContentSize::get(), Error::<T>::ContentTooLarge);
		ensure!((1..=T::MaxReplicas::get()).contains(&replicas), Error::<T>::BadReplicaCount);
		ensure!(periods > 0, Error::<T>::ZeroPeriods);
		let cost = Self::price(size, replicas, periods)?;
		// Checked now so that an order nobody could keep is refused; the miners are drawn
		// in the next block, when some of them may have filled up (the order then runs
		// short until `settle` finds room).
		let room = T::Miners::candidates(size).len() as u32;
		ensure!(room >= replicas, Error::<T>::NotEnoughMiners);
		T::Currency::burn_from(payer, T::OrderFee::get(), Preservation::Preserve, Precision::Exact, Fortitude::Polite)?;
		let owner = if model.is_some() { Self::model_escrow_account() } else { payer.clone() };
		Self::escrow(payer, &owner, cost)?;
		let order = NextOrderId::<T>::get();
		NextOrderId::<T>::put(order.saturating_add(1));
		let now = frame_system::Pallet::<T>::block_number();
		let end = now.saturating_add(T::PeriodLength::get().saturating_mul(periods.into()));
		let placed = Order {
			owner: owner.clone(),
			model,
			content_id,
			size,
			replicas,
			end,
			paid_until: now,
			escrow: cost,
			holders: Default::default(),
			ever_confirmed: false,
		};
		ensure!(Self::request_assignment(order, &[]), Error::<T>::AssignmentsFull);
		Orders::<T>::insert(order, placed);
		OrdersByContent::<T>::insert(content_id, order, ());
		Self::deposit_event(Event::OrderPlaced { order, owner, content_id, size, replicas, end, cost });
		Ok(order)
	}

	/// Holds `amount` of `payer`'s as escrow on `on` (the payer itself, or the pallet's
	/// account for an order of a model: created with the existential deposit, minted, the
	/// first time, so that it can hold).
	fn escrow(payer: &T::AccountId, on: &T::AccountId, amount: BalanceOf<T>) -> polkadot_sdk::sp_runtime::DispatchResult {
		if payer == on {
			return T::Currency::hold(&HoldReason::StorageEscrow.into(), payer, amount);
		}
		if T::Currency::total_balance(on).is_zero() {
			T::Currency::mint_into(on, T::Currency::minimum_balance())?;
		}
		T::Currency::transfer_and_hold(
			&HoldReason::StorageEscrow.into(),
			payer,
			on,
			amount,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map(|_| ())
	}

	/// Closes the orders of a model being burnt by `owner`, who receives what is unspent;
	/// the miners are paid for the blocks they kept. Refused while a holder has a challenge
	/// open (as `cancel` is), so a burn cannot void a colluding miner's challenges.
	pub fn close_model_orders(model: ModelId, owner: &T::AccountId) -> polkadot_sdk::sp_runtime::DispatchResult {
		let orders: Vec<OrderId> = OrdersByModel::<T>::iter_key_prefix(model).collect();
		for order in &orders {
			let o = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
			frame_support::ensure!(
				!o.holders.iter().any(|r| T::Challenged::contains(&r.miner)),
				Error::<T>::HolderChallenged
			);
		}
		for order in orders {
			// An ended order is closed by its settlement; one still running, pro rata.
			if let Some(mut o) = Self::settle_order(order)? {
				Self::pay_partial(order, &mut o);
				Self::close_to(order, o, Some(owner));
			}
		}
		Ok(())
	}

	/// How a `size`-byte content is kept, for its model's views: across its open orders of
	/// that size (an order of another size can never be confirmed), the replicas paid for
	/// and confirmed, the last block paid for by an order with a confirmed replica (an
	/// order anyone can place for a fee but no miner keeps promises nothing), the last
	/// block a replica of it was proven.
	pub fn storage_status(content_id: &ContentId, size: u64) -> StorageStatus {
		let mut status = StorageStatus::default();
		let orders = OrdersByContent::<T>::iter_key_prefix(content_id).filter_map(|id| Some((id, Orders::<T>::get(id)?)));
		for (id, o) in orders.filter(|(_, o)| o.size == size) {
			status.orders.push(id);
			status.replicas = status.replicas.saturating_add(o.replicas);
			let live = o.holders.iter().filter(|r| r.confirmed).count() as u32;
			status.live_replicas = status.live_replicas.saturating_add(live);
			if live > 0 {
				status.stored_until = status.stored_until.max(o.end.saturated_into());
			}
			let proven = o.holders.iter().filter_map(|r| r.last_proven).max().map(|b| b.saturated_into::<u64>());
			status.last_proven = status.last_proven.max(proven);
		}
		status.orders.sort_unstable();
		status
	}

	/// The labels `(in the chain, in the mask)` the seal proof of `miner`'s replica of
	/// `order` answers, one pair per draw, made from the hash of the block after the
	/// commit (`committed_at`), which the miner could not know when it signed the commit.
	/// `None` until that block exists, and once the chain has forgotten its hash (the
	/// draws would then be known in advance; `ConfirmDeadline` is shorter than the chain
	/// keeps hashes, so an honest seal never meets this).
	pub fn seal_draws(
		order: OrderId,
		miner: &T::AccountId,
		o: &OrderOf<T>,
		committed_at: BlockNumberFor<T>,
	) -> Option<Vec<(u64, u64)>> {
		let next = committed_at.saturating_add(1u32.into());
		if frame_system::Pallet::<T>::block_number() <= next {
			return None;
		}
		let hash = frame_system::Pallet::<T>::block_hash(next);
		if hash == T::Hash::default() {
			return None;
		}
		let layout = replica::Layout::new(o.size, T::SectorSize::get());
		Some((0..T::SealDraws::get()).map(|i| layout.draw(&blake2_256(&(b"landmesh/replica-seal", hash, order, miner, i).encode()))).collect())
	}

	/// Pays what is due on an order; closes it and returns `None` if it has ended. The
	/// caller stores the returned order (every caller changes it and writes it once).
	fn settle_order(order: OrderId) -> Result<Option<OrderOf<T>>, DispatchError> {
		let mut o = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
		Self::pay_due(order, &mut o);
		if frame_system::Pallet::<T>::block_number() >= o.end {
			Self::close_to(order, o, None);
			return Ok(None);
		}
		Ok(Some(o))
	}

	/// The order after paying what is due, for a change to it: an ended order takes no
	/// change (`OrderEnded`; `settle` closes it).
	/// Checked before paying: an ended order's closing (every replica paid and taken off
	/// the challenge list) is `settle`'s work, priced for it, not a cheaper call's that
	/// would fail and roll it back, nor a hook's.
	fn settled(order: OrderId) -> Result<OrderOf<T>, DispatchError> {
		let o = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
		frame_support::ensure!(frame_system::Pallet::<T>::block_number() < o.end, Error::<T>::OrderEnded);
		Ok(Self::settle_order(order)?.ok_or(Error::<T>::OrderEnded)?)
	}

	/// Pays each confirmed replica for the whole periods elapsed since the last payment.
	fn pay_due(order: OrderId, o: &mut OrderOf<T>) {
		let now = frame_system::Pallet::<T>::block_number().min(o.end);
		let period = T::PeriodLength::get();
		if period.is_zero() || now <= o.paid_until {
			return;
		}
		let periods: u32 = ((now - o.paid_until) / period).saturated_into();
		if periods == 0 {
			return;
		}
		o.paid_until = o.paid_until.saturating_add(period.saturating_mul(periods.into()));
		let Ok(each) = Self::price(o.size, 1, periods) else { return };
		Self::pay_holders(order, o, each);
	}

	/// Pays each confirmed replica for the blocks of the current period it has already
	/// kept, pro rata: an owner who cancels just before a period ends does not get that
	/// period for free.
	fn pay_partial(order: OrderId, o: &mut OrderOf<T>) {
		let now = frame_system::Pallet::<T>::block_number().min(o.end);
		let period: u128 = T::PeriodLength::get().saturated_into();
		if period == 0 || now <= o.paid_until {
			return;
		}
		let blocks: u128 = now.saturating_sub(o.paid_until).saturated_into();
		o.paid_until = now;
		let Ok(whole) = Self::price(o.size, 1, 1) else { return };
		let whole: u128 = whole.saturated_into();
		Self::pay_holders(order, o, (whole.saturating_mul(blocks) / period).saturated_into());
	}

	/// Pays `each` to every confirmed replica's miner out of the escrow, while it lasts.
	fn pay_holders(order: OrderId, o: &mut OrderOf<T>, each: BalanceOf<T>) {
		for r in o.holders.iter().filter(|r| r.confirmed) {
			let amount = each.min(o.escrow);
			if amount.is_zero() {
				break;
			}
			if T::Currency::transfer_on_hold(
				&HoldReason::StorageEscrow.into(),
				&o.owner,
				&r.miner,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)
			.is_ok()
			{
				o.escrow -= amount;
				Self::deposit_event(Event::MinerPaid { order, miner: r.miner.clone(), amount });
			}
		}
	}

	/// Removes an order: capacity released, index cleared, the unspent escrow returned (for
	/// an order of a model, to `to` if given, else to the model's owner).
	fn close_to(order: OrderId, o: OrderOf<T>, to: Option<&T::AccountId>) {
		for r in &o.holders {
			T::Miners::release(&r.miner, o.size, r.confirmed);
			MinerReplicas::<T>::remove(&r.miner, order);
			Self::unindex_confirmed(order, &r.miner);
		}
		let refund = T::Currency::release(&HoldReason::StorageEscrow.into(), &o.owner, o.escrow, Precision::BestEffort)
			.unwrap_or_default();
		Orders::<T>::remove(order);
		OrdersByContent::<T>::remove(o.content_id, order);
		if let Some(model) = o.model {
			OrdersByModel::<T>::remove(model, order);
			// What is unspent goes to whoever owns the model now (`to`, when it is being
			// burnt); a model that is gone leaves it on the pallet's account.
			if let Some(owner) = to.cloned().or_else(|| T::Models::model(model).map(|(owner, ..)| owner)) {
				if T::Currency::transfer(&o.owner, &owner, refund, Preservation::Preserve).is_ok() {
					Self::deposit_event(Event::ModelRefunded { order, model, owner, amount: refund });
				}
			}
		}
		Self::deposit_event(Event::Closed { order, refund });
	}

	/// Drops `miner`'s replica of `order` (a failed challenge, or the miner is leaving) and
	/// assigns another miner, which fetches the content from the remaining holders.
	pub fn replica_lost(order: OrderId, miner: &T::AccountId) -> Result<(), DispatchError> {
		let mut o = Self::settled(order)?;
		frame_support::ensure!(o.holders.iter().any(|r| &r.miner == miner), Error::<T>::NotHolder);
		Self::deposit_event(Event::ReplicaDropped { order, miner: miner.clone() });
		Self::replace_holders(order, &mut o, core::slice::from_ref(miner));
		Orders::<T>::insert(order, o);
		Ok(())
	}

	/// Drops `miners`' replicas of `order` (capacity released, index cleared) and asks for
	/// as many other miners, never one of them, drawn in the next block (the caller stores
	/// `o`).
	fn replace_holders(order: OrderId, o: &mut OrderOf<T>, miners: &[T::AccountId]) {
		for r in o.holders.iter().filter(|r| miners.contains(&r.miner)) {
			T::Miners::release(&r.miner, o.size, r.confirmed);
			MinerReplicas::<T>::remove(&r.miner, order);
			Self::unindex_confirmed(order, &r.miner);
		}
		o.holders.retain(|r| !miners.contains(&r.miner));
		if !Self::request_assignment(order, miners) {
			Self::deposit_event(Event::ReplicaUnplaced { order });
		}
	}

	/// Queues `order` for miners in the next block, never one of `exclude`; `false` if
	/// `MaxAssignmentsPerBlock` other orders wait already. An order waits once: a second
	/// request (a `settle` called again and again, say) adds its exclusions to the first
	/// and takes no other place.
	fn request_assignment(order: OrderId, exclude: &[T::AccountId]) -> bool {
		PendingAssignments::<T>::mutate(|pending| {
			if let Some((_, excluded)) = pending.iter_mut().find(|(o, _)| *o == order) {
				for miner in exclude {
					if !excluded.contains(miner) {
						// At most MaxReplicas miners are ever dropped from one order at once.
						let _ = excluded.try_push(miner.clone());
					}
				}
				return true;
			}
			pending.try_push((order, BoundedVec::truncate_from(exclude.to_vec()))).is_ok()
		})
	}

}

impl<T: Config> ReplicaRegistry<T::AccountId> for Pallet<T> {
	fn confirmed_bytes() -> u128 {
		Pallet::<T>::confirmed_bytes()
	}

	fn confirmed_at(byte: u128) -> Option<(OrderId, T::AccountId, ContentId, u64)> {
		let (order, miner) = Pallet::<T>::confirmed_at(byte)?;
		// An ended order waiting for `settle` takes no challenge.
		let o = Orders::<T>::get(order).filter(|o| frame_system::Pallet::<T>::block_number() < o.end)?;
		// Challenged on the miner's own sealed replica, which no other holder has.
		let (roots, _) = o.holders.iter().find(|r| r.miner == miner)?.seal?;
		Some((order, miner, roots.replica, o.size))
	}

	fn replica_lost(order: OrderId, miner: &T::AccountId) -> Result<(), DispatchError> {
		Pallet::<T>::replica_lost(order, miner)
	}

	fn is_open(order: OrderId) -> bool {
		Orders::<T>::contains_key(order)
	}

	fn holds(order: OrderId, miner: &T::AccountId) -> bool {
		// An ended order is no one's to keep any more, settled or not: its challenges are
		// voided, never slashed.
		let now = frame_system::Pallet::<T>::block_number();
		Orders::<T>::get(order)
			.is_some_and(|o| now < o.end && o.holders.iter().any(|r| &r.miner == miner && r.confirmed))
	}

	fn replica_proven(order: OrderId, miner: &T::AccountId) {
		let now = frame_system::Pallet::<T>::block_number();
		Orders::<T>::mutate(order, |o| {
			if let Some(r) = o.as_mut().and_then(|o| o.holders.iter_mut().find(|r| &r.miner == miner)) {
				r.last_proven = Some(now);
			}
		});
	}
}

impl<T: Config> Pallet<T> {
	/// The invariants: every order has at most `replicas` holders, on distinct miners,
	/// indexed in `MinerReplicas`; each owner's held escrow is the sum of its orders'.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use alloc::collections::{BTreeMap, BTreeSet};
		use frame_support::traits::fungible::InspectHold;
		use frame_support::ensure;
		let mut escrow = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut stored = BTreeMap::<T::AccountId, (u64, u64)>::new();
		let (mut indexed, mut listed) = (0usize, 0usize);
		for (id, o) in Orders::<T>::iter() {
			ensure!(o.holders.len() as u32 <= o.replicas, "more holders than replicas");
			let distinct: BTreeSet<_> = o.holders.iter().map(|r| r.miner.encode()).collect();
			ensure!(distinct.len() == o.holders.len(), "two replicas of one order on one miner");
			for r in &o.holders {
				ensure!(MinerReplicas::<T>::contains_key(&r.miner, id), "replica missing from the miner index");
				let (committed, confirmed) = stored.entry(r.miner.clone()).or_default();
				*committed += o.size;
				if r.confirmed {
					*confirmed += o.size;
				}
			}
			listed += o.holders.iter().filter(|r| r.confirmed).count();
			indexed += o.holders.len();
			ensure!(OrdersByContent::<T>::contains_key(o.content_id, id), "order missing from the content index");
			if let Some(model) = o.model {
				ensure!(OrdersByModel::<T>::contains_key(model, id), "a model's order missing from its index");
				ensure!(o.owner == Self::model_escrow_account(), "a model's order holds its escrow elsewhere");
			}
			let e = escrow.entry(o.owner.clone()).or_insert_with(Zero::zero);
			*e = e.saturating_add(o.escrow);
		}
		ensure!(MinerReplicas::<T>::iter().count() == indexed, "miner index holds stale replicas");
		Self::try_confirmed_index(listed)?;
		ensure!(OrdersByContent::<T>::iter().count() == Orders::<T>::iter().count(), "content index holds closed orders");
		for (model, id, ()) in OrdersByModel::<T>::iter() {
			ensure!(Orders::<T>::get(id).is_some_and(|o| o.model == Some(model)), "the model index holds a closed order");
		}
		// Capacity is booked only through orders in the runtime, so what the ledger says a
		// miner has committed (and confirmed) is exactly the sum of its replicas.
		for (miner, bytes) in T::Miners::stored_by_miner() {
			let (committed, confirmed) = stored.get(&miner).copied().unwrap_or_default();
			ensure!(committed == bytes.committed, "a miner's committed bytes differ from its replicas");
			ensure!(confirmed == bytes.confirmed, "a miner's confirmed bytes differ from its replicas");
		}
		for (owner, sum) in escrow {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::StorageEscrow.into(), &owner) == sum,
				"held escrow differs from the orders' escrow"
			);
		}
		Ok(())
	}
}
