//! What pallet-land stores.

use codec::{Decode, Encode, MaxEncodedLen};
use landmesh_primitives::WorldId;
use scale_info::TypeInfo;

/// A world: its owner, size and entrance fee.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct World<AccountId, Balance> {
	/// Mints its parcels, sets its fee, receives fees and the proceeds of parcels it sells.
	/// For the mainland this is the land office account, acted for by root.
	pub owner: AccountId,
	/// Columns (x runs `0 .. width`).
	pub width: u32,
	/// Rows (y runs `0 .. height`).
	pub height: u32,
	/// What `enter` costs; zero means entry is free (a pass is still issued).
	pub entrance_fee: Balance,
	/// Held from the creator of a planet (zero for the mainland).
	pub deposit: Balance,
	/// Parcels minted in it so far.
	pub parcels: u32,
}

/// Where a parcel is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Parcel {
	/// Its world.
	pub world: WorldId,
	/// Its column.
	pub x: u32,
	/// Its row.
	pub y: u32,
}

/// A parcel offered for sale.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Listing<AccountId, Balance> {
	/// Who listed it. If the parcel has changed hands since (a pallet-nfts transfer), the
	/// listing is stale and cannot be bought: the new owner never agreed to this price.
	pub seller: AccountId,
	/// The asking price.
	pub price: Balance,
}
