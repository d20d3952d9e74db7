//! `landmesh_*` world queries: parcels and models by cell, by region, by id. Each method
//! is one runtime-API call at a block (the best block unless `at` is given), so a renderer
//! gets everything it draws for a region in one round trip, read from one consistent state.

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use landmesh_primitives::{
	api::WorldApi, ModelId, ModelView, ParcelView, RegionScene, Region, RegionError, WorldId,
	WorldView,
};
use landmesh_runtime::{opaque::Block, AccountId, Balance, Hash};
use polkadot_sdk::{
	sp_api::{ApiError, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
};
use std::sync::Arc;

/// The runtime API call failed (unknown block, runtime without `WorldApi`, ...).
pub const RUNTIME_ERROR: i32 = 4000;
/// The region was refused; the message says why and what is allowed.
pub const REGION_ERROR: i32 = 4001;
/// No model has this id.
pub const UNKNOWN_MODEL: i32 = 4002;

/// The world queries.
#[rpc(server)]
pub trait WorldRpc {
	/// A world: owner, size, entrance fee, parcel count.
	#[method(name = "landmesh_world")]
	fn world(&self, world: WorldId, at: Option<Hash>) -> RpcResult<Option<WorldView<AccountId, Balance>>>;

	/// The parcel at a cell, if one was minted there.
	#[method(name = "landmesh_parcelAt")]
	fn parcel_at(
		&self,
		world: WorldId,
		x: u32,
		y: u32,
		at: Option<Hash>,
	) -> RpcResult<Option<ParcelView<AccountId, Balance>>>;

	/// The parcels of a region (`{world, x, y, width, height}`), row by row.
	#[method(name = "landmesh_parcelsInRegion")]
	fn parcels_in_region(&self, region: Region, at: Option<Hash>) -> RpcResult<Vec<ParcelView<AccountId, Balance>>>;

	/// The parcels of a region with their owners and every model placed on them
	/// (transform, content id, size, format, access rule).
	#[method(name = "landmesh_modelsInRegion")]
	fn models_in_region(&self, region: Region, at: Option<Hash>) -> RpcResult<RegionScene<AccountId, Balance>>;

	/// A model by id.
	#[method(name = "landmesh_model")]
	fn model(&self, model: ModelId, at: Option<Hash>) -> RpcResult<Option<ModelView<AccountId>>>;

	/// Whether an account may enter a world now.
	#[method(name = "landmesh_hasPass")]
	fn has_pass(&self, world: WorldId, who: AccountId, at: Option<Hash>) -> RpcResult<bool>;

	/// Whether an account may fetch a model's data now, by its access rule (for a
	/// contract rule, a dry-run of the contract's `has_licence`): the check a gateway
	/// makes. An unknown model is an error.
	#[method(name = "landmesh_mayFetch")]
	fn may_fetch(&self, model: ModelId, who: AccountId) -> RpcResult<bool>;
}

/// Answers [`WorldRpcServer`] from a client's runtime API.
pub struct World<C> {
	client: Arc<C>,
}

impl<C> World<C> {
	/// Serves the world queries from `client`.
	pub fn new(client: Arc<C>) -> Self {
		World { client }
	}
}

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "the runtime could not answer", Some(e.to_string()))
}

/// A refused region as a JSON-RPC error whose message says how to fix the request.
pub fn region_error(e: RegionError) -> ErrorObjectOwned {
	let message = match e {
		RegionError::UnknownWorld => "no world has this id".to_string(),
		RegionError::Empty => "the region is empty: width and height must be at least 1".to_string(),
		RegionError::TooLarge { cells, max_cells } =>
			format!("the region has {cells} cells, more than the {max_cells} one query may cover; ask for smaller tiles"),
		RegionError::OutsideWorld { width, height } =>
			format!("the region reaches past the edge of its world, which is {width} x {height} cells"),
	};
	ErrorObject::owned(REGION_ERROR, message, Some(e))
}

/// Runs a runtime-API call at `at`, or at the best block; a failure becomes
/// [`RUNTIME_ERROR`]. Shared by every `landmesh_*` method.
pub fn call_runtime<C, R>(
	client: &C,
	at: Option<Hash>,
	f: impl FnOnce(&<C as ProvideRuntimeApi<Block>>::Api, Hash) -> Result<R, ApiError>,
) -> RpcResult<R>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	let at = at.unwrap_or_else(|| client.info().best_hash);
	f(&client.runtime_api(), at).map_err(runtime_error)
}

impl<C> WorldRpcServer for World<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: crate::contracts::ContractsApi,
{
	fn world(&self, world: WorldId, at: Option<Hash>) -> RpcResult<Option<WorldView<AccountId, Balance>>> {
		call_runtime(&*self.client, at, |api, at| api.world(at, world))
	}

	fn parcel_at(
		&self,
		world: WorldId,
		x: u32,
		y: u32,
		at: Option<Hash>,
	) -> RpcResult<Option<ParcelView<AccountId, Balance>>> {
		call_runtime(&*self.client, at, |api, at| api.parcel_at(at, world, x, y))
	}

	fn parcels_in_region(&self, region: Region, at: Option<Hash>) -> RpcResult<Vec<ParcelView<AccountId, Balance>>> {
		call_runtime(&*self.client, at, |api, at| api.parcels_in_region(at, region))?.map_err(region_error)
	}

	fn models_in_region(&self, region: Region, at: Option<Hash>) -> RpcResult<RegionScene<AccountId, Balance>> {
		call_runtime(&*self.client, at, |api, at| api.models_in_region(at, region))?.map_err(region_error)
	}

	fn model(&self, model: ModelId, at: Option<Hash>) -> RpcResult<Option<ModelView<AccountId>>> {
		call_runtime(&*self.client, at, |api, at| api.model(at, model))
	}

	fn has_pass(&self, world: WorldId, who: AccountId, at: Option<Hash>) -> RpcResult<bool> {
		call_runtime(&*self.client, at, |api, at| api.has_pass(at, world, who))
	}

	fn may_fetch(&self, model: ModelId, who: AccountId) -> RpcResult<bool> {
		let view = call_runtime(&*self.client, None, |api, at| api.model(at, model))?
			.ok_or_else(|| ErrorObject::owned(UNKNOWN_MODEL, format!("no model {model}"), None::<()>))?;
		Ok(crate::contracts::may_fetch(&*self.client, &view, &who))
	}
}
