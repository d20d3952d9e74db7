//! # Miner worker
//!
//! The runtime's half of a miner: an off-chain worker that turns what the miner's node
//! did into signed transactions.
//!
//! - The node follows the chain, fetches and pins the replicas assigned to its miner,
//!   and computes chunk proofs from its store; it appends them as
//!   [`MinerTask`]s to the off-chain database under [`OUTBOX_KEY`].
//! - At every block the worker takes the whole outbox (compare-and-set, so a task the
//!   node appends meanwhile is never lost), maps each task to its runtime call through
//!   [`Config::Tasks`] and submits it signed with the miner's key: the keystore key of
//!   type [`KEY_TYPE`] (`lmsh`), whose account is the registered miner.
//! - It reports the receipts the node's gateway collected from its clients in the current
//!   era (under [`RECEIPTS_KEY`]: each client's signed word of the bytes it was served)
//!   that grew since its last report, at most once every [`Config::ReportInterval`]
//!   blocks, and all of them again after [`RESEND_AFTER_INTERVALS`] quiet intervals (a
//!   report the pool dropped is not lost). Receipts are cumulative: a repeated one counts
//!   nothing twice.
//!
//! Nonces: a transaction the worker sent at block N may still be in the pool at N + 1,
//! where the state's nonce has not moved yet. The worker keeps the next nonce it may use
//! in the off-chain database ([`NONCE_KEY`]) and signs with the larger of that and the
//! state's, so consecutive blocks' transactions never collide; a nonce the chain never
//! saw is given up after [`NONCE_LIFETIME`] blocks (its transaction was dropped).
//!
//! Nodes without a miner key do nothing here. Tasks that fail (a proof the chain
//! refuses, a transaction the pool rejects) are not retried by the worker: the node
//! derives its tasks from chain state and hands them over again while they are due.
//!
//! The pallet has no calls and no storage: its state is the node's off-chain database.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
pub use landmesh_primitives::miner::{MinerTask, Receipt, KEY_TYPE, OUTBOX_KEY, RECEIPTS_KEY};
use polkadot_sdk::{
	frame_support::{self, traits::Get},
	frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction, SendSignedTransaction, Signer},
		pallet_prelude::BlockNumberFor,
	},
	sp_runtime::{
		offchain::storage::{StorageRetrievalError, StorageValueRef},
		traits::Zero,
		SaturatedConversion,
	},
};

/// The miner's signing key: sr25519 under key type [`KEY_TYPE`].
pub mod crypto {
	use super::KEY_TYPE;
	use polkadot_sdk::{
		frame_system::offchain::AppCrypto,
		sp_core::sr25519,
		sp_runtime::{app_crypto::app_crypto, traits::Verify, MultiSignature, MultiSigner},
	};

	app_crypto!(sr25519, KEY_TYPE);

	/// Signs with the `lmsh` key for runtimes whose accounts are `MultiSigner`s.
	pub struct MinerKey;

	impl AppCrypto<MultiSigner, MultiSignature> for MinerKey {
		type RuntimeAppPublic = Public;
		type GenericSignature = sr25519::Signature;
		type GenericPublic = sr25519::Public;
	}

	impl AppCrypto<<sr25519::Signature as Verify>::Signer, sr25519::Signature> for MinerKey {
		type RuntimeAppPublic = Public;
		type GenericSignature = sr25519::Signature;
		type GenericPublic = sr25519::Public;
	}
}

/// What the worker reported last: the era, each client's bytes and the block (SCALE
/// `(u32, Vec<(AccountId32, u64)>, u64)`).
pub const REPORTED_KEY: &[u8] = b"landmesh::miner::reported";

/// The next nonce the worker may sign with, and the block it was written at.
pub const NONCE_KEY: &[u8] = b"landmesh::miner::next-nonce";

/// Blocks after which nonces the worker used that the chain has not seen are given up:
/// its transactions land in the next block unless dropped (a restarted node's pool is
/// empty), and a gap left by a dropped one would hold every later one back.
pub const NONCE_LIFETIME: u32 = 4;

