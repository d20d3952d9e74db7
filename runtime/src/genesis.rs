//! Genesis presets: `development` (Alice validates alone) and `local_testnet` (Alice, Bob,
//! Charlie and Dave validate). In both, the six well-known dev accounts hold CYBR and Alice
//! is sudo.

use crate::{
	currency::UNITS, opaque::SessionKeys, AccountId, BalancesConfig, BabeConfig, RuntimeGenesisConfig,
	SessionConfig, SudoConfig, ValidatorSetConfig, BABE_GENESIS_EPOCH_CONFIG,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	sp_consensus_babe::AuthorityId as BabeId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
};
use serde_json::Value;

/// What each endowed dev account starts with: one million CYBR.
pub const ENDOWMENT: u128 = 1_000_000 * UNITS;

/// The well-known dev accounts that hold CYBR at genesis (the load tool signs with them).
pub const ENDOWED_KEYS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];

/// The accounts of [`ENDOWED_KEYS`].
pub fn endowed_accounts() -> Vec<AccountId> {
	ENDOWED_KEYS.iter().map(|k| k.to_account_id()).collect()
}

/// A validator's account and session keys, derived from a well-known dev seed.
struct Authority {
	account: AccountId,
	babe: BabeId,
	grandpa: GrandpaId,
}

fn authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Authority {
	Authority { account: sr.to_account_id(), babe: sr.public().into(), grandpa: ed.public().into() }
}

fn testnet_genesis(authorities: Vec<Authority>, root: AccountId, endowed: Vec<AccountId>) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|a| (a, ENDOWMENT)).collect::<Vec<_>>(),
		},
		babe: BabeConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig {
			keys: authorities
				.iter()
				.map(|a| {
					let keys = SessionKeys { babe: a.babe.clone(), grandpa: a.grandpa.clone() };
					(a.account.clone(), a.account.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig {
			validators: authorities.iter().map(|a| a.account.clone()).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// The `development` preset: Alice alone validates, so one node finalizes by itself.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::Alice.to_account_id(),
		endowed_accounts(),
	)
}

/// The `local_testnet` preset: four validators, so finality survives one of them stopping.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		Sr25519Keyring::Alice.to_account_id(),
		endowed_accounts(),
	)
}

/// The JSON patch of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
