//! Extrinsic builders for `benchmark overhead` and `benchmark extrinsic`.

use crate::{
	service::FullClient,
	transactions::{sign, ChainIdentity},
};
use landmesh_runtime::{AccountId, Balance, BalancesCall, SystemCall, VERSION};
use polkadot_sdk::{
	sc_client_api::BlockBackend, sp_inherents,
	sp_inherents::InherentDataProvider, sp_keyring::Sr25519Keyring, sp_runtime::OpaqueExtrinsic,
	sp_timestamp,
};
use std::sync::Arc;

fn chain_identity(client: &FullClient) -> Result<ChainIdentity, &'static str> {
	let genesis_hash = client.block_hash(0).ok().flatten().ok_or("the chain has no genesis block")?;
	Ok(ChainIdentity {
		genesis_hash,
		spec_version: VERSION.spec_version,
		transaction_version: VERSION.transaction_version,
	})
}

/// `system.remark` with an empty remark: the cheapest signed extrinsic.
pub struct RemarkBuilder {
	client: Arc<FullClient>,
}

impl RemarkBuilder {
	pub fn new(client: Arc<FullClient>) -> Self {
		Self { client }
	}
}

impl frame_benchmarking_cli::ExtrinsicBuilder for RemarkBuilder {
	fn pallet(&self) -> &str {
		"system"
	}

	fn extrinsic(&self) -> &str {
		"remark"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let chain = chain_identity(&self.client)?;
		let call = SystemCall::remark { remark: vec![] }.into();
		Ok(sign(&Sr25519Keyring::Bob.pair(), call, nonce, &chain).into())
	}
}

/// `balances.transfer_keep_alive` from Bob: the baseline for transaction throughput.
pub struct TransferKeepAliveBuilder {
	client: Arc<FullClient>,
	dest: AccountId,
	value: Balance,
}

impl TransferKeepAliveBuilder {
	pub fn new(client: Arc<FullClient>, dest: AccountId, value: Balance) -> Self {
		Self { client, dest, value }
	}
}

impl frame_benchmarking_cli::ExtrinsicBuilder for TransferKeepAliveBuilder {
	fn pallet(&self) -> &str {
		"balances"
	}

	fn extrinsic(&self) -> &str {
		"transfer_keep_alive"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let chain = chain_identity(&self.client)?;
		let call =
			BalancesCall::transfer_keep_alive { dest: self.dest.clone().into(), value: self.value }
				.into();
		Ok(sign(&Sr25519Keyring::Bob.pair(), call, nonce, &chain).into())
	}
}

/// The inherents of a benchmark block: a timestamp of zero, which matches slot 0 of the
/// genesis state that the benchmarks build on.
pub fn inherent_benchmark_data() -> sc_cli::Result<sp_inherents::InherentData> {
	let mut inherent_data = sp_inherents::InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(0.into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
		.map_err(|e| format!("creating inherent data: {e:?}"))?;
	Ok(inherent_data)
}
