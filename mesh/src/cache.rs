//! What to evict when the store is full: the least popular, longest idle, unpinned blobs.
//!
//! A blob's *keep score* is its popularity (reads, plus one so a new blob is worth
//! something) halved for every [`HALF_LIFE`] it has gone unread. A blob read a thousand
//! times last week loses to one read ten times this morning, as a CDN edge should behave.
//! Pinned blobs are never candidates; the store filters them out before asking.

use codec::{Decode, Encode};
use landmesh_primitives::ContentId;

/// Idle time that halves a blob's popularity: six hours.
pub const HALF_LIFE_SECS: u64 = 6 * 3600;

/// What the store records of a blob's use.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct Access {
	/// Reads (each HTTP or peer request counts once).
	pub hits: u64,
	/// Bytes served from it.
	pub served: u64,
	/// When it was stored (unix seconds).
	pub added: u64,
	/// When it was last read (unix seconds; `added` until then).
	pub last: u64,
}

/// How much a blob is worth keeping at `now`.
pub fn keep_score(access: &Access, now: u64) -> f64 {
	let idle = now.saturating_sub(access.last.max(access.added)) as f64;
	(1.0 + access.hits as f64) * 0.5f64.powf(idle / HALF_LIFE_SECS as f64)
}

/// The blobs to evict, lowest score first (oldest first on ties), until at least
/// `needed` bytes are freed; `None` if all of them together do not free enough.
pub fn victims(mut candidates: Vec<(ContentId, u64, Access)>, needed: u64, now: u64) -> Option<Vec<ContentId>> {
	candidates.sort_by(|a, b| {
		keep_score(&a.2, now).total_cmp(&keep_score(&b.2, now)).then(a.2.last.cmp(&b.2.last))
	});
	let mut freed = 0u64;
	let mut out = Vec::new();
	for (root, size, _) in candidates {
		if freed >= needed {
			break;
		}
		freed += size;
		out.push(root);
	}
	(freed >= needed).then_some(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn id(n: u8) -> ContentId {
		ContentId([n; 32])
	}

	#[test]
	fn idle_and_unpopular_go_first() {
		let now = 100 * HALF_LIFE_SECS;
		let at = |hits, hours_idle: u64| Access { hits, served: 0, added: 0, last: now - hours_idle * 3600 };
		let candidates = vec![
			(id(1), 10, at(1000, 7 * 24)), // popular last week
			(id(2), 10, at(10, 1)),        // a little, this morning
			(id(3), 10, at(0, 48)),        // never read, two days old
			(id(4), 10, at(50, 0)),        // popular now
		];
		assert_eq!(victims(candidates.clone(), 1, now), Some(vec![id(1)]));
		assert_eq!(victims(candidates.clone(), 25, now), Some(vec![id(1), id(3), id(2)]));
		assert_eq!(victims(candidates, 41, now), None, "cannot free more than there is");
		assert_eq!(victims(vec![], 0, now), Some(vec![]));
	}
}
