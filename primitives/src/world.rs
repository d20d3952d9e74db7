//! The world grid: worlds (the mainland and planets), parcels at cells of a world, and
//! models placed on parcels, as `pallet-land` and `pallet-models` store them and as a
//! client reads them back through [`crate::api::WorldApi`].

use crate::ContentId;
use alloc::{string::String, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A world: `0` is the mainland, planets count up from `1`.
pub type WorldId = u32;
/// A parcel; also its item id in the land NFT collection.
pub type ParcelId = u32;
/// A model; also its item id in the model NFT collection.
pub type ModelId = u32;
/// One placement of a model on a parcel (a model may be placed many times).
pub type PlacementId = u32;

/// The world that exists from genesis and that root governs.
pub const MAINLAND: WorldId = 0;
/// The side of one parcel (one grid cell), in millimetres.
pub const PARCEL_SIDE_MM: i32 = 16_000;
/// How far above or below the ground a model may be anchored, in millimetres.
pub const MAX_ALTITUDE_MM: i32 = 1_000_000;
/// The largest scale factor on one axis, in thousandths (1000 = unchanged size).
pub const MAX_SCALE_PERMILLE: u32 = 1_000_000;
/// A half turn in thousandths of a degree.
pub const HALF_TURN_MILLIDEG: i32 = 180_000;

/// A rectangle of cells of one world: columns `x .. x + width`, rows `y .. y + height`.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo,
	Serialize, Deserialize,
)]
pub struct Region {
	/// The world.
	pub world: WorldId,
	/// The westmost column.
	pub x: u32,
	/// The southmost row.
	pub y: u32,
	/// Columns in the region.
	pub width: u32,
	/// Rows in the region.
	pub height: u32,
}

impl Region {
	/// The number of cells (never overflows: at most 2^64 - 2^33 + 1).
	pub fn cells(&self) -> u64 {
		self.width as u64 * self.height as u64
	}

	/// Every cell of the region, row by row from the south-west corner. Call only on a
	/// region that [`Region::check`] accepted (so `x + width` cannot overflow).
	pub fn iter_cells(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
		(self.y..self.y + self.height)
			.flat_map(move |y| (self.x..self.x + self.width).map(move |x| (x, y)))
	}

	/// Whether the region is non-empty, at most `max_cells`, and inside a world of
	/// `world_width` × `world_height` cells.
	pub fn check(&self, world_width: u32, world_height: u32, max_cells: u32) -> Result<(), RegionError> {
		if self.width == 0 || self.height == 0 {
			return Err(RegionError::Empty);
		}
		if self.cells() > max_cells as u64 {
			return Err(RegionError::TooLarge { cells: self.cells(), max_cells });
		}
		let inside = |start: u32, len: u32, side: u32| {
			start.checked_add(len).map_or(false, |end| end <= side)
		};
		if !inside(self.x, self.width, world_width) || !inside(self.y, self.height, world_height) {
			return Err(RegionError::OutsideWorld { width: world_width, height: world_height });
		}
		Ok(())
	}
}

/// Why a region query was refused.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize,
)]
#[serde(rename_all_fields = "camelCase")]
pub enum RegionError {
	/// No world has this id.
	UnknownWorld,
	/// The region has no cells.
	Empty,
	/// The region has more cells than one query may cover; ask for smaller tiles.
	TooLarge {
		/// Cells asked for.
		cells: u64,
		/// Cells allowed.
		max_cells: u32,
	},
	/// The region reaches past the edge of its world.
	OutsideWorld {
		/// The world's width in cells.
		width: u32,
		/// The world's height in cells.
		height: u32,
	},
}

/// What kind of data a model is; the gateway serves it with the matching media type.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, Serialize, Deserialize,
)]
pub enum ModelFormat {
	/// Binary glTF (one self-contained file).
	Glb,
	/// glTF JSON.
	Gltf,
	/// An image used as a texture.
	Texture,
	/// Anything else.
	Other,
}

