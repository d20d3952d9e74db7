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
//!
//! **The size is proven before anything is planned.** A peer's `Size` answer is a claim;
//! the content id commits to the length (BLAKE3's tree shape depends on it), so a claim
//! is proven by the last range under that size verifying against the root. Only a
//! proven size plans ranges; claims above [`FetchOptions::max_size`] are refused at once,
//! and a peer whose claim differs from the proven size is banned from the download. When
//! the chain records the size ([`FetchOptions::size`]), that size alone is tried: a chain
//! that declares 1 byte for a 1 TiB root makes a miner fetch one range, not a TiB.

use crate::{
	directory::Credentials,
	peers::{Mesh, PeerError},
	store::{BlobInfo, Store, StoreError},
	verified::{self, tree},
	wire::{self, Request, Response},
	ContentId,
};
use bao_tree::io::{sync::DecodeResponseIter, BaoContentItem};
use libp2p::{Multiaddr, PeerId};
use futures::{stream::FuturesUnordered, StreamExt};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	fs::File,
	io::{BufReader, Seek, SeekFrom},
	ops::Range,
	os::unix::fs::FileExt,
	sync::{Arc, Mutex},
};

/// How long finding sources waits for the DHT to name providers, at most.
pub const PROVIDER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long finding sources waits for more providers once it has one (or holders the
/// caller named): a download starts on what is found, not at the query's end.
pub const PROVIDER_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// The peers to fetch `root` from: those the caller names, with their addresses (the
/// replica holders the chain lists), and those the DHT names as caching it; never this
/// node itself, nor a peer still struck out for bad data (unless no other is left).
pub async fn sources(mesh: &Mesh, root: ContentId, named: Vec<(PeerId, Vec<Multiaddr>)>) -> Vec<PeerId> {
	let mut peers = Vec::new();
	for (peer, addresses) in named {
		for address in addresses {
			mesh.add_address(peer, address).await;
		}
		peers.push(peer);
	}
	let mut found = mesh.providers(root).await;
	let deadline = tokio::time::Instant::now() + PROVIDER_WAIT;
	let mut grace = (!peers.is_empty()).then(|| tokio::time::Instant::now() + PROVIDER_GRACE);
	loop {
		let until = grace.map_or(deadline, |g| g.min(deadline));
		match tokio::time::timeout_at(until, found.recv()).await {
			Ok(Some(peer)) => {
				peers.push(peer);
				grace.get_or_insert_with(|| tokio::time::Instant::now() + PROVIDER_GRACE);
			},
			Ok(None) | Err(_) => break,
		}
	}
	peers.retain(|p| *p != mesh.peer_id());
	peers.sort();
	peers.dedup();
	if peers.iter().any(|p| !mesh.is_struck(p)) {
		peers.retain(|p| !mesh.is_struck(p));
	}
	peers
}

/// Failed requests (not bad data) a peer may have before it is dropped from a download.
pub const MAX_FAILURES: u32 = 3;
/// `Busy` answers a peer may give in one download before it is dropped from it.
pub const MAX_BUSY: u32 = 100;
/// How long a worker waits after a `Busy` answer.
pub const BUSY_BACKOFF: std::time::Duration = std::time::Duration::from_millis(200);

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	/// No peer answered with the content's size.
	#[error("none of {0} peers has content {1}")]
	NotFound(usize, String),
	/// The content is larger than this node accepts.
	#[error("content {root} has {size} bytes, more than the {max} this node accepts")]
	TooLarge {
		/// The content.
		root: String,
		/// Its size (as recorded on chain).
		size: u64,
		/// The most accepted.
		max: u64,
	},
	/// The size the chain records is not the content's: no peer could prove it.
	#[error("content {root} is not {size} bytes long, as recorded: none of {peers} peers could prove it")]
	SizeNotProven {
		/// The content.
		root: String,
		/// The recorded size.
		size: u64,
		/// The peers asked.
		peers: usize,
	},
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
	/// The content's size, proven against its id.
	pub size: u64,
	/// The partial file: bytes below `*verified.borrow()` are verified and final.
	pub file: Arc<File>,
	/// How many bytes from the start are in; grows until the download ends.
	pub verified: tokio::sync::watch::Receiver<u64>,
	/// The download's outcome, once committed to the store.
	pub done: tokio::task::JoinHandle<Result<Downloaded, FetchError>>,
}

