//! Chunk proofs: evidence that whoever produced them holds one 1 KiB chunk of a content.
//!
//! A [`ContentId`] is the root of BLAKE3's own binary tree over 1 KiB chunks, so no
//! separate Merkle tree is kept: a proof is the chunk itself (shorter for the last one)
//! plus the chaining values of the sibling subtrees on the path from the chunk to the
//! root, leaf first. [`verify`] recomputes the chunk's chaining value, folds the siblings
//! in, and compares the root with the content id. Its cost is one chunk compression plus
//! one parent compression per level (at most [`MAX_DEPTH`]), with no allocation, so the
//! runtime can afford it in a transaction.
//!
//! The tree's shape depends only on the content's size: a node covering `len > 1024`
//! bytes has a left subtree of the largest power-of-two number of chunks smaller than
//! `len` (BLAKE3's `left_subtree_len`), and the rest on the right. The verifier derives
//! the path from `(size, index)`, so a proof cannot move a chunk to another position.
//!
//! The root commits to the bytes, and so to their length, but one chunk's proof only
//! shows the shape of its own path: the proof of an early chunk can verify under a size
//! that differs from the real one in a later subtree. A false size is exposed by the last
//! chunk, whose length and position pin the size exactly: whoever relies on a size
//! (storage orders) must have the last chunk proven once.

use crate::ContentId;
use blake3::hazmat::{merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;

/// The size of a chunk: BLAKE3's own.
pub const CHUNK_SIZE: u64 = blake3::CHUNK_LEN as u64;
/// The most siblings a proof can need: a tree over 2^64 bytes of 2^10-byte chunks.
pub const MAX_DEPTH: u32 = 54;

/// A chunk and the sibling chaining values from it up to the root.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct ChunkProof {
	/// The chunk's bytes: [`CHUNK_SIZE`], or what is left for the last chunk.
	pub chunk: BoundedVec<u8, ConstU32<{ CHUNK_SIZE as u32 }>>,
	/// Chaining values of the siblings on the path, nearest the chunk first.
	pub siblings: BoundedVec<[u8; 32], ConstU32<MAX_DEPTH>>,
}

/// Why a proof was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ProofError {
	/// The content has no chunk with this index.
	IndexOutOfRange,
	/// The chunk is not as long as the chunk at this index must be.
	WrongChunkLength,
	/// The proof has more or fewer siblings than the path to this chunk has levels.
	WrongDepth,
	/// The rebuilt root is not the content id: the chunk or a sibling is wrong.
	RootMismatch,
}

/// How many chunks a content of `size` bytes has (an empty content has one, empty, chunk).
pub fn chunk_count(size: u64) -> u64 {
	size.div_ceil(CHUNK_SIZE).max(1)
}

/// The length the chunk at `index` of a `size`-byte content must have.
pub fn chunk_len(size: u64, index: u64) -> Result<usize, ProofError> {
	if index >= chunk_count(size) {
		return Err(ProofError::IndexOutOfRange);
	}
	Ok((size - index * CHUNK_SIZE).min(CHUNK_SIZE) as usize)
}

/// The bytes in the left subtree of a node covering `len > CHUNK_SIZE` bytes: the largest
/// power-of-two number of whole chunks that leaves at least one byte for the right.
/// (BLAKE3's `hazmat::left_subtree_len`, written so it cannot overflow near `u64::MAX`.)
pub fn left_subtree_len(len: u64) -> u64 {
	(len / 2 + len % 2).next_power_of_two()
}

/// The levels from the root down to chunk `index`: for each, whether the path goes left,
/// and the byte range `(start, end)` of the sibling subtree. Calls `step` top-down; returns
/// the depth.
pub fn walk_path(size: u64, index: u64, mut step: impl FnMut(bool, u64, u64)) -> u32 {
	let target = index * CHUNK_SIZE;
	let (mut start, mut len) = (0u64, size);
	let mut depth = 0;
	while len > CHUNK_SIZE {
		let left = left_subtree_len(len);
		if target < start + left {
			step(true, start + left, start + len);
			len = left;
		} else {
			step(false, start, start + left);
			start += left;
			len -= left;
		}
		depth += 1;
	}
	depth
}

/// How many siblings the proof of chunk `index` of a `size`-byte content carries.
pub fn depth(size: u64, index: u64) -> u32 {
	walk_path(size, index, |_, _, _| {})
}

/// Checks that `proof` shows chunk `index` of the content named `content_id`, which is
/// `size` bytes long.
pub fn verify(content_id: &ContentId, size: u64, index: u64, proof: &ChunkProof) -> Result<(), ProofError> {
	if root_from(size, index, proof)? == content_id.0 {
		Ok(())
	} else {
		Err(ProofError::RootMismatch)
	}
}

