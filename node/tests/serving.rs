//! Serving rewards on a real `--dev --miner` node: a client downloads a model from the
//! miner's gateway, signs a receipt for the bytes it got and hands it to the gateway; the
//! miner's off-chain worker reports it and the chain counts it for the miner. Hostile
//! clients (a receipt signed by someone else, by an account with no client deposit, for
//! another era, malformed or oversized) are refused at the gateway with a reason.

mod common;

use common::{dev_node_with, http, register_miner, upload};
use codec::Encode;
use landmesh_node::dev_client::DevClient;
use landmesh_runtime::{AccountId, RuntimeEvent};
use polkadot_sdk::{
	sp_core::{bytes::to_hex, crypto::Ss58Codec, sr25519, Pair},
	sp_keyring::Sr25519Keyring,
};
use std::time::{Duration, Instant};

/// A receipt's JSON body: `client` claims it, `signer` signs `message`.
fn receipt_body(client: &AccountId, signer: &sr25519::Pair, era: u64, bytes: u64, message: &str) -> Vec<u8> {
	let signature = to_hex(&signer.sign(message.as_bytes()).0, false);
	serde_json::json!({ "client": client.to_ss58check(), "era": era, "bytes": bytes, "signature": signature })
		.to_string()
		.into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_receipt_handed_to_a_miners_gateway_counts_on_chain() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = dev_node_with("serving", dir.path(), &["--no-prometheus".into(), "--miner".into(), "--seal-limit=0".into()]);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	register_miner(&client, &chain, Sr25519Keyring::Alice, &node).await;
	let alice: AccountId = Sr25519Keyring::Alice.to_account_id();

	// Charlie downloads a model from Alice's gateway.
	let model: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
	let (status, _, body) = upload(&node.gateway_url, "/content", &[], &model);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let root = serde_json::from_slice::<serde_json::Value>(&body).expect("JSON")["contentId"].as_str().unwrap().to_string();
	let (status, _, got) = http(&node.gateway_url, "GET", &format!("/content/{root}"), &[], b"");
	assert_eq!((status, got.len()), (200, model.len()));
	let served = got.len() as u64;

	// What to sign: this chain, Alice's account, the current era.
	let (status, _, body) = http(&node.gateway_url, "GET", "/receipts", &[], b"");
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	let terms: serde_json::Value = serde_json::from_slice(&body).expect("JSON terms");
	assert_eq!(terms["miner"], to_hex(&alice.encode(), false).trim_start_matches("0x"));
	let era = terms["era"].as_u64().expect("an era");
	let template = terms["message"].as_str().expect("a message").to_string();
	assert!(template.ends_with(":<bytes>"), "{template}");
	let message = |bytes: u64| template.replace("<bytes>", &bytes.to_string());
	let charlie = Sr25519Keyring::Charlie;
	let charlie_id: AccountId = charlie.to_account_id();
	let post = |body: &[u8]| http(&node.gateway_url, "POST", "/receipts", &[("Content-Type", "application/json")], body);

	// Hostile clients first.
	let (status, _, why) = post(&receipt_body(&charlie_id, &Sr25519Keyring::Dave.pair(), era, served * 100, &message(served * 100)));
	assert_eq!(status, 400, "a receipt Charlie never signed: {}", String::from_utf8_lossy(&why));
	let stranger = sr25519::Pair::from_string("//NoDeposit", None).expect("a key");
	let stranger_id = AccountId::from(stranger.public());
	let (status, _, why) = post(&receipt_body(&stranger_id, &stranger, era, served, &message(served)));
	assert_eq!(status, 400);
	assert!(String::from_utf8_lossy(&why).contains("registerClient"), "an account with no deposit is told what to do: {}", String::from_utf8_lossy(&why));
	let wrong_era = message(served).replace(&format!(":{era}:"), &format!(":{}:", era + 1));
	let (status, _, _) = post(&receipt_body(&charlie_id, &charlie.pair(), era + 1, served, &wrong_era));
	assert_eq!(status, 400, "a receipt for another era");
	let (status, _, _) = post(b"{\"client\": 1}");
	assert_eq!(status, 400, "malformed");
	let (status, _, _) = post(&vec![b' '; 64 * 1024]);
	assert_eq!(status, 413, "oversized");

	// Charlie (a dev wallet: a client from genesis) signs for what he got.
	let (status, _, why) = post(&receipt_body(&charlie_id, &charlie.pair(), era, served, &message(served)));
	assert_eq!(status, 202, "{}", String::from_utf8_lossy(&why));

	// Alice's off-chain worker reports it; the chain counts Charlie's bytes for her.
	let deadline = Instant::now() + Duration::from_secs(120);
	let mut next = client.best_number().await.expect("best block");
	loop {
		assert!(Instant::now() < deadline, "no ServedReported for Alice within 120 s");
		let best = client.best_number().await.expect("best block");
		let mut counted = None;
		while next <= best {
			let hash = client.block_hash(next).await.expect("RPC").expect("a block");
			for record in client.events(hash).await.expect("events") {
				if let RuntimeEvent::Rewards(pallet_rewards::Event::ServedReported { miner, bytes, .. }) = record.event {
					if miner == alice {
						counted = Some(bytes);
					}
				}
			}
			next += 1;
		}
		if let Some(bytes) = counted {
			assert_eq!(bytes, served, "the chain counted what Charlie signed for");
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	node.stop();
}
