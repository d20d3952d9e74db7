//! Runtime APIs: what a node or a client asks the runtime without scanning storage.

use crate::{storage::*, world::*, ContentId};
use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// The world grid, for renderers: one call returns everything needed to draw a region.
	pub trait WorldApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// A world, if it exists.
		fn world(world: WorldId) -> Option<WorldView<AccountId, Balance>>;
		/// The parcel at a cell, if one was minted there.
		fn parcel_at(world: WorldId, x: u32, y: u32) -> Option<ParcelView<AccountId, Balance>>;
		/// The parcels in a region, row by row from its south-west corner.
		fn parcels_in_region(region: Region) -> Result<Vec<ParcelView<AccountId, Balance>>, RegionError>;
		/// The parcels in a region with the model instances on them (transforms), and each
		/// model placed there once (content id, size, format, access rule).
		fn models_in_region(region: Region) -> Result<RegionScene<AccountId, Balance>, RegionError>;
		/// A model, if it exists.
		fn model(model: ModelId) -> Option<ModelView<AccountId>>;
		/// A model whose data is this content (for its media type).
		fn model_of_content(content_id: ContentId) -> Option<ModelView<AccountId>>;
		/// The models an account owns (a node linked to the wallet pins their data).
		fn models_of(owner: AccountId) -> Vec<ModelView<AccountId>>;
		/// Whether `who` may enter `world` now (its owner, or a holder of an unexpired pass).
		fn has_pass(world: WorldId, who: AccountId) -> bool;
	}

	/// The storage economy, for nodes (their assignments and challenges) and clients
	/// (where a content is kept).
	pub trait StorageApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A miner, if registered.
		fn miner(who: AccountId) -> Option<MinerView<Balance, BlockNumber>>;
		/// The open orders keeping a content, with their replicas and the miners' endpoints.
		fn content_status(content_id: ContentId) -> Vec<OrderView<AccountId, Balance, BlockNumber>>;
		/// The replicas assigned to a miner, with their seal commitments and draws.
		fn assignments(miner: AccountId) -> Vec<AssignmentView>;
		/// A miner's open challenges.
		fn challenges(miner: AccountId) -> Vec<ChallengeView<BlockNumber>>;
		/// A miner's filler sectors, slot by slot.
		fn sectors(miner: AccountId) -> Vec<SectorView>;
	}
}
