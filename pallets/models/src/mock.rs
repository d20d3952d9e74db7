//! A runtime with System, Balances, pallet-nfts, the land pallet and the models pallet, for
//! unit tests and benchmark tests (the shared parts come from pallet-land's
//! `world_test_runtime!`).

use crate as pallet_models;
use polkadot_sdk::frame_support::construct_runtime;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Nfts: pallet_nfts,
		Land: pallet_land,
		Models: pallet_models,
	}
);

pallet_land::world_test_runtime!();

pub const MAX_MODEL_SIZE: u64 = 1 << 30;
pub const MAX_PLACEMENTS: u32 = 4;
pub const MAX_INSTANCES: u32 = 6;
pub const MAX_MODELS_PER_CONTENT: u32 = 4;

impl pallet_models::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MaxNameLength = ConstU32<16>;
	type MaxModelSize = ConstU64<MAX_MODEL_SIZE>;
	type MaxPlacementsPerParcel = ConstU32<MAX_PLACEMENTS>;
	type MaxInstancesPerModel = ConstU32<MAX_INSTANCES>;
	type MaxModelsPerContent = ConstU32<MAX_MODELS_PER_CONTENT>;
	type OnBurn = ();
	type WeightInfo = ();
}

/// A 32 × 32 mainland with no parcels or models; accounts 1..=9 endowed; at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(Vec::new(), Vec::new())
}

/// As [`new_test_ext`], with these genesis mainland parcels and models.
pub fn new_test_ext_with(
	parcels: Vec<(u32, u32, Option<AccountId>, Option<u64>)>,
	models: Vec<pallet_models::GenesisModel<AccountId>>,
) -> sp_io::TestExternalities {
	let mut storage = world_genesis(parcels);
	pallet_models::GenesisConfig::<Test> { models }.assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
