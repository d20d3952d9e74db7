//! Benchmarks for `pallet_miners`: the worst cases carry the longest endpoints allowed.

use super::*;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{traits::Get, BoundedVec},
	frame_system::RawOrigin,
};

/// Endpoints with every field at its longest and every multiaddr slot filled.
fn longest_endpoints<T: Config>() -> Endpoints {
	let field = || -> EndpointText { alloc::vec![b'x'; MAX_ENDPOINT_LENGTH as usize].try_into().expect("max length") };
	Endpoints {
		peer_id: field(),
		multiaddrs: (0..MAX_MULTIADDRS).map(|_| field()).collect::<alloc::vec::Vec<_>>().try_into().expect("max count"),
		gateway: field(),
		region: field(),
	}
}

/// A funded account, registered as a miner of `capacity` bytes if asked.
fn miner<T: Config>(capacity: Option<u64>) -> T::AccountId {
	named_miner::<T>("miner", capacity)
}

/// [`miner`], for the account named `name`.
fn named_miner<T: Config>(name: &'static str, capacity: Option<u64>) -> T::AccountId {
	crate::benchmark_helpers::full_size_sectors::<T>();
	let who: T::AccountId = account(name, 0, 0);
	let funds = Pallet::<T>::stake_for(64 * TIB)
		.saturating_add(T::Currency::minimum_balance())
		.saturating_mul(2u32.into());
	T::Currency::set_balance(&who, funds);
	if let Some(capacity) = capacity {
		Pallet::<T>::register(RawOrigin::Signed(who.clone()).into(), capacity, longest_endpoints::<T>())
			.expect("a funded account registers");
	}
	who
}

/// Room for every sector a miner may commit, and a terabyte more.
fn sector_capacity<T: Config>() -> u64 {
	(T::MaxSectors::get() as u64).saturating_mul(T::SectorSize::get()).saturating_add(TIB)
}

/// Commits `n` sectors for `who`, then as many for another miner: each of `who`'s that
/// goes moves one of the other's into its place in the list challenges are drawn from
/// (the costlier path).
fn sectors<T: Config>(who: &T::AccountId, n: u32) {
	let other = named_miner::<T>("other", Some(sector_capacity::<T>()));
	for miner in [who, &other] {
		for i in 0..n {
			Pallet::<T>::commit_sector(RawOrigin::Signed(miner.clone()).into(), i, ContentId([i as u8; 32]))
				.expect("room for MaxSectors");
		}
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let who = miner::<T>(None);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), TIB, longest_endpoints::<T>());

		assert!(Miners::<T>::contains_key(&who));
	}

	#[benchmark]
	fn update_endpoints() {
		let who = miner::<T>(Some(TIB));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), longest_endpoints::<T>());

		assert!(Miners::<T>::contains_key(&who));
	}

	/// Worst case: a raise, which holds more stake.
	#[benchmark]
	fn set_capacity() {
		let who = miner::<T>(Some(TIB));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 32 * TIB);

		assert_eq!(Miners::<T>::get(&who).map(|m| m.capacity), Some(32 * TIB));
	}

	#[benchmark]
	fn exit() {
		let who = miner::<T>(Some(TIB));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(matches!(Miners::<T>::get(&who).map(|m| m.status), Some(MinerStatus::Exiting { .. })));
	}

	/// Leaving with `s` sectors to drop.
	#[benchmark]
	fn withdraw(s: Linear<0, { T::MaxSectors::get() }>) {
		let who = miner::<T>(Some(sector_capacity::<T>()));
		sectors::<T>(&who, s);
		Pallet::<T>::exit(RawOrigin::Signed(who.clone()).into()).expect("an active miner exits");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Miners::<T>::contains_key(&who));
		assert_eq!(Sectors::<T>::iter_prefix(&who).count(), 0);
	}

	/// Worst case: the miner's first sector, joining a nearly full owners list.
	#[benchmark]
	fn commit_sector() {
		let who = miner::<T>(Some(sector_capacity::<T>()));
		sectors::<T>(&who, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0, ContentId([7; 32]));

		assert_eq!(Miners::<T>::get(&who).map(|m| m.sectors), Some(1));
	}

	/// Dropping `n` sectors, the last of them leaving the owners list.
	#[benchmark]
	fn drop_sectors(n: Linear<1, { T::MaxSectors::get() }>) {
		let who = miner::<T>(Some(sector_capacity::<T>()));
		sectors::<T>(&who, n);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), n);

		assert_eq!(Miners::<T>::get(&who).map(|m| m.sectors), Some(0));
	}

	/// Releasing what a capacity cut unbonded.
	#[benchmark]
	fn withdraw_unbonded() {
		let who = miner::<T>(Some(32 * TIB));
		Pallet::<T>::set_capacity(RawOrigin::Signed(who.clone()).into(), TIB).expect("a lower capacity");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Miners::<T>::get(&who).and_then(|m| m.unbonding), None);
	}

	/// Sealing a full-size sector: `SealChunks` links, each seven proofs and a derivation.
	/// The sector is sparse (only what the drawn links need is real), which costs the
	/// verifier exactly what a generated one does.
	#[benchmark]
	fn prove_sector() {
		let who = miner::<T>(Some(sector_capacity::<T>()));
		sectors::<T>(&who, 1);
		let at = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(at.saturating_add(2u32.into()));
		let seed = filler::sector_seed(&who, 0);
		let drawn = Pallet::<T>::seal_indices(&who, 0, at);
		let (root, links) = filler::sparse_links(&seed, T::SectorSize::get(), &drawn).expect("distinct chunks");
		Sectors::<T>::insert(&who, 0, SectorCommitment { index: 0, root });
		let links: BoundedVec<_, T::SealChunks> = links.try_into().expect("SealChunks links");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0, links);

		assert!(!Unsealed::<T>::contains_key(&who, 0));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
