//! The store's conformance suite: real RocksDB, real files, in a temporary directory.
//! Boundary sizes, restart, a crash mid-import, eviction order, pins never evicted,
//! corruption never served.

use landmesh_mesh::{cache::HALF_LIFE_SECS, ContentId, Pin, Store, StoreError};
use std::{fs, io};

const MIB: u64 = 1 << 20;

fn data(size: usize, seed: u8) -> Vec<u8> {
	(0..size).map(|i| (i as u8).wrapping_mul(17).wrapping_add(seed) ^ (i >> 12) as u8).collect()
}

fn put(store: &Store, bytes: &[u8], pin: Option<Pin>) -> ContentId {
	store.import(bytes, Some(bytes.len() as u64), u64::MAX, None, pin).expect("import").root
}

#[test]
fn boundary_sizes_round_trip_and_match_b3sum() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	let sizes = [0, 1, 1023, 1024, 1025, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 8 * MIB as usize + 1];
	for (n, size) in sizes.into_iter().enumerate() {
		let bytes = data(size, n as u8);
		// Announced size and streamed without one must give the same content.
		let root = put(&store, &bytes, None);
		assert_eq!(root.0, *blake3::hash(&bytes).as_bytes(), "the content id is the b3sum, size {size}");
		let again = store.import(&bytes[..], None, u64::MAX, None, None).unwrap();
		assert_eq!(again.root, root);
		assert_eq!(store.read_to_vec(&root).unwrap(), bytes, "size {size}");
		let info = store.info(&root).unwrap().unwrap();
		assert_eq!(info.size, size as u64);
		// Ranges: the last byte, a middle slice, past the end (clamped to nothing).
		if size > 2 {
			let mut out = Vec::new();
			store.read(&root, size as u64 - 1..size as u64, |b| Ok(out.extend_from_slice(&b))).unwrap();
			assert_eq!(out, bytes[size - 1..]);
			let mut out = Vec::new();
			store.read(&root, 1..size as u64 - 1, |b| Ok(out.extend_from_slice(&b))).unwrap();
			assert_eq!(out, bytes[1..size - 1]);
		}
		let mut out = Vec::new();
		assert_eq!(store.read(&root, size as u64 + 5..size as u64 + 10, |b| Ok(out.extend_from_slice(&b))).unwrap(), 0);
	}
	let total: u64 = sizes.iter().map(|s| *s as u64).sum();
	assert_eq!(store.used(), total, "a content stored twice counts once");
}

#[test]
fn survives_restart_and_cleans_up_a_crash_mid_import() {
	let dir = tempfile::tempdir().unwrap();
	let big = data(3 * MIB as usize, 1);
	let small = data(100, 2);
	let (big_root, small_root) = {
		let store = Store::open(dir.path(), 1 << 30).unwrap();
		let roots = (put(&store, &big, Some(Pin::Upload)), put(&store, &small, None));
		store.touch(&roots.1, 42).unwrap();
		store.touch(&roots.0, 8).unwrap();
		store.pin(&roots.0, Pin::Replica(5)).unwrap();
		assert_eq!(store.served_total(), 50);
		roots
	};
	// What a crash leaves: a half-written import in tmp/, and a blob renamed into place
	// whose index entry was never committed.
	fs::write(dir.path().join("tmp").join("999-0"), &big[..1000]).unwrap();
	let orphan = ContentId(*blake3::hash(b"orphan").as_bytes());
	fs::write(dir.path().join("blobs").join(orphan.to_hex()), b"orphan").unwrap();

	let store = Store::open(dir.path(), 1 << 30).unwrap();
	assert_eq!(store.read_to_vec(&big_root).unwrap(), big);
	assert_eq!(store.read_to_vec(&small_root).unwrap(), small);
	assert_eq!(store.pins(&big_root).unwrap(), vec![Pin::Upload, Pin::Replica(5)], "pins survive");
	assert_eq!(store.access(&small_root).unwrap().served, 42, "access accounting survives");
	assert_eq!(store.served_total(), 50, "so does the served total");
	assert_eq!(store.all_pins().unwrap(), vec![(big_root, Pin::Upload), (big_root, Pin::Replica(5))]);
	assert_eq!(store.used(), big.len() as u64 + small.len() as u64);
	assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0, "the half-written import is gone");
	assert!(store.info(&orphan).unwrap().is_none());
	assert!(!dir.path().join("blobs").join(orphan.to_hex()).exists(), "the unindexed blob is gone");
}

