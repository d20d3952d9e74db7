//! Filler sectors: idle capacity made provable.
//!
//! A miner declares capacity it has not been assigned content for; to show the space is
//! really there, it fills it with *sectors* whose bytes nobody else can supply and commits
//! each sector's [`ContentId`] on chain. Challenges then ask for chunks of a sector exactly
//! as for assigned content (a chunk proof against the committed root), plus a *link check*:
//! the challenged chunk must be derived from its predecessor and its parents as below.
//!
//! ## Derivation
//!
//! `seed = BLAKE3-derive-key("landmesh filler sector v2", miner || sector index)`. Chunk
//! `j > 0` is derived from `j`, chunk `j-1` and `PARENTS` = 4 earlier chunks named by
//! [`parents`]: a keyed hash (key = seed) of all of them, then [`LABEL_ROUNDS`] sequential
//! BLAKE3 rounds over the 32-byte digest, then the keyed XOF to 1 KiB; chunk 0 takes
//! neither. Parents are drawn at a random power-of-two distance (DRSample's buckets), so
//! each chunk has parents near and far. Generation is sequential (each chunk needs the one
//! before it) and needs random access to everything generated so far.
//!
//! ## Threat model, with the numbers (`scripts/bench-proofs`, on the 2-core development
//! machine)
//!
//! - *Goal:* a miner that keeps at most 10% of a sector fails a challenge on it (4 chunks,
//!   answered within 18 s: 5 blocks of 3 s and the block in which the randomness is known)
//!   with probability ≥ 99%, even with hardware 10× faster per derivation and unlimited
//!   cores.
//! - *Cost model:* regenerating a dropped chunk needs the chain of dropped chunks it
//!   depends on, derived one after the other (the *path*, see [`regeneration`]); a
//!   derivation takes 777 µs here (8 192 rounds), so a cheater 10× faster answers in time
//!   only chunks whose path is at most 18 s × 10 / 777 µs ≈ 231 500 derivations, 5.5% of a
//!   4 Mi-chunk sector. The best of nine ways of choosing the 10% tried (keeping the most
//!   depended-on chunks) leaves 23% of the chunks in reach, so 4 chunks pass with
//!   probability 0.23⁴ = 0.28%; every 10th chunk, 0.15%; random, 0.11%. The previous
//!   construction (uniform parents, one hash, 7.9 µs) passed every one of them: its paths
//!   are at most ~1 450 derivations when every 10th chunk is kept.
//! - *Few cores:* a cheater with this machine's 2 cores needs the total work as well, a
//!   median of 650–780 s per challenged chunk, 36× the deadline.
//! - *Limits:* the graph has no proof of depth robustness; better strategies may exist,
//!   which is what the 10× margin is for. The bound holds for the runtime's sector size:
//!   paths grow with the sector, so smaller sectors (the test runtimes') are not secure.
//! - *Honest cost:* sealing is slow on purpose: 1.26 MiB/s per core, 54 min of one core
//!   per 4 GiB sector (~9 days of one core per TiB; sectors seal in parallel, one per
//!   core). Verifying a link (7 chunk proofs and one derivation) takes 0.8 ms natively.
//! - *Commitment:* the runtime cannot recompute a 4 GiB sector, so a miner could commit a
//!   root of arbitrary bytes. The seal proof (`miners.prove_sector`, 8 chunks drawn after
//!   the commit) and every challenge check links, catching a sector whose share `g` of
//!   chunks is not derived with probability `1 - (1 - g)^8` at sealing. Wrong bytes save
//!   sealing CPU, not space.
//! - *Outsourcing:* nothing stops a miner from fetching the chunks from another machine
//!   that holds the sector; proofs of space show that *someone* stores it, not where.

