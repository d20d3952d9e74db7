//! Every pallet's configuration, with the reason for each non-obvious value.

use super::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, IdentityFee, Weight,
	},
};
use frame_system::{limits, EnsureRoot, EnsureSigned};
use pallet_transaction_payment::{FungibleAdapter, Multiplier};
use sp_runtime::{
	traits::{ConvertInto, One, OpaqueKeys},
	FixedPointNumber, Perbill,
};

use crate::{currency::*, time::*};
use landmesh_primitives::miner::MinerTask;

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	/// 4,096 blocks (3.4 hours): seal proofs are drawn from the hash of the block after
	/// their commit, which must still be known when they land (`ConfirmDeadline`,
	/// `SealDeadline`).
	pub const BlockHashCount: BlockNumber = 4096;
	pub const Version: RuntimeVersion = VERSION;
	/// One second of compute per three-second block, as Polkadot allows two per six: the
	/// rest of the slot is for propagation and import on the other validators.
	pub RuntimeBlockWeights: limits::BlockWeights = limits::BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal transactions may fill 75%.
	pub RuntimeBlockLength: limits::BlockLength = limits::BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	/// The generic Substrate SS58 prefix, so wallets show addresses without a custom format.
	pub const SS58Prefix: u8 = 42;
}

/// Refuses pallet-nfts' `burn` of parcels and models: the world pallets burn them (a model's
/// placements go with it; parcels are never burned), so their indexes never point at a
/// missing item. Everything else pallet-nfts offers (transfer, approvals, attributes)
/// stays open, and ownership changes need no bookkeeping here.
pub struct WorldCallFilter;

impl frame_support::traits::Contains<RuntimeCall> for WorldCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		match call {
			RuntimeCall::Nfts(pallet_nfts::Call::burn { collection, .. }) =>
				!pallet_models::Pallet::<Runtime>::is_world_collection(*collection),
			_ => true,
		}
	}
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type BaseCallFilter = WorldCallFilter;
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	/// New accounts get their contract address (pallet-revive's mapping) at once.
	type OnNewAccount = pallet_revive::AutoMapper<Runtime>;
	type OnKilledAccount = pallet_revive::AutoMapper<Runtime>;
}

parameter_types! {
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
	pub const ExpectedBlockTime: u64 = MILLISECS_PER_BLOCK;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	// Session rotation drives epoch changes, so epochs and sessions stay aligned.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	// Equivocation reports need session history and an offences pallet; with a small
	// root-managed validator set, root removes a misbehaving validator instead.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

/// Randomness for storage challenges: the VRF output of the parent block's author, fresh
/// each block and unknown before that block exists, so a miner cannot precompute the
/// chunks it will be asked for. `None` only in the first blocks of the chain.
pub type ChallengeRandomness = pallet_babe::ParentBlockRandomness<Runtime>;

/// [`ChallengeRandomness`] for pallets that need a value in every block: in the first
/// blocks, before BABE has a VRF output, the subject is hashed with the parent hash
/// (predictable, but nothing is at stake that early).
pub struct BabeRandomness;

impl frame_support::traits::Randomness<Hash, BlockNumber> for BabeRandomness {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		match ChallengeRandomness::random(subject) {
			(Some(value), known_since) => (value, known_since),
			(None, known_since) => {
				let parent = frame_system::Pallet::<Runtime>::parent_hash();
				(sp_io::hashing::blake2_256(&[subject, parent.as_ref()].concat()).into(), known_since)
			},
		}
	}
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	type EventHandler = ();
}

