//! The audit pallet's part of the mock runtimes that test it (its own, and the whole
//! economy's in pallet-rewards), on top of pallet-storage's `economy_test_runtime!`.

/// Implements `pallet_audit::Config` for `Test` (which must include `Storage`, `Miners` and
/// `Audit`, with `economy_test_runtime!` applied): a round every `CHALLENGE_PERIOD`
/// blocks, `CHUNKS` chunks per challenge, `DEADLINE` blocks to answer, a 1% slash for a
/// first miss and 10% for a second within `MISS_WINDOW` blocks, eras of `ERA` blocks.
#[macro_export]
macro_rules! audit_test_config {
	() => {
		use polkadot_sdk::frame_support::parameter_types;

		pub const CHALLENGE_PERIOD: u64 = 10;
		pub const DEADLINE: u64 = 3;
		pub const CHUNKS: u32 = 3;
		pub const ERA: u64 = 100;
		pub const MISS_WINDOW: u64 = 30;

		parameter_types! {
			pub const Slash: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(10);
			pub const FirstMiss: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(1);
		}

		impl $crate::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type Replicas = Storage;
			type Miners = Miners;
			type Randomness = HashRandomness;
			type ChallengePeriod = ConstU64<CHALLENGE_PERIOD>;
			type ChallengesPerPeriod = ConstU32<4>;
			type ChunksPerChallenge = ConstU32<CHUNKS>;
			type ResponseDeadline = ConstU64<DEADLINE>;
			type SlashFraction = Slash;
			type FirstMissSlash = FirstMiss;
			type MissWindow = ConstU64<MISS_WINDOW>;
			type EraLength = ConstU64<ERA>;
			type WeightInfo = ();
		}
	};
}
