//! Filler sectors sealed by a `--miner` node into its miner's free capacity: the proof
//! of space behind the idle bytes the chain pays for (`landmesh_primitives::filler`).
//!
//! One sector at a time, for the miner's next derivation index as the best block says:
//! sealed into `sectors/<index>.v3.sector` (resumable: a restart goes on from the chunks on
//! disk), imported into the store pinned [`Pin::Sector`], and its root handed to the
//! off-chain worker as `miners.commit_sector`. The next one starts once the chain has
//! taken it. The keeper then proves the seal and answers the sector's challenges from the
//! store, and unpins sectors the chain dropped (a replica took the room).
//!
//! It stops while the miner is not registered, is leaving, has no room (replicas come
//! first), or holds `--seal-limit` bytes of sectors. Sealing is CPU work on purpose (each
//! label is 256 sequential hash rounds, 8 192 a chunk), so it runs on its own thread.

use crate::{client::FullClient, miner::hand_over, client::OffchainStorage};
use landmesh_mesh::{ContentId, Pin, Store};
use landmesh_primitives::{api::StorageApi, filler, miner::MinerTask, proof::CHUNK_SIZE};
use landmesh_runtime::AccountId;
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::{
	path::PathBuf,
	sync::Arc,
	time::{Duration, Instant},
};

/// How long a commit handed over may take to land before it is handed over again.
const COMMIT_AGAIN_AFTER: Duration = Duration::from_secs(30);

/// Seals sectors for one miner.
pub struct Sealer {
	pub client: Arc<FullClient>,
	pub store: Store,
	pub miner: AccountId,
	/// Where the worker picks the commits up.
	pub offchain: OffchainStorage,
	/// Where sectors are sealed before they go into the store.
	pub dir: PathBuf,
	/// The most bytes of sectors to hold (`--seal-limit`).
	pub limit: u64,
}

impl Sealer {
	/// Seals while there is room, until the process ends. Blocks: run it on its own thread.
	pub fn run(self) {
		if let Err(e) = std::fs::create_dir_all(&self.dir) {
			log::error!(target: "mesh", "cannot seal filler sectors: cannot create {}: {e}", self.dir.display());
			return;
		}
		let mut handed: Option<(u32, Instant)> = None;
		loop {
			let pause = match self.step(&mut handed) {
				Ok(()) => Duration::from_secs(3),
				Err(e) => {
					log::warn!(target: "mesh", "sealing filler sectors: {e}");
					Duration::from_secs(30)
				},
			};
			std::thread::sleep(pause);
		}
	}

	/// Seals the sector for the miner's next index if it is due and not sealed yet, and
	/// hands its commit over (again, if the last one did not land in time).
	fn step(&self, handed: &mut Option<(u32, Instant)>) -> Result<(), String> {
		let best = self.client.info().best_hash;
		let view = self.client.runtime_api().miner(best, self.miner.clone()).map_err(|e| e.to_string())?;
		let Some(m) = view else { return Ok(()) };
		let held = u64::from(m.sectors).saturating_mul(m.sector_size);
		if m.exiting_since.is_some() || m.sector_room == 0 || held.saturating_add(m.sector_size) > self.limit {
			return Ok(());
		}
		let index = m.next_sector;
		let root = match self.sealed(index)? {
			Some(root) => root,
			None => self.seal(index, m.sector_size)?,
		};
		if handed.is_some_and(|(i, at)| i == index && at.elapsed() < COMMIT_AGAIN_AFTER) {
			return Ok(());
		}
		log::info!(target: "mesh", "🧱 Committing filler sector {index} ({root:?})");
		hand_over(&mut self.offchain.clone(), vec![MinerTask::CommitSector { index, root }]);
		*handed = Some((index, Instant::now()));
		Ok(())
	}

	/// The root of the sector sealed for `index`, if the store holds it.
	fn sealed(&self, index: u32) -> Result<Option<ContentId>, String> {
		let pins = self.store.all_pins().map_err(|e| e.to_string())?;
		Ok(pins.into_iter().find(|(_, pin)| *pin == Pin::Sector(index)).map(|(root, _)| root))
	}

	/// Seals sector `index` of `size` bytes and stores it pinned; returns its root.
	fn seal(&self, index: u32, size: u64) -> Result<ContentId, String> {
		// Named by construction: a file sealed by an older derivation is never resumed.
		let path = self.dir.join(format!("{index}.v3.sector"));
		let started = Instant::now();
		let seed = filler::sector_seed(&self.miner, index);
		seal_labels(&path, &seed, size.div_ceil(CHUNK_SIZE), &format!("filler sector {index}"))?;
		let info = self
			.store
			.import_file(&path, None, Some(Pin::Sector(index)))
			.map_err(|e| format!("cannot store sealed sector {index} (raise --storage-limit?): {e}"))?;
		let _ = std::fs::remove_file(&path);
		log::info!(
			target: "mesh",
			"🧱 Sealed filler sector {index} in {:.1} s: {:?}",
			started.elapsed().as_secs_f64(),
			info.root
		);
		Ok(info.root)
	}
}

/// Derives `chunks` chunks of labels with `seed` into the file at `path`, going on from
/// what it holds (a seal interrupted by a restart resumes), logging progress every 10 s
/// as the sealing of `what`.
pub fn seal_labels(path: &std::path::Path, seed: &[u8; 32], chunks: u64, what: &str) -> Result<(), String> {
	let file = std::fs::OpenOptions::new()
		.read(true)
		.write(true)
		.create(true)
		.truncate(false)
		.open(path)
		.map_err(|e| format!("cannot open {}: {e}", path.display()))?;
	let resumed = file.metadata().map(|m| m.len() / CHUNK_SIZE).unwrap_or(0);
	if resumed > 0 {
		log::info!(target: "mesh", "🧱 Resuming {what} at {}%", resumed * 100 / chunks.max(1));
	} else {
		log::info!(target: "mesh", "🧱 Sealing {what} ({} MiB of labels)", (chunks * CHUNK_SIZE) >> 20);
	}
	let mut logged = Instant::now();
	filler::seal_file(&file, seed, chunks, |done| {
		if logged.elapsed() >= Duration::from_secs(10) {
			log::info!(target: "mesh", "🧱 Sealing {what}: {}%", done * 100 / (chunks * filler::LABELS_PER_CHUNK).max(1));
			logged = Instant::now();
		}
		true
	})
	.map(|_| ())
	.map_err(|e| format!("cannot write {}: {e}", path.display()))
}
