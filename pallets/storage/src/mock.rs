//! A runtime with System, Balances, the miners pallet and the storage pallet, for unit
//! tests and benchmark tests (the shared parts are in `test_runtime.rs`).

use crate as pallet_storage;
use polkadot_sdk::frame_support::construct_runtime;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_miners,
		Storage: pallet_storage,
	}
);

crate::economy_test_runtime!(stake_per_tib: 1_000);
