//! Benchmarks for `pallet_audit`: answering with `c` proofs at the deepest path of the
//! largest content, and a block that issues `i` challenges and fails `e` (each failure
//! slashes and repairs, the costliest work this pallet triggers).

use super::*;
use landmesh_primitives::proof::{chunk_len, depth, root_from};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{fungible::Mutate, Hooks},
	frame_system::RawOrigin,
};

/// Registers `n` more miners with room for many of the largest contents.
fn miners<T: pallet_miners::Config + pallet_storage::Config>(n: u32) -> alloc::vec::Vec<T::AccountId> {
	let capacity = <T as pallet_storage::Config>::MaxContentSize::get().saturating_mul(64);
	pallet_miners::benchmark_helpers::register_miners::<T>(n, capacity)
}

/// A confirmed single-replica order of the largest content; returns its id and miner.
fn confirmed_order<T: pallet_miners::Config + pallet_storage::Config>() -> (pallet_storage::OrderId, T::AccountId) {
	let owner: T::AccountId = account("owner", 0, 0);
	<T as pallet_storage::Config>::Currency::set_balance(&owner, 1_000_000_000_000_000_000u128.saturated_into());
	let order = pallet_storage::NextOrderId::<T>::get();
	pallet_storage::Pallet::<T>::place_order(
		RawOrigin::Signed(owner).into(),
		ContentId([9; 32]),
		<T as pallet_storage::Config>::MaxContentSize::get(),
		1,
		10,
	)
	.expect("a miner has room");
	// The miners are drawn in the next block's hook.
	pallet_storage::Pallet::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
	let miner = pallet_storage::Orders::<T>::get(order).and_then(|o| o.holders.first().map(|r| r.miner.clone()));
	let miner = miner.expect("one holder");
	pallet_storage::Pallet::<T>::set_confirmed_for_benchmark(order, &miner, true);
	(order, miner)
}

#[benchmarks(where T: pallet_miners::Config + pallet_storage::Config)]
mod benchmarks {
	use super::*;

	/// `c` proofs, each of the deepest path of the largest content.
	#[benchmark]
	fn answer(c: Linear<1, { T::ChunksPerChallenge::get() }>) {
		let size = <T as pallet_storage::Config>::MaxContentSize::get();
		let proof = ChunkProof {
			chunk: alloc::vec![5u8; chunk_len(size, 0).expect("chunk 0")].try_into().expect("a chunk"),
			siblings: (0..depth(size, 0)).map(|i| [i as u8; 32]).collect::<alloc::vec::Vec<_>>().try_into().expect("within MAX_DEPTH"),
		};
		let root = ContentId(root_from(size, 0, &proof).expect("well shaped"));
		let miner: T::AccountId = account("miner", 0, 0);
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(T::ResponseDeadline::get());
		let indices: BoundedVec<u64, T::ChunksPerChallenge> = alloc::vec![0; c as usize].try_into().expect("c ≤ max");
		Challenges::<T>::insert(0, Challenge { miner: miner.clone(), target: ChallengeTarget::Replica { order: 0 }, content_id: root, size, indices, deadline });
		OpenChallenges::<T>::insert(&miner, 0, ());
		let proofs: BoundedVec<ChunkProof, T::ChunksPerChallenge> = alloc::vec![proof; c as usize].try_into().expect("c ≤ max");

		#[extrinsic_call]
		_(RawOrigin::Signed(miner), 0, proofs);

		assert!(!Challenges::<T>::contains_key(0));
	}

	/// `c` links, each of the last label of a full-size sector (the deepest paths): six
	/// chunk proofs and a derivation per link.
	#[benchmark]
	fn answer_sector(c: Linear<1, { T::ChunksPerChallenge::get() }>) {
		pallet_miners::benchmark_helpers::full_size_sectors::<T>();
		let miner: T::AccountId = account("miner", 0, 0);
		let size = <<T as Config>::Miners as CapacityLedger<T::AccountId>>::sector_size();
		let j = filler::label_count(size) - 1;
		let seed = filler::sector_seed(&miner, 0);
		let (root, links) = filler::sparse_links(&seed, size, &[j]).expect("chunk j ≥ 1");
		let link = links[0].clone();
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(T::ResponseDeadline::get());
		let indices: BoundedVec<u64, T::ChunksPerChallenge> = alloc::vec![j; c as usize].try_into().expect("c ≤ max");
		let target = ChallengeTarget::Sector { slot: 0, index: 0 };
		Challenges::<T>::insert(0, Challenge { miner: miner.clone(), target, content_id: root, size, indices, deadline });
		OpenChallenges::<T>::insert(&miner, 0, ());
		let links: BoundedVec<SectorLink, T::ChunksPerChallenge> = alloc::vec![link; c as usize].try_into().expect("c ≤ max");

		#[extrinsic_call]
		_(RawOrigin::Signed(miner), 0, links);

		assert!(!Challenges::<T>::contains_key(0));
	}

	/// A challenge block that issues `i` challenges and fails `e` expired ones.
	#[benchmark]
	fn on_initialize(i: Linear<0, { T::ChallengesPerPeriod::get() }>, e: Linear<0, { T::ChallengesPerPeriod::get() }>) {
		let max = T::ChallengesPerPeriod::get();
		miners::<T>(2 * max + 1);
		// Each draw descends the deepest tree of confirmed replicas.
		pallet_storage::Pallet::<T>::deepen_confirmed_for_benchmark();
		for _ in 0..i.max(e) {
			confirmed_order::<T>();
		}
		let period = T::ChallengePeriod::get();
		let now = frame_system::Pallet::<T>::block_number().saturating_add(period) / period * period;
		frame_system::Pallet::<T>::set_block_number(now);
		// `e` challenges due last block, never answered.
		let due = now.saturating_sub(1u32.into());
		for k in 0..e {
			let order = k as u64;
			let Some(miner) = pallet_storage::Orders::<T>::get(order).and_then(|o| o.holders.first().map(|r| r.miner.clone())) else { continue };
			let id = NextChallengeId::<T>::mutate(|n| { *n += 1; *n - 1 });
			let indices = alloc::vec![0; T::ChunksPerChallenge::get() as usize].try_into().expect("max");
			Challenges::<T>::insert(id, Challenge { miner: miner.clone(), target: ChallengeTarget::Replica { order }, content_id: ContentId([9; 32]), size: 1, indices, deadline: due });
			OpenChallenges::<T>::insert(&miner, id, ());
			Deadlines::<T>::mutate(due, |ids| ids.try_push(id).expect("within max"));
			// A second miss: the costlier path, slash and repair (a first miss slashes and
			// opens a retry).
			LastMiss::<T>::insert(&miner, due);
		}
		// Keep only `i` orders confirmed for the draws; the others stop being drawn.
		for order in i..i.max(e) {
			let holders = pallet_storage::Orders::<T>::get(order as u64).map(|o| o.holders.into_inner()).unwrap_or_default();
			for r in holders {
				pallet_storage::Pallet::<T>::set_confirmed_for_benchmark(order as u64, &r.miner, false);
			}
		}

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert_eq!(Challenges::<T>::iter().filter(|(_, c)| c.deadline == due).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
