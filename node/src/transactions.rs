//! Signing extrinsics outside the runtime: for the `benchmark` subcommands, the load tool
//! and the integration tests. The extension tuple comes from
//! `landmesh_runtime::tx_extension`, so it cannot drift from the runtime's.

use codec::Encode;
use landmesh_runtime::{
	Hash, Nonce, RuntimeCall, Signature, SignedPayload, TxExtension, UncheckedExtrinsic,
};
use polkadot_sdk::{
	sp_core::{sr25519, Pair},
	sp_runtime::{generic::Era, AccountId32},
};

/// What a signature commits to besides the call: which chain and which runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainIdentity {
	/// The hash of block 0.
	pub genesis_hash: Hash,
	/// `RuntimeVersion::spec_version` of the runtime that will check the transaction.
	pub spec_version: u32,
	/// `RuntimeVersion::transaction_version` of that runtime.
	pub transaction_version: u32,
}

/// `call` signed by `signer` with `nonce` and no tip, valid forever (immortal era), so a
/// batch can be signed ahead of time and submitted later.
pub fn sign(
	signer: &sr25519::Pair,
	call: RuntimeCall,
	nonce: Nonce,
	chain: &ChainIdentity,
) -> UncheckedExtrinsic {
	let tx_ext: TxExtension = landmesh_runtime::tx_extension(Era::Immortal, nonce, 0);
	// The "implicit" data each extension adds to the signed payload, in tuple order.
	let implicit = (
		(),
		(),
		chain.spec_version,
		chain.transaction_version,
		chain.genesis_hash,
		chain.genesis_hash, // an immortal era commits to the genesis block
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		AccountId32::from(signer.public()).into(),
		Signature::Sr25519(signature),
		tx_ext,
	)
}

/// The SCALE bytes of `xt`, hex-encoded as `author_submitExtrinsic` takes them.
pub fn to_hex(xt: &UncheckedExtrinsic) -> String {
	polkadot_sdk::sp_core::bytes::to_hex(&xt.encode(), false)
}