/// The root that `proof` leads to for chunk `index` of a `size`-byte content (the shape
/// checks of [`verify`], without the comparison).
pub fn root_from(size: u64, index: u64, proof: &ChunkProof) -> Result<[u8; 32], ProofError> {
	if proof.chunk.len() != chunk_len(size, index)? {
		return Err(ProofError::WrongChunkLength);
	}
	// Directions top-down. A u64 size has at most MAX_DEPTH levels, so the array is
	// large enough and nothing is allocated.
	let mut went_left = [false; MAX_DEPTH as usize];
	let mut depth = 0;
	walk_path(size, index, |left, _, _| {
		went_left[depth] = left;
		depth += 1;
	});
	if depth != proof.siblings.len() {
		return Err(ProofError::WrongDepth);
	}
	if depth == 0 {
		// A content of one chunk: the chunk is hashed as the root.
		return Ok(*blake3::hash(&proof.chunk).as_bytes());
	}
	let mut cv: ChainingValue = blake3::Hasher::new()
		.set_input_offset(index * CHUNK_SIZE)
		.update(&proof.chunk)
		.finalize_non_root();
	// Fold the siblings in from the chunk upwards; the last merge is the root.
	for (up, sibling) in proof.siblings.iter().enumerate().take(depth - 1) {
		let (l, r) = if went_left[depth - 1 - up] { (&cv, sibling) } else { (sibling, &cv) };
		cv = merge_subtrees_non_root(l, r, Mode::Hash);
	}
	let top = &proof.siblings[depth - 1];
	let (l, r) = if went_left[0] { (&cv, top) } else { (top, &cv) };
	Ok(*merge_subtrees_root(l, r, Mode::Hash).as_bytes())
}

/// Proofs of a few chunks of a `size`-byte content whose other bytes are unknown: every
/// subtree holding none of `known` gets an arbitrary chaining value. Returns the root such
/// a content would have and one proof per entry of `known` (`(index, chunk bytes)`, sorted
/// by index, no index twice). For benchmarks, which need valid proofs of the deepest paths
/// of contents far too large to build; `None` if an index or a chunk length is wrong.
pub fn prove_sparse(size: u64, known: &[(u64, &[u8])]) -> Option<([u8; 32], alloc::vec::Vec<ChunkProof>)> {
	for (i, (index, chunk)) in known.iter().enumerate() {
		if chunk_len(size, *index).ok()? != chunk.len() || (i > 0 && known[i - 1].0 >= *index) {
			return None;
		}
	}
	let mut siblings = alloc::vec![alloc::vec::Vec::new(); known.len()];
	let root = sparse_node(0, size, known, 0, &mut siblings, true);
	let proofs = known
		.iter()
		.zip(siblings)
		.map(|((_, chunk), siblings)| {
			Some(ChunkProof { chunk: chunk.to_vec().try_into().ok()?, siblings: siblings.try_into().ok()? })
		})
		.collect::<Option<_>>()?;
	Some((root, proofs))
}

/// The chaining value (or the root) of the node covering `len` bytes from `start`;
/// `known[..]` holds the chunks in it, `first` is the position of `known[0]` in the
/// caller's list. Pushes each known chunk's sibling at this level, deepest first.
fn sparse_node(
	start: u64,
	len: u64,
	known: &[(u64, &[u8])],
	first: usize,
	siblings: &mut [alloc::vec::Vec<[u8; 32]>],
	root: bool,
) -> [u8; 32] {
	let inside = |from: u64, to: u64| known.iter().filter(|(i, _)| *i * CHUNK_SIZE >= from && *i * CHUNK_SIZE < to).count();
	if known.is_empty() {
		// Nobody checks what an unknown subtree holds; any value stands for it.
		return [0x5a; 32];
	}
	if len <= CHUNK_SIZE {
		let chunk = known[0].1;
		return if root {
			*blake3::hash(chunk).as_bytes()
		} else {
			blake3::Hasher::new().set_input_offset(start).update(chunk).finalize_non_root()
		};
	}
	let left = left_subtree_len(len);
	let split = inside(start, start + left);
	let l = sparse_node(start, left, &known[..split], first, siblings, false);
	let r = sparse_node(start + left, len - left, &known[split..], first + split, siblings, false);
	for (k, proof) in siblings[first..first + known.len()].iter_mut().enumerate() {
		proof.push(if k < split { r } else { l });
	}
	if root {
		*merge_subtrees_root(&l, &r, Mode::Hash).as_bytes()
	} else {
		merge_subtrees_non_root(&l, &r, Mode::Hash)
	}
}

