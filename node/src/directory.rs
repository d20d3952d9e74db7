//! What the chain says of a content, for the mesh: who holds it (the miners assigned its
//! replicas, with their registered mesh addresses), how large it is, what media type it
//! is served as, and who may fetch it. Read at the best block.
//!
//! The rules it enforces for gated content (a model whose access rule is not `Public`):
//! - over HTTP, a request signed by an account the rule admits
//!   ([`Credentials::message`] names this chain's genesis hash, so a signature does not
//!   replay on another chain);
//! - over the mesh, the same signed credentials, or the peer is a miner the chain assigned
//!   a replica of the content (its peer id is authenticated by the connection).
//! A content's rule is its first-minted live model's (pallet-models binds a content id to
//! that model's owner), so nobody else's model can open or re-type it.

use crate::client::FullClient;
use landmesh_mesh::{
	directory::{Access, Credentials, Directory, ReceiptTerms, ReceiptText},
	ContentId, Multiaddr, PeerId,
};
use landmesh_primitives::{
	api::{StorageApi, WorldApi},
	AccessRule, ModelId, ModelView,
};
use landmesh_runtime::AccountId;
use codec::Encode;
use landmesh_primitives::content::to_hex as hex;
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::sr25519};
use std::{collections::HashMap, sync::Arc};

/// The largest content the chain accepts (a storage order's or a model's): what a miss or
/// a miner fetches at most.
pub fn max_content_size() -> u64 {
	use polkadot_sdk::frame_support::traits::Get;
	let order: u64 = <landmesh_runtime::Runtime as pallet_storage::Config>::MaxContentSize::get();
	let model: u64 = <landmesh_runtime::Runtime as pallet_models::Config>::MaxModelSize::get();
	order.max(model)
}

/// Who may upload to this node's gateway (always with a signed request).
#[derive(Clone, Debug)]
pub enum Uploaders {
	/// Any account that signs (`--open-uploads`, and dev chains).
	AnySigned,
	/// These accounts only: the linked wallets and `--upload-allow`.
	Only,
}

/// What the chain knows about contents, read at the best block.
pub struct ChainDirectory {
	pub client: Arc<FullClient>,
	/// This chain's genesis hash (hex), which signed requests name.
	chain: String,
	/// Who may upload, beyond `allowed`.
	uploaders: Uploaders,
	/// Accounts that may upload.
	allowed: Vec<AccountId>,
	/// The miner this node's gateway serves for, which clients sign receipts to.
	miner: Option<AccountId>,
	/// The receipts its clients signed this era.
	pub receipts: crate::receipts::Collected,
	/// What the chain said at one best block: models by content (the gateway asks for a
	/// content's access rule, media type and size on every request) and access decisions.
	/// A browser fetches a model with many range requests; each would otherwise cost
	/// runtime calls (a contract dry-run for contract-gated models). Exact, not a guess:
	/// the answers can only change with a new best block, which empties it.
	decisions: std::sync::Mutex<Decisions>,
}

/// Answers taken at one best block.
#[derive(Default)]
struct Decisions {
	at: landmesh_runtime::Hash,
	models: HashMap<ContentId, Option<ModelView<AccountId>>>,
	may_fetch: HashMap<(ModelId, AccountId), bool>,
	/// Whether a mesh peer is an assigned miner of a model: asked on every chunk a miner
	/// fetches of a gated replica.
	assigned: HashMap<(ModelId, PeerId), bool>,
}

/// What [`Decisions::check`] says of an access decision.
#[derive(Debug, PartialEq, Eq)]
enum Check {
	/// Taken already at this block.
	Known(bool),
	/// Not taken yet, and the block's budget allows it: ask the chain.
	Ask,
	/// Not taken yet, and this block's budget of new checks is spent.
	Spent,
}

impl Decisions {
	/// The answers at `best`: emptied when the best block moved on, or when full.
	fn at(&mut self, best: landmesh_runtime::Hash) -> &mut Self {
		if self.at != best || self.models.len() + self.may_fetch.len() + self.assigned.len() >= MAX_DECISIONS {
			*self = Decisions { at: best, ..Default::default() };
		}
		self
	}

