//! The runtime APIs the node, wallets and the toolchain call.

use super::*;
use alloc::{vec, vec::Vec};
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use sp_api::impl_runtime_apis;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_inherents::{CheckInherentsResult, InherentData};
use sp_session::OpaqueGeneratedSessionKeys;
use landmesh_primitives::{
	storage::{AssignmentView, ChallengeView, MinerView, OrderView, ReplicaView, SectorView},
	ContentId, ModelId, ModelView, ParcelView, Region, RegionError, RegionScene, WorldId, WorldView,
};

/// Endpoint bytes as text for clients (they were given as text; invalid UTF-8 is shown
/// with replacement characters rather than dropped).
fn text(bytes: &[u8]) -> alloc::string::String {
	alloc::string::String::from_utf8_lossy(bytes).into_owned()
}

/// A miner's peer id, multiaddrs and gateway as text.
fn endpoints_text(e: &pallet_miners::Endpoints) -> (alloc::string::String, Vec<alloc::string::String>, alloc::string::String) {
	(text(&e.peer_id), e.multiaddrs.iter().map(|a| text(a)).collect(), text(&e.gateway))
}

// `#[macro_use]` keeps `list_benchmarks!`/`add_benchmarks!` in textual scope below.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benches {
	polkadot_sdk::frame_benchmarking::define_benchmarks!(
		[frame_benchmarking, BaselineBench::<Runtime>]
		[frame_system, SystemBench::<Runtime>]
		[pallet_balances, Balances]
		[pallet_timestamp, Timestamp]
		[pallet_utility, Utility]
		[pallet_sudo, Sudo]
		[pallet_nfts, Nfts]
		[pallet_validator_set, ValidatorSet]
		[pallet_land, Land]
		[pallet_models, Models]
		[pallet_miners, Miners]
		[pallet_storage, Storage]
		[pallet_audit, Audit]
		[pallet_rewards, Rewards]
	);
}