/// The content id of `content` (its BLAKE3 root).
pub fn root_of(content: &[u8]) -> [u8; 32] {
	*blake3::hash(content).as_bytes()
}

/// Builds the proof of chunk `index` of `content` (the whole content in memory: for tests
/// and small contents; the mesh proves from its outboards instead).
#[cfg(feature = "std")]
pub fn prove(content: &[u8], index: u64) -> Result<ChunkProof, ProofError> {
	let size = content.len() as u64;
	let len = chunk_len(size, index)?;
	let start = (index * CHUNK_SIZE) as usize;
	let mut siblings = alloc::vec::Vec::new();
	walk_path(size, index, |_, from, to| {
		let cv = blake3::Hasher::new()
			.set_input_offset(from)
			.update(&content[from as usize..to as usize])
			.finalize_non_root();
		siblings.push(cv);
	});
	siblings.reverse();
	Ok(ChunkProof {
		chunk: content[start..start + len].to_vec().try_into().map_err(|_| ProofError::WrongChunkLength)?,
		siblings: siblings.try_into().map_err(|_| ProofError::WrongDepth)?,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn content(size: usize, seed: u8) -> Vec<u8> {
		(0..size).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8).collect()
	}

	fn id(bytes: &[u8]) -> ContentId {
		ContentId(*blake3::hash(bytes).as_bytes())
	}

	/// Every index of a content (or a sample of them for large ones) proves and verifies.
	fn check_all(size: usize) {
		let bytes = content(size, size as u8);
		let root = id(&bytes);
		let n = chunk_count(size as u64);
		let indices: Vec<u64> = if n <= 64 { (0..n).collect() } else { vec![0, 1, n / 3, n / 2, n - 2, n - 1] };
		for i in indices {
			let proof = prove(&bytes, i).unwrap();
			assert_eq!(verify(&root, size as u64, i, &proof), Ok(()), "size {size}, index {i}");
		}
	}

	#[test]
	fn sparse_proofs_verify_and_agree_with_full_ones() {
		// Where every chunk is known, the sparse prover builds the real tree.
		let bytes = content(5 * 1024 + 7, 3);
		let chunks: Vec<(u64, &[u8])> = bytes.chunks(1024).enumerate().map(|(i, c)| (i as u64, c)).collect();
		let (root, proofs) = prove_sparse(bytes.len() as u64, &chunks).unwrap();
		assert_eq!(root, root_of(&bytes));
		for (i, p) in proofs.iter().enumerate() {
			assert_eq!(p, &prove(&bytes, i as u64).unwrap());
		}
		// A few chunks of a 4 GiB content: every proof verifies under the one root.
		let size = 4u64 << 30;
		let last = chunk_count(size) - 1;
		let (a, b) = ([1u8; 1024], [2u8; 1024]);
		let known: Vec<(u64, &[u8])> = vec![(0, &a), (77, &b), (last - 1, &a), (last, &b)];
		let (root, proofs) = prove_sparse(size, &known).unwrap();
		for ((i, _), p) in known.iter().zip(&proofs) {
			assert_eq!(verify(&ContentId(root), size, *i, p), Ok(()), "index {i}");
		}
		// Unsorted, repeated or misshapen input is refused.
		assert!(prove_sparse(size, &[(5, &a), (5, &a)]).is_none());
		assert!(prove_sparse(size, &[(last + 1, &a)]).is_none());
		assert!(prove_sparse(size, &[(0, &a[..10])]).is_none());
	}

	#[test]
	fn agrees_with_blake3_at_boundary_sizes() {
		for size in [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 5 * 1024 + 7] {
			check_all(size);
		}
		check_all((1 << 20) + 1);
	}

	#[test]
	fn left_subtree_len_is_blake3s() {
		for len in [1025u64, 2047, 2048, 2049, 4096, 4097, 5 * 1024 + 7, (1 << 20) + 1, 1 << 40] {
			assert_eq!(left_subtree_len(len), blake3::hazmat::left_subtree_len(len), "{len}");
		}
		assert_eq!(left_subtree_len(u64::MAX), 1 << 63);
	}

	#[test]
	fn depth_matches_the_tree() {
		assert_eq!(depth(1024, 0), 0);
		assert_eq!(depth(1025, 0), 1);
		assert_eq!(depth(3 * 1024, 0), 2);
		assert_eq!(depth(3 * 1024, 2), 1, "the third chunk of three is the root's right child");
		assert_eq!(depth((1 << 20) + 1, 1024), 1, "the lone last byte hangs off the root");
		assert_eq!(depth(u64::MAX, 0), MAX_DEPTH);
	}

	#[test]
	fn bad_proofs_are_refused() {
		let bytes = content(5 * 1024 + 100, 9);
		let root = id(&bytes);
		let size = bytes.len() as u64;
		let good = prove(&bytes, 2).unwrap();
		assert_eq!(verify(&root, size, 2, &good), Ok(()));
		// The right chunk claimed at another index.
		assert_eq!(verify(&root, size, 3, &good), Err(ProofError::RootMismatch));
		// A flipped byte in the chunk, or in a sibling.
		let mut flipped = good.clone();
		flipped.chunk[17] ^= 1;
		assert_eq!(verify(&root, size, 2, &flipped), Err(ProofError::RootMismatch));
		let mut flipped = good.clone();
		flipped.siblings[0][0] ^= 1;
		assert_eq!(verify(&root, size, 2, &flipped), Err(ProofError::RootMismatch));
		// A truncated chunk, a missing or extra sibling.
		let mut short = good.clone();
		short.chunk.pop();
		assert_eq!(verify(&root, size, 2, &short), Err(ProofError::WrongChunkLength));
		let mut shallow = good.clone();
		shallow.siblings.pop();
		assert_eq!(verify(&root, size, 2, &shallow), Err(ProofError::WrongDepth));
		let mut deep = good.clone();
		deep.siblings.try_push([0; 32]).unwrap();
		assert_eq!(verify(&root, size, 2, &deep), Err(ProofError::WrongDepth));
		// Past the end, and the right proof against another content or size.
		assert_eq!(verify(&root, size, 6, &good), Err(ProofError::IndexOutOfRange));
		assert_eq!(verify(&id(b"other"), size, 2, &good), Err(ProofError::RootMismatch));
		// A size that changes this chunk's path is refused; one that keeps the path is
		// exposed by the last chunk (see the module docs).
		assert_eq!(verify(&root, 3 * 1024, 2, &good), Err(ProofError::WrongDepth));
		assert_eq!(verify(&root, size + 1024, 2, &good), Ok(()));
		let real_last = prove(&bytes, 5).unwrap();
		assert_eq!(verify(&root, size + 1024, 5, &real_last), Err(ProofError::WrongChunkLength));
		assert_eq!(verify(&root, size + 1024, 6, &real_last), Err(ProofError::RootMismatch));
		// The last chunk must be exactly what is left.
		let last = prove(&bytes, 5).unwrap();
		assert_eq!(last.chunk.len(), 100);
		assert_eq!(verify(&root, size, 5, &last), Ok(()));
		assert_eq!(verify(&root, size, 4, &last), Err(ProofError::WrongChunkLength));
	}

	#[test]
	fn a_proof_is_about_one_and_a_half_kilobytes() {
		let bytes = content(1 << 20, 3);
		let proof = prove(&bytes, 700).unwrap();
		assert_eq!(proof.siblings.len(), 10);
		assert_eq!(proof.encoded_size(), 2 + 1024 + 1 + 10 * 32);
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		#[test]
		fn random_sizes_and_indices_verify(size in 0usize..40_000, pick in any::<u64>(), seed in any::<u8>()) {
			let bytes = content(size, seed);
			let index = pick % chunk_count(size as u64);
			let proof = prove(&bytes, index).unwrap();
			prop_assert_eq!(verify(&id(&bytes), size as u64, index, &proof), Ok(()));
		}

		#[test]
		fn a_changed_byte_anywhere_in_the_chunk_is_caught(size in 1usize..20_000, pick in any::<u64>(), at in any::<usize>()) {
			let bytes = content(size, 1);
			let index = pick % chunk_count(size as u64);
			let mut proof = prove(&bytes, index).unwrap();
			let at = at % proof.chunk.len();
			proof.chunk[at] ^= 0x80;
			prop_assert_eq!(verify(&id(&bytes), size as u64, index, &proof), Err(ProofError::RootMismatch));
		}

		#[test]
		fn decoding_arbitrary_bytes_never_panics_and_rejects_oversized_proofs(raw in proptest::collection::vec(any::<u8>(), 0..4000)) {
			if let Ok(proof) = ChunkProof::decode(&mut &raw[..]) {
				prop_assert!(proof.chunk.len() <= CHUNK_SIZE as usize);
				prop_assert!(proof.siblings.len() <= MAX_DEPTH as usize);
			}
		}
	}
}