	/// Whether `key`'s access decision is known at `best`, may be asked, or must wait.
	fn check(&mut self, best: landmesh_runtime::Hash, key: &(ModelId, AccountId)) -> Check {
		let at = self.at(best);
		match at.may_fetch.get(key) {
			Some(&decision) => Check::Known(decision),
			None if at.may_fetch.len() >= MAX_CHECKS_PER_BLOCK => Check::Spent,
			None => Check::Ask,
		}
	}
}

/// Enough for every account fetching in one block's time; beyond it the cache starts over.
const MAX_DECISIONS: usize = 16_384;

/// New access decisions (runtime calls, contract dry-runs) taken per best block. An
/// attacker with funded throwaway accounts (each costs an existential deposit; accounts
/// the chain does not know are refused without a check) gets this many checks a block
/// and then `503`, instead of one dry-run per request.
pub const MAX_CHECKS_PER_BLOCK: usize = 256;

impl ChainDirectory {
	/// A directory that lets `allowed` upload, or any signed account, and collects served
	/// receipts for `miner`.
	pub fn new(client: Arc<FullClient>, uploaders: Uploaders, allowed: Vec<AccountId>, miner: Option<AccountId>) -> Self {
		let chain = hex(client.info().genesis_hash.as_ref());
		Self { client, chain, uploaders, allowed, miner, receipts: Default::default(), decisions: Default::default() }
	}

	/// The era of the best block (`pallet-rewards` counts receipts per era).
	pub fn current_era(&self) -> u32 {
		let best = self.client.info().best_number;
		best.checked_div(landmesh_runtime::EraLength::get()).unwrap_or(0)
	}

	/// Bytes `who`'s receipts may still count in `era` (its allowance less what it has
	/// vouched for), or why none: storage reads, no runtime call.
	fn client_room(&self, best: landmesh_runtime::Hash, who: &AccountId, era: u32) -> Result<u64, String> {
		use codec::Decode;
		use polkadot_sdk::{frame_support::traits::Get, sc_client_api::StorageProvider, sp_core::storage::StorageKey};
		type Runtime = landmesh_runtime::Runtime;
		let read = |key: Vec<u8>| self.client.storage(best, &StorageKey(key)).ok().flatten().map(|data| data.0);
		let client = read(pallet_rewards::Clients::<Runtime>::hashed_key_for(who))
			.and_then(|data| pallet_rewards::Client::<landmesh_runtime::Balance>::decode(&mut &data[..]).ok())
			.ok_or_else(|| format!("{who} holds no client deposit: call rewards.registerClient, then sign again next era"))?;
		if client.since > era || client.leaving.is_some_and(|left| left < era) {
			return Err(format!("{who} does not vouch in era {era} (it registered for later, or left)"));
		}
		let vouched = read(pallet_rewards::Vouched::<Runtime>::hashed_key_for(era, who))
			.and_then(|data| u64::decode(&mut &data[..]).ok())
			.unwrap_or(0);
		let allowance: u64 = <Runtime as pallet_rewards::Config>::MaxServedPerClient::get();
		Ok(allowance.saturating_sub(vouched))
	}

