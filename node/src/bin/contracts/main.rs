//! `landmesh-contracts`: deploys the Landmesh contracts (`contracts/artifacts/`) to a
//! running node and asks them questions. cargo-contract builds them, but its deploy speaks
//! an older pallet-revive; this tool signs typed pallet-revive calls instead.
//!
//! ```text
//! landmesh-contracts model-licence --model 0 --price 10 --share 5GrwvaEF…:3 --share 5FHneW…:1
//! landmesh-contracts planet-gate --world 1 --fee 2 --pass-hours 24 --free-per-day 50
//! landmesh-contracts has-licence 0x1234…abcd 5FLSigC9…
//! ```

use clap::Parser;
use landmesh_node::{
	contracts::{self, address_of, EVM_UNITS_PER_PLANCK},
	dev_client::DevClient,
};
use landmesh_runtime::{currency::UNITS, AccountId, Balance, RuntimeEvent};
use polkadot_sdk::{
	pallet_revive::{self, H160, U256},
	sp_core::{crypto::Ss58Codec, sr25519, Pair},
};
use std::path::PathBuf;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Parser)]
struct Args {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The deploying (or asking) account's secret: a dev name (`//Alice`) or a seed phrase.
	#[arg(long, default_value = "//Alice")]
	suri: String,
	/// Where the built contracts are (`*.polkavm`).
	#[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/artifacts"))]
	artifacts: PathBuf,
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
	/// Deploys a `model-licence` contract selling licences to one model.
	ModelLicence {
		/// The model (its id on chain).
		#[arg(long)]
		model: u32,
		/// The price of a licence, in CYBR (decimals allowed).
		#[arg(long)]
		price: f64,
		/// A revenue share, `<ss58>:<part>`; give one or more.
		#[arg(long = "share", required = true, value_parser = parse_share)]
		shares: Vec<(AccountId, u32)>,
	},
	/// Deploys a `planet-gate` contract for one world.
	PlanetGate {
		/// The world (its id on chain).
		#[arg(long)]
		world: u32,
		/// The price of a pass, in CYBR.
		#[arg(long)]
		fee: f64,
		/// How long a paid pass lasts, in hours.
		#[arg(long, default_value_t = 24)]
		pass_hours: u64,
		/// Visitors a day who enter free.
		#[arg(long, default_value_t = 0)]
		free_per_day: u32,
	},
	/// Asks a licence contract whether an account holds a licence (a dry-run).
	HasLicence {
		/// The contract's address (`0x` + 40 hex digits).
		contract: String,
		/// The account (SS58).
		account: String,
	},
}

fn parse_share(text: &str) -> Result<(AccountId, u32), String> {
	let (who, part) = text.rsplit_once(':').ok_or_else(|| format!("`{text}`: write <ss58>:<part>, e.g. 5Grw…:3"))?;
	let who = AccountId::from_ss58check(who).map_err(|e| format!("`{who}` is not an SS58 account ({e:?})"))?;
	let part = part.parse().map_err(|_| format!("`{part}` is not a whole number"))?;
	Ok((who, part))
}

/// CYBR (as typed) in planck, refusing what is not a sensible amount.
fn planck(cybr: f64) -> Result<Balance, Error> {
	if !cybr.is_finite() || cybr < 0.0 {
		return Err(format!("{cybr} is not an amount of CYBR").into());
	}
	Ok((cybr * UNITS as f64).round() as Balance)
}

/// Contract-side value (18 decimals) of `planck`.
fn evm_value(planck: Balance) -> U256 {
	U256::from(planck) * U256::from(EVM_UNITS_PER_PLANCK)
}

fn parse_address(text: &str) -> Result<H160, Error> {
	let bytes = polkadot_sdk::sp_core::bytes::from_hex(text).map_err(|e| format!("`{text}`: {e}"))?;
	if bytes.len() != 20 {
		return Err(format!("`{text}` is not a contract address (0x + 40 hex digits)").into());
	}
	Ok(H160::from_slice(&bytes))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
	let args = Args::parse();
	let signer = sr25519::Pair::from_string(&args.suri, None).map_err(|e| format!("--suri: {e:?}"))?;
	let client = DevClient::connect(&args.url).await.map_err(|e| format!("cannot reach {}: {e}", args.url))?;
	let (artifact, constructor) = match &args.command {
		Command::ModelLicence { model, price, shares } => {
			let shares: Vec<(H160, u32)> = shares.iter().map(|(who, part)| (address_of(who), *part)).collect();
			("model_licence", contracts::input("new", (*model, evm_value(planck(*price)?), shares)))
		},
		Command::PlanetGate { world, fee, pass_hours, free_per_day } => {
			let pass_ms = pass_hours.saturating_mul(3_600_000);
			("planet_gate", contracts::input("new", (*world, evm_value(planck(*fee)?), pass_ms, *free_per_day)))
		},
		Command::HasLicence { contract, account } => {
			let contract = parse_address(contract)?;
			let who = AccountId::from_ss58check(account).map_err(|e| format!("`{account}` is not an SS58 account ({e:?})"))?;
			let data = contracts::input("has_licence", address_of(&who));
			let (outcome, _) = contracts::dry_run_rpc(&client, &who, contract, 0, data).await?;
			match contracts::answered_yes(&outcome) {
				Some(yes) => println!("{yes}"),
				None => return Err(format!("the contract gave no answer: {outcome:?}").into()),
			}
			return Ok(());
		},
	};
	let path = args.artifacts.join(format!("{artifact}.polkavm"));
	let code = std::fs::read(&path).map_err(|e| format!("cannot read {} ({e}): run scripts/contracts.sh build", path.display()))?;
	let chain = client.chain_identity().await?;
	let events = client
		.execute(&signer, contracts::instantiate(code, constructor, 0), &chain)
		.await?
		.map_err(|e| format!("the deploy failed: {e:?}"))?;
	let contract = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Revive(pallet_revive::Event::Instantiated { contract, .. }) => Some(*contract),
			_ => None,
		})
		.ok_or("the deploy emitted no Instantiated event")?;
	println!("{artifact} deployed at {contract:?} by {}", AccountId::from(signer.public()).to_ss58check());
	Ok(())
}