/// The smallest balance an account may hold: 1 milli-CYBR.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNITS;

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees rise when blocks are more than a quarter full and come back down to today's
	/// level, never below it: predictable for world builders when the chain is quiet,
	/// and block stuffing (to crowd out challenge answers, say) grows dearer by the block.
	pub const TargetBlockFullness: polkadot_sdk::sp_runtime::Perquintill = polkadot_sdk::sp_runtime::Perquintill::from_percent(25);
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	pub MaximumMultiplier: Multiplier = polkadot_sdk::sp_runtime::traits::Bounded::max_value();
	/// 1 micro-CYBR per byte of transaction.
	pub const TransactionByteFee: Balance = MICRO_UNITS;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Fees go to the storage reward pool (pallet-rewards), which pays miners per era.
	type OnChargeTransaction =
		FungibleAdapter<Balances, frame_support::traits::tokens::imbalance::ResolveTo<RewardPool, Balances>>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = pallet_transaction_payment::TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type MaxValidators = ConstU32<100>;
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	type SessionManager = ValidatorSet;
	type SessionHandler = <opaque::SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = opaque::SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	// Only root-approved validators matter, so setting keys needs no deposit.
	type KeyDeposit = ConstU128<0>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub NftFeatures: pallet_nfts::PalletFeatures = pallet_nfts::PalletFeatures::all_enabled();
}

parameter_types! {
	pub const LandPalletId: frame_support::PalletId = frame_support::PalletId(*b"lm/land_");
}

impl pallet_land::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MainlandOrigin = EnsureRoot<AccountId>;
	type PalletId = LandPalletId;
	/// A planet is a world of its own: a deposit large enough that worlds are not spam.
	type PlanetDeposit = ConstU128<{ 100 * UNITS }>;
	/// 0.01 CYBR a parcel (pallet-nfts' item deposit): a full 4096 × 4096 planet holds
	/// 167,772 CYBR.
	type ParcelDeposit = ConstU128<{ 10 * MILLI_UNITS }>;
	/// 0.01 CYBR while a pass entry exists; returned when the expired entry is cleared.
	type PassDeposit = ConstU128<{ 10 * MILLI_UNITS }>;
	/// 4096 × 4096 cells of 16 m: a world 65 km across.
	type MaxWorldSide = ConstU32<4096>;
	/// A pass lasts a day.
	type PassDuration = ConstU32<DAYS>;
	/// 16 × 16 parcels per region query: with `MaxPlacementsPerParcel` = 32, at most 8192
	/// placed models in one answer, well inside the RPC server's 10 MiB response limit.
	type MaxRegionCells = ConstU32<256>;
	type WeightInfo = pallet_land::weights::SubstrateWeight<Runtime>;
}

impl pallet_models::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type MaxNameLength = ConstU32<64>;
	/// 4 GiB: larger scenes are split into several models.
	type MaxModelSize = ConstU64<{ 4 << 30 }>;
	type MaxPlacementsPerParcel = ConstU32<32>;
	/// Bounds the work of burning a model, which removes every instance.
	type MaxInstancesPerModel = ConstU32<512>;
	/// A content id is bound to the owner of its first model, who may mint up to 16 models
	/// of it (other names or access rules); the bound keeps small the index read behind every
	/// mint and every gateway access decision.
	type MaxModelsPerContent = ConstU32<16>;
	/// Burning a model ends its storage orders and refunds its owner.
	type OnBurn = ModelStorage;
	type WeightInfo = pallet_models::weights::SubstrateWeight<Runtime>;
}

/// The storage orders that belong to models: pallet-storage reads models through it, and
/// pallet-models ends a burnt model's orders through it.
pub struct ModelStorage;

