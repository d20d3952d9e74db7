//! Sealed replicas: the miner's own copy of each content assigned to it
//! (`landmesh_primitives::replica`), made from the content the keeper fetched.
//!
//! Sealing derives the replica's chain of labels (a filler sector's worth of prefix, then
//! one chunk per chunk of content) into `replicas/<order>.v1.chain`, resumable like a
//! filler sector, and XORs the content with the chain's last chunks into
//! `replicas/<order>.v1.replica`. Both go into the store, pinned
//! [`Pin::ReplicaChain`] and [`Pin::SealedReplica`]: the chain until the seal proof has
//! landed (finalized), the replica for as long as the chain assigns it. The content stays
//! pinned [`Pin::Replica`] too, so the node serves it as it is; challenges are answered
//! from the sealed replica, which only this miner has.

use landmesh_mesh::{challenge, ContentId, Pin, Store};
use landmesh_primitives::{
	filler,
	proof::{self, ChunkProof, CHUNK_SIZE},
	replica::{self, Layout, SealDraw, SealRoots},
	storage::AssignmentView,
};
use landmesh_runtime::AccountId;
use std::{io::Write, path::Path, time::Instant};

/// The roots of the replica of `order` this node sealed, if the store's `pins` (read once
/// per pass by the caller) hold both.
pub fn sealed(pins: &[(ContentId, Pin)], order: u64) -> Option<SealRoots> {
	let find = |wanted: Pin| pins.iter().find(|(_, p)| *p == wanted).map(|(root, _)| *root);
	Some(SealRoots { labels: find(Pin::ReplicaChain(order))?, replica: find(Pin::SealedReplica(order))? })
}

/// Seals `miner`'s replica of the stored content of assignment `a` into `dir` and the
/// store; returns its roots. Blocks for as long as the labels take (minutes on the main
/// chain: run it off the async threads).
pub fn seal(store: &Store, dir: &Path, miner: &AccountId, a: &AssignmentView, sector_size: u64) -> Result<SealRoots, String> {
	std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let started = Instant::now();
	let layout = Layout::new(a.size, sector_size);
	let seed = replica::replica_seed(miner, a.order, &a.content_id);
	let chain_path = dir.join(format!("{}.v1.chain", a.order));
	crate::sealer::seal_labels(&chain_path, &seed, layout.chain_chunks(), &format!("the replica of order {}", a.order))?;
	let chain = std::fs::File::open(&chain_path).map_err(|e| format!("cannot open {}: {e}", chain_path.display()))?;

	// The replica: the content XOR the mask, a piece at a time.
	let replica_path = dir.join(format!("{}.v1.replica", a.order));
	let mut out = std::io::BufWriter::new(
		std::fs::File::create(&replica_path).map_err(|e| format!("cannot create {}: {e}", replica_path.display()))?,
	);
	let mask_at = layout.prefix * CHUNK_SIZE;
	let mut mask = Vec::new();
	let mut offset = 0u64;
	let mut failed: Option<String> = None;
	store
		.read(&a.content_id, 0..a.size, |piece| {
			use std::os::unix::fs::FileExt;
			mask.resize(piece.len(), 0);
			let sealed = chain
				.read_exact_at(&mut mask, mask_at + offset)
				.map(|()| replica::seal_chunk(&piece, &mask))
				.and_then(|sealed| out.write_all(&sealed));
			if let Err(e) = sealed {
				failed.get_or_insert(format!("cannot seal the replica of order {}: {e}", a.order));
			}
			offset += piece.len() as u64;
			Ok(())
		})
		.map_err(|e| format!("cannot read content {:?}: {e}", a.content_id))?;
	if let Some(e) = failed {
		return Err(e);
	}
	out.into_inner().map_err(|e| format!("cannot write {}: {e}", replica_path.display()))?.sync_all().map_err(|e| e.to_string())?;
	let import = |path: &Path, pin: Pin| {
		store.import_file(path, None, Some(pin)).map_err(|e| format!("cannot store {} (raise --storage-limit?): {e}", path.display()))
	};
	let labels = import(&chain_path, Pin::ReplicaChain(a.order))?.root;
	let sealed = import(&replica_path, Pin::SealedReplica(a.order))?.root;
	let _ = std::fs::remove_file(&chain_path);
	let _ = std::fs::remove_file(&replica_path);
	log::info!(
		target: "mesh",
		"🔏 Sealed the replica of order {} ({} bytes) in {:.1} s: {sealed:?}",
		a.order,
		a.size,
		started.elapsed().as_secs_f64()
	);
	Ok(SealRoots { labels, replica: sealed })
}

/// The seal proof of `miner`'s replica of assignment `a`, committed as `roots`, for the
/// chain's `draws`: one answer per draw and the content's last chunk, all from the store.
pub fn seal_proof(
	store: &Store,
	miner: &AccountId,
	a: &AssignmentView,
	roots: &SealRoots,
	draws: &[(u64, u64)],
	sector_size: u64,
) -> Result<(ChunkProof, Vec<SealDraw>), challenge::ProofError> {
	let layout = Layout::new(a.size, sector_size);
	let seed = replica::replica_seed(miner, a.order, &a.content_id);
	let link = |u: u64| -> Result<_, challenge::ProofError> {
		challenge::sector_links(store, &roots.labels, &seed, &[u])?.pop().ok_or(challenge::ProofError::NoSuchChunk(u))
	};
	let answers = draws
		.iter()
		.map(|&(chain, mask)| {
			let c = filler::chunk_of(mask).checked_sub(layout.prefix).ok_or(challenge::ProofError::NoSuchChunk(mask))?;
			Ok(SealDraw {
				chain: link(chain)?,
				mask: link(mask)?,
				sealed: challenge::chunk_proof(store, &roots.replica, c)?,
				data: challenge::chunk_proof(store, &a.content_id, c)?,
			})
		})
		.collect::<Result<Vec<_>, challenge::ProofError>>()?;
	let last = challenge::chunk_proof(store, &a.content_id, proof::chunk_count(a.size) - 1)?;
	Ok((last, answers))
}

/// The order a pin of this node's sealing (a chain or a sealed replica) is for.
pub fn seal_pin_order(pin: &Pin) -> Option<u64> {
	match pin {
		Pin::ReplicaChain(order) | Pin::SealedReplica(order) => Some(*order),
		_ => None,
	}
}
