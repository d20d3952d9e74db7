//! The chain, through subxt with types generated from the runtime's metadata: one
//! connection, transactions that wait for their block and say what they did, errors by
//! name, and the node's `landmesh_*` JSON-RPC queries.

use serde_json::Value;
use std::{fmt, time::Duration};
use subxt::{
	config::{Config, DefaultExtrinsicParamsBuilder, DefaultTransactionExtensions, HashFor, RpcConfigFor, SubstrateConfig},
	error::{DispatchError, TransactionEventsError},
	rpcs::{client::RpcParams, LegacyRpcMethods, RpcClient},
	transactions::TransactionStatus,
	OnlineClient,
};
use subxt_signer::sr25519::Keypair;

/// The types of the runtime, generated from its metadata at build time.
#[subxt::subxt(runtime_metadata_path = "metadata/landmesh.scale", derive_for_all_types = "Clone")]
pub mod api {}

// The metadata file is not tracked by the macro: a change to it rebuilds this crate.
const _: &[u8] = include_bytes!("../metadata/landmesh.scale");

/// Landmesh's transaction and address types: Substrate's, with a `MultiAddress` that has
/// no account index (`()`), as the runtime's `Address`.
#[derive(Debug, Clone, Default)]
pub struct LandmeshConfig(SubstrateConfig);

impl Config for LandmeshConfig {
	type AccountId = <SubstrateConfig as Config>::AccountId;
	type Address = subxt::utils::MultiAddress<Self::AccountId, ()>;
	type Signature = <SubstrateConfig as Config>::Signature;
	type Hasher = <SubstrateConfig as Config>::Hasher;
	type Header = <SubstrateConfig as Config>::Header;
	type AssetId = u32;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}
	fn metadata_for_spec_version(&self, version: u32) -> Option<subxt::ArcMetadata> {
		self.0.metadata_for_spec_version(version)
	}
	fn set_metadata_for_spec_version(&self, version: u32, metadata: subxt::ArcMetadata) {
		self.0.set_metadata_for_spec_version(version, metadata)
	}
}

/// An account on the chain.
pub type AccountId = subxt::utils::AccountId32;
/// A block hash.
pub type Hash = HashFor<LandmeshConfig>;

/// Why a chain operation failed, said so that a person knows what to do.
#[derive(Debug)]
pub enum ChainError {
	/// The node could not be reached.
	Unreachable(String, String),
	/// The transaction was dispatched and failed: pallet, error and its documentation.
	Dispatch { pallet: String, error: String, docs: String },
	/// Another dispatch failure (bad origin, funds, arithmetic).
	Failed(String),
	/// The pool refused or dropped the transaction.
	Rejected(String),
	/// Anything else from the client or the node.
	Other(String),
}

impl fmt::Display for ChainError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ChainError::Unreachable(url, why) => {
				write!(f, "cannot reach the node at {url}: {why} (is it running? pass --node ws://host:9944 or set LANDMESH_NODE)")
			},
			ChainError::Dispatch { pallet, error, docs } if docs.is_empty() => write!(f, "{pallet}.{error}"),
			ChainError::Dispatch { pallet, error, docs } => write!(f, "{pallet}.{error}: {docs}"),
			ChainError::Failed(why) => write!(f, "the transaction failed: {why}"),
			ChainError::Rejected(why) => write!(f, "the node refused the transaction: {why}"),
			ChainError::Other(why) => f.write_str(why),
		}
	}
}

impl std::error::Error for ChainError {}

fn other(e: impl fmt::Display) -> ChainError {
	ChainError::Other(e.to_string())
}

/// How long a transaction is waited for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wait {
	/// Until it is in a best block.
	InBlock,
	/// Until that block is finalized.
	Finalized,
}

/// A transaction that landed: where, and what it did.
pub struct Landed {
	/// The block it is in.
	pub block: Hash,
	/// The block's number.
	pub number: u64,
	/// Its events (all of them succeeded: a failure is an error).
	pub events: subxt::extrinsics::ExtrinsicEvents<LandmeshConfig>,
}

/// A connection to one node.
pub struct Chain {
	/// The node's URL.
	pub url: String,
	/// The typed client.
	pub client: OnlineClient<LandmeshConfig>,
	/// The raw RPC connection, for the node's own methods.
	pub rpc: RpcClient,
	legacy: LegacyRpcMethods<RpcConfigFor<LandmeshConfig>>,
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> Result<Chain, ChainError> {
		let unreachable = |e: &dyn fmt::Display| ChainError::Unreachable(url.to_string(), e.to_string());
		let rpc = tokio::time::timeout(Duration::from_secs(10), RpcClient::from_insecure_url(url))
			.await
			.map_err(|_| unreachable(&"no answer within 10 s"))?
			.map_err(|e| unreachable(&e))?;
		let client = OnlineClient::<LandmeshConfig>::from_rpc_client(rpc.clone()).await.map_err(|e| unreachable(&e))?;
		let legacy = LegacyRpcMethods::new(rpc.clone());
		Ok(Chain { url: url.to_string(), client, rpc, legacy })
	}