impl pallet_storage::ModelRecords<AccountId> for ModelStorage {
	fn model(model: landmesh_primitives::ModelId) -> Option<(AccountId, landmesh_primitives::ContentId, u64)> {
		let m = pallet_models::Models::<Runtime>::get(model)?;
		Some((pallet_models::Pallet::<Runtime>::model_owner(model)?, m.content_id, m.size))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn model_for_benchmark(owner: &AccountId, content: landmesh_primitives::ContentId, size: u64) -> landmesh_primitives::ModelId {
		use frame_support::traits::{fungible::Mutate, Currency};
		let _ = <Balances as Mutate<AccountId>>::mint_into(owner, 1_000 * UNITS);
		let _ = <Balances as Currency<AccountId>>::deposit_creating(owner, 1_000 * UNITS);
		// The genesis of every chain creates the model collection.
		let id = pallet_models::NextModelId::<Runtime>::get();
		pallet_models::Pallet::<Runtime>::mint_model(
			RuntimeOrigin::signed(owner.clone()),
			content,
			size,
			landmesh_primitives::ModelFormat::Glb,
			b"benchmark".to_vec().try_into().expect("a short name"),
			landmesh_primitives::AccessRule::Public,
		)
		.expect("a funded account mints a model");
		id
	}
}

impl pallet_models::OnModelBurnt<AccountId> for ModelStorage {
	fn model_burnt(model: landmesh_primitives::ModelId, owner: &AccountId) -> sp_runtime::DispatchResult {
		Storage::close_model_orders(model, owner)
	}

	fn weight() -> Weight {
		use frame_support::traits::Get;
		use pallet_storage::WeightInfo;
		let max: u32 = <Runtime as pallet_storage::Config>::MaxReplicas::get();
		let cancel = pallet_storage::weights::SubstrateWeight::<Runtime>::cancel(max)
			.saturating_add(Storage::unlisting(max));
		let orders: u32 = <Runtime as pallet_storage::Config>::MaxOrdersPerModel::get();
		cancel.saturating_mul(orders.into())
	}
}

impl pallet_miners::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// 100 CYBR per TiB: enough that a slashed fraction hurts more than a challenge's
	/// rewards are worth, small enough that home miners can join.
	type StakePerTiB = ConstU128<{ 100 * UNITS }>;
	/// A week: time for the last challenges on a leaving miner and for its replicas to be
	/// repaired elsewhere.
	type UnbondingPeriod = ConstU32<{ 7 * DAYS }>;
	/// Bounds the scan that picks miners for a replica.
	type MaxMiners = ConstU32<1024>;
	type SectorSize = ConstU64<{ landmesh_primitives::filler::SECTOR_SIZE }>;
	/// 4 TiB of idle space proven per miner; capacity beyond that is offered unproven.
	type MaxSectors = ConstU32<1024>;
	/// 1 GiB: the smallest miner worth a seat.
	type MinCapacity = ConstU64<{ 1 << 30 }>;
	/// 10 CYBR a seat: filling the 1,024 seats locks 10,240 CYBR, not 1.5.
	type MinStake = ConstU128<{ 10 * UNITS }>;
	/// Eight chunks with their links (about 80 KiB of proof): a root with 1 in 8 of its
	/// chunks forged passes with odds of at most 1 in 3 ((7/8)^8), one with half of them
	/// forged 1 in 256.
	type SealChunks = ConstU32<8>;
	/// An hour to generate a 4 GiB sector and seal it; well within the 4,096 block hashes
	/// the chain keeps.
	type SealDeadline = ConstU32<HOURS>;
	type Challenged = pallet_audit::HasOpenChallenge<Runtime>;
	type WeightInfo = pallet_miners::weights::SubstrateWeight<Runtime>;
}