use crate::{
	proof::{self, ChunkProof, ProofError},
	ContentId,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Bytes in a filler sector: 4 GiB.
pub const SECTOR_SIZE: u64 = 4 << 30;
/// Parents of each chunk besides its predecessor.
pub const PARENTS: usize = 4;
const _: () = assert!(PARENTS == 4, "SectorLink and verify_link spell out four parents");
/// The chunk size (BLAKE3's).
const CHUNK: usize = blake3::CHUNK_LEN;

#[cfg(feature = "std")]
pub mod regeneration;
const CONTEXT: &str = "landmesh filler sector v2";

/// The secret-free seed of sector `index` of `miner` (anything SCALE-encodable: an
/// account id).
pub fn sector_seed<AccountId: Encode>(miner: &AccountId, index: u32) -> [u8; 32] {
	let mut hasher = blake3::Hasher::new_derive_key(CONTEXT);
	hasher.update(&miner.encode());
	hasher.update(&index.to_le_bytes());
	*hasher.finalize().as_bytes()
}

/// Sequential hash rounds in each chunk's derivation: the work that makes a chunk slow
/// to redo. Each round is one BLAKE3 compression of the last 32-byte digest, so no round
/// can start before the one before it ends. (See the threat model above for why this
/// number.)
pub const LABEL_ROUNDS: u32 = 8192;

/// The parents of chunk `j > 0`: `PARENTS` indices below `j`, fixed by the seed. Each is
/// drawn at a distance from a random power-of-two scale (DRSample's bucket sampling:
/// scale `2^b`, `b` uniform below the bit length of `j`, distance uniform in
/// `[2^b, 2^(b+1))`, clipped to `j`), so every chunk has parents near and far and no
/// spacing of kept chunks cuts the paths between the others.
pub fn parents(seed: &[u8; 32], j: u64) -> [u64; PARENTS] {
	let mut out = [0u64; PARENTS];
	if j == 0 {
		return out;
	}
	let mut hasher = blake3::Hasher::new_keyed(seed);
	hasher.update(b"parents");
	hasher.update(&j.to_le_bytes());
	let mut xof = hasher.finalize_xof();
	let scales = u64::from(64 - j.leading_zeros());
	for parent in out.iter_mut() {
		let mut word = [0u8; 16];
		xof.fill(&mut word);
		let scale = u64::from_le_bytes(word[..8].try_into().expect("8 of 16 bytes")) % scales;
		let low = 1u64 << scale;
		let distance = low + u64::from_le_bytes(word[8..].try_into().expect("8 of 16 bytes")) % low;
		*parent = j - distance.min(j);
	}
	out
}

/// Chunk `j` of the sector with this seed, from its predecessor and its parents (in the
/// order of [`parents`]); chunk 0 takes neither. A keyed hash of the inputs, then
/// [`LABEL_ROUNDS`] sequential rounds, then the keyed XOF to a chunk.
pub fn derive_chunk(seed: &[u8; 32], j: u64, previous: &[u8], parent_chunks: &[&[u8]; PARENTS]) -> [u8; CHUNK] {
	let mut hasher = blake3::Hasher::new_keyed(seed);
	hasher.update(b"chunk");
	hasher.update(&j.to_le_bytes());
	if j > 0 {
		hasher.update(previous);
		for parent in parent_chunks {
			hasher.update(parent);
		}
	}
	let mut digest = *hasher.finalize().as_bytes();
	for _ in 0..LABEL_ROUNDS {
		digest = *blake3::hash(&digest).as_bytes();
	}
	let mut out = [0u8; CHUNK];
	let mut expand = blake3::Hasher::new_keyed(seed);
	expand.update(b"expand");
	expand.update(&digest);
	expand.finalize_xof().fill(&mut out);
	out
}

/// The link check: whether `chunk` is chunk `j` given its predecessor and parents.
pub fn check_link(seed: &[u8; 32], j: u64, chunk: &[u8], previous: &[u8], parent_chunks: &[&[u8]; PARENTS]) -> bool {
	derive_chunk(seed, j, previous, parent_chunks)[..] == *chunk
}

/// The answer for one challenged chunk `j ≥ 1` of a sector: proofs of the chunk, of its
/// predecessor and of its parents, all against the sector's committed root.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct SectorLink {
	/// Chunk `j`.
	pub chunk: ChunkProof,
	/// Chunk `j - 1`.
	pub previous: ChunkProof,
	/// The chunks [`parents`] names, in its order.
	pub parents: [ChunkProof; PARENTS],
}

/// Why a sector answer was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LinkError {
	/// Chunk 0 has no links; sector challenges ask for `j ≥ 1`.
	FirstChunk,
	/// One of the proofs is wrong.
	Proof(ProofError),
	/// Every chunk is in the committed sector, but chunk `j` is not derived from the
	/// others: the sector is not the miner's filler.
	Broken,
}

