//! The DHT's record store: this node's own provider records apart from other peers'.
//!
//! libp2p's `MemoryStore` counts every key it holds providers for, ours and other peers',
//! against one limit, and refuses our own `start_providing` once it is reached: any peer
//! could fill it with `ADD_PROVIDER` for random keys and stop this node from announcing
//! what it caches. Here the records other peers send live in one bounded store and ours in
//! another, bounded only by what the content store can hold.

use libp2p::{
	kad::{
		store::{MemoryStore, MemoryStoreConfig, RecordStore, Result},
		ProviderRecord, Record, RecordKey,
	},
	PeerId,
};
use std::borrow::Cow;

/// Keys this node may announce itself as providing.
pub const MAX_OWN_KEYS: usize = 1 << 20;

/// Provider records: ours, and the bounded rest.
pub struct Records {
	me: PeerId,
	own: MemoryStore,
	others: MemoryStore,
}

impl Records {
	/// A store for node `me`; other peers' provider records within libp2p's default bounds.
	pub fn new(me: PeerId) -> Self {
		let own = MemoryStoreConfig { max_provided_keys: MAX_OWN_KEYS, max_records: 0, ..Default::default() };
		// Value records (PUT_VALUE) are not used by the mesh: none are kept.
		let others = MemoryStoreConfig { max_records: 0, max_value_bytes: 0, ..Default::default() };
		Records { me, own: MemoryStore::with_config(me, own), others: MemoryStore::with_config(me, others) }
	}
}

impl RecordStore for Records {
	type RecordsIter<'a> = <MemoryStore as RecordStore>::RecordsIter<'a>;
	type ProvidedIter<'a> = <MemoryStore as RecordStore>::ProvidedIter<'a>;

	fn get(&self, k: &RecordKey) -> Option<Cow<'_, Record>> {
		self.others.get(k)
	}

	fn put(&mut self, r: Record) -> Result<()> {
		self.others.put(r)
	}

	fn remove(&mut self, k: &RecordKey) {
		self.others.remove(k)
	}

	fn records(&self) -> Self::RecordsIter<'_> {
		self.others.records()
	}

	fn add_provider(&mut self, record: ProviderRecord) -> Result<()> {
		if record.provider == self.me {
			self.own.add_provider(record)
		} else {
			self.others.add_provider(record)
		}
	}

	fn providers(&self, key: &RecordKey) -> Vec<ProviderRecord> {
		let mut found = self.own.providers(key);
		found.extend(self.others.providers(key));
		found
	}

	fn provided(&self) -> Self::ProvidedIter<'_> {
		self.own.provided()
	}

	fn remove_provider(&mut self, k: &RecordKey, p: &PeerId) {
		if *p == self.me {
			self.own.remove_provider(k, p)
		} else {
			self.others.remove_provider(k, p)
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn record(key: u32, provider: PeerId) -> ProviderRecord {
		ProviderRecord::new(RecordKey::new(&key.to_le_bytes()), provider, Vec::new())
	}

	/// Other peers filling their share does not stop this node from providing.
	#[test]
	fn others_cannot_crowd_out_our_own_records() {
		let me = PeerId::random();
		let mut records = Records::new(me);
		let flooder = PeerId::random();
		let mut refused = 0;
		for key in 0..5_000u32 {
			refused += usize::from(records.add_provider(record(key, flooder)).is_err());
		}
		assert!(refused > 0, "other peers' records are bounded");
		for key in 10_000..12_000u32 {
			records.add_provider(record(key, me)).expect("our own records are taken");
		}
		assert_eq!(records.provided().count(), 2_000);
		assert_eq!(records.providers(&RecordKey::new(&10_500u32.to_le_bytes())).len(), 1);
	}
}
