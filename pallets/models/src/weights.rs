//! Placeholder weights for `pallet_models`, replaced by generated ones.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::{
	frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}},
	frame_system,
};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_models`.
pub trait WeightInfo {
	fn mint_model() -> Weight;
	fn set_access() -> Weight;
	fn place_model() -> Weight;
	fn move_model() -> Weight;
	fn remove_model() -> Weight;
	fn burn_model(i: u32, ) -> Weight;
}

impl WeightInfo for () {
	fn mint_model() -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(5, 6)) }
	fn set_access() -> Weight { Weight::from_parts(30_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(3, 1)) }
	fn place_model() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(7, 4)) }
	fn move_model() -> Weight { Weight::from_parts(40_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(3, 1)) }
	fn remove_model() -> Weight { Weight::from_parts(40_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(5, 3)) }
	fn burn_model(i: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(20_000_000, 8_000).saturating_mul(i.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(5, 5))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2).saturating_mul(i.into()))
	}
}
