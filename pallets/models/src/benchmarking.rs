//! Benchmarks for `pallet_models`. Placements are bounded per parcel, so the worst cases
//! are full parcels: the bounded vector is read, scanned and written whole.

use super::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Currency, Get,
	},
	BoundedVec,
};
use polkadot_sdk::sp_runtime::traits::{Saturating, StaticLookup};
use landmesh_primitives::{WorldId, PARCEL_SIDE_MM};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

/// An account with enough CYBR for a planet, deposits and fees.
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	let amount = T::PlanetDeposit::get()
		.saturating_add(<T as pallet_land::Config>::Currency::minimum_balance())
		.saturating_mul(10u32.into())
		.saturating_add(1_000_000u32.into());
	<T as pallet_land::Config>::Currency::set_balance(&who, amount);
	// pallet-nfts' item deposit is reserved through its own currency.
	let _ = <T as pallet_nfts::Config>::Currency::deposit_creating(&who, 1_000_000_000u32.into());
	who
}

/// `count` parcels of a fresh planet owned by `owner`.
fn parcels<T: Config>(owner: &T::AccountId, count: u32) -> Vec<ParcelId> {
	let side = T::MaxWorldSide::get();
	let world: WorldId = pallet_land::NextWorldId::<T>::get();
	pallet_land::Pallet::<T>::create_planet(RawOrigin::Signed(owner.clone()).into(), side, side)
		.expect("a funded account creates a planet");
	(0..count)
		.map(|i| {
			let parcel = pallet_land::NextParcelId::<T>::get();
			pallet_land::Pallet::<T>::mint_parcel(
				RawOrigin::Signed(owner.clone()).into(),
				world,
				i % side,
				i / side,
				T::Lookup::unlookup(owner.clone()),
			)
			.expect("the planet has room");
			parcel
		})
		.collect()
}

/// A model of `owner` with the longest name, of a content of its own (so that no benchmark
/// but `mint_model` depends on `MaxModelsPerContent`).
fn model<T: Config>(owner: &T::AccountId) -> ModelId {
	let mut content = [1; 32];
	content[..4].copy_from_slice(&NextModelId::<T>::get().to_le_bytes());
	model_of::<T>(owner, ContentId(content))
}

/// A model of `owner` with the longest name, of `content`.
fn model_of<T: Config>(owner: &T::AccountId, content: ContentId) -> ModelId {
	let name = alloc::vec![b'm'; T::MaxNameLength::get() as usize].try_into().expect("max length fits");
	Pallet::<T>::do_mint_model(owner, content, T::MaxModelSize::get(), ModelFormat::Glb, name, AccessRule::Public)
		.expect("a funded owner mints")
}

/// Fills `parcel` with `count` placements of another model, written directly (they only
/// make the parcel's vector long).
fn fill<T: Config>(parcel: ParcelId, filler: ModelId, count: u32) {
	Placements::<T>::mutate(parcel, |placed| {
		for _ in 0..count {
			let id = NextPlacementId::<T>::mutate(|n| {
				*n += 1;
				*n - 1
			});
			placed.try_push(Placement { id, model: filler, transform: Transform::IDENTITY }).expect("within bound");
		}
	});
}

fn far_corner() -> Transform {
	Transform {
		position_mm: [PARCEL_SIDE_MM - 1, 1_000, PARCEL_SIDE_MM - 1],
		rotation_millideg: [90_000, -45_000, 180_000],
		scale_permille: [2_000, 2_000, 2_000],
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: the longest name (checked as UTF-8 byte by byte), an access rule naming
	/// a world (read), and a content already named by `MaxModelsPerContent - 1` models, all
	/// the caller's: the binding check reads the content's whole index prefix and the
	/// governing model's owner, and passes.
	#[benchmark]
	fn mint_model() {
		let owner = funded::<T>("owner");
		let content = ContentId([2; 32]);
		let first = NextModelId::<T>::get();
		for _ in 1..T::MaxModelsPerContent::get() {
			model_of::<T>(&owner, content);
		}
		let name: BoundedVec<u8, T::MaxNameLength> =
			alloc::vec![b'n'; T::MaxNameLength::get() as usize].try_into().expect("max length fits");
		let model = NextModelId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), content, T::MaxModelSize::get(), ModelFormat::Glb, name, AccessRule::WorldPass(0));

		assert_eq!(Pallet::<T>::model_owner(model), Some(owner));
		assert_eq!(ModelsByContent::<T>::iter_key_prefix(content).count() as u32, T::MaxModelsPerContent::get());
		assert_eq!(Pallet::<T>::model_of_content(&content).map(|m| m.id), Some(first));
	}

	#[benchmark]
	fn set_access() {
		let owner = funded::<T>("owner");
		let model = model::<T>(&owner);
		let rule = AccessRule::Contract(account("contract", 0, 0));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, rule.clone());

		assert_eq!(Models::<T>::get(model).map(|m| m.access), Some(rule));
	}

	/// Worst case: the parcel holds all but one placement, the model all but one instance.
	#[benchmark]
	fn place_model() {
		let owner = funded::<T>("owner");
		let parcel = parcels::<T>(&owner, 1)[0];
		let filler = model::<T>(&owner);
		let placed = model::<T>(&owner);
		fill::<T>(parcel, filler, T::MaxPlacementsPerParcel::get() - 1);
		InstanceCount::<T>::insert(placed, T::MaxInstancesPerModel::get() - 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), parcel, placed, far_corner());

		assert_eq!(Placements::<T>::get(parcel).len() as u32, T::MaxPlacementsPerParcel::get());
	}

	/// Worst case: a full parcel, the moved placement last.
	#[benchmark]
	fn move_model() {
		let owner = funded::<T>("owner");
		let parcel = parcels::<T>(&owner, 1)[0];
		let filler = model::<T>(&owner);
		fill::<T>(parcel, filler, T::MaxPlacementsPerParcel::get());
		let last = Placements::<T>::get(parcel).last().map(|p| p.id).expect("full parcel");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), parcel, last, far_corner());

		assert_eq!(Placements::<T>::get(parcel).last().map(|p| p.transform), Some(far_corner()));
	}

	/// Worst case: a full parcel, the removed placement first (the rest shift).
	#[benchmark]
	fn remove_model() {
		let owner = funded::<T>("owner");
		let parcel = parcels::<T>(&owner, 1)[0];
		let filler = model::<T>(&owner);
		let removed = model::<T>(&owner);
		Pallet::<T>::do_place(parcel, removed, Transform::IDENTITY).expect("empty parcel");
		fill::<T>(parcel, filler, T::MaxPlacementsPerParcel::get() - 1);
		let first = Placements::<T>::get(parcel)[0].id;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), parcel, first);

		assert_eq!(InstanceCount::<T>::get(removed), 0);
	}

	/// `i` instances of the model, each on its own full parcel.
	#[benchmark]
	fn burn_model(i: Linear<0, { T::MaxInstancesPerModel::get() }>) {
		let owner = funded::<T>("owner");
		let burned = model::<T>(&owner);
		let filler = model::<T>(&owner);
		for parcel in parcels::<T>(&owner, i) {
			Pallet::<T>::do_place(parcel, burned, Transform::IDENTITY).expect("empty parcel");
			fill::<T>(parcel, filler, T::MaxPlacementsPerParcel::get() - 1);
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), burned);

		assert!(Models::<T>::get(burned).is_none());
		assert_eq!(Instances::<T>::iter_prefix(burned).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
