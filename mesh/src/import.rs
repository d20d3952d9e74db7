//! Import: a stream of bytes in, a file on disk and its content id and outboard out.
//!
//! Memory stays constant in the data (a 16 KiB group buffer, plus the outboard, which is
//! 1/256 of the data). When the size is known up front (a file, an HTTP upload with a
//! `Content-Length`) the bytes are written and hashed in one pass; otherwise they are
//! written first and hashed from the file.

use crate::verified::{tree, Outboard};
use landmesh_primitives::proof::left_subtree_len;
use bao_tree::io::{outboard::PostOrderMemOutboard, sync::outboard_post_order};
use std::{
	fs::File,
	io::{self, BufReader, Read, Seek, SeekFrom, Write},
};

/// Why an import failed. Nothing is stored when it does.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
	/// The stream is longer than allowed.
	#[error("the content is larger than the limit of {limit} bytes")]
	TooLarge {
		/// The limit.
		limit: u64,
	},
	/// The stream ended before (or went on after) the size it announced.
	#[error("the stream announced {announced} bytes but carried {actual}")]
	SizeMismatch {
		/// The announced size.
		announced: u64,
		/// What arrived (at least).
		actual: u64,
	},
	/// Reading the stream or writing the file failed.
	#[error(transparent)]
	Io(#[from] io::Error),
}

/// Streams `reader` into `file` (empty, opened for reading and writing) and returns the
/// outboard (root, size, tree). `size` is the announced size, if any; `limit` bounds it.
pub fn import(reader: impl Read, file: &mut File, size: Option<u64>, limit: u64) -> Result<Outboard, ImportError> {
	let outboard = match size {
		Some(size) => import_sized(reader, file, size, limit)?,
		None => import_unsized(reader, file, limit)?,
	};
	file.sync_all()?;
	Ok(outboard)
}

fn import_sized(reader: impl Read, file: &mut File, size: u64, limit: u64) -> Result<Outboard, ImportError> {
	if size > limit {
		return Err(ImportError::TooLarge { limit });
	}
	let mut tee = Tee { reader, file: io::BufWriter::with_capacity(1 << 20, &mut *file), seen: 0 };
	let mut pairs = Vec::with_capacity(outboard_len(size));
	let root = match outboard_post_order(&mut tee, tree(size), &mut pairs) {
		Ok(root) => root,
		Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
			return Err(ImportError::SizeMismatch { announced: size, actual: tee.seen });
		},
		Err(e) => return Err(e.into()),
	};
	// The stream must end where it said it would.
	let mut extra = [0u8; 1];
	if tee.reader.read(&mut extra)? != 0 {
		return Err(ImportError::SizeMismatch { announced: size, actual: size + 1 });
	}
	tee.file.flush()?;
	Ok(PostOrderMemOutboard { root, tree: tree(size), data: pairs })
}

fn import_unsized(mut reader: impl Read, file: &mut File, limit: u64) -> Result<Outboard, ImportError> {
	let mut limited = (&mut reader).take(limit.saturating_add(1));
	let size = io::copy(&mut limited, &mut io::BufWriter::with_capacity(1 << 20, &mut *file))?;
	if size > limit {
		return Err(ImportError::TooLarge { limit });
	}
	file.seek(SeekFrom::Start(0))?;
	let mut pairs = Vec::with_capacity(outboard_len(size));
	let root = outboard_post_order(BufReader::with_capacity(1 << 20, &mut *file), tree(size), &mut pairs)?;
	Ok(PostOrderMemOutboard { root, tree: tree(size), data: pairs })
}

/// The outboard of a file already on disk (a local import: the bytes were copied by the
/// kernel), hashing the root's two subtrees on two threads. Same result as the
/// sequential builder, in about half the time on two cores.
pub fn outboard_of_file(file: &File, size: u64) -> io::Result<Outboard> {
	use crate::verified::{parent_cv, GROUP_BYTES};
	if size <= 2 * GROUP_BYTES {
		let mut pairs = Vec::new();
		let reader = BufReader::new(PositionedReader { file, at: 0 });
		let root = outboard_post_order(reader, tree(size), &mut pairs)?;
		return Ok(PostOrderMemOutboard { root, tree: tree(size), data: pairs });
	}
	let left = left_subtree_len(size);
	let (l, r) = std::thread::scope(|s| {
		let left_half = s.spawn(|| subtree(file, 0, left));
		let right_half = subtree(file, left, size - left);
		(left_half.join().unwrap_or_else(|_| Err(io::Error::other("hashing thread panicked"))), right_half)
	});
	let ((l_hash, mut pairs), (r_hash, r_pairs)) = (l?, r?);
	pairs.extend_from_slice(&r_pairs);
	pairs.extend_from_slice(l_hash.as_bytes());
	pairs.extend_from_slice(r_hash.as_bytes());
	Ok(PostOrderMemOutboard { root: parent_cv(&l_hash, &r_hash, true), tree: tree(size), data: pairs })
}

