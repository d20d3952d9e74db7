//! A runtime with System, Balances and the miners, storage and audit pallets, for unit
//! tests and benchmark tests (the shared parts come from pallet-storage's
//! `economy_test_runtime!`).

use crate as pallet_audit;
use polkadot_sdk::frame_support::construct_runtime;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_miners,
		Storage: pallet_storage,
		Audit: pallet_audit,
	}
);

// About 954 units of stake for the 1 MiB the tests register, so a 10% slash shows.
pallet_storage::economy_test_runtime!(stake_per_tib: 1_000_000_000, challenged: crate::HasOpenChallenge<Test>);

crate::audit_test_config!();