	fn decisions(&self) -> std::sync::MutexGuard<'_, Decisions> {
		self.decisions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Whether the chain has an account for `who` (it holds at least the existential
	/// deposit): a storage read, no runtime call. A pass or a licence is bought with a
	/// transaction, so its holder has one.
	fn has_account(&self, best: landmesh_runtime::Hash, who: &AccountId) -> bool {
		use polkadot_sdk::sc_client_api::StorageProvider;
		let key = polkadot_sdk::frame_system::Account::<landmesh_runtime::Runtime>::hashed_key_for(who);
		self.client.storage(best, &polkadot_sdk::sp_core::storage::StorageKey(key)).ok().flatten().is_some()
	}

	/// [`crate::contracts::may_fetch`], remembered until the best block changes; `None`
	/// when this block's budget of new checks is spent. An account the chain does not
	/// know is refused at once, uncounted: throwaway keys cost nothing to make.
	fn may_fetch(&self, model: &ModelView<AccountId>, account: &AccountId) -> Option<bool> {
		if &model.owner == account {
			return Some(true);
		}
		let best = self.client.info().best_hash;
		let key = (model.id, account.clone());
		match self.decisions().check(best, &key) {
			Check::Known(decision) => return Some(decision),
			Check::Spent => return None,
			Check::Ask => {},
		}
		if !self.has_account(best, account) {
			return Some(false);
		}
		// Asked outside the lock: a contract dry-run must not hold up other requests.
		let decision = crate::contracts::may_fetch(&*self.client, model, account);
		let mut decisions = self.decisions();
		if decisions.at == best {
			decisions.may_fetch.insert(key, decision);
		}
		Some(decision)
	}

	/// The model that governs `root`, if any, remembered for the best block; `Err` when
	/// the chain cannot be read.
	fn model(&self, root: &ContentId) -> Result<Option<ModelView<AccountId>>, String> {
		let best = self.client.info().best_hash;
		if let Some(model) = self.decisions().at(best).models.get(root) {
			return Ok(model.clone());
		}
		let model = self.client.runtime_api().model_of_content(best, *root).map_err(|e| e.to_string())?;
		let mut decisions = self.decisions();
		if decisions.at == best {
			decisions.models.insert(*root, model.clone());
		}
		Ok(model)
	}

	/// Whether `peer` is the registered mesh peer of a miner assigned a replica of
	/// `model`'s data by an order its owner placed for its size: anyone may order storage of
	/// any content id, so an order a stranger placed admits nobody to a gated model.
	/// Remembered for the best block, as the other answers.
	fn is_assigned_miner(&self, model: &ModelView<AccountId>, peer: &PeerId) -> bool {
		let best = self.client.info().best_hash;
		let key = (model.id, *peer);
		if let Some(&assigned) = self.decisions().at(best).assigned.get(&key) {
			return assigned;
		}
		let text = peer.to_string();
		let assigned = self
			.client
			.runtime_api()
			.content_status(best, model.content_id)
			.map(|orders| {
				orders
					.iter()
					.filter(|o| o.owner == model.owner && o.size == model.size)
					.flat_map(|o| &o.holders)
					.any(|r| r.peer_id == text)
			})
			.unwrap_or(false);
		let mut decisions = self.decisions();
		if decisions.at == best {
			decisions.assigned.insert(key, assigned);
		}
		assigned
	}
}

impl Directory for ChainDirectory {
	fn chain(&self) -> Option<String> {
		Some(self.chain.clone())
	}

	fn receipt_terms(&self) -> Option<ReceiptTerms> {
		let miner = self.miner.as_ref()?;
		Some(ReceiptTerms { chain: self.chain.clone(), miner: hex(&miner.encode()), era: self.current_era() })
	}

	/// Checks the era, that the client vouches this era (it holds a deposit: throwaway keys
	/// cost nothing to make), then the signature, cheapest first; the receipt is ranked by
	/// what it can still count on chain, not by the bytes it claims, so receipts of clients
	/// that used up their allowance cannot push out those that count.
	fn take_receipt(&self, receipt: ReceiptText) -> Result<(), String> {
		use polkadot_sdk::sp_core::crypto::Ss58Codec;
		let terms = self.receipt_terms().ok_or("this gateway is not a miner's: it takes no served receipts")?;
		if receipt.era != terms.era {
			return Err(format!("this is era {}: sign a receipt for it (GET /receipts)", terms.era));
		}
		let claimed = AccountId::from_ss58check(&receipt.client)
			.map_err(|e| format!("account `{}` is not an SS58 account ({e:?})", receipt.client))?;
		let room = self.client_room(self.client.info().best_hash, &claimed, receipt.era)?;
		let (client, signature) = signature_of(&receipt.client, &receipt.signature, &terms.message(receipt.bytes))?;
		let signature = polkadot_sdk::sp_runtime::MultiSignature::Sr25519(signature);
		let countable = receipt.bytes.min(room);
		self.receipts.keep(landmesh_primitives::miner::Receipt { client, era: receipt.era, bytes: receipt.bytes, signature }, countable)
	}

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
		Some(self.model(root).ok()??.format.media_type().into())
	}

