//! The genesis presets build a consistent state.

use crate::{genesis, AccountId, Runtime, RuntimeGenesisConfig};
use polkadot_sdk::{
	frame_support::genesis_builder_helper::build_state,
	pallet_balances, pallet_session, pallet_sudo,
	sp_genesis_builder::{self, PresetId},
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_runtime::BuildStorage,
	sp_state_machine::BasicExternalities,
};

/// Applies a preset (a JSON patch) over the default config, as the node's chain-spec
/// builder does: objects merge key by key, anything else is replaced.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) =>
			for (k, v) in patch {
				merge(base.entry(k).or_insert(serde_json::Value::Null), v);
			},
		(base, patch) => *base = patch,
	}
}

fn state_of(preset: &str) -> TestExternalities {
	let patch = genesis::get_preset(&PresetId::from(preset)).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serializes");
	let mut ext = BasicExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("the preset builds"));
	let storage = ext.into_storages();
	TestExternalities::new(storage)
}

fn validators() -> Vec<AccountId> {
	pallet_validator_set::Validators::<Runtime>::get().into_inner()
}

#[test]
fn development_preset_has_alice_validating_and_six_endowed_accounts() {
	state_of(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_eq!(validators(), vec![alice.clone()]);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![alice.clone()]);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice));
		for who in genesis::endowed_accounts() {
			assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&who), genesis::ENDOWMENT);
		}
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			genesis::ENDOWMENT * 6,
			"issuance is exactly the endowments"
		);
	});
}

#[test]
fn local_testnet_preset_has_four_validators_with_session_keys() {
	state_of(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect();
		assert_eq!(validators(), expected);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), expected);
		for v in &expected {
			assert!(pallet_session::NextKeys::<Runtime>::get(v).is_some(), "{v} has session keys");
		}
		assert_eq!(polkadot_sdk::pallet_babe::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
	});
}

#[test]
fn unknown_presets_are_refused_and_known_ones_listed() {
	assert!(genesis::get_preset(&PresetId::from("mainnet")).is_none());
	let names = genesis::preset_names();
	assert!(names.contains(&PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET)));
	assert!(names.contains(&PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)));
}

#[test]
fn default_genesis_config_builds() {
	RuntimeGenesisConfig::default().build_storage().expect("the default genesis builds");
}
