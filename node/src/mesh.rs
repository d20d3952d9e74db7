//! The content mesh inside the node: the store under the base path, the mesh's own
//! libp2p swarm, and the HTTP gateway, started with the node (so `--dev` serves content
//! with nothing to set up).

use crate::{
	miner::Keeper,
	service::{FullClient, OffchainStorage},
};
use landmesh_mesh::{
	gateway::{self, Access, Credentials},
	peers, ContentId, Mesh, Multiaddr, PeerId, Store,
};
use landmesh_primitives::{
	api::{StorageApi, WorldApi},
	miner::KEY_TYPE,
	AccessRule, ModelId, ModelView,
};
use landmesh_runtime::AccountId;
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_keystore::KeystorePtr};
use sc_service::{Configuration, Error as ServiceError, TaskManager};
use std::{net::SocketAddr, sync::Arc};

/// Command-line flags of the content mesh.
#[derive(Debug, Clone, clap::Args)]
pub struct MeshParams {
	/// Port of the HTTP gateway that serves content to browsers (0: any free port).
	#[arg(long, default_value_t = 8080)]
	pub gateway_port: u16,

	/// Serve the gateway on all interfaces (default: localhost only, as the RPC).
	#[arg(long)]
	pub gateway_external: bool,

	/// Port of the mesh's own libp2p swarm, apart from the chain's (0: any free port).
	#[arg(long, default_value_t = 30444)]
	pub mesh_port: u16,

	/// Bytes the content store may use before it evicts unpinned content
	/// (`500MiB`, `10GiB`, `2TiB`, or a number of bytes).
	#[arg(long, default_value = "10GiB", value_parser = parse_bytes)]
	pub storage_limit: u64,

	/// The largest upload the gateway accepts (same units).
	#[arg(long, default_value = "4GiB", value_parser = parse_bytes)]
	pub upload_limit: u64,

	/// Run the node without the content mesh and gateway.
	#[arg(long)]
	pub no_mesh: bool,

	/// Store the replicas the chain assigns to this node's miner and answer its
	/// challenges. The miner's key is the keystore key of type `lmsh` (`landmesh-node key
	/// insert --key-type lmsh --scheme sr25519 --suri <secret>`); on a dev chain
	/// `--alice`, `--bob`, … (and `--dev`, which means Alice) insert it.
	#[arg(long)]
	pub miner: bool,

	/// Pin the models this account owns (SS58), fetching what is missing: the owner's
	/// data is never evicted from this node. May be given several times.
	#[arg(long, value_name = "SS58", value_parser = parse_account)]
	pub link_wallet: Vec<AccountId>,

	/// Mesh peers to join at start (`/ip4/…/tcp/…/p2p/<peer id>`), from which the DHT
	/// finds the rest. May be given several times.
	#[arg(long, value_name = "MULTIADDR", value_parser = parse_peer)]
	pub mesh_bootnodes: Vec<(PeerId, Multiaddr)>,
}

/// Parses an SS58 account.
fn parse_account(text: &str) -> Result<AccountId, String> {
	use polkadot_sdk::sp_core::crypto::Ss58Codec;
	AccountId::from_ss58check(text.trim()).map_err(|e| format!("`{text}` is not an SS58 account ({e:?})"))
}

/// Parses `10GiB`, `500MiB`, `1.5TiB`, `4096` (bytes). Decimal units (`GB`) are
/// accepted as their binary namesakes are not: a storage limit should not surprise.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
	let text = text.trim();
	let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
	let (number, unit) = text.split_at(split);
	let number: f64 = number.parse().map_err(|_| format!("`{text}` is not a size: write e.g. 500MiB, 10GiB or 2TiB"))?;
	let scale = match unit.trim() {
		"" | "B" => 1u64,
		"KiB" => 1 << 10,
		"MiB" => 1 << 20,
		"GiB" => 1 << 30,
		"TiB" => 1 << 40,
		"KB" | "kB" => 1_000,
		"MB" => 1_000_000,
		"GB" => 1_000_000_000,
		"TB" => 1_000_000_000_000,
		other => return Err(format!("unknown unit `{other}` in `{text}`: use B, KiB, MiB, GiB or TiB")),
	};
	Ok((number * scale as f64) as u64)
}

