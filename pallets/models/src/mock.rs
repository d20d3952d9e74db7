//! A runtime with System, Balances, pallet-nfts, the land pallet and the models pallet, for
//! unit tests and benchmark tests.

use crate as pallet_models;
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl, parameter_types,
		traits::{AsEnsureOriginWithArg, ConstU32, ConstU64},
		PalletId,
	},
	frame_system::{self, EnsureRoot, EnsureSigned},
	pallet_balances,
	pallet_nfts::{self, PalletFeatures},
	sp_io,
	sp_runtime::{
		traits::{IdentifyAccount, IdentityLookup, Verify},
		BuildStorage, MultiSignature,
	},
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Nfts: pallet_nfts,
		Land: pallet_land,
		Models: pallet_models,
	}
);

pub type Signature = MultiSignature;
pub type AccountPublic = <Signature as Verify>::Signer;
pub type AccountId = <AccountPublic as IdentifyAccount>::AccountId;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub storage Features: PalletFeatures = PalletFeatures::all_enabled();
	pub const LandPalletId: PalletId = PalletId(*b"lm/land_");
}

impl pallet_nfts::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type CollectionId = u32;
	type ItemId = u32;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Locker = ();
	type CollectionDeposit = ConstU64<2>;
	type ItemDeposit = ConstU64<1>;
	type MetadataDepositBase = ConstU64<1>;
	type AttributeDepositBase = ConstU64<1>;
	type DepositPerByte = ConstU64<1>;
	type StringLimit = ConstU32<50>;
	type KeyLimit = ConstU32<50>;
	type ValueLimit = ConstU32<50>;
	type ApprovalsLimit = ConstU32<10>;
	type ItemAttributesApprovalsLimit = ConstU32<2>;
	type MaxTips = ConstU32<10>;
	type MaxDeadlineDuration = ConstU64<10000>;
	type MaxAttributesPerCall = ConstU32<2>;
	type Features = Features;
	type OffchainSignature = Signature;
	type OffchainPublic = AccountPublic;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = ();
	type BlockNumberProvider = System;
}

pub const PLANET_DEPOSIT: u64 = 100;
pub const PASS_DURATION: u64 = 10;
pub const MAX_WORLD_SIDE: u32 = 64;
pub const MAX_REGION_CELLS: u32 = 256;
pub const MAX_MODEL_SIZE: u64 = 1 << 30;
pub const MAX_PLACEMENTS: u32 = 4;
pub const MAX_INSTANCES: u32 = 6;

impl pallet_land::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MainlandOrigin = EnsureRoot<AccountId>;
	type PalletId = LandPalletId;
	type PlanetDeposit = ConstU64<PLANET_DEPOSIT>;
	type MaxWorldSide = ConstU32<MAX_WORLD_SIDE>;
	type PassDuration = ConstU64<PASS_DURATION>;
	type MaxRegionCells = ConstU32<MAX_REGION_CELLS>;
	type WeightInfo = ();
}

impl pallet_models::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MaxNameLength = ConstU32<16>;
	type MaxModelSize = ConstU64<MAX_MODEL_SIZE>;
	type MaxPlacementsPerParcel = ConstU32<MAX_PLACEMENTS>;
	type MaxInstancesPerModel = ConstU32<MAX_INSTANCES>;
	type WeightInfo = ();
}

/// The test account numbered `n`.
pub fn account(n: u8) -> AccountId {
	AccountId::from([n; 32])
}

pub const ALICE: u8 = 1;
pub const BOB: u8 = 2;
/// Every numbered test account starts with this much.
pub const ENDOWMENT: u64 = 10_000;

/// A 32 × 32 mainland with no parcels or models; accounts 1..=9 endowed; at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(Vec::new(), Vec::new())
}

/// As [`new_test_ext`], with these genesis mainland parcels and models.
pub fn new_test_ext_with(
	parcels: Vec<(u32, u32, Option<AccountId>, Option<u64>)>,
	models: Vec<pallet_models::GenesisModel<AccountId>>,
) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|n| (account(n), ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_land::GenesisConfig::<Test> { mainland_width: 32, mainland_height: 32, parcels }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_models::GenesisConfig::<Test> { models }.assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
