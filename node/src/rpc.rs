//! The node's JSON-RPC: the standard Substrate methods (added by sc-service) plus system
//! account nonces, fee queries, BABE and GRANDPA, and Landmesh's own `landmesh_*` methods:
//! the world queries in [`world`] and the storage queries in [`storage`].

pub mod storage;
pub mod world;

use jsonrpsee::RpcModule;
use landmesh_runtime::{opaque::Block, AccountId, Balance, Nonce};
use polkadot_sdk::{
	sc_consensus_babe::BabeWorkerHandle,
	sc_consensus_babe_rpc::{Babe, BabeApiServer},
	sc_consensus_grandpa::{
		FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
	},
	sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer},
	sc_rpc::SubscriptionTaskExecutor,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	sp_consensus::SelectChain,
	sp_consensus_babe::BabeApi,
	sp_keystore::KeystorePtr,
	*,
};
use std::sync::Arc;

/// What the BABE RPC needs.
pub struct BabeDeps {
	/// Answers epoch queries.
	pub babe_worker_handle: BabeWorkerHandle<Block>,
	/// The node's keystore, for `babe_epochAuthorship`.
	pub keystore: KeystorePtr,
}

/// What the GRANDPA RPC needs.
pub struct GrandpaDeps<B> {
	/// Voting round state.
	pub shared_voter_state: SharedVoterState,
	/// The authority set.
	pub shared_authority_set: SharedAuthoritySet<landmesh_runtime::Hash, landmesh_runtime::BlockNumber>,
	/// Justifications as they are produced.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Proves finality to light clients.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// Everything the RPC methods read from.
pub struct FullDeps<C, P, SC, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// The best-chain rule, for BABE's epoch queries.
	pub select_chain: SC,
	/// BABE's dependencies.
	pub babe: BabeDeps,
	/// GRANDPA's dependencies.
	pub grandpa: GrandpaDeps<B>,
}

/// All of the node's RPC extensions.
pub fn create_full<C, P, SC, B>(
	deps: FullDeps<C, P, SC, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BabeApi<Block>,
	C::Api: BlockBuilder<Block>,
	C::Api: crate::contracts::ContractsApi,
	C::Api: landmesh_primitives::api::StorageApi<Block, AccountId, Balance, landmesh_runtime::BlockNumber>,
	P: TransactionPool<Block = Block, Hash = <Block as sp_runtime::traits::Block>::Hash> + 'static,
	SC: SelectChain<Block> + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};
	use storage::{Storage, StorageRpcServer};
	use world::{World, WorldRpcServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, select_chain, babe, grandpa } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(World::new(client.clone()).into_rpc())?;
	module.merge(Storage::new(client.clone()).into_rpc())?;
	module.merge(
		Babe::new(client.clone(), babe.babe_worker_handle, babe.keystore, select_chain).into_rpc(),
	)?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;

	Ok(module)
}
