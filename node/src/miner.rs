//! What the node keeps for the chain, and the miner's proofs.
//!
//! At every new best block the keeper reads the chain and makes the store match it:
//! - **Pins**, from *finalized* state (a fork must not make the node fetch or drop
//!   anything): each replica assigned to this node's miner is pinned `Replica(order)`, and
//!   each model a linked wallet owns is pinned `Owner(account)`; what is pinned but no
//!   longer assigned or owned is unpinned (the cache may then evict it). Whatever is
//!   pinned and missing is fetched from its other holders (the miners the chain names)
//!   and from the peers the DHT names.
//! - **Sealed replicas** (`crate::replicas`): a replica assigned and held gets sealed for
//!   this miner, one at a time off the async threads, and its roots committed
//!   (`storage.commit_replica`); once the chain has drawn its seal proof, the proof and
//!   the content's last chunk confirm it (`storage.confirm`). Its chain of labels is
//!   unpinned once the finalized chain has it confirmed.
//! - **Proofs**, from the *best* block (challenges have short deadlines): an open
//!   replica challenge gets proofs of chunks of the sealed replica (`audit.answer`),
//!   computed from the store. They are handed to the runtime's off-chain worker (pallet-miner-worker)
//!   through the off-chain database, which signs them with the miner's key and submits
//!   them. A task is handed over again if the chain still wants it
//!   [`RESEND_AFTER`] blocks later (a refused or dropped transaction).
//! - **Sectors**: the filler sectors the sealer (`crate::sealer`) made get their seal
//!   proof (`miners.prove_sector`) once the chain has drawn its chunks, and sector
//!   challenges get links (`audit.answer_sector`), all from the store; sectors the
//!   finalized chain dropped are unpinned.
//! - **Served bytes**: the store's counter is written for the worker, which reports each
//!   era's growth.

use crate::{
	client::{FullClient, OffchainStorage},
	directory::ChainDirectory,
};
use codec::{Decode, Encode};
use landmesh_mesh::{challenge, directory::Directory, fetch, ContentId, Mesh, Pin, Store};
use landmesh_primitives::{
	api::{StorageApi, WorldApi},
	filler,
	miner::{MinerTask, OUTBOX_KEY, RECEIPTS_KEY},
	replica::SealRoots,
	storage::ChallengeTarget,
};
use landmesh_runtime::{opaque::Block, AccountId};
use polkadot_sdk::{
	sc_client_api::BlockchainEvents,
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::offchain::{OffchainStorage as _, STORAGE_PREFIX},
	sp_runtime::traits::Block as BlockT,
};
use futures::StreamExt;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
};

type Hash = <Block as BlockT>::Hash;

/// Blocks after which a task the chain still wants is handed over again.
/// Two, so a dropped answer is handed over again well inside a challenge's 5-block
/// deadline (the worker's nonces keep the copies from colliding in the pool).
pub const RESEND_AFTER: u32 = 2;

/// How long a content that could not be fetched waits before the next try.
pub const RETRY_FETCH_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// Contents being fetched (`None`) or that failed to (when).
type Fetching = Arc<Mutex<HashMap<ContentId, Option<std::time::Instant>>>>;

/// The replicas being sealed, and when the sealing of others last failed.
#[derive(Default)]
struct Sealing {
	running: std::collections::HashSet<u64>,
	failed: HashMap<u64, std::time::Instant>,
}

/// The most tasks the outbox holds: if the worker does not run, the oldest go.
const OUTBOX_MAX: usize = 256;

/// Who this node keeps content for.
pub struct Keeper {
	pub client: Arc<FullClient>,
	/// Who holds a content, and what it is.
	pub directory: Arc<ChainDirectory>,
	pub store: Store,
	pub mesh: Mesh,
	/// The miner this node stores replicas and answers challenges for.
	pub miner: Option<AccountId>,
	/// Wallets whose models this node pins.
	pub wallets: Vec<AccountId>,
	/// Where the off-chain worker picks tasks up.
	pub offchain: OffchainStorage,
	/// Where replicas are sealed before they go into the store.
	pub seal_dir: std::path::PathBuf,
}

