//! What pallet-miners stores.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use landmesh_primitives::ContentId;
use polkadot_sdk::frame_support::{traits::ConstU32, BoundedVec};

/// The longest peer id, multiaddr, gateway URL or region tag, in bytes.
pub const MAX_ENDPOINT_LENGTH: u32 = 128;
/// The most multiaddrs a miner lists.
pub const MAX_MULTIADDRS: u32 = 8;

/// One endpoint field: bytes of text, at most [`MAX_ENDPOINT_LENGTH`].
pub type EndpointText = BoundedVec<u8, ConstU32<MAX_ENDPOINT_LENGTH>>;
use scale_info::TypeInfo;

/// How a miner is reached: its mesh peer id, the multiaddrs it listens on, its HTTP
/// gateway, and the region it stands in (replicas of one order are spread over regions).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct Endpoints {
	/// The libp2p peer id of the miner's mesh node, as text (`12D3KooW...`).
	pub peer_id: EndpointText,
	/// Multiaddrs of the mesh node, as text (`/ip4/1.2.3.4/tcp/4001`).
	pub multiaddrs: BoundedVec<EndpointText, ConstU32<MAX_MULTIADDRS>>,
	/// The base URL of the HTTP gateway (`https://miner.example:8080`).
	pub gateway: EndpointText,
	/// A region tag (`eu-west`, `us-east`, ...): free text, compared for equality.
	pub region: EndpointText,
}

/// Whether a miner takes new replicas.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum MinerStatus<BlockNumber> {
	/// Takes new replicas.
	Active,
	/// Asked to leave at this block: takes nothing new; its stake is released once the
	/// unbonding period has passed and it owes no replica.
	Exiting {
		/// The block `exit` was called in.
		since: BlockNumber,
	},
}

/// A registered miner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Miner<Balance, BlockNumber> {
	/// Bytes the miner offers.
	pub capacity: u64,
	/// Bytes of replicas the chain has assigned to it; never above `capacity`.
	pub committed: u64,
	/// The part of `committed` whose replicas the miner has confirmed holding.
	pub confirmed: u64,
	/// Filler sectors committed, in slots `0..sectors` of [`crate::Sectors`]. They fill
	/// free capacity only: `committed + sectors × SectorSize ≤ capacity`, and replicas
	/// push the last sectors out when they need the room.
	pub sectors: u32,
	/// How many of the sectors are not sealed yet (they take room, they do not earn).
	pub unsealed: u32,
	/// The index the next sector is derived with; indices are never reused, so a dropped
	/// sector's bytes never count again.
	pub next_sector: u32,
	/// CYBR held from it (lowered by slashes).
	pub stake: Balance,
	/// How it is reached.
	pub endpoints: Endpoints,
	/// Active or exiting.
	pub status: MinerStatus<BlockNumber>,
	/// Byte·blocks of proven bytes (confirmed replicas and sealed sectors) held since
	/// the last era's rewards, counted up to `accrued_at`: the era's storage share is split
	/// by these, so bytes held for the last few blocks of an era earn a few blocks' worth.
	pub byte_blocks: u128,
	/// The block `byte_blocks` is counted up to.
	pub accrued_at: BlockNumber,
	/// Stake freed by lowering the capacity, still held (and slashable) until the block
	/// given: a capacity cut unbonds, it does not release at once.
	pub unbonding: Option<(Balance, BlockNumber)>,
}

impl<B, N> Miner<B, N> {
	/// The bytes that earn now: confirmed replicas and sealed filler sectors.
	pub fn proven(&self, sector_size: u64) -> u64 {
		let sealed = self.sectors.saturating_sub(self.unsealed) as u64;
		self.confirmed.saturating_add(sealed.saturating_mul(sector_size))
	}

	/// Capacity not committed to replicas (sectors give way to replicas, so they do not
	/// count here).
	pub fn free(&self) -> u64 {
		self.capacity.saturating_sub(self.committed)
	}

	/// How many sectors of `sector_size` bytes fit in the free capacity.
	pub fn sector_room(&self, sector_size: u64) -> u32 {
		(self.free() / sector_size.max(1)).min(u32::MAX as u64) as u32
	}
}

/// A committed filler sector: the index it is derived with
/// (`landmesh_primitives::filler::sector_seed(miner, index)`) and its root.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct SectorCommitment {
	/// The derivation index.
	pub index: u32,
	/// The BLAKE3 root of the sector's bytes.
	pub root: ContentId,
}

/// The bytes a miner stands for, as the rewards count them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StoredBytes {
	/// Bytes of replicas assigned.
	pub committed: u64,
	/// Bytes of replicas assigned and confirmed.
	pub confirmed: u64,
	/// Bytes of committed filler sectors.
	pub filler: u64,
}
