//! What pallet-storage stores.

use codec::{Decode, Encode, MaxEncodedLen};
use landmesh_primitives::{replica::SealRoots, ContentId, ModelId};
use core::fmt::Debug;
use polkadot_sdk::frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Names a storage order.
pub type OrderId = u64;

/// One replica of an order's content on one miner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Replica<AccountId, BlockNumber> {
	/// The miner that keeps it.
	pub miner: AccountId,
	/// Assigned at this block (by the order or by a repair).
	pub assigned_at: BlockNumber,
	/// The roots of the miner's sealed replica and of its chain of labels, and the block
	/// they were committed in (`landmesh_primitives::replica`). Challenges are proven
	/// against `roots.replica`.
	pub seal: Option<(SealRoots, BlockNumber)>,
	/// Whether the miner has shown it holds its sealed replica (the seal proof, drawn
	/// after the commit, and the content's last chunk, which pins the size). Only
	/// confirmed replicas are paid and challenged.
	pub confirmed: bool,
	/// The last block the miner answered a challenge on this replica correctly.
	pub last_proven: Option<BlockNumber>,
}

/// Content kept on miners until `end`, paid for in advance.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxReplicas))]
#[codec(mel_bound(AccountId: MaxEncodedLen, Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct Order<
	AccountId: Clone + Eq + Debug,
	Balance: Clone + Eq + Debug,
	BlockNumber: Clone + Eq + Debug,
	MaxReplicas: Get<u32>,
> {
	/// The account the escrow is held on: who placed it, or, for an order that belongs to
	/// a model, the pallet's own account (the escrow travels with the model).
	pub owner: AccountId,
	/// The model it belongs to, if any: then the model's current owner controls it, anyone
	/// may renew it, and burning the model ends it.
	pub model: Option<ModelId>,
	/// The content kept.
	pub content_id: ContentId,
	/// Its size in bytes (what each replica commits on its miner).
	pub size: u64,
	/// How many replicas the owner pays for.
	pub replicas: u32,
	/// The order ends at this block.
	pub end: BlockNumber,
	/// Miners have been paid up to this block.
	pub paid_until: BlockNumber,
	/// What is left of the owner's payment, held on the owner's account.
	pub escrow: Balance,
	/// The replicas as they stand (fewer than `replicas` while one is being repaired).
	pub holders: BoundedVec<Replica<AccountId, BlockNumber>, MaxReplicas>,
	/// Whether any miner ever confirmed it: the content was shown to exist.
	pub ever_confirmed: bool,
}