/// A task, by what it is for (to hand each over once per [`RESEND_AFTER`]).
///
/// Keyed by what the task proves, not only by its id: after a reorg the same challenge id
/// may ask for other chunks (or an order name another content), and the task for the new
/// question is due at once.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Due {
	Commit { order: u64, roots: SealRoots },
	Confirm { order: u64, root: ContentId },
	Seal { index: u32, root: ContentId },
	Answer { challenge: u64, root: ContentId, indices: Vec<u64> },
}

impl Keeper {
	/// Follows the chain until the node stops.
	pub async fn run(self) {
		let keeper = Arc::new(self);
		let fetching: Fetching = Arc::new(Mutex::new(HashMap::new()));
		let sealing = Arc::new(Mutex::new(Sealing::default()));
		let mut handed: HashMap<Due, u32> = HashMap::new();
		let mut blocks = keeper.client.import_notification_stream();
		while let Some(block) = blocks.next().await {
			if !block.is_new_best {
				continue;
			}
			let number = block.header.number;
			let k = keeper.clone();
			let missing = match tokio::task::spawn_blocking(move || k.pin_what_the_chain_says()).await {
				Ok(Ok(missing)) => missing,
				Ok(Err(e)) => {
					log::warn!(target: "mesh", "cannot follow the chain's assignments: {e}");
					Vec::new()
				},
				Err(_) => return,
			};
			for (root, size) in missing {
				keeper.fetch(root, size, &fetching);
			}
			if keeper.miner.is_some() {
				keeper.seal_next(&sealing);
				let k = keeper.clone();
				let due = std::mem::take(&mut handed);
				handed = match tokio::task::spawn_blocking(move || k.prove(block.hash, number, due)).await {
					Ok(handed) => handed,
					Err(_) => return,
				};
			}
			keeper.hand_over_receipts();
		}
	}

	/// Writes the receipts the gateway collected this era where the off-chain worker
	/// reports them from.
	fn hand_over_receipts(&self) {
		if self.miner.is_none() {
			return;
		}
		let era = self.directory.current_era();
		let receipts = self.directory.receipts.of_era(era);
		let mut offchain = self.offchain.clone();
		offchain.set(STORAGE_PREFIX, RECEIPTS_KEY, &(era, receipts).encode());
	}

	/// Pins what the finalized chain assigns and owners hold, unpins the rest, and
	/// returns the pinned contents that are not stored yet.
	fn pin_what_the_chain_says(&self) -> Result<Vec<(ContentId, u64)>, String> {
		let at = self.client.info().finalized_hash;
		let api = self.client.runtime_api();
		// What to keep, and the size to fetch it at: the assignment's own (what this miner
		// must prove), or the model's (its owner's record).
		let mut wanted: Vec<(ContentId, Pin, u64)> = Vec::new();
		// What sealing made: kept while the chain needs it (or before the commit lands).
		let mut sealing: Vec<(ContentId, Pin)> = Vec::new();
		let mut assigned_orders: Vec<(u64, bool)> = Vec::new();
		if let Some(miner) = &self.miner {
			let assigned = api.assignments(at, miner.clone()).map_err(|e| e.to_string())?;
			for a in assigned {
				wanted.push((a.content_id, Pin::Replica(a.order), a.size));
				// Its sealed replica for as long as it is assigned; the chain until the seal
				// proof is final.
				if let Some(roots) = a.sealed {
					sealing.push((roots.replica, Pin::SealedReplica(a.order)));
					if !a.confirmed {
						sealing.push((roots.labels, Pin::ReplicaChain(a.order)));
					}
				}
				assigned_orders.push((a.order, a.sealed.is_some()));
			}
		}
		for wallet in &self.wallets {
			let models = api.models_of(at, wallet.clone()).map_err(|e| e.to_string())?;
			wanted.extend(models.into_iter().map(|m| (m.content_id, Pin::Owner(wallet.encode()), m.size)));
		}
		// Sealed sectors the chain lists are kept; so is what the sealer made for an index
		// the chain has not reached yet (its commit is on its way); the rest was dropped.
		let mut sectors = Vec::new();
		let mut next_sector = 0;
		if let Some(miner) = &self.miner {
			sectors = api.sectors(at, miner.clone()).map_err(|e| e.to_string())?;
			next_sector = api.miner(at, miner.clone()).map_err(|e| e.to_string())?.map_or(0, |m| m.next_sector);
		}
		let store = |e: landmesh_mesh::StoreError| e.to_string();
		for (root, pin) in self.store.all_pins().map_err(store)? {
			if let Pin::Sector(index) = pin {
				if index < next_sector && !sectors.iter().any(|s| s.index == index && s.root == root) {
					log::info!(target: "mesh", "🧱 Dropped filler sector {index}: the chain no longer holds it");
					self.store.unpin(&root, &pin).map_err(store)?;
				}
				continue;
			}
			if let Some(order) = crate::replicas::seal_pin_order(&pin) {
				// Kept if the finalized chain wants it, or if it is this node's seal of an
				// assignment whose commit has not landed (or become final) yet.
				let uncommitted = assigned_orders.iter().any(|(o, committed)| *o == order && !committed);
				if !uncommitted && !sealing.iter().any(|(r, p)| *r == root && *p == pin) {
					log::info!(target: "mesh", "🔏 Unpinned {root:?} ({pin:?}): the chain no longer needs it");
					self.store.unpin(&root, &pin).map_err(store)?;
				}
				continue;
			}
			let ours = matches!(pin, Pin::Replica(_) | Pin::Owner(_));
			if ours && !wanted.iter().any(|(r, p, _)| *r == root && *p == pin) {
				log::info!(target: "mesh", "📌 Unpinned {root:?} ({pin:?}): the chain no longer asks for it");
				self.store.unpin(&root, &pin).map_err(store)?;
			}
		}
		let mut missing: Vec<(ContentId, u64)> = Vec::new();
		for (root, pin, size) in wanted {
			self.store.pin(&root, pin).map_err(store)?;
			if self.store.info(&root).map_err(store)?.is_none() && !missing.iter().any(|(r, _)| *r == root) {
				missing.push((root, size));
			}
		}
		Ok(missing)
	}

