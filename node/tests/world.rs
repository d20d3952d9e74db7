//! The world on a real `--dev --tmp` node: a planet is created, a parcel minted for sale
//! and bought by another account, a model minted and placed, and a renderer reads it all
//! back with one `landmesh_modelsInRegion` call.

mod common;

use common::{dev_node, execute, rpc_error};
use landmesh_node::dev_client::DevClient;
use landmesh_primitives::{AccessRule, ContentId, ModelFormat, ParcelView, RegionScene, Transform, MAINLAND};
use landmesh_runtime::{currency::UNITS, AccountId, Balance, Hash, RuntimeEvent};
use polkadot_sdk::sp_keyring::Sr25519Keyring;
use serde_json::{json, Value};

/// Signs `call` as `signer`, waits until it is finalized, and returns the events of its
/// block; panics with the dispatch error if it failed.
async fn scene(client: &DevClient, region: Value, at: Option<Hash>) -> RegionScene<AccountId, Balance> {
	client
		.call("landmesh_modelsInRegion", vec![region, json!(at)])
		.await
		.expect("landmesh_modelsInRegion answers")
}

#[tokio::test(flavor = "multi_thread")]
async fn planet_parcel_sale_model_placement_read_back_in_one_call() {
	let dir = tempfile::tempdir().expect("temp dir");
	let node = dev_node("world", dir.path(), None);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let (bob, charlie) = (Sr25519Keyring::Bob, Sr25519Keyring::Charlie);

	// The dev genesis world is there from block 0.
	let genesis = scene(&client, json!({"world": MAINLAND, "x": 0, "y": 0, "width": 4, "height": 2}), None).await;
	assert_eq!(genesis.parcels.len(), 7, "seven sample parcels");
	assert_eq!(genesis.parcels.iter().map(|s| s.placements.len()).sum::<usize>(), 3, "three sample placements");
	assert_eq!(genesis.models.len(), 2, "two sample models");

	// Bob creates a 16 × 16 planet.
	let events = execute(&client, &chain, bob, pallet_land::Call::create_planet { width: 16, height: 16 }.into()).await;
	let world = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Land(pallet_land::Event::PlanetCreated { world, .. }) => Some(*world),
			_ => None,
		})
		.expect("PlanetCreated");

	// Bob mints a parcel for sale; Charlie buys it.
	let price = 5 * UNITS;
	execute(&client, &chain, bob, pallet_land::Call::mint_parcel_for_sale { world, x: 3, y: 4, price }.into()).await;
	let listed: ParcelView<AccountId, Balance> = client
		.call("landmesh_parcelAt", vec![json!(world), json!(3), json!(4), Value::Null])
		.await
		.expect("landmesh_parcelAt answers");
	assert_eq!((listed.owner.clone(), listed.price), (bob.to_account_id(), Some(price)));
	let bob_before = client.free_balance(&bob.to_account_id(), None).await.unwrap();
	execute(&client, &chain, charlie, pallet_land::Call::buy_parcel { parcel: listed.id, max_price: price }.into()).await;
	assert_eq!(client.free_balance(&bob.to_account_id(), None).await.unwrap(), bob_before + price);

	// Charlie mints a model and places it on the parcel.
	let content_id = ContentId([0x5a; 32]);
	let events = execute(
		&client,
		&chain,
		charlie,
		pallet_models::Call::mint_model {
			content_id,
			size: 123_456,
			format: ModelFormat::Glb,
			name: b"statue".to_vec().try_into().unwrap(),
			access: AccessRule::WorldPass(world),
		}
		.into(),
	)
	.await;
	let model = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Models(pallet_models::Event::ModelMinted { model, .. }) => Some(*model),
			_ => None,
		})
		.expect("ModelMinted");
	let transform = Transform {
		position_mm: [4_000, 0, 12_000],
		rotation_millideg: [0, 90_000, 0],
		scale_permille: [1_500, 1_500, 1_500],
	};
	execute(&client, &chain, charlie, pallet_models::Call::place_model { parcel: listed.id, model, transform }.into())
		.await;

	// One call returns the parcel, its new owner, and the placed model with everything a
	// renderer needs.
	let planet = scene(&client, json!({"world": world, "x": 0, "y": 0, "width": 16, "height": 16}), None).await;
	assert_eq!(planet.parcels.len(), 1);
	let parcel = &planet.parcels[0].parcel;
	assert_eq!((parcel.x, parcel.y, parcel.owner.clone(), parcel.price), (3, 4, charlie.to_account_id(), None));
	let placed = planet.parcels[0].placements[0];
	assert_eq!((placed.model, placed.transform), (model, transform));
	let described = planet.model(model).expect("the placed model is described");
	assert_eq!(
		(described.content_id, described.size, described.format, described.owner.clone()),
		(content_id, 123_456, ModelFormat::Glb, charlie.to_account_id())
	);
	assert_eq!((described.name.as_str(), described.access.clone()), ("statue", AccessRule::WorldPass(world)));

	// The raw JSON is what a browser gets: hex content ids, decimal-string prices.
	let raw: Value = client
		.call("landmesh_model", vec![json!(model), Value::Null])
		.await
		.expect("landmesh_model answers");
	assert_eq!(raw["contentId"], json!("5a".repeat(32)));
	assert_eq!(raw["size"], json!(123_456));
	let parcels: Value = client
		.call("landmesh_parcelsInRegion", vec![json!({"world": MAINLAND, "x": 0, "y": 0, "width": 4, "height": 1}), Value::Null])
		.await
		.expect("landmesh_parcelsInRegion answers");
	assert_eq!(parcels[2]["price"], json!((10 * UNITS).to_string()));

	// Bad regions get a clear error.
	let err = client
		.call::<Value>("landmesh_modelsInRegion", vec![json!({"world": world, "x": 0, "y": 0, "width": 17, "height": 1}), Value::Null])
		.await
		.expect_err("past the edge");
	let (code, msg) = rpc_error(&err).expect("a JSON-RPC error");
	assert_eq!(code, 4001, "{msg}");
	assert!(msg.contains("past the edge of its world, which is 16 x 16 cells"), "{msg}");
	let err = client
		.call::<Value>("landmesh_modelsInRegion", vec![json!({"world": MAINLAND, "x": 0, "y": 0, "width": 100, "height": 100}), Value::Null])
		.await
		.expect_err("too large");
	let (code, msg) = rpc_error(&err).expect("a JSON-RPC error");
	assert_eq!(code, 4001, "{msg}");
	assert!(msg.contains("10000 cells, more than the 256"), "{msg}");
	let nothing: Option<Value> = client
		.call("landmesh_parcelAt", vec![json!(world), json!(0), json!(0), Value::Null])
		.await
		.expect("an empty cell is not an error");
	assert_eq!(nothing, None);
}

