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

/// A client's signature in the tests: the signer and a hash of what it signed, so a
/// receipt for other bytes, another miner or another chain does not verify.
#[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, codec::DecodeWithMemTracking, scale_info::TypeInfo)]
pub struct TestReceiptSignature {
	pub signer: u64,
	pub digest: [u8; 32],
}

impl TestReceiptSignature {
	/// `signer`'s signature of `message`.
	pub fn sign(signer: u64, message: &[u8]) -> Self {
		Self { signer, digest: polkadot_sdk::sp_io::hashing::blake2_256(message) }
	}
}

impl polkadot_sdk::sp_runtime::traits::Verify for TestReceiptSignature {
	type Signer = polkadot_sdk::sp_runtime::testing::UintAuthorityId;
	fn verify<L: polkadot_sdk::sp_runtime::traits::Lazy<[u8]>>(&self, mut msg: L, signer: &u64) -> bool {
		self.signer == *signer && self.digest == polkadot_sdk::sp_io::hashing::blake2_256(msg.get())
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<u64, TestReceiptSignature> for () {
	fn sign(n: u32, message: &[u8]) -> (u64, TestReceiptSignature) {
		let client = 1_000 + n as u64;
		(client, TestReceiptSignature::sign(client, message))
	}
}

/// What a client holds to vouch.
pub const CLIENT_DEPOSIT: u64 = 1_000;
/// The most bytes a client vouches for in an era.
pub const MAX_PER_CLIENT: u64 = 1 << 20;

impl pallet_rewards::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ReceiptSignature = TestReceiptSignature;
	type ClientDeposit = ConstU64<CLIENT_DEPOSIT>;
	type MaxServedPerClient = ConstU64<MAX_PER_CLIENT>;
	type MaxReceiptsPerReport = ConstU32<16>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type Miners = Miners;
	type Scores = Audit;
	type PalletId = RewardsPalletId;
	type EraIssuance = ConstU64<ERA_ISSUANCE>;
	type StorageShare = StorageShare;
	type MaxServedPerStoredByte = ConstU32<10>;
	type WeightInfo = ();
}
