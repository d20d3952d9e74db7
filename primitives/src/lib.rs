//! Types shared by the Landmesh runtime, its pallets, the node and the mesh.
//!
//! - [`content`]: [`ContentId`], the BLAKE3 root that names every piece of model data.
//! - [`world`]: the world grid (worlds, parcels, placed models) as the chain stores it
//!   and as clients read it back.
//! - [`proof`]: chunk proofs: one 1 KiB chunk and its sibling chaining values, from which
//!   the runtime rebuilds a [`ContentId`] to check that a miner holds the content.
//! - [`storage`]: miners, orders and challenges as clients read them.
//! - [`filler`]: filler sectors, whose chunks prove idle capacity (proof of space).
//! - [`replica`]: replicas sealed per miner and order, so no copy answers for another.
//! - [`miner`]: what a miner's node hands to the runtime's off-chain worker.
//! - [`api`]: the runtime APIs behind the node's `landmesh_*` RPC methods.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod api;
pub mod content;
pub mod filler;
pub mod miner;
pub mod proof;
pub mod replica;
pub mod storage;
pub mod world;

pub use content::ContentId;
pub use world::*;
