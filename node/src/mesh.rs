//! The content mesh inside the node: the store under the base path, the mesh's own
//! libp2p swarm, and the HTTP gateway, started with the node (so `--dev` serves content
//! with nothing to set up).

use crate::{
	client::{FullClient, OffchainStorage},
	directory::{ChainDirectory, Uploaders},
	miner::Keeper,
};
use landmesh_mesh::{gateway, peers, Mesh, Multiaddr, PeerId, Store};
use landmesh_primitives::miner::KEY_TYPE;
use landmesh_runtime::AccountId;
use polkadot_sdk::sp_keystore::KeystorePtr;
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

	/// Let this account (SS58) upload to the gateway, besides the linked wallets. May be
	/// given several times. Uploads are always signed (see the gateway docs).
	#[arg(long, value_name = "SS58", value_parser = parse_account)]
	pub upload_allow: Vec<AccountId>,

	/// Let any account that signs its request upload (on by default on a dev chain).
	#[arg(long)]
	pub open_uploads: bool,

	/// Bytes one account may keep uploaded on this node (same units as --storage-limit).
	#[arg(long, default_value = "1GiB", value_parser = parse_bytes)]
	pub upload_quota: u64,

	/// Run the node without the content mesh and gateway.
	#[arg(long)]
	pub no_mesh: bool,

	/// Store the replicas the chain assigns to this node's miner and answer its
	/// challenges. The miner's key is the keystore key of type `lmsh` (`landmesh-node key
	/// insert --key-type lmsh --scheme sr25519 --suri <secret>`); on a dev chain
	/// `--alice`, `--bob`, … (and `--dev`, which means Alice) insert it.
	#[arg(long)]
	pub miner: bool,

	/// Bytes of filler sectors a `--miner` node seals into its miner's free capacity, the
	/// proof of space for idle bytes (`512MiB`, `2TiB`, …; `0` seals none). Default: all
	/// the free capacity the chain lets the miner fill. Sealing is slow on purpose (about
	/// 1.2 MiB/s on one core) and resumes after a restart.
	#[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
	pub seal_limit: Option<u64>,

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

	// Uploads: the linked wallets and --upload-allow, or any signed account with
	// --open-uploads (and on dev chains, where the dev accounts upload).
	let uploaders = if params.open_uploads || config.chain_spec.chain_type() == sc_service::ChainType::Development {
		Uploaders::AnySigned
	} else {
		Uploaders::Only
	};
	let allowed = params.link_wallet.iter().chain(&params.upload_allow).cloned().collect();
	let miner = if params.miner { Some(miner_account(&keystore, config.dev_key_seed.as_deref())?) } else { None };
	let directory = Arc::new(ChainDirectory::new(client.clone(), uploaders, allowed, miner.clone()));
	let listen = format!("/ip4/0.0.0.0/tcp/{}", params.mesh_port).parse().map_err(|e| fail("mesh address", &e))?;
	// Peers are served what the chain admits them to: gated content only to its miners
	// and to requests signed by an account its rule allows.
	let options = peers::Options { directory: Some(directory.clone()), ..Default::default() };
	let mesh = Mesh::start_with(keypair, listen, store.clone(), options).map_err(|e| fail("the swarm did not start", &e))?;
	log::info!("🕸  Mesh peer id {}", mesh.peer_id());
	for (peer, address) in &params.mesh_bootnodes {
		let (mesh, peer, address) = (mesh.clone(), *peer, address.clone());
		task_manager.spawn_handle().spawn("mesh-bootnode", Some("mesh"), async move { mesh.add_address(peer, address).await });
	}
	let ip = if params.gateway_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
	let listener = std::net::TcpListener::bind(SocketAddr::from((ip, params.gateway_port)))
		.and_then(|l| l.set_nonblocking(true).map(|()| l))
		.and_then(tokio::net::TcpListener::from_std)
		.map_err(|e| fail(&format!("cannot listen on gateway port {} (choose another with --gateway-port)", params.gateway_port), &e))?;
	let addr = listener.local_addr().map_err(|e| fail("gateway address", &e))?;
	log::info!("🌐 Gateway listening on http://{addr}");
	let offchain_for_sealer = offchain.clone().filter(|_| params.seal_limit != Some(0));
	if miner.is_some() || !params.link_wallet.is_empty() {
		let offchain = offchain.ok_or_else(|| fail("the keeper", &"the database has no off-chain storage"))?;
		let keeper = Keeper {
			client: client.clone(),
			directory: directory.clone(),
			store: store.clone(),
			mesh: mesh.clone(),
			miner: miner.clone(),
			wallets: params.link_wallet.clone(),
			offchain,
			seal_dir: dir.join("replicas"),
		};
		task_manager.spawn_handle().spawn("mesh-keeper", Some("mesh"), keeper.run());
	}
	if let (Some(miner), Some(offchain)) = (miner.clone(), offchain_for_sealer) {
		let sealer = crate::sealer::Sealer {
			client: client.clone(),
			store: store.clone(),
			miner,
			offchain,
			dir: dir.join("sectors"),
			limit: params.seal_limit.unwrap_or(u64::MAX),
		};
		// Its own thread: sealing is minutes of CPU, and it ends with the process.
		std::thread::Builder::new()
			.name("sealer".into())
			.spawn(move || sealer.run())
			.map_err(|e| fail("cannot start the sealer", &e))?;
	}
	// The gateway holds the mesh handle, which keeps the swarm running with the node.
	let mut gateway = gateway::Gateway::new(store, params.upload_limit, Some(mesh), Some(directory));
	gateway.max_content = crate::directory::max_content_size();
	gateway.upload_quota = params.upload_quota;
	let gateway = Arc::new(gateway);
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
