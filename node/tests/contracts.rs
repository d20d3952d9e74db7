//! ink! contracts on a real dev node: `model-licence` (the PolkaVM blob in
//! `contracts/artifacts/`, rebuilt by `scripts/contracts.sh`) is deployed, a licence is
//! bought, and both a dry-run of `has_licence` and the node's access query
//! (`landmesh_mayFetch`, what a gateway asks) answer for the buyer and not for others. Bad
//! input is refused and costs nothing but the fee.

mod common;

use common::{chain_of, credentials, dev_node, execute, http, signed_by, try_execute, upload};
use landmesh_node::{
	contracts::{self, address_of, DryRun, EVM_UNITS_PER_PLANCK},
	dev_client::DevClient,
};
use landmesh_primitives::{AccessRule, ContentId, ModelFormat};
use landmesh_runtime::{currency::UNITS, AccountId, Balance, RuntimeEvent};
use polkadot_sdk::{
	pallet_revive::{self, AddressMapper, H160, U256},
	sp_keyring::Sr25519Keyring,
	sp_weights::Weight,
};

/// A dry-run over RPC: (returned data, reverted, weight consumed).
async fn query(client: &DevClient, origin: &AccountId, contract: H160, value: Balance, data: Vec<u8>) -> (Vec<u8>, bool, Weight) {
	match contracts::dry_run_rpc(client, origin, contract, value, data).await.expect("state_call") {
		(DryRun::Returned(data), weight) => (data, false, weight),
		(DryRun::Reverted(data), weight) => (data, true, weight),
		(DryRun::Failed(e), _) => panic!("the contract did not run: {e}"),
	}
}

async fn has_licence(client: &DevClient, contract: H160, who: &AccountId) -> bool {
	let (outcome, _) = contracts::dry_run_rpc(client, who, contract, 0, contracts::input("has_licence", address_of(who)))
		.await
		.expect("state_call");
	contracts::answered_yes(&outcome).expect("a yes or a no")
}