/// Maps a task to the runtime call that carries it (the runtime knows the pallets).
pub trait TaskCalls<Call> {
	/// The call, or `None` when this task cannot be carried (e.g. more proofs than the
	/// call accepts): it is dropped.
	fn call(task: MinerTask) -> Option<Call>;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config
		+ CreateSignedTransaction<<Self as polkadot_sdk::frame_system::Config>::RuntimeCall>
	{
		/// The miner's key in the node's keystore.
		type MinerKey: AppCrypto<Self::Public, Self::Signature>;
		/// The calls that carry the tasks.
		type Tasks: TaskCalls<<Self as polkadot_sdk::frame_system::Config>::RuntimeCall>;
		/// Blocks per era (as pallet-audit counts them).
		type EraLength: Get<BlockNumberFor<Self>>;
		/// The fewest blocks between two reports of receipts.
		type ReportInterval: Get<BlockNumberFor<Self>>;
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn offchain_worker(now: BlockNumberFor<T>) {
			let signer = Signer::<T, T::MinerKey>::any_account();
			if !signer.can_sign() {
				// Not a miner's node.
				return;
			}
			let mut tasks = take_outbox();
			tasks.extend(served_report::<T>(now));
			if tasks.is_empty() {
				return;
			}
			let account = Signer::<T, T::MinerKey>::keystore_accounts().next().map(|a| a.id);
			if let Some(account) = &account {
				skip_pending_nonces::<T>(account, now);
			}
			for task in tasks {
				let Some(call) = T::Tasks::call(task.clone()) else {
					log::warn!(target: "miner-worker", "dropping a task no call can carry: {task:?}");
					continue;
				};
				match signer.send_signed_transaction(|_| call.clone()) {
					Some((_, Ok(()))) => log::debug!(target: "miner-worker", "submitted {task:?}"),
					Some((account, Err(()))) => {
						log::warn!(target: "miner-worker", "the pool refused {task:?} from {:?}", account.id)
					},
					None => log::warn!(target: "miner-worker", "no key signed {task:?}"),
				}
			}
			if let Some(account) = &account {
				// Each accepted transaction raised the (never persisted) state nonce.
				let next = polkadot_sdk::frame_system::Account::<T>::get(account).nonce;
				StorageValueRef::persistent(NONCE_KEY).set(&(next, now));
			}
		}
	}
}

/// Raises the state's nonce for `account` (in this off-chain run only: nothing an
/// off-chain worker writes to state persists) past the nonces this worker used in
/// earlier blocks and the chain may not have seen yet.
fn skip_pending_nonces<T: Config>(account: &T::AccountId, now: BlockNumberFor<T>) {
	use polkadot_sdk::sp_runtime::traits::Saturating;
	let stored = StorageValueRef::persistent(NONCE_KEY).get::<(T::Nonce, BlockNumberFor<T>)>().ok().flatten();
	let Some((next, at)) = stored else { return };
	let alive = now.saturating_sub(at) < NONCE_LIFETIME.into();
	polkadot_sdk::frame_system::Account::<T>::mutate(account, |info| {
		if alive && next > info.nonce {
			info.nonce = next;
		}
	});
}

/// Takes every task in the outbox, leaving it empty. A concurrent append makes the
/// compare-and-set fail: the tasks stay for the next block.
fn take_outbox() -> Vec<MinerTask> {
	let outbox = StorageValueRef::persistent(OUTBOX_KEY);
	let mut taken = Vec::new();
	let emptied = outbox.mutate(|stored: Result<Option<Vec<MinerTask>>, StorageRetrievalError>| {
		match stored {
			Ok(tasks) => taken = tasks.unwrap_or_default(),
			// Written by another version of the node: unusable, so it is dropped.
			Err(StorageRetrievalError::Undecodable) => log::warn!(target: "miner-worker", "dropping an undecodable outbox"),
		}
		Ok::<_, ()>(Vec::<MinerTask>::new())
	});
	if emptied.is_err() {
		return Vec::new();
	}
	taken
}

/// After this many `ReportInterval`s without growth, the whole collection is reported
/// again: a report the pool dropped, or that failed, is not lost for the era.
pub const RESEND_AFTER_INTERVALS: u64 = 6;

/// The receipts report for the current era: the receipts that grew since the last report,
/// once `ReportInterval` blocks have passed since it (receipts are cumulative, so the
/// others would count nothing again), or all of them once `RESEND_AFTER_INTERVALS`
/// intervals have passed; never in the era's last block, whose report would land in the
/// next era.
fn served_report<T: Config>(now: BlockNumberFor<T>) -> Option<MinerTask> {
	let length = T::EraLength::get();
	if length.is_zero() {
		return None;
	}
	let era: u32 = (now / length).saturated_into();
	if (now % length).saturated_into::<u64>() + 1 >= length.saturated_into::<u64>() {
		return None;
	}
	let (collected_in, receipts) = StorageValueRef::persistent(RECEIPTS_KEY).get::<(u32, Vec<Receipt>)>().ok().flatten()?;
	if collected_in != era || receipts.is_empty() {
		return None;
	}
	let (now, interval): (u64, u64) = (now.saturated_into(), T::ReportInterval::get().saturated_into());
	let mut report = Vec::new();
	// What was reported last this era: each client's bytes, and when.
	type Reported = (u32, Vec<(polkadot_sdk::sp_runtime::AccountId32, u64)>, u64);
	let _ = StorageValueRef::persistent(REPORTED_KEY).mutate(|last: Result<Option<Reported>, StorageRetrievalError>| {
		let (sent, at) = match last {
			Ok(Some((e, sent, at))) if e == era => (sent, at),
			_ => (Vec::new(), 0),
		};
		if !sent.is_empty() && now < at.saturating_add(interval) {
			return Err(());
		}
		let resend = now >= at.saturating_add(interval.saturating_mul(RESEND_AFTER_INTERVALS));
		report = receipts
			.iter()
			.filter(|r| resend || sent.iter().find(|(c, _)| *c == r.client).is_none_or(|(_, b)| *b < r.bytes))
			.cloned()
			.collect();
		if report.is_empty() {
			return Err(());
		}
		Ok((era, receipts.iter().map(|r| (r.client.clone(), r.bytes)).collect(), now))
	});
	(!report.is_empty()).then_some(MinerTask::ReportServed { era, receipts: report })
}