impl ModelFormat {
	/// The HTTP media type of this format.
	pub fn media_type(&self) -> &'static str {
		match self {
			ModelFormat::Glb => "model/gltf-binary",
			ModelFormat::Gltf => "model/gltf+json",
			ModelFormat::Texture => "image/*",
			ModelFormat::Other => "application/octet-stream",
		}
	}
}

/// Who may fetch a model's data.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	Serialize, Deserialize,
)]
pub enum AccessRule<AccountId> {
	/// Anyone.
	Public,
	/// Holders of a valid entrance pass of this world (and its owner).
	WorldPass(WorldId),
	/// Whoever this contract says yes to (a paid licence, an allow list, ...).
	Contract(AccountId),
}

/// Where a model instance sits on its parcel: fixed-point so every node agrees bit for bit.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
	TypeInfo, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct Transform {
	/// Anchor point in millimetres from the parcel's south-west ground corner: x east
	/// (`0 .. PARCEL_SIDE_MM`), y up (`±MAX_ALTITUDE_MM`), z north (`0 .. PARCEL_SIDE_MM`).
	pub position_mm: [i32; 3],
	/// Euler angles about x, y, z (applied in that order), in thousandths of a degree,
	/// each within `±HALF_TURN_MILLIDEG`.
	pub rotation_millideg: [i32; 3],
	/// Scale along x, y, z in thousandths (`1 ..= MAX_SCALE_PERMILLE`; 1000 = as modelled).
	pub scale_permille: [u32; 3],
}

/// Why a transform is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TransformError {
	/// The anchor is off the parcel or too high or low.
	PositionOffParcel,
	/// An angle is beyond a half turn.
	RotationOutOfRange,
	/// A scale is zero or above the maximum.
	ScaleOutOfRange,
}

impl Transform {
	/// At the parcel's corner, unrotated, unscaled.
	pub const IDENTITY: Transform =
		Transform { position_mm: [0; 3], rotation_millideg: [0; 3], scale_permille: [1000; 3] };

	/// Checks the ranges documented on the fields.
	pub fn check(&self) -> Result<(), TransformError> {
		let [x, y, z] = self.position_mm;
		let on_parcel = |v: i32| (0..PARCEL_SIDE_MM).contains(&v);
		if !on_parcel(x) || !on_parcel(z) || !(-MAX_ALTITUDE_MM..=MAX_ALTITUDE_MM).contains(&y) {
			return Err(TransformError::PositionOffParcel);
		}
		if self.rotation_millideg.iter().any(|a| !(-HALF_TURN_MILLIDEG..=HALF_TURN_MILLIDEG).contains(a)) {
			return Err(TransformError::RotationOutOfRange);
		}
		if self.scale_permille.iter().any(|s| !(1..=MAX_SCALE_PERMILLE).contains(s)) {
			return Err(TransformError::ScaleOutOfRange);
		}
		Ok(())
	}
}

/// A world as a client sees it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: Serialize, Balance: core::fmt::Display",
	deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr"
))]
pub struct WorldView<AccountId, Balance> {
	/// The world.
	pub id: WorldId,
	/// Its owner (for the mainland, the land office account that root governs).
	pub owner: AccountId,
	/// Columns.
	pub width: u32,
	/// Rows.
	pub height: u32,
	/// What `enter` costs, in the smallest CYBR unit (a decimal string in JSON).
	#[serde(with = "as_decimal")]
	pub entrance_fee: Balance,
	/// Parcels minted in it.
	pub parcels: u32,
}

/// A parcel as a client sees it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: Serialize, Balance: core::fmt::Display",
	deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr"
))]
pub struct ParcelView<AccountId, Balance> {
	/// The parcel (its item id in the land collection).
	pub id: ParcelId,
	/// Its world.
	pub world: WorldId,
	/// Its column.
	pub x: u32,
	/// Its row.
	pub y: u32,
	/// Its owner, as pallet-nfts records it.
	pub owner: AccountId,
	/// The asking price if it is for sale (a decimal string in JSON).
	#[serde(with = "option_as_decimal")]
	pub price: Option<Balance>,
}

