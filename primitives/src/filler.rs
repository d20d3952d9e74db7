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
//! `seed = BLAKE3-derive-key("landmesh filler sector v1", miner || sector index)`. Chunk 0
//! is the seed's keyed XOF. Chunk `j > 0` is the keyed XOF (key = seed) of
//! `j || chunk[j-1] || chunk[p1] || ... || chunk[pD]`, where the `D` parents `p_i < j` are
//! chosen pseudo-randomly from the seed. Generation is sequential (each chunk needs the
//! previous one) and needs random access to everything generated so far.
//!
//! ## Threat model, and its limits
//!
//! - *Goal:* a miner that discards a sector cannot answer a challenge on it before the
//!   deadline (a few blocks). Regenerating chunk `j` from nothing costs `j` sequential
//!   derivations; with [`SECTOR_SIZE`] = 4 GiB (4 Mi chunks) at about 7 µs per derivation
//!   on one core (measured on the development machine: 16 Ki chunks in 120 ms), that is
//!   ~30 s for the last chunk and ~15 s on average, against a deadline of ~9 s: one index
//!   can be regenerated in time with probability ~0.3, four indices with ~0.008.
//! - *Checkpoints:* a cheater could keep every k-th chunk and regenerate forwards from
//!   the nearest one. The random parents are there to make this expensive: a chunk needs
//!   its parents, which are themselves missing with probability `1 - 1/k` and need their
//!   own parents, and so on. This is the idea of depth-robust graphs (Filecoin's SDR), but
//!   this construction is **a heuristic with no proof** of depth robustness, and a
//!   determined cheater with many cores can parallelise the regeneration of independent
//!   parents. It raises the cost of faking idle space; it does not make it impossible.
//! - *Honest cost:* sealing a sector takes ~30 s of one core (~2 h per TiB), once.
//! - *Commitment:* the runtime cannot recompute a 4 GiB sector, so a miner could commit a
//!   root of arbitrary bytes. The link check catches that with a probability equal to the
//!   fraction of wrongly derived chunks per challenged index, so a sector that is mostly
//!   garbage is caught quickly, one with a few bad chunks slowly.
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
const CONTEXT: &str = "landmesh filler sector v1";

/// The secret-free seed of sector `index` of `miner` (anything SCALE-encodable: an
/// account id).
pub fn sector_seed<AccountId: Encode>(miner: &AccountId, index: u32) -> [u8; 32] {
	let mut hasher = blake3::Hasher::new_derive_key(CONTEXT);
	hasher.update(&miner.encode());
	hasher.update(&index.to_le_bytes());
	*hasher.finalize().as_bytes()
}

/// The parents of chunk `j > 0`: `PARENTS` indices below `j`, fixed by the seed.
pub fn parents(seed: &[u8; 32], j: u64) -> [u64; PARENTS] {
	let mut out = [0u64; PARENTS];
	if j == 0 {
		return out;
	}
	let mut hasher = blake3::Hasher::new_keyed(seed);
	hasher.update(b"parents");
	hasher.update(&j.to_le_bytes());
	let mut xof = hasher.finalize_xof();
	for parent in out.iter_mut() {
		let mut word = [0u8; 8];
		xof.fill(&mut word);
		*parent = u64::from_le_bytes(word) % j;
	}
	out
}

/// Chunk `j` of the sector with this seed, from its predecessor and its parents (in the
/// order of [`parents`]); chunk 0 takes neither.
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
	let mut out = [0u8; CHUNK];
	hasher.finalize_xof().fill(&mut out);
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
}