	/// The size the chain records: the governing model's (bound to its owner). Orders'
	/// sizes are not taken: anyone may place an order declaring any size for any content.
	fn size(&self, root: &ContentId) -> Option<u64> {
		Some(self.model(root).ok()??.size)
	}

	/// A model's data is open if its access rule is `Public` (content that is no model's
	/// is open too); otherwise the request must be signed by an account the rule admits.
	fn access(&self, root: &ContentId, who: Option<&Credentials>) -> Access {
		let model = match self.model(root) {
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
		let account = match signed_by(credentials, &Credentials::message(&self.chain, root, credentials.expires)) {
			Ok(account) => account,
			Err(why) => return Access::Unauthenticated(why),
		};
		match self.may_fetch(&model, &account) {
			Some(true) => Access::Granted,
			Some(false) => Access::Denied(format!("{account} may not fetch model {}", model.id)),
			None => Access::Busy(format!("more than {MAX_CHECKS_PER_BLOCK} access checks this block")),
		}
	}

	/// A signed upload from an allowed account (its SS58 name counts its quota).
	fn uploader(&self, who: Option<&Credentials>) -> Result<Option<String>, Access> {
		use polkadot_sdk::sp_core::crypto::Ss58Codec;
		let Some(credentials) = who else {
			return Err(Access::Unauthenticated(format!(
				"uploads are signed: send X-Landmesh-Account, X-Landmesh-Expires and X-Landmesh-Signature \
				 (sr25519 over `{}`)",
				Credentials::upload_message(&self.chain, 0).replace(":0", ":<expires>")
			)));
		};
		let account = signed_by(credentials, &Credentials::upload_message(&self.chain, credentials.expires))
			.map_err(Access::Unauthenticated)?;
		match self.uploaders {
			Uploaders::AnySigned => {},
			Uploaders::Only if self.allowed.contains(&account) => {},
			Uploaders::Only => {
				return Err(Access::Denied(format!(
					"{account} may not upload to this node: its operator allows linked wallets \
					 (--link-wallet, --upload-allow) or opens uploads (--open-uploads)"
				)))
			},
		}
		Ok(Some(account.to_ss58check()))
	}

	/// As [`Directory::access`], and a gated content is also open to the miners the chain
	/// assigned it (they fetch replicas from each other with no wallet behind them).
	fn peer_access(&self, root: &ContentId, peer: &PeerId, who: Option<&Credentials>) -> Access {
		match self.access(root, who) {
			Access::Unauthenticated(_) | Access::Denied(_)
				if self.model(root).ok().flatten().is_some_and(|model| self.is_assigned_miner(&model, peer)) =>
			{
				Access::Granted
			},
			access => access,
		}
	}
}

/// The account whose valid, unexpired signature of `message` `credentials` carry.
/// Wallet extensions sign `<Bytes>…</Bytes>`-wrapped text; both forms are accepted.
pub fn signed_by(credentials: &Credentials, message: &str) -> Result<AccountId, String> {
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
	if credentials.expires < now {
		return Err("the signature has expired: sign again with a later X-Landmesh-Expires".into());
	}
	if credentials.expires > now + MAX_SIGNATURE_LIFETIME {
		return Err(format!("X-Landmesh-Expires is more than {MAX_SIGNATURE_LIFETIME} s ahead"));
	}
	signature_of(&credentials.account, &credentials.signature, message).map(|(account, _)| account)
}

/// The account (`account`, SS58) and its sr25519 signature (`signature`, hex) of `message`,
/// raw or `<Bytes>…</Bytes>`-wrapped as wallet extensions sign, or why not.
pub fn signature_of(account: &str, signature: &str, message: &str) -> Result<(AccountId, sr25519::Signature), String> {
	use polkadot_sdk::sp_core::{bytes::from_hex, crypto::Ss58Codec, Pair};
	let account =
		AccountId::from_ss58check(account).map_err(|e| format!("account `{account}` is not an SS58 account ({e:?})"))?;
	let bytes = from_hex(signature).map_err(|_| "the signature is not hex".to_string())?;
	let signature = sr25519::Signature::try_from(&bytes[..]).map_err(|_| "the signature is not 64 bytes".to_string())?;
	let public = sr25519::Public::from(<[u8; 32]>::from(account.clone()));
	let wrapped = format!("<Bytes>{message}</Bytes>");
	if sr25519::Pair::verify(&signature, message, &public) || sr25519::Pair::verify(&signature, &wrapped, &public) {
		Ok((account, signature))
	} else {
		Err(format!("the signature is not {account}'s over `{message}` (sign this chain's message)"))
	}
}

/// The longest a fetch signature may be valid for: a leaked one stops working soon.
pub const MAX_SIGNATURE_LIFETIME: u64 = 24 * 3600;

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::{crypto::Ss58Codec, Pair};
	use polkadot_sdk::sp_keyring::Sr25519Keyring;