/// The mesh peers this node was told to join at start (`--mesh-bootnodes`).
pub fn parse_peer(text: &str) -> Result<(PeerId, Multiaddr), String> {
	let address: Multiaddr = text.parse().map_err(|e| format!("`{text}` is not a multiaddr: {e}"))?;
	match address.iter().last() {
		Some(landmesh_mesh::Protocol::P2p(peer)) => Ok((peer, address)),
		_ => Err(format!("`{text}` does not end in /p2p/<peer id>: write e.g. /ip4/10.0.0.2/tcp/30444/p2p/12D3KooW…")),
	}
}

/// Opens the store and starts the gateway, the swarm and the keeper (replicas, linked
/// wallets, the miner's proofs) as tasks of the node.
pub fn start(
	config: &Configuration,
	task_manager: &TaskManager,
	params: &MeshParams,
	client: Arc<FullClient>,
	keystore: KeystorePtr,
	offchain: Option<OffchainStorage>,
) -> Result<(), ServiceError> {
	if params.no_mesh {
		if params.miner || !params.link_wallet.is_empty() {
			return Err(ServiceError::Other("--miner and --link-wallet need the content mesh: drop --no-mesh".into()));
		}
		return Ok(());
	}
	let dir = config.base_path.path().join("mesh");
	let fail = |what: &str, e: &dyn std::fmt::Display| ServiceError::Other(format!("content mesh: {what}: {e}"));
	let store = Store::open(&dir.join("store"), params.storage_limit).map_err(|e| fail("cannot open the store", &e))?;
	let keypair = peers::load_or_create_key(&dir.join("node-key")).map_err(|e| fail("cannot load the mesh key", &e))?;

	let listen = format!("/ip4/0.0.0.0/tcp/{}", params.mesh_port).parse().map_err(|e| fail("mesh address", &e))?;
	let mesh = Mesh::start(keypair, listen, store.clone()).map_err(|e| fail("the swarm did not start", &e))?;
	log::info!("🕸  Mesh peer id {}", mesh.peer_id());
	for (peer, address) in &params.mesh_bootnodes {
		let (mesh, peer, address) = (mesh.clone(), *peer, address.clone());
		task_manager.spawn_handle().spawn("mesh-bootnode", Some("mesh"), async move { mesh.add_address(peer, address).await });
	}
	let miner = if params.miner { Some(miner_account(&keystore, config.dev_key_seed.as_deref())?) } else { None };

	let ip = if params.gateway_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
	let listener = std::net::TcpListener::bind(SocketAddr::from((ip, params.gateway_port)))
		.and_then(|l| l.set_nonblocking(true).map(|()| l))
		.and_then(tokio::net::TcpListener::from_std)
		.map_err(|e| fail(&format!("cannot listen on gateway port {} (choose another with --gateway-port)", params.gateway_port), &e))?;
	let addr = listener.local_addr().map_err(|e| fail("gateway address", &e))?;
	log::info!("🌐 Gateway listening on http://{addr}");
	let directory = Arc::new(ChainDirectory::new(client.clone()));
	if miner.is_some() || !params.link_wallet.is_empty() {
		let offchain = offchain.ok_or_else(|| fail("the keeper", &"the database has no off-chain storage"))?;
		let keeper = Keeper {
			client: client.clone(),
			directory: directory.clone(),
			store: store.clone(),
			mesh: mesh.clone(),
			miner,
			wallets: params.link_wallet.clone(),
			offchain,
		};
		task_manager.spawn_handle().spawn("mesh-keeper", Some("mesh"), keeper.run());
	}
	// The gateway holds the mesh handle, which keeps the swarm running with the node.
	let gateway = Arc::new(gateway::Gateway {
		store,
		upload_limit: params.upload_limit,
		mesh: Some(mesh),
		directory: Some(directory),
	});
	task_manager.spawn_handle().spawn("mesh-gateway", Some("mesh"), async move {
		if let Err(e) = gateway::serve(listener, gateway).await {
			log::error!("gateway stopped: {e}");
		}
	});
	Ok(())
}

