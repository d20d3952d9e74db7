//! Downloads: one content from several peers at once, every group verified on arrival.
//!
//! The content is cut into ranges of [`wire::MAX_RANGE`] bytes. One worker per peer takes
//! the next missing range, asks its peer, checks the answer against the content id
//! (bao decoding fails at the first group that does not hash right) and writes it in
//! place into a temporary file. A peer that sends bad data is banned for this download
//! and its range goes back to the queue; a peer that fails or times out gets
//! [`MAX_FAILURES`] tries. Faster peers simply take more ranges, and once the queue is
//! empty idle peers also fetch ranges that have been in flight for [`ENDGAME_AFTER`]
//! (the endgame, as torrent clients do), so one slow peer cannot hold up the end. When
//! every range is in, the file's outboard is computed and it is committed to the store,
//! which keeps it as cache (unpinned) unless the caller pins it.

use crate::{
	peers::{Mesh, PeerError},
	store::{BlobInfo, Store, StoreError},
	verified::{self, tree},
	wire::{self, Request, Response},
	ContentId,
};
use bao_tree::io::{sync::DecodeResponseIter, BaoContentItem};
use libp2p::{Multiaddr, PeerId};
use std::{
	collections::{HashMap, VecDeque},
	fs::File,
	io::{BufReader, Seek, SeekFrom},
	ops::Range,
	os::unix::fs::FileExt,
	sync::{Arc, Mutex},
};