	/// Fetches a pinned content in the background: one download at a time per content,
	/// and after a failure not again for [`RETRY_FETCH_AFTER`].
	fn fetch(self: &Arc<Self>, root: ContentId, size: u64, fetching: &Fetching) {
		{
			let mut fetching = fetching.lock().unwrap_or_else(|e| e.into_inner());
			match fetching.get(&root) {
				Some(None) => return,
				Some(Some(failed)) if failed.elapsed() < RETRY_FETCH_AFTER => return,
				_ => {},
			}
			fetching.insert(root, None);
		}
		let (keeper, fetching) = (self.clone(), fetching.clone());
		tokio::spawn(async move {
			let directory = keeper.directory.clone();
			let (named, media_type) =
				tokio::task::spawn_blocking(move || (directory.holders(&root), directory.media_type(&root)))
					.await
					.unwrap_or_default();
			let peers = fetch::sources(&keeper.mesh, root, named).await;
			// The size the chain records is the only one tried, and proven before anything
			// is planned: an order declaring 1 byte for a 1 TiB root costs one range.
			let options = fetch::FetchOptions {
				size: Some(size),
				max_size: Some(crate::directory::max_content_size()),
				media_type,
				credentials: None,
				trusted: Vec::new(),
			};
			let fetched = match fetch::start_with(&keeper.mesh, &keeper.store, root, &peers, options).await {
				Ok(started) => started.done.await.unwrap_or_else(|e| Err(fetch::FetchError::Io(std::io::Error::other(e)))),
				Err(e) => Err(e),
			};
			let failed = match fetched {
				Ok(got) => {
					log::info!(
						target: "mesh",
						"📦 Fetched {root:?} ({} bytes) from {} peer(s) for the chain",
						got.info.size,
						got.from.len()
					);
					None
				},
				Err(e) => {
					log::warn!(target: "mesh", "cannot fetch {root:?} yet ({} peers known): {e}", peers.len());
					Some(std::time::Instant::now())
				},
			};
			let mut fetching = fetching.lock().unwrap_or_else(|e| e.into_inner());
			match failed {
				Some(at) => fetching.insert(root, Some(at)),
				None => fetching.remove(&root),
			};
		});
	}

