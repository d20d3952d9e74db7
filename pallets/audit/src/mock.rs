//! A runtime with System, Balances, the miners, storage and audit pallets, for unit tests
//! and benchmark tests. Randomness is a hash of the subject, so assignments are
//! deterministic but vary with the order.

use crate as pallet_audit;
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl,
		traits::{ConstU32, ConstU64, Randomness},
		parameter_types,
	},
	frame_system, pallet_balances, sp_core::H256, sp_io,
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_miners,
		Storage: pallet_storage,
		Audit: pallet_audit,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_miners::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// ~954 units for the 1 MiB the tests register, so a 10% slash is visible.
	type StakePerTiB = ConstU64<1_000_000_000>;
	type UnbondingPeriod = ConstU64<20>;
	type MaxMiners = ConstU32<16>;
	type WeightInfo = ();
}

/// Randomness that is a hash of the subject and the block number.
pub struct HashRandomness;
impl Randomness<H256, u64> for HashRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let block = System::block_number();
		(H256(sp_io::hashing::blake2_256(&[subject, &block.to_le_bytes()].concat())), block)
	}
}

pub const PRICE: u64 = 2;
pub const PERIOD: u64 = 10;
pub const MAX_REPLICAS: u32 = 3;

impl pallet_storage::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Miners = Miners;
	type Randomness = HashRandomness;
	type PricePerBytePeriod = ConstU64<PRICE>;
	type PeriodLength = ConstU64<PERIOD>;
	type MaxReplicas = ConstU32<MAX_REPLICAS>;
	type MaxContentSize = ConstU64<{ 1 << 30 }>;
	type MaxCandidates = ConstU32<16>;
	type WeightInfo = ();
}

pub const CHALLENGE_PERIOD: u64 = 10;
pub const DEADLINE: u64 = 3;
pub const CHUNKS: u32 = 3;
pub const ERA: u64 = 100;

parameter_types! {
	pub const Slash: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(10);
}

impl pallet_audit::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Replicas = Storage;
	type Miners = Miners;
	type Randomness = HashRandomness;
	type ChallengePeriod = ConstU64<CHALLENGE_PERIOD>;
	type ChallengesPerPeriod = ConstU32<4>;
	type ChunksPerChallenge = ConstU32<CHUNKS>;
	type ResponseDeadline = ConstU64<DEADLINE>;
	type SlashFraction = Slash;
	type EraLength = ConstU64<ERA>;
	type WeightInfo = ();
}

/// Every account 1..=20 starts with this much.
pub const ENDOWMENT: u64 = 10_000_000;

/// Accounts 1..=20 endowed, no miners, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> { balances: (1..=20).map(|n| (n, ENDOWMENT)).collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