#[test]
fn a_blob_file_lost_or_truncated_behind_the_stores_back_is_dropped_at_open() {
	let dir = tempfile::tempdir().unwrap();
	let bytes = data(100_000, 3);
	let root = {
		let store = Store::open(dir.path(), 1 << 30).unwrap();
		put(&store, &bytes, Some(Pin::Replica(7)))
	};
	let file = dir.path().join("blobs").join(root.to_hex());
	fs::OpenOptions::new().write(true).open(&file).unwrap().set_len(50_000).unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	assert!(store.info(&root).unwrap().is_none(), "a short file is never served");
	assert_eq!(store.used(), 0);
	assert_eq!(store.pins(&root).unwrap(), vec![Pin::Replica(7)], "the pin stays, so the node fetches it again");
}

#[test]
fn a_failed_import_stores_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	/// A stream that breaks after some bytes, as a dropped upload does.
	struct Broken(usize);
	impl io::Read for Broken {
		fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
			if self.0 == 0 {
				return Err(io::Error::new(io::ErrorKind::ConnectionReset, "client went away"));
			}
			let n = buf.len().min(self.0);
			buf[..n].fill(7);
			self.0 -= n;
			Ok(n)
		}
	}
	assert!(store.import(Broken(100_000), Some(200_000), u64::MAX, None, None).is_err());
	assert!(store.import(Broken(100_000), None, u64::MAX, None, None).is_err());
	assert!(matches!(
		store.import(&data(5000, 1)[..], None, 4096, None, None),
		Err(StoreError::Import(landmesh_mesh::import::ImportError::TooLarge { limit: 4096 }))
	));
	assert!(store.list().unwrap().is_empty());
	assert_eq!(store.used(), 0);
	assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
	assert_eq!(fs::read_dir(dir.path().join("blobs")).unwrap().count(), 0);
}

/// Records `hits` reads of a blob, the last `idle` seconds ago (and none since).
fn age(store: &Store, root: &ContentId, hits: u64, idle: u64) {
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
	store.touch_at(root, 0, now - idle, hits).unwrap();
}

#[test]
fn eviction_takes_the_least_popular_idle_unpinned_blobs_first() {
	let dir = tempfile::tempdir().unwrap();
	let blob = 100_000usize;
	let store = Store::open(dir.path(), 4 * blob as u64).unwrap();
	let popular_old = put(&store, &data(blob, 1), None);
	let fresh = put(&store, &data(blob, 2), None);
	let pinned_cold = put(&store, &data(blob, 3), Some(Pin::Owner(vec![1, 2, 3])));
	let unread_old = put(&store, &data(blob, 4), None);
	age(&store, &popular_old, 1000, 7 * 24 * 3600);
	age(&store, &fresh, 10, 60);
	age(&store, &pinned_cold, 0, 30 * 24 * 3600);
	age(&store, &unread_old, 0, 2 * HALF_LIFE_SECS);
	assert_eq!(store.used(), 4 * blob as u64);

	// One more blob: the popular-but-idle-for-a-week one goes first.
	let new1 = put(&store, &data(blob, 5), None);
	assert!(store.info(&popular_old).unwrap().is_none());
	// Another: the never-read one is next; the pinned one, colder than both, stays.
	let new2 = put(&store, &data(blob, 6), None);
	assert!(store.info(&unread_old).unwrap().is_none());
	for kept in [fresh, pinned_cold, new1, new2] {
		assert!(store.info(&kept).unwrap().is_some());
	}
	assert!(store.used() <= store.limit());
}