/// How to make a download.
#[derive(Clone, Debug, Default)]
pub struct FetchOptions {
	/// The size the chain records for the content, if it does: the only size tried (and
	/// proven before it is used).
	pub size: Option<u64>,
	/// The largest content accepted (the chain's largest; the store's limit at most).
	pub max_size: Option<u64>,
	/// The media type to record with the copy.
	pub media_type: Option<String>,
	/// The requester's credentials (for gated content), shown only to the peers in
	/// [`FetchOptions::trusted`]: a provider found in the DHT may be anyone, and a fetch
	/// signature is good for its whole lifetime to whoever holds it.
	pub credentials: Option<Credentials>,
	/// The peers the credentials may be shown to: the holders the chain names.
	pub trusted: Vec<PeerId>,
}

impl FetchOptions {
	/// The credentials to send `peer`.
	fn credentials_for(&self, peer: &PeerId) -> Option<Credentials> {
		self.credentials.clone().filter(|_| self.trusted.contains(peer))
	}
}

/// Downloads `root` from `peers` into `store` (a no-op if it is there already).
pub async fn download(mesh: &Mesh, store: &Store, root: ContentId, peers: &[PeerId]) -> Result<Downloaded, FetchError> {
	download_with(mesh, store, root, peers, FetchOptions::default()).await
}

/// [`download`] with `options`.
pub async fn download_with(
	mesh: &Mesh,
	store: &Store,
	root: ContentId,
	peers: &[PeerId],
	options: FetchOptions,
) -> Result<Downloaded, FetchError> {
	if let Some(info) = store.info(&root)? {
		return Ok(Downloaded { info, from: HashMap::new(), banned: Vec::new() });
	}
	start_with(mesh, store, root, peers, options).await?.done.await.map_err(|e| FetchError::Io(std::io::Error::other(e)))?
}

/// Starts downloading `root` from `peers` (after proving its size) and returns at once,
/// so a caller can stream the verified prefix while the rest arrives.
pub async fn start(mesh: &Mesh, store: &Store, root: ContentId, peers: &[PeerId]) -> Result<Started, FetchError> {
	start_with(mesh, store, root, peers, FetchOptions::default()).await
}

