//! Benchmarks for `pallet_rewards`: the era split is measured against the number of
//! miners it walks (every one committed and served, so every share is paid).

use super::*;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{Get as _, Hooks},
		BoundedVec,
	},
	frame_system::RawOrigin,
};

/// Registers `n` more miners, each with 1 GiB of capacity.
fn miners<T: Config + pallet_miners::Config>(n: u32) -> Vec<T::AccountId> {
	pallet_miners::benchmark_helpers::register_miners::<T>(n, 1 << 30)
}

#[benchmarks(where T: pallet_miners::Config)]
mod benchmarks {
	use super::*;

	/// `n` receipts of `n` clients, each verified and counted (the worst case: every one
	/// grows its client's count).
	#[benchmark]
	fn report_served(n: Linear<1, { T::MaxReceiptsPerReport::get() }>) {
		let miner = miners::<T>(1).remove(0);
		let era = 1;
		CurrentEra::<T>::put(era);
		let chain = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let message = landmesh_primitives::miner::served_message(chain.as_ref(), &miner.encode(), era, 1 << 20);
		let receipts: Vec<ReceiptOf<T>> = (0..n)
			.map(|i| {
				let (client, signature) = T::BenchmarkHelper::sign(i, message.as_bytes());
				Clients::<T>::insert(&client, Client { since: era, leaving: None, deposit: T::ClientDeposit::get() });
				ServedReceipt { client, era, bytes: 1 << 20, signature }
			})
			.collect();
		let receipts: BoundedVec<_, T::MaxReceiptsPerReport> = receipts.try_into().expect("n ≤ max");

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), era, receipts);

		assert_eq!(Served::<T>::get(era, &miner), Some((n as u64) << 20));
	}

	#[benchmark]
	fn register_client() {
		let client: T::AccountId = account("client", 0, 0);
		<T as Config>::Currency::set_balance(&client, T::ClientDeposit::get().saturating_mul(10u32.into()));

		#[extrinsic_call]
		_(RawOrigin::Signed(client.clone()));

		assert!(Clients::<T>::contains_key(&client));
	}

	#[benchmark]
	fn unregister_client() {
		let client: T::AccountId = account("client", 0, 0);
		<T as Config>::Currency::set_balance(&client, T::ClientDeposit::get().saturating_mul(10u32.into()));
		Pallet::<T>::register_client(RawOrigin::Signed(client.clone()).into()).expect("funded");

		#[extrinsic_call]
		_(RawOrigin::Signed(client.clone()));

		assert!(Clients::<T>::get(&client).is_some_and(|c| c.leaving.is_some()));
	}

	#[benchmark]
	fn withdraw_client() {
		let client: T::AccountId = account("client", 0, 0);
		<T as Config>::Currency::set_balance(&client, T::ClientDeposit::get().saturating_mul(10u32.into()));
		Pallet::<T>::register_client(RawOrigin::Signed(client.clone()).into()).expect("funded");
		Pallet::<T>::unregister_client(RawOrigin::Signed(client.clone()).into()).expect("a client");
		CurrentEra::<T>::mutate(|e| *e += 2);

		#[extrinsic_call]
		_(RawOrigin::Signed(client.clone()));

		assert!(!Clients::<T>::contains_key(&client));
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