impl pallet_storage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Miners = Miners;
	type Randomness = BabeRandomness;
	/// 1 CYBR per GiB per replica per period (a day): `UNITS / 2^30` per byte, rounded.
	type PricePerBytePeriod = ConstU128<{ UNITS / (1 << 30) }>;
	type PeriodLength = ConstU32<DAYS>;
	type MaxReplicas = ConstU32<8>;
	/// As large as a model may be.
	type MaxContentSize = ConstU64<{ 4 << 30 }>;
	type MaxCandidates = ConstU32<1024>;
	/// Three hours to fetch up to 4 GiB and seal it (1 GiB of prefix and 4 GiB of labels
	/// at 1.0–1.2 MiB/s per core: 70–88 minutes, `scripts/bench-proofs`), within the 4,096
	/// block hashes the chain keeps (the seal proof reads the hash of the block after the
	/// commit).
	type ConfirmDeadline = ConstU32<{ 3 * HOURS }>;
	type Challenged = pallet_audit::HasOpenChallenge<Runtime>;
	/// 0.1 CYBR an order, burned.
	type OrderFee = ConstU128<{ UNITS / 10 }>;
	/// Eight draws among up to 1,024 miners per block.
	type MaxAssignmentsPerBlock = ConstU32<8>;
	/// A replica's chain starts with one filler sector's worth of labels (1 GiB at most).
	type SectorSize = MinersSectorSize;
	type SealDraws = ConstU32<{ landmesh_primitives::replica::SEAL_DRAWS }>;
	type Models = ModelStorage;
	type PalletId = StoragePalletId;
	/// Burning a model closes at most four orders.
	type MaxOrdersPerModel = ConstU32<4>;
	type WeightInfo = pallet_storage::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The account that holds the escrow of storage orders that belong to models.
	pub const StoragePalletId: frame_support::PalletId = frame_support::PalletId(*b"lm/store");
}

const _: () = assert!(3 * HOURS + 2 < BlockHashCount::get(), "seal proofs must land while their draw's block hash is kept");

/// The filler sector size pallet-miners uses on this chain (genesis may set it).
pub struct MinersSectorSize;
impl frame_support::traits::Get<u64> for MinersSectorSize {
	fn get() -> u64 {
		Miners::sector_size()
	}
}

parameter_types! {
	/// A failed challenge (a second miss within the hour) costs 1% of the stake: ten
	/// failures hurt, one bad disk does not ruin.
	pub const AuditSlash: Perbill = Perbill::from_percent(1);
	/// A first miss costs a tenth of that, and the target is asked again at once: a node
	/// offline for a few blocks, or an answer delayed by a full block, is not a failure.
	pub const FirstMissSlash: Perbill = Perbill::from_parts(1_000_000);
}

impl pallet_audit::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Replicas = Storage;
	type Miners = Miners;
	type Randomness = BabeRandomness;
	/// A round every 10 blocks (30 s).
	type ChallengePeriod = ConstU32<10>;
	/// Each failure repairs a replica (a scan of the miners), so rounds stay small.
	type ChallengesPerPeriod = ConstU32<8>;
	type ChunksPerChallenge = ConstU32<4>;
	/// 5 blocks (15 s): plenty to read four chunks and their siblings, far too little to
	/// seal a missing replica again (its 1 GiB prefix of labels is 14 minutes of
	/// sequential work here) or to rebuild a dropped filler label.
	type ResponseDeadline = ConstU32<5>;
	type SlashFraction = AuditSlash;
	type FirstMissSlash = FirstMissSlash;
	/// A second miss within an hour fails.
	type MissWindow = ConstU32<HOURS>;
	type EraLength = EraLength;
	type WeightInfo = pallet_audit::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const RewardsPalletId: frame_support::PalletId = frame_support::PalletId(*b"lm/rwrds");
	/// The reward pool, which also receives transaction fees.
	pub RewardPool: AccountId = sp_runtime::traits::AccountIdConversion::into_account_truncating(&RewardsPalletId::get());
	/// Seven tenths of each era's pool pay for proven storage, three for serving.
	pub const StorageRewardShare: Perbill = Perbill::from_percent(70);
}

parameter_types! {
	/// A day: rewards are paid, and served bytes reported, per era.
	pub const EraLength: BlockNumber = DAYS;
}

/// Signs receipts for the benchmarks the costliest way a client can: an ECDSA key (public
/// key recovery) over the `<Bytes>`-wrapped message, which the runtime tries second.
#[cfg(feature = "runtime-benchmarks")]
pub struct ReceiptSigner;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId, Signature> for ReceiptSigner {
	fn sign(n: u32, message: &[u8]) -> (AccountId, Signature) {
		use sp_runtime::traits::IdentifyAccount;
		let seed = alloc::format!("//client{n}");
		let key = sp_core::crypto::key_types::ACCOUNT;
		let public = sp_io::crypto::ecdsa_generate(key, Some(seed.into_bytes()));
		let wrapped = [&b"<Bytes>"[..], message, &b"</Bytes>"[..]].concat();
		let signature = sp_io::crypto::ecdsa_sign(key, &public, &wrapped).expect("the key was just generated");
		(sp_runtime::MultiSigner::from(public).into_account(), Signature::Ecdsa(signature))
	}
}

