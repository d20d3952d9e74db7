//! What a miner's node hands to the runtime's off-chain worker, which signs it with the
//! miner's key and submits it.
//!
//! The node does the work that needs the content (fetching replicas, computing chunk
//! proofs from its store); the runtime owns the key handling and the transactions. They
//! meet in the node's off-chain database (persistent local storage), under
//! [`OUTBOX_KEY`] (tasks) and [`SERVED_KEY`] (the bytes the node has served).

use crate::proof::ChunkProof;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::sp_runtime::KeyTypeId;
use scale_info::TypeInfo;

/// The keystore key type of a miner's signing key (`lmsh`): the account registered with
/// `miners.register`. Insert it with `landmesh-node key insert --key-type lmsh`.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"lmsh");

/// Local-storage key of the task list (a SCALE `Vec<MinerTask>`). The node appends, the
/// worker takes everything; both with compare-and-set, so neither loses the other's write.
pub const OUTBOX_KEY: &[u8] = b"landmesh::miner::outbox";

/// Local-storage key of the bytes this node has served since its store was created
/// (SCALE `u64`, only grows). The worker reports each era's growth.
pub const SERVED_KEY: &[u8] = b"landmesh::miner::served";

/// One transaction the worker submits for the miner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum MinerTask {
	/// `storage.confirm`: the node holds the replica of `order` (a proof of its last chunk).
	Confirm {
		/// The order.
		order: u64,
		/// The proof of the content's last chunk.
		proof: ChunkProof,
	},
	/// `audit.answer`: proofs of the challenged chunks, in the challenge's order.
	Answer {
		/// The challenge.
		challenge: u64,
		/// One proof per challenged chunk.
		proofs: Vec<ChunkProof>,
	},
	/// `rewards.report_served`: the bytes served in `era` (made by the worker itself).
	ReportServed {
		/// The era (the current one when submitted).
		era: u32,
		/// Bytes served in it.
		bytes: u64,
	},
}
