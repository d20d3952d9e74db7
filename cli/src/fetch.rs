//! `landmesh get`: a content from several gateways at once, every byte checked here
//! against its BLAKE3 root before it is kept, and resumed from what a partial file holds.
//!
//! The content's *outboard* (the hash pairs above its 16 KiB groups, 0.4% of its size)
//! comes from any gateway and is checked, every pair, against the root; then pieces of 1 MiB are
//! fetched from every source in parallel, each checked group by group against the
//! outboard. A source that sends one wrong byte is named with the group it spoiled,
//! dropped, and its piece is fetched from another. With no outboard anywhere (no gateway
//! has stored the content yet) the whole content is streamed from one source and hashed
//! as it comes. The partial file `<output>.part` keeps every verified piece: a re-run
//! checks what it holds and fetches the rest.

use crate::gateway::{Gateway, Signed};
use landmesh_mesh::verified::{self, VerifyError, GROUP_BYTES};
use landmesh_primitives::ContentId;
use std::{
	collections::VecDeque,
	ops::Range,
	os::unix::fs::FileExt,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
};

/// Bytes fetched per request: 64 groups.
pub const PIECE: u64 = 64 * GROUP_BYTES;
/// Requests in flight per source.
const PER_SOURCE: usize = 2;
/// The longest a piece may take (8.7 KB/s at least): a source that trickles is dropped.
const PIECE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);
/// The largest outboard taken (a 16 GiB content's): no gateway's word sizes more memory.
const MAX_OUTBOARD: u64 = 64 << 20;
/// The largest content fetched without an outboard (streamed to disk, hashed).
const MAX_WHOLE: u64 = 16 << 30;

/// What a download did.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
	/// The content's size.
	pub size: u64,
	/// Bytes a previous run had verified already.
	pub resumed: u64,
	/// Bytes each source served that were kept.
	pub served: Vec<(String, u64)>,
	/// Sources dropped for a byte that did not match: the source and the bytes it spoiled.
	pub refused: Vec<(String, u64, u64)>,
	/// Sources that failed otherwise, and why.
	pub failed: Vec<(String, String)>,
}

struct Shared {
	pieces: VecDeque<Range<u64>>,
	/// Pieces a worker is fetching: an idle worker waits for them, as one may come back.
	in_flight: usize,
	done: u64,
	report: Fetched,
}

/// Fetches `root` from `sources` into `output`; `progress(bytes verified)` as it goes.
/// `sizes` are what the caller was told the size is (a magnet's, a model's): no one's
/// word is trusted, each candidate size (these, then each gateway's `HEAD`) is tried
/// until an outboard proves one against the root.
pub async fn get(
	sources: &[Gateway],
	root: ContentId,
	sizes: &[u64],
	signed: Option<Signed>,
	output: &Path,
	progress: impl Fn(u64, u64) + Send + Sync + 'static,
) -> Result<Fetched, String> {
	if sources.is_empty() {
		return Err("no gateway to fetch from: pass --gateway http://host:8080".into());
	}
	let mut errors = Vec::new();
	let mut claimed: Vec<(Option<usize>, u64)> = sizes.iter().map(|s| (None, *s)).collect();
	for (i, s) in sources.iter().enumerate() {
		match s.size(&root, signed.as_ref()).await {
			Ok(n) => claimed.push((Some(i), n)),
			Err(e) => errors.push(e.message),
		}
	}
	if claimed.is_empty() {
		return Err(format!("no gateway has {}: {}", root.to_hex(), errors.join("; ")));
	}
	let part = part_path(output);
	let progress = Arc::new(progress);
	let mut tried = Vec::new();
	let mut outboard = None;
	'sizes: for &(_, size) in &claimed {
		let expected = outboard_len(size);
		if tried.contains(&size) || expected == 0 || expected > MAX_OUTBOARD {
			continue;
		}
		tried.push(size);
		for s in sources {
			if let Ok(pairs) = s.outboard(&root, expected, signed.as_ref()).await {
				let candidate = verified::outboard(root, size, pairs);
				if consistent(&candidate) {
					outboard = Some(candidate);
					break 'sizes;
				}
			}
		}
	}
	let report = match outboard {
		Some(outboard) => pieces(sources, root, outboard, signed, &part, progress).await?,
		None => {
			// Each source streams the size it claimed; the hash decides.
			let claims: Vec<(Gateway, u64)> =
				claimed.iter().filter_map(|(i, size)| i.map(|i| (sources[i].clone(), *size))).collect();
			whole(&claims, root, signed, &part, progress).await?
		},
	};
	std::fs::rename(&part, output).map_err(|e| format!("cannot move {} to {}: {e}", part.display(), output.display()))?;
	Ok(report)
}