/// A model as a client sees it: what to fetch and who may fetch it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelView<AccountId> {
	/// The model (its item id in the model collection).
	pub id: ModelId,
	/// Its owner, as pallet-nfts records it.
	pub owner: AccountId,
	/// The BLAKE3 root of its data.
	pub content_id: ContentId,
	/// Its data's length in bytes.
	pub size: u64,
	/// What its data is.
	pub format: ModelFormat,
	/// Its name (UTF-8).
	pub name: String,
	/// Who may fetch its data.
	pub access: AccessRule<AccountId>,
	/// How its data is kept by the storage orders (empty if none keeps it).
	#[serde(default)]
	pub storage: StorageStatus,
}

/// How a content is kept, across the storage orders that keep it: what a parcel buyer
/// reads to know whether the models on it will still be stored next month.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
	/// The open orders keeping it.
	pub orders: Vec<u64>,
	/// Replicas paid for.
	pub replicas: u32,
	/// Replicas confirmed (sealed, proven, paid) now.
	pub live_replicas: u32,
	/// The last block it is paid for (the latest end of its orders; 0 if none).
	pub stored_until: u64,
	/// The last block a replica of it answered a challenge, if any ever did.
	pub last_proven: Option<u64>,
}

/// One model instance on a parcel.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacedModel {
	/// The placement (to move or remove it).
	pub placement: PlacementId,
	/// The model; its content and access rule are in [`RegionScene::models`].
	pub model: ModelId,
	/// Where it sits on the parcel.
	pub transform: Transform,
}

/// A parcel and the model instances on it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: Serialize, Balance: core::fmt::Display",
	deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr"
))]
pub struct ParcelScene<AccountId, Balance> {
	/// The parcel.
	pub parcel: ParcelView<AccountId, Balance>,
	/// Its model instances, in placement order.
	pub placements: Vec<PlacedModel>,
}

/// Everything a renderer draws for a region: the parcels with their model instances, and
/// every model placed there once (a tree planted on a hundred parcels is described once,
/// and its content fetched once).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: Serialize, Balance: core::fmt::Display",
	deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr"
))]
pub struct RegionScene<AccountId, Balance> {
	/// The region's parcels, row by row from its south-west corner.
	pub parcels: Vec<ParcelScene<AccountId, Balance>>,
	/// The models placed in the region, by ascending id.
	pub models: Vec<ModelView<AccountId>>,
}

impl<AccountId, Balance> RegionScene<AccountId, Balance> {
	/// The model an instance refers to.
	pub fn model(&self, id: ModelId) -> Option<&ModelView<AccountId>> {
		self.models.binary_search_by_key(&id, |m| m.id).ok().map(|i| &self.models[i])
	}
}

/// Balances as decimal strings in JSON: a CYBR amount in its smallest unit passes 2^53
/// at about 9000 CYBR, beyond which JavaScript numbers lose digits.
pub(crate) mod as_decimal {
	use alloc::string::{String, ToString};
	use core::{fmt::Display, str::FromStr};

	pub fn serialize<T: Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&v.to_string())
	}

	pub fn deserialize<'de, T: FromStr, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
		let text = <String as serde::Deserialize>::deserialize(d)?;
		text.parse().map_err(|_| serde::de::Error::custom("expected a decimal amount"))
	}
}

/// [`as_decimal`] for an optional amount (`null` when absent).
mod option_as_decimal {
	use alloc::string::{String, ToString};
	use core::{fmt::Display, str::FromStr};

	pub fn serialize<T: Display, S: serde::Serializer>(
		v: &Option<T>,
		s: S,
	) -> Result<S::Ok, S::Error> {
		match v {
			Some(v) => s.serialize_some(&v.to_string()),
			None => s.serialize_none(),
		}
	}

