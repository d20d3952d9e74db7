//! The Landmesh node: BABE + GRANDPA over the Landmesh runtime, RocksDB, the standard
//! Substrate CLI and RPC, and the `benchmark` subcommands.
//!
//! Data flow: `command` parses the CLI (`cli`) and loads a chain spec (`chain_spec`);
//! `service` builds the client, networking, consensus and the RPC server (`rpc`);
//! `transactions` signs extrinsics for the benchmarks, the load tool and the tests, and
//! `dev_client` talks JSON-RPC to a running node for those tools. `mesh` runs the content
//! store, swarm and HTTP gateway inside the node; `miner` keeps what the chain assigns and
//! hands the miner's proofs to the runtime's off-chain worker; both read the chain through
//! `directory` (holders, sizes, media types, who may fetch what) and name the client types
//! from `client`. The wiring reads one way: service → mesh → miner → directory → client.

pub mod chain_spec;
pub mod client;
pub mod directory;
pub mod dev_client;
pub mod mesh;
pub mod miner;
pub mod sealer;
pub mod replicas;
pub mod receipts;
pub mod cli;
pub mod command;
pub mod contracts;
pub mod rpc;
pub mod service;
pub mod transactions;

mod benchmarking;
