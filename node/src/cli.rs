//! The command line: the standard Substrate node flags plus its subcommands.

use frame_benchmarking_cli::BenchmarkCmd;

/// `landmesh-node [SUBCOMMAND] [FLAGS]`.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	#[clap(flatten)]
	pub mesh: crate::mesh::MeshParams,

	/// Where compiled runtimes are kept between runs (default: `wasm-cache` in the base
	/// path). Compiling the runtime takes seconds at every start; nodes that share this
	/// directory (a local network, the tests) compile each runtime version once.
	#[arg(long, value_name = "DIR")]
	pub wasm_cache: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Sign a message with a secret key (`--suri`), e.g. the gateway credentials a
	/// signed upload or a gated fetch sends: prints the signature as hex.
	Sign(sc_cli::SignCmd),

	/// Export the chain spec as JSON (`--raw` for a spec another machine can join).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain spec (deprecated upstream in favour of `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: `pallet`, `overhead`, `extrinsic`, `machine`, `storage`, `block`.
	#[command(subcommand)]
	Benchmark(BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}
