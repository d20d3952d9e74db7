//! What pallet-models stores.

use codec::{Decode, Encode, MaxEncodedLen};
use landmesh_primitives::{AccessRule, ContentId, ModelFormat, ModelId, PlacementId, Transform};
use polkadot_sdk::frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;

/// A model: the content it renders and who may fetch it. Its owner is pallet-nfts'.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(NameLimit))]
pub struct Model<AccountId, NameLimit: Get<u32>> {
	/// The BLAKE3 root of its data.
	pub content_id: ContentId,
	/// Its data's length in bytes (what storage orders and the gateway go by).
	pub size: u64,
	/// What its data is.
	pub format: ModelFormat,
	/// Its name, UTF-8.
	pub name: BoundedVec<u8, NameLimit>,
	/// Who may fetch its data.
	pub access: AccessRule<AccountId>,
}

/// One instance of a model on a parcel.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Placement {
	/// Names the instance for `move_model` and `remove_model`; unique chain-wide.
	pub id: PlacementId,
	/// The model placed.
	pub model: ModelId,
	/// Where it sits on the parcel.
	pub transform: Transform,
}