	/// Hands the worker the confirmations and answers the best block wants and the store
	/// can prove. `handed` says when each was last handed over; returns it updated.
	fn prove(&self, best: Hash, number: u32, mut handed: HashMap<Due, u32>) -> HashMap<Due, u32> {
		let Some(miner) = &self.miner else { return handed };
		let api = self.client.runtime_api();
		let mut tasks = Vec::new();
		let due = |what: Due, handed: &mut HashMap<Due, u32>| is_due(handed, what, number);
		let assigned = api.assignments(best, miner.clone()).unwrap_or_else(|e| {
			log::warn!(target: "mesh", "cannot read this miner's replicas: {e}");
			Vec::new()
		});
		let sector_size = api.miner(best, miner.clone()).ok().flatten().map_or(0, |m| m.sector_size);
		let pins = self.store.all_pins().unwrap_or_default();
		for a in assigned.iter().filter(|a| !a.confirmed) {
			let (order, root) = (a.order, a.content_id);
			match (&a.sealed, &a.seal_draws) {
				// Sealed here, not committed yet: commit.
				(None, _) => {
					let Some(roots) = crate::replicas::sealed(&pins, order) else { continue };
					if due(Due::Commit { order, roots }, &mut handed) {
						log::info!(target: "mesh", "🔏 Committing the sealed replica of order {order}");
						tasks.push(MinerTask::CommitReplica { order, roots });
					}
				},
				// Committed and drawn: the seal proof.
				(Some(roots), Some(draws)) => {
					if !self.holds(&roots.labels) || !due(Due::Confirm { order, root }, &mut handed) {
						continue;
					}
					match crate::replicas::seal_proof(&self.store, miner, a, roots, draws, sector_size) {
						Ok((proof, seal)) => {
							log::info!(target: "mesh", "🔏 Proving the seal of the replica of order {order}");
							tasks.push(MinerTask::Confirm { order, proof, seal })
						},
						Err(e) => log::warn!(target: "mesh", "cannot prove the seal of order {order}: {e}"),
					}
				},
				(Some(_), None) => {},
			}
		}
		let challenges = api.challenges(best, miner.clone()).unwrap_or_else(|e| {
			log::warn!(target: "mesh", "cannot read this miner's challenges: {e}");
			Vec::new()
		});
		for c in challenges {
			let what = Due::Answer { challenge: c.id, root: c.content_id, indices: c.indices.clone() };
			if !self.holds(&c.content_id) || !due(what, &mut handed) {
				continue;
			}
			let task = match c.target {
				ChallengeTarget::Replica { .. } => c
					.indices
					.iter()
					.map(|i| challenge::chunk_proof(&self.store, &c.content_id, *i))
					.collect::<Result<Vec<_>, _>>()
					.map(|proofs| MinerTask::Answer { challenge: c.id, proofs }),
				ChallengeTarget::Sector { index, .. } => {
					let seed = filler::sector_seed(miner, index);
					challenge::sector_links(&self.store, &c.content_id, &seed, &c.indices)
						.map(|links| MinerTask::AnswerSector { challenge: c.id, links })
				},
			};
			match task {
				Ok(task) => {
					log::info!(target: "mesh", "🛡  Answering challenge {} on {:?}", c.id, c.content_id);
					tasks.push(task)
				},
				Err(e) => log::warn!(target: "mesh", "cannot answer challenge {}: {e}", c.id),
			}
		}
		// Sectors committed and waiting for their seal proof, once the chain drew its chunks.
		let sectors = api.sectors(best, miner.clone()).unwrap_or_else(|e| {
			log::warn!(target: "mesh", "cannot read this miner's sectors: {e}");
			Vec::new()
		});
		for s in sectors {
			let Some(indices) = s.seal else { continue };
			if !self.holds(&s.root) || !due(Due::Seal { index: s.index, root: s.root }, &mut handed) {
				continue;
			}
			let seed = filler::sector_seed(miner, s.index);
			match challenge::sector_links(&self.store, &s.root, &seed, &indices) {
				Ok(links) => {
					log::info!(target: "mesh", "🧱 Proving the seal of filler sector {}", s.index);
					tasks.push(MinerTask::SealSector { slot: s.slot, links })
				},
				Err(e) => log::warn!(target: "mesh", "cannot prove the seal of sector {}: {e}", s.index),
			}
		}
		// Forget what the chain no longer wants.
		handed.retain(|_, at| number < *at + 50);
		if !tasks.is_empty() {
			hand_over(&mut self.offchain.clone(), tasks);
		}
		handed
	}

	fn holds(&self, root: &ContentId) -> bool {
		self.store.info(root).ok().flatten().is_some()
	}

