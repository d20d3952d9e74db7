//! What a miner's node hands to the runtime's off-chain worker, which signs it with the
//! miner's key and submits it.
//!
//! The node does the work that needs the content (fetching replicas, computing chunk
//! proofs from its store); the runtime owns the key handling and the transactions. They
//! meet in the node's off-chain database (persistent local storage), under
//! [`OUTBOX_KEY`] (tasks) and [`RECEIPTS_KEY`] (the receipts its clients signed).

use crate::{filler::SectorLink, proof::ChunkProof, ContentId};
use alloc::{string::String, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{AccountId32, KeyTypeId, MultiSignature};
use scale_info::TypeInfo;

/// The keystore key type of a miner's signing key (`lmsh`): the account registered with
/// `miners.register`. Insert it with `landmesh-node key insert --key-type lmsh`.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"lmsh");

/// Local-storage key of the task list (a SCALE `Vec<MinerTask>`). The node appends, the
/// worker takes everything; both with compare-and-set, so neither loses the other's write.
pub const OUTBOX_KEY: &[u8] = b"landmesh::miner::outbox";

/// Local-storage key of the served receipts this node's gateway collected for the current
/// era (SCALE `(u32, Vec<Receipt>)`: the era, then the best receipt of each client, those
/// that count most first). The node writes it at every block, the worker reports what grew.
pub const RECEIPTS_KEY: &[u8] = b"landmesh::miner::receipts";

/// The most receipts one report carries (the runtime's bound; a node keeps the clients
/// whose receipts count most).
pub const MAX_RECEIPTS_PER_REPORT: u32 = 256;

/// A client's signed word that a miner's gateway served it `bytes` in `era`: cumulative,
/// so a later receipt for the same miner and era replaces an earlier one, and a receipt
/// counts once however often it is reported. Served bytes earn only with these.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct ServedReceipt<AccountId, Signature> {
	/// The client that received the bytes and signed.
	pub client: AccountId,
	/// The era they were served in.
	pub era: u32,
	/// All bytes this miner served this client in the era so far.
	pub bytes: u64,
	/// The client's signature of [`served_message`] (or of it wrapped in
	/// `<Bytes>…</Bytes>`, as wallet extensions sign).
	pub signature: Signature,
}

/// A receipt as the Landmesh runtime takes it.
pub type Receipt = ServedReceipt<AccountId32, MultiSignature>;

/// The text a client signs for a receipt: the chain (its genesis hash, hex), the miner
/// (its SCALE-encoded account, hex), the era and the cumulative bytes. Naming the chain
/// and the miner keeps a receipt from counting on another chain or for another miner.
pub fn served_message(chain: &[u8], miner: &[u8], era: u32, bytes: u64) -> String {
	served_text(&crate::content::to_hex(chain), &crate::content::to_hex(miner), era, bytes)
}

/// [`served_message`] from the chain and the miner already in hex, with `bytes` as any
/// text (a gateway tells clients the message with `<bytes>` left to fill in).
pub fn served_text(chain: &str, miner: &str, era: u32, bytes: impl core::fmt::Display) -> String {
	alloc::format!("landmesh-served:{chain}:{miner}:{era}:{bytes}")
}

/// One transaction the worker submits for the miner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum MinerTask {
	/// `storage.commit_replica`: the roots of the replica this node sealed for `order`.
	CommitReplica {
		/// The order.
		order: u64,
		/// The roots of the chain of labels and of the sealed replica.
		roots: crate::replica::SealRoots,
	},
	/// `storage.confirm`: the node holds its sealed replica of `order` (the seal proof and
	/// a proof of the content's last chunk).
	Confirm {
		/// The order.
		order: u64,
		/// The proof of the content's last chunk.
		proof: ChunkProof,
		/// One answer per seal draw, in the chain's order.
		seal: Vec<crate::replica::SealDraw>,
	},
	/// `audit.answer`: proofs of the challenged chunks, in the challenge's order.
	Answer {
		/// The challenge.
		challenge: u64,
		/// One proof per challenged chunk.
		proofs: Vec<ChunkProof>,
	},
	/// `rewards.report_served`: the receipts of what was served in `era` (made by the
	/// worker itself from [`RECEIPTS_KEY`]).
	ReportServed {
		/// The era (the current one when submitted).
		era: u32,
		/// The clients' receipts.
		receipts: Vec<Receipt>,
	},
	/// `miners.commit_sector`: a filler sector this node sealed, for the miner's next
	/// derivation index.
	CommitSector {
		/// The derivation index it was sealed with (the chain refuses it for another).
		index: u32,
		/// The sector's root.
		root: ContentId,
	},
	/// `miners.prove_sector`: the seal proof of the sector in `slot`.
	SealSector {
		/// The sector's slot.
		slot: u32,
		/// One link per chunk the chain drew, in its order.
		links: Vec<SectorLink>,
	},
	/// `audit.answer_sector`: links for the challenged chunks of a sector.
	AnswerSector {
		/// The challenge.
		challenge: u64,
		/// One link per challenged chunk, in the challenge's order.
		links: Vec<SectorLink>,
	},
}
