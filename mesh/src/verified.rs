//! The hash tree that lets every byte be checked against a [`ContentId`].
//!
//! A content id is the root of BLAKE3's binary tree over 1 KiB chunks. Keeping every
//! node of that tree would cost 6% of the data; the mesh keeps the tree only down to
//! [`GROUP_BYTES`] groups of 16 chunks (an *outboard*, 64 bytes per 16 KiB, 0.4%) and
//! rehashes a group's chunks when it reads them. A reader asks for a byte range, gets
//! whole groups, and each group is checked against the outboard, and the outboard
//! against the root, before a byte leaves this module: corrupt data on disk or from a
//! peer is an error, never output.

use bao_tree::{
	io::{outboard::PostOrderMemOutboard, round_up_to_chunks_groups, sync::Outboard as _},
	BaoTree, BlockSize, ChunkNum, ChunkRanges,
};
use landmesh_primitives::ContentId;
use bytes::Bytes;
use std::{io, ops::Range};

/// Verification groups: 16 chunks of 1 KiB (as iroh-blobs uses).
pub const GROUP: BlockSize = BlockSize::from_chunk_log(4);
/// Bytes in a verification group.
pub const GROUP_BYTES: u64 = 16 * 1024;

/// The tree of a blob of `size` bytes.
pub fn tree(size: u64) -> BaoTree {
	BaoTree::new(size, GROUP)
}

/// A blob's outboard: its root, its size and the hash pairs above its groups (post
/// order, as [`bao_tree`] writes them while hashing sequentially).
pub type Outboard = PostOrderMemOutboard<Vec<u8>>;

/// Builds an outboard from its parts as stored.
pub fn outboard(root: ContentId, size: u64, pairs: Vec<u8>) -> Outboard {
	PostOrderMemOutboard { root: blake3::Hash::from_bytes(root.0), tree: tree(size), data: pairs }
}

/// The content id an outboard checks against.
pub fn root_of(outboard: &Outboard) -> ContentId {
	ContentId(*outboard.root.as_bytes())
}

/// Why a verified read failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
	/// The bytes of a group do not hash to what the tree says: the copy is corrupt.
	#[error("group at byte {0} does not match the content id")]
	Corrupt(u64),
	/// The stored tree itself does not lead to the root.
	#[error("the hash tree does not match the content id")]
	TreeMismatch,
	/// Reading the data or the outboard failed.
	#[error(transparent)]
	Io(#[from] io::Error),
	/// The consumer of the bytes stopped (a client went away).
	#[error("the reader stopped")]
	Stopped,
}

/// The chunk ranges of whole groups covering `bytes`.
pub fn group_ranges(bytes: &Range<u64>) -> ChunkRanges {
	let start = ChunkNum::chunks(bytes.start - bytes.start % 1024);
	// Saturating: a range's end is a peer's or client's number.
	let end = ChunkNum::full_chunks(bytes.end.div_ceil(1024).saturating_mul(1024));
	round_up_to_chunks_groups(ChunkRanges::from(start..end.max(start + 1)), GROUP)
}

/// Bytes read from disk at a time by [`read_verified`]: many groups per system call, and
/// each block handed on whole (no copy) once its groups are verified.
pub const READ_BLOCK: u64 = 16 * GROUP_BYTES;

