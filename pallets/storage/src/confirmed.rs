//! The confirmed replicas as one dense list weighted by bytes: what challenges are drawn
//! from (pallet-audit), so that a replica is challenged in proportion to its size and a
//! draw never lands on a closed order.
//!
//! Replicas take slots `0..ConfirmedCount` of [`ConfirmedReplicas`]; a dropped replica's
//! slot is taken by the last one, so the list stays dense however many orders close. The
//! sizes are summed in a Fenwick tree ([`ConfirmedBytes`], node `i ≥ 1` holding the bytes
//! of slots `i - lowbit(i) .. i`) over a power-of-two span ([`ConfirmedSpan`]): adding,
//! dropping and finding the replica that holds byte `b` of all confirmed bytes laid end to
//! end each touch one node per level, at most 33 for 2^32 replicas. The span doubles when
//! full, which costs one write: the new root's range is the old root's plus empty slots.

use crate::{pallet::*, OrderId};
use polkadot_sdk::frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	/// Bytes of all confirmed replicas together.
	pub fn confirmed_bytes() -> u128 {
		match ConfirmedSpan::<T>::get() {
			0 => 0,
			span => ConfirmedBytes::<T>::get(span),
		}
	}

	/// The confirmed replica holding byte `byte` of the confirmed bytes laid end to end in
	/// slot order: `(order, miner)`; `None` past the end.
	pub fn confirmed_at(byte: u128) -> Option<(OrderId, T::AccountId)> {
		if byte >= Self::confirmed_bytes() {
			return None;
		}
		// Descend from the root: the largest `slot` whose prefix sum is at most `byte`.
		let span = ConfirmedSpan::<T>::get();
		let (mut slot, mut rest, mut step) = (0u32, byte, span);
		while step > 0 {
			let next = slot + step;
			if next <= span {
				let below = ConfirmedBytes::<T>::get(next);
				if below <= rest {
					slot = next;
					rest -= below;
				}
			}
			step >>= 1;
		}
		ConfirmedReplicas::<T>::get(slot).map(|(order, miner, _)| (order, miner))
	}

	/// What taking `replicas` confirmed replicas off the list may cost beyond what the
	/// benchmarks measure: each walks two paths of the tree (its slot's, and the last
	/// slot's, which moves into it), up to 33 nodes each, read and written. The benchmarks'
	/// replicas sit in neighbouring slots whose paths share most nodes; real ones need not.
	pub fn unlisting(replicas: u32) -> Weight {
		T::DbWeight::get().reads_writes(66, 66).saturating_mul(replicas.into())
	}

	/// Lists `miner`'s replica of `order` (`size` bytes), just confirmed.
	pub(crate) fn index_confirmed(order: OrderId, miner: &T::AccountId, size: u64) {
		let slot = ConfirmedCount::<T>::get();
		let span = ConfirmedSpan::<T>::get();
		if slot >= span {
			let grown = span.saturating_mul(2).max(1);
			if span > 0 {
				ConfirmedBytes::<T>::insert(grown, ConfirmedBytes::<T>::get(span));
			}
			ConfirmedSpan::<T>::put(grown);
		}
		ConfirmedReplicas::<T>::insert(slot, (order, miner.clone(), size));
		ConfirmedSlots::<T>::insert(order, miner, slot);
		ConfirmedCount::<T>::put(slot + 1);
		Self::add_bytes(slot, size as u128, 0);
	}

	/// Takes `miner`'s replica of `order` off the list, if it was confirmed; the last slot
	/// moves into its place.
	pub(crate) fn unindex_confirmed(order: OrderId, miner: &T::AccountId) {
		let Some(slot) = ConfirmedSlots::<T>::take(order, miner) else { return };
		let Some((_, _, size)) = ConfirmedReplicas::<T>::take(slot) else { return };
		let last = ConfirmedCount::<T>::get().saturating_sub(1);
		ConfirmedCount::<T>::put(last);
		if slot == last {
			Self::add_bytes(slot, 0, size as u128);
			return;
		}
		let Some(moved) = ConfirmedReplicas::<T>::take(last) else { return };
		Self::add_bytes(last, 0, moved.2 as u128);
		Self::add_bytes(slot, moved.2 as u128, size as u128);
		ConfirmedSlots::<T>::insert(moved.0, &moved.1, slot);
		ConfirmedReplicas::<T>::insert(slot, moved);
	}

	/// Adds `plus` and takes `minus` from the bytes of `slot`, in every node above it.
	fn add_bytes(slot: u32, plus: u128, minus: u128) {
		let span = ConfirmedSpan::<T>::get();
		let mut node = slot + 1;
		while node <= span {
			ConfirmedBytes::<T>::mutate(node, |b| *b = b.saturating_add(plus).saturating_sub(minus));
			match node.checked_add(node & node.wrapping_neg()) {
				Some(next) => node = next,
				None => break,
			}
		}
	}

	/// The invariants of the list: dense, each slot a confirmed replica of its size,
	/// every node of the tree the sum of its range.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn try_confirmed_index(confirmed: usize) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let count = ConfirmedCount::<T>::get();
		ensure!(count as usize == confirmed, "the confirmed list does not hold every confirmed replica");
		ensure!(ConfirmedReplicas::<T>::iter().count() == confirmed, "the confirmed list is not dense");
		let span = ConfirmedSpan::<T>::get();
		ensure!(span == 0 || span.is_power_of_two() && count <= span, "the tree's span is not a power of two above the count");
		let size_of = |slot: u32| ConfirmedReplicas::<T>::get(slot).map_or(0u128, |r| r.2 as u128);
		for slot in 0..count {
			let (order, miner, size) = ConfirmedReplicas::<T>::get(slot).ok_or("a hole in the confirmed list")?;
			ensure!(ConfirmedSlots::<T>::get(order, &miner) == Some(slot), "a confirmed slot is not indexed");
			let o = Orders::<T>::get(order).ok_or("a closed order is on the confirmed list")?;
			ensure!(o.size == size, "a confirmed slot has the wrong size");
			ensure!(o.holders.iter().any(|r| r.miner == miner && r.confirmed), "a listed replica is not confirmed");
		}
		for node in 1..=span {
			let low = node & node.wrapping_neg();
			let sum: u128 = (node - low..node).map(size_of).sum();
			ensure!(ConfirmedBytes::<T>::get(node) == sum, "a node of the confirmed tree is not the sum of its range");
		}
		Ok(())
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// For benchmarks: marks `miner`'s replica of `order` confirmed or not, without a
	/// proof, keeping the list in step.
	pub fn set_confirmed_for_benchmark(order: OrderId, miner: &T::AccountId, confirmed: bool) {
		let Some(size) = Orders::<T>::mutate(order, |o| {
			let o = o.as_mut()?;
			let (id, now) = (o.content_id, polkadot_sdk::frame_system::Pallet::<T>::block_number());
			for r in o.holders.iter_mut().filter(|r| &r.miner == miner) {
				r.confirmed = confirmed;
				// A confirmed replica has sealed roots (its challenges' root).
				let roots = landmesh_primitives::replica::SealRoots { labels: id, replica: id };
				r.seal = r.seal.or(Some((roots, now)));
			}
			Some(o.size)
		}) else {
			return;
		};
		Self::unindex_confirmed(order, miner);
		if confirmed {
			Self::index_confirmed(order, miner, size);
		}
	}

	/// For benchmarks: spans the tree over 2^31 slots while it is empty, so that every
	/// change and every draw afterwards walks its deepest paths.
	pub fn deepen_confirmed_for_benchmark() {
		if ConfirmedCount::<T>::get() == 0 {
			ConfirmedSpan::<T>::put(1 << 31);
		}
	}
}
