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