	/// Calls one of the node's JSON-RPC methods by name.
	pub async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, ChainError> {
		let mut p = RpcParams::new();
		for v in params {
			p.push(v).map_err(other)?;
		}
		self.rpc.request(method, p).await.map_err(|e| ChainError::Other(format!("{method}: {e}")))
	}

	/// The genesis hash as hex without `0x`: what off-chain signatures name the chain by.
	pub fn genesis_hex(&self) -> String {
		hex::encode(self.client.genesis_hash().as_ref())
	}

	/// The next nonce of `who`, counting transactions in the pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<u64, ChainError> {
		self.legacy.system_account_next_index(who).await.map_err(other)
	}

	/// The latest best block's hash.
	pub async fn best(&self) -> Result<Hash, ChainError> {
		self.legacy.chain_get_block_hash(None).await.map_err(other)?.ok_or_else(|| other("the node has no best block"))
	}

	/// The best block's number.
	pub async fn best_number(&self) -> Result<u64, ChainError> {
		let header = self.legacy.chain_get_header(None).await.map_err(other)?.ok_or_else(|| other("the node has no best block"))?;
		Ok(u64::from(header.number))
	}

	/// The chain's state at its best block (what a transaction just included sees).
	pub async fn at_best(&self) -> Result<subxt::client::OnlineClientAtBlock<LandmeshConfig>, ChainError> {
		let best = self.best().await?;
		self.client.at_block(best).await.map_err(other)
	}

	/// Signs `call` as `signer`, submits it and waits for it as `wait` says. A dispatch
	/// failure comes back as its pallet's error, by name and documentation.
	pub async fn submit<Call: subxt::transactions::Payload>(
		&self,
		call: &Call,
		signer: &Keypair,
		wait: Wait,
	) -> Result<Landed, ChainError> {
		let me: AccountId = signer.public_key().to_account_id();
		let nonce = self.next_nonce(&me).await?;
		let params = DefaultExtrinsicParamsBuilder::<LandmeshConfig>::new().nonce(nonce).build();
		let mut tx = self.client.tx().await.map_err(other)?;
		let mut progress =
			tx.sign_and_submit_then_watch(call, signer, params).await.map_err(|e| ChainError::Rejected(e.to_string()))?;
		let mut in_block = None;
		while let Some(status) = progress.next().await {
			match status.map_err(other)? {
				TransactionStatus::InBestBlock(b) if wait == Wait::InBlock => {
					in_block = Some(b);
					break;
				},
				TransactionStatus::InFinalizedBlock(b) => {
					in_block = Some(b);
					break;
				},
				TransactionStatus::Error { message } | TransactionStatus::Invalid { message } | TransactionStatus::Dropped { message } => {
					return Err(ChainError::Rejected(message))
				},
				_ => {},
			}
		}
		let in_block = in_block.ok_or_else(|| ChainError::Rejected("the node stopped reporting on the transaction".into()))?;
		let block = in_block.block_hash();
		let events = match in_block.wait_for_success().await {
			Ok(events) => events,
			Err(TransactionEventsError::ExtrinsicFailed(e)) => return Err(dispatch_error(e)),
			Err(e) => return Err(other(e)),
		};
		let number = self
			.legacy
			.chain_get_header(Some(block))
			.await
			.map_err(other)?
			.map(|h| u64::from(h.number))
			.unwrap_or_default();
		Ok(Landed { block, number, events })
	}
}

/// A dispatch error as people read it: `storage.TooManyReplicas: <its doc line>`.
pub fn dispatch_error(e: DispatchError) -> ChainError {
	match e {
		DispatchError::Module(m) => match m.details() {
			Ok(d) => ChainError::Dispatch {
				pallet: lower_first(d.pallet.name()),
				error: d.variant.name.clone(),
				docs: d.variant.docs.join(" ").trim().to_string(),
			},
			Err(_) => ChainError::Failed(format!("module error {:?}", m.bytes())),
		},
		e => ChainError::Failed(e.to_string()),
	}
}

/// `Storage` → `storage`, as calls are written (`storage.placeOrder`, polkadot.js style).
fn lower_first(name: &str) -> String {
	let mut chars = name.chars();
	match chars.next() {
		Some(c) => c.to_lowercase().chain(chars).collect(),
		None => String::new(),
	}
}