/// The miner account this node proves for: its keystore's `lmsh` key, inserted from the
/// dev seed (`--dev`, `--alice`, …) on a dev chain.
fn miner_account(keystore: &KeystorePtr, dev_seed: Option<&str>) -> Result<AccountId, ServiceError> {
	if let (Some(seed), true) = (dev_seed, keystore.sr25519_public_keys(KEY_TYPE).is_empty()) {
		keystore
			.sr25519_generate_new(KEY_TYPE, Some(seed))
			.map_err(|e| ServiceError::Other(format!("cannot insert the dev miner key: {e}")))?;
	}
	let key = keystore.sr25519_public_keys(KEY_TYPE).into_iter().next().ok_or_else(|| {
		ServiceError::Other(
			"--miner needs the miner's key in the keystore: run `landmesh-node key insert --key-type lmsh \
			 --scheme sr25519 --suri <the secret of the account registered with miners.register>` \
			 with the same --base-path and --chain"
				.into(),
		)
	})?;
	let account = AccountId::from(key);
	log::info!("⛏  Mining as {account}");
	Ok(account)
}

/// What the chain knows about contents, read at the best block.
pub struct ChainDirectory {
	pub client: Arc<FullClient>,
	/// Access decisions taken at one best block. A browser fetches a model with many range
	/// requests; each would otherwise cost a runtime call (a contract dry-run for
	/// contract-gated models). Exact, not a guess: the answers can only change with a new
	/// best block, which empties it.
	decisions: std::sync::Mutex<Decisions>,
}

#[derive(Default)]
struct Decisions {
	at: landmesh_runtime::Hash,
	may_fetch: std::collections::HashMap<(ModelId, AccountId), bool>,
}

/// Enough for every account fetching in one block's time; beyond it the cache starts over.
const MAX_DECISIONS: usize = 16_384;

impl ChainDirectory {
	pub fn new(client: Arc<FullClient>) -> Self {
		Self { client, decisions: Default::default() }
	}

	/// [`crate::contracts::may_fetch`], remembered until the best block changes.
	fn may_fetch(&self, model: &ModelView<AccountId>, account: &AccountId) -> bool {
		let best = self.client.info().best_hash;
		let key = (model.id, account.clone());
		{
			let mut decisions = self.decisions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			if decisions.at != best || decisions.may_fetch.len() >= MAX_DECISIONS {
				*decisions = Decisions { at: best, may_fetch: Default::default() };
			}
			if let Some(&decision) = decisions.may_fetch.get(&key) {
				return decision;
			}
		}
		// Asked outside the lock: a contract dry-run must not hold up other requests.
		let decision = crate::contracts::may_fetch(&*self.client, model, account);
		let mut decisions = self.decisions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if decisions.at == best {
			decisions.may_fetch.insert(key, decision);
		}
		decision
	}
}

impl gateway::Directory for ChainDirectory {
	/// The miners keeping replicas of `root`, with the mesh addresses they registered
	/// (confirmed holders first: they surely have it).
	fn holders(&self, root: &ContentId) -> Vec<(PeerId, Vec<Multiaddr>)> {
		let best = self.client.info().best_hash;
		let orders = match self.client.runtime_api().content_status(best, *root) {
			Ok(orders) => orders,
			Err(e) => {
				log::warn!(target: "mesh", "cannot read the replicas of {root:?}: {e}");
				return Vec::new();
			},
		};
		let mut holders: Vec<_> = orders.into_iter().flat_map(|o| o.holders).collect();
		holders.sort_by_key(|r| !r.confirmed);
		holders
			.into_iter()
			.filter_map(|r| {
				// Endpoints are free text on chain: skip what does not parse.
				let peer = r.peer_id.parse::<PeerId>().ok()?;
				let addresses = r.multiaddrs.iter().filter_map(|a| a.parse::<Multiaddr>().ok()).collect();
				Some((peer, addresses))
			})
			.collect()
	}