/// Checks a [`SectorLink`] for chunk `j` of the sector of `size` bytes with `seed` and
/// committed `root`: seven chunk proofs and one derivation.
pub fn verify_link(root: &ContentId, size: u64, seed: &[u8; 32], j: u64, link: &SectorLink) -> Result<(), LinkError> {
	if j == 0 {
		return Err(LinkError::FirstChunk);
	}
	let parent_indices = parents(seed, j);
	proof::verify(root, size, j, &link.chunk).map_err(LinkError::Proof)?;
	proof::verify(root, size, j - 1, &link.previous).map_err(LinkError::Proof)?;
	for (p, proof) in parent_indices.iter().zip(link.parents.iter()) {
		proof::verify(root, size, *p, proof).map_err(LinkError::Proof)?;
	}
	let parent_chunks = [0, 1, 2, 3].map(|i| &link.parents[i].chunk[..]);
	if check_link(seed, j, &link.chunk.chunk, &link.previous.chunk, &parent_chunks) {
		Ok(())
	} else {
		Err(LinkError::Broken)
	}
}

/// A sector of `size` bytes in which only what links for the chunks `js` need is real
/// (each challenged chunk derived from predecessors and parents that all hold the same
/// bytes): its root and the links, in the order of `js`. For benchmarks, which need
/// full-depth proofs of a 4 GiB sector without generating it. `None` if a challenged chunk
/// is another's predecessor or parent, or is chunk 0.
pub fn sparse_links(seed: &[u8; 32], size: u64, js: &[u64]) -> Option<(ContentId, alloc::vec::Vec<SectorLink>)> {
	let other = [1u8; CHUNK];
	let derived: alloc::vec::Vec<[u8; CHUNK]> =
		js.iter().map(|j| derive_chunk(seed, *j, &other, &[&other[..]; PARENTS])).collect();
	let mut known: alloc::vec::Vec<(u64, &[u8])> = alloc::vec::Vec::new();
	for &j in js {
		if j == 0 {
			return None;
		}
		known.extend(parents(seed, j).iter().chain([&(j - 1)]).map(|i| (*i, &other[..])));
	}
	known.sort_by_key(|(i, _)| *i);
	known.dedup_by_key(|(i, _)| *i);
	if js.iter().any(|j| known.iter().any(|(i, _)| i == j)) {
		return None;
	}
	known.extend(js.iter().zip(derived.iter()).map(|(j, c)| (*j, &c[..])));
	known.sort_by_key(|(i, _)| *i);
	known.dedup_by_key(|(i, _)| *i);
	let (root, proofs) = proof::prove_sparse(size, &known)?;
	let proof_of = |i: u64| known.iter().position(|(k, _)| *k == i).map(|at| proofs[at].clone());
	let links = js
		.iter()
		.map(|j| {
			let p = parents(seed, *j);
			Some(SectorLink {
				chunk: proof_of(*j)?,
				previous: proof_of(j - 1)?,
				parents: [proof_of(p[0])?, proof_of(p[1])?, proof_of(p[2])?, proof_of(p[3])?],
			})
		})
		.collect::<Option<_>>()?;
	Some((ContentId(root), links))
}

/// The [`SectorLink`] for chunk `j` of a sector held in memory.
#[cfg(feature = "std")]
pub fn prove_link(sector: &[u8], seed: &[u8; 32], j: u64) -> Result<SectorLink, ProofError> {
	let prove = |i| proof::prove(sector, i);
	let p = parents(seed, j);
	Ok(SectorLink {
		chunk: prove(j)?,
		previous: prove(j.checked_sub(1).ok_or(ProofError::IndexOutOfRange)?)?,
		parents: [prove(p[0])?, prove(p[1])?, prove(p[2])?, prove(p[3])?],
	})
}

/// Generates a whole sector of `chunks` chunks in memory (for tests and small sectors; the
/// mesh seals real sectors to disk) and returns it with its root.
#[cfg(feature = "std")]
pub fn generate(seed: &[u8; 32], chunks: u64) -> (alloc::vec::Vec<u8>, crate::ContentId) {
	let mut sector = alloc::vec![0u8; chunks as usize * CHUNK];
	for j in 0..chunks {
		let at = |i: u64| i as usize * CHUNK;
		let (done, rest) = sector.split_at_mut(at(j));
		let chunk = if j == 0 {
			derive_chunk(seed, 0, &[], &[&[]; PARENTS])
		} else {
			let p = parents(seed, j);
			let parent_chunks = p.map(|i| &done[at(i)..at(i) + CHUNK]);
			derive_chunk(seed, j, &done[at(j - 1)..], &parent_chunks)
		};
		rest[..CHUNK].copy_from_slice(&chunk);
	}
	let root = crate::ContentId(*blake3::hash(&sector).as_bytes());
	(sector, root)
}

