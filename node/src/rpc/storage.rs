//! `landmesh_*` storage queries: a miner, where a content is kept, a miner's assignments
//! open challenges and filler sectors, so a node and a client act without scanning chain
//! storage.

use super::world::call_runtime;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use landmesh_primitives::{
	api::StorageApi,
	storage::{AssignmentView, ChallengeView, MinerView, OrderView, SectorView},
	ContentId,
};
use landmesh_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::sync::Arc;

/// The storage queries.
#[rpc(server)]
pub trait StorageRpc {
	/// A miner: capacity, commitments, stake, endpoints, whether it is leaving.
	#[method(name = "landmesh_miner")]
	fn miner(&self, who: AccountId, at: Option<Hash>) -> RpcResult<Option<MinerView<Balance, BlockNumber>>>;

	/// The open orders keeping a content, their replicas and the miners' endpoints.
	#[method(name = "landmesh_contentStatus")]
	fn content_status(&self, content_id: ContentId, at: Option<Hash>) -> RpcResult<Vec<OrderView<AccountId, Balance, BlockNumber>>>;

	/// The replicas assigned to a miner: order, content id, size, the roots of its sealed
	/// replica and the seal draws it must answer, whether it is confirmed.
	#[method(name = "landmesh_assignments")]
	fn assignments(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<AssignmentView>>;

	/// A miner's open challenges.
	#[method(name = "landmesh_challenges")]
	fn challenges(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<ChallengeView<BlockNumber>>>;

	/// A miner's filler sectors: slot, derivation index, root, and the chunks its seal
	/// proof must answer while it is unsealed.
	#[method(name = "landmesh_sectors")]
	fn sectors(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<SectorView>>;
}

/// Answers [`StorageRpcServer`] from a client's runtime API.
pub struct Storage<C> {
	client: Arc<C>,
}

impl<C> Storage<C> {
	/// Serves the storage queries from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Storage { client }
	}
}

impl<C> StorageRpcServer for Storage<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: StorageApi<Block, AccountId, Balance, BlockNumber>,
{
	fn miner(&self, who: AccountId, at: Option<Hash>) -> RpcResult<Option<MinerView<Balance, BlockNumber>>> {
		call_runtime(&*self.client, at, |api, at| api.miner(at, who))
	}

	fn content_status(&self, content_id: ContentId, at: Option<Hash>) -> RpcResult<Vec<OrderView<AccountId, Balance, BlockNumber>>> {
		call_runtime(&*self.client, at, |api, at| api.content_status(at, content_id))
	}

	fn assignments(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<AssignmentView>> {
		call_runtime(&*self.client, at, |api, at| api.assignments(at, miner))
	}

	fn challenges(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<ChallengeView<BlockNumber>>> {
		call_runtime(&*self.client, at, |api, at| api.challenges(at, miner))
	}

	fn sectors(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Vec<SectorView>> {
		call_runtime(&*self.client, at, |api, at| api.sectors(at, miner))
	}
}
