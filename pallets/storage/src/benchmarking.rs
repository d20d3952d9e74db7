//! Benchmarks for `pallet_storage`. Assignment scans every candidate miner, so
//! `place_order` (which counts the miners with room) and `assign_request` (the draw, in
//! the next block's `on_initialize`) are measured against the number of registered
//! miners, with the most replicas; confirmation verifies a proof at the largest content
//! size (deepest path).

use super::*;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::Hooks,
	frame_system::RawOrigin,
};

/// Draws the miners for the requests queued so far, as the next block does.
fn draw<T: Config>() {
	Pallet::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
}

/// An account that can pay for 30 periods of the largest order (placing and renewing).
fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let price = Pallet::<T>::price(T::MaxContentSize::get(), T::MaxReplicas::get(), 30).expect("no overflow");
	let fees = T::OrderFee::get().saturating_mul(4u32.into());
	T::Currency::set_balance(&who, price.saturating_add(fees).saturating_add(T::Currency::minimum_balance().saturating_mul(10u32.into())));
	who
}

/// What each benchmark miner offers: room for sixteen of the largest contents.
fn miner_capacity<T: Config>() -> u64 {
	T::MaxContentSize::get().saturating_mul(16)
}

/// Registers `n` more miners with room for sixteen of the largest contents.
fn miners<T: Config + pallet_miners::Config>(n: u32) -> Vec<T::AccountId> {
	pallet_miners::benchmark_helpers::register_miners::<T>(n, miner_capacity::<T>())
}

/// An order of the largest content on the most replicas, all confirmed if `confirmed`,
/// by `owner`; the list of confirmed replicas is as deep as it gets.
fn order<T: Config + pallet_miners::Config>(owner: &T::AccountId, confirmed: bool) -> OrderId {
	Pallet::<T>::deepen_confirmed_for_benchmark();
	miners::<T>(T::MaxReplicas::get());
	let order = NextOrderId::<T>::get();
	Pallet::<T>::place_order(RawOrigin::Signed(owner.clone()).into(), ContentId([3; 32]), T::MaxContentSize::get(), T::MaxReplicas::get(), 10)
		.expect("enough miners with room");
	draw::<T>();
	if confirmed {
		confirm_holders::<T>(order, usize::MAX);
	}
	order
}

/// Marks the first `n` holders of `order` confirmed (without proofs).
fn confirm_holders<T: Config>(order: OrderId, n: usize) {
	let holders = Orders::<T>::get(order).map(|o| o.holders.into_inner()).unwrap_or_default();
	for r in holders.iter().take(n) {
		Pallet::<T>::set_confirmed_for_benchmark(order, &r.miner, true);
	}
}

#[benchmarks(where T: pallet_miners::Config)]
mod benchmarks {
	use super::*;