async fn free(client: &DevClient, who: &AccountId) -> Balance {
	client.free_balance(who, None).await.expect("balance")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_licence_bought_from_the_model_licence_contract_opens_the_model() {
	use Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve};
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = dev_node("contracts", dir.path(), None);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let code = std::fs::read(format!("{}/../contracts/artifacts/model_licence.polkavm", env!("CARGO_MANIFEST_DIR")))
		.expect("contracts/artifacts/model_licence.polkavm (scripts/contracts.sh builds it)");
	let (alice, bob, charlie, dave, eve) =
		(Alice.to_account_id(), Bob.to_account_id(), Charlie.to_account_id(), Dave.to_account_id(), Eve.to_account_id());

	// Alice sells licences at 10 CYBR, revenue split 3:1 with Bob.
	let price: Balance = 10 * UNITS;
	let shares: Vec<(H160, u32)> = vec![(address_of(&alice), 3), (address_of(&bob), 1)];
	let new = contracts::input("new", (0u32, U256::from(price) * U256::from(EVM_UNITS_PER_PLANCK), shares));
	let events = execute(&client, &chain, Alice, contracts::instantiate(code, new, 0)).await;
	let contract = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Revive(pallet_revive::Event::Instantiated { contract, .. }) => Some(*contract),
			_ => None,
		})
		.expect("an Instantiated event");

	// Too little value: refused, and Dave keeps his money (he pays the fee only).
	let before = free(&client, &dave).await;
	let short = contracts::call(contract, price / 2, contracts::input("buy", ()));
	assert!(try_execute(&client, &chain, Dave, short).await.is_err(), "an underpaid buy fails");
	assert!(before - free(&client, &dave).await < UNITS / 10, "only the fee was taken");
	assert!(!has_licence(&client, contract, &dave).await);

	// Charlie buys; the contract now says yes to him and no to Dave.
	let (_, reverted, _) = query(&client, &charlie, contract, 0, contracts::input("buy", ())).await;
	assert!(reverted, "a dry-run without value is refused as underpaid");
	let (data, reverted, buy_weight) = query(&client, &charlie, contract, price, contracts::input("buy", ())).await;
	assert!(!reverted, "with the price it would succeed: {data:?}");
	let buy = contracts::call(contract, price, contracts::input("buy", ()));
	execute(&client, &chain, Charlie, buy).await;
	assert!(has_licence(&client, contract, &charlie).await);
	assert!(!has_licence(&client, contract, &dave).await);
	let (_, _, check_weight) = query(&client, &charlie, contract, 0, contracts::input("has_licence", address_of(&charlie))).await;
	eprintln!("weights: buy {buy_weight:?}, has_licence {check_weight:?}");

	// Malformed input (no such message) and a stranger's withdrawal are refused.
	let before = free(&client, &eve).await;
	assert!(try_execute(&client, &chain, Eve, contracts::call(contract, 0, vec![1, 2, 3])).await.is_err());
	assert!(try_execute(&client, &chain, Eve, contracts::call(contract, 0, contracts::input("withdraw", ()))).await.is_err());
	assert!(before - free(&client, &eve).await < UNITS / 10, "only fees were taken");

	// Bob withdraws his quarter of the revenue.
	let before = free(&client, &bob).await;
	execute(&client, &chain, Bob, contracts::call(contract, 0, contracts::input("withdraw", ()))).await;
	let gained = free(&client, &bob).await - before;
	assert!(gained > price / 4 - UNITS / 10 && gained <= price / 4, "Bob got his share less the fee: {gained}");

	// A model whose data is on the node's gateway and whose access rule names the
	// contract: the node's access query and its gateway answer as the contract does.
	let statue = b"a statue only licence holders may see".repeat(40);
	let (status, _, body) = upload(&node.gateway_url, "/content", &[], &statue);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let uploaded: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
	let content_id = ContentId::from_hex(uploaded["contentId"].as_str().expect("a content id")).expect("hex");
	let contract_account = pallet_revive::AccountId32Mapper::<landmesh_runtime::Runtime>::to_fallback_account_id(&contract);
	let mint = pallet_models::Call::mint_model {
		content_id,
		size: statue.len() as u64,
		format: ModelFormat::Glb,
		name: b"licensed statue".to_vec().try_into().unwrap(),
		access: AccessRule::Contract(contract_account),
	};
	let events = execute(&client, &chain, Alice, mint.into()).await;
	let model = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Models(pallet_models::Event::ModelMinted { model, .. }) => Some(*model),
			_ => None,
		})
		.expect("a ModelMinted event");
	let may_fetch = |who: AccountId| {
		let client = &client;
		async move { client.call::<bool>("landmesh_mayFetch", vec![model.into(), serde_json::to_value(who).unwrap()]).await.unwrap() }
	};
	assert!(may_fetch(charlie).await);
	assert!(!may_fetch(dave).await);
	assert!(may_fetch(alice).await, "the owner always may");

	// The gateway: unsigned → 401; Dave's signature → 403; Charlie's → the bytes, private.
	let path = format!("/content/{}", content_id.to_hex());
	let (status, head, _) = http(&node.gateway_url, "GET", &path, &[], b"");
	assert_eq!(status, 401, "{head}");
	let signed = |who: Sr25519Keyring, expires: u64| {
		let [(_, account), (_, expires), (_, signature)] = credentials(&node.gateway_url, who, &content_id.to_hex(), expires);
		(account, expires, signature)
	};
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
	let get_as = |(account, expires, signature): (String, String, String)| {
		let headers = [
			("X-Landmesh-Account", account.as_str()),
			("X-Landmesh-Expires", expires.as_str()),
			("X-Landmesh-Signature", signature.as_str()),
		];
		http(&node.gateway_url, "GET", &path, &headers, b"")
	};
	let (status, head, _) = get_as(signed(Dave, now + 60));
	assert_eq!(status, 403, "{head}");
	// Attack: throwaway keys (free to make, unknown to the chain) sign valid requests, more
	// than a block's budget of access checks. Each is refused without a contract dry-run,
	// so the budget is left to real buyers: Charlie, asking for the first time, is served.
	let chain_id = chain_of(&node.gateway_url);
	for i in 0..landmesh_node::directory::MAX_CHECKS_PER_BLOCK as u32 + 44 {
		use polkadot_sdk::sp_core::Pair;
		let key = polkadot_sdk::sp_core::sr25519::Pair::from_seed(&polkadot_sdk::sp_io::hashing::blake2_256(&i.to_le_bytes()));
		let [(_, account), (_, expires), (_, signature)] = signed_by(&chain_id, &key, &content_id.to_hex(), now + 60);
		let (status, head, _) = get_as((account, expires, signature));
		assert_eq!(status, 403, "throwaway key {i}: {head}");
	}
	let (status, head, body) = get_as(signed(Charlie, now + 60));
	assert_eq!((status, body == statue), (200, true), "a buyer is served after the flood: {head}");
	// The gateway remembers its answers, but only until the chain moves on: once Dave
	// has bought a licence, his next request is served.
	execute(&client, &chain, Dave, contracts::call(contract, price, contracts::input("buy", ()))).await;
	let (status, head, body) = get_as(signed(Dave, now + 60));
	assert_eq!((status, body == statue), (200, true), "a licence bought is honoured at once: {head}");
	let (status, head, body) = get_as(signed(Charlie, now + 60));
	assert_eq!((status, body == statue), (200, true), "{head}");
	assert!(head.to_lowercase().contains("cache-control: private"), "{head}");
	let (status, _, _) = get_as(signed(Charlie, now - 1));
	assert_eq!(status, 401, "an expired signature is refused");
	let (account, expires, _) = signed(Charlie, now + 60);
	let (_, _, dave_signature) = signed(Dave, now + 60);
	let (status, _, _) = get_as((account, expires, dave_signature));
	assert_eq!(status, 401, "someone else's signature is refused");
	node.stop();
}
