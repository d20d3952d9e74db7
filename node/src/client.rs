//! The node's client types: what the service builds and the mesh, the miner's keeper and
//! the RPC read the chain through. A module of their own, so the node's wiring reads one
//! way: `service` builds the client and starts `mesh`, which starts the `miner` keeper;
//! both ask the chain through `directory`; everything names the client from here.

use landmesh_runtime::{apis::RuntimeApi, opaque::Block};
use polkadot_sdk::{sc_client_api::Backend, *};

/// Host functions the runtime may call; the benchmarking ones only in benchmark builds.
#[cfg(not(feature = "runtime-benchmarks"))]
pub type HostFunctions = sp_io::SubstrateHostFunctions;
/// Host functions the runtime may call; the benchmarking ones only in benchmark builds.
#[cfg(feature = "runtime-benchmarks")]
pub type HostFunctions =
	(sp_io::SubstrateHostFunctions, frame_benchmarking::benchmarking::HostFunctions);

/// The wasm executor; there is no native runtime.
pub type RuntimeExecutor = sc_executor::WasmExecutor<HostFunctions>;
/// The full client.
pub type FullClient = sc_service::TFullClient<Block, RuntimeApi, RuntimeExecutor>;
/// The full backend (RocksDB).
pub type FullBackend = sc_service::TFullBackend<Block>;
/// The node's off-chain database, where the mesh hands the miner's off-chain worker its tasks.
pub type OffchainStorage = <FullBackend as Backend<Block>>::OffchainStorage;
