//! `landmesh put`: a file into the world in one command (upload, mint, place, order its
//! storage), each step reported and skipped on a re-run when the chain or the gateway
//! shows it done, and the receipts a download signs.

use crate::{
	commands::{self, block_json, event, landed_line, submit, Fail, Placement},
	Global,
};
use landmesh_cli::{
	chain::{
		api::{self, runtime_types::landmesh_primitives as lp},
		AccountId, Chain, Landed,
	},
	fetch::Fetched,
	gateway::{Gateway, Signed},
	keys,
	output::Output,
	units,
};
use landmesh_primitives::ContentId;
use serde_json::{json, Value};
use std::{io::Read, path::PathBuf};
use subxt_signer::sr25519::Keypair;

/// `landmesh put`'s arguments.
#[derive(clap::Args, Debug)]
pub struct PutArgs {
	/// The files to upload.
	#[arg(required = true)]
	pub files: Vec<PathBuf>,
	/// Mint each as a model NFT.
	#[arg(long)]
	pub mint: bool,
	/// The model's format (default: from the file's extension).
	#[arg(long)]
	pub format: Option<String>,
	/// The model's name (default: the file's name).
	#[arg(long)]
	pub name: Option<String>,
	/// Who may fetch it: `public`, `pass:<world>` or `contract:<address>`.
	#[arg(long, default_value = "public")]
	pub access: String,
	/// Place it on this parcel (needs --mint).
	#[arg(long)]
	pub place: Option<u32>,
	#[command(flatten)]
	pub placement: Placement,
	/// Order its storage (needs --mint): `--replicas` for `--days`.
	#[arg(long)]
	pub store: bool,
	#[arg(long, default_value_t = 2)]
	pub replicas: u32,
	#[arg(long, default_value_t = 30)]
	pub days: u32,
}