/// Where a download into `output` keeps what it has verified so far.
pub fn part_path(output: &Path) -> PathBuf {
	let mut name = output.file_name().map(|n| n.to_os_string()).unwrap_or_default();
	name.push(".part");
	output.with_file_name(name)
}

/// The outboard's length for a `size`-byte content: a pair per group but one.
pub fn outboard_len(size: u64) -> u64 {
	size.div_ceil(GROUP_BYTES).saturating_sub(1) * 64
}

/// Whether every hash pair of `outboard` leads to its root. Checking the top pair alone
/// would let a gateway pass the true top over made-up pairs below it, and every honest
/// source's bytes would then look wrong.
fn consistent(outboard: &verified::Outboard) -> bool {
	use bao_tree::{io::sync::Outboard as _, iter::BaoChunk, ChunkRanges};
	let mut stack = vec![outboard.root];
	for item in outboard.tree.ranges_pre_order_chunks_iter_ref(&ChunkRanges::all(), 0) {
		match item {
			BaoChunk::Parent { is_root, left, right, node, .. } => {
				let (Ok(Some((l, r))), Some(expected)) = (outboard.load(node), stack.pop()) else { return false };
				if verified::parent_cv(&l, &r, is_root) != expected {
					return false;
				}
				if right {
					stack.push(r);
				}
				if left {
					stack.push(l);
				}
			},
			BaoChunk::Leaf { .. } => {
				if stack.pop().is_none() {
					return false;
				}
			},
		}
	}
	stack.is_empty()
}

async fn pieces(
	sources: &[Gateway],
	root: ContentId,
	outboard: verified::Outboard,
	signed: Option<Signed>,
	part: &Path,
	progress: Arc<impl Fn(u64, u64) + Send + Sync + 'static>,
) -> Result<Fetched, String> {
	let size = outboard.tree.size();
	let file = std::fs::OpenOptions::new()
		.read(true)
		.write(true)
		.create(true)
		.truncate(false)
		.open(part)
		.map_err(|e| format!("cannot open {}: {e}", part.display()))?;
	file.set_len(size).map_err(|e| format!("cannot size {}: {e}", part.display()))?;
	let file = Arc::new(file);
	let outboard = Arc::new(outboard);
	// What a previous run left: every piece that verifies is kept.
	let mut queue = VecDeque::new();
	let mut resumed = 0;
	for start in (0..size).step_by(PIECE as usize) {
		let piece = start..(start + PIECE).min(size);
		let f = file.clone();
		let kept = verified::read_verified(&outboard, piece.clone(), |at, buffer| f.read_exact_at(buffer, at), |_| Ok(())).is_ok();
		if kept {
			resumed += piece.end - piece.start;
		} else {
			queue.push_back(piece);
		}
	}
	progress(resumed, size);
	let shared = Arc::new(Mutex::new(Shared {
		pieces: queue,
		in_flight: 0,
		done: resumed,
		report: Fetched { size, resumed, ..Default::default() },
	}));
	let mut workers = tokio::task::JoinSet::new();
	for source in sources {
		for _ in 0..PER_SOURCE {
			let (source, shared, file, outboard, signed, progress) =
				(source.clone(), shared.clone(), file.clone(), outboard.clone(), signed.clone(), progress.clone());
			workers.spawn(async move { worker(source, root, shared, file, outboard, signed, progress).await });
		}
	}
	while workers.join_next().await.is_some() {}
	let shared = shared.lock().map_err(|_| "a download worker panicked".to_string())?;
	if !shared.pieces.is_empty() || shared.done < size {
		let mut why: Vec<String> = shared.report.failed.iter().map(|(s, e)| said(s, e)).collect();
		why.extend(shared.report.refused.iter().map(|(s, a, b)| format!("{s} sent wrong bytes at {a}..{b}")));
		return Err(format!(
			"every source failed with {} of {} bytes verified (kept in {}: run again to resume): {}",
			shared.done,
			size,
			part.display(),
			why.join("; ")
		));
	}
	file.sync_all().map_err(|e| format!("cannot write {}: {e}", part.display()))?;
	Ok(shared.report.clone())
}

/// A source's failure, naming it once.
fn said(source: &str, why: &str) -> String {
	if why.contains(source) {
		why.to_string()
	} else {
		format!("{source}: {why}")
	}
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
	shared.lock().unwrap_or_else(|e| e.into_inner())
}