	/// Starts sealing the next replicas assigned (by the finalized chain, as the pins are)
	/// and held but neither sealed nor committed, as many at a time as there are cores
	/// (sealing is CPU-bound and a small replica costs a whole prefix), off the async
	/// threads; one whose sealing failed waits [`RETRY_FETCH_AFTER`].
	fn seal_next(self: &Arc<Self>, sealing: &Arc<Mutex<Sealing>>) {
		let Some(miner) = self.miner.clone() else { return };
		let at = self.client.info().finalized_hash;
		let api = self.client.runtime_api();
		let Ok(assigned) = api.assignments(at, miner.clone()) else { return };
		let Some(sector_size) = api.miner(at, miner.clone()).ok().flatten().map(|m| m.sector_size) else { return };
		let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
		let pins = self.store.all_pins().unwrap_or_default();
		for a in assigned {
			let mut state = sealing.lock().unwrap_or_else(|e| e.into_inner());
			if state.running.len() >= cores {
				return;
			}
			let failed_lately = state.failed.get(&a.order).is_some_and(|at| at.elapsed() < RETRY_FETCH_AFTER);
			if a.sealed.is_some() || state.running.contains(&a.order) || failed_lately || !self.holds(&a.content_id) {
				continue;
			}
			if crate::replicas::sealed(&pins, a.order).is_some() {
				continue;
			}
			state.running.insert(a.order);
			drop(state);
			let (keeper, sealing, miner) = (self.clone(), sealing.clone(), miner.clone());
			tokio::task::spawn_blocking(move || {
				let result = crate::replicas::seal(&keeper.store, &keeper.seal_dir, &miner, &a, sector_size);
				let mut state = sealing.lock().unwrap_or_else(|e| e.into_inner());
				state.running.remove(&a.order);
				if let Err(e) = result {
					log::warn!(target: "mesh", "cannot seal the replica of order {}: {e}", a.order);
					state.failed.insert(a.order, std::time::Instant::now());
				}
			});
		}
	}

}

/// Whether a task is due at block `number`: never handed over, or last handed over
/// [`RESEND_AFTER`] blocks ago or more (then it is recorded as handed over now).
fn is_due(handed: &mut HashMap<Due, u32>, what: Due, number: u32) -> bool {
	let fresh = handed.get(&what).is_some_and(|at| number < at.saturating_add(RESEND_AFTER));
	if !fresh {
		handed.insert(what, number);
	}
	!fresh
}

/// Appends tasks to the worker's outbox. Compare-and-set: the worker may be taking the
/// outbox at the same moment, and neither side may lose the other's write.
pub fn hand_over(offchain: &mut OffchainStorage, tasks: Vec<MinerTask>) {
	loop {
		let old = offchain.get(STORAGE_PREFIX, OUTBOX_KEY);
		let mut all: Vec<MinerTask> = old.as_ref().and_then(|v| Vec::decode(&mut &v[..]).ok()).unwrap_or_default();
		all.extend(tasks.iter().cloned());
		let excess = all.len().saturating_sub(OUTBOX_MAX);
		all.drain(..excess);
		if offchain.compare_and_set(STORAGE_PREFIX, OUTBOX_KEY, old.as_deref(), &all.encode()) {
			return;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A dropped answer is handed over again within a challenge's 5-block deadline; the
	/// same challenge id asking other chunks (after a reorg) is a new task at once.
	#[test]
	fn answers_are_handed_over_again_in_time_and_keyed_by_what_they_prove() {
		let mut handed = HashMap::new();
		let root = ContentId([1; 32]);
		let answer = |indices: Vec<u64>| Due::Answer { challenge: 7, root, indices };
		assert!(is_due(&mut handed, answer(vec![1, 2]), 100));
		assert!(!is_due(&mut handed, answer(vec![1, 2]), 101), "not twice in a row");
		assert!(is_due(&mut handed, answer(vec![1, 2]), 102), "again before the deadline (block 105)");
		assert!(is_due(&mut handed, answer(vec![3, 4]), 102), "other chunks of the same id: due at once");
		let confirm = |root| Due::Confirm { order: 5, root };
		assert!(is_due(&mut handed, confirm(root), 102));
		assert!(is_due(&mut handed, confirm(ContentId([2; 32])), 102), "an order now naming another content");
	}
}