	fn signed(chain: &str, root: &ContentId, expires: u64) -> Credentials {
		let who = Sr25519Keyring::Alice;
		let signature = who.pair().sign(Credentials::message(chain, root, expires).as_bytes());
		Credentials { account: who.to_account_id().to_ss58check(), expires, signature: hex(&signature.0) }
	}

	/// Attack: throwaway accounts (funded, so the chain knows them) each ask once for a
	/// contract-gated model within one block. Must hold: at most
	/// [`MAX_CHECKS_PER_BLOCK`] checks are run that block, decisions taken stay answered
	/// from memory, and the next block has a fresh budget.
	#[test]
	fn access_checks_are_bounded_per_block_and_remembered() {
		let mut decisions = Decisions::default();
		let (block, next) = (landmesh_runtime::Hash::repeat_byte(1), landmesh_runtime::Hash::repeat_byte(2));
		let key = |i: u32| (7, AccountId::from(polkadot_sdk::sp_io::hashing::blake2_256(&i.to_le_bytes())));
		for i in 0..MAX_CHECKS_PER_BLOCK as u32 {
			assert_eq!(decisions.check(block, &key(i)), Check::Ask);
			decisions.may_fetch.insert(key(i), i == 0);
		}
		assert_eq!(decisions.check(block, &key(9999)), Check::Spent, "the block's budget is spent");
		assert_eq!(decisions.check(block, &key(0)), Check::Known(true), "a decision taken stays known");
		assert_eq!(decisions.check(block, &key(1)), Check::Known(false));
		assert_eq!(decisions.check(next, &key(9999)), Check::Ask, "a new block, a new budget");
		assert_eq!(decisions.check(next, &key(0)), Check::Ask, "and nothing stale: the chain may have changed");
	}

	/// A signature made for one chain does not open the same content on another.
	#[test]
	fn signatures_name_their_chain() {
		let root = ContentId([9; 32]);
		let expires = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 60;
		let ours = "aa".repeat(32);
		let theirs = "bb".repeat(32);
		let credentials = signed(&theirs, &root, expires);
		let fetch = |chain: &str, root: &ContentId, c: &Credentials| signed_by(c, &Credentials::message(chain, root, c.expires));
		assert_eq!(fetch(&theirs, &root, &credentials), Ok(Sr25519Keyring::Alice.to_account_id()));
		assert!(fetch(&ours, &root, &credentials).unwrap_err().contains("not"));
		// Nor another content, nor a later expiry, nor an upload.
		assert!(fetch(&theirs, &ContentId([8; 32]), &credentials).is_err());
		let stretched = Credentials { expires: expires + 1, ..credentials.clone() };
		assert!(fetch(&theirs, &root, &stretched).is_err());
		assert!(signed_by(&credentials, &Credentials::upload_message(&theirs, expires)).is_err());
	}
}
