//! `landmesh`: put models into the world and keep them there.

mod commands;
mod journey;

use clap::{Args, CommandFactory, Parser, Subcommand};
use landmesh_cli::output::Output;
use std::path::PathBuf;

/// The Landmesh client: land, models, storage and mining, over any node's JSON-RPC and
/// HTTP gateway.
#[derive(Parser, Debug)]
#[command(name = "landmesh", version, about, long_about = None)]
pub struct Cli {
	#[command(flatten)]
	pub global: Global,
	#[command(subcommand)]
	pub command: Command,
}

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
	/// The node's JSON-RPC endpoint.
	#[arg(long, global = true, env = "LANDMESH_NODE", default_value = "ws://127.0.0.1:9944")]
	pub node: String,
	/// The node's HTTP gateway; repeat it to fetch from several at once.
	#[arg(long, global = true, env = "LANDMESH_GATEWAY", value_delimiter = ',', default_value = "http://127.0.0.1:8080")]
	pub gateway: Vec<String>,
	/// The signing key's secret URI (`//Alice` on a dev chain). Prefer the environment
	/// variable: a secret on the command line lands in the shell's history.
	#[arg(long, global = true, env = "LANDMESH_SURI", hide_env_values = true)]
	pub suri: Option<String>,
	/// A polkadot.js JSON key export (its password from LANDMESH_PASSWORD, or asked).
	#[arg(long, global = true, env = "LANDMESH_KEY_FILE")]
	pub key_file: Option<PathBuf>,
	/// Print one JSON document (for scripts) instead of text.
	#[arg(long, global = true)]
	pub json: bool,
	/// Wait for transactions to be finalized, not only included in a block.
	#[arg(long, global = true)]
	pub finalized: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
	/// An account's balance and nonce (yours by default).
	Account { who: Option<String> },
	/// Send CYBR (`landmesh transfer bob 1.5`).
	Transfer { to: String, amount: String },
	/// Upload a file, and with the flags mint it as a model, place it and order its storage:
	/// the whole journey in one command; a re-run after a failure resumes it.
	Put(journey::PutArgs),
	/// Fetch a content (a magnet, a content id or `model:<id>`) from several gateways at
	/// once, verifying every byte against its BLAKE3 root here.
	Get {
		target: String,
		/// Where to write it (default: the magnet's name, or the content id).
		#[arg(short, long)]
		output: Option<PathBuf>,
		/// Fetch only from the gateways given, not also from the miners the chain names.
		#[arg(long)]
		only: bool,
		/// Replace the output file if it exists.
		#[arg(long)]
		force: bool,
	},
	/// A world's parcels, owners, prices and placed models.
	#[command(subcommand)]
	World(commands::WorldCommand),
	/// Buy, list and unlist parcels.
	#[command(subcommand)]
	Parcel(commands::ParcelCommand),
	/// Planets: create one, set its entrance fee, enter it.
	#[command(subcommand)]
	Planet(commands::PlanetCommand),
	/// Models: mint, place, move, remove, change access, burn, show.
	#[command(subcommand)]
	Model(commands::ModelCommand),
	/// Storage orders: status, order, renew, cancel.
	#[command(subcommand)]
	Store(commands::StoreCommand),
	/// Storage miners: register, status, claim, exit, withdraw.
	#[command(subcommand)]
	Miner(commands::MinerCommand),
	/// Serving receipts: hold the deposit that lets your receipts pay miners.
	#[command(subcommand)]
	Client(commands::ClientCommand),
	/// Shell completions (`landmesh completions bash > /etc/bash_completion.d/landmesh`).
	Completions { shell: clap_complete::Shell },
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let out = Output { json: cli.global.json };
	if let Command::Completions { shell } = &cli.command {
		clap_complete::generate(*shell, &mut Cli::command(), "landmesh", &mut std::io::stdout());
		return;
	}
	if let Err(e) = commands::run(cli, out).await {
		if out.json {
			println!("{}", serde_json::json!({ "error": e }));
		} else {
			eprintln!("error: {e}");
		}
		std::process::exit(1);
	}
}
