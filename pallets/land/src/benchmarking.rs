//! Benchmarks for `pallet_land`. Every call is constant-time; each benchmark sets up the
//! costlier branch (a fee actually paid, a pass extended, a listing replaced).

use super::*;
use frame_support::traits::Get;
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

/// An account with enough CYBR for deposits, fees and prices.
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	let amount = T::PlanetDeposit::get()
		.saturating_add(<T as Config>::Currency::minimum_balance())
		.saturating_mul(10u32.into())
		.saturating_add(1_000_000u32.into());
	<T as Config>::Currency::set_balance(&who, amount);
	who
}

/// A planet owned by `owner`, as large as allowed.
fn planet<T: Config>(owner: &T::AccountId) -> WorldId {
	let side = T::MaxWorldSide::get();
	let world = NextWorldId::<T>::get();
	Pallet::<T>::create_planet(RawOrigin::Signed(owner.clone()).into(), side, side)
		.expect("a funded account can create a planet");
	world
}

/// A parcel of `owner`'s planet, listed at `price`.
fn listed_parcel<T: Config>(owner: &T::AccountId, price: BalanceOf<T>) -> ParcelId {
	let world = planet::<T>(owner);
	let parcel = NextParcelId::<T>::get();
	Pallet::<T>::mint_parcel_for_sale(RawOrigin::Signed(owner.clone()).into(), world, 0, 0, price)
		.expect("the owner mints on an empty planet");
	parcel
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_planet() {
		let owner = funded::<T>("owner");
		let side = T::MaxWorldSide::get();
		let world = NextWorldId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), side, side);

		assert_eq!(Worlds::<T>::get(world).map(|w| w.owner), Some(owner));
	}

	#[benchmark]
	fn set_entrance_fee() {
		let owner = funded::<T>("owner");
		let world = planet::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), world, 1_000u32.into());

		assert_eq!(Worlds::<T>::get(world).map(|w| w.entrance_fee), Some(1_000u32.into()));
	}

	/// Worst case: a fee is paid and a first pass entry holds its deposit.
	#[benchmark]
	fn enter() {
		let owner = funded::<T>("owner");
		let visitor = funded::<T>("visitor");
		let world = planet::<T>(&owner);
		Pallet::<T>::set_entrance_fee(RawOrigin::Signed(owner).into(), world, 1_000u32.into())
			.expect("owner sets the fee");

		#[extrinsic_call]
		_(RawOrigin::Signed(visitor.clone()), world, 1_000u32.into());

		assert!(Pallet::<T>::has_pass(world, &visitor));
	}

	/// An expired pass entry removed, its deposit released.
	#[benchmark]
	fn clear_pass() {
		let owner = funded::<T>("owner");
		let visitor = funded::<T>("visitor");
		let world = planet::<T>(&owner);
		Pallet::<T>::enter(RawOrigin::Signed(visitor.clone()).into(), world, 0u32.into()).expect("funded visitor enters");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(T::PassDuration::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), world, visitor.clone());

		assert!(!Passes::<T>::contains_key(world, &visitor));
	}

	#[benchmark]
	fn mint_parcel() {
		let owner = funded::<T>("owner");
		let world = planet::<T>(&owner);
		let buyer: T::AccountId = account("buyer", 0, 0);
		let lookup = T::Lookup::unlookup(buyer.clone());
		let side = T::MaxWorldSide::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), world, side - 1, side - 1, lookup);

		assert_eq!(Pallet::<T>::parcel_at(world, side - 1, side - 1).map(|p| p.owner), Some(buyer));
	}

	#[benchmark]
	fn mint_parcel_for_sale() {
		let owner = funded::<T>("owner");
		let world = planet::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), world, 0, 0, 1_000u32.into());

		assert_eq!(Pallet::<T>::parcel_at(world, 0, 0).and_then(|p| p.price), Some(1_000u32.into()));
	}

	/// Worst case: an existing listing is repriced.
	#[benchmark]
	fn list_parcel() {
		let owner = funded::<T>("owner");
		let parcel = listed_parcel::<T>(&owner, 1_000u32.into());
		// Worst case: a first listing, which also locks the parcel's transfers.
		Pallet::<T>::unlist_parcel(RawOrigin::Signed(owner.clone()).into(), parcel).expect("the owner unlists");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), parcel, 2_000u32.into());

		assert_eq!(Listings::<T>::get(parcel).map(|l| l.price), Some(2_000u32.into()));
	}

	#[benchmark]
	fn unlist_parcel() {
		let owner = funded::<T>("owner");
		let parcel = listed_parcel::<T>(&owner, 1_000u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), parcel);

		assert!(!Listings::<T>::contains_key(parcel));
	}

	#[benchmark]
	fn buy_parcel() {
		let owner = funded::<T>("owner");
		let buyer = funded::<T>("buyer");
		let parcel = listed_parcel::<T>(&owner, 1_000u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), parcel, 1_000u32.into());

		assert_eq!(Pallet::<T>::parcel_owner(parcel), Some(buyer));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
