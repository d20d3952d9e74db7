//! What pallet-miners stores.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
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
	/// CYBR held from it (lowered by slashes).
	pub stake: Balance,
	/// How it is reached.
	pub endpoints: Endpoints,
	/// Active or exiting.
	pub status: MinerStatus<BlockNumber>,
}

impl<B, N> Miner<B, N> {
	/// Capacity not yet committed.
	pub fn free(&self) -> u64 {
		self.capacity.saturating_sub(self.committed)
	}
}