	/// `m` candidate miners (measured up to 256, extrapolated to `MaxCandidates`), with
	/// `MaxReplicas` replicas.
	#[benchmark]
	fn place_order(m: Linear<{ T::MaxReplicas::get() }, { T::MaxCandidates::get().min(256) }>) {
		miners::<T>(m);
		let owner = funded::<T>("owner", 0);
		let order = NextOrderId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), ContentId([1; 32]), T::MaxContentSize::get(), T::MaxReplicas::get(), 10);

		assert!(PendingAssignments::<T>::get().iter().any(|(o, _)| *o == order));
	}

	/// An order for a model: `place_order` with `m` candidate miners, plus the model read,
	/// its `MaxOrdersPerModel - 1` open orders counted, and the escrow moved to the pallet's
	/// account, created the first time.
	#[benchmark]
	fn place_model_order(m: Linear<{ T::MaxReplicas::get() }, { T::MaxCandidates::get().min(256) }>) {
		miners::<T>(m);
		let owner = funded::<T>("owner", 0);
		let model = <T as Config>::Models::model_for_benchmark(&owner, ContentId([4; 32]), T::MaxContentSize::get());
		for i in 1..T::MaxOrdersPerModel::get() {
			OrdersByModel::<T>::insert(model, u64::MAX - u64::from(i), ());
		}
		let order = NextOrderId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, T::MaxReplicas::get(), 10);

		assert!(OrdersByModel::<T>::contains_key(model, order));
	}

	/// One request drawn in `on_initialize`: `MaxReplicas` replicas among `m` candidate
	/// miners (measured up to 256, extrapolated to `MaxCandidates`).
	#[benchmark]
	fn assign_request(m: Linear<{ T::MaxReplicas::get() }, { T::MaxCandidates::get().min(256) }>) {
		miners::<T>(m);
		let owner = funded::<T>("owner", 0);
		let order = NextOrderId::<T>::get();
		Pallet::<T>::place_order(RawOrigin::Signed(owner).into(), ContentId([1; 32]), T::MaxContentSize::get(), T::MaxReplicas::get(), 10)
			.expect("enough miners with room");

		#[block]
		{
			draw::<T>();
		}

		assert_eq!(Orders::<T>::get(order).map(|o| o.holders.len() as u32), Some(T::MaxReplicas::get()));
	}

	/// The seal proof and the last chunk of the largest content: `SealDraws` draws, each
	/// two links (six chunk proofs and a derivation each) and two chunk proofs, all at
	/// the deepest paths.
	#[benchmark]
	fn confirm() {
		use landmesh_primitives::replica;
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, false);
		let size = T::MaxContentSize::get();
		let miner = Orders::<T>::get(order).expect("placed").holders[0].miner.clone();
		let committed_at = frame_system::Pallet::<T>::block_number();
		// The hash the draws read, as a real block after the commit has.
		let hash = <<T as frame_system::Config>::Hashing as polkadot_sdk::sp_runtime::traits::Hash>::hash(b"the block after the commit");
		frame_system::BlockHash::<T>::insert(committed_at.saturating_add(1u32.into()), hash);
		let mut o = Orders::<T>::get(order).expect("placed");
		let draws = {
			frame_system::Pallet::<T>::set_block_number(committed_at.saturating_add(2u32.into()));
			Pallet::<T>::seal_draws(order, &miner, &o, committed_at).expect("drawn")
		};
		// The seed depends on the content id, and the sparse content's id only on which
		// chunks are drawn (their bytes are fixed): take the id, then seal for it.
		let layout = replica::Layout::new(size, <T as Config>::SectorSize::get());
		let (content, ..) = replica::sparse_seal(&[0; 32], &layout, &draws).expect("a sparse seal");
		let seed = replica::replica_seed(&miner, order, &content);
		let (same, roots, answers, last) = replica::sparse_seal(&seed, &layout, &draws).expect("a sparse seal");
		assert_eq!(same, content);
		o.content_id = content;
		o.holders[0].seal = Some((roots, committed_at));
		Orders::<T>::insert(order, o);
		let seal: BoundedVec<_, T::SealDraws> = answers.try_into().expect("SealDraws draws");

		#[extrinsic_call]
		_(RawOrigin::Signed(miner), order, last, seal);

		assert!(Orders::<T>::get(order).expect("open").holders[0].confirmed);
	}

	#[benchmark]
	fn commit_replica() {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, false);
		let miner = Orders::<T>::get(order).expect("placed").holders[0].miner.clone();
		let roots = SealRoots { labels: ContentId([5; 32]), replica: ContentId([6; 32]) };

		#[extrinsic_call]
		_(RawOrigin::Signed(miner), order, roots);

		assert!(Orders::<T>::get(order).expect("open").holders[0].seal.is_some());
	}

	#[benchmark]
	fn renew() {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, true);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), order, 10);

		assert!(Orders::<T>::contains_key(order));
	}

	/// Worst case: every replica confirmed and owed a period's pay.
	#[benchmark]
	fn cancel(r: Linear<1, { T::MaxReplicas::get() }>) {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, false);
		Orders::<T>::mutate(order, |o| o.as_mut().into_iter().for_each(|o| o.holders.truncate(r as usize)));
		confirm_holders::<T>(order, r as usize);
		frame_system::Pallet::<T>::set_block_number(frame_system::Pallet::<T>::block_number() + T::PeriodLength::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), order);

		assert!(!Orders::<T>::contains_key(order));
	}

	/// Worst case: `r` confirmed replicas paid for a period.
	#[benchmark]
	fn settle(r: Linear<1, { T::MaxReplicas::get() }>) {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, false);
		Orders::<T>::mutate(order, |o| o.as_mut().into_iter().for_each(|o| {
			o.holders.truncate(r as usize);
			o.replicas = r;
		}));
		confirm_holders::<T>(order, r as usize);
		frame_system::Pallet::<T>::set_block_number(frame_system::Pallet::<T>::block_number() + T::PeriodLength::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), order);

		assert!(Orders::<T>::contains_key(order));
	}

	/// A leaving miner's replica dropped, a replacement requested.
	#[benchmark]
	fn evacuate() {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, true);
		miners::<T>(T::MaxReplicas::get() + 1);
		let leaving = Orders::<T>::get(order).expect("placed").holders[0].miner.clone();
		pallet_miners::Pallet::<T>::exit(RawOrigin::Signed(leaving.clone()).into()).expect("an active miner exits");
		let caller = funded::<T>("keeper", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), order, leaving.clone());

		assert!(!Orders::<T>::get(order).expect("open").holders.iter().any(|r| r.miner == leaving));
		assert!(PendingAssignments::<T>::get().iter().any(|(o, _)| *o == order), "a replacement is drawn next block");
	}

	/// Worst case: `r` late replicas dropped and replacements requested (the others
	/// confirmed). (When nobody confirmed, the order closes instead.)
	#[benchmark]
	fn expire_unconfirmed(r: Linear<1, { T::MaxReplicas::get().saturating_sub(1).max(1) }>) {
		let owner = funded::<T>("owner", 0);
		let order = order::<T>(&owner, false);
		let holders = Orders::<T>::get(order).map_or(0, |o| o.holders.len());
		confirm_holders::<T>(order, holders.saturating_sub(r as usize).max(1));
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::ConfirmDeadline::get());
		frame_system::Pallet::<T>::set_block_number(later);
		let caller = funded::<T>("keeper", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), order);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
