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
			// Free or reserved (Alice and Bob hold the item deposits of the sample models).
			assert_eq!(<pallet_balances::Pallet<Runtime> as polkadot_sdk::frame_support::traits::fungible::Inspect<AccountId>>::total_balance(&who), genesis::ENDOWMENT);
		}
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			genesis::ENDOWMENT * 6 + 2 * crate::EXISTENTIAL_DEPOSIT,
			"issuance is exactly the endowments and the existential deposits of the reward pool and pallet-revive's account"
		);
		for who in genesis::endowed_accounts() {
			assert!(
				<polkadot_sdk::pallet_revive::AccountId32Mapper<Runtime> as polkadot_sdk::pallet_revive::AddressMapper<Runtime>>::is_mapped(&who),
				"endowed accounts can call contracts at once"
			);
		}
		let pool = crate::configs::RewardPool::get();
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&pool), crate::EXISTENTIAL_DEPOSIT);
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

#[test]
fn development_preset_has_a_populated_mainland() {
	use landmesh_primitives::{AccessRule, Region, MAINLAND};
	state_of(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let mainland = crate::Land::world_view(MAINLAND).expect("the mainland exists");
		assert_eq!((mainland.width, mainland.height, mainland.parcels), (1024, 1024, 7));
		let scene = crate::Models::models_in_region(Region { world: MAINLAND, x: 0, y: 0, width: 4, height: 2 })
			.expect("a small region");
		assert_eq!(scene.parcels.len(), 7);
		let placed: Vec<(u32, u32, String, AccessRule<AccountId>)> = scene
			.parcels
			.iter()
			.flat_map(|s| {
				s.placements.iter().map(|p| {
					let m = scene.model(p.model).expect("described");
					(s.parcel.x, s.parcel.y, m.name.clone(), m.access.clone())
				})
			})
			.collect();
		assert_eq!(
			placed,
			vec![
				(0, 0, "cube".into(), AccessRule::Public),
				(1, 0, "cube".into(), AccessRule::Public),
				(0, 1, "pyramid".into(), AccessRule::WorldPass(MAINLAND)),
			]
		);
		let for_sale = scene.parcels.iter().filter(|s| s.parcel.price.is_some()).count();
		assert_eq!(for_sale, 4);
		crate::Land::do_try_state().expect("land invariants");
		crate::Models::do_try_state().expect("model invariants");
	});
}

#[test]
fn sample_models_match_their_files() {
	let files: [&[u8]; 2] =
		[include_bytes!("../../assets/models/cube.gltf"), include_bytes!("../../assets/models/pyramid.gltf")];
	for ((name, root, size), bytes) in genesis::SAMPLE_MODELS.iter().zip(files) {
		assert_eq!(blake3::hash(bytes).to_hex().as_str(), *root, "{name}");
		assert_eq!(bytes.len() as u64, *size, "{name}");
	}
}

#[test]
fn pallet_nfts_cannot_burn_parcels_or_models_but_transfers_them() {
	use crate::{RuntimeCall, RuntimeOrigin};
	use polkadot_sdk::{frame_system, pallet_nfts, sp_runtime::traits::Dispatchable};
	state_of(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let land = crate::Land::land_collection().expect("land collection");
		let models = crate::Models::model_collection().expect("model collection");
		for (collection, item) in [(land, 0), (models, 0)] {
			let burn = RuntimeCall::Nfts(pallet_nfts::Call::burn { collection, item });
			let err = burn.dispatch(RuntimeOrigin::signed(alice.clone())).expect_err("filtered");
			assert_eq!(err.error, frame_system::Error::<Runtime>::CallFiltered.into());
		}
		let transfer = RuntimeCall::Nfts(pallet_nfts::Call::transfer { collection: land, item: 0, dest: bob.clone().into() });
		assert!(transfer.dispatch(RuntimeOrigin::signed(alice)).is_ok());
		assert_eq!(crate::Land::parcel_owner(0), Some(bob));
		crate::Land::do_try_state().expect("land invariants");
	});
}