/// Reads the groups covering `range` of the blob through `read_at(offset, buffer)`, in
/// blocks of up to [`READ_BLOCK`] bytes, checks each group against `outboard`, and hands
/// the verified bytes that fall inside `range` to `sink`, in order, one slice of each
/// block (shared, not copied). Returns the bytes handed over.
pub fn read_verified(
	outboard: &Outboard,
	range: Range<u64>,
	mut read_at: impl FnMut(u64, &mut [u8]) -> io::Result<()>,
	mut sink: impl FnMut(Bytes) -> Result<(), VerifyError>,
) -> Result<u64, VerifyError> {
	let tree = outboard.tree;
	let range = range.start.min(tree.size())..range.end.min(tree.size());
	if range.is_empty() && tree.size() > 0 {
		return Ok(0);
	}
	// The groups covering the range end here: blocks never read past it.
	let groups_end = range.end.div_ceil(GROUP_BYTES).saturating_mul(GROUP_BYTES).min(tree.size());
	let mut stack: Vec<blake3::Hash> = vec![outboard.root];
	// The block read last (from `block_start`), and the verified part of it that lies in
	// `range`, not handed on yet.
	let (mut block, mut block_start) = (Bytes::new(), 0u64);
	let mut out: Option<Range<usize>> = None;
	let mut handed = 0u64;
	let mut flush = |block: &Bytes, out: &mut Option<Range<usize>>, handed: &mut u64| -> Result<(), VerifyError> {
		if let Some(span) = out.take() {
			*handed += span.len() as u64;
			sink(block.slice(span))?;
		}
		Ok(())
	};
	for item in tree.ranges_pre_order_chunks_iter_ref(&group_ranges(&range), 0) {
		match item {
			bao_tree::iter::BaoChunk::Parent { is_root, left, right, node, .. } => {
				let (l, r) = outboard.load(node)?.ok_or(VerifyError::TreeMismatch)?;
				let expected = stack.pop().ok_or(VerifyError::TreeMismatch)?;
				if parent_cv(&l, &r, is_root) != expected {
					return Err(VerifyError::TreeMismatch);
				}
				if right {
					stack.push(r);
				}
				if left {
					stack.push(l);
				}
			},
			bao_tree::iter::BaoChunk::Leaf { start_chunk, size, is_root, .. } => {
				let expected = stack.pop().ok_or(VerifyError::TreeMismatch)?;
				let start = start_chunk.to_bytes();
				let end = start + size as u64;
				if start < block_start || end > block_start + block.len() as u64 {
					// Leaves come in order: the next block starts at this group.
					flush(&block, &mut out, &mut handed)?;
					let len = READ_BLOCK.min(groups_end.max(end) - start) as usize;
					let mut buffer = vec![0u8; len];
					read_at(start, &mut buffer)?;
					(block, block_start) = (Bytes::from(buffer), start);
				}
				let at = (start - block_start) as usize;
				if hash_group(start, &block[at..at + size], is_root) != expected {
					return Err(VerifyError::Corrupt(start));
				}
				let from = range.start.max(start);
				let to = range.end.min(end);
				if from < to {
					let span = (from - block_start) as usize..(to - block_start) as usize;
					out = Some(match out.take() {
						Some(o) => o.start..span.end,
						None => span,
					});
				}
			},
		}
	}
	flush(&block, &mut out, &mut handed)?;
	Ok(handed)
}

/// The chaining value of a group starting at byte `start` (the root hash if it is the
/// whole blob).
pub fn hash_group(start: u64, data: &[u8], is_root: bool) -> blake3::Hash {
	use blake3::hazmat::{ChainingValue, HasherExt};
	if is_root {
		return blake3::hash(data);
	}
	let cv: ChainingValue = blake3::Hasher::new().set_input_offset(start).update(data).finalize_non_root();
	blake3::Hash::from(cv)
}

/// The chaining value of a parent node (the root hash for the root).
pub fn parent_cv(left: &blake3::Hash, right: &blake3::Hash, is_root: bool) -> blake3::Hash {
	use blake3::hazmat::{merge_subtrees_non_root, merge_subtrees_root, Mode};
	if is_root {
		merge_subtrees_root(left.as_bytes(), right.as_bytes(), Mode::Hash)
	} else {
		blake3::Hash::from(merge_subtrees_non_root(left.as_bytes(), right.as_bytes(), Mode::Hash))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn data(size: usize) -> Vec<u8> {
		(0..size).map(|i| (i * 7 % 251) as u8).collect()
	}

	fn read(ob: &Outboard, bytes: &[u8], range: Range<u64>) -> Result<Vec<u8>, VerifyError> {
		let mut out = Vec::new();
		read_verified(
			ob,
			range,
			|at, buf| {
				buf.copy_from_slice(&bytes[at as usize..at as usize + buf.len()]);
				Ok(())
			},
			|b| {
				out.extend_from_slice(&b);
				Ok(())
			},
		)?;
		Ok(out)
	}

	#[test]
	fn reads_any_range_and_catches_any_flipped_byte() {
		let block = READ_BLOCK as usize;
		for size in [0usize, 1, 1023, 1024, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 100_000, 3 * block + 5] {
			let bytes = data(size);
			let ob = PostOrderMemOutboard::create(&bytes, GROUP);
			assert_eq!(ob.root, blake3::hash(&bytes), "the outboard's root is the b3sum of the data");
			assert_eq!(read(&ob, &bytes, 0..size as u64).unwrap(), bytes, "size {size}");
			if size > 10 {
				let r = 3..size as u64 - 5;
				assert_eq!(read(&ob, &bytes, r.clone()).unwrap(), bytes[r.start as usize..r.end as usize]);
				let mut bad = bytes.clone();
				bad[size / 2] ^= 1;
				assert!(matches!(read(&ob, &bad, 0..size as u64), Err(VerifyError::Corrupt(_))), "size {size}");
				// A range that does not touch the bad group still reads.
				if size / 2 >= 2 * GROUP_BYTES as usize {
					assert_eq!(read(&ob, &bad, 0..10).unwrap(), bytes[..10]);
				}
			}
			if size > 2 * block {
				// Ranges across read blocks, starting and ending inside groups.
				for r in [block as u64 - 1..block as u64 + 1, 5_000..2 * block as u64 + 17, block as u64..size as u64] {
					assert_eq!(read(&ob, &bytes, r.clone()).unwrap(), bytes[r.start as usize..r.end as usize], "{r:?}");
				}
			}
		}
	}
}
