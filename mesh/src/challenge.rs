//! Answers to storage challenges: the chunk proofs the chain verifies
//! (`landmesh_primitives::proof`), computed from the store without reading the content.
//!
//! A proof needs the sibling chaining values from a 1 KiB chunk up to the root. Above
//! the 16 KiB groups they are in the outboard: the verified encoding of the chunk's group
//! carries exactly the hash pairs on its path, top-down. Inside the group they are hashed
//! from the group's bytes. So a proof costs one group read, whatever the content's size,
//! and is checked against the content id before it is returned.

use crate::{
	store::{Store, StoreError},
	verified::GROUP_BYTES,
	ContentId,
};
use landmesh_primitives::{
	filler::{self, SectorLink},
	proof::{self, ChunkProof, CHUNK_SIZE},
};

/// Why no proof could be made.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
	/// The store failed (not stored, corrupt, disk).
	#[error(transparent)]
	Store(#[from] StoreError),
	/// The content has no chunk at this index.
	#[error("the content has no chunk {0}")]
	NoSuchChunk(u64),
	/// What the store holds does not prove against the content id (a bug or corruption).
	#[error("the stored tree does not prove chunk {0}")]
	Inconsistent(u64),
}

/// The proof of chunk `index` of the stored content `root`.
pub fn chunk_proof(store: &Store, root: &ContentId, index: u64) -> Result<ChunkProof, ProofError> {
	let size = store.info(root)?.ok_or(StoreError::NotFound(*root))?.size;
	let chunk_len = proof::chunk_len(size, index).map_err(|_| ProofError::NoSuchChunk(index))?;
	let target = index * CHUNK_SIZE;
	let group_start = target - target % GROUP_BYTES;
	let group_end = (group_start + GROUP_BYTES).min(size);
	let encoded = store.encode_range(root, group_start..group_end.max(group_start + 1))?;

	// The path top-down: direction, the sibling's byte range, and the size of the node.
	let mut steps = Vec::new();
	let mut node = size;
	proof::walk_path(size, index, |goes_left, from, to| {
		steps.push((goes_left, from, to, node));
		node -= to - from;
	});
	// At nodes larger than a group the sibling's value is in the next hash pair of the
	// encoding; inside the group it is hashed from the group's bytes, which follow the
	// pairs.
	let levels_above_group = steps.iter().take_while(|s| s.3 > GROUP_BYTES).count();
	let group = encoded.get(levels_above_group * 64..).ok_or(ProofError::Inconsistent(index))?;
	if group.len() as u64 != group_end - group_start {
		return Err(ProofError::Inconsistent(index));
	}
	let mut siblings = Vec::with_capacity(steps.len());
	for (level, (goes_left, from, to, node)) in steps.into_iter().enumerate() {
		let sibling = if node > GROUP_BYTES {
			let pair = &encoded[level * 64..level * 64 + 64];
			let half = if goes_left { &pair[32..] } else { &pair[..32] };
			<[u8; 32]>::try_from(half).map_err(|_| ProofError::Inconsistent(index))?
		} else {
			let bytes = &group[(from - group_start) as usize..(to - group_start) as usize];
			use blake3::hazmat::HasherExt;
			blake3::Hasher::new().set_input_offset(from).update(bytes).finalize_non_root()
		};
		siblings.push(sibling);
	}
	siblings.reverse();
	let at = (target - group_start) as usize;
	let proof = ChunkProof {
		chunk: group[at..at + chunk_len].to_vec().try_into().map_err(|_| ProofError::Inconsistent(index))?,
		siblings: siblings.try_into().map_err(|_| ProofError::Inconsistent(index))?,
	};
	proof::verify(root, size, index, &proof).map_err(|_| ProofError::Inconsistent(index))?;
	Ok(proof)
}

/// The links answering labels `indices` of the stored filler sector `root` derived with
/// `seed` (a seal proof or a sector challenge): for each label, proofs of the chunks
/// holding it, its predecessor and its parents. Label 0 has no links.
pub fn sector_links(
	store: &Store,
	root: &ContentId,
	seed: &[u8; 32],
	indices: &[u64],
) -> Result<Vec<SectorLink>, ProofError> {
	indices
		.iter()
		.map(|&u| {
			let previous = u.checked_sub(1).ok_or(ProofError::NoSuchChunk(u))?;
			let p = filler::parents(seed, u);
			let prove = |label| chunk_proof(store, root, filler::chunk_of(label));
			Ok(SectorLink {
				chunk: prove(u)?,
				previous: prove(previous)?,
				parents: [prove(p[0])?, prove(p[1])?, prove(p[2])?, prove(p[3])?],
			})
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn proofs_from_the_store_equal_proofs_from_the_bytes() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), 1 << 30).unwrap();
		for size in [0usize, 1, 1024, 1025, 16 * 1024, 16 * 1024 + 1, 100_000, 1 << 20] {
			let bytes: Vec<u8> = (0..size).map(|i| (i * 13 % 251) as u8).collect();
			let root = store.import(&bytes[..], None, u64::MAX, None, None).unwrap().root;
			let chunks = proof::chunk_count(size as u64);
			let indices: Vec<u64> = if chunks <= 40 { (0..chunks).collect() } else { vec![0, 1, 15, 16, 17, chunks / 2, chunks - 2, chunks - 1] };
			for i in indices {
				let from_store = chunk_proof(&store, &root, i).unwrap();
				assert_eq!(from_store, proof::prove(&bytes, i).unwrap(), "size {size}, chunk {i}");
			}
			assert!(matches!(chunk_proof(&store, &root, chunks), Err(ProofError::NoSuchChunk(_))));
		}
		assert!(matches!(chunk_proof(&store, &ContentId([1; 32]), 0), Err(ProofError::Store(StoreError::NotFound(_)))));
	}
}