impl pallet_rewards::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ReceiptSignature = Signature;
	/// 1 CYBR held per client; it vouches for up to 64 GiB a day. A miner faking its own
	/// clients must keep 1 CYBR locked per 64 GiB a day it claims (the same deposit serves
	/// every era: capital locked, not spent).
	type ClientDeposit = ConstU128<UNITS>;
	type MaxServedPerClient = ConstU64<{ 64 << 30 }>;
	type MaxReceiptsPerReport = ConstU32<{ landmesh_primitives::miner::MAX_RECEIPTS_PER_REPORT }>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ReceiptSigner;
	type Miners = Miners;
	type Scores = Audit;
	type PalletId = RewardsPalletId;
	/// 1000 CYBR a day.
	type EraIssuance = ConstU128<{ 1_000 * UNITS }>;
	type StorageShare = StorageRewardShare;
	/// A node may serve each byte of its capacity up to 100 times a day.
	type MaxServedPerStoredByte = ConstU32<100>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
}

impl pallet_nfts::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type CollectionId = u32;
	type ItemId = u32;
	type Currency = Balances;
	type ForceOrigin = EnsureRoot<AccountId>;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type Locker = ();
	type CollectionDeposit = ConstU128<{ 10 * UNITS }>;
	type ItemDeposit = ConstU128<{ 10 * MILLI_UNITS }>;
	type MetadataDepositBase = ConstU128<{ 10 * MILLI_UNITS }>;
	type AttributeDepositBase = ConstU128<{ 10 * MILLI_UNITS }>;
	type DepositPerByte = ConstU128<{ 10 * MICRO_UNITS }>;
	type StringLimit = ConstU32<256>;
	type KeyLimit = ConstU32<64>;
	type ValueLimit = ConstU32<256>;
	type ApprovalsLimit = ConstU32<20>;
	type ItemAttributesApprovalsLimit = ConstU32<20>;
	type MaxTips = ConstU32<10>;
	type MaxDeadlineDuration = ConstU32<{ 30 * DAYS }>;
	type MaxAttributesPerCall = ConstU32<10>;
	type Features = NftFeatures;
	type OffchainSignature = Signature;
	type OffchainPublic = <Signature as Verify>::Signer;
	type WeightInfo = pallet_nfts::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = ();
	type BlockNumberProvider = System;
}


/// The miner's off-chain worker carries the node's tasks in these calls.
pub struct MinerCalls;

impl pallet_miner_worker::TaskCalls<RuntimeCall> for MinerCalls {
	fn call(task: MinerTask) -> Option<RuntimeCall> {
		Some(match task {
			MinerTask::CommitReplica { order, roots } => pallet_storage::Call::commit_replica { order, roots }.into(),
			MinerTask::Confirm { order, proof, seal } =>
				pallet_storage::Call::confirm { order, proof, seal: seal.try_into().ok()? }.into(),
			MinerTask::Answer { challenge, proofs } =>
				pallet_audit::Call::answer { challenge, proofs: proofs.try_into().ok()? }.into(),
			MinerTask::ReportServed { era, receipts } =>
				pallet_rewards::Call::report_served { era, receipts: receipts.try_into().ok()? }.into(),
			MinerTask::CommitSector { index, root } => pallet_miners::Call::commit_sector { index, root }.into(),
			MinerTask::SealSector { slot, links } =>
				pallet_miners::Call::prove_sector { slot, links: links.try_into().ok()? }.into(),
			MinerTask::AnswerSector { challenge, links } =>
				pallet_audit::Call::answer_sector { challenge, links: links.try_into().ok()? }.into(),
		})
	}
}