/// [`start`] with `options`.
pub async fn start_with(
	mesh: &Mesh,
	store: &Store,
	root: ContentId,
	peers: &[PeerId],
	options: FetchOptions,
) -> Result<Started, FetchError> {
	let max = options.max_size.unwrap_or(u64::MAX).min(store.limit());
	if let Some(size) = options.size.filter(|s| *s > max) {
		return Err(FetchError::TooLarge { root: root.to_hex(), size, max });
	}
	let (file, path) = store.temp_file()?;
	let file = Arc::new(file);
	let proven = match prove_size(mesh, root, peers, &options, max, &file).await {
		Ok(proven) => proven,
		Err(e) => {
			let _ = std::fs::remove_file(&path);
			return Err(e);
		},
	};
	let reservation = match store.reserve(proven.size) {
		Ok(r) => r,
		Err(e) => {
			let _ = std::fs::remove_file(&path);
			return Err(e.into());
		},
	};
	let size = proven.size;
	let (progress, verified) = tokio::sync::watch::channel(0);
	let (mesh, store, task_file) = (mesh.clone(), store.clone(), file.clone());
	let peers: Vec<PeerId> = peers.iter().filter(|p| !proven.banned.contains(p)).copied().collect();
	let media_type = options.media_type.clone();
	let done = tokio::spawn(async move {
		let result = match fetch_ranges(&mesh, root, proven, &peers, &options, task_file.clone(), progress).await {
			Ok(shared) => commit(&store, &task_file, &path, root, size, media_type, reservation).await.map(|info| {
				Downloaded { info, from: shared.from, banned: shared.banned }
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

/// A content's size, proven against its id; the range that proved it; the peers that
/// lied about it.
struct Proven {
	size: u64,
	/// The last range, verified and written, and who sent it (none for an empty content).
	last: Option<(Range<u64>, PeerId, u64)>,
	banned: Vec<PeerId>,
	/// Claims still on their way when the size was proven: judged while the download runs.
	late: FuturesUnordered<futures::future::BoxFuture<'static, (PeerId, Step)>>,
}

/// How long a size proof may be in flight before the next candidate peer is asked too:
/// a stalling peer delays a download by this, not by the request timeout.
pub const PROOF_STAGGER: std::time::Duration = std::time::Duration::from_millis(750);

/// The last range of a content of `size` bytes (> 0), on the download's range grid.
fn last_range(size: u64) -> Range<u64> {
	size.saturating_sub(1) / wire::MAX_RANGE * wire::MAX_RANGE..size
}

enum Step {
	Claimed(Result<Response, PeerError>),
	Proof(u64, Result<Response, PeerError>),
}

/// Finds the content's size: the chain's, or the peers' claims, each proven by the last
/// range under it verifying against the root (written into `file` when it does).
async fn prove_size(
	mesh: &Mesh,
	root: ContentId,
	peers: &[PeerId],
	options: &FetchOptions,
	max: u64,
	file: &Arc<File>,
) -> Result<Proven, FetchError> {
	let empty = ContentId(*blake3::hash(&[]).as_bytes());
	let mut pending: FuturesUnordered<futures::future::BoxFuture<'static, (PeerId, Step)>> = FuturesUnordered::new();
	if root == empty {
		return Ok(Proven { size: 0, last: None, banned: Vec::new(), late: pending });
	}
	let ask = |peer: PeerId, request: Request, step: fn(Result<Response, PeerError>) -> Step| {
		let mesh = mesh.clone();
		Box::pin(async move { (peer, step(mesh.request(peer, request).await)) }) as futures::future::BoxFuture<'static, _>
	};
	// Claims in the order they came; with a recorded size, every peer "claims" it.
	let mut claims: Vec<(PeerId, u64)> = Vec::new();
	match options.size {
		Some(0) => return Err(FetchError::SizeNotProven { root: root.to_hex(), size: 0, peers: peers.len() }),
		Some(size) => claims.extend(peers.iter().map(|p| (*p, size))),
		None => {
			for peer in peers {
				let request = Request::Size { root, credentials: options.credentials_for(peer) };
				pending.push(ask(*peer, request, Step::Claimed));
			}
		},
	}
	let mut banned = Vec::new();
	let mut tried = HashSet::new();
	let mut busy_proofs: HashMap<PeerId, u32> = HashMap::new();
	let mut proofs_in_flight = 0usize;
	let mut last_proof = std::time::Instant::now();
	loop {
		// Ask the next claimant to prove its claim: at once if no proof is under way,
		// else once the ones under way have stalled for `PROOF_STAGGER`.
		if proofs_in_flight == 0 || last_proof.elapsed() >= PROOF_STAGGER {
			if let Some(&(peer, size)) = claims.iter().find(|(p, _)| !tried.contains(p) && !banned.contains(p)) {
				tried.insert(peer);
				proofs_in_flight += 1;
				last_proof = std::time::Instant::now();
				let range = last_range(size);
				let request = Request::Range { root, start: range.start, end: range.end, credentials: options.credentials_for(&peer) };
				let mesh = mesh.clone();
				pending.push(Box::pin(async move { (peer, Step::Proof(size, mesh.request(peer, request).await)) }));
			}
		}
		if pending.is_empty() {
			return Err(match options.size {
				Some(size) if !claims.is_empty() => FetchError::SizeNotProven { root: root.to_hex(), size, peers: peers.len() },
				_ if !banned.is_empty() => FetchError::PeersExhausted { root: root.to_hex(), banned },
				_ => FetchError::NotFound(peers.len(), root.to_hex()),
			});
		}
		let (peer, step) = tokio::select! {
			Some(next) = pending.next() => next,
			_ = tokio::time::sleep(PROOF_STAGGER) => continue,
		};
		match step {
			// Not the empty content (checked above), so not empty: a lie.
			Step::Claimed(Ok(Response::Size(0))) => {
				log::warn!(target: "mesh", "{peer} claims {root:?} is empty; banned");
				banned.push(peer);
				mesh.strike(peer);
			},
			Step::Claimed(Ok(Response::Size(size))) if size > max => {
				log::warn!(target: "mesh", "{peer} claims {root:?} has {size} bytes, above the {max} accepted; banned");
				banned.push(peer);
			},
			Step::Claimed(Ok(Response::Size(size))) => claims.push((peer, size)),
			Step::Claimed(_) => {},
			Step::Proof(size, answer) => {
				proofs_in_flight -= 1;
				if matches!(answer, Ok(Response::Busy)) {
					// Loaded, not lying: asked again shortly, a few times.
					let tries = busy_proofs.entry(peer).or_insert(0u32);
					*tries += 1;
					if *tries <= 5 {
						proofs_in_flight += 1;
						let range = last_range(size);
						let request =
							Request::Range { root, start: range.start, end: range.end, credentials: options.credentials_for(&peer) };
						let mesh = mesh.clone();
						pending.push(Box::pin(async move {
							tokio::time::sleep(BUSY_BACKOFF).await;
							(peer, Step::Proof(size, mesh.request(peer, request).await))
						}));
					}
					continue;
				}
				let Ok(Response::Range(encoded)) = answer else { continue };
				let range = last_range(size);
				let checked = range.clone();
				let decoded = tokio::task::spawn_blocking(move || decode_verified(root, size, &checked, &encoded))
					.await
					.unwrap_or(Err(Verdict::Failed));
				match decoded {
					Ok(leaves) => {
						let bytes = write_leaves(file, &leaves).map_err(FetchError::Io)?;
						// Whoever claimed another size lied: no ranges from them, and not
						// asked first next time either.
						for (liar, _) in claims.iter().filter(|(_, s)| *s != size) {
							mesh.strike(*liar);
							banned.push(*liar);
						}
						banned.sort();
						banned.dedup();
						// Proofs still in flight are moot; claims still coming are judged later.
						return Ok(Proven { size, last: Some((range, peer, bytes)), banned, late: pending });
					},
					// A recorded size that does not verify is the chain's mistake, not the
					// peer's: it is not banned for it.
					Err(_) if options.size.is_some() => {},
					Err(_) => {
						log::warn!(target: "mesh", "{peer} cannot prove its claim that {root:?} has {size} bytes; banned");
						banned.push(peer);
						mesh.strike(peer);
					},
				}
			},
		}
	}
}

async fn fetch_ranges(
	mesh: &Mesh,
	root: ContentId,
	mut proven: Proven,
	peers: &[PeerId],
	options: &FetchOptions,
	file: Arc<File>,
	progress: tokio::sync::watch::Sender<u64>,
) -> Result<Shared, FetchError> {
	let size = proven.size;
	// Bounded by the proven size, itself at most the largest content accepted.
	let queue: VecDeque<Range<u64>> =
		(0..size.div_ceil(wire::MAX_RANGE)).map(|i| i * wire::MAX_RANGE..((i + 1) * wire::MAX_RANGE).min(size)).collect();
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
		banned: proven.banned.clone(),
	}));
	if let Some((range, peer, bytes)) = &proven.last {
		let mut s = lock(&shared);
		s.queue.retain(|r| r != range);
		s.delivered(*peer, range, *bytes, size);
	}
	if size == 0 {
		lock(&shared).finished.send_replace(true);
	}
	// Claims that arrive now: a peer claiming another size lied, and is banned (and
	// struck) as soon as its claim lands.
	let mut late = std::mem::take(&mut proven.late);
	let (judged, judge_mesh) = (shared.clone(), mesh.clone());
	let judge = tokio::spawn(async move {
		while let Some((peer, step)) = late.next().await {
			if let Step::Claimed(Ok(Response::Size(claim))) = step {
				if claim != size {
					log::warn!(target: "mesh", "{peer} claims {root:?} has {claim} bytes, not the proven {size}; banned");
					lock(&judged).banned.push(peer);
					judge_mesh.strike(peer);
				}
			}
		}
	});
	let workers = peers
		.iter()
		.map(|peer| worker(mesh.clone(), *peer, root, size, options.credentials_for(peer), shared.clone(), file.clone()));
	futures::future::join_all(workers).await;
	// A claim still out after the ranges are in gets a moment, not the request timeout.
	let mut judge = judge;
	if tokio::time::timeout(PROOF_STAGGER, &mut judge).await.is_err() {
		judge.abort();
		// Awaited so its handle on the shared state is gone before it is unwrapped.
		let _ = judge.await;
	}
	let shared = Arc::try_unwrap(shared).map_err(|_| FetchError::PeersExhausted { root: root.to_hex(), banned: vec![] })?;
	let shared = shared.into_inner().unwrap_or_else(|e| e.into_inner());
	if shared.remaining > 0 {
		return Err(FetchError::PeersExhausted { root: root.to_hex(), banned: shared.banned });
	}
	Ok(shared)
}

/// One peer's share of a download: ranges until none are left, or the peer is out. A
/// request still pending when the last range arrives (from someone else) is dropped.
async fn worker(
	mesh: Mesh,
	peer: PeerId,
	root: ContentId,
	size: u64,
	credentials: Option<Credentials>,
	shared: Arc<Mutex<Shared>>,
	file: Arc<File>,
) {
	let (mut failures, mut busy) = (0, 0);
	let mut finished = {
		let s = lock(&shared);
		s.finished.subscribe()
	};
	loop {
		let taken = {
			let mut s = lock(&shared);
			if s.banned.contains(&peer) {
				return;
			}
			s.take(peer)
		};
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
		let request =
			mesh.request(peer, Request::Range { root, start: range.start, end: range.end, credentials: credentials.clone() });
		let answer = tokio::select! {
			answer = request => answer,
			_ = finished.wait_for(|f| *f) => return,
		};
		let outcome = match answer {
			Ok(Response::Range(encoded)) => {
				let file = file.clone();
				let range = range.clone();
				tokio::task::spawn_blocking(move || {
					let leaves = decode_verified(root, size, &range, &encoded)?;
					write_leaves(&file, &leaves).map_err(|_| Verdict::Failed)
				})
				.await
				.unwrap_or(Err(Verdict::Failed))
			},
			Ok(Response::Busy) => Err(Verdict::Busy),
			Ok(_) => Err(Verdict::Failed),
			Err(PeerError::Stopped) => Err(Verdict::Stopped),
			Err(PeerError::Failed { reason, .. }) => {
				log::debug!(target: "mesh", "range {range:?} of {root:?} from {peer}: {reason}");
				Err(Verdict::Failed)
			},
		};
		// Decided under the lock, acted on after it (no lock is held across a wait).
		let wait = {
			let mut s = lock(&shared);
			match outcome {
				Ok(bytes) => {
					s.delivered(peer, &range, bytes, size);
					false
				},
				Err(verdict) => {
					s.missed(peer, range);
					match verdict {
						Verdict::Bad => {
							log::warn!(target: "mesh", "{peer} sent data for {root:?} that fails verification; banned");
							s.banned.push(peer);
							drop(s);
							mesh.strike(peer);
							return;
						},
						Verdict::Stopped => return,
						Verdict::Failed => {
							failures += 1;
							if failures >= MAX_FAILURES {
								return;
							}
							false
						},
						// The peer serves others right now: wait, without counting it a
						// failure (a loaded honest holder must not be dropped in milliseconds).
						Verdict::Busy => {
							busy += 1;
							if busy > MAX_BUSY {
								return;
							}
							true
						},
					}
				},
			}
		};
		if wait {
			tokio::time::sleep(BUSY_BACKOFF).await;
		}
	}
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
	/// The peer did not deliver (missing, refused, timed out).
	Failed,
	/// The peer is over its budget for now.
	Busy,
	/// The peer delivered bytes that are not the content.
	Bad,
	/// The mesh is shutting down.
	Stopped,
}

/// Decodes a range answer of a content of `size` bytes, verifying every parent and
/// group against the root: the groups, or [`Verdict::Bad`] at the first that fails
/// (nothing of a bad answer is written anywhere).
fn decode_verified(root: ContentId, size: u64, range: &Range<u64>, encoded: &[u8]) -> Result<Vec<bao_tree::io::Leaf>, Verdict> {
	let ranges = verified::group_ranges(range);
	let items = DecodeResponseIter::new(blake3::Hash::from_bytes(root.0), tree(size), encoded, &ranges);
	let mut leaves = Vec::new();
	for item in items {
		match item {
			Ok(BaoContentItem::Leaf(leaf)) => leaves.push(leaf),
			Ok(BaoContentItem::Parent(_)) => {},
			Err(_) => return Err(Verdict::Bad),
		}
	}
	if leaves.is_empty() {
		// An answer that proves nothing of the range (e.g. for a range past its end).
		return Err(Verdict::Bad);
	}
	Ok(leaves)
}

/// Writes verified groups in place; returns the bytes written.
fn write_leaves(file: &File, leaves: &[bao_tree::io::Leaf]) -> std::io::Result<u64> {
	let mut written = 0;
	for leaf in leaves {
		file.write_all_at(&leaf.data, leaf.offset)?;
		written += leaf.data.len() as u64;
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
	reservation: crate::store::Reservation,
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
		Ok(store.commit(file, &path, outboard, media_type, None, Some(reservation))?)
	})
	.await
	.map_err(|e| FetchError::Io(std::io::Error::other(e)))?
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
	shared.lock().unwrap_or_else(|e| e.into_inner())
}
