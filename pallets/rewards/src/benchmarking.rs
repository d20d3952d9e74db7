//! Benchmarks for `pallet_rewards`: the era split is measured against the number of
//! miners it walks (every one committed and served, so every share is paid).

use super::*;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{Get as _, Hooks},
	frame_system::RawOrigin,
};

/// Registers `n` more miners, each with 1 GiB of capacity.
fn miners<T: Config + pallet_miners::Config>(n: u32) -> Vec<T::AccountId> {
	let first = pallet_miners::MinerCount::<T>::get();
	(first..first + n)
		.map(|i| {
			let who: T::AccountId = account("miner", i, 0);
			let stake = pallet_miners::Pallet::<T>::stake_for(1 << 30);
			<T as pallet_miners::Config>::Currency::set_balance(&who, stake.saturating_mul(2u32.into()).saturating_add(1_000_000u32.into()));
			let text = |s: alloc::string::String| s.into_bytes().try_into().expect("short");
			let endpoints = pallet_miners::Endpoints {
				peer_id: text(alloc::format!("peer{i}")),
				multiaddrs: Default::default(),
				gateway: text(alloc::format!("http://miner{i}")),
				region: text(alloc::format!("region{i}")),
			};
			pallet_miners::Pallet::<T>::register(RawOrigin::Signed(who.clone()).into(), 1 << 30, endpoints)
				.expect("a funded miner registers");
			who
		})
		.collect()
}

#[benchmarks(where T: pallet_miners::Config)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn report_served() {
		let miner = miners::<T>(1).remove(0);
		let era = CurrentEra::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), era, 1 << 30);

		assert_eq!(Served::<T>::get(era, &miner), Some(1 << 30));
	}

	#[benchmark]
	fn claim() {
		let miner = miners::<T>(1).remove(0);
		let amount: BalanceOf<T> = <T as Config>::Currency::minimum_balance().saturating_mul(1_000u32.into());
		<T as Config>::Currency::set_balance(&Pallet::<T>::pool(), amount.saturating_mul(2u32.into()));
		Claimable::<T>::insert(&miner, amount);
		Owed::<T>::put(amount);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()));

		assert!(Claimable::<T>::get(&miner).is_zero());
	}

	/// A block inside an era: one read.
	#[benchmark]
	fn on_initialize_idle() {
		let now = frame_system::Pallet::<T>::block_number();
		CurrentEra::<T>::put(T::Scores::era_of(now));

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
	}

	/// The first block of an era: the split over `m` miners that all served (measured up
	/// to 256, extrapolated to `MaxMiners`).
	#[benchmark]
	fn on_initialize_era(m: Linear<1, { <T as pallet_miners::Config>::MaxMiners::get().min(256) }>) {
		let era = CurrentEra::<T>::get();
		for miner in miners::<T>(m) {
			Served::<T>::insert(era, &miner, 1 << 20);
		}
		// The first block of a later era.
		let mut next = frame_system::Pallet::<T>::block_number();
		while T::Scores::era_of(next) <= era {
			next = next.saturating_add(1u32.into()).saturating_mul(2u32.into());
		}

		#[block]
		{
			Pallet::<T>::on_initialize(next);
		}

		assert_eq!(CurrentEra::<T>::get(), T::Scores::era_of(next));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
