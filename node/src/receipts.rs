//! The served receipts this miner's gateway collected in the current era, until the
//! off-chain worker reports them (`pallet-miner-worker`, under
//! `landmesh_primitives::miner::RECEIPTS_KEY`).
//!
//! One receipt per client, the one with the most bytes (receipts are cumulative). At
//! most [`MAX_KEPT`] clients are kept (all of them fit one report), ranked by what each
//! can still count on chain (the directory reads the client's remaining allowance), not by
//! the bytes it claims: a full set takes a new client only if it counts for more than the
//! least of those kept, so clients that spent their allowance, or claim more than they
//! have, cannot push out the clients that count. Only accounts that vouch this era get
//! here at all (the directory checks).

use landmesh_primitives::miner::{Receipt, MAX_RECEIPTS_PER_REPORT};
use landmesh_runtime::AccountId;
use std::{collections::HashMap, sync::Mutex};

/// The most clients kept per era: as many as one report carries.
pub const MAX_KEPT: usize = MAX_RECEIPTS_PER_REPORT as usize;

/// A kept receipt and what it can count on chain.
type Kept = (Receipt, u64);

/// The receipts of one era, by client.
#[derive(Default)]
pub struct Collected {
	inner: Mutex<(u32, HashMap<AccountId, Kept>)>,
}

impl Collected {
	/// Keeps `receipt` (of the current era), which can count `countable` bytes on chain,
	/// if it is its client's largest; the receipts of an earlier era are dropped when the
	/// first of a new one arrives.
	pub fn keep(&self, receipt: Receipt, countable: u64) -> Result<(), String> {
		let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let (era, receipts) = &mut *inner;
		if receipt.era != *era {
			*era = receipt.era;
			receipts.clear();
		}
		if receipts.get(&receipt.client).is_some_and(|(kept, _)| kept.bytes >= receipt.bytes) {
			return Ok(());
		}
		if receipts.len() >= MAX_KEPT && !receipts.contains_key(&receipt.client) {
			let least = receipts.iter().min_by_key(|(_, (_, c))| *c).map(|(client, (_, c))| (client.clone(), *c));
			match least {
				Some((client, counts)) if counts < countable => {
					receipts.remove(&client);
				},
				_ => {
					return Err(format!(
						"this gateway keeps the {MAX_KEPT} receipts of the era that count most; yours counts less"
					))
				},
			}
		}
		receipts.insert(receipt.client.clone(), (receipt, countable));
		Ok(())
	}

	/// The era's receipts to report: those that count most first, at most
	/// `MAX_RECEIPTS_PER_REPORT`.
	pub fn of_era(&self, era: u32) -> Vec<Receipt> {
		let inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if inner.0 != era {
			return Vec::new();
		}
		let mut receipts: Vec<&Kept> = inner.1.values().collect();
		receipts.sort_by(|(a, ca), (b, cb)| cb.cmp(ca).then_with(|| a.client.cmp(&b.client)));
		receipts.into_iter().take(MAX_RECEIPTS_PER_REPORT as usize).map(|(r, _)| r.clone()).collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_runtime::MultiSignature;

	fn receipt(client: u8, era: u32, bytes: u64) -> Receipt {
		let signature = MultiSignature::Sr25519(polkadot_sdk::sp_core::sr25519::Signature::from_raw([0; 64]));
		Receipt { client: AccountId::new([client; 32]), era, bytes, signature }
	}

	#[test]
	fn the_largest_receipt_of_each_client_is_kept_per_era() {
		let collected = Collected::default();
		collected.keep(receipt(1, 3, 100), 100).unwrap();
		collected.keep(receipt(1, 3, 50), 50).unwrap();
		collected.keep(receipt(2, 3, 70), 70).unwrap();
		assert_eq!(collected.of_era(3), vec![receipt(1, 3, 100), receipt(2, 3, 70)]);
		assert!(collected.of_era(2).is_empty());
		collected.keep(receipt(2, 4, 10), 10).unwrap();
		assert_eq!(collected.of_era(4), vec![receipt(2, 4, 10)], "a new era starts empty");
	}

	/// Attack: a flood of receipts claiming huge byte counts from clients whose allowance
	/// is spent (they would count nothing on chain). Must hold: they rank by what they can
	/// count, so they never push out receipts that count.
	#[test]
	fn a_full_set_takes_only_receipts_that_count_for_more() {
		let collected = Collected::default();
		for n in 0..MAX_KEPT {
			let mut r = receipt(0, 1, 1_000 + n as u64);
			let mut id = [0u8; 32];
			id[..8].copy_from_slice(&(n as u64 + 10).to_le_bytes());
			r.client = AccountId::new(id);
			let counts = r.bytes;
			collected.keep(r, counts).unwrap();
		}
		assert!(collected.keep(receipt(1, 1, u64::MAX), 0).is_err(), "claims all, counts nothing");
		assert!(collected.keep(receipt(2, 1, 5), 5).is_err(), "counts less than all kept");
		collected.keep(receipt(3, 1, 1_000_000), 1_000_000).unwrap();
		let reported = collected.of_era(1);
		assert_eq!(reported.len(), MAX_KEPT);
		assert_eq!(reported[0], receipt(3, 1, 1_000_000));
	}
}
