//! Chain specs built from the runtime's genesis presets.

use landmesh_runtime::{currency, WASM_BINARY};
use polkadot_sdk::sp_genesis_builder;
use sc_service::ChainType;

/// A chain spec with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

fn properties() -> polkadot_sdk::sc_chain_spec::Properties {
	let mut p = polkadot_sdk::sc_chain_spec::Properties::new();
	p.insert("tokenSymbol".into(), currency::TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), currency::TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime's wasm is not built: rebuild without SKIP_WASM_BUILD".to_string()
	})
}

/// `--dev`: Alice validates alone and finalizes by herself.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Landmesh Development")
		.with_id("landmesh_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Landmesh Local Testnet")
		.with_id("landmesh_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