/// The genesis cube (model 0) as `landmesh_model` shows it.
async fn cube(client: &DevClient) -> landmesh_primitives::ModelView<AccountId> {
	let m: Option<landmesh_primitives::ModelView<AccountId>> =
		client.call("landmesh_model", vec![json!(0), Value::Null]).await.expect("RPC");
	m.expect("the genesis cube")
}

/// Storage that lives with the land, on a dev node whose miner is Alice's node: Alice
/// orders storage for her genesis cube (model 0); her node seals and confirms the replica;
/// `landmesh_model` and `landmesh_modelsInRegion` show it kept (a live replica, paid
/// until the order's end). She sells the model to Charlie (a pallet-nfts transfer): the
/// order is his now, so Alice can no longer cancel it; Charlie cancels it and receives
/// the unspent escrow.
#[tokio::test(flavor = "multi_thread")]
async fn a_models_storage_order_is_shown_with_it_and_follows_its_sale() {
	use landmesh_primitives::storage::OrderView;
	let dir = tempfile::tempdir().expect("temp dir");
	let flags = ["--no-prometheus".into(), "--miner".into(), "--seal-limit=0".into()];
	let node = common::dev_node_with("model-storage", dir.path(), &flags);
	let client = DevClient::connect(&node.ws_url).await.expect("RPC connects");
	let chain = client.chain_identity().await.expect("chain identity");
	let (alice, charlie) = (Sr25519Keyring::Alice, Sr25519Keyring::Charlie);
	common::register_miner(&client, &chain, alice, &node).await;
	let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/cube.gltf")).expect("the sample cube");
	let (status, _, body) = common::upload(&node.gateway_url, "/content", &[], &bytes);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let m = cube(&client).await;
	assert_eq!(m.owner, alice.to_account_id());
	assert!(m.storage.orders.is_empty(), "nothing keeps it yet");

	execute(&client, &chain, alice, pallet_storage::Call::place_model_order { model: 0, replicas: 1, periods: 2 }.into()).await;
	let mut watch = common::Events { client: &client, next: 1 };
	watch
		.until("Alice's node confirms the cube's replica", std::time::Duration::from_secs(120), |e| {
			matches!(e, RuntimeEvent::Storage(pallet_storage::Event::ReplicaConfirmed { .. }))
		})
		.await;
	let m = cube(&client).await;
	let orders: Vec<OrderView<AccountId, Balance, u32>> =
		client.call("landmesh_contentStatus", vec![json!(m.content_id), Value::Null]).await.expect("RPC");
	let order = orders[0].id;
	assert_eq!(m.storage.orders, vec![order]);
	assert_eq!((m.storage.replicas, m.storage.live_replicas), (1, 1));
	assert_eq!(m.storage.stored_until, u64::from(orders[0].end));
	let region = json!({"world": MAINLAND, "x": 0, "y": 0, "width": 4, "height": 2});
	let in_region = scene(&client, region, None).await;
	assert_eq!(in_region.model(0).map(|m| m.storage.live_replicas), Some(1), "modelsInRegion shows it too");

	// Sold: the collection of models is the second pallet-nfts collection (after land).
	let collection: u32 = client
		.storage(&[polkadot_sdk::sp_io::hashing::twox_128(b"Models"), polkadot_sdk::sp_io::hashing::twox_128(b"ModelCollection")].concat(), None)
		.await
		.expect("RPC")
		.expect("the model collection");
	let transfer = landmesh_runtime::pallet_nfts::Call::<landmesh_runtime::Runtime>::transfer { collection, item: 0, dest: charlie.to_account_id().into() };
	execute(&client, &chain, alice, transfer.into()).await;
	let refused = common::try_execute(&client, &chain, alice, pallet_storage::Call::cancel { order }.into()).await;
	use polkadot_sdk::sp_runtime::DispatchError;
	let expected: DispatchError = pallet_storage::Error::<landmesh_runtime::Runtime>::NotModelOwner.into();
	let same = matches!((&refused, &expected), (Err(DispatchError::Module(a)), DispatchError::Module(b)) if (a.index, a.error) == (b.index, b.error));
	assert!(same, "the seller can no longer cancel: {refused:?}");
	// Cancelled between challenges (an order whose holder is being challenged waits).
	let challenged: DispatchError = pallet_storage::Error::<landmesh_runtime::Runtime>::HolderChallenged.into();
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
	let events = loop {
		match common::try_execute(&client, &chain, charlie, pallet_storage::Call::cancel { order }.into()).await {
			Ok(events) => break events,
			Err(DispatchError::Module(e)) if matches!(&challenged, DispatchError::Module(c) if (c.index, c.error) == (e.index, e.error)) => {
				assert!(std::time::Instant::now() < deadline, "the holder stays challenged");
				tokio::time::sleep(std::time::Duration::from_secs(2)).await;
			},
			Err(e) => panic!("the new owner's cancel failed: {e:?}"),
		}
	};
	let refund = events.iter().find_map(|e| match e {
		RuntimeEvent::Storage(pallet_storage::Event::ModelRefunded { owner, amount, .. }) => Some((owner.clone(), *amount)),
		_ => None,
	});
	let (to, amount) = refund.expect("the unspent escrow is paid out");
	assert_eq!(to, charlie.to_account_id());
	assert!(amount > 0 && amount < orders[0].escrow, "the miner was paid for what it kept, Charlie gets the rest");
	assert!(cube(&client).await.storage.orders.is_empty());
}
