//! A `--dev --tmp` node driven over JSON-RPC as a wallet would drive it.

mod common;

use common::{dev_node, free_port, http_get, rpc_error, until_finalized};
use landmesh_node::{dev_client::DevClient, transactions::sign};
use landmesh_runtime::{
	currency::{MILLI_UNITS, UNITS},
	genesis::ENDOWMENT,
	AccountId, Balance, BalancesCall, Hash, RuntimeCall, RuntimeEvent,
};
use polkadot_sdk::{
	frame_system, pallet_balances, pallet_transaction_payment,
	sp_core::{sr25519, Pair},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{generic::Preamble, DispatchError, TokenError},
};
use std::time::Duration;

fn transfer(dest: &AccountId, value: Balance) -> RuntimeCall {
	BalancesCall::transfer_allow_death { dest: dest.clone().into(), value }.into()
}

/// The fee `who` paid in block `at`, from `TransactionPayment::TransactionFeePaid`.
async fn fee_paid(client: &DevClient, at: Hash, who: &AccountId) -> Balance {
	let events = client.events(at).await.expect("events are readable");
	events
		.iter()
		.find_map(|r| match &r.event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { who: w, actual_fee, tip },
			) if w == who => Some(actual_fee + tip),
			_ => None,
		})
		.expect("a TransactionFeePaid event for the sender")
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_transfer_is_included_finalized_and_moves_exact_balances() {
	let dir = tempfile::tempdir().expect("temp dir");
	let prometheus = free_port();
	let node = dev_node("dev-transfer", dir.path(), Some(prometheus));
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");

	let eve = Sr25519Keyring::Eve;
	let bob = Sr25519Keyring::Bob.to_account_id();
	let amount = 12_345 * MILLI_UNITS;
	let eve_before = client.free_balance(&eve.to_account_id(), None).await.unwrap();
	let pool = landmesh_runtime::configs::RewardPool::get();
	let bob_before = client.free_balance(&bob, None).await.unwrap();
	// Every dev wallet is a serving-receipts client from genesis, holding its deposit.
	let client_deposit: u128 =
		<<landmesh_runtime::Runtime as pallet_rewards::Config>::ClientDeposit as polkadot_sdk::frame_support::traits::Get<u128>>::get();
	assert_eq!(eve_before, ENDOWMENT - client_deposit, "Eve starts with the genesis endowment less her client deposit");

	let nonce = client.next_nonce(&eve.to_account_id()).await.unwrap();
	let xt = sign(&eve.pair(), transfer(&bob, amount), nonce, &chain);
	let sub = client.submit_and_watch(&xt).await.expect("the pool accepts the transfer");
	let (in_block, finalized) = until_finalized(sub).await;
	let parent = client.block_hash(client.number_of(in_block).await.unwrap() - 1).await.unwrap();
	let pool_before = client.free_balance(&pool, parent).await.unwrap();

	let finalized_number = client.number_of(finalized).await.unwrap();
	let in_block_number = client.number_of(in_block).await.unwrap();
	assert!(finalized_number >= in_block_number, "the inclusion block is finalized");

	let events = client.events(in_block).await.unwrap();
	assert!(
		events.iter().any(|r| matches!(&r.event,
			RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount: a })
				if *from == eve.to_account_id() && *to == bob && *a == amount)),
		"a Transfer event with the right parties and amount"
	);
	let fee = fee_paid(&client, in_block, &eve.to_account_id()).await;
	assert!(fee > 0, "signed transfers pay a fee");
	assert!(fee < UNITS, "a transfer costs far less than one CYBR, paid {fee}");
	assert_eq!(
		client.free_balance(&pool, Some(in_block)).await.unwrap(),
		pool_before + fee,
		"the fee goes to the storage reward pool"
	);

	let eve_after = client.free_balance(&eve.to_account_id(), Some(finalized)).await.unwrap();
	let bob_after = client.free_balance(&bob, Some(finalized)).await.unwrap();
	assert_eq!(eve_after, eve_before - amount - fee, "Eve pays the amount and the fee");
	assert_eq!(bob_after, bob_before + amount, "Bob receives exactly the amount");

	// Prometheus serves the node's metrics, including the finalized height.
	let metrics = http_get(prometheus, "/metrics").expect("Prometheus answers");
	assert!(metrics.contains("substrate_block_height{status=\"finalized\""), "{metrics:.400}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_transactions_are_rejected_with_standard_errors_and_change_nothing() {
	let dir = tempfile::tempdir().expect("temp dir");
	let node = dev_node("dev-bad-input", dir.path(), None);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	client.wait_finalized(1, Duration::from_secs(60)).await.expect("the chain runs");

	let charlie = Sr25519Keyring::Charlie;
	let dave = Sr25519Keyring::Dave.to_account_id();
	let charlie_id = charlie.to_account_id();
	let charlie_before = client.free_balance(&charlie_id, None).await.unwrap();
	let dave_before = client.free_balance(&dave, None).await.unwrap();
	let nonce_before = client.next_nonce(&charlie_id).await.unwrap();

	// 1. Bytes that are no extrinsic at all: the node cannot even decode them.
	let err = client.submit_raw("0x0102ff").await.expect_err("garbage is rejected");
	let (code, msg) = rpc_error(&err).expect("a JSON-RPC error");
	assert_eq!(code, 1040, "client error: {msg}");
	assert!(msg.contains("Could not decode"), "{msg}");

	// 2. A valid transfer from Charlie carrying Dave's signature.
	let honest = sign(&charlie.pair(), transfer(&dave, UNITS), nonce_before, &chain);
	let forged_sig = sign(&Sr25519Keyring::Dave.pair(), transfer(&dave, UNITS), nonce_before, &chain);
	let (Preamble::Signed(addr, _, ext), Preamble::Signed(_, sig, _)) =
		(honest.preamble.clone(), forged_sig.preamble.clone())
	else {
		panic!("signed extrinsics carry a signed preamble")
	};
	let forged = landmesh_runtime::UncheckedExtrinsic::new_signed(honest.function.clone(), addr, sig, ext);
	let err = client.submit(&forged).await.expect_err("a bad signature is rejected");
	let (code, msg) = rpc_error(&err).expect("a JSON-RPC error");
	assert_eq!(code, 1010, "invalid transaction: {msg}");
	assert!(msg.contains("bad signature"), "{msg}");

	// 3. An account with no CYBR cannot pay the fee.
	let nobody = sr25519::Pair::from_string("//Nobody", None).expect("a dev seed");
	let xt = sign(&nobody, transfer(&dave, UNITS), 0, &chain);
	let err = client.submit(&xt).await.expect_err("an unfunded sender is rejected");
	let (code, msg) = rpc_error(&err).expect("a JSON-RPC error");
	assert_eq!(code, 1010, "invalid transaction: {msg}");
	assert!(msg.contains("Inability to pay some fees"), "{msg}");

	// Nothing of the above reached a block: balances and nonce are as they were.
	let (fin, n) = client.finalized().await.unwrap();
	client.wait_finalized(n + 2, Duration::from_secs(60)).await.unwrap();
	assert_eq!(client.free_balance(&charlie_id, None).await.unwrap(), charlie_before);
	assert_eq!(client.free_balance(&dave, None).await.unwrap(), dave_before);
	assert_eq!(client.next_nonce(&charlie_id).await.unwrap(), nonce_before);
	assert_eq!(client.free_balance(&AccountId::from(nobody.public()), Some(fin)).await.unwrap(), 0);

	// 4. A transfer above the balance: it pays its fee, fails with `FundsUnavailable`, and
	//    moves nothing.
	let xt = sign(&charlie.pair(), transfer(&dave, charlie_before * 2), nonce_before, &chain);
	let (in_block, finalized) =
		until_finalized(client.submit_and_watch(&xt).await.expect("fee is payable")).await;
	let events = client.events(in_block).await.unwrap();
	let failed = events.iter().find_map(|r| match &r.event {
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) =>
			Some(*dispatch_error),
		_ => None,
	});
	assert_eq!(failed, Some(DispatchError::Token(TokenError::FundsUnavailable)));
	let fee = fee_paid(&client, in_block, &charlie_id).await;
	assert_eq!(client.free_balance(&charlie_id, Some(finalized)).await.unwrap(), charlie_before - fee);
	assert_eq!(client.free_balance(&dave, Some(finalized)).await.unwrap(), dave_before);
}
