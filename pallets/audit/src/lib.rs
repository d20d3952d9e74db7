//! # Audit
//!
//! Storage challenges: proof of retrievability for the replicas miners are paid for.
//!
//! Every [`Config::ChallengePeriod`] blocks the pallet draws, from the chain's randomness,
//! up to [`Config::ChallengesPerPeriod`] confirmed replicas, and for each
//! [`Config::ChunksPerChallenge`] chunk indices. Neither is known before the block that
//! opens the challenge (BABE's VRF output of the parent block), so a miner cannot keep only
//! the chunks it will be asked for.
//!
//! The miner [`answer`](Pallet::answer)s with one chunk proof per index (a signed
//! transaction from its key, which its node's off-chain worker submits) within
//! [`Config::ResponseDeadline`] blocks. The runtime verifies every proof against the
//! content id. A wrong answer is refused with a named error and changes nothing, so a
//! miner whose disk returned a bad chunk can still answer correctly before the deadline.
//! A challenge still open at its deadline is *missed*, and misses are graduated: a miner's
//! first miss within [`Config::MissWindow`] costs [`Config::FirstMissSlash`] and the same
//! replica or sector is challenged again at once for the same chunks (a node that was
//! unreachable for a few blocks, or whose answer a stuffed block delayed, keeps its
//! replica); a second miss within the window *fails*: the miner loses
//! [`Config::SlashFraction`] of its stake, the replica is dropped and reassigned (repair,
//! in pallet-storage), and the failure is recorded. A miner that lost data loses the
//! replica one retry later, after at most two deadlines. Each miner's passes and challenges are
//! counted per era ([`Config::EraLength`] blocks), for the rewards.
//!
//! Filler sectors (proof of space, `landmesh_primitives::filler`) committed in
//! pallet-miners are challenged in the same rounds. Each draw goes to a replica with the
//! replicas' share of the stored bytes but never less than half (to the other kind when
//! there is none), so filler cannot dilute replica audits; within the kind it picks one byte of all of
//! it (dense lists in pallet-storage and pallet-miners) and challenges what holds it: a
//! target in proportion to its size, so a miner with 1 024 sectors is challenged 1 024
//! times as often as one with one, and closed orders take no draws. A sector
//! challenge names 32-byte labels `u ≥ 1`; the miner
//! [`answer_sector`](Pallet::answer_sector)s with, for each, proofs of the chunks holding
//! the label, its predecessor and its parents, and the runtime checks that the label is
//! derived from them. A missed sector challenge slashes like a
//! missed replica challenge and drops the sector.

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
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod test_runtime;
pub mod weights;

use codec::{Decode, Encode, MaxEncodedLen};
use landmesh_primitives::{
	filler::{self, LinkError, SectorLink},
	proof::{self, ChunkProof, ProofError},
	ContentId,
};
pub use landmesh_primitives::storage::ChallengeTarget;
use pallet_miners::CapacityLedger;
use pallet_storage::ReplicaRegistry;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{Get, Randomness},
		weights::Weight,
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_io::hashing::blake2_256,
	sp_runtime::{
		traits::{Saturating, Zero},
		Perbill, SaturatedConversion,
	},
};
use scale_info::TypeInfo;

/// Names a challenge.
pub type ChallengeId = u64;
/// An era: `block / EraLength`.
pub type EraIndex = u32;

/// An open challenge: which chunks of which replica or sector, by when.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxChunks))]
#[codec(mel_bound(AccountId: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct Challenge<AccountId, BlockNumber, MaxChunks: Get<u32>> {
	/// The miner that must answer.
	pub miner: AccountId,
	/// The replica or sector challenged.
	pub target: ChallengeTarget,
	/// The content's id (the sector's root).
	pub content_id: ContentId,
	/// The content's (the sector's) size.
	pub size: u64,
	/// The chunk indices to prove, in this order.
	pub indices: BoundedVec<u64, MaxChunks>,
	/// The last block an answer is accepted in.
	pub deadline: BlockNumber,
}

