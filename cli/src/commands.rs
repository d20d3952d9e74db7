//! The commands on the chain: accounts, the world, models, storage, mining.

use crate::{journey, Cli, Command, Global};
use clap::Subcommand;
use landmesh_cli::{
	chain::{
		api::{self, runtime_types::landmesh_primitives as lp},
		AccountId, Chain, Landed, Wait,
	},
	fetch,
	gateway::{Gateway, Signed},
	keys,
	output::{table, Output},
	units,
};
use landmesh_primitives::ContentId;
use serde_json::{json, Value};
use std::path::PathBuf;
use subxt_signer::sr25519::Keypair;

/// What a command returns when it fails: one line that says what to do.
pub type Fail = String;

#[derive(Subcommand, Debug)]
pub enum WorldCommand {
	/// A region of a world as a table: `landmesh world show 0 0,0 8x4`.
	Show {
		world: u32,
		/// The region's south-west cell, `x,y`.
		at: String,
		/// The region's size, `WxH` (default 8x8).
		size: Option<String>,
	},
}

#[derive(Subcommand, Debug)]
pub enum ParcelCommand {
	/// Buy a parcel that is for sale, paying at most `--max-price` (default: its price).
	Buy { parcel: u32, #[arg(long)] max_price: Option<String> },
	/// Put your parcel up for sale.
	List { parcel: u32, price: String },
	/// Take your parcel off sale.
	Unlist { parcel: u32 },
}

#[derive(Subcommand, Debug)]
pub enum PlanetCommand {
	/// Create a planet of `width` × `height` parcels, owned by you.
	Create { width: u32, height: u32 },
	/// Set your planet's entrance fee (0 opens it).
	Fee { world: u32, fee: String },
	/// Pay a planet's entrance fee (at most `--max-fee`, default: its fee now).
	Enter { world: u32, #[arg(long)] max_fee: Option<String> },
}

/// Where a model sits on its parcel, as people write it.
#[derive(clap::Args, Debug, Clone)]
pub struct Placement {
	/// Position in metres from the parcel's south-west ground corner: `x,y,z` (y up).
	#[arg(long, default_value = "8,0,8")]
	pub at: String,
	/// Rotation in degrees about x, y and z: `0,90,0`.
	#[arg(long, default_value = "0,0,0")]
	pub rot: String,
	/// Scale: one factor, or `x,y,z`.
	#[arg(long, default_value = "1")]
	pub scale: String,
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
	/// A model: owner, content, size, format, access and storage.
	Show { model: u32 },
	/// Mint a model NFT for a content already uploaded.
	Mint {
		content_id: String,
		size: String,
		#[arg(long)]
		name: String,
		#[arg(long, default_value = "glb")]
		format: String,
		/// `public`, `pass:<world>` or `contract:<address>`.
		#[arg(long, default_value = "public")]
		access: String,
	},
	/// Place your model on your parcel.
	Place {
		model: u32,
		parcel: u32,
		#[command(flatten)]
		placement: Placement,
	},
	/// Move a placed model.
	Move {
		parcel: u32,
		placement_id: u32,
		#[command(flatten)]
		placement: Placement,
	},
	/// Take a placed model off its parcel.
	Remove { parcel: u32, placement_id: u32 },
	/// Change who may fetch your model's data: `public`, `pass:<world>`, `contract:<address>`.
	Access { model: u32, rule: String },
	/// Burn your model (its placements and storage orders go with it).
	Burn { model: u32 },
}

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
	/// The orders keeping a content or model: replicas, miners, gateways, paid until,
	/// last proven.
	Status { target: String },
	/// Order storage for a content (`--size` needed) or a model (`model:<id>`).
	Order {
		target: String,
		#[arg(long, default_value_t = 2)]
		replicas: u32,
		#[arg(long, default_value_t = 30)]
		days: u32,
		/// The content's size (a model's is on chain).
		#[arg(long)]
		size: Option<String>,
	},
	/// Pay for more days of an order.
	Renew { order: u64, #[arg(long)] days: u32 },
	/// Cancel your order: the unspent escrow comes back.
	Cancel { order: u64 },
}

#[derive(Subcommand, Debug)]
pub enum MinerCommand {
	/// Register as a storage miner with the stake the capacity needs; the mesh identity
	/// is read from the node's gateway (`--gateway`).
	Register {
		/// Bytes offered: `2TiB`, `512GiB`.
		#[arg(long)]
		capacity: String,
		/// A region tag (`eu-west`): free text.
		#[arg(long, default_value = "default")]
		region: String,
		/// The gateway URL others fetch from (default: the --gateway given).
		#[arg(long)]
		public_gateway: Option<String>,
	},
	/// A miner's capacity, commitments, sectors, challenges and rewards due (yours by default).
	Status { who: Option<String> },
	/// Claim your rewards.
	Claim,
	/// Start leaving: replicas are moved off, then the stake unbonds.
	Exit,
	/// Take back the stake of a finished exit.
	Withdraw,
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
	/// Hold the client deposit: from the next era, receipts you sign pay the miners that
	/// served you.
	Register,
	/// Stop vouching; the deposit unbonds.
	Unregister,
	/// Take back an unbonded deposit.
	Withdraw,
}

pub async fn run(cli: Cli, out: Output) -> Result<(), Fail> {
	let g = cli.global;
	match cli.command {
		Command::Account { who } => account(&g, out, who).await,
		Command::Transfer { to, amount } => {
			let to = keys::account(&to)?;
			let amount = units::parse_amount(&amount)?;
			let (chain, key) = signer(&g).await?;
			let call = api::tx().balances().transfer_keep_alive(subxt::utils::MultiAddress::Id(to.clone()), amount);
			let landed = submit(&chain, &call, &key, &g).await?;
			out.result(
				|| format!("sent {} to {to}\n{}", units::format_amount(amount), landed_line(&landed)),
				json!({ "to": to.to_string(), "amount": amount.to_string(), "block": block_json(&landed) }),
			);
			Ok(())
		},
		Command::Put(args) => journey::put(&g, out, args).await,
		Command::Get { target, output, only, force } => get(&g, out, &target, output, only, force).await,
		Command::World(WorldCommand::Show { world, at, size }) => world_show(&g, out, world, &at, size.as_deref()).await,
		Command::Parcel(c) => parcel(&g, out, c).await,
		Command::Planet(c) => planet(&g, out, c).await,
		Command::Model(c) => model(&g, out, c).await,
		Command::Store(c) => store(&g, out, c).await,
		Command::Miner(c) => miner(&g, out, c).await,
		Command::Client(c) => client(&g, out, c).await,
		Command::Completions { .. } => Ok(()),
	}
}

/// The chain at `--node`.
pub async fn connect(g: &Global) -> Result<Chain, Fail> {
	Chain::connect(&g.node).await.map_err(|e| e.to_string())
}

/// The signing key, read before anything is sent.
pub fn key(g: &Global) -> Result<Keypair, Fail> {
	keys::keypair(g.suri.as_deref(), g.key_file.as_deref())
}

/// The key, then the chain: a bad key fails before the node is asked anything.
pub async fn signer(g: &Global) -> Result<(Chain, Keypair), Fail> {
	let key = key(g)?;
	Ok((connect(g).await?, key))
}

/// Submits `call` and waits as `--finalized` says.
pub async fn submit<Call: subxt::transactions::Payload>(
	chain: &Chain,
	call: &Call,
	key: &Keypair,
	g: &Global,
) -> Result<Landed, Fail> {
	let wait = if g.finalized { Wait::Finalized } else { Wait::InBlock };
	chain.submit(call, key, wait).await.map_err(|e| e.to_string())
}

pub fn landed_line(l: &Landed) -> String {
	format!("in block #{} ({:?})", l.number, l.block)
}

pub fn block_json(l: &Landed) -> Value {
	json!({ "number": l.number, "hash": format!("{:?}", l.block) })
}

/// The first event of type `E` a transaction emitted.
pub fn event<E: subxt::events::DecodeAsEvent>(l: &Landed, what: &str) -> Result<E, Fail> {
	match l.events.find_first::<E>() {
		Some(Ok(e)) => Ok(e),
		Some(Err(e)) => Err(format!("cannot decode the {what} event: {e}")),
		None => Err(format!("the transaction emitted no {what} event")),
	}
}

fn parse_content_id(text: &str) -> Result<ContentId, Fail> {
	ContentId::from_hex(text.trim().trim_start_matches("0x"))
		.map_err(|_| format!("`{text}` is not a content id: expected 64 hex digits (the BLAKE3 root, as `b3sum` prints it)"))
}

/// A model id from `model:<id>`.
fn model_id(text: &str) -> Option<Result<u32, Fail>> {
	text.strip_prefix("model:").map(|id| id.parse().map_err(|_| format!("`{text}`: a model is named model:<number>")))
}

pub fn access_rule(text: &str) -> Result<lp::world::AccessRule<AccountId>, Fail> {
	let fix = "write public, pass:<world> or contract:<address>";
	match text.split_once(':') {
		None if text == "public" => Ok(lp::world::AccessRule::Public),
		Some(("pass", world)) => {
			Ok(lp::world::AccessRule::WorldPass(world.parse().map_err(|_| format!("`{text}`: the world is a number; {fix}"))?))
		},
		Some(("contract", address)) => Ok(lp::world::AccessRule::Contract(keys::account(address)?)),
		_ => Err(format!("`{text}` is not an access rule: {fix}")),
	}
}

pub fn model_format(text: &str) -> Result<lp::world::ModelFormat, Fail> {
	match text.to_ascii_lowercase().as_str() {
		"glb" => Ok(lp::world::ModelFormat::Glb),
		"gltf" => Ok(lp::world::ModelFormat::Gltf),
		"texture" | "png" | "jpg" | "jpeg" | "ktx2" => Ok(lp::world::ModelFormat::Texture),
		"other" => Ok(lp::world::ModelFormat::Other),
		_ => Err(format!("`{text}` is not a model format: write glb, gltf, texture or other")),
	}
}

fn triple(text: &str, what: &str) -> Result<[f64; 3], Fail> {
	let parts: Vec<&str> = text.split(',').map(str::trim).collect();
	let numbers: Result<Vec<f64>, _> = parts.iter().map(|p| p.parse::<f64>()).collect();
	match numbers {
		Ok(n) if n.len() == 3 && n.iter().all(|x| x.is_finite()) => Ok([n[0], n[1], n[2]]),
		Ok(n) if n.len() == 1 && what == "scale" && n[0].is_finite() => Ok([n[0]; 3]),
		_ => Err(format!("`{text}` is not a {what}: write three numbers, e.g. 8,0,8")),
	}
}

/// A transform from metres, degrees and factors, checked as the chain checks it.
pub fn transform(p: &Placement) -> Result<lp::world::Transform, Fail> {
	let [x, y, z] = triple(&p.at, "position")?;
	let rot = triple(&p.rot, "rotation")?;
	let scale = triple(&p.scale, "scale")?;
	let t = landmesh_primitives::world::Transform {
		position_mm: [x, y, z].map(|m| (m * 1000.0).round() as i32),
		rotation_millideg: rot.map(|d| (d * 1000.0).round() as i32),
		scale_permille: scale.map(|s| (s * 1000.0).round().max(0.0) as u32),
	};
	t.check().map_err(|e| format!("the placement is off: {e:?} (a parcel is {} m wide; rotations within ±180°; scale above 0)", landmesh_primitives::world::PARCEL_SIDE_MM / 1000))?;
	Ok(lp::world::Transform { position_mm: t.position_mm, rotation_millideg: t.rotation_millideg, scale_permille: t.scale_permille })
}

async fn account(g: &Global, out: Output, who: Option<String>) -> Result<(), Fail> {
	let who = match who {
		Some(w) => keys::account(&w)?,
		None => keys::account_of(&key(g)?),
	};
	let chain = connect(g).await?;
	let at = chain.at_best().await.map_err(|e| e.to_string())?;
	let info = at
		.storage()
		.fetch(api::storage().system().account(), (who.clone(),))
		.await
		.map_err(|e| e.to_string())?
		.decode()
		.map_err(|e| e.to_string())?;
	let next = chain.next_nonce(&who).await.map_err(|e| e.to_string())?;
	out.result(
		|| {
			format!(
				"{who}\n  free      {}\n  reserved  {}\n  frozen    {}\n  nonce     {next}",
				units::format_amount(info.data.free),
				units::format_amount(info.data.reserved),
				units::format_amount(info.data.frozen)
			)
		},
		json!({
			"account": who.to_string(),
			"free": info.data.free.to_string(),
			"reserved": info.data.reserved.to_string(),
			"frozen": info.data.frozen.to_string(),
			"nonce": next,
		}),
	);
	Ok(())
}

fn cell(text: &str, what: &str, sep: char) -> Result<(u32, u32), Fail> {
	let fix = if sep == ',' { "x,y, e.g. 0,0" } else { "WxH, e.g. 8x4" };
	let (a, b) = text.split_once(sep).ok_or_else(|| format!("`{text}` is not a {what}: write {fix}"))?;
	let n = |s: &str| s.trim().parse::<u32>().map_err(|_| format!("`{text}` is not a {what}: write {fix}"));
	Ok((n(a)?, n(b)?))
}

async fn world_show(g: &Global, out: Output, world: u32, at: &str, size: Option<&str>) -> Result<(), Fail> {
	let (x, y) = cell(at, "cell", ',')?;
	let (w, h) = cell(size.unwrap_or("8x8"), "size", 'x')?;
	let chain = connect(g).await?;
	let scene = chain
		.call("landmesh_modelsInRegion", vec![json!({ "world": world, "x": x, "y": y, "width": w, "height": h })])
		.await
		.map_err(|e| e.to_string())?;
	let models = scene["models"].as_array().cloned().unwrap_or_default();
	let model_of = |id: &Value| models.iter().find(|m| &m["id"] == id).cloned().unwrap_or(Value::Null);
	let mut rows = Vec::new();
	for p in scene["parcels"].as_array().into_iter().flatten() {
		let parcel = &p["parcel"];
		let price = match parcel["price"].as_str().and_then(|s| s.parse::<u128>().ok()) {
			Some(price) => units::format_amount(price),
			None => "-".into(),
		};
		let placed: Vec<String> = p["placements"]
			.as_array()
			.into_iter()
			.flatten()
			.map(|pl| {
				let m = model_of(&pl["model"]);
				format!("#{} {} (model {})", pl["placement"], m["name"].as_str().unwrap_or("?"), pl["model"])
			})
			.collect();
		rows.push(vec![
			parcel["id"].to_string(),
			format!("{},{}", parcel["x"], parcel["y"]),
			short(parcel["owner"].as_str().unwrap_or("")),
			price,
			placed.join(", "),
		]);
	}
	let count = rows.len();
	out.result(
		|| {
			format!(
				"world {world}, {w}x{h} cells from {x},{y}: {count} parcels, {} models\n{}",
				models.len(),
				table(&["parcel", "cell", "owner", "for sale", "models"], rows)
			)
		},
		scene.clone(),
	);
	Ok(())
}

/// An address cut for a table: `5Grwva…utQY`.
fn short(address: &str) -> String {
	if address.len() > 12 {
		format!("{}…{}", &address[..6], &address[address.len() - 4..])
	} else {
		address.to_string()
	}
}

async fn parcel(g: &Global, out: Output, c: ParcelCommand) -> Result<(), Fail> {
	let (chain, key) = signer(g).await?;
	match c {
		ParcelCommand::Buy { parcel, max_price } => {
			let max = match max_price {
				Some(p) => units::parse_amount(&p)?,
				None => {
					let at = chain.at_best().await.map_err(|e| e.to_string())?;
					let listing = at
						.storage()
						.try_fetch(api::storage().land().listings(), (parcel,))
						.await
						.map_err(|e| e.to_string())?
						.ok_or_else(|| format!("parcel {parcel} is not for sale (see `landmesh world show`)"))?
						.decode()
						.map_err(|e| e.to_string())?;
					listing.price
				},
			};
			let landed = submit(&chain, &api::tx().land().buy_parcel(parcel, max), &key, g).await?;
			let sold: api::land::events::ParcelSold = event(&landed, "ParcelSold")?;
			out.result(
				|| format!("bought parcel {parcel} for {} {}", units::format_amount(sold.price), landed_line(&landed)),
				json!({ "parcel": parcel, "price": sold.price.to_string(), "block": block_json(&landed) }),
			);
		},
		ParcelCommand::List { parcel, price } => {
			let price = units::parse_amount(&price)?;
			let landed = submit(&chain, &api::tx().land().list_parcel(parcel, price), &key, g).await?;
			out.result(
				|| format!("parcel {parcel} is for sale at {} {}", units::format_amount(price), landed_line(&landed)),
				json!({ "parcel": parcel, "price": price.to_string(), "block": block_json(&landed) }),
			);
		},
		ParcelCommand::Unlist { parcel } => {
			let landed = submit(&chain, &api::tx().land().unlist_parcel(parcel), &key, g).await?;
			out.result(
				|| format!("parcel {parcel} is off sale {}", landed_line(&landed)),
				json!({ "parcel": parcel, "block": block_json(&landed) }),
			);
		},
	}
	Ok(())
}

async fn planet(g: &Global, out: Output, c: PlanetCommand) -> Result<(), Fail> {
	let (chain, key) = signer(g).await?;
	match c {
		PlanetCommand::Create { width, height } => {
			let landed = submit(&chain, &api::tx().land().create_planet(width, height), &key, g).await?;
			let created: api::land::events::PlanetCreated = event(&landed, "PlanetCreated")?;
			out.result(
				|| format!("planet {} ({width}x{height}) created {}", created.world, landed_line(&landed)),
				json!({ "world": created.world, "block": block_json(&landed) }),
			);
		},
		PlanetCommand::Fee { world, fee } => {
			let fee = units::parse_amount(&fee)?;
			let landed = submit(&chain, &api::tx().land().set_entrance_fee(world, fee), &key, g).await?;
			out.result(
				|| format!("planet {world}'s entrance fee is {} {}", units::format_amount(fee), landed_line(&landed)),
				json!({ "world": world, "fee": fee.to_string(), "block": block_json(&landed) }),
			);
		},
		PlanetCommand::Enter { world, max_fee } => {
			let max = match max_fee {
				Some(f) => units::parse_amount(&f)?,
				None => {
					let w = chain.call("landmesh_world", vec![json!(world)]).await.map_err(|e| e.to_string())?;
					if w.is_null() {
						return Err(format!("there is no world {world}"));
					}
					w["entranceFee"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
				},
			};
			let landed = submit(&chain, &api::tx().land().enter(world, max), &key, g).await?;
			let entered: api::land::events::Entered = event(&landed, "Entered")?;
			out.result(
				|| {
					format!(
						"entered planet {world} for {}, pass valid until block #{} {}",
						units::format_amount(entered.fee),
						entered.until,
						landed_line(&landed)
					)
				},
				json!({ "world": world, "fee": entered.fee.to_string(), "until": entered.until, "block": block_json(&landed) }),
			);
		},
	}
	Ok(())
}

/// A model's view from the node (`landmesh_model`).
pub async fn model_view(chain: &Chain, model: u32) -> Result<Value, Fail> {
	let view = chain.call("landmesh_model", vec![json!(model)]).await.map_err(|e| e.to_string())?;
	if view.is_null() {
		return Err(format!("there is no model {model}"));
	}
	Ok(view)
}

async fn model(g: &Global, out: Output, c: ModelCommand) -> Result<(), Fail> {
	if let ModelCommand::Show { model } = c {
		let chain = connect(g).await?;
		let view = model_view(&chain, model).await?;
		out.result(|| describe_model(&view), view.clone());
		return Ok(());
	}
	let (chain, key) = signer(g).await?;
	match c {
		ModelCommand::Show { .. } => {},
		ModelCommand::Mint { content_id, size, name, format, access } => {
			let content = parse_content_id(&content_id)?;
			let size = units::parse_size(&size)?;
			let model = journey::mint(&chain, &key, g, content, size, &name, model_format(&format)?, access_rule(&access)?).await?;
			out.result(
				|| format!("minted model {} ({}) {}", model.0, name, landed_line(&model.1)),
				json!({ "model": model.0, "block": block_json(&model.1) }),
			);
		},
		ModelCommand::Place { model, parcel, placement } => {
			let t = transform(&placement)?;
			let landed = submit(&chain, &api::tx().models().place_model(parcel, model, t), &key, g).await?;
			let placed: api::models::events::ModelPlaced = event(&landed, "ModelPlaced")?;
			out.result(
				|| format!("placed model {model} on parcel {parcel} as placement {} {}", placed.placement, landed_line(&landed)),
				json!({ "model": model, "parcel": parcel, "placement": placed.placement, "block": block_json(&landed) }),
			);
		},
		ModelCommand::Move { parcel, placement_id, placement } => {
			let t = transform(&placement)?;
			let landed = submit(&chain, &api::tx().models().move_model(parcel, placement_id, t), &key, g).await?;
			out.result(
				|| format!("moved placement {placement_id} on parcel {parcel} {}", landed_line(&landed)),
				json!({ "parcel": parcel, "placement": placement_id, "block": block_json(&landed) }),
			);
		},
		ModelCommand::Remove { parcel, placement_id } => {
			let landed = submit(&chain, &api::tx().models().remove_model(parcel, placement_id), &key, g).await?;
			out.result(
				|| format!("removed placement {placement_id} from parcel {parcel} {}", landed_line(&landed)),
				json!({ "parcel": parcel, "placement": placement_id, "block": block_json(&landed) }),
			);
		},
		ModelCommand::Access { model, rule } => {
			let landed = submit(&chain, &api::tx().models().set_access(model, access_rule(&rule)?), &key, g).await?;
			out.result(
				|| format!("model {model} is now {rule} {}", landed_line(&landed)),
				json!({ "model": model, "access": rule, "block": block_json(&landed) }),
			);
		},
		ModelCommand::Burn { model } => {
			let landed = submit(&chain, &api::tx().models().burn_model(model), &key, g).await?;
			let burned: api::models::events::ModelBurned = event(&landed, "ModelBurned")?;
			out.result(
				|| format!("burned model {model} ({} placements removed) {}", burned.instances_removed, landed_line(&landed)),
				json!({ "model": model, "placementsRemoved": burned.instances_removed, "block": block_json(&landed) }),
			);
		},
	}
	Ok(())
}

fn describe_model(view: &Value) -> String {
	let storage = &view["storage"];
	format!(
		"model {} \"{}\" ({})\n  owner     {}\n  content   {} ({})\n  access    {}\n  storage   {} orders, {} of {} replicas live, stored until block #{}, last proven {}",
		view["id"],
		view["name"].as_str().unwrap_or(""),
		view["format"].as_str().unwrap_or(""),
		view["owner"].as_str().unwrap_or(""),
		view["contentId"].as_str().unwrap_or(""),
		units::format_size(view["size"].as_u64().unwrap_or(0)),
		match &view["access"] {
			Value::String(s) => s.clone(),
			other => other.to_string(),
		},
		storage["orders"].as_array().map_or(0, |o| o.len()),
		storage["liveReplicas"],
		storage["replicas"],
		storage["storedUntil"],
		match &storage["lastProven"] {
			Value::Null => "never".to_string(),
			b => format!("at block #{b}"),
		},
	)
}

/// The content and, for `model:<id>`, the model a target names: a magnet, a content id
/// or `model:<id>`. Also the name a download is written to.
pub async fn resolve(chain: Option<&Chain>, target: &str) -> Result<(ContentId, Option<Value>, String), Fail> {
	if let Some(id) = model_id(target) {
		let id = id?;
		let chain = chain.ok_or("a model is looked up on the chain: the node is needed (--node)")?;
		let view = model_view(chain, id).await?;
		let content = parse_content_id(view["contentId"].as_str().unwrap_or(""))?;
		let name = view["name"].as_str().unwrap_or("model").to_string();
		return Ok((content, Some(view), name));
	}
	if target.starts_with("magnet:") {
		let magnet: landmesh_mesh::Magnet = target.parse().map_err(|e| format!("`{target}` is not a Landmesh magnet: {e}"))?;
		let name = magnet.name.clone().unwrap_or_else(|| magnet.root.to_hex());
		return Ok((magnet.root, None, name));
	}
	let content = parse_content_id(target)?;
	Ok((content, None, content.to_hex()))
}

async fn get(g: &Global, out: Output, target: &str, output: Option<PathBuf>, only: bool, force: bool) -> Result<(), Fail> {
	// The chain is asked where the content is kept, for gated contents and for receipts;
	// a content id alone is fetched from the gateways given even with the node down.
	let key = if g.suri.is_some() || g.key_file.is_some() { Some(key(g)?) } else { None };
	let chain = match Chain::connect(&g.node).await {
		Ok(c) => Some(c),
		Err(e) if target.starts_with("model:") || key.is_some() => return Err(e.to_string()),
		Err(_) => None,
	};
	let (content, model, name) = resolve(chain.as_ref(), target).await?;
	let output = output.unwrap_or_else(|| PathBuf::from(sanitize(&name)));
	if output.exists() && !force {
		return Err(format!("{} exists: choose another name with -o, or pass --force to replace it", output.display()));
	}
	let mut sizes: Vec<u64> = model.as_ref().and_then(|m| m["size"].as_u64()).into_iter().collect();
	if let Ok(magnet) = target.parse::<landmesh_mesh::Magnet>() {
		sizes.extend(magnet.size);
	}
	let mut sources: Vec<Gateway> = g.gateway.iter().map(|b| Gateway::new(b)).collect();
	if let Some(chain) = chain.as_ref().filter(|_| !only) {
		for base in keeper_gateways(chain, &content).await {
			if !sources.iter().any(|s| s.base == base.trim_end_matches('/')) {
				sources.push(Gateway::new(&base));
			}
		}
	}
	// A signature opens a gated content for ten minutes to whoever holds it: it is sent
	// only when the content is gated (its model says so, or a gateway asks for one).
	let gated = match &model {
		Some(m) => m["access"] != json!("Public"),
		None => match sources.first() {
			Some(s) => matches!(s.size(&content, None).await, Err(e) if e.status == Some(hyper::StatusCode::UNAUTHORIZED)),
			None => false,
		},
	};
	let signed = match (&chain, &key, gated) {
		(Some(chain), Some(key), true) => Some(fetch_credentials(chain, key, &content)),
		(_, None, true) => return Err("this content is gated: set LANDMESH_SURI (or --key-file) to an account its rule admits".into()),
		_ => None,
	};
	let bar = out.bar(0, "get");
	let shown = bar.clone();
	let report = fetch::get(&sources, content, &sizes, signed, &output, move |done, total| {
		shown.set_length(total);
		shown.set_position(done);
	})
	.await?;
	bar.finish_and_clear();
	let receipts = match (&chain, &key) {
		(Some(chain), Some(key)) => journey::send_receipts(chain, key, &report).await,
		_ => Vec::new(),
	};
	let served: Vec<Value> = report.served.iter().map(|(s, n)| json!({ "gateway": s, "bytes": n })).collect();
	let refused: Vec<Value> =
		report.refused.iter().map(|(s, a, b)| json!({ "gateway": s, "from": a, "to": b })).collect();
	out.result(
		|| {
			let mut text = format!(
				"{} ({}) verified against {} into {}\n",
				name,
				units::format_size(report.size),
				content.to_hex(),
				output.display()
			);
			if report.resumed > 0 {
				text.push_str(&format!("  resumed from {} already verified\n", units::format_size(report.resumed)));
			}
			for (s, n) in &report.served {
				text.push_str(&format!("  {} from {s}\n", units::format_size(*n)));
			}
			for (s, a, b) in &report.refused {
				text.push_str(&format!("  refused bytes {a}..{b} from {s}: they do not match the content id\n"));
			}
			for r in &receipts {
				text.push_str(&format!("  receipt: {r}\n"));
			}
			text
		},
		json!({
			"contentId": content.to_hex(),
			"size": report.size,
			"output": output.display().to_string(),
			"resumed": report.resumed,
			"served": served,
			"refused": refused,
			"receipts": receipts,
		}),
	);
	Ok(())
}

/// A name safe to write in the current directory.
fn sanitize(name: &str) -> String {
	let clean: String = name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
	match clean.trim_start_matches('.') {
		"" => "content".into(),
		rest => rest.to_string(),
	}
}

/// The gateways of the miners keeping `content`, from the chain.
pub async fn keeper_gateways(chain: &Chain, content: &ContentId) -> Vec<String> {
	let Ok(orders) = chain.call("landmesh_contentStatus", vec![json!(content.to_hex())]).await else { return Vec::new() };
	let mut gateways = Vec::new();
	for o in orders.as_array().into_iter().flatten() {
		for h in o["holders"].as_array().into_iter().flatten() {
			if let Some(gw) = h["gateway"].as_str().filter(|g| !g.is_empty() && h["confirmed"] == true) {
				if !gateways.iter().any(|g: &String| g == gw) {
					gateways.push(gw.to_string());
				}
			}
		}
	}
	gateways
}

/// The signed headers that open a gated content for `key` for ten minutes.
pub fn fetch_credentials(chain: &Chain, key: &Keypair, content: &ContentId) -> Signed {
	let expires = journey::now() + 600;
	let message = landmesh_mesh::directory::Credentials::message(&chain.genesis_hex(), content, expires);
	Signed { account: keys::account_of(key).to_string(), expires, signature: keys::sign_hex(key, message.as_bytes()) }
}

async fn store(g: &Global, out: Output, c: StoreCommand) -> Result<(), Fail> {
	match c {
		StoreCommand::Status { target } => {
			let chain = connect(g).await?;
			let (content, model, _) = resolve(Some(&chain), &target).await?;
			let orders = chain.call("landmesh_contentStatus", vec![json!(content.to_hex())]).await.map_err(|e| e.to_string())?;
			let mut rows = Vec::new();
			for o in orders.as_array().into_iter().flatten() {
				for h in o["holders"].as_array().into_iter().flatten() {
					rows.push(vec![
						o["id"].to_string(),
						short(h["miner"].as_str().unwrap_or("")),
						if h["confirmed"] == true { "confirmed".into() } else { "assigned".into() },
						h["gateway"].as_str().unwrap_or("").to_string(),
						format!("#{}", o["end"]),
						match &h["lastProven"] {
							Value::Null => "never".into(),
							b => format!("#{b}"),
						},
					]);
				}
				if o["holders"].as_array().is_none_or(|h| h.is_empty()) {
					rows.push(vec![o["id"].to_string(), "-".into(), "unplaced".into(), "".into(), format!("#{}", o["end"]), "".into()]);
				}
			}
			let count = orders.as_array().map_or(0, |o| o.len());
			out.result(
				|| {
					format!(
						"{}{}: {count} orders\n{}",
						model.as_ref().map(|m| format!("model {} ", m["id"])).unwrap_or_default(),
						content.to_hex(),
						table(&["order", "miner", "replica", "gateway", "paid until", "last proven"], rows)
					)
				},
				json!({ "contentId": content.to_hex(), "orders": orders }),
			);
		},
		StoreCommand::Order { target, replicas, days, size } => {
			let (chain, key) = signer(g).await?;
			if let Some(model) = model_id(&target) {
				let model = model?;
				let (order, landed) = journey::order_model(&chain, &key, g, model, replicas, days).await?;
				out.result(
					|| format!("order {order}: {replicas} replicas of model {model} for {days} days {}", landed_line(&landed)),
					json!({ "order": order, "model": model, "replicas": replicas, "days": days, "block": block_json(&landed) }),
				);
			} else {
				let content = parse_content_id(&target)?;
				let size = units::parse_size(size.as_deref().ok_or("an order for a content id needs --size (or order model:<id>)")?)?;
				let call = api::tx().storage().place_order(lp::content::ContentId(content.0), size, replicas, days);
				let landed = submit(&chain, &call, &key, g).await?;
				let placed: api::storage::events::OrderPlaced = event(&landed, "OrderPlaced")?;
				out.result(
					|| format!("order {}: {replicas} replicas for {days} days {}", placed.order, landed_line(&landed)),
					json!({ "order": placed.order, "replicas": replicas, "days": days, "block": block_json(&landed) }),
				);
			}
		},
		StoreCommand::Renew { order, days } => {
			let (chain, key) = signer(g).await?;
			let landed = submit(&chain, &api::tx().storage().renew(order, days), &key, g).await?;
			let renewed: api::storage::events::Renewed = event(&landed, "Renewed")?;
			out.result(
				|| {
					format!(
						"order {order} renewed until block #{} for {} {}",
						renewed.end,
						units::format_amount(renewed.cost),
						landed_line(&landed)
					)
				},
				json!({ "order": order, "end": renewed.end, "cost": renewed.cost.to_string(), "block": block_json(&landed) }),
			);
		},
		StoreCommand::Cancel { order } => {
			let (chain, key) = signer(g).await?;
			let landed = submit(&chain, &api::tx().storage().cancel(order), &key, g).await?;
			let closed: api::storage::events::Closed = event(&landed, "Closed")?;
			out.result(
				|| format!("order {order} cancelled, {} refunded {}", units::format_amount(closed.refund), landed_line(&landed)),
				json!({ "order": order, "refund": closed.refund.to_string(), "block": block_json(&landed) }),
			);
		},
	}
	Ok(())
}

async fn miner(g: &Global, out: Output, c: MinerCommand) -> Result<(), Fail> {
	match c {
		MinerCommand::Status { who } => {
			let who = match who {
				Some(w) => keys::account(&w)?,
				None => keys::account_of(&key(g)?),
			};
			let chain = connect(g).await?;
			let view = chain.call("landmesh_miner", vec![json!(who.to_string())]).await.map_err(|e| e.to_string())?;
			if view.is_null() {
				return Err(format!("{who} is not a registered miner (register with `landmesh miner register --capacity 1TiB`)"));
			}
			let challenges = chain.call("landmesh_challenges", vec![json!(who.to_string())]).await.map_err(|e| e.to_string())?;
			let at = chain.at_best().await.map_err(|e| e.to_string())?;
			let due = at
				.storage()
				.try_fetch(api::storage().rewards().claimable(), (who.clone(),))
				.await
				.ok()
				.flatten()
				.and_then(|v| v.decode().ok())
				.unwrap_or(0u128);
			let open = challenges.as_array().map_or(0, |c| c.len());
			out.result(
				|| {
					format!(
						"miner {who}\n  capacity   {}\n  committed  {} ({} confirmed)\n  sectors    {} ({} unsealed) of {}\n  stake      {}\n  challenges {open} open\n  rewards    {} due\n  gateway    {}",
						units::format_size(view["capacity"].as_u64().unwrap_or(0)),
						units::format_size(view["committed"].as_u64().unwrap_or(0)),
						units::format_size(view["confirmed"].as_u64().unwrap_or(0)),
						view["sectors"],
						view["unsealed"],
						units::format_size(view["sectorSize"].as_u64().unwrap_or(0)),
						units::format_amount(view["stake"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)),
						units::format_amount(due),
						view["gateway"].as_str().unwrap_or(""),
					)
				},
				json!({ "miner": who.to_string(), "view": view, "openChallenges": challenges, "rewardsDue": due.to_string() }),
			);
		},
		MinerCommand::Register { capacity, region, public_gateway } => {
			let capacity = units::parse_size(&capacity)?;
			let (chain, key) = signer(g).await?;
			let base = g.gateway.first().cloned().unwrap_or_default();
			let node = journey::node_identity(&Gateway::new(&base)).await?;
			// Loopback addresses reach no one else: registered only for a node on loopback
			// (a dev chain).
			let local = ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| base.contains(h));
			let node = (node.0, node.1.into_iter().filter(|a| local || !(a.starts_with("/ip4/127.") || a.starts_with("/ip6/::1/"))).collect::<Vec<_>>());
			let gateway = public_gateway.unwrap_or(base);
			let text = |s: &str| api::runtime_types::bounded_collections::bounded_vec::BoundedVec(s.as_bytes().to_vec());
			let endpoints = api::runtime_types::pallet_miners::types::Endpoints {
				peer_id: text(&node.0),
				multiaddrs: api::runtime_types::bounded_collections::bounded_vec::BoundedVec(
					node.1.iter().take(8).map(|a| text(a)).collect(),
				),
				gateway: text(&gateway),
				region: text(&region),
			};
			let landed = submit(&chain, &api::tx().miners().register(capacity, endpoints), &key, g).await?;
			out.result(
				|| {
					format!(
						"registered {} as a miner of {} (mesh peer {}, gateway {gateway}) {}\nstart its node with --miner and the same key (landmesh-node key insert --key-type lmsh)",
						keys::account_of(&key),
						units::format_size(capacity),
						node.0,
						landed_line(&landed)
					)
				},
				json!({ "miner": keys::account_of(&key).to_string(), "capacity": capacity, "peerId": node.0, "multiaddrs": node.1, "gateway": gateway, "block": block_json(&landed) }),
			);
		},
		MinerCommand::Claim => {
			let (chain, key) = signer(g).await?;
			let landed = submit(&chain, &api::tx().rewards().claim(), &key, g).await?;
			out.result(|| format!("claimed {}", landed_line(&landed)), json!({ "block": block_json(&landed) }));
		},
		MinerCommand::Exit => {
			let (chain, key) = signer(g).await?;
			let landed = submit(&chain, &api::tx().miners().exit(), &key, g).await?;
			out.result(
				|| format!("leaving: replicas are moved off, then `landmesh miner withdraw` {}", landed_line(&landed)),
				json!({ "block": block_json(&landed) }),
			);
		},
		MinerCommand::Withdraw => {
			let (chain, key) = signer(g).await?;
			let landed = submit(&chain, &api::tx().miners().withdraw(), &key, g).await?;
			out.result(|| format!("stake withdrawn {}", landed_line(&landed)), json!({ "block": block_json(&landed) }));
		},
	}
	Ok(())
}

async fn client(g: &Global, out: Output, c: ClientCommand) -> Result<(), Fail> {
	let (chain, key) = signer(g).await?;
	let (landed, what) = match c {
		ClientCommand::Register => (submit(&chain, &api::tx().rewards().register_client(), &key, g).await?, "deposit held: your receipts count from the next era"),
		ClientCommand::Unregister => (submit(&chain, &api::tx().rewards().unregister_client(), &key, g).await?, "deposit unbonding"),
		ClientCommand::Withdraw => (submit(&chain, &api::tx().rewards().withdraw_client(), &key, g).await?, "deposit withdrawn"),
	};
	out.result(|| format!("{what} {}", landed_line(&landed)), json!({ "block": block_json(&landed) }));
	Ok(())
}
