//! The whole storage economy (System, Balances and the miners, storage, audit and rewards
//! pallets) for the scenario tests and benchmark tests (the shared parts come from
//! pallet-storage's `economy_test_runtime!`).

use crate as pallet_rewards;
use polkadot_sdk::frame_support::{construct_runtime, PalletId};

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_miners,
		Storage: pallet_storage,
		Audit: pallet_audit,
		Rewards: pallet_rewards,
	}
);

// About 954 units of stake for the 1 MiB the tests register, so a 10% slash shows.
pallet_storage::economy_test_runtime!(stake_per_tib: 1_000_000_000, challenged: pallet_audit::HasOpenChallenge<Test>);

pallet_audit::audit_test_config!();

pub const ERA_ISSUANCE: u64 = 1_000_000;

parameter_types! {
	pub const RewardsPalletId: PalletId = PalletId(*b"lm/rwrds");
	pub const StorageShare: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(70);
}

impl pallet_rewards::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Miners = Miners;
	type Scores = Audit;
	type PalletId = RewardsPalletId;
	type EraIssuance = ConstU64<ERA_ISSUANCE>;
	type StorageShare = StorageShare;
	type MaxServedPerStoredByte = ConstU32<10>;
	type WeightInfo = ();
}