	/// The media type of the model whose data `root` is.
	fn media_type(&self, root: &ContentId) -> Option<String> {
		let best = self.client.info().best_hash;
		let model = self.client.runtime_api().model_of_content(best, *root).ok()??;
		Some(model.format.media_type().into())
	}

	/// A model's data is open if its access rule is `Public` (content that is no model's
	/// is open too); otherwise the request must be signed by an account the rule admits.
	fn access(&self, root: &ContentId, who: Option<&Credentials>) -> Access {
		let best = self.client.info().best_hash;
		let model = match self.client.runtime_api().model_of_content(best, *root) {
			Ok(Some(model)) => model,
			Ok(None) => return Access::Open,
			// Fail closed: a gated model must not leak because the chain could not be read.
			Err(e) => return Access::Denied(format!("cannot read the model's access rule: {e}")),
		};
		if model.access == AccessRule::Public {
			return Access::Open;
		}
		let Some(credentials) = who else {
			return Access::Unauthenticated(format!("model {} is not public: sign the request (see the gateway docs)", model.id));
		};
		let account = match signed_by(root, credentials) {
			Ok(account) => account,
			Err(why) => return Access::Unauthenticated(why),
		};
		if self.may_fetch(&model, &account) {
			Access::Granted
		} else {
			Access::Denied(format!("{account} may not fetch model {}", model.id))
		}
	}
}

/// The account whose valid signature `credentials` carry for `root`. Wallet extensions
/// sign `<Bytes>…</Bytes>`-wrapped text; both forms are accepted.
fn signed_by(root: &ContentId, credentials: &Credentials) -> Result<AccountId, String> {
	use polkadot_sdk::sp_core::{bytes::from_hex, crypto::Ss58Codec, sr25519, Pair};
	let account = AccountId::from_ss58check(&credentials.account)
		.map_err(|e| format!("X-Landmesh-Account `{}` is not an SS58 account ({e:?})", credentials.account))?;
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
	if credentials.expires < now {
		return Err("the signature has expired: sign again with a later X-Landmesh-Expires".into());
	}
	if credentials.expires > now + MAX_SIGNATURE_LIFETIME {
		return Err(format!("X-Landmesh-Expires is more than {MAX_SIGNATURE_LIFETIME} s ahead"));
	}
	let bytes = from_hex(&credentials.signature).map_err(|_| "X-Landmesh-Signature is not hex".to_string())?;
	let signature = sr25519::Signature::try_from(&bytes[..]).map_err(|_| "X-Landmesh-Signature is not 64 bytes".to_string())?;
	let public = sr25519::Public::from(<[u8; 32]>::from(account.clone()));
	let message = Credentials::message(root, credentials.expires);
	let wrapped = format!("<Bytes>{message}</Bytes>");
	if sr25519::Pair::verify(&signature, &message, &public) || sr25519::Pair::verify(&signature, &wrapped, &public) {
		Ok(account)
	} else {
		Err(format!("the signature is not {account}'s over `{message}`"))
	}
}

/// The longest a fetch signature may be valid for: a leaked one stops working soon.
pub const MAX_SIGNATURE_LIFETIME: u64 = 24 * 3600;

#[cfg(test)]
mod tests {
	use super::parse_bytes;

	#[test]
	fn sizes() {
		assert_eq!(parse_bytes("4096"), Ok(4096));
		assert_eq!(parse_bytes("10GiB"), Ok(10 << 30));
		assert_eq!(parse_bytes("1.5TiB"), Ok(3 << 39));
		assert_eq!(parse_bytes("500 MiB"), Ok(500 << 20));
		assert_eq!(parse_bytes("2GB"), Ok(2_000_000_000));
		assert!(parse_bytes("ten").unwrap_err().contains("10GiB"));
		assert!(parse_bytes("5XB").unwrap_err().contains("unknown unit"));
	}
}