/// The chaining value of the (non-root) subtree of `len` bytes at `start`, and its hash
/// pairs in post order.
fn subtree(file: &File, start: u64, len: u64) -> io::Result<(blake3::Hash, Vec<u8>)> {
	let mut pairs = Vec::with_capacity(outboard_len(len));
	let mut buffer = vec![0u8; crate::verified::GROUP_BYTES as usize];
	let hash = subtree_into(file, start, len, &mut pairs, &mut buffer)?;
	Ok((hash, pairs))
}

fn subtree_into(file: &File, start: u64, len: u64, pairs: &mut Vec<u8>, buffer: &mut [u8]) -> io::Result<blake3::Hash> {
	use crate::verified::{hash_group, parent_cv, GROUP_BYTES};
	use std::os::unix::fs::FileExt;
	if len <= GROUP_BYTES {
		let group = &mut buffer[..len as usize];
		file.read_exact_at(group, start)?;
		return Ok(hash_group(start, group, false));
	}
	let left = left_subtree_len(len);
	let l = subtree_into(file, start, left, pairs, buffer)?;
	let r = subtree_into(file, start + left, len - left, pairs, buffer)?;
	pairs.extend_from_slice(l.as_bytes());
	pairs.extend_from_slice(r.as_bytes());
	Ok(parent_cv(&l, &r, false))
}

/// Reads a file from an offset without moving a shared cursor.
struct PositionedReader<'a> {
	file: &'a File,
	at: u64,
}

impl Read for PositionedReader<'_> {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.at)?;
		self.at += n as u64;
		Ok(n)
	}
}

/// The bytes of the outboard of `size` bytes: a 64-byte pair per group boundary.
fn outboard_len(size: u64) -> usize {
	(size.div_ceil(crate::verified::GROUP_BYTES).saturating_sub(1) * 64) as usize
}

/// Copies what is read into the file.
struct Tee<R, W> {
	reader: R,
	file: W,
	seen: u64,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		let n = self.reader.read(buf)?;
		self.file.write_all(&buf[..n])?;
		self.seen += n as u64;
		Ok(n)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn data(size: usize) -> Vec<u8> {
		(0..size).map(|i| (i * 31 % 253) as u8).collect()
	}

	fn file_bytes(file: &mut File) -> Vec<u8> {
		let mut out = Vec::new();
		file.seek(SeekFrom::Start(0)).unwrap();
		file.read_to_end(&mut out).unwrap();
		out
	}

	#[test]
	fn sized_and_unsized_imports_agree_with_b3sum() {
		for size in [0usize, 1, 1024, 16 * 1024 + 1, 300_000] {
			let bytes = data(size);
			for announced in [Some(size as u64), None] {
				let mut file = tempfile::tempfile().unwrap();
				let ob = import(&bytes[..], &mut file, announced, 1 << 30).unwrap();
				assert_eq!(ob.root, blake3::hash(&bytes), "size {size}, announced {announced:?}");
				assert_eq!(ob.tree.size(), size as u64);
				assert_eq!(ob.data.len(), outboard_len(size as u64));
				assert_eq!(file_bytes(&mut file), bytes);
			}
		}
	}

	#[test]
	fn the_parallel_file_outboard_equals_the_sequential_one() {
		for size in [0usize, 1, 16 * 1024, 32 * 1024, 32 * 1024 + 1, 100_000, 1 << 20, (3 << 20) + 5] {
			let bytes = data(size);
			let mut file = tempfile::tempfile().unwrap();
			io::Write::write_all(&mut file, &bytes).unwrap();
			let parallel = outboard_of_file(&file, size as u64).unwrap();
			let sequential = PostOrderMemOutboard::create(&bytes, crate::verified::GROUP);
			assert_eq!(parallel.root, sequential.root, "size {size}");
			assert_eq!(parallel.data, sequential.data, "size {size}");
		}
	}

	#[test]
	fn wrong_sizes_and_limits_are_errors() {
		let bytes = data(5000);
		let mut file = tempfile::tempfile().unwrap();
		assert!(matches!(
			import(&bytes[..], &mut file, Some(6000), 1 << 20),
			Err(ImportError::SizeMismatch { announced: 6000, actual: 5000 })
		));
		let mut file = tempfile::tempfile().unwrap();
		assert!(matches!(import(&bytes[..], &mut file, Some(4000), 1 << 20), Err(ImportError::SizeMismatch { .. })));
		let mut file = tempfile::tempfile().unwrap();
		assert!(matches!(import(&bytes[..], &mut file, Some(5000), 4999), Err(ImportError::TooLarge { limit: 4999 })));
		let mut file = tempfile::tempfile().unwrap();
		assert!(matches!(import(&bytes[..], &mut file, None, 4999), Err(ImportError::TooLarge { limit: 4999 })));
		let mut file = tempfile::tempfile().unwrap();
		assert!(import(&bytes[..], &mut file, None, 5000).is_ok(), "exactly the limit is allowed");
	}
}