/// Seals a sector of `chunks` chunks into `file`, going on from the whole chunks already
/// there (a seal interrupted by a restart resumes where it stopped; a torn last chunk is
/// derived again). Earlier chunks are read back from the file, so memory stays flat
/// whatever the sector's size. `progress(done)` is called about every 1% and returns
/// whether to go on: `Ok(false)` means stopped early, the file holding what was done.
#[cfg(feature = "std")]
pub fn seal_file(
	file: &std::fs::File,
	seed: &[u8; 32],
	chunks: u64,
	mut progress: impl FnMut(u64) -> bool,
) -> std::io::Result<bool> {
	use std::os::unix::fs::FileExt;
	let chunk_bytes = CHUNK as u64;
	let done = (file.metadata()?.len() / chunk_bytes).min(chunks);
	file.set_len(done * chunk_bytes)?;
	let read = |i: u64| -> std::io::Result<[u8; CHUNK]> {
		let mut chunk = [0u8; CHUNK];
		file.read_exact_at(&mut chunk, i * chunk_bytes)?;
		Ok(chunk)
	};
	let mut previous = if done > 0 { read(done - 1)? } else { [0u8; CHUNK] };
	let step = (chunks / 100).max(1);
	for j in done..chunks {
		let chunk = if j == 0 {
			derive_chunk(seed, 0, &[], &[&[]; PARENTS])
		} else {
			let p = parents(seed, j);
			let parent_chunks = [read(p[0])?, read(p[1])?, read(p[2])?, read(p[3])?];
			derive_chunk(seed, j, &previous, &parent_chunks.each_ref().map(|c| &c[..]))
		};
		file.write_all_at(&chunk, j * chunk_bytes)?;
		previous = chunk;
		if (j + 1) % step == 0 && j + 1 < chunks && !progress(j + 1) {
			file.sync_data()?;
			return Ok(false);
		}
	}
	file.sync_all()?;
	Ok(true)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::proof::{prove, verify};

	#[test]
	fn sectors_are_deterministic_and_distinct_per_miner_and_index() {
		let a = generate(&sector_seed(&[1u8; 32], 0), 64);
		assert_eq!(a, generate(&sector_seed(&[1u8; 32], 0), 64));
		assert_ne!(a.1, generate(&sector_seed(&[2u8; 32], 0), 64).1);
		assert_ne!(a.1, generate(&sector_seed(&[1u8; 32], 1), 64).1);
		// A sector's prefix does not depend on its length.
		assert_eq!(generate(&sector_seed(&[1u8; 32], 0), 16).0[..], a.0[..16 * CHUNK]);
	}

	#[test]
	fn parents_come_before_the_chunk() {
		let seed = sector_seed(&7u64, 3);
		for j in 1..500 {
			assert!(parents(&seed, j).iter().all(|p| *p < j));
		}
	}

	#[test]
	fn a_challenged_chunk_is_proven_and_its_link_checked() {
		let seed = sector_seed(&[9u8; 32], 5);
		let chunks = 100u64;
		let (sector, root) = generate(&seed, chunks);
		let size = sector.len() as u64;
		let chunk_at = |i: u64| &sector[i as usize * CHUNK..(i as usize + 1) * CHUNK];
		let j = 77;
		// Every chunk the link check needs is proven against the committed root...
		let mut needed = vec![j, j - 1];
		needed.extend(parents(&seed, j));
		for i in needed {
			assert_eq!(verify(&root, size, i, &prove(&sector, i).unwrap()), Ok(()));
		}
		// ...and the chunk is derived from them.
		let parent_chunks = parents(&seed, j).map(chunk_at);
		assert!(check_link(&seed, j, chunk_at(j), chunk_at(j - 1), &parent_chunks));
		// A sector of other bytes committed under its own root fails the link check.
		let mut forged = chunk_at(j).to_vec();
		forged[0] ^= 1;
		assert!(!check_link(&seed, j, &forged, chunk_at(j - 1), &parent_chunks));
		assert!(!check_link(&sector_seed(&[8u8; 32], 5), j, chunk_at(j), chunk_at(j - 1), &parent_chunks));
	}

	#[test]
	fn a_link_answer_verifies_only_for_a_derived_sector() {
		let seed = sector_seed(&[4u8; 32], 0);
		let (sector, root) = generate(&seed, 40);
		let size = sector.len() as u64;
		for j in [1, 2, 17, 39] {
			assert_eq!(verify_link(&root, size, &seed, j, &prove_link(&sector, &seed, j).unwrap()), Ok(()));
		}
		assert_eq!(
			verify_link(&root, size, &seed, 0, &prove_link(&sector, &seed, 1).unwrap()),
			Err(LinkError::FirstChunk)
		);
		// The answer for another index, or another miner's seed, is refused.
		let link = prove_link(&sector, &seed, 17).unwrap();
		assert!(matches!(verify_link(&root, size, &seed, 18, &link), Err(LinkError::Proof(_))));
		// Bytes that are not the derivation, committed under their own root, are found.
		let mut forged = sector.clone();
		forged[17 * CHUNK] ^= 1;
		let forged_root = ContentId(*blake3::hash(&forged).as_bytes());
		let link = prove_link(&forged, &seed, 17).unwrap();
		assert_eq!(verify_link(&forged_root, size, &seed, 17, &link), Err(LinkError::Broken));
	}

	/// Attack: a miner keeps 10% of a sector, chosen by each of the strategies in
	/// `regeneration`, and regenerates a challenged chunk from what it kept. Must hold: at
	/// most a share `p` of the chunks is within the path a cheater 10× faster than the
	/// development machine derives within the deadline (5.5% of the sector: see the threat
	/// model), with `p^4 < 1%`. A sector of 64 Ki chunks stands in for the 4 Mi of the
	/// runtime (paths grow in proportion: `scripts/bench-proofs` has the full size).
	#[test]
	fn a_miner_keeping_a_tenth_of_a_sector_must_redo_long_chains() {
		use regeneration::{in_time, Dependencies};
		let chunks = 1 << 16;
		let sector = Dependencies::of_sector(&sector_seed(&[3u8; 32], 0), chunks);
		let in_reach = 0.055 * chunks as f64;
		let cheaters = sector.cheaters(0.10);
		assert!(cheaters.len() >= 8);
		for (strategy, kept) in cheaters {
			let share = kept.iter().filter(|k| **k).count() as f64 / chunks as f64;
			assert!(share <= 0.11, "{strategy} keeps {share}");
			let p = in_time(&sector.paths(&kept), in_reach);
			assert!(p.powi(4) < 0.01, "{strategy}: {p} of the chunks are in reach, a challenge passes with {}", p.powi(4));
		}
		// Spaced checkpoints, which defeated uniform parents, leave long chains.
		let every_tenth: Vec<bool> = (0..chunks).map(|j| j % 10 == 0).collect();
		let paths = sector.paths(&every_tenth);
		assert!(paths.iter().max().copied().unwrap_or(0) > (chunks / 4) as u32);
	}

	#[test]
	fn parents_are_drawn_near_and_far() {
		let seed = sector_seed(&[5u8; 32], 1);
		let j = 1u64 << 20;
		let distances: Vec<u64> = (j..j + 2_000).flat_map(|k| parents(&seed, k).map(|p| k - p)).collect();
		assert!(distances.iter().all(|d| (1..=j * 2).contains(d)));
		assert!(distances.iter().filter(|d| **d <= 4).count() > 200, "short links cross spaced checkpoints");
		assert!(distances.iter().filter(|d| **d >= 1 << 16).count() > 1_000, "long links reach far back");
	}

	/// A seal stopped part-way (a node restarted), with a torn chunk at the end, resumes
	/// to exactly the bytes of a seal done in one go.
	#[test]
	fn an_interrupted_seal_resumes_to_the_same_sector() {
		let seed = sector_seed(&[6u8; 32], 2);
		let chunks = 300;
		let (whole, _) = generate(&seed, chunks);
		let dir = std::env::temp_dir().join(format!("landmesh-seal-{}", std::process::id()));
		let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&dir).unwrap();
		let mut calls = 0;
		assert!(!seal_file(&file, &seed, chunks, |_| {
			calls += 1;
			calls < 40
		})
		.unwrap());
		let stopped = file.metadata().unwrap().len();
		assert!(stopped > 0 && stopped < chunks * CHUNK as u64, "stopped part-way: {stopped}");
		std::os::unix::fs::FileExt::write_all_at(&file, &[0xAB; 100], stopped).unwrap();
		assert!(seal_file(&file, &seed, chunks, |_| true).unwrap());
		assert_eq!(std::fs::read(&dir).unwrap(), whole);
		let _ = std::fs::remove_file(&dir);
	}
}