/// Seconds since 1970.
pub fn now() -> u64 {
	std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The BLAKE3 root of a file: its content id.
fn content_id_of(path: &std::path::Path) -> Result<(ContentId, u64), Fail> {
	let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
	let mut hasher = blake3::Hasher::new();
	let mut buffer = vec![0u8; 1 << 20];
	let mut size = 0u64;
	loop {
		let n = file.read(&mut buffer).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
		if n == 0 {
			break;
		}
		hasher.update(&buffer[..n]);
		size += n as u64;
	}
	if size == 0 {
		return Err(format!("{} is empty: there is nothing to upload", path.display()));
	}
	Ok((ContentId(*hasher.finalize().as_bytes()), size))
}

fn format_of(path: &std::path::Path, given: Option<&str>) -> Result<(lp::world::ModelFormat, &'static str), Fail> {
	let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
	let text = given.map(str::to_string).unwrap_or(ext);
	let format = commands::model_format(if text.is_empty() { "other" } else { &text })
		.map_err(|e| format!("{e} (or pass --format)"))?;
	let media = match format {
		lp::world::ModelFormat::Glb => "model/gltf-binary",
		lp::world::ModelFormat::Gltf => "model/gltf+json",
		_ => "application/octet-stream",
	};
	Ok((format, media))
}

pub async fn put(g: &Global, out: Output, args: PutArgs) -> Result<(), Fail> {
	if (args.place.is_some() || args.store) && !args.mint {
		return Err("--place and --store need --mint: a placement and a model's order are of a model".into());
	}
	if args.store && !(1..=64).contains(&args.replicas) {
		return Err(format!("--replicas {} is out of range: 1 to the chain's maximum", args.replicas));
	}
	// Everything that can be checked here is, before anything is sent.
	let key = commands::key(g)?;
	let transform = args.place.map(|_| commands::transform(&args.placement)).transpose()?;
	let access = commands::access_rule(&args.access)?;
	let mut files = Vec::new();
	for f in &args.files {
		// The format matters to a model; a plain upload of any file is just bytes.
		let (format, media) = match format_of(f, args.format.as_deref()) {
			Err(_) if !args.mint => (lp::world::ModelFormat::Other, "application/octet-stream"),
			known => known?,
		};
		let (content, size) = content_id_of(f)?;
		files.push((f.clone(), format, media, content, size));
	}
	if args.store && args.days == 0 {
		return Err("--days 0 stores nothing: give at least one day".into());
	}
	let chain = commands::connect(g).await?;
	let at = chain.at_best().await.map_err(|e| e.to_string())?;
	let max_name = at.constants().entry(api::constants().models().max_name_length()).map_err(|e| e.to_string())?;
	for (path, ..) in &files {
		let name = args.name.clone().unwrap_or_else(|| path.file_name().and_then(|n| n.to_str()).unwrap_or("model").to_string());
		if args.mint && name.len() > max_name as usize {
			return Err(format!("the name `{name}` has {} bytes; a model's name has at most {max_name}: pass a shorter --name", name.len()));
		}
	}
	if let Some(parcel) = args.place {
		let known = at.storage().try_fetch(api::storage().land().parcels(), (parcel,)).await.map_err(|e| e.to_string())?;
		if known.is_none() {
			return Err(format!("there is no parcel {parcel} (see `landmesh world show <world> <x,y>`)"));
		}
	}
	let gateway = Gateway::new(g.gateway.first().map(String::as_str).unwrap_or("http://127.0.0.1:8080"));
	let me = keys::account_of(&key);
	let mut results = Vec::new();
	for (path, format, media, content, size) in files {
		let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("model").to_string();
		let name = args.name.clone().unwrap_or_else(|| file_name.clone());
		let mut result = json!({ "file": path.display().to_string(), "contentId": content.to_hex(), "size": size });

		// 1. Upload, unless the gateway has it already.
		let magnet = landmesh_mesh::Magnet { root: content, size: Some(size), name: Some(file_name.clone()) }.to_string();
		// Stored there (its outboard is served only then; a HEAD answers for what the
		// chain knows too).
		if gateway.outboard(&content, landmesh_cli::fetch::outboard_len(size), None).await.is_ok() {
			out.step(&format!("✓ {} is on {} already", file_name, gateway.base));
			result["uploaded"] = json!("already");
		} else {
			let expires = now() + 600;
			let message = landmesh_mesh::directory::Credentials::upload_message(&chain.genesis_hex(), expires);
			let signed = Signed { account: me.to_string(), expires, signature: keys::sign_hex(&key, message.as_bytes()) };
			let bar = out.bar(size, &format!("upload {file_name}"));
			let shown = bar.clone();
			let answer = gateway
				.upload(&path, Some(&file_name), Some(media), Some(&signed), move |sent| shown.set_position(sent))
				.await
				.map_err(|e| e.message)?;
			bar.finish_and_clear();
			if answer["contentId"].as_str() != Some(content.to_hex().as_str()) {
				return Err(format!("{} stored {} as {}, not {}: the file changed while it was sent?", gateway.base, file_name, answer["contentId"], content.to_hex()));
			}
			out.step(&format!("✓ uploaded {file_name} ({}) to {}", units::format_size(size), gateway.base));
			result["uploaded"] = json!("now");
		}
		result["magnet"] = json!(magnet);
		if !args.mint {
			results.push(result);
			continue;
		}

		// 2. Mint, unless this account owns a model of this content already.
		let model = match owned_model(&chain, &me, &content).await? {
			Some(model) => {
				out.step(&format!("✓ model {model} of this content is yours already"));
				model
			},
			None => {
				let (model, landed) = mint(&chain, &key, g, content, size, &name, format.clone(), access.clone()).await?;
				out.step(&format!("✓ minted model {model} \"{name}\" {}", landed_line(&landed)));
				result["mintedIn"] = block_json(&landed);
				model
			},
		};
		result["model"] = json!(model);

		// 3. Place it, unless it stands on that parcel already.
		if let (Some(parcel), Some(t)) = (args.place, transform.clone()) {
			match placement_on(&chain, parcel, model).await? {
				Some(placement) => {
					out.step(&format!("✓ model {model} stands on parcel {parcel} already (placement {placement})"));
					result["placement"] = json!(placement);
				},
				None => {
					let landed = submit(&chain, &api::tx().models().place_model(parcel, model, t), &key, g).await?;
					let placed: api::models::events::ModelPlaced = event(&landed, "ModelPlaced")?;
					out.step(&format!("✓ placed model {model} on parcel {parcel} (placement {}) {}", placed.placement, landed_line(&landed)));
					result["placement"] = json!(placed.placement);
				},
			}
		}

		// 4. Order its storage, unless the model has an order.
		if args.store {
			match model_order(&chain, model).await? {
				Some(order) => {
					out.step(&format!("✓ model {model} has storage order {order} already"));
					result["order"] = json!(order);
				},
				None => {
					let (order, landed) = order_model(&chain, &key, g, model, args.replicas, args.days).await?;
					out.step(&format!(
						"✓ ordered {} replicas of model {model} for {} days: order {order} {}",
						args.replicas,
						args.days,
						landed_line(&landed)
					));
					result["order"] = json!(order);
				},
			}
		}
		results.push(result);
	}
	out.result(
		|| {
			results
				.iter()
				.map(|r| {
					let mut line = format!("{}  {}", r["contentId"].as_str().unwrap_or(""), r["magnet"].as_str().unwrap_or(""));
					if !r["model"].is_null() {
						line.push_str(&format!("\n  model {}", r["model"]));
					}
					if !r["placement"].is_null() {
						line.push_str(&format!(", placement {}", r["placement"]));
					}
					if !r["order"].is_null() {
						line.push_str(&format!(", order {}", r["order"]));
					}
					line
				})
				.collect::<Vec<_>>()
				.join("\n")
		},
		if results.len() == 1 { results[0].clone() } else { Value::Array(results.clone()) },
	);
	Ok(())
}

/// A model of `content` that `me` owns, if any.
async fn owned_model(chain: &Chain, me: &AccountId, content: &ContentId) -> Result<Option<u32>, Fail> {
	let at = chain.at_best().await.map_err(|e| e.to_string())?;
	let entry = at.storage().entry(api::storage().models().models_by_content()).map_err(|e| e.to_string())?;
	let mut models = entry.iter((lp::content::ContentId(content.0),)).await.map_err(|e| e.to_string())?;
	let mut ids = Vec::new();
	while let Some(kv) = models.next().await {
		let kv = kv.map_err(|e| e.to_string())?;
		let (_, model): (lp::content::ContentId, u32) = kv.key().map_err(|e| e.to_string())?.decode().map_err(|e| e.to_string())?;
		ids.push(model);
	}
	// A model's owner is its NFT's: the node's model view says who it is.
	for model in ids {
		let view = commands::model_view(chain, model).await?;
		if view["owner"].as_str() == Some(me.to_string().as_str()) {
			return Ok(Some(model));
		}
	}
	Ok(None)
}

/// An open storage order of `model`, if it has one.
async fn model_order(chain: &Chain, model: u32) -> Result<Option<u64>, Fail> {
	let at = chain.at_best().await.map_err(|e| e.to_string())?;
	let entry = at.storage().entry(api::storage().storage().orders_by_model()).map_err(|e| e.to_string())?;
	let mut orders = entry.iter((model,)).await.map_err(|e| e.to_string())?;
	match orders.next().await {
		Some(kv) => {
			let kv = kv.map_err(|e| e.to_string())?;
			let (_, order): (u32, u64) = kv.key().map_err(|e| e.to_string())?.decode().map_err(|e| e.to_string())?;
			Ok(Some(order))
		},
		None => Ok(None),
	}
}

/// The placement of `model` on `parcel`, if it stands there.
async fn placement_on(chain: &Chain, parcel: u32, model: u32) -> Result<Option<u32>, Fail> {
	let at = chain.at_best().await.map_err(|e| e.to_string())?;
	let Some(p) = at
		.storage()
		.try_fetch(api::storage().land().parcels(), (parcel,))
		.await
		.map_err(|e| e.to_string())?
		.map(|v| v.decode())
		.transpose()
		.map_err(|e| e.to_string())?
	else {
		return Err(format!("there is no parcel {parcel} (see `landmesh world show <world> <x,y>`)"));
	};
	let scene = chain
		.call("landmesh_modelsInRegion", vec![json!({ "world": p.world, "x": p.x, "y": p.y, "width": 1, "height": 1 })])
		.await
		.map_err(|e| e.to_string())?;
	let placed = scene["parcels"]
		.as_array()
		.into_iter()
		.flatten()
		.flat_map(|p| p["placements"].as_array().cloned().unwrap_or_default())
		.find(|pl| pl["model"] == json!(model))
		.and_then(|pl| pl["placement"].as_u64())
		.map(|p| p as u32);
	Ok(placed)
}

/// Mints a model; its id and where.
#[allow(clippy::too_many_arguments)]
pub async fn mint(
	chain: &Chain,
	key: &Keypair,
	g: &Global,
	content: ContentId,
	size: u64,
	name: &str,
	format: lp::world::ModelFormat,
	access: lp::world::AccessRule<AccountId>,
) -> Result<(u32, Landed), Fail> {
	let name = api::runtime_types::bounded_collections::bounded_vec::BoundedVec(name.as_bytes().to_vec());
	let call = api::tx().models().mint_model(lp::content::ContentId(content.0), size, format, name, access);
	let landed = submit(chain, &call, key, g).await?;
	let minted: api::models::events::ModelMinted = event(&landed, "ModelMinted")?;
	Ok((minted.model, landed))
}

/// Orders storage for a model; the order's id and where.
pub async fn order_model(chain: &Chain, key: &Keypair, g: &Global, model: u32, replicas: u32, days: u32) -> Result<(u64, Landed), Fail> {
	let landed = submit(chain, &api::tx().storage().place_model_order(model, replicas, days), key, g).await?;
	let placed: api::storage::events::ModelOrderPlaced = event(&landed, "ModelOrderPlaced")?;
	Ok((placed.order, landed))
}

/// A node's mesh peer id and listen addresses, from its gateway's `/node`.
pub async fn node_identity(gateway: &Gateway) -> Result<(String, Vec<String>), Fail> {
	let answer = gateway.node().await.map_err(|e| e.message)?;
	let peer = answer["peerId"].as_str().ok_or_else(|| format!("{} did not say its peer id", gateway.base))?.to_string();
	let addrs = answer["listenAddrs"].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_string)).collect();
	Ok((peer, addrs))
}

