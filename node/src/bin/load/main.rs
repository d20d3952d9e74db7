//! `landmesh-load`: sustained-throughput load on a running node.
//!
//! Pre-signs `--per-account` `transfer_keep_alive`s from each of `--senders` endowed dev
//! accounts (Alice, Bob, ...), submits them all, then follows the chain until every one
//! is included, and prints transfers per block and per second. Each sender pays its own
//! fees and nonces advance independently, so the pool can fill blocks from several
//! accounts at once.
//!
//! ```text
//! landmesh-load --url ws://127.0.0.1:9944 --senders 6 --per-account 400
//! ```
//!
//! `landmesh-load region` instead fills the largest region a query may cover (16 × 16
//! mainland parcels, 32 models on each) and times `landmesh_modelsInRegion` over it
//! against two baselines in the same run: a bare RPC round trip (`chain_getHeader`) and
//! `landmesh_parcelsInRegion` over the same region. See [`region`].

mod region;

use clap::Parser;
use landmesh_node::{dev_client::DevClient, transactions::sign};
use landmesh_runtime::{
	currency::MILLI_UNITS, genesis::ENDOWED_KEYS as KEYS, BalancesCall, RuntimeCall,
};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
struct Args {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// How many endowed dev accounts send (1 to 6: Alice, Bob, Charlie, Dave, Eve, Ferdie).
	#[arg(long, default_value_t = 6)]
	senders: usize,
	/// Transfers each sender signs and submits.
	#[arg(long, default_value_t = 500)]
	per_account: u32,
	/// Give up if the transfers are not all included within this many seconds.
	#[arg(long, default_value_t = 300)]
	timeout_secs: u64,
	#[command(subcommand)]
	scenario: Option<Scenario>,
}

#[derive(Debug, clap::Subcommand)]
enum Scenario {
	/// Time `landmesh_modelsInRegion` over a full region of the largest allowed size.
	Region {
		/// Timed calls of each method.
		#[arg(long, default_value_t = 30)]
		samples: usize,
	},
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
	let args = Args::parse();
	if args.senders == 0 || args.senders > KEYS.len() {
		return Err(format!("--senders must be 1..={}, got {}", KEYS.len(), args.senders).into());
	}
	let client = DevClient::connect(&args.url).await?;
	let chain = client.chain_identity().await?;
	if let Some(Scenario::Region { samples }) = args.scenario {
		return region::run(&client, &chain, samples).await;
	}

	// Sign everything first, so the measurement is the chain's, not the signer's.
	let sign_start = Instant::now();
	let mut batch = Vec::new();
	for (i, key) in KEYS.iter().take(args.senders).enumerate() {
		let pair = key.pair();
		let first_nonce = client.next_nonce(&key.to_account_id()).await?;
		// Send to the next account in the ring: every destination already exists.
		let dest = KEYS[(i + 1) % KEYS.len()].to_account_id();
		for k in 0..args.per_account {
			let call: RuntimeCall =
				BalancesCall::transfer_keep_alive { dest: dest.clone().into(), value: MILLI_UNITS }
					.into();
			batch.push(sign(&pair, call, first_nonce + k, &chain));
		}
	}
	let total = batch.len();
	println!("signed {total} transfers from {} senders in {:.2?}", args.senders, sign_start.elapsed());

	let start_block = client.best_number().await?;
	let submit_start = Instant::now();
	// Each sender submits in nonce order, one after another, so the pool never holds a
	// nonce gap (a gap parks transactions in its small "future" queue, which drops them);
	// the senders run side by side.
	let per_sender: Vec<_> = batch.chunks(args.per_account as usize).collect();
	let results = futures::future::join_all(per_sender.into_iter().map(|txs| {
		let client = &client;
		async move {
			let mut rejected = Vec::new();
			for xt in txs {
				if let Err(e) = client.submit(xt).await {
					rejected.push(e);
				}
			}
			rejected
		}
	}))
	.await;
	let errors: Vec<_> = results.into_iter().flatten().collect();
	let rejected = errors.len();
	if let Some(e) = errors.first() {
		eprintln!("{rejected} submissions rejected, first: {e}");
	}
	println!("submitted {} in {:.2?}", total - rejected, submit_start.elapsed());

	// Follow the best chain and count the transfers in each new block (all but the
	// timestamp inherent are ours on an otherwise idle dev chain).
	let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
	let mut included = 0usize;
	let mut per_block = Vec::new();
	let mut next = start_block + 1;
	let mut first_ts = None;
	let mut last_ts = 0u64;
	while included < total - rejected {
		if Instant::now() > deadline {
			return Err(format!("only {included} of {} included before the timeout", total - rejected).into());
		}
		let Some(hash) = client.block_hash(next).await? else {
			tokio::time::sleep(Duration::from_millis(200)).await;
			continue;
		};
		let count = client.block_extrinsics(hash).await?.len().saturating_sub(1);
		let ts = client.timestamp(hash).await?;
		if count > 0 {
			// The block before the first loaded one marks the start of the measured window.
			if first_ts.is_none() {
				let parent = client.block_hash(next - 1).await?.ok_or("parent vanished")?;
				first_ts = Some(client.timestamp(parent).await?);
			}
			per_block.push((next, count));
			included += count;
			last_ts = ts;
		}
		next += 1;
	}

	let window_ms = last_ts.saturating_sub(first_ts.unwrap_or(last_ts)).max(1);
	let max = per_block.iter().map(|(_, c)| *c).max().unwrap_or(0);
	let avg = included as f64 / per_block.len().max(1) as f64;
	for (n, c) in &per_block {
		println!("  block #{n}: {c} transfers");
	}
	println!(
		"RESULT transfers={included} blocks={} per_block_avg={avg:.1} per_block_max={max} \
		 chain_seconds={:.1} transfers_per_second={:.1}",
		per_block.len(),
		window_ms as f64 / 1000.0,
		included as f64 * 1000.0 / window_ms as f64,
	);
	Ok(())
}