/// How long finding sources waits for the DHT to name providers.
pub const PROVIDER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The peers to fetch `root` from: those the caller names, with their addresses (the
/// replica holders the chain lists), and those the DHT names as caching it; never this
/// node itself. Sorted, without repeats.
pub async fn sources(mesh: &Mesh, root: ContentId, named: Vec<(PeerId, Vec<Multiaddr>)>) -> Vec<PeerId> {
	let mut peers = Vec::new();
	for (peer, addresses) in named {
		for address in addresses {
			mesh.add_address(peer, address).await;
		}
		peers.push(peer);
	}
	if let Ok(found) = tokio::time::timeout(PROVIDER_WAIT, mesh.find_providers(root)).await {
		peers.extend(found);
	}
	peers.retain(|p| *p != mesh.peer_id());
	peers.sort();
	peers.dedup();
	peers
}

/// Failed requests (not bad data) a peer may have before it is dropped from a download.
pub const MAX_FAILURES: u32 = 3;

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	/// No peer answered with the content's size.
	#[error("none of {0} peers has content {1}")]
	NotFound(usize, String),
	/// Every peer failed or was banned before all ranges arrived.
	#[error("every peer failed before the download of {root} completed ({} sent bad data)", banned.len())]
	PeersExhausted {
		/// The content.
		root: String,
		/// The peers that sent data failing verification.
		banned: Vec<PeerId>,
	},
	/// The store could not take the result.
	#[error(transparent)]
	Store(#[from] StoreError),
	/// The temporary file failed.
	#[error(transparent)]
	Io(#[from] std::io::Error),
}

/// What a download did, for callers and tests.
#[derive(Debug)]
pub struct Downloaded {
	/// The stored content.
	pub info: BlobInfo,
	/// Bytes each peer delivered (verified).
	pub from: HashMap<PeerId, u64>,
	/// Peers that sent data that failed verification.
	pub banned: Vec<PeerId>,
}

struct Shared {
	queue: VecDeque<Range<u64>>,
	/// Ranges being fetched, by start: since when, and by which peers (more than one in
	/// the endgame).
	in_flight: HashMap<u64, InFlight>,
	/// Ranges verified and written beyond `prefix`, by start; `prefix` bytes from the
	/// start are all in (what a streaming reader may read).
	done: std::collections::BTreeSet<u64>,
	prefix: u64,
	progress: tokio::sync::watch::Sender<u64>,
	/// Ranges not yet in; `finished` turns true when none are left.
	remaining: usize,
	finished: tokio::sync::watch::Sender<bool>,
	from: HashMap<PeerId, u64>,
	banned: Vec<PeerId>,
}

struct InFlight {
	range: Range<u64>,
	since: std::time::Instant,
	peers: Vec<PeerId>,
}

impl Shared {
	fn completed(&self, start: u64) -> bool {
		start < self.prefix || self.done.contains(&start)
	}

	/// The next range for `peer`: a queued one, or in the endgame (queue empty) the
	/// oldest range another peer has been fetching for [`ENDGAME_AFTER`]; `Err` when
	/// nothing is left at all.
	fn take(&mut self, peer: PeerId) -> Result<Option<Range<u64>>, ()> {
		let now = std::time::Instant::now();
		if let Some(range) = self.queue.pop_front() {
			self.in_flight.insert(range.start, InFlight { range: range.clone(), since: now, peers: vec![peer] });
			return Ok(Some(range));
		}
		if self.in_flight.is_empty() {
			return Err(());
		}
		let slow = self
			.in_flight
			.values_mut()
			.filter(|f| now.duration_since(f.since) >= ENDGAME_AFTER && !f.peers.contains(&peer))
			.min_by_key(|f| f.since);
		Ok(slow.map(|f| {
			f.peers.push(peer);
			f.range.clone()
		}))
	}

	/// Records a verified range from `peer` (a duplicate from the endgame counts once).
	fn delivered(&mut self, peer: PeerId, range: &Range<u64>, bytes: u64, size: u64) {
		self.in_flight.remove(&range.start);
		if self.completed(range.start) {
			return;
		}
		*self.from.entry(peer).or_default() += bytes;
		self.done.insert(range.start);
		loop {
			let at = self.prefix;
			if at >= size || !self.done.remove(&at) {
				break;
			}
			self.prefix = (at + wire::MAX_RANGE).min(size);
		}
		self.progress.send_replace(self.prefix);
		self.remaining -= 1;
		if self.remaining == 0 {
			self.finished.send_replace(true);
		}
	}

	/// Records that `peer` did not deliver `range`: back to the queue unless someone else
	/// has it or is still on it.
	fn missed(&mut self, peer: PeerId, range: Range<u64>) {
		let Some(f) = self.in_flight.get_mut(&range.start) else { return };
		f.peers.retain(|p| *p != peer);
		if f.peers.is_empty() {
			self.in_flight.remove(&range.start);
			if !self.completed(range.start) {
				self.queue.push_back(range);
			}
		}
	}
}

/// How long a range may be in flight before idle peers fetch it too (the endgame: one
/// slow peer must not hold up the end of a download).
pub const ENDGAME_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// A download under way, readable while it runs.
pub struct Started {
	/// The content's size (as the peers report it; the first verified range confirms it).
	pub size: u64,
	/// The partial file: bytes below `*verified.borrow()` are verified and final.
	pub file: Arc<File>,
	/// How many bytes from the start are in; grows until the download ends.
	pub verified: tokio::sync::watch::Receiver<u64>,
	/// The download's outcome, once committed to the store.
	pub done: tokio::task::JoinHandle<Result<Downloaded, FetchError>>,
}

/// Downloads `root` from `peers` into `store` (a no-op if it is there already).
pub async fn download(mesh: &Mesh, store: &Store, root: ContentId, peers: &[PeerId]) -> Result<Downloaded, FetchError> {
	if let Some(info) = store.info(&root)? {
		return Ok(Downloaded { info, from: HashMap::new(), banned: Vec::new() });
	}
	start(mesh, store, root, peers).await?.done.await.map_err(|e| FetchError::Io(std::io::Error::other(e)))?
}

/// Starts downloading `root` from `peers` (after asking them its size) and returns at
/// once, so a caller can stream the verified prefix while the rest arrives.
pub async fn start(mesh: &Mesh, store: &Store, root: ContentId, peers: &[PeerId]) -> Result<Started, FetchError> {
	start_as(mesh, store, root, peers, None).await
}

/// [`start`], recording `media_type` with the copy when it is committed.
pub async fn start_as(
	mesh: &Mesh,
	store: &Store,
	root: ContentId,
	peers: &[PeerId],
	media_type: Option<String>,
) -> Result<Started, FetchError> {
	let size = find_size(mesh, root, peers).await.ok_or_else(|| FetchError::NotFound(peers.len(), root.to_hex()))?;
	let (file, path) = store.temp_file()?;
	let file = Arc::new(file);
	let (progress, verified) = tokio::sync::watch::channel(0);
	let (mesh, store, peers, task_file) = (mesh.clone(), store.clone(), peers.to_vec(), file.clone());
	let done = tokio::spawn(async move {
		let result = match fetch_ranges(&mesh, root, size, &peers, task_file.clone(), progress).await {
			Ok(shared) => commit(&store, &task_file, &path, root, size, media_type).await.map(|info| Downloaded {
				info,
				from: shared.from,
				banned: shared.banned,
			}),
			Err(e) => Err(e),
		};
		let _ = std::fs::remove_file(&path);
		if result.is_ok() {
			// Others may now fetch it from here.
			mesh.provide(root).await;
		}
		result
	});
	Ok(Started { size, file, verified, done })
}

/// The size the peers report (the first answer; verified by the first range).
async fn find_size(mesh: &Mesh, root: ContentId, peers: &[PeerId]) -> Option<u64> {
	let asks = peers.iter().map(|peer| mesh.request(*peer, Request::Size(root)));
	futures::future::join_all(asks).await.into_iter().find_map(|r| match r {
		Ok(Response::Size(size)) => Some(size),
		_ => None,
	})
}

async fn fetch_ranges(
	mesh: &Mesh,
	root: ContentId,
	size: u64,
	peers: &[PeerId],
	file: Arc<File>,
	progress: tokio::sync::watch::Sender<u64>,
) -> Result<Shared, FetchError> {
	let mut queue: VecDeque<Range<u64>> =
		(0..size.div_ceil(wire::MAX_RANGE)).map(|i| i * wire::MAX_RANGE..((i + 1) * wire::MAX_RANGE).min(size)).collect();
	if queue.is_empty() {
		// An empty content: one range that carries just the root check.
		queue.push_back(0..0);
	}
	let remaining = queue.len();
	let (finished, _) = tokio::sync::watch::channel(false);
	let shared = Arc::new(Mutex::new(Shared {
		queue,
		in_flight: HashMap::new(),
		done: Default::default(),
		prefix: 0,
		progress,
		remaining,
		finished,
		from: HashMap::new(),
		banned: Vec::new(),
	}));
	let workers = peers.iter().map(|peer| worker(mesh.clone(), *peer, root, size, shared.clone(), file.clone()));
	futures::future::join_all(workers).await;
	let shared = Arc::try_unwrap(shared).map_err(|_| FetchError::PeersExhausted { root: root.to_hex(), banned: vec![] })?;
	let shared = shared.into_inner().unwrap_or_else(|e| e.into_inner());
	if shared.remaining > 0 {
		return Err(FetchError::PeersExhausted { root: root.to_hex(), banned: shared.banned });
	}
	Ok(shared)
}

/// One peer's share of a download: ranges until none are left, or the peer is out. A
/// request still pending when the last range arrives (from someone else) is dropped.
async fn worker(mesh: Mesh, peer: PeerId, root: ContentId, size: u64, shared: Arc<Mutex<Shared>>, file: Arc<File>) {
	let mut failures = 0;
	let mut finished = {
		let s = lock(&shared);
		s.finished.subscribe()
	};
	loop {
		let taken = lock(&shared).take(peer);
		let range = match taken {
			Err(()) => return,
			Ok(Some(range)) => range,
			Ok(None) => {
				tokio::select! {
					_ = tokio::time::sleep(std::time::Duration::from_millis(20)) => continue,
					_ = finished.wait_for(|f| *f) => return,
				}
			},
		};
		let request = mesh.request(peer, Request::Range { root, start: range.start, end: range.end.max(1) });
		let answer = tokio::select! {
			answer = request => answer,
			_ = finished.wait_for(|f| *f) => return,
		};
		let outcome = match answer {
			Ok(Response::Range(encoded)) => {
				let file = file.clone();
				let range = range.clone();
				tokio::task::spawn_blocking(move || write_verified(&file, root, size, &range, &encoded))
					.await
					.unwrap_or(Err(Verdict::Failed))
			},
			Ok(_) => Err(Verdict::Failed),
			Err(PeerError::Stopped) => Err(Verdict::Stopped),
			Err(PeerError::Failed { reason, .. }) => {
				log::debug!(target: "mesh", "range {range:?} of {root:?} from {peer}: {reason}");
				Err(Verdict::Failed)
			},
		};
		let mut s = lock(&shared);
		match outcome {
			Ok(bytes) => s.delivered(peer, &range, bytes, size),
			Err(verdict) => {
				s.missed(peer, range);
				match verdict {
					Verdict::Bad => {
						log::warn!(target: "mesh", "{peer} sent data for {root:?} that fails verification; banned");
						s.banned.push(peer);
						return;
					},
					Verdict::Stopped => return,
					Verdict::Failed => {
						failures += 1;
						if failures >= MAX_FAILURES {
							return;
						}
					},
				}
			},
		}
	}
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
	/// The peer did not deliver (missing, refused, timed out).
	Failed,
	/// The peer delivered bytes that are not the content.
	Bad,
	/// The mesh is shutting down.
	Stopped,
}

/// Decodes a range answer, verifying every parent and group against the root, and
/// writes the groups in place. Returns the bytes written.
fn write_verified(file: &File, root: ContentId, size: u64, range: &Range<u64>, encoded: &[u8]) -> Result<u64, Verdict> {
	let ranges = verified::group_ranges(&(range.start..range.end.max(1)));
	let items = DecodeResponseIter::new(blake3::Hash::from_bytes(root.0), tree(size), encoded, &ranges);
	let mut written = 0;
	for item in items {
		match item {
			Ok(BaoContentItem::Leaf(leaf)) => {
				file.write_all_at(&leaf.data, leaf.offset).map_err(|_| Verdict::Failed)?;
				written += leaf.data.len() as u64;
			},
			Ok(BaoContentItem::Parent(_)) => {},
			Err(_) => return Err(Verdict::Bad),
		}
	}
	Ok(written)
}

/// Computes the outboard of the complete file and stores it.
async fn commit(
	store: &Store,
	file: &File,
	path: &std::path::Path,
	root: ContentId,
	size: u64,
	media_type: Option<String>,
) -> Result<BlobInfo, FetchError> {
	let store = store.clone();
	let path = path.to_path_buf();
	// A second handle: readers streaming the partial file keep theirs.
	let mut file = file.try_clone()?;
	tokio::task::spawn_blocking(move || {
		file.sync_all()?;
		file.seek(SeekFrom::Start(0))?;
		let mut pairs = Vec::new();
		let hash = bao_tree::io::sync::outboard_post_order(BufReader::with_capacity(1 << 20, &mut file), tree(size), &mut pairs)?;
		if hash.as_bytes() != &root.0 {
			// Every group was verified as it arrived, so this means a range was never
			// written; refuse rather than store something else under this id.
			return Err(StoreError::Corrupt(root).into());
		}
		let outboard = verified::outboard(root, size, pairs);
		Ok(store.commit(file, &path, outboard, media_type, None)?)
	})
	.await
	.map_err(|e| FetchError::Io(std::io::Error::other(e)))?
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
	shared.lock().unwrap_or_else(|e| e.into_inner())
}
