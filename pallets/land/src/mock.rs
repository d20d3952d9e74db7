//! A runtime with System, Balances, pallet-nfts and the land pallet, for unit tests and
//! benchmark tests (the shared parts are in `test_runtime.rs`).

use crate as pallet_land;
use polkadot_sdk::frame_support::construct_runtime;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Nfts: pallet_nfts,
		Land: pallet_land,
	}
);

crate::world_test_runtime!();

/// A 32 × 32 mainland with no parcels; accounts 1..=9 endowed; at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(Vec::new())
}

/// As [`new_test_ext`], with these genesis mainland parcels.
pub fn new_test_ext_with(parcels: Vec<(u32, u32, Option<AccountId>, Option<u64>)>) -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(world_genesis(parcels));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
