//! Genesis presets: `development` (Alice validates alone) and `local_testnet` (Alice, Bob,
//! Charlie and Dave validate). In both, the six well-known dev accounts hold CYBR and Alice
//! is sudo.

use crate::{
	currency::UNITS, opaque::SessionKeys, AccountId, BalancesConfig, BabeConfig, LandConfig,
	MinersConfig, ModelsConfig, RewardsConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig, ValidatorSetConfig,
	BABE_GENESIS_EPOCH_CONFIG,
};
use landmesh_primitives::{AccessRule, ContentId, ModelFormat, Transform, MAINLAND};
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

/// The sample models in `assets/models/`, which the dev world shows: file name, BLAKE3
/// root (what `b3sum` prints), size in bytes. A runtime test checks them against the files.
pub const SAMPLE_MODELS: [(&str, &str, u64); 2] = [
	("cube.gltf", "363f421ec04618aa4e477208a3ca183db253798ddf2b46d5fb2f4fb6f4ea4680", 1312),
	("pyramid.gltf", "47f7cc041a3b452945d1f0a810bd1bed8e5c2222bd81f7388a4d2900223f4624", 1223),
];

/// A populated corner of the mainland, so a new user sees a world at once: Alice and Bob
/// own two parcels each around the origin, the land office sells three more, and the two
/// sample models stand on them (the cube public, the pyramid for mainland pass holders).
fn sample_world() -> (LandConfig, ModelsConfig) {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let parcels = vec![
		(0, 0, Some(alice.clone()), None),
		(1, 0, Some(alice.clone()), None),
		(0, 1, Some(bob.clone()), None),
		(1, 1, Some(bob.clone()), Some(50 * UNITS)),
		(2, 0, None, Some(10 * UNITS)),
		(2, 1, None, Some(10 * UNITS)),
		(3, 0, None, Some(25 * UNITS)),
	];
	let centre = |scale: u32| Transform {
		position_mm: [8_000, 0, 8_000],
		rotation_millideg: [0, 0, 0],
		scale_permille: [scale; 3],
	};
	let content = |i: usize| {
		let (name, root, size) = SAMPLE_MODELS[i];
		let id = ContentId::from_hex(root).expect("SAMPLE_MODELS holds valid hex");
		(name.trim_end_matches(".gltf").into(), id, size)
	};
	let (cube_name, cube, cube_size) = content(0);
	let (pyramid_name, pyramid, pyramid_size) = content(1);
	let models = vec![
		(
			alice.clone(),
			cube,
			cube_size,
			ModelFormat::Gltf,
			cube_name,
			AccessRule::Public,
			vec![(0, 0, centre(4_000)), (1, 0, centre(2_000))],
		),
		(
			bob,
			pyramid,
			pyramid_size,
			ModelFormat::Gltf,
			pyramid_name,
			AccessRule::WorldPass(MAINLAND),
			vec![(0, 1, centre(6_000))],
		),
	];
	(
		LandConfig { parcels, ..Default::default() },
		ModelsConfig { models, ..Default::default() },
	)
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

/// Filler sector size of the development and local test chains: 1 MiB.
pub const DEV_SECTOR_SIZE: u64 = 1 << 20;

fn testnet_genesis(authorities: Vec<Authority>, root: AccountId, endowed: Vec<AccountId>) -> Value {
	let (land, models) = sample_world();
	let clients = endowed.clone();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			// Each is mapped to its contract address as it is created (`AutoMapper`).
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
		land: land,
		models: models,
		// The dev wallets vouch for what gateways serve them from the first block.
		rewards: RewardsConfig { clients },
		// Sectors a node seals in about a second, not an hour: these chains are for trying
		// things, and their proofs of space are not secure (see primitives' `filler`).
		miners: MinersConfig { sector_size: Some(DEV_SECTOR_SIZE), ..Default::default() },
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