/// Scores removed per block when an era's are pruned: more than any era holds (one per
/// miner).
const MAX_PRUNED: u32 = 4096;

/// A challenge as stored.
pub type ChallengeOf<T> =
	Challenge<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, <T as Config>::ChunksPerChallenge>;

/// Passes and challenges of a miner in an era.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Score {
	/// Challenges answered correctly in time.
	pub passed: u32,
	/// Challenges issued.
	pub total: u32,
}

/// What the rewards need from the audit: eras and each miner's score in them.
pub trait EraScores<AccountId, BlockNumber> {
	/// The era a block falls in.
	fn era_of(block: BlockNumber) -> EraIndex;
	/// A miner's challenges passed and issued in an era.
	fn score(era: EraIndex, miner: &AccountId) -> Score;
}

impl<T: Config> EraScores<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn era_of(block: BlockNumberFor<T>) -> EraIndex {
		Pallet::<T>::era_of(block)
	}

	fn score(era: EraIndex, miner: &T::AccountId) -> Score {
		Scores::<T>::get(era, miner)
	}
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
		/// The replicas (pallet-storage).
		type Replicas: ReplicaRegistry<Self::AccountId>;
		/// The miners, for slashing (pallet-miners).
		type Miners: CapacityLedger<Self::AccountId>;
		/// Where challenges come from (BABE's randomness in the Landmesh runtime).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;
		/// Blocks between two rounds of challenges.
		#[pallet::constant]
		type ChallengePeriod: Get<BlockNumberFor<Self>>;
		/// Replicas challenged per round.
		#[pallet::constant]
		type ChallengesPerPeriod: Get<u32>;
		/// Chunks asked per challenge.
		#[pallet::constant]
		type ChunksPerChallenge: Get<u32>;
		/// Blocks a miner has to answer.
		#[pallet::constant]
		type ResponseDeadline: Get<BlockNumberFor<Self>>;
		/// The fraction of its stake a miner loses per failed challenge.
		#[pallet::constant]
		type SlashFraction: Get<Perbill>;
		/// The fraction a miner loses for a first miss, after which the target is
		/// challenged again.
		#[pallet::constant]
		type FirstMissSlash: Get<Perbill>;
		/// A miss this many blocks or fewer after the miner's last one fails outright.
		#[pallet::constant]
		type MissWindow: Get<BlockNumberFor<Self>>;
		/// Blocks in an era (for the scores).
		#[pallet::constant]
		type EraLength: Get<BlockNumberFor<Self>>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Open challenges.
	#[pallet::storage]
	pub type Challenges<T: Config> = StorageMap<_, Twox64Concat, ChallengeId, ChallengeOf<T>>;

	/// The open challenges of each miner, so its node finds them without a scan.
	#[pallet::storage]
	pub type OpenChallenges<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ChallengeId, ()>;

	/// The challenges whose deadline is this block.
	#[pallet::storage]
	pub type Deadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ChallengeId, T::ChallengesPerPeriod>,
		ValueQuery,
	>;

	/// The id the next challenge gets.
	#[pallet::storage]
	pub type NextChallengeId<T: Config> = StorageValue<_, ChallengeId, ValueQuery>;

	/// The block of each miner's last missed challenge: a second miss within `MissWindow`
	/// fails outright. One entry per miner that ever missed.
	#[pallet::storage]
	pub type LastMiss<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// Each miner's score per era.
	#[pallet::storage]
	pub type Scores<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, Score, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A miner must prove these chunks of its replica by `deadline`.
		Challenged {
			challenge: ChallengeId,
			miner: T::AccountId,
			target: ChallengeTarget,
			indices: BoundedVec<u64, T::ChunksPerChallenge>,
			deadline: BlockNumberFor<T>,
		},
		/// A miner answered a challenge correctly.
		Passed { challenge: ChallengeId, miner: T::AccountId },
		/// A miner missed its first challenge in `MissWindow`: `FirstMissSlash` burned, the
		/// same target challenged again as `retry`.
		Missed { challenge: ChallengeId, miner: T::AccountId, target: ChallengeTarget, slashed: u128, retry: ChallengeId },
		/// A miner missed a challenge again within `MissWindow`: slashed, its replica
		/// dropped for repair (or its sector dropped).
		Failed { challenge: ChallengeId, miner: T::AccountId, target: ChallengeTarget, slashed: u128 },
		/// A challenge closed unanswered whose target the chain had removed meanwhile (an
		/// order ended or cancelled, a replica moved, a sector pushed out): nothing slashed,
		/// not counted.
		Voided { challenge: ChallengeId, miner: T::AccountId, target: ChallengeTarget },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No open challenge has this id (never issued, answered already, or expired).
		UnknownChallenge,
		/// The challenge is for another miner.
		NotChallenged,
		/// The deadline has passed.
		TooLate,
		/// One proof per challenged index, in order.
		WrongProofCount,
		/// A proof's chunk does not have the length of the chunk at its index.
		ProofWrongLength,
		/// A proof has the wrong number of siblings for its index.
		ProofWrongDepth,
		/// A proof does not lead to the content id.
		ProofMismatch,
		/// The challenge is on a sector: answer with `answer_sector`.
		SectorChallenge,
		/// The challenge is on a replica: answer with `answer`.
		ReplicaChallenge,
		/// The proven chunk is not derived from its predecessor and parents: the committed
		/// sector is not this miner's filler.
		LinkBroken,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let expired = Self::expire(now);
			let period = T::ChallengePeriod::get();
			let issued = if !period.is_zero() && (now % period).is_zero() { Self::issue(now) } else { 0 };
			// A failed replica leaves the challenge list: two tree paths of up to 33 nodes
			// each, which the benchmark's neighbouring slots share (pallet-storage's
			// `unlisting`).
			T::WeightInfo::on_initialize(issued, expired)
				.saturating_add(T::DbWeight::get().reads_writes(66, 66).saturating_mul(expired.into()))
				.saturating_add(Self::prune(now))
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Answer a challenge with one chunk proof per challenged index. The challenged
		/// miner, before the deadline. A wrong answer is refused and changes nothing.
		///
		/// Operational, and free when correct: blocks filled with normal transactions
		/// cannot crowd answers out (operational space is reserved), and an honest miner
		/// does not pay to be audited. A wrong answer pays its fee.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::answer(T::ChunksPerChallenge::get()), DispatchClass::Operational))]
		pub fn answer(
			origin: OriginFor<T>,
			challenge: ChallengeId,
			proofs: BoundedVec<ChunkProof, T::ChunksPerChallenge>,
		) -> DispatchResultWithPostInfo {
			let miner = ensure_signed(origin)?;
			let c = Self::answerable(challenge, &miner, proofs.len())?;
			let ChallengeTarget::Replica { order } = c.target else { return Err(Error::<T>::SectorChallenge.into()) };
			for (index, p) in c.indices.iter().zip(proofs.iter()) {
				proof::verify(&c.content_id, c.size, *index, p).map_err(Error::<T>::from)?;
			}
			T::Replicas::replica_proven(order, &miner);
			Self::pass(challenge, c);
			Ok(Pays::No.into())
		}

		/// Answer a sector challenge: for each challenged chunk, proofs of it, its
		/// predecessor and its parents, which must show it derived from them. The
		/// challenged miner, before the deadline. A wrong answer changes nothing.
		/// Operational and free when correct, as [`answer`](Self::answer).
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::answer_sector(T::ChunksPerChallenge::get()), DispatchClass::Operational))]
		pub fn answer_sector(
			origin: OriginFor<T>,
			challenge: ChallengeId,
			links: BoundedVec<SectorLink, T::ChunksPerChallenge>,
		) -> DispatchResultWithPostInfo {
			let miner = ensure_signed(origin)?;
			let c = Self::answerable(challenge, &miner, links.len())?;
			let ChallengeTarget::Sector { index: sector, .. } = c.target else {
				return Err(Error::<T>::ReplicaChallenge.into());
			};
			let seed = filler::sector_seed(&miner, sector);
			for (j, link) in c.indices.iter().zip(links.iter()) {
				filler::verify_link(&c.content_id, c.size, &seed, *j, link).map_err(|e| match e {
					LinkError::Proof(e) => Error::<T>::from(e),
					// Issued challenges never name chunk 0; if one did, no answer exists.
					LinkError::FirstChunk | LinkError::Broken => Error::<T>::LinkBroken,
				})?;
			}
			Self::pass(challenge, c);
			Ok(Pays::No.into())
		}
	}
}

