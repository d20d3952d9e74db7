//! The blob store: content-addressed bytes on one node.
//!
//! - **Index** (RocksDB, the same library the chain database links): per blob its size,
//!   media type and outboard, its pins, and its use (reads, bytes served, times).
//! - **Bytes**: blobs up to [`INLINE_MAX`] live in RocksDB next to their index entry;
//!   larger ones are files `blobs/<root hex>` under the store's directory.
//! - **Crash safety**: an import writes to `tmp/`, syncs, renames into `blobs/`, then
//!   commits the index entry in one RocksDB write batch. At open, `tmp/` is emptied and
//!   any blob file without an index entry (a crash between rename and commit) or entry
//!   without its file is removed, so no half-written blob is ever served.
//! - **Limit**: downloads in progress reserve their size in `tmp/` ([`Store::reserve`]),
//!   counted like stored bytes. When an import would exceed the byte limit, unpinned blobs are evicted in
//!   [`crate::cache`] order; pinned blobs (an owner's content, a replica the chain
//!   assigned, an upload) never are. If pinned data fills the store, imports fail with
//!   [`StoreError::Full`].
//! - **Reads** are verified group by group against the content id
//!   ([`crate::verified`]); a corrupt blob is dropped (its pins stay, so it is fetched
//!   again) and the read fails.

use crate::{
	cache::{self, Access},
	import::{self, ImportError},
	verified::{self, Outboard, VerifyError},
};
use codec::{Decode, Encode};
use landmesh_primitives::ContentId;
use rocksdb::{IteratorMode, WriteBatch, DB};
use std::{
	fs::{self, File, OpenOptions},
	io::{self, Read},
	ops::Range,
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{SystemTime, UNIX_EPOCH},
};

/// Blobs up to this size are kept inside RocksDB (one verification group).
pub const INLINE_MAX: u64 = verified::GROUP_BYTES;

/// Why a blob is kept regardless of the limit.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Pin {
	/// It was uploaded to this node.
	Upload,
	/// An account linked to this node owns it (the SCALE-encoded account id).
	Owner(Vec<u8>),
	/// The chain assigned this node's miner a replica of it in this order.
	Replica(u64),
	/// It was uploaded to this node by this account (its name as the node knows it):
	/// counted against that account's upload quota.
	UploadBy(Vec<u8>),
	/// A filler sector this node sealed for its miner, with this derivation index.
	Sector(u32),
	/// The replica this node sealed for its miner in this order: what its challenges
	/// are answered from.
	SealedReplica(u64),
	/// The chain of labels that replica was sealed with, kept until its seal proof lands.
	ReplicaChain(u64),
}