impl pallet_miner_worker::Config for Runtime {
	type MinerKey = pallet_miner_worker::crypto::MinerKey;
	type Tasks = MinerCalls;
	type EraLength = EraLength;
	/// Receipts go out at most every 10 blocks (30 s) while they grow.
	type ReportInterval = ConstU32<10>;
}

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <Signature as sp_runtime::traits::Verify>::Signer;
	type Signature = Signature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = UncheckedExtrinsic;
}

/// Off-chain workers (the miner's) sign transactions as wallets do: mortal for a short
/// period from the current block, no tip, no metadata hash.
impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_signed_transaction<C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: Self::Public,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		use codec::Encode;
		use sp_runtime::{generic::Era, traits::StaticLookup, SaturatedConversion};
		// Valid for 64 blocks (3 minutes): long enough to be included, short enough that a
		// stale proof does not linger in pools.
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let tx_ext = crate::tx_extension(Era::mortal(64, current), nonce, 0);
		let payload = SignedPayload::new(call, tx_ext).ok()?;
		let signature = payload.using_encoded(|bytes| C::sign(bytes, public))?;
		let (call, tx_ext, _) = payload.deconstruct();
		let address = <Runtime as frame_system::Config>::Lookup::unlookup(account);
		Some(UncheckedExtrinsic::new_signed(call, address, signature, tx_ext))
	}
}

parameter_types! {
	/// Contract storage is paid for while it exists, as pallet-nfts' items are: per item
	/// and per byte, returned when the storage is freed.
	pub const ContractDepositPerItem: Balance = 10 * MILLI_UNITS;
	pub const ContractDepositPerByte: Balance = 10 * MICRO_UNITS;
	pub const ContractDepositPerChildTrieItem: Balance = 100 * MICRO_UNITS;
	/// Part of the code deposit an instantiator locks, so code in use cannot be removed
	/// under a contract.
	pub const CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
}

/// Smart contracts on PolkaVM, the pallet ink! 6 targets (`contracts/README.md`). Only
/// Substrate-signed calls are used: the Ethereum compatibility layer (eth RPC, Ethereum
/// transactions) is not set up.
#[derive_impl(pallet_revive::config_preludes::TestDefaultConfig)]
impl pallet_revive::Config for Runtime {
	type Time = Timestamp;
	type Balance = Balance;
	type Currency = Balances;
	type DepositPerItem = ContractDepositPerItem;
	type DepositPerByte = ContractDepositPerByte;
	type DepositPerChildTrieItem = ContractDepositPerChildTrieItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressMapper = pallet_revive::AccountId32Mapper<Self>;
	/// Accounts get their contract address on first use, so a wallet need not call
	/// `revive.map_account` before talking to contracts.
	type AutoMap = frame_support::traits::ConstBool<true>;
	type UploadOrigin = EnsureSigned<AccountId>;
	type InstantiateOrigin = EnsureSigned<AccountId>;
	type ChainId = ConstU64<420_420_421>;
	type NativeToEthRatio = ConstU32<1_000_000>;
	type FindAuthor = <Runtime as pallet_authorship::Config>::FindAuthor;
	type WeightInfo = pallet_revive::weights::SubstrateWeight<Self>;
}

/// What pallet-revive's runtime API macro needs to name an Ethereum transaction's
/// extensions; this chain accepts no Ethereum transactions, so it is never used to sign.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EthExtraImpl;

impl pallet_revive::evm::runtime::EthExtra for EthExtraImpl {
	type Config = Runtime;
	type ExtensionV0 = TxExtension;
	type ExtensionOtherVersions = sp_runtime::traits::InvalidVersion;

	fn get_eth_extension(nonce: Nonce, tip: Balance) -> TxExtension {
		crate::tx_extension(sp_runtime::generic::Era::Immortal, nonce, tip)
	}
}
