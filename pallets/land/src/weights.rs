//! Placeholder weights for `pallet_land`, replaced by generated ones.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::{
	frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}},
	frame_system,
};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_land`.
pub trait WeightInfo {
	fn create_planet() -> Weight;
	fn set_entrance_fee() -> Weight;
	fn enter() -> Weight;
	fn mint_parcel() -> Weight;
	fn mint_parcel_for_sale() -> Weight;
	fn list_parcel() -> Weight;
	fn unlist_parcel() -> Weight;
	fn buy_parcel() -> Weight;
}

impl WeightInfo for () {
	fn create_planet() -> Weight { Weight::from_parts(50_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(3, 3)) }
	fn set_entrance_fee() -> Weight { Weight::from_parts(20_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn enter() -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(4, 3)) }
	fn mint_parcel() -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(6, 7)) }
	fn mint_parcel_for_sale() -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(6, 8)) }
	fn list_parcel() -> Weight { Weight::from_parts(20_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(2, 1)) }
	fn unlist_parcel() -> Weight { Weight::from_parts(20_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(2, 1)) }
	fn buy_parcel() -> Weight { Weight::from_parts(80_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8)) }
}
