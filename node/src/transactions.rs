//! Signing extrinsics outside the runtime: for the `benchmark` subcommands, the load tool
//! and the integration tests. One place builds the transaction extension tuple, so it
//! cannot drift from `landmesh_runtime::TxExtension`.

use codec::Encode;
use landmesh_runtime::{
	Hash, Nonce, Runtime, RuntimeCall, Signature, SignedPayload, TxExtension, UncheckedExtrinsic,
};
use polkadot_sdk::{
	frame_metadata_hash_extension, frame_system, pallet_transaction_payment,
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
	let tx_ext: TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
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
