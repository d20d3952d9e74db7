//! # The Landmesh runtime
//!
//! BABE block production (its VRF randomness seeds the storage challenges), GRANDPA
//! finality, a root-managed validator set through pallet-session, the CYBR token
//! (pallet-balances, 12 decimals), transaction fees, utility batches, sudo, and
//! pallet-nfts as the NFT ledger for parcels and models.
//!
//! Layout: `configs.rs` configures every pallet, `apis.rs` implements the runtime APIs,
//! `genesis.rs` holds the `development` and `local_testnet` presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;
use alloc::vec::Vec;

pub mod apis;
pub mod configs;
pub mod genesis;
#[cfg(test)]
mod tests;

/// pallet-nfts, whose calls clients build to trade parcels and models.
pub use polkadot_sdk::pallet_nfts;
use polkadot_sdk::{
	frame_support, frame_system, pallet_babe, pallet_balances, pallet_grandpa,
	pallet_session, pallet_sudo, pallet_timestamp, pallet_transaction_payment, pallet_utility,
	sp_runtime::{
		self, generic, impl_opaque_keys,
		traits::{BlakeTwo256, IdentifyAccount, Verify},
		MultiAddress, MultiSignature,
	},
	sp_version::RuntimeVersion,
	*,
};

pub use configs::{BlockHashCount, ChallengeRandomness, EraLength, EXISTENTIAL_DEPOSIT};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_sudo::Call as SudoCall;
pub use pallet_utility::Call as UtilityCall;
pub use pallet_validator_set;
#[cfg(feature = "std")]
pub use sp_runtime::BuildStorage;

/// A block number.
pub type BlockNumber = u32;
/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A CYBR amount in its smallest unit (12 decimals: `UNITS` is one CYBR).
pub type Balance = u128;
/// A transaction counter of an account.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// CYBR amounts.
pub mod currency {
	use super::Balance;
	/// One CYBR.
	pub const UNITS: Balance = 1_000_000_000_000;
	/// 10^-3 CYBR.
	pub const MILLI_UNITS: Balance = UNITS / 1_000;
	/// 10^-6 CYBR.
	pub const MICRO_UNITS: Balance = MILLI_UNITS / 1_000;
	/// The token's symbol.
	pub const TOKEN_SYMBOL: &str = "CYBR";
	/// The token's decimals.
	pub const TOKEN_DECIMALS: u8 = 12;
}

/// Time, in blocks and milliseconds.
pub mod time {
	use super::BlockNumber;
	/// The target block time. BABE's slot is one block.
	pub const MILLISECS_PER_BLOCK: u64 = 3000;
	/// The slot duration; it cannot change after genesis.
	pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
	/// A BABE epoch, which is also a session: validator-set changes land on its boundaries.
	pub const EPOCH_DURATION_IN_BLOCKS: BlockNumber = 10 * MINUTES;
	/// The epoch in slots (a slot is one block here).
	pub const EPOCH_DURATION_IN_SLOTS: u64 = EPOCH_DURATION_IN_BLOCKS as u64;
}

/// BABE's epoch configuration at genesis: one primary slot leader per four slots on
/// average, with secondary VRF slots so that every slot has an author.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: (1, 4),
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;

	impl_opaque_keys! {
		/// The keys a validator registers with `session.set_keys`.
		pub struct SessionKeys {
			pub babe: Babe,
			pub grandpa: Grandpa,
		}
	}
}

#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("landmesh"),
	impl_name: alloc::borrow::Cow::Borrowed("landmesh-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;
	#[runtime::pallet_index(3)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type ValidatorSet = pallet_validator_set;
	#[runtime::pallet_index(7)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(8)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(9)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(10)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(11)]
	pub type Nfts = pallet_nfts;
	#[runtime::pallet_index(12)]
	pub type Land = pallet_land;
	#[runtime::pallet_index(13)]
	pub type Models = pallet_models;
	#[runtime::pallet_index(14)]
	pub type Miners = pallet_miners;
	#[runtime::pallet_index(15)]
	pub type Storage = pallet_storage;
	#[runtime::pallet_index(16)]
	pub type Audit = pallet_audit;
	#[runtime::pallet_index(17)]
	pub type Rewards = pallet_rewards;
	#[runtime::pallet_index(18)]
	pub type MinerWorker = pallet_miner_worker;
	#[runtime::pallet_index(19)]
	pub type Revive = pallet_revive;
}

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The checks every signed transaction goes through, in order.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// The transaction extensions of a transaction with `nonce`, valid in `era`, tipping
/// `tip`, metadata hash unchecked: the one place this tuple is built (wallet tools, the
/// miner's off-chain worker, pallet-revive's Ethereum dry-runs), so none drifts from
/// [`TxExtension`].
pub fn tx_extension(era: generic::Era, nonce: Nonce, tip: Balance) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}
/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;
/// Runtime migrations not declared by pallets.
type Migrations = ();
/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;
