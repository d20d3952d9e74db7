//! A small JSON-RPC client over WebSocket for the dev tools: the load generator
//! (`landmesh-load`) and the integration tests. It speaks the standard Substrate methods
//! and decodes storage with the runtime's own types, so it cannot disagree with the chain.

use crate::transactions::{to_hex, ChainIdentity};
use codec::Decode;
use jsonrpsee::{
	core::client::{ClientT, Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use landmesh_runtime::{
	AccountId, Balance, BlockNumber, Hash, Nonce, Runtime, RuntimeEvent, UncheckedExtrinsic,
};
use polkadot_sdk::{
	frame_system::{self, AccountInfo, EventRecord},
	pallet_balances::AccountData,
	sp_core::{bytes::from_hex, crypto::Ss58Codec},
	sp_io::hashing::twox_128,
};
use serde_json::Value;
use std::time::Duration;

/// Any failure of a dev-tool request: transport, RPC error, or an unexpected answer.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A connection to one node's RPC endpoint.
pub struct DevClient {
	ws: WsClient,
}

fn hash_from(v: &Value) -> Result<Hash, Error> {
	let s = v.as_str().ok_or_else(|| format!("expected a hash, got {v}"))?;
	let bytes = from_hex(s)?;
	if bytes.len() != 32 {
		return Err(format!("a hash has 32 bytes, got {}", bytes.len()).into());
	}
	Ok(Hash::from_slice(&bytes))
}

fn number_from(v: &Value) -> Result<BlockNumber, Error> {
	let s = v.as_str().ok_or_else(|| format!("expected a hex number, got {v}"))?;
	Ok(BlockNumber::from_str_radix(s.trim_start_matches("0x"), 16)?)
}

impl DevClient {
	/// Connects to `url` (`ws://127.0.0.1:9944`).
	pub async fn connect(url: &str) -> Result<Self, Error> {
		let ws = WsClientBuilder::default()
			.request_timeout(Duration::from_secs(60))
			.max_concurrent_requests(16_384)
			.build(url)
			.await?;
		Ok(Self { ws })
	}

	/// Calls any JSON-RPC method with positional `params` and decodes the answer (the
	/// `landmesh_*` methods, for instance).
	pub async fn call<T: serde::de::DeserializeOwned>(&self, method: &str, params: Vec<Value>) -> Result<T, Error> {
		let mut array = jsonrpsee::core::params::ArrayParams::new();
		for p in params {
			array.insert(p)?;
		}
		Ok(self.ws.request(method, array).await?)
	}

	/// The chain's genesis hash and the runtime's versions, which every signature commits to.
	pub async fn chain_identity(&self) -> Result<ChainIdentity, Error> {
		let genesis: Value = self.ws.request("chain_getBlockHash", rpc_params![0]).await?;
		let version: Value = self.ws.request("state_getRuntimeVersion", rpc_params![]).await?;
		let field = |name: &str| -> Result<u32, Error> {
			let n = version[name].as_u64().ok_or_else(|| format!("no {name} in {version}"))?;
			Ok(u32::try_from(n)?)
		};
		Ok(ChainIdentity {
			genesis_hash: hash_from(&genesis)?,
			spec_version: field("specVersion")?,
			transaction_version: field("transactionVersion")?,
		})
	}

	/// The next nonce of `who`, counting transactions still in the pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<Nonce, Error> {
		Ok(self.ws.request("system_accountNextIndex", rpc_params![who.to_ss58check()]).await?)
	}

	/// Submits `xt` to the pool; the node's error (bad signature, cannot pay fees, bad
	/// format) comes back as `Err`.
	pub async fn submit(&self, xt: &UncheckedExtrinsic) -> Result<Hash, Error> {
		self.submit_raw(&to_hex(xt)).await
	}

	/// Submits hex-encoded bytes as an extrinsic, whatever they hold.
	pub async fn submit_raw(&self, hex: &str) -> Result<Hash, Error> {
		let hash: Value = self.ws.request("author_submitExtrinsic", rpc_params![hex]).await?;
		hash_from(&hash)
	}

	/// Submits `xt` and follows it through the pool (`ready`, `inBlock`, `finalized`, ...).
	pub async fn submit_and_watch(&self, xt: &UncheckedExtrinsic) -> Result<Subscription<Value>, Error> {
		Ok(self
			.ws
			.subscribe(
				"author_submitAndWatchExtrinsic",
				rpc_params![to_hex(xt)],
				"author_unwatchExtrinsic",
			)
			.await?)
	}

	/// Signs `call` as `signer`, submits it, follows it until its block is finalized and
	/// returns that block's events; `Ok(Err(_))` carries the dispatch error of a call that
	/// was included but failed.
	pub async fn execute(
		&self,
		signer: &polkadot_sdk::sp_core::sr25519::Pair,
		call: landmesh_runtime::RuntimeCall,
		chain: &ChainIdentity,
	) -> Result<Result<Vec<RuntimeEvent>, polkadot_sdk::sp_runtime::DispatchError>, Error> {
		use polkadot_sdk::sp_core::Pair;
		let nonce = self.next_nonce(&signer.public().into()).await?;
		let xt = crate::transactions::sign(signer, call, nonce, chain);
		let mut status = self.submit_and_watch(&xt).await?;
		let mut in_block = None;
		let finalized = loop {
			let Some(update) = tokio::time::timeout(Duration::from_secs(120), status.next())
				.await
				.map_err(|_| "not finalized within 120 s")?
			else {
				return Err("the node stopped reporting the transaction".into());
			};
			let update = update?;
			if let Some(h) = update.get("inBlock") {
				in_block = Some(hash_from(h)?);
			} else if let Some(h) = update.get("finalized") {
				break hash_from(h)?;
			} else if ["invalid", "dropped", "usurped"].iter().any(|k| update.get(k).is_some()) {
				return Err(format!("the transaction left the pool: {update}").into());
			}
		};
		let events: Vec<RuntimeEvent> =
			self.events(in_block.unwrap_or(finalized)).await?.into_iter().map(|r| r.event).collect();
		Ok(match events.iter().find_map(|e| match e {
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => Some(*dispatch_error),
			_ => None,
		}) {
			Some(e) => Err(e),
			None => Ok(events),
		})
	}

	/// The hash of block `number` on the best chain, if it exists.
	pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<Hash>, Error> {
		let v: Value = self.ws.request("chain_getBlockHash", rpc_params![number]).await?;
		if v.is_null() {
			Ok(None)
		} else {
			hash_from(&v).map(Some)
		}
	}

	/// The best block's number.
	pub async fn best_number(&self) -> Result<BlockNumber, Error> {
		let header: Value = self.ws.request("chain_getHeader", rpc_params![]).await?;
		number_from(&header["number"])
	}

	/// The finalized block's hash and number.
	pub async fn finalized(&self) -> Result<(Hash, BlockNumber), Error> {
		let hash: Value = self.ws.request("chain_getFinalizedHead", rpc_params![]).await?;
		let header: Value = self.ws.request("chain_getHeader", rpc_params![hash.clone()]).await?;
		Ok((hash_from(&hash)?, number_from(&header["number"])?))
	}

	/// The number of the block with `hash`.
	pub async fn number_of(&self, hash: Hash) -> Result<BlockNumber, Error> {
		let header: Value = self.ws.request("chain_getHeader", rpc_params![hash]).await?;
		number_from(&header["number"])
	}

	/// The extrinsics of block `hash`, hex-encoded.
	pub async fn block_extrinsics(&self, hash: Hash) -> Result<Vec<String>, Error> {
		let block: Value = self.ws.request("chain_getBlock", rpc_params![hash]).await?;
		let xts = block["block"]["extrinsics"]
			.as_array()
			.ok_or_else(|| format!("no extrinsics in {block}"))?;
		Ok(xts.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
	}

	/// The timestamp (ms) set by block `hash`'s inherent.
	pub async fn timestamp(&self, hash: Hash) -> Result<u64, Error> {
		let key = polkadot_sdk::pallet_timestamp::Now::<Runtime>::hashed_key();
		Ok(self.storage(&key, Some(hash)).await?.unwrap_or(0))
	}

	/// Decodes the storage value at `key` as `T`, at `at` or the best block.
	pub async fn storage<T: Decode>(&self, key: &[u8], at: Option<Hash>) -> Result<Option<T>, Error> {
		let key = polkadot_sdk::sp_core::bytes::to_hex(key, false);
		let v: Value = self.ws.request("state_getStorage", rpc_params![key, at]).await?;
		match v.as_str() {
			None => Ok(None),
			Some(s) => Ok(Some(T::decode(&mut &from_hex(s)?[..])?)),
		}
	}

	/// `who`'s free CYBR at `at` (or the best block); zero for an account that does not exist.
	pub async fn free_balance(&self, who: &AccountId, at: Option<Hash>) -> Result<Balance, Error> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		let info: Option<AccountInfo<Nonce, AccountData<Balance>>> = self.storage(&key, at).await?;
		Ok(info.map(|i| i.data.free).unwrap_or(0))
	}

	/// The events emitted in block `at`.
	pub async fn events(&self, at: Hash) -> Result<Vec<EventRecord<RuntimeEvent, Hash>>, Error> {
		// `frame_system::Events` is not public: its key is the pallet and item name hashes.
		let key = [twox_128(b"System"), twox_128(b"Events")].concat();
		Ok(self.storage(&key, Some(at)).await?.unwrap_or_default())
	}

	/// Waits until the finalized head reaches `number`, polling; fails after `timeout`.
	pub async fn wait_finalized(&self, number: BlockNumber, timeout: Duration) -> Result<Hash, Error> {
		let deadline = tokio::time::Instant::now() + timeout;
		loop {
			let (hash, n) = self.finalized().await?;
			if n >= number {
				return Ok(hash);
			}
			if tokio::time::Instant::now() > deadline {
				return Err(format!("finalized head stuck at #{n}, waited for #{number}").into());
			}
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}
}
