//! The served receipts this miner's gateway collected in the current era, until the
//! off-chain worker reports them (`pallet-miner-worker`, under
//! `landmesh_primitives::miner::RECEIPTS_KEY`).
//!
//! One receipt per client, the one with the most bytes (receipts are cumulative). At
//! most [`MAX_KEPT`] clients are kept: a full set takes a new client only with more bytes
//! than its smallest, so a flood of small receipts cannot push out the clients that
//! count. Only accounts holding a client deposit on chain get here at all (the directory
//! checks), and the report carries the largest
//! [`MAX_RECEIPTS_PER_REPORT`](landmesh_primitives::miner::MAX_RECEIPTS_PER_REPORT).

use landmesh_primitives::miner::{Receipt, MAX_RECEIPTS_PER_REPORT};
use landmesh_runtime::AccountId;
use std::{collections::HashMap, sync::Mutex};

/// The most clients kept per era.
pub const MAX_KEPT: usize = 4 * MAX_RECEIPTS_PER_REPORT as usize;

/// The receipts of one era, by client.
#[derive(Default)]
pub struct Collected {
	inner: Mutex<(u32, HashMap<AccountId, Receipt>)>,
}

impl Collected {
	/// Keeps `receipt` (of the current era) if it is its client's largest; the receipts
	/// of an earlier era are dropped when the first of a new one arrives.
	pub fn keep(&self, receipt: Receipt) -> Result<(), String> {
		let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let (era, receipts) = &mut *inner;
		if receipt.era != *era {
			*era = receipt.era;
			receipts.clear();
		}
		if receipts.get(&receipt.client).is_some_and(|kept| kept.bytes >= receipt.bytes) {
			return Ok(());
		}
		if receipts.len() >= MAX_KEPT && !receipts.contains_key(&receipt.client) {
			let smallest = receipts.iter().min_by_key(|(_, r)| r.bytes).map(|(c, r)| (c.clone(), r.bytes));
			match smallest {
				Some((client, bytes)) if bytes < receipt.bytes => {
					receipts.remove(&client);
				},
				_ => return Err(format!("this gateway keeps the {MAX_KEPT} largest receipts of the era; yours is smaller")),
			}
		}
		receipts.insert(receipt.client.clone(), receipt);
		Ok(())
	}

	/// The era's receipts to report: the largest first, at most `MAX_RECEIPTS_PER_REPORT`.
	pub fn of_era(&self, era: u32) -> Vec<Receipt> {
		let inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if inner.0 != era {
			return Vec::new();
		}
		let mut receipts: Vec<Receipt> = inner.1.values().cloned().collect();
		receipts.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.client.cmp(&b.client)));
		receipts.truncate(MAX_RECEIPTS_PER_REPORT as usize);
		receipts
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
		collected.keep(receipt(1, 3, 100)).unwrap();
		collected.keep(receipt(1, 3, 50)).unwrap();
		collected.keep(receipt(2, 3, 70)).unwrap();
		assert_eq!(collected.of_era(3), vec![receipt(1, 3, 100), receipt(2, 3, 70)]);
		assert!(collected.of_era(2).is_empty());
		collected.keep(receipt(2, 4, 10)).unwrap();
		assert_eq!(collected.of_era(4), vec![receipt(2, 4, 10)], "a new era starts empty");
	}

	#[test]
	fn a_full_set_takes_only_larger_receipts() {
		let collected = Collected::default();
		for n in 0..MAX_KEPT {
			let mut r = receipt(0, 1, 1_000 + n as u64);
			let mut id = [0u8; 32];
			id[..8].copy_from_slice(&(n as u64 + 10).to_le_bytes());
			r.client = AccountId::new(id);
			collected.keep(r).unwrap();
		}
		assert!(collected.keep(receipt(1, 1, 5)).is_err(), "smaller than all kept");
		collected.keep(receipt(1, 1, 1_000_000)).unwrap();
		let reported = collected.of_era(1);
		assert_eq!(reported.len(), MAX_RECEIPTS_PER_REPORT as usize);
		assert_eq!(reported[0], receipt(1, 1, 1_000_000));
	}
}
