//! Contracts (pallet-revive, ink! 6) seen from the node: the calls that deploy and call
//! them, and the dry-run that asks an access contract whether an account may fetch a model.
//!
//! cargo-contract 6.0.0-beta.2 builds contracts for this chain but cannot deploy to it
//! (it encodes pallet-revive calls of an older release), so deployment goes through these
//! typed calls (`landmesh-contracts`, the tests); see `contracts/README.md`.

use codec::{Decode, Encode};
use landmesh_primitives::{api::WorldApi, AccessRule, ModelView};
use landmesh_runtime::{currency::UNITS, opaque::Block, AccountId, Balance, BlockNumber, Nonce, Runtime, RuntimeCall};
use polkadot_sdk::{
	pallet_revive::{self, AddressMapper, H160},
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_io::hashing::blake2_256,
	sp_weights::Weight,
};

/// A client that can dry-run contracts and read the world (the node's full client).
pub trait ContractsClient: ProvideRuntimeApi<Block, Api: ContractsApi> + HeaderBackend<Block> {}
impl<C: ProvideRuntimeApi<Block, Api: ContractsApi> + HeaderBackend<Block>> ContractsClient for C {}

/// The runtime APIs the access checks use.
pub trait ContractsApi:
	pallet_revive::ReviveApi<Block, AccountId, Balance, Nonce, BlockNumber, u64> + WorldApi<Block, AccountId, Balance>
{
}
impl<A: pallet_revive::ReviveApi<Block, AccountId, Balance, Nonce, BlockNumber, u64> + WorldApi<Block, AccountId, Balance>>
	ContractsApi for A
{
}

/// Compute and proof size any one deploy or call may use: far above what the Landmesh
/// contracts need (a `buy` uses about 1% of it), far below a block.
pub const WEIGHT_LIMIT: Weight = Weight::from_parts(100_000_000_000, 1024 * 1024);

/// Compute an access check may use: a `has_licence` takes about 0.32 ms and 38 KB, so a
/// contract that tries to make every request to the gateway expensive is cut off early.
pub const ACCESS_CHECK_LIMIT: Weight = Weight::from_parts(5_000_000_000, 256 * 1024);

/// The most a deploy or call may lock as storage deposit.
pub const DEPOSIT_LIMIT: Balance = 100 * UNITS;

/// Contract values are in 18-decimal units, CYBR in 12: one planck is 10^6 of them.
pub const EVM_UNITS_PER_PLANCK: u128 = 1_000_000;

/// The selector of an ink! message or constructor: the first four bytes of the BLAKE2-256
/// of its name.
pub fn selector(name: &str) -> [u8; 4] {
	let hash = blake2_256(name.as_bytes());
	[hash[0], hash[1], hash[2], hash[3]]
}

/// The input of a message: its selector, then its SCALE-encoded arguments.
pub fn input(name: &str, args: impl Encode) -> Vec<u8> {
	let mut data = selector(name).to_vec();
	args.encode_to(&mut data);
	data
}

/// The contract address an account has (pallet-revive's mapping of 32-byte accounts).
pub fn address_of(account: &AccountId) -> H160 {
	pallet_revive::AccountId32Mapper::<Runtime>::to_address(account)
}

/// Uploads `code` and instantiates it with constructor input `data`.
pub fn instantiate(code: Vec<u8>, data: Vec<u8>, value: Balance) -> RuntimeCall {
	pallet_revive::Call::instantiate_with_code {
		value,
		weight_limit: WEIGHT_LIMIT,
		storage_deposit_limit: DEPOSIT_LIMIT,
		code,
		data,
		salt: None,
	}
	.into()
}

/// Calls a contract with `data`, sending `value` (planck).
pub fn call(contract: H160, value: Balance, data: Vec<u8>) -> RuntimeCall {
	pallet_revive::Call::call { dest: contract, value, weight_limit: WEIGHT_LIMIT, storage_deposit_limit: DEPOSIT_LIMIT, data }
		.into()
}

/// What a dry-run of a message gave back.
#[derive(Debug, PartialEq, Eq)]
pub enum DryRun {
	/// The message returned (its SCALE-encoded result, ink!'s `Result<T, LangError>`).
	Returned(Vec<u8>),
	/// The contract reverted (its error, encoded).
	Reverted(Vec<u8>),
	/// The call could not run (no such contract, out of gas, ...).
	Failed(String),
}

