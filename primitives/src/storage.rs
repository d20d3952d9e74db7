//! The storage economy as a node or a client reads it through
//! [`crate::api::StorageApi`]: miners, the orders that keep a content, open challenges.

use crate::ContentId;
use alloc::{string::String, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A miner: what it offers and how it is reached.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "Balance: core::fmt::Display, BlockNumber: Serialize",
	deserialize = "Balance: core::str::FromStr, BlockNumber: Deserialize<'de>"
))]
pub struct MinerView<Balance, BlockNumber> {
	/// Bytes offered.
	pub capacity: u64,
	/// Bytes committed to replicas.
	pub committed: u64,
	/// The part of `committed` whose replicas the miner confirmed.
	pub confirmed: u64,
	/// Filler sectors committed.
	pub sectors: u32,
	/// How many of them are not sealed yet.
	pub unsealed: u32,
	/// The derivation index the next committed sector gets (its node seals it first).
	pub next_sector: u32,
	/// Sectors that still fit the free capacity (and the per-miner limit).
	pub sector_room: u32,
	/// Bytes in a filler sector on this chain.
	pub sector_size: u64,
	/// Stake held (a decimal string in JSON).
	#[serde(with = "crate::world::as_decimal")]
	pub stake: Balance,
	/// The libp2p peer id of its mesh node.
	pub peer_id: String,
	/// Its mesh node's multiaddrs.
	pub multiaddrs: Vec<String>,
	/// Its HTTP gateway.
	pub gateway: String,
	/// Its region tag.
	pub region: String,
	/// The block it asked to leave in, if it is leaving.
	pub exiting_since: Option<BlockNumber>,
}

/// One replica of an order, with where to fetch it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaView<AccountId, BlockNumber> {
	/// The miner keeping it.
	pub miner: AccountId,
	/// When it was assigned.
	pub assigned_at: BlockNumber,
	/// Whether the miner proved it holds the content.
	pub confirmed: bool,
	/// The last block it answered a challenge on this replica correctly.
	pub last_proven: Option<BlockNumber>,
	/// The miner's HTTP gateway.
	pub gateway: String,
	/// The miner's mesh peer id.
	pub peer_id: String,
	/// The miner's mesh multiaddrs.
	pub multiaddrs: Vec<String>,
}

/// An order keeping a content.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: Serialize, Balance: core::fmt::Display, BlockNumber: Serialize",
	deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr, BlockNumber: Deserialize<'de>"
))]
pub struct OrderView<AccountId, Balance, BlockNumber> {
	/// The order.
	pub id: u64,
	/// Who pays (the storage pallet's account for an order that belongs to a model).
	pub owner: AccountId,
	/// The model it belongs to, if any: that model's owner controls it.
	#[serde(default)]
	pub model: Option<u32>,
	/// The content's size.
	pub size: u64,
	/// Replicas paid for.
	pub replicas: u32,
	/// The block the order ends at.
	pub end: BlockNumber,
	/// The unspent escrow (a decimal string in JSON).
	#[serde(with = "crate::world::as_decimal")]
	pub escrow: Balance,
	/// The replicas as they stand.
	pub holders: Vec<ReplicaView<AccountId, BlockNumber>>,
}

/// What a challenge asks a miner to prove it keeps.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum ChallengeTarget {
	/// Its replica of this order (answered with chunk proofs).
	Replica {
		/// The order.
		order: u64,
	},
	/// Its filler sector in this slot, derived with this index (answered with sector
	/// links, `crate::filler`).
	Sector {
		/// The slot in the miner's sector list.
		slot: u32,
		/// The derivation index (`filler::sector_seed(miner, index)`).
		index: u32,
	},
}

/// A replica assigned to a miner, for its node.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
	/// The order.
	pub order: u64,
	/// The content kept.
	pub content_id: ContentId,
	/// Its size in bytes.
	pub size: u64,
	/// The roots the miner committed for its sealed replica, if it did.
	pub sealed: Option<crate::replica::SealRoots>,
	/// The draws `(in the chain, in the mask)` its seal proof must answer, once drawn and
	/// until it is confirmed.
	pub seal_draws: Option<Vec<(u64, u64)>>,
	/// Whether the miner confirmed it (the seal proof landed).
	pub confirmed: bool,
}

/// One of a miner's filler sectors, for its node.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectorView {
	/// Its slot in the miner's list (`miners.prove_sector` names it).
	pub slot: u32,
	/// Its derivation index (`filler::sector_seed(miner, index)`).
	pub index: u32,
	/// Its root, as committed.
	pub root: ContentId,
	/// The chunks its seal proof must answer, once drawn and while it is unsealed.
	pub seal: Option<Vec<u64>>,
}

/// An open challenge for a miner to answer.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeView<BlockNumber> {
	/// The challenge (to answer it).
	pub id: u64,
	/// The replica or sector challenged.
	pub target: ChallengeTarget,
	/// The content (the sector's root).
	pub content_id: ContentId,
	/// The content's (the sector's) size.
	pub size: u64,
	/// The chunks to prove, in this order.
	pub indices: Vec<u64>,
	/// The last block an answer is accepted in.
	pub deadline: BlockNumber,
}
