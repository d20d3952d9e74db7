//! A runtime with System, Balances and the miners pallet, for unit tests and benchmark tests.

use crate as pallet_miners;
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl,
		traits::{ConstU32, ConstU64},
	},
	frame_system, pallet_balances, sp_io,
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_miners,
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

/// 1000 units of stake per TiB.
pub const STAKE_PER_TIB: u64 = 1_000;
pub const UNBONDING: u64 = 20;
pub const TIB: u64 = crate::TIB;
/// A filler sector: 1 GiB.
pub const SECTOR: u64 = 1 << 30;
/// The most sectors per miner.
pub const MAX_SECTORS: u32 = 8;

impl pallet_miners::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type StakePerTiB = ConstU64<STAKE_PER_TIB>;
	type UnbondingPeriod = ConstU64<UNBONDING>;
	type MaxMiners = ConstU32<5>;
	type SectorSize = ConstU64<SECTOR>;
	type MaxSectors = ConstU32<MAX_SECTORS>;
	type MinCapacity = ConstU64<MIN_CAPACITY>;
	type MinStake = ConstU64<MIN_STAKE>;
	type SealChunks = ConstU32<4>;
	type SealDeadline = ConstU64<SEAL_DEADLINE>;
	type Challenged = Challenged;
	type WeightInfo = ();
}

/// Blocks after a commit within which a sector can be sealed.
pub const SEAL_DEADLINE: u64 = 10;
/// The smallest capacity a miner may register.
pub const MIN_CAPACITY: u64 = 500;
/// The least stake: more than `MIN_CAPACITY` needs at `STAKE_PER_TIB`.
pub const MIN_STAKE: u64 = 5;

polkadot_sdk::frame_support::parameter_types! {
	/// The miners a test says have a challenge open (pallet-audit's role).
	pub static ChallengedMiners: Vec<u64> = Vec::new();
}

/// Stands in for pallet-audit's open challenges.
pub struct Challenged;
impl polkadot_sdk::frame_support::traits::Contains<u64> for Challenged {
	fn contains(who: &u64) -> bool {
		ChallengedMiners::get().contains(who)
	}
}

/// Every account 1..=9 starts with this much.
pub const ENDOWMENT: u64 = 100_000;

/// Accounts 1..=9 endowed, no miners, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> { balances: (1..=9).map(|n| (n, ENDOWMENT)).collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