pallet_revive::impl_runtime_apis_plus_revive_traits! {
	Runtime,
	Revive,
	Executive,
	configs::EthExtraImpl,

	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: InherentData,
		) -> CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_babe::BabeApi<Block> for Runtime {
		fn configuration() -> sp_consensus_babe::BabeConfiguration {
			let epoch_config = Babe::epoch_config().unwrap_or(BABE_GENESIS_EPOCH_CONFIG);
			sp_consensus_babe::BabeConfiguration {
				slot_duration: Babe::slot_duration(),
				epoch_length: configs::EpochDuration::get(),
				c: epoch_config.c,
				authorities: Babe::authorities().to_vec(),
				randomness: Babe::randomness(),
				allowed_slots: epoch_config.allowed_slots,
			}
		}

		fn current_epoch_start() -> sp_consensus_babe::Slot {
			Babe::current_epoch_start()
		}

		fn current_epoch() -> sp_consensus_babe::Epoch {
			Babe::current_epoch()
		}

		fn next_epoch() -> sp_consensus_babe::Epoch {
			Babe::next_epoch()
		}

		fn generate_key_ownership_proof(
			_slot: sp_consensus_babe::Slot,
			_authority_id: sp_consensus_babe::AuthorityId,
		) -> Option<sp_consensus_babe::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is `Void`: there is no proof to give (see configs.rs).
			None
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_babe::EquivocationProof<<Block as BlockT>::Header>,
			_key_owner_proof: sp_consensus_babe::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: sp_consensus_grandpa::AuthorityId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is `Void`: there is no proof to give (see configs.rs).
			None
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
			opaque::SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			opaque::SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl landmesh_primitives::api::WorldApi<Block, AccountId, Balance> for Runtime {
		fn world(world: WorldId) -> Option<WorldView<AccountId, Balance>> {
			Land::world_view(world)
		}

		fn parcel_at(world: WorldId, x: u32, y: u32) -> Option<ParcelView<AccountId, Balance>> {
			Land::parcel_at(world, x, y)
		}

		fn parcels_in_region(region: Region) -> Result<Vec<ParcelView<AccountId, Balance>>, RegionError> {
			Land::parcels_in_region(region)
		}

		fn models_in_region(region: Region) -> Result<RegionScene<AccountId, Balance>, RegionError> {
			Models::models_in_region(region).map(|mut scene| {
				scene.models.iter_mut().for_each(with_storage);
				scene
			})
		}

		fn model(model: ModelId) -> Option<ModelView<AccountId>> {
			Models::model_view(model).map(|mut m| {
				with_storage(&mut m);
				m
			})
		}

		fn model_of_content(content_id: ContentId) -> Option<ModelView<AccountId>> {
			Models::model_of_content(&content_id).map(|mut m| {
				with_storage(&mut m);
				m
			})
		}

		fn models_of(owner: AccountId) -> Vec<ModelView<AccountId>> {
			let mut models = Models::models_of(&owner);
			models.iter_mut().for_each(with_storage);
			models
		}

		fn has_pass(world: WorldId, who: AccountId) -> bool {
			Land::has_pass(world, &who)
		}
	}

	impl landmesh_primitives::api::StorageApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn miner(who: AccountId) -> Option<MinerView<Balance, BlockNumber>> {
			let m = pallet_miners::Miners::<Runtime>::get(&who)?;
			let (peer_id, multiaddrs, gateway) = endpoints_text(&m.endpoints);
			Some(MinerView {
				capacity: m.capacity,
				committed: m.committed,
				confirmed: m.confirmed,
				sectors: m.sectors,
				unsealed: m.unsealed,
				next_sector: m.next_sector,
				sector_room: m
					.sector_room(Miners::sector_size())
					.min(<<Runtime as pallet_miners::Config>::MaxSectors as frame_support::traits::Get<u32>>::get())
					.saturating_sub(m.sectors),
				sector_size: Miners::sector_size(),
				stake: m.stake,
				peer_id,
				multiaddrs,
				gateway,
				region: text(&m.endpoints.region),
				exiting_since: match m.status {
					pallet_miners::MinerStatus::Active => None,
					pallet_miners::MinerStatus::Exiting { since } => Some(since),
				},
			})
		}

		fn content_status(content_id: ContentId) -> Vec<OrderView<AccountId, Balance, BlockNumber>> {
			pallet_storage::OrdersByContent::<Runtime>::iter_key_prefix(content_id)
				.filter_map(|id| {
					let o = pallet_storage::Orders::<Runtime>::get(id)?;
					let holders = o
						.holders
						.iter()
						.map(|r| {
							let endpoints = pallet_miners::Miners::<Runtime>::get(&r.miner).map(|m| m.endpoints);
							let (peer_id, multiaddrs, gateway) =
								endpoints.as_ref().map(endpoints_text).unwrap_or_default();
							ReplicaView {
								miner: r.miner.clone(),
								assigned_at: r.assigned_at,
								confirmed: r.confirmed,
								last_proven: r.last_proven,
								gateway,
								peer_id,
								multiaddrs,
							}
						})
						.collect();
					Some(OrderView { id, owner: o.owner, model: o.model, size: o.size, replicas: o.replicas, end: o.end, escrow: o.escrow, holders })
				})
				.collect()
		}

		fn assignments(miner: AccountId) -> Vec<AssignmentView> {
			pallet_storage::MinerReplicas::<Runtime>::iter_key_prefix(&miner)
				.filter_map(|id| {
					let o = pallet_storage::Orders::<Runtime>::get(id)?;
					let r = o.holders.iter().find(|r| r.miner == miner)?;
					let seal_draws = r
						.seal
						.filter(|_| !r.confirmed)
						.and_then(|(_, at)| pallet_storage::Pallet::<Runtime>::seal_draws(id, &miner, &o, at));
					Some(AssignmentView {
						order: id,
						content_id: o.content_id,
						size: o.size,
						sealed: r.seal.map(|(roots, _)| roots),
						seal_draws,
						confirmed: r.confirmed,
					})
				})
				.collect()
		}

		fn sectors(miner: AccountId) -> Vec<SectorView> {
			Miners::sectors_of(&miner)
				.into_iter()
				.map(|(slot, sector, seal)| SectorView { slot, index: sector.index, root: sector.root, seal })
				.collect()
		}

		fn challenges(miner: AccountId) -> Vec<ChallengeView<BlockNumber>> {
			pallet_audit::OpenChallenges::<Runtime>::iter_key_prefix(&miner)
				.filter_map(|id| {
					let c = pallet_audit::Challenges::<Runtime>::get(id)?;
					Some(ChallengeView {
						id,
						target: c.target,
						content_id: c.content_id,
						size: c.size,
						indices: c.indices.into_inner(),
						deadline: c.deadline,
					})
				})
				.collect()
		}
	}

	impl pallet_nfts_runtime_api::NftsApi<Block, AccountId, u32, u32> for Runtime {
		fn owner(collection: u32, item: u32) -> Option<AccountId> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::owner(&collection, &item)
		}

		fn collection_owner(collection: u32) -> Option<AccountId> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::collection_owner(&collection)
		}

		fn attribute(collection: u32, item: u32, key: Vec<u8>) -> Option<Vec<u8>> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::attribute(&collection, &item, &key)
		}

		fn custom_attribute(account: AccountId, collection: u32, item: u32, key: Vec<u8>) -> Option<Vec<u8>> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::custom_attribute(
				&account, &collection, &item, &key,
			)
		}

		fn system_attribute(collection: u32, item: Option<u32>, key: Vec<u8>) -> Option<Vec<u8>> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::system_attribute(
				&collection, item.as_ref(), &key,
			)
		}

		fn collection_attribute(collection: u32, key: Vec<u8>) -> Option<Vec<u8>> {
			<Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<AccountId>>::collection_attribute(&collection, &key)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			let storage_info = AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use sp_storage::TrackedStorageKey;

			let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// A failing migration check must stop try-runtime here, with a backtrace.
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			(weight, configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed")
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
type BaselineBench<T> = frame_benchmarking::baseline::Pallet<T>;
#[cfg(feature = "runtime-benchmarks")]
type SystemBench<T> = frame_system_benchmarking::Pallet<T>;
#[cfg(feature = "runtime-benchmarks")]
impl frame_system_benchmarking::Config for Runtime {}
#[cfg(feature = "runtime-benchmarks")]
impl frame_benchmarking::baseline::Config for Runtime {}

/// A model's view with how its data is kept (pallet-models knows nothing of storage).
fn with_storage(model: &mut ModelView<AccountId>) {
	model.storage = Storage::storage_status(&model.content_id, model.size);
}