async fn worker(
	source: Gateway,
	root: ContentId,
	shared: Arc<Mutex<Shared>>,
	file: Arc<std::fs::File>,
	outboard: Arc<verified::Outboard>,
	signed: Option<Signed>,
	progress: Arc<impl Fn(u64, u64) + Send + Sync + 'static>,
) {
	let size = outboard.tree.size();
	loop {
		let piece = {
			let mut s = lock(&shared);
			// A source another worker dropped is not asked again.
			if s.report.refused.iter().any(|(b, ..)| *b == source.base) || s.report.failed.iter().any(|(b, _)| *b == source.base) {
				return;
			}
			match s.pieces.pop_front() {
				Some(p) => {
					s.in_flight += 1;
					Some(p)
				},
				None if s.in_flight == 0 => return,
				// Others are fetching: one of their pieces may come back to be fetched here.
				None => None,
			}
		};
		let Some(piece) = piece else {
			tokio::time::sleep(std::time::Duration::from_millis(20)).await;
			continue;
		};
		let len = (piece.end - piece.start) as usize;
		let mut buffer = Vec::with_capacity(len);
		let fetched = tokio::time::timeout(
			PIECE_DEADLINE,
			source.range(&root, piece.clone(), signed.as_ref(), |bytes| buffer.extend_from_slice(bytes)),
		)
		.await
		.unwrap_or_else(|_| Err(crate::gateway::HttpError { status: None, message: format!("{} took over {PIECE_DEADLINE:?} for a piece", source.base) }));
		let checked = match fetched {
			Ok(n) if n as usize == len => verified::read_verified(
				&outboard,
				piece.clone(),
				|at, out| {
					let from = (at - piece.start) as usize;
					out.copy_from_slice(&buffer[from..from + out.len()]);
					Ok(())
				},
				|_| Ok(()),
			)
			.map_err(|e| match e {
				VerifyError::Corrupt(at) => Err((at, (at + GROUP_BYTES).min(size))),
				e => Ok(e.to_string()),
			}),
			Ok(n) => Err(Ok(format!("sent {n} of {len} bytes at {}", piece.start))),
			Err(e) => Err(Ok(e.message)),
		};
		let mut s = lock(&shared);
		s.in_flight -= 1;
		match checked {
			Ok(_) => {
				if let Err(e) = file.write_all_at(&buffer, piece.start) {
					s.report.failed.push((source.base.clone(), format!("cannot write the file: {e}")));
					s.pieces.push_back(piece);
					return;
				}
				s.done += len as u64;
				match s.report.served.iter_mut().find(|(b, _)| *b == source.base) {
					Some((_, n)) => *n += len as u64,
					None => s.report.served.push((source.base.clone(), len as u64)),
				}
				progress(s.done, size);
			},
			Err(Err((from, to))) => {
				eprintln!("warning: {} sent bytes {from}..{to} that do not match the content id; fetching them elsewhere", source.base);
				s.report.refused.push((source.base.clone(), from, to));
				s.pieces.push_back(piece);
				return;
			},
			Err(Ok(why)) => {
				s.report.failed.push((source.base.clone(), why));
				s.pieces.push_back(piece);
				return;
			},
		}
	}
}

/// The whole content from one source after the other, each the size it claimed, hashed
/// as it comes.
async fn whole(
	sources: &[(Gateway, u64)],
	root: ContentId,
	signed: Option<Signed>,
	part: &Path,
	progress: Arc<impl Fn(u64, u64) + Send + Sync + 'static>,
) -> Result<Fetched, String> {
	let mut report = Fetched::default();
	for (source, size) in sources {
		let size = *size;
		if size > MAX_WHOLE {
			report.failed.push((source.base.clone(), format!("claims {size} bytes, more than is fetched without an outboard")));
			continue;
		}
		report.size = size;
		let mut file = std::fs::File::create(part).map_err(|e| format!("cannot create {}: {e}", part.display()))?;
		let mut hasher = blake3::Hasher::new();
		let mut written = 0u64;
		let mut write_error = None;
		let fetched = source
			.range(&root, 0..size, signed.as_ref(), |bytes| {
				use std::io::Write;
				hasher.update(bytes);
				if let Err(e) = file.write_all(bytes) {
					write_error.get_or_insert(e);
				}
				written += bytes.len() as u64;
				progress(written, size);
			})
			.await;
		if let Some(e) = write_error {
			return Err(format!("cannot write {}: {e}", part.display()));
		}
		match fetched {
			Ok(n) if n == size && hasher.finalize().as_bytes() == &root.0 => {
				report.served.push((source.base.clone(), n));
				return Ok(report);
			},
			Ok(n) if n == size => {
				eprintln!("warning: {} sent a content that does not hash to {}; trying another source", source.base, root.to_hex());
				report.refused.push((source.base.clone(), 0, size));
			},
			Ok(n) => report.failed.push((source.base.clone(), format!("sent {n} of {size} bytes"))),
			Err(e) => report.failed.push((source.base.clone(), e.message)),
		}
	}
	let _ = std::fs::remove_file(part);
	let mut why: Vec<String> = report.failed.iter().map(|(s, e)| said(s, e)).collect();
	why.extend(report.refused.iter().map(|(s, ..)| format!("{s} sent bytes that do not hash to the content id")));
	Err(format!("no source gave {}: {}", root.to_hex(), why.join("; ")))
}