	pub fn deserialize<'de, T: FromStr, D: serde::Deserializer<'de>>(
		d: D,
	) -> Result<Option<T>, D::Error> {
		match <Option<String> as serde::Deserialize>::deserialize(d)? {
			Some(text) =>
				text.parse().map(Some).map_err(|_| serde::de::Error::custom("expected a decimal amount")),
			None => Ok(None),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn region_checks_emptiness_size_and_bounds() {
		let region = |x, y, width, height| Region { world: 0, x, y, width, height };
		assert_eq!(region(0, 0, 32, 32).check(64, 64, 1024), Ok(()));
		assert_eq!(region(32, 32, 32, 32).check(64, 64, 1024), Ok(()));
		assert_eq!(region(0, 0, 0, 5).check(64, 64, 1024), Err(RegionError::Empty));
		assert_eq!(
			region(0, 0, 33, 32).check(64, 64, 1024),
			Err(RegionError::TooLarge { cells: 1056, max_cells: 1024 })
		);
		assert_eq!(
			region(33, 0, 32, 1).check(64, 64, 1024),
			Err(RegionError::OutsideWorld { width: 64, height: 64 })
		);
		// No overflow at the edge of u32.
		assert_eq!(
			region(u32::MAX, 0, 2, 1).check(u32::MAX, 1, 1024),
			Err(RegionError::OutsideWorld { width: u32::MAX, height: 1 })
		);
		let cells: Vec<_> = region(3, 5, 2, 2).iter_cells().collect();
		assert_eq!(cells, vec![(3, 5), (4, 5), (3, 6), (4, 6)]);
	}

	#[test]
	fn transform_ranges() {
		assert_eq!(Transform::IDENTITY.check(), Ok(()));
		let with = |f: fn(&mut Transform)| {
			let mut t = Transform::IDENTITY;
			f(&mut t);
			t.check()
		};
		assert_eq!(with(|t| t.position_mm[0] = PARCEL_SIDE_MM - 1), Ok(()));
		assert_eq!(with(|t| t.position_mm[0] = PARCEL_SIDE_MM), Err(TransformError::PositionOffParcel));
		assert_eq!(with(|t| t.position_mm[2] = -1), Err(TransformError::PositionOffParcel));
		assert_eq!(with(|t| t.position_mm[1] = -MAX_ALTITUDE_MM), Ok(()));
		assert_eq!(with(|t| t.rotation_millideg[1] = 180_001), Err(TransformError::RotationOutOfRange));
		assert_eq!(with(|t| t.scale_permille[2] = 0), Err(TransformError::ScaleOutOfRange));
		assert_eq!(with(|t| t.scale_permille[2] = MAX_SCALE_PERMILLE), Ok(()));
	}

	#[test]
	fn amounts_are_decimal_strings_in_json() {
		let parcel = ParcelView::<u64, u128> {
			id: 1, world: 0, x: 2, y: 3, owner: 7, price: Some(u128::MAX),
		};
		let json = serde_json::to_value(&parcel).unwrap();
		assert_eq!(json["price"], serde_json::json!(u128::MAX.to_string()));
		assert_eq!(serde_json::from_value::<ParcelView<u64, u128>>(json).unwrap(), parcel);
		let unlisted = ParcelView::<u64, u128> { price: None, ..parcel };
		assert_eq!(serde_json::to_value(&unlisted).unwrap()["price"], serde_json::Value::Null);
		// Field names are camelCase throughout, as JavaScript clients expect.
		let transform = serde_json::to_value(Transform::IDENTITY).unwrap();
		assert_eq!(transform["scalePermille"], serde_json::json!([1000, 1000, 1000]));
		let error = serde_json::to_value(RegionError::TooLarge { cells: 300, max_cells: 256 }).unwrap();
		assert_eq!(error, serde_json::json!({"TooLarge": {"cells": 300, "maxCells": 256}}));
	}
}
