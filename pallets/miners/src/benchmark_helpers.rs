//! Setup shared by the benchmarks of the pallets built on the miner registry (storage,
//! audit, rewards): miners registered for real, each in its own region.

use crate::{Config, Endpoints, MinerCount, Pallet, SectorSizeOverride};
use polkadot_sdk::{
	frame_benchmarking::v2::account,
	frame_support::traits::fungible::{Inspect, Mutate},
	frame_system::RawOrigin,
	sp_runtime::traits::Saturating,
};

/// Registers `n` more miners offering `capacity` bytes each (funded for twice their
/// stake), each in its own region; returns their accounts.
pub fn register_miners<T: Config>(n: u32, capacity: u64) -> alloc::vec::Vec<T::AccountId> {
	let first = MinerCount::<T>::get();
	(first..first + n)
		.map(|i| {
			let who: T::AccountId = account("miner", i, 0);
			let stake = Pallet::<T>::stake_for(capacity);
			let ed = T::Currency::minimum_balance();
			T::Currency::set_balance(&who, stake.saturating_add(ed).saturating_mul(2u32.into()));
			let text = |s: alloc::string::String| s.into_bytes().try_into().expect("short");
			let endpoints = Endpoints {
				peer_id: text(alloc::format!("peer{i}")),
				multiaddrs: Default::default(),
				gateway: text(alloc::format!("http://miner{i}")),
				region: text(alloc::format!("region{i}")),
			};
			Pallet::<T>::register(RawOrigin::Signed(who.clone()).into(), capacity, endpoints)
				.expect("a funded miner registers");
			who
		})
		.collect()
}

/// Measures at the runtime's full sector size, whatever the genesis the benchmarks run
/// on set (the development preset's small sectors would understate every sector proof).
pub fn full_size_sectors<T: Config>() {
	SectorSizeOverride::<T>::kill();
}