impl From<Result<pallet_revive::pallet_revive_types::runtime_api::ExecReturnValueV1, polkadot_sdk::sp_runtime::DispatchError>>
	for DryRun
{
	fn from(result: Result<pallet_revive::pallet_revive_types::runtime_api::ExecReturnValueV1, polkadot_sdk::sp_runtime::DispatchError>) -> Self {
		match result {
			Err(e) => DryRun::Failed(format!("{e:?}")),
			Ok(ret) if reverted(ret.flags.bits()) => DryRun::Reverted(ret.data),
			Ok(ret) => DryRun::Returned(ret.data),
		}
	}
}

/// Runs a message against the best block without a transaction, as `origin`, within
/// `limit`.
#[allow(deprecated)] // `call` is the stable V1 entry point of `ReviveApi` at api version 2.
pub fn dry_run(client: &impl ContractsClient, origin: AccountId, contract: H160, data: Vec<u8>, limit: Weight) -> DryRun {
	let at = client.info().best_hash;
	let api = client.runtime_api();
	let result = pallet_revive::ReviveApi::<Block, AccountId, Balance, Nonce, BlockNumber, u64>::call(
		&*api,
		at,
		origin,
		contract,
		0,
		Some(limit),
		Some(DEPOSIT_LIMIT),
		data,
	);
	match result {
		Err(e) => DryRun::Failed(e.to_string()),
		Ok(r) => DryRun::from(r.result),
	}
}

/// Runs a message over a node's RPC (`state_call` of `ReviveApi_call`), as a wallet
/// does, sending `value` (planck): the answer and the weight it consumed.
pub async fn dry_run_rpc(
	client: &crate::dev_client::DevClient,
	origin: &AccountId,
	contract: H160,
	value: Balance,
	data: Vec<u8>,
) -> Result<(DryRun, Weight), crate::dev_client::Error> {
	use pallet_revive::pallet_revive_types::runtime_api::{ContractResultV1, ExecReturnValueV1};
	use polkadot_sdk::sp_core::bytes::{from_hex, to_hex};
	let args = (origin, contract, value, Some(WEIGHT_LIMIT), Some(DEPOSIT_LIMIT), data);
	let answer: String = client.call("state_call", vec!["ReviveApi_call".into(), to_hex(&args.encode(), false).into()]).await?;
	let result = ContractResultV1::<ExecReturnValueV1, Balance>::decode(&mut &from_hex(&answer)?[..])?;
	Ok((DryRun::from(result.result), result.weight_consumed))
}

/// A `bool` message's answer, if it gave one (ink! wraps it in `Result<_, LangError>`).
pub fn answered_yes(outcome: &DryRun) -> Option<bool> {
	match outcome {
		DryRun::Returned(data) => match <Result<bool, u8>>::decode(&mut &data[..]) {
			Ok(Ok(yes)) => Some(yes),
			_ => None,
		},
		DryRun::Reverted(_) | DryRun::Failed(_) => None,
	}
}

/// Whether a call's return flags say it reverted (pallet-revive-uapi's `REVERT` bit).
pub fn reverted(flags: u32) -> bool {
	flags & 1 != 0
}

/// Whether the access contract at `contract` answers `has_licence(who)` with yes: the
/// message every contract named by a model's `AccessRule::Contract` provides.
pub fn has_licence(client: &impl ContractsClient, contract: H160, who: &AccountId) -> bool {
	let data = input("has_licence", address_of(who));
	answered_yes(&dry_run(client, who.clone(), contract, data, ACCESS_CHECK_LIMIT)) == Some(true)
}

/// Whether `who` may fetch `model`'s data: public models to anyone, world models to
/// pass holders and the owner, contract-gated models to whom the contract says yes.
pub fn may_fetch(client: &impl ContractsClient, model: &ModelView<AccountId>, who: &AccountId) -> bool {
	if &model.owner == who {
		return true;
	}
	match &model.access {
		AccessRule::Public => true,
		AccessRule::WorldPass(world) => {
			let best = client.info().best_hash;
			client.runtime_api().has_pass(best, *world, who.clone()).unwrap_or(false)
		},
		AccessRule::Contract(contract) => has_licence(client, address_of(contract), who),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn selectors_are_inks() {
		// As in contracts/artifacts/model_licence.json.
		assert_eq!(selector("has_licence"), [0xb4, 0x4b, 0xd3, 0x2d]);
		assert_eq!(selector("buy"), [0x15, 0xd6, 0x28, 0x01]);
		assert_eq!(selector("new"), [0x9b, 0xae, 0x9d, 0x5e]);
	}
}
