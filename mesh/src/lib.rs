//! # The Landmesh content mesh
//!
//! Content (3D models, textures, any blob) is named by its BLAKE3 root, a
//! [`ContentId`](landmesh_primitives::ContentId), and flows through these modules:
//!
//! - [`magnet`]: the links users pass around (`magnet:?xt=urn:blake3:…`); [`range`]: the
//!   `Range` header; [`credentials`]: who a request says it comes from.
//! - [`import`]: a stream in, a file plus its content id and outboard out.
//! - [`verified`]: the hash tree (outboard) that checks every 16 KiB group read, from
//!   disk or from a peer, against the content id.
//! - [`store`]: RocksDB index + blob files, pins, a byte limit; [`cache`] decides what
//!   to evict when it is reached.
//! - [`directory`]: what the chain says of a content (holders, size, media type, who
//!   may have it), asked by the gateway, the transfer protocol and downloads.
//! - [`gateway`]: HTTP for browsers, a CDN edge: `GET|HEAD /content/<root>` with ranges,
//!   `POST /content` to upload, `/receipts` for what clients were served ([`receipts`]);
//!   [`server`] accepts its connections within limits and
//!   drops the ones that stall.
//! - [`wire`]: the transfer protocol's messages; [`peers`]: the mesh's libp2p swarm
//!   (identify, Kademlia, transfers) answering peers from the store, its DHT records
//!   kept by [`records`]; [`fetch`]: a
//!   download from several peers at once, verified group by group.
//! - [`challenge`]: chunk proofs for the chain's storage challenges, from the store.
//!
//! The crate stands alone (no chain types beyond the shared primitives): the node wires
//! it to the chain.

// What a peer or a client sends, parsed: no I/O, no node; built alone (without the
// `node` feature) for the fuzz targets.
pub mod credentials;
pub mod magnet;
pub mod range;
pub mod wire;

/// Items of the node's mesh: compiled with the `node` feature (the default).
macro_rules! node {
	($($item:item)*) => { $( #[cfg(feature = "node")] $item )* };
}

node! {
	pub mod cache;
	pub mod challenge;
	pub mod directory;
	pub mod fetch;
	pub mod gateway;
	pub mod import;
	pub mod peers;
	pub mod receipts;
	pub mod records;
	pub mod server;
	pub mod store;
	pub mod verified;

	pub use libp2p::{identity::Keypair, multiaddr::Protocol, Multiaddr, PeerId};
	pub use peers::Mesh;
	pub use store::{BlobInfo, Pin, Store, StoreError};
}

pub use landmesh_primitives::ContentId;
pub use magnet::Magnet;
