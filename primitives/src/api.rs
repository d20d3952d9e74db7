//! Runtime APIs: what a node or a client asks the runtime without scanning storage.

use crate::world::*;
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
		/// Whether `who` may enter `world` now (its owner, or a holder of an unexpired pass).
		fn has_pass(world: WorldId, who: AccountId) -> bool;
	}
}
