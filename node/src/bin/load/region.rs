//! `landmesh-load region`: how long a renderer waits for the largest region.
//!
//! Fills a 16 × 16 block of mainland parcels (the runtime's `MaxRegionCells`) with 32
//! model instances each (`MaxPlacementsPerParcel`), all through real transactions
//! (root mints the parcels, Alice mints and places the models, in `utility.batch_all`s),
//! then times, in the same run and with the same client:
//! - `chain_getHeader`: the bare cost of an RPC round trip (baseline);
//! - `landmesh_parcelsInRegion` over the region: the grid lookups alone (baseline);
//! - `landmesh_modelsInRegion` over the region: the whole answer a renderer draws from.

use landmesh_node::{
	dev_client::{DevClient, Error},
	transactions::{sign, ChainIdentity},
};
use landmesh_primitives::{AccessRule, ContentId, ModelFormat, Transform, MAINLAND};
use landmesh_runtime::{RuntimeCall, SudoCall, UtilityCall};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The region's corner: away from the dev genesis parcels near the origin.
const CORNER: u32 = 512;
const SIDE: u32 = 16;
const PLACEMENTS_PER_PARCEL: u32 = 32;

pub async fn run(client: &DevClient, chain: &ChainIdentity, samples: usize) -> Result<(), Error> {
	let alice = Sr25519Keyring::Alice;
	let region = json!({"world": MAINLAND, "x": CORNER, "y": CORNER, "width": SIDE, "height": SIDE});
	let existing: Vec<Value> = client.call("landmesh_parcelsInRegion", vec![region.clone(), Value::Null]).await?;
	if existing.is_empty() {
		populate(client, chain, alice).await?;
	} else {
		println!("region already populated ({} parcels); timing only", existing.len());
	}

	let scene: Value = client.call("landmesh_modelsInRegion", vec![region.clone(), Value::Null]).await?;
	let parcels = scene["parcels"].as_array().map_or(&[][..], |p| p.as_slice());
	let placed: usize = parcels.iter().map(|s| s["placements"].as_array().map_or(0, |m| m.len())).sum();
	let models = scene["models"].as_array().map_or(0, |m| m.len());
	println!("region {SIDE}x{SIDE} at ({CORNER},{CORNER}): {} parcels, {placed} placements of {models} models", parcels.len());

	let header = time(samples, || client.call::<Value>("chain_getHeader", vec![])).await?;
	let parcels = time(samples, || client.call::<Value>("landmesh_parcelsInRegion", vec![region.clone(), Value::Null])).await?;
	let models = time(samples, || client.call::<Value>("landmesh_modelsInRegion", vec![region.clone(), Value::Null])).await?;
	for (name, t) in [
		("chain_getHeader (baseline: RPC round trip)", &header),
		("landmesh_parcelsInRegion 16x16 (baseline: grid only)", &parcels),
		("landmesh_modelsInRegion 16x16 (full scene)", &models),
	] {
		println!(
			"RESULT {name}: median {:.2?} p90 {:.2?} max {:.2?}, response {} bytes",
			t.median, t.p90, t.max, t.bytes
		);
	}
	Ok(())
}

/// Mints the parcels (root) and 32 models placed once on every parcel (Alice).
async fn populate(client: &DevClient, chain: &ChainIdentity, alice: Sr25519Keyring) -> Result<(), Error> {
	let started = Instant::now();
	let mint_parcels: Vec<RuntimeCall> = (0..SIDE * SIDE)
		.map(|i| {
			pallet_land::Call::mint_parcel {
				world: MAINLAND,
				x: CORNER + i % SIDE,
				y: CORNER + i / SIDE,
				owner: alice.to_account_id().into(),
			}
			.into()
		})
		.collect();
	let batch: RuntimeCall = UtilityCall::batch_all { calls: mint_parcels }.into();
	let mut nonce = client.next_nonce(&alice.to_account_id()).await?;
	let mut pending = vec![sign(&alice.pair(), SudoCall::sudo { call: Box::new(batch) }.into(), nonce, chain)];
	nonce += 1;
	let first_parcel: u32 = next_id(client, b"Land", b"NextParcelId").await?;
	let first_model: u32 = next_id(client, b"Models", b"NextModelId").await?;
	let mint_models: Vec<RuntimeCall> = (0..PLACEMENTS_PER_PARCEL)
		.map(|m| {
			pallet_models::Call::mint_model {
				content_id: ContentId([m as u8; 32]),
				size: 1 << 20,
				format: ModelFormat::Glb,
				name: format!("bench model {m}").into_bytes().try_into().expect("short name"),
				access: AccessRule::Public,
			}
			.into()
		})
		.collect();
	pending.push(sign(&alice.pair(), UtilityCall::batch_all { calls: mint_models }.into(), nonce, chain));
	nonce += 1;
	for m in 0..PLACEMENTS_PER_PARCEL {
		let place: Vec<RuntimeCall> = (0..SIDE * SIDE)
			.map(|p| {
				let transform = Transform { position_mm: [(m * 400) as i32, 0, (m * 400) as i32], ..Transform::IDENTITY };
				pallet_models::Call::place_model { parcel: first_parcel + p, model: first_model + m, transform }.into()
			})
			.collect();
		pending.push(sign(&alice.pair(), UtilityCall::batch_all { calls: place }.into(), nonce, chain));
		nonce += 1;
	}
	let count = pending.len();
	for xt in &pending {
		client.submit(xt).await?;
	}
	// Wait until Alice's last transaction is in a finalized block.
	let deadline = Instant::now() + Duration::from_secs(600);
	loop {
		let (hash, _) = client.finalized().await?;
		let done: Value = client
			.call(
				"landmesh_modelsInRegion",
				vec![json!({"world": MAINLAND, "x": CORNER + SIDE - 1, "y": CORNER + SIDE - 1, "width": 1, "height": 1}), json!(hash)],
			)
			.await?;
		if done["parcels"][0]["placements"].as_array().map_or(0, |m| m.len()) == PLACEMENTS_PER_PARCEL as usize {
			break;
		}
		if Instant::now() > deadline {
			return Err("the region was not populated within 600 s (did a batch fail? check the node log)".into());
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	println!("populated with {count} transactions in {:.1?}", started.elapsed());
	Ok(())
}

/// The id counter `pallet.item` (a `u32` storage value) at the best block.
async fn next_id(client: &DevClient, pallet: &[u8], item: &[u8]) -> Result<u32, Error> {
	use polkadot_sdk::sp_io::hashing::twox_128;
	let key = [twox_128(pallet), twox_128(item)].concat();
	Ok(client.storage::<u32>(&key, None).await?.unwrap_or(0))
}

struct Timing {
	median: Duration,
	p90: Duration,
	max: Duration,
	bytes: usize,
}

async fn time<F, Fut>(samples: usize, mut call: F) -> Result<Timing, Error>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<Value, Error>>,
{
	let bytes = serde_json::to_string(&call().await?)?.len(); // also warms caches
	let mut times = Vec::with_capacity(samples);
	for _ in 0..samples.max(1) {
		let start = Instant::now();
		call().await?;
		times.push(start.elapsed());
	}
	times.sort();
	let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
	Ok(Timing { median: at(0.5), p90: at(0.9), max: at(1.0), bytes })
}