/// Signs a served receipt for every miner's gateway that served this download: the
/// bytes it served this client in the era, counted here across downloads (receipts are
/// cumulative). What was sent, one line each.
///
/// The gateway's terms are not taken on its word: the chain, the era and the miner are
/// the chain's own (its genesis, its current era, a registered miner whose gateway is
/// this one), so a gateway cannot spend this client's allowance for another era or on a
/// miner that served nothing.
pub async fn send_receipts(chain: &Chain, key: &Keypair, report: &Fetched) -> Vec<String> {
	let mut sent = Vec::new();
	let mut counts = Counts::load();
	// The era as gateways count it: the best block over the era's length.
	let era = match (chain.best_number().await, chain.at_best().await) {
		(Ok(best), Ok(at)) => match at.constants().entry(api::constants().audit().era_length()) {
			Ok(length) if length > 0 => (best / u64::from(length)) as u32,
			_ => return sent,
		},
		_ => return sent,
	};
	let genesis = chain.genesis_hex();
	for (base, bytes) in &report.served {
		let gateway = Gateway::new(base);
		let Ok(Some(terms)) = gateway.receipt_terms().await else { continue };
		let Some(miner_hex) = terms["miner"].as_str().map(|m| m.trim_start_matches("0x").to_ascii_lowercase()) else { continue };
		let Some(miner) = hex::decode(&miner_hex).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).map(AccountId::from) else {
			sent.push(format!("{base} names no miner account: no receipt"));
			continue;
		};
		let registered = chain.call("landmesh_miner", vec![json!(miner.to_string())]).await.unwrap_or(Value::Null);
		if registered["gateway"].as_str().map(|g| g.trim_end_matches('/')) != Some(gateway.base.as_str()) {
			sent.push(format!("{base} is not the registered gateway of miner {miner}: no receipt"));
			continue;
		}
		if terms["chain"].as_str().map(|c| c.trim_start_matches("0x")) != Some(genesis.as_str()) || terms["era"].as_u64() != Some(u64::from(era)) {
			sent.push(format!("{base} asks a receipt for another chain or era: no receipt"));
			continue;
		}
		let slot = format!("{genesis}:{miner_hex}:{era}");
		let total = counts.add(&slot, *bytes);
		let message = landmesh_primitives::miner::served_text(&genesis, &miner_hex, era, total);
		let receipt = json!({
			"client": keys::account_of(key).to_string(),
			"era": era,
			"bytes": total,
			"signature": keys::sign_hex(key, message.as_bytes()),
		});
		match gateway.send_receipt(&receipt).await {
			Ok(()) => sent.push(format!("{} served this era, signed for {base}", units::format_size(total))),
			Err(e) => sent.push(format!("{base} refused the receipt: {}", e.message)),
		}
	}
	counts.save();
	sent
}

/// The bytes each miner served this client per era, as signed so far.
struct Counts {
	path: Option<PathBuf>,
	map: serde_json::Map<String, Value>,
}

impl Counts {
	fn load() -> Counts {
		let path = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/landmesh/receipts.json"));
		let map = path
			.as_ref()
			.and_then(|p| std::fs::read(p).ok())
			.and_then(|b| serde_json::from_slice::<Value>(&b).ok())
			.and_then(|v| v.as_object().cloned())
			.unwrap_or_default();
		Counts { path, map }
	}

	fn add(&mut self, slot: &str, bytes: u64) -> u64 {
		let total = self.map.get(slot).and_then(Value::as_u64).unwrap_or(0).saturating_add(bytes);
		self.map.insert(slot.to_string(), json!(total));
		total
	}

	fn save(&self) {
		if let Some(path) = &self.path {
			if let Some(dir) = path.parent() {
				let _ = std::fs::create_dir_all(dir);
			}
			let _ = std::fs::write(path, Value::Object(self.map.clone()).to_string());
		}
	}
}