/// Whether two targets are the same replica or sector (a sector by its derivation index:
/// its slot moves when another sector is lost).
fn same_target(a: &ChallengeTarget, b: &ChallengeTarget) -> bool {
	match (a, b) {
		(ChallengeTarget::Sector { index: x, .. }, ChallengeTarget::Sector { index: y, .. }) => x == y,
		_ => a == b,
	}
}

/// The miners with a challenge open, for pallet-miners (`Config::Challenged`): they may not
/// leave or drop sectors until it closes.
pub struct HasOpenChallenge<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::Contains<T::AccountId> for HasOpenChallenge<T> {
	fn contains(miner: &T::AccountId) -> bool {
		OpenChallenges::<T>::iter_prefix(miner).next().is_some()
	}
}

impl<T> From<ProofError> for Error<T> {
	fn from(e: ProofError) -> Self {
		match e {
			ProofError::WrongChunkLength | ProofError::IndexOutOfRange => Error::<T>::ProofWrongLength,
			ProofError::WrongDepth => Error::<T>::ProofWrongDepth,
			ProofError::RootMismatch => Error::<T>::ProofMismatch,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The era a block falls in.
	pub fn era_of(block: BlockNumberFor<T>) -> EraIndex {
		let era = T::EraLength::get();
		if era.is_zero() {
			return 0;
		}
		(block / era).saturated_into()
	}

	/// The open challenge `id` of `miner`, if an answer of `count` proofs is due now.
	fn answerable(id: ChallengeId, miner: &T::AccountId, count: usize) -> Result<ChallengeOf<T>, Error<T>> {
		let c = Challenges::<T>::get(id).ok_or(Error::<T>::UnknownChallenge)?;
		frame_support::ensure!(&c.miner == miner, Error::<T>::NotChallenged);
		frame_support::ensure!(frame_system::Pallet::<T>::block_number() <= c.deadline, Error::<T>::TooLate);
		frame_support::ensure!(count == c.indices.len(), Error::<T>::WrongProofCount);
		Ok(c)
	}

	/// Closes a correctly answered challenge and counts the pass.
	fn pass(id: ChallengeId, c: ChallengeOf<T>) {
		Self::close(id, &c);
		Scores::<T>::mutate(Self::era_of(c.deadline), &c.miner, |s| s.passed = s.passed.saturating_add(1));
		Self::deposit_event(Event::Passed { challenge: id, miner: c.miner });
	}

	/// What draw `draw` challenges: a replica or a sector, even odds while both exist (so
	/// however much filler the miners seal, replicas keep half the draws), and within the
	/// kind one byte of all of it, from dense lists: a target is challenged in proportion
	/// to its size (a miner with 1 024 sectors 1 024 times as often as one with one) and
	/// nothing closed takes a draw. Returns `(miner, target, root, size, (first, end))`,
	/// the last the range the challenged indices are drawn from.
	fn pick(draw: &[u8; 32]) -> Option<(T::AccountId, ChallengeTarget, ContentId, u64, (u64, u64))> {
		let byte = u128::from_le_bytes(draw[..16].try_into().expect("16 of 32 bytes"));
		let replica = || {
			let bytes = T::Replicas::confirmed_bytes();
			let (order, miner, root, size) = T::Replicas::confirmed_at(byte.checked_rem(bytes)?)?;
			Some((miner, ChallengeTarget::Replica { order }, root, size, (0, proof::chunk_count(size))))
		};
		let sector = || {
			let count = u128::from(T::Miners::sector_count());
			let (miner, slot, s) = T::Miners::sector_at(byte.checked_rem(count)?.saturated_into())?;
			let size = T::Miners::sector_size();
			// A sector challenge names labels; label 0 has no links to check.
			Some((miner, ChallengeTarget::Sector { slot, index: s.index }, s.root, size, (1, filler::label_count(size))))
		};
		// Replicas get their share of the bytes, and never less than half the draws.
		let replica_bytes = T::Replicas::confirmed_bytes();
		let total = replica_bytes
			.saturating_add(u128::from(T::Miners::sector_count()).saturating_mul(T::Miners::sector_size().into()));
		let shift = 64u32.saturating_sub(total.leading_zeros());
		let (share, whole) = (replica_bytes >> shift, (total >> shift).max(1));
		let x = u128::from(u32::from_le_bytes([draw[16], draw[17], draw[18], draw[19]]));
		let replicas_first = x < 1 << 31 || x.saturating_mul(whole) < share << 32;
		if replicas_first {
			replica().or_else(sector)
		} else {
			sector().or_else(replica)
		}
	}

	/// Opens this round's challenges; returns how many.
	fn issue(now: BlockNumberFor<T>) -> u32 {
		let (seed, _) = T::Randomness::random(&(b"landmesh/audit", now).encode());
		let deadline = now.saturating_add(T::ResponseDeadline::get());
		let mut issued = 0;
		for k in 0..T::ChallengesPerPeriod::get() {
			let draw = blake2_256(&(seed, k).encode());
			let Some((miner, target, content_id, size, (first, end))) = Self::pick(&draw) else { continue };
			// One open challenge per replica or sector at a time.
			let busy = OpenChallenges::<T>::iter_prefix(&miner)
				.any(|(id, _)| Challenges::<T>::get(id).is_some_and(|c| same_target(&c.target, &target)));
			if busy {
				continue;
			}
			let indices = Self::draw_indices(&draw, first, end);
			if Self::open(miner, target, content_id, size, indices, deadline).is_none() {
				break;
			}
			issued += 1;
		}
		issued
	}

	/// `ChunksPerChallenge` indices in `first..end` (chunks of a replica, labels of a
	/// sector), drawn with `draw`.
	fn draw_indices(draw: &[u8; 32], first: u64, end: u64) -> BoundedVec<u64, T::ChunksPerChallenge> {
		let span = end.saturating_sub(first).max(1);
		(0..T::ChunksPerChallenge::get())
			.map(|i| {
				let pick = blake2_256(&(draw, i).encode());
				first + u64::from_le_bytes(pick[..8].try_into().expect("8 of 32 bytes")) % span
			})
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.expect("exactly ChunksPerChallenge indices")
	}

	/// Opens a challenge on `target` of `miner` for `indices`, due by `deadline`; `None` if
	/// that deadline has `ChallengesPerPeriod` challenges already.
	fn open(
		miner: T::AccountId,
		target: ChallengeTarget,
		content_id: ContentId,
		size: u64,
		indices: BoundedVec<u64, T::ChunksPerChallenge>,
		deadline: BlockNumberFor<T>,
	) -> Option<ChallengeId> {
		Deadlines::<T>::try_mutate(deadline, |ids| ids.try_push(NextChallengeId::<T>::get())).ok()?;
		let id = NextChallengeId::<T>::mutate(|n| {
			*n += 1;
			*n - 1
		});
		Challenges::<T>::insert(id, Challenge { miner: miner.clone(), target, content_id, size, indices: indices.clone(), deadline });
		OpenChallenges::<T>::insert(&miner, id, ());
		Scores::<T>::mutate(Self::era_of(deadline), &miner, |s| s.total = s.total.saturating_add(1));
		Self::deposit_event(Event::Challenged { challenge: id, miner, target, indices, deadline });
		Some(id)
	}

	/// Fails the challenges whose deadline was the previous block; returns how many.
	fn expire(now: BlockNumberFor<T>) -> u32 {
		let due = now.saturating_sub(1u32.into());
		let mut failed = 0;
		for id in Deadlines::<T>::take(due) {
			let Some(c) = Challenges::<T>::get(id) else { continue };
			Self::close(id, &c);
			// The chain removed the target meanwhile (the order was cancelled or ended, the
			// replica moved, a replica pushed the sector out): nothing is owed, so nothing
			// is slashed and the challenge does not count. A miner cannot remove its own
			// target while challenged (pallet-miners refuses to drop sectors or leave, and an
			// exiting miner's evacuated replicas still count against it).
			// A leaving miner's replica is evacuated (its order still open) because it chose
			// to leave: that removal is its own doing, and the miss is slashed as any other.
			let stands = match c.target {
				ChallengeTarget::Replica { order } => {
					T::Replicas::holds(order, &c.miner)
						|| (T::Miners::is_exiting(&c.miner) && T::Replicas::is_open(order))
				},
				ChallengeTarget::Sector { index, .. } => T::Miners::has_sector(&c.miner, index),
			};
			if !stands {
				Scores::<T>::mutate(Self::era_of(c.deadline), &c.miner, |s| s.total = s.total.saturating_sub(1));
				Self::deposit_event(Event::Voided { challenge: id, miner: c.miner, target: c.target });
				// Counted for the hook's weight, which was charged for a failure.
				failed += 1;
				continue;
			}
			// Graduated: a first miss in the window costs little and is asked again at once.
			let again = LastMiss::<T>::get(&c.miner).is_some_and(|at| now <= at.saturating_add(T::MissWindow::get()));
			LastMiss::<T>::insert(&c.miner, now);
			if !again {
				// The same chunks again: a node that was late can answer them, and a miner
				// that lacks some gets no second draw to hope for better.
				let deadline = now.saturating_add(T::ResponseDeadline::get());
				if let Some(retry) = Self::open(c.miner.clone(), c.target, c.content_id, c.size, c.indices.clone(), deadline) {
					let slashed = T::Miners::slash(&c.miner, T::FirstMissSlash::get());
					Self::deposit_event(Event::Missed { challenge: id, miner: c.miner, target: c.target, slashed, retry });
					failed += 1;
					continue;
				}
				// No room for a retry at that deadline: the miss counts in full.
			}
			let slashed = T::Miners::slash(&c.miner, T::SlashFraction::get());
			match c.target {
				// The order may have closed meanwhile; then there is nothing to repair.
				ChallengeTarget::Replica { order } => {
					let _ = T::Replicas::replica_lost(order, &c.miner);
				},
				ChallengeTarget::Sector { index, .. } => T::Miners::sector_lost(&c.miner, index),
			}
			Self::deposit_event(Event::Failed { challenge: id, miner: c.miner, target: c.target, slashed });
			failed += 1;
		}
		failed
	}

	/// At an era's first block, drops the scores of the era before last: the rewards have
	/// read them (at the last era's end), nothing reads them again, and they would
	/// otherwise grow with every era. Returns the weight of the removal.
	fn prune(now: BlockNumberFor<T>) -> Weight {
		let era = T::EraLength::get();
		if era.is_zero() || !(now % era).is_zero() {
			return Weight::zero();
		}
		let Some(old) = Self::era_of(now).checked_sub(2) else { return Weight::zero() };
		let removed = Scores::<T>::clear_prefix(old, MAX_PRUNED, None);
		T::DbWeight::get().reads_writes(removed.loops.into(), removed.unique.into())
	}

	fn close(id: ChallengeId, c: &ChallengeOf<T>) {
		Challenges::<T>::remove(id);
		OpenChallenges::<T>::remove(&c.miner, id);
	}

	/// The invariants: every open challenge is indexed by miner and by deadline.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		for (id, c) in Challenges::<T>::iter() {
			frame_support::ensure!(OpenChallenges::<T>::contains_key(&c.miner, id), "challenge missing from the miner index");
			frame_support::ensure!(Deadlines::<T>::get(c.deadline).contains(&id), "challenge missing from its deadline");
		}
		frame_support::ensure!(
			OpenChallenges::<T>::iter().count() == Challenges::<T>::iter().count(),
			"miner index holds closed challenges"
		);
		Ok(())
	}
}