/// A stored blob.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlobInfo {
	/// Its content id.
	pub root: ContentId,
	/// Its size in bytes.
	pub size: u64,
	/// Its media type, if known (from the upload or the chain's model format).
	pub media_type: Option<String>,
	/// Whether anything pins it.
	pub pinned: bool,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The store does not hold this content.
	#[error("content {0} is not stored here")]
	NotFound(ContentId),
	/// Pinned content fills the store: nothing can be evicted to make room.
	#[error("the store is full: {needed} bytes needed, {limit} bytes allowed, and what is stored is pinned")]
	Full {
		/// The bytes the import needs.
		needed: u64,
		/// The store's limit.
		limit: u64,
	},
	/// The content is pinned and cannot be removed.
	#[error("content {0} is pinned")]
	Pinned(ContentId),
	/// The stored copy failed verification and was dropped.
	#[error("the stored copy of {0} is corrupt and was dropped")]
	Corrupt(ContentId),
	/// A range starts past the end of the content.
	#[error("range starts at {start}, past the end of a content of {size} bytes")]
	OutOfRange {
		/// Where the range starts.
		start: u64,
		/// The content's size.
		size: u64,
	},
	/// The import failed.
	#[error(transparent)]
	Import(#[from] ImportError),
	/// A verified read failed for another reason.
	#[error(transparent)]
	Verify(VerifyError),
	/// The index failed.
	#[error("index: {0}")]
	Index(#[from] rocksdb::Error),
	/// The disk failed.
	#[error(transparent)]
	Io(#[from] io::Error),
}

/// A blob's index entry.
#[derive(Clone, Debug, Encode, Decode)]
struct Meta {
	size: u64,
	media_type: Option<String>,
}

/// Key prefixes: one keyspace, one prefix per kind of record, each followed by the root.
const META: u8 = b'm';
const INLINE: u8 = b'd';
const OUTBOARD: u8 = b'o';
const ACCESS: u8 = b'a';
const PIN: u8 = b'p';
/// The bytes served from this store, ever (one record, no root).
const SERVED: [u8; 1] = [b's'];

fn key(kind: u8, root: &ContentId) -> Vec<u8> {
	let mut k = Vec::with_capacity(33);
	k.push(kind);
	k.extend_from_slice(&root.0);
	k
}

fn now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The store; cheap to clone, shared by the gateway, the transfer protocol and the node.
#[derive(Clone)]
pub struct Store {
	inner: Arc<Inner>,
}

struct Inner {
	db: DB,
	dir: PathBuf,
	limit: u64,
	/// Bytes of blobs stored (data only; the index is small beside it).
	used: AtomicU64,
	/// Bytes reserved by downloads in progress (their files in `tmp/`).
	reserved: AtomicU64,
	/// Serialises commits and evictions, so two imports cannot both take the last room.
	commit: Mutex<()>,
	/// Names temporary files uniquely within this process.
	next_tmp: AtomicU64,
	/// Bytes served from this store since it was created (kept in the index too).
	served: AtomicU64,
}

impl Store {
	/// Opens (or creates) the store in `dir` with a limit of `limit` bytes, cleaning up
	/// what an interrupted import left behind.
	pub fn open(dir: &Path, limit: u64) -> Result<Store, StoreError> {
		for sub in ["blobs", "tmp"] {
			fs::create_dir_all(dir.join(sub))?;
		}
		for entry in fs::read_dir(dir.join("tmp"))? {
			fs::remove_file(entry?.path())?;
		}
		let mut options = rocksdb::Options::default();
		options.create_if_missing(true);
		let db = DB::open(&options, dir.join("index"))?;
		let served = db.get(SERVED)?.and_then(|v| u64::decode(&mut &v[..]).ok()).unwrap_or(0);
		let store = Store {
			inner: Arc::new(Inner {
				db,
				dir: dir.to_path_buf(),
				limit,
				used: AtomicU64::new(0),
				reserved: AtomicU64::new(0),
				commit: Mutex::new(()),
				next_tmp: AtomicU64::new(0),
				served: AtomicU64::new(served),
			}),
		};
		store.recover()?;
		Ok(store)
	}

	/// Drops blob files without an index entry and entries whose file is missing or
	/// short; sums what is used.
	fn recover(&self) -> Result<(), StoreError> {
		let mut used = 0;
		let mut broken = Vec::new();
		for item in self.inner.db.prefix_iterator([META]) {
			let (k, v) = item?;
			if k.first() != Some(&META) {
				break;
			}
			let (Ok(root), Ok(meta)) = (<[u8; 32]>::try_from(&k[1..]), Meta::decode(&mut &v[..])) else {
				continue;
			};
			let root = ContentId(root);
			let intact = meta.size <= INLINE_MAX
				|| fs::metadata(self.blob_path(&root)).is_ok_and(|m| m.len() == meta.size);
			if intact {
				used += meta.size;
			} else {
				broken.push(root);
			}
		}
		for root in broken {
			log::warn!(target: "mesh", "dropping {root:?}: its file is missing or short");
			self.drop_blob(&root)?;
		}
		for entry in fs::read_dir(self.inner.dir.join("blobs"))? {
			let path = entry?.path();
			let indexed = path
				.file_name()
				.and_then(|n| n.to_str())
				.and_then(|n| ContentId::from_hex(n).ok())
				.is_some_and(|root| self.inner.db.get(key(META, &root)).ok().flatten().is_some());
			if !indexed {
				fs::remove_file(&path)?;
			}
		}
		self.inner.used.store(used, Ordering::SeqCst);
		Ok(())
	}

	/// The store's byte limit.
	pub fn limit(&self) -> u64 {
		self.inner.limit
	}

	/// Bytes of blobs stored.
	pub fn used(&self) -> u64 {
		self.inner.used.load(Ordering::SeqCst)
	}

	/// Bytes reserved by downloads in progress.
	pub fn reserved(&self) -> u64 {
		self.inner.reserved.load(Ordering::SeqCst)
	}

	/// Reserves room for `bytes` that a download will write to `tmp/` before it commits
	/// them, evicting cache as an import would; [`StoreError::Full`] if pinned content
	/// and other reservations leave no room. Released when dropped or committed.
	pub fn reserve(&self, bytes: u64) -> Result<Reservation, StoreError> {
		let _guard = self.inner.commit.lock().unwrap_or_else(|e| e.into_inner());
		self.make_room(bytes)?;
		self.inner.reserved.fetch_add(bytes, Ordering::SeqCst);
		Ok(Reservation { store: self.clone(), bytes })
	}

	fn blob_path(&self, root: &ContentId) -> PathBuf {
		self.inner.dir.join("blobs").join(root.to_hex())
	}

	/// A new file in `tmp/`, for an import or a download in progress.
	pub(crate) fn temp_file(&self) -> Result<(File, PathBuf), StoreError> {
		let n = self.inner.next_tmp.fetch_add(1, Ordering::SeqCst);
		let path = self.inner.dir.join("tmp").join(format!("{}-{n}", std::process::id()));
		let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
		Ok((file, path))
	}

	/// Imports a stream (of `size` bytes if known, at most `limit`), stores it, and pins
	/// it if asked. Storing content that is already there only adds the pin.
	pub fn import(
		&self,
		reader: impl Read,
		size: Option<u64>,
		limit: u64,
		media_type: Option<String>,
		pin: Option<Pin>,
	) -> Result<BlobInfo, StoreError> {
		let (mut file, path) = self.temp_file()?;
		let result = import::import(reader, &mut file, size, limit)
			.map_err(StoreError::from)
			.and_then(|outboard| self.commit(file, &path, outboard, media_type, pin, None));
		// On success the file was renamed away; on failure nothing of it may remain.
		let _ = fs::remove_file(&path);
		result
	}

	/// Imports a file from disk.
	/// The kernel copies the bytes (`copy_file_range`, a reflink where the filesystem
	/// can), then two threads hash the copy (the bytes hashed are the bytes stored) while
	/// a third waits for the copy to reach the disk: hashing reads the page cache, so the
	/// two overlap.
	pub fn import_file(&self, path: &Path, media_type: Option<String>, pin: Option<Pin>) -> Result<BlobInfo, StoreError> {
		let (file, tmp) = self.temp_file()?;
		let result = (|| {
			let size = fs::copy(path, &tmp)?;
			let syncing = file.try_clone()?;
			let (outboard, synced) = std::thread::scope(|s| {
				let synced = s.spawn(move || syncing.sync_all());
				let outboard = import::outboard_of_file(&file, size);
				(outboard, synced.join().unwrap_or_else(|_| Err(io::Error::other("sync thread panicked"))))
			});
			let outboard = outboard?;
			synced?;
			self.commit(file, &tmp, outboard, media_type, pin, None)
		})();
		let _ = fs::remove_file(&tmp);
		result
	}

	/// Stores a verified temporary file under its outboard's root: inline or renamed
	/// into `blobs/`, then indexed in one batch, synced before it returns (an upload's
	/// `201` means the content survives a crash). `reservation`, the room the file was
	/// written in, becomes the blob's. A content stored already keeps its media type:
	/// the first one stands.
	pub(crate) fn commit(
		&self,
		mut file: File,
		path: &Path,
		outboard: Outboard,
		media_type: Option<String>,
		pin: Option<Pin>,
		reservation: Option<Reservation>,
	) -> Result<BlobInfo, StoreError> {
		let root = verified::root_of(&outboard);
		let size = outboard.tree.size();
		let _guard = self.inner.commit.lock().unwrap_or_else(|e| e.into_inner());
		drop(reservation);
		let mut batch = WriteBatch::default();
		if let Some(pin) = &pin {
			batch.put(pin_key(&root, pin), []);
		}
		let stored = self.meta(&root)?;
		if let (Some(Meta { media_type: None, .. }), Some(media_type)) = (&stored, &media_type) {
			// Known now, unknown before: recorded. A type once recorded is never replaced.
			batch.put(key(META, &root), Meta { size, media_type: Some(media_type.clone()) }.encode());
		}
		if stored.is_none() {
			self.make_room(size)?;
			if size <= INLINE_MAX {
				let mut bytes = Vec::with_capacity(size as usize);
				io::Seek::seek(&mut file, io::SeekFrom::Start(0))?;
				file.read_to_end(&mut bytes)?;
				batch.put(key(INLINE, &root), bytes);
			} else {
				fs::rename(path, self.blob_path(&root))?;
				sync_dir(&self.inner.dir.join("blobs"))?;
			}
			let t = now();
			batch.put(key(META, &root), Meta { size, media_type: media_type.clone() }.encode());
			batch.put(key(OUTBOARD, &root), &outboard.data);
			batch.put(key(ACCESS, &root), Access { added: t, last: t, ..Default::default() }.encode());
			self.inner.used.fetch_add(size, Ordering::SeqCst);
		}
		let mut durable = rocksdb::WriteOptions::default();
		durable.set_sync(true);
		self.inner.db.write_opt(batch, &durable)?;
		self.info(&root)?.ok_or(StoreError::NotFound(root))
	}

	/// Evicts unpinned blobs until `incoming` more bytes fit (the commit lock is held).
	fn make_room(&self, incoming: u64) -> Result<(), StoreError> {
		let limit = self.inner.limit;
		let used = self.used().saturating_add(self.reserved());
		if used.saturating_add(incoming) <= limit {
			return Ok(());
		}
		let full = StoreError::Full { needed: incoming, limit };
		if incoming > limit {
			return Err(full);
		}
		let mut candidates = Vec::new();
		for info in self.list()? {
			if !info.pinned {
				candidates.push((info.root, info.size, self.access(&info.root)?));
			}
		}
		let needed = used.saturating_add(incoming) - limit;
		let victims = cache::victims(candidates, needed, now()).ok_or(full)?;
		for root in victims {
			log::debug!(target: "mesh", "evicting {root:?} to make room");
			self.drop_blob(&root)?;
		}
		Ok(())
	}

	/// Removes a blob's bytes and index entry (not its pins).
	fn drop_blob(&self, root: &ContentId) -> Result<(), StoreError> {
		let Some(meta) = self.meta(root)? else { return Ok(()) };
		let mut batch = WriteBatch::default();
		for kind in [META, INLINE, OUTBOARD, ACCESS] {
			batch.delete(key(kind, root));
		}
		self.inner.db.write(batch)?;
		match fs::remove_file(self.blob_path(root)) {
			Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
			_ => {},
		}
		self.inner.used.fetch_sub(meta.size.min(self.used()), Ordering::SeqCst);
		Ok(())
	}

	/// Removes a blob that nothing pins.
	pub fn remove(&self, root: &ContentId) -> Result<(), StoreError> {
		let _guard = self.inner.commit.lock().unwrap_or_else(|e| e.into_inner());
		if self.is_pinned(root)? {
			return Err(StoreError::Pinned(*root));
		}
		self.drop_blob(root)
	}

	fn meta(&self, root: &ContentId) -> Result<Option<Meta>, StoreError> {
		Ok(self.inner.db.get(key(META, root))?.and_then(|v| Meta::decode(&mut &v[..]).ok()))
	}

	/// A blob's size, media type and pinning, if stored.
	pub fn info(&self, root: &ContentId) -> Result<Option<BlobInfo>, StoreError> {
		let Some(meta) = self.meta(root)? else { return Ok(None) };
		Ok(Some(BlobInfo { root: *root, size: meta.size, media_type: meta.media_type, pinned: self.is_pinned(root)? }))
	}

	/// Every stored blob.
	pub fn list(&self) -> Result<Vec<BlobInfo>, StoreError> {
		let mut roots = Vec::new();
		for item in self.inner.db.iterator(IteratorMode::From(&[META], rocksdb::Direction::Forward)) {
			let (k, _) = item?;
			if k.first() != Some(&META) {
				break;
			}
			if let Ok(root) = <[u8; 32]>::try_from(&k[1..]) {
				roots.push(ContentId(root));
			}
		}
		roots.iter().filter_map(|r| self.info(r).transpose()).collect()
	}

	/// The blob's outboard, if stored.
	pub fn outboard(&self, root: &ContentId) -> Result<Option<Outboard>, StoreError> {
		let Some(meta) = self.meta(root)? else { return Ok(None) };
		let pairs = self.inner.db.get(key(OUTBOARD, root))?.unwrap_or_default();
		Ok(Some(verified::outboard(*root, meta.size, pairs)))
	}

	/// A blob's outboard and bytes, for a verified read.
	fn open_blob(&self, root: &ContentId) -> Result<(Outboard, BlobData), StoreError> {
		let outboard = self.outboard(root)?.ok_or(StoreError::NotFound(*root))?;
		let data = if outboard.tree.size() <= INLINE_MAX {
			BlobData::Inline(self.inner.db.get(key(INLINE, root))?.ok_or(StoreError::NotFound(*root))?)
		} else {
			BlobData::File(File::open(self.blob_path(root))?)
		};
		Ok((outboard, data))
	}

	/// Drops a blob that failed verification (its pins stay, so it is fetched again).
	fn drop_corrupt(&self, root: &ContentId, why: &dyn std::fmt::Display) -> StoreError {
		log::warn!(target: "mesh", "{root:?} failed verification ({why}); dropping the local copy");
		let _guard = self.inner.commit.lock().unwrap_or_else(|e| e.into_inner());
		match self.drop_blob(root) {
			Ok(()) => StoreError::Corrupt(*root),
			Err(e) => e,
		}
	}

	/// Reads `range` of a blob, verified, into `sink`; counts a read. Returns the bytes
	/// read. A corrupt blob is dropped and reported.
	pub fn read(
		&self,
		root: &ContentId,
		range: Range<u64>,
		sink: impl FnMut(bytes::Bytes) -> Result<(), VerifyError>,
	) -> Result<u64, StoreError> {
		self.reader(root)?.read(range, sink)
	}

	/// Opens a blob for verified reads of its parts (counts a read): a reader that
	/// streams a large blob piece by piece keeps its outboard and file open between
	/// pieces, and no thread while it waits for its client.
	pub fn reader(&self, root: &ContentId) -> Result<Reader, StoreError> {
		let (outboard, data) = self.open_blob(root)?;
		self.touch(root, 0)?;
		Ok(Reader { store: self.clone(), root: *root, outboard, data })
	}
	/// The verified-streaming (bao) encoding of the groups covering `range`, for a peer.
	/// Every group is checked before it is encoded; a corrupt blob is dropped and
	/// reported, so a peer never receives bad bytes from this node.
	pub fn encode_range(&self, root: &ContentId, range: Range<u64>) -> Result<Vec<u8>, StoreError> {
		use bao_tree::io::{sync::encode_ranges_validated, EncodeError};
		let (outboard, data) = self.open_blob(root)?;
		let size = outboard.tree.size();
		if range.start >= size && size > 0 {
			return Err(StoreError::OutOfRange { start: range.start, size });
		}
		let mut encoded = Vec::new();
		match encode_ranges_validated(&data, &outboard, &verified::group_ranges(&range), &mut encoded) {
			Ok(()) => Ok(encoded),
			Err(EncodeError::Io(e)) => Err(e.into()),
			Err(e) => Err(self.drop_corrupt(root, &e)),
		}
	}

	/// Reads a whole blob into memory (for small blobs and tests).
	pub fn read_to_vec(&self, root: &ContentId) -> Result<Vec<u8>, StoreError> {
		let mut out = Vec::new();
		self.read(root, 0..u64::MAX, |b| {
			out.extend_from_slice(&b);
			Ok(())
		})?;
		Ok(out)
	}

	/// Counts a read of a blob (`served` = 0), or `served` bytes sent from it.
	pub fn touch(&self, root: &ContentId, served: u64) -> Result<(), StoreError> {
		self.touch_at(root, served, now(), u64::from(served == 0))
	}

	/// Records `reads` reads and `served` bytes of a blob at unix time `at` (the cache's
	/// clock; the node uses [`Store::touch`]).
	pub fn touch_at(&self, root: &ContentId, served: u64, at: u64, reads: u64) -> Result<(), StoreError> {
		let mut a = self.access(root)?;
		a.hits += reads;
		a.served += served;
		a.last = at;
		a.added = a.added.min(at);
		let mut batch = WriteBatch::default();
		batch.put(key(ACCESS, root), a.encode());
		if served > 0 {
			// Concurrent touches may persist their totals out of order; the count in
			// memory is exact and a restart loses at most the last one's bytes.
			let total = self.inner.served.fetch_add(served, Ordering::SeqCst) + served;
			batch.put(SERVED, total.encode());
		}
		self.inner.db.write(batch)?;
		Ok(())
	}

	/// Bytes served from this store since it was created (over HTTP and to peers): the
	/// operator's figure (the chain pays for what clients sign for, see `crate::receipts`).
	pub fn served_total(&self) -> u64 {
		self.inner.served.load(Ordering::SeqCst)
	}

	/// What is known of a blob's use.
	pub fn access(&self, root: &ContentId) -> Result<Access, StoreError> {
		Ok(self.inner.db.get(key(ACCESS, root))?.and_then(|v| Access::decode(&mut &v[..]).ok()).unwrap_or_default())
	}

	/// Pins a blob (stored or not yet: a replica is pinned before it arrives). Taken
	/// under the commit lock, so an eviction that chose its victims cannot drop a blob
	/// pinned meanwhile.
	pub fn pin(&self, root: &ContentId, pin: Pin) -> Result<(), StoreError> {
		let _guard = self.inner.commit.lock().unwrap_or_else(|e| e.into_inner());
		Ok(self.inner.db.put(pin_key(root, &pin), [])?)
	}

	/// Removes one pin.
	pub fn unpin(&self, root: &ContentId, pin: &Pin) -> Result<(), StoreError> {
		Ok(self.inner.db.delete(pin_key(root, pin))?)
	}

	/// The pins of a blob.
	pub fn pins(&self, root: &ContentId) -> Result<Vec<Pin>, StoreError> {
		Ok(self.scan_pins(&key(PIN, root))?.into_iter().map(|(_, pin)| pin).collect())
	}

	/// Every pin of every blob (stored or awaited).
	pub fn all_pins(&self) -> Result<Vec<(ContentId, Pin)>, StoreError> {
		self.scan_pins(&[PIN])
	}

	/// The pins whose keys start with `prefix` (all pins, or one blob's).
	fn scan_pins(&self, prefix: &[u8]) -> Result<Vec<(ContentId, Pin)>, StoreError> {
		let mut out = Vec::new();
		for item in self.inner.db.prefix_iterator(prefix) {
			let (k, _) = item?;
			if !k.starts_with(prefix) {
				break;
			}
			let Some(root) = k.get(1..33).and_then(|r| <[u8; 32]>::try_from(r).ok()) else { continue };
			if let Ok(pin) = Pin::decode(&mut &k[33..]) {
				out.push((ContentId(root), pin));
			}
		}
		Ok(out)
	}

	/// Bytes of stored blobs pinned as uploads: by `account` (its [`Pin::UploadBy`]
	/// name), or by anyone (`None`, every [`Pin::Upload`] and [`Pin::UploadBy`]). A blob
	/// is counted once however many pins it has.
	pub fn uploaded(&self, account: Option<&[u8]>) -> Result<u64, StoreError> {
		let mut roots: Vec<ContentId> = self
			.all_pins()?
			.into_iter()
			.filter(|(_, pin)| match (pin, account) {
				(Pin::UploadBy(by), Some(account)) => by.as_slice() == account,
				(Pin::Upload | Pin::UploadBy(_), None) => true,
				_ => false,
			})
			.map(|(root, _)| root)
			.collect();
		roots.sort();
		roots.dedup();
		let mut bytes = 0u64;
		for root in roots {
			bytes = bytes.saturating_add(self.meta(&root)?.map_or(0, |m| m.size));
		}
		Ok(bytes)
	}

	/// Whether anything pins a blob.
	pub fn is_pinned(&self, root: &ContentId) -> Result<bool, StoreError> {
		Ok(!self.pins(root)?.is_empty())
	}
}

/// A blob opened for verified reads ([`Store::reader`]).
pub struct Reader {
	store: Store,
	root: ContentId,
	outboard: Outboard,
	data: BlobData,
}

impl Reader {
	/// Reads `range`, verified, into `sink`; returns the bytes read. A corrupt blob is
	/// dropped from the store and reported.
	pub fn read(&self, range: Range<u64>, sink: impl FnMut(bytes::Bytes) -> Result<(), VerifyError>) -> Result<u64, StoreError> {
		use bao_tree::io::sync::ReadAt;
		match verified::read_verified(&self.outboard, range, |at, buf| self.data.read_exact_at(at, buf), sink) {
			Ok(n) => Ok(n),
			Err(e @ (VerifyError::Corrupt(_) | VerifyError::TreeMismatch)) => Err(self.store.drop_corrupt(&self.root, &e)),
			Err(e) => Err(StoreError::Verify(e)),
		}
	}
}

/// Room held in the store for a download in progress; given back when dropped.
pub struct Reservation {
	store: Store,
	bytes: u64,
}

impl Drop for Reservation {
	fn drop(&mut self) {
		self.store.inner.reserved.fetch_sub(self.bytes, Ordering::SeqCst);
	}
}

fn pin_key(root: &ContentId, pin: &Pin) -> Vec<u8> {
	let mut k = key(PIN, root);
	pin.encode_to(&mut k);
	k
}

/// Where a blob's bytes are: inline in the index, or in its file.
enum BlobData {
	Inline(Vec<u8>),
	File(File),
}

impl bao_tree::io::sync::ReadAt for BlobData {
	fn read_at(&self, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
		match self {
			BlobData::Inline(bytes) => (&bytes[..]).read_at(pos, buf),
			BlobData::File(file) => file.read_at(pos, buf),
		}
	}
}

/// Makes a rename durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
	File::open(dir)?.sync_all()
}