#[test]
fn pinned_content_is_never_evicted_and_a_full_store_says_so() {
	let dir = tempfile::tempdir().unwrap();
	let blob = 100_000usize;
	let store = Store::open(dir.path(), 2 * blob as u64).unwrap();
	let a = put(&store, &data(blob, 1), Some(Pin::Upload));
	let b = put(&store, &data(blob, 2), Some(Pin::Replica(1)));
	let err = store.import(&data(blob, 3)[..], Some(blob as u64), u64::MAX, None, None).unwrap_err();
	assert!(matches!(err, StoreError::Full { .. }), "{err}");
	assert!(store.info(&a).unwrap().is_some() && store.info(&b).unwrap().is_some());
	assert!(matches!(store.remove(&a), Err(StoreError::Pinned(_))));
	// Unpinned, it becomes evictable.
	store.unpin(&a, &Pin::Upload).unwrap();
	let c = put(&store, &data(blob, 3), None);
	assert!(store.info(&a).unwrap().is_none());
	assert_eq!(store.read_to_vec(&c).unwrap(), data(blob, 3));
	// Larger than the whole store: refused before anything is evicted.
	let err = store.import(&data(3 * blob, 4)[..], Some(3 * blob as u64), u64::MAX, None, None).unwrap_err();
	assert!(matches!(err, StoreError::Full { .. }));
	assert!(store.info(&c).unwrap().is_some());
}

#[test]
fn corrupt_bytes_are_detected_never_served_and_dropped() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	let bytes = data(200_000, 9);
	let root = put(&store, &bytes, Some(Pin::Replica(3)));
	let file = dir.path().join("blobs").join(root.to_hex());
	let mut on_disk = fs::read(&file).unwrap();
	on_disk[150_000] ^= 0xff;
	fs::write(&file, &on_disk).unwrap();
	// The groups before the bad one are fine; a read that reaches it fails before the
	// bad group's bytes are handed over.
	let mut served = Vec::new();
	let err = store.read(&root, 0..200_000, |b| Ok(served.extend_from_slice(&b))).unwrap_err();
	assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
	assert!(served.len() as u64 <= 150_000 / 16384 * 16384, "nothing of the corrupt group was served");
	assert_eq!(served[..], bytes[..served.len()]);
	assert!(store.info(&root).unwrap().is_none(), "the copy is dropped");
	assert_eq!(store.pins(&root).unwrap(), vec![Pin::Replica(3)], "the pin stays for a refetch");
	assert_eq!(store.used(), 0);
}

/// Race: a blob is pinned while an import evicts to make room, the blob being the only
/// one it could evict. Must hold: a blob present when its `pin` returned is never
/// evicted afterwards (the pin and the eviction's choice of victims are taken under one
/// lock; without it, an import that listed the blob as unpinned dropped it after the pin).
#[test]
fn a_pin_taken_during_an_eviction_holds() {
	let dir = tempfile::tempdir().unwrap();
	let blob = 40_000usize;
	// Room for many blobs' worth of candidates, so that listing them takes a while.
	let store = Store::open(dir.path(), 64 * blob as u64).unwrap();
	let mut caught = Vec::new();
	for round in 0..60u8 {
		// Fill the store with unpinned blobs; the round's target is one of them.
		let fill: Vec<_> = (0..64u8).map(|i| put(&store, &data(blob, round.wrapping_mul(64).wrapping_add(i)), None)).collect();
		let incoming = data(blob * 8, round);
		std::thread::scope(|s| {
			let importer = s.spawn(|| store.import(&incoming[..], None, u64::MAX, None, None));
			for root in &fill {
				store.pin(root, Pin::Replica(round as u64)).unwrap();
				let present = store.info(root).unwrap().is_some();
				if present {
					caught.push(*root);
				}
			}
			let _ = importer.join().unwrap();
		});
		for root in caught.drain(..) {
			assert!(store.info(&root).unwrap().is_some(), "round {round}: a blob pinned while present was evicted");
		}
		for root in &fill {
			store.unpin(root, &Pin::Replica(round as u64)).unwrap();
			let _ = store.remove(root);
		}
	}
}
