//! Four validators on loopback (`--chain local`): finality, the loss of one, and a restart
//! from the same base path catching up (RocksDB persistence).

mod common;

use common::{free_port, TestNode};
use landmesh_node::dev_client::DevClient;
use std::{path::Path, time::Duration};

const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

struct Validator {
	name: &'static str,
	port: u16,
	node_key: String,
}

fn args(v: &Validator, base: &Path, bootnode: Option<&str>) -> Vec<String> {
	let mut a = vec![
		"--chain=local".to_string(),
		format!("--{}", v.name),
		format!("--base-path={}", base.join(v.name).display()),
		format!("--listen-addr=/ip4/127.0.0.1/tcp/{}", v.port),
		format!("--node-key={}", v.node_key),
		"--no-prometheus".to_string(),
	];
	if let Some(b) = bootnode {
		a.push(format!("--bootnodes={b}"));
	}
	a
}

async fn finalized_number(node: &TestNode) -> u32 {
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	client.finalized().await.expect("finalized head").1
}

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_finalize_survive_a_loss_and_a_restart_catches_up() {
	let dir = tempfile::tempdir().expect("temp dir");
	let validators: Vec<Validator> = VALIDATORS
		.iter()
		.enumerate()
		.map(|(i, name)| Validator { name, port: free_port(), node_key: format!("{:064x}", i + 1) })
		.collect();

	let alice = TestNode::start("alice", &args(&validators[0], dir.path(), None), dir.path());
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", validators[0].port, alice.peer_id);
	let mut nodes = vec![alice];
	for v in &validators[1..] {
		nodes.push(TestNode::start(v.name, &args(v, dir.path(), Some(&bootnode)), dir.path()));
	}

	// All four finalize together.
	let alice_rpc = DevClient::connect(&nodes[0].ws_url).await.expect("RPC connects");
	alice_rpc.wait_finalized(3, Duration::from_secs(180)).await.expect("the network finalizes");
	for node in &nodes {
		let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
		client.wait_finalized(3, Duration::from_secs(60)).await.expect("every validator follows");
	}

	// Dave stops; three of four validators are a GRANDPA supermajority and go on.
	let dave = nodes.pop().expect("four nodes");
	dave.stop();
	let at_loss = finalized_number(&nodes[0]).await;
	alice_rpc
		.wait_finalized(at_loss + 4, Duration::from_secs(120))
		.await
		.expect("finality continues without Dave");

	// Dave comes back from his base path and catches up to the others' finalized head.
	let target = finalized_number(&nodes[0]).await;
	let dave = TestNode::start("dave-restarted", &args(&validators[3], dir.path(), Some(&bootnode)), dir.path());
	let dave_rpc = DevClient::connect(&dave.ws_url).await.expect("RPC connects");
	let restored = dave_rpc.finalized().await.expect("finalized head").1;
	assert!(restored >= 3, "Dave's database kept the blocks finalized before the stop (#{restored})");
	dave_rpc
		.wait_finalized(target, Duration::from_secs(180))
		.await
		.expect("Dave catches up after the restart");
	let alice_hash = alice_rpc.block_hash(target).await.unwrap();
	let dave_hash = dave_rpc.block_hash(target).await.unwrap();
	assert_eq!(alice_hash, dave_hash, "Dave's finalized chain is the network's");
}
