//! Unit tests: every call, every error, the events, the region query, and the invariants
//! after each.

use crate::{mock::*, Error, Event, InstanceCount, Instances, ModelsByContent, Placement, Placements};
use landmesh_primitives::{AccessRule, ContentId, ModelFormat, Region, RegionError, Transform, MAINLAND};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, BoundedVec},
	sp_runtime::DispatchResult,
};

fn signed(n: u8) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(n))
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Models(e) => Some(e),
			_ => None,
		})
		.expect("a models event")
}

fn name(text: &str) -> BoundedVec<u8, polkadot_sdk::frame_support::traits::ConstU32<16>> {
	text.as_bytes().to_vec().try_into().unwrap()
}

const ROOT: ContentId = ContentId([7; 32]);
/// Another content, for another owner's models.
const OTHER: ContentId = ContentId([9; 32]);
/// An account that tries to take over others' content.
const MALLORY: u8 = 4;

/// Alice owns parcels 0 (0,0) and 1 (1,0) of the mainland; Bob owns parcel 2 (2,0).
fn run(test: impl FnOnce()) {
	let parcels = vec![
		(0, 0, Some(account(ALICE)), None),
		(1, 0, Some(account(ALICE)), None),
		(2, 0, Some(account(BOB)), None),
	];
	new_test_ext_with(parcels, vec![]).execute_with(|| {
		test();
		Models::do_try_state().expect("model invariants hold");
		Land::do_try_state().expect("land invariants hold");
	});
}

/// Mints a GLB model of `ROOT` to `owner` and returns its id. `ROOT` is bound to the owner
/// of its first model, so a test whose accounts mint models of their own uses `mint_of` with
/// another content for the others.
fn mint(owner: u8, access: AccessRule<AccountId>) -> u32 {
	mint_of(owner, ROOT, ModelFormat::Glb, access)
}

/// Mints a model of `content` to `owner` and returns its id.
fn mint_of(owner: u8, content: ContentId, format: ModelFormat, access: AccessRule<AccountId>) -> u32 {
	let id = crate::NextModelId::<Test>::get();
	assert_ok!(try_mint(owner, content, format, access));
	id
}

/// `owner` mints a model of `content`.
fn try_mint(owner: u8, content: ContentId, format: ModelFormat, access: AccessRule<AccountId>) -> DispatchResult {
	Models::mint_model(signed(owner), content, 2048, format, name("tree"), access)
}

/// The ids of the models naming `content`, in the index's own (hash) order.
fn indexed(content: ContentId) -> Vec<u32> {
	ModelsByContent::<Test>::iter_key_prefix(content).collect()
}

fn at(x: i32, z: i32) -> Transform {
	Transform { position_mm: [x, 0, z], ..Transform::IDENTITY }
}

#[test]
fn mint_model_records_the_content_and_holds_the_item_deposit() {
	run(|| {
		let model = mint(ALICE, AccessRule::Public);
		assert_eq!(last_event(), Event::ModelMinted { model, owner: account(ALICE), content_id: ROOT, size: 2048 });
		let view = Models::model_view(model).unwrap();
		assert_eq!(
			(view.owner, view.content_id, view.size, view.format, view.name.as_str(), view.access),
			(account(ALICE), ROOT, 2048, ModelFormat::Glb, "tree", AccessRule::Public)
		);
		// pallet-nfts' item deposit (1 in the mock) is held from the minter.
		assert_eq!(Balances::reserved_balance(account(ALICE)), 1);
	});
}

#[test]
fn mint_model_errors() {
	run(|| {
		let mint_with = |size, n: &str, access| {
			Models::mint_model(signed(ALICE), ROOT, size, ModelFormat::Gltf, name(n), access)
		};
		assert_noop!(mint_with(0, "a", AccessRule::Public), Error::<Test>::EmptyContent);
		assert_noop!(mint_with(MAX_MODEL_SIZE + 1, "a", AccessRule::Public), Error::<Test>::ContentTooLarge);
		assert_noop!(mint_with(1, "", AccessRule::Public), Error::<Test>::EmptyName);
		assert_noop!(
			Models::mint_model(signed(ALICE), ROOT, 1, ModelFormat::Other, vec![0xff, 0xfe].try_into().unwrap(), AccessRule::Public),
			Error::<Test>::NameNotUtf8
		);
		assert_noop!(mint_with(1, "a", AccessRule::WorldPass(9)), Error::<Test>::UnknownWorld);
		// Account 20 cannot pay the item deposit.
		assert!(Models::mint_model(signed(20), ROOT, 1, ModelFormat::Glb, name("a"), AccessRule::Public).is_err());
		assert_eq!(crate::Models::<Test>::iter().count(), 0);
		assert_ok!(mint_with(MAX_MODEL_SIZE, "a", AccessRule::WorldPass(MAINLAND)));
	});
}

#[test]
fn set_access() {
	run(|| {
		let model = mint(ALICE, AccessRule::Public);
		let rule = AccessRule::Contract(account(9));
		assert_ok!(Models::set_access(signed(ALICE), model, rule.clone()));
		assert_eq!(last_event(), Event::AccessChanged { model, access: rule.clone() });
		assert_eq!(Models::model_view(model).unwrap().access, rule);
		assert_noop!(Models::set_access(signed(BOB), model, AccessRule::Public), Error::<Test>::NotModelOwner);
		assert_noop!(Models::set_access(signed(ALICE), 9, AccessRule::Public), Error::<Test>::UnknownModel);
		assert_noop!(Models::set_access(signed(ALICE), model, AccessRule::WorldPass(3)), Error::<Test>::UnknownWorld);
	});
}

#[test]
fn place_move_and_remove() {
	run(|| {
		let model = mint(ALICE, AccessRule::Contract(account(9)));
		assert_ok!(Models::place_model(signed(ALICE), 0, model, at(100, 200)));
		assert_eq!(last_event(), Event::ModelPlaced { parcel: 0, placement: 0, model, transform: at(100, 200) });
		// One model, many instances: again on the same parcel and on another.
		assert_ok!(Models::place_model(signed(ALICE), 0, model, at(5, 5)));
		assert_ok!(Models::place_model(signed(ALICE), 1, model, at(1, 1)));
		assert_eq!(Instances::<Test>::get(model, 0), 2);
		assert_eq!(InstanceCount::<Test>::get(model), 3);

		assert_ok!(Models::move_model(signed(ALICE), 0, 1, at(9, 9)));
		assert_eq!(last_event(), Event::ModelMoved { parcel: 0, placement: 1, transform: at(9, 9) });
		assert_eq!(
			Placements::<Test>::get(0).into_inner(),
			vec![Placement { id: 0, model, transform: at(100, 200) }, Placement { id: 1, model, transform: at(9, 9) }]
		);

		assert_ok!(Models::remove_model(signed(ALICE), 0, 0));
		assert_eq!(last_event(), Event::ModelRemoved { parcel: 0, placement: 0, model });
		assert_eq!(Placements::<Test>::get(0).iter().map(|p| p.id).collect::<Vec<_>>(), vec![1]);
		assert_eq!(Instances::<Test>::get(model, 0), 1);
		assert_eq!(InstanceCount::<Test>::get(model), 2);
	});
}

#[test]
fn placement_errors() {
	run(|| {
		let private = mint_of(BOB, OTHER, ModelFormat::Glb, AccessRule::WorldPass(MAINLAND));
		let public = mint_of(BOB, OTHER, ModelFormat::Glb, AccessRule::Public);
		let mine = mint(ALICE, AccessRule::Public);
		// Anyone may place a public model on their own parcel; others' private ones, no.
		assert_ok!(Models::place_model(signed(ALICE), 0, public, at(0, 0)));
		assert_noop!(Models::place_model(signed(ALICE), 0, private, at(0, 0)), Error::<Test>::NotPlaceable);
		assert_noop!(Models::place_model(signed(ALICE), 2, mine, at(0, 0)), Error::<Test>::NotParcelOwner);
		assert_noop!(Models::place_model(signed(ALICE), 9, mine, at(0, 0)), Error::<Test>::UnknownParcel);
		assert_noop!(Models::place_model(signed(ALICE), 0, 9, at(0, 0)), Error::<Test>::UnknownModel);
		let bad = |f: fn(&mut Transform)| {
			let mut t = Transform::IDENTITY;
			f(&mut t);
			t
		};
		assert_noop!(
			Models::place_model(signed(ALICE), 0, mine, bad(|t| t.position_mm[0] = 16_000)),
			Error::<Test>::PositionOffParcel
		);
		assert_noop!(
			Models::place_model(signed(ALICE), 0, mine, bad(|t| t.rotation_millideg[2] = -180_001)),
			Error::<Test>::RotationOutOfRange
		);
		assert_noop!(
			Models::place_model(signed(ALICE), 0, mine, bad(|t| t.scale_permille[1] = 0)),
			Error::<Test>::ScaleOutOfRange
		);
		assert_noop!(
			Models::move_model(signed(ALICE), 0, 0, bad(|t| t.scale_permille[1] = 0)),
			Error::<Test>::ScaleOutOfRange
		);
		assert_noop!(Models::move_model(signed(ALICE), 0, 7, at(1, 1)), Error::<Test>::UnknownPlacement);
		assert_noop!(Models::move_model(signed(BOB), 0, 0, at(1, 1)), Error::<Test>::NotParcelOwner);
		assert_noop!(Models::remove_model(signed(ALICE), 0, 7), Error::<Test>::UnknownPlacement);
		assert_noop!(Models::remove_model(signed(BOB), 0, 0), Error::<Test>::NotParcelOwner);
		assert_noop!(Models::remove_model(signed(ALICE), 9, 0), Error::<Test>::UnknownParcel);
	});
}

#[test]
fn placements_are_bounded_per_parcel_and_per_model() {
	run(|| {
		let model = mint(ALICE, AccessRule::Public);
		for _ in 0..MAX_PLACEMENTS {
			assert_ok!(Models::place_model(signed(ALICE), 0, model, at(1, 1)));
		}
		assert_noop!(Models::place_model(signed(ALICE), 0, model, at(1, 1)), Error::<Test>::ParcelFull);
		for _ in MAX_PLACEMENTS..MAX_INSTANCES {
			assert_ok!(Models::place_model(signed(ALICE), 1, model, at(1, 1)));
		}
		assert_noop!(Models::place_model(signed(ALICE), 1, model, at(1, 1)), Error::<Test>::TooManyInstances);
	});
}

#[test]
fn burning_a_model_removes_its_instances_and_returns_the_deposit() {
	run(|| {
		let tree = mint(ALICE, AccessRule::Public);
		let rock = mint(ALICE, AccessRule::Public);
		assert_ok!(Models::place_model(signed(ALICE), 0, tree, at(1, 1)));
		assert_ok!(Models::place_model(signed(ALICE), 0, rock, at(2, 2)));
		assert_ok!(Models::place_model(signed(ALICE), 1, tree, at(3, 3)));
		// Bob places Alice's public tree on his own parcel.
		assert_ok!(Models::place_model(signed(BOB), 2, tree, at(4, 4)));
		assert_eq!(Balances::reserved_balance(account(ALICE)), 2);

		assert_noop!(Models::burn_model(signed(BOB), tree), Error::<Test>::NotModelOwner);
		assert_ok!(Models::burn_model(signed(ALICE), tree));
		assert_eq!(last_event(), Event::ModelBurned { model: tree, instances_removed: 3 });
		assert_eq!(Placements::<Test>::get(0).iter().map(|p| p.model).collect::<Vec<_>>(), vec![rock]);
		assert!(Placements::<Test>::get(1).is_empty() && Placements::<Test>::get(2).is_empty());
		assert_eq!(Models::model_view(tree), None);
		assert_eq!(Balances::reserved_balance(account(ALICE)), 1);
		assert_noop!(Models::burn_model(signed(ALICE), tree), Error::<Test>::UnknownModel);
	});
}

#[test]
fn a_model_transferred_through_pallet_nfts_changes_owner_and_rights() {
	run(|| {
		let model = mint(ALICE, AccessRule::WorldPass(MAINLAND));
		let collection = Models::model_collection().unwrap();
		assert_ok!(Nfts::transfer(signed(ALICE), collection, model, account(BOB)));
		assert_eq!(Models::model_view(model).unwrap().owner, account(BOB));
		assert_noop!(Models::set_access(signed(ALICE), model, AccessRule::Public), Error::<Test>::NotModelOwner);
		assert_ok!(Models::place_model(signed(BOB), 2, model, at(1, 1)));
	});
}

#[test]
fn a_models_content_finds_the_model_until_it_is_burned() {
	run(|| {
		let other = OTHER;
		assert_eq!(Models::model_of_content(&ROOT), None);
		let tree = mint(ALICE, AccessRule::Public);
		assert_ok!(Models::mint_model(signed(BOB), other, 10, ModelFormat::Gltf, name("sign"), AccessRule::Public));
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.format.media_type()), (tree, "model/gltf-binary"));
		assert_eq!(Models::model_of_content(&other).unwrap().format, ModelFormat::Gltf);
		assert_ok!(Models::burn_model(signed(ALICE), tree));
		assert_eq!(Models::model_of_content(&ROOT), None);
	});
}

#[test]
fn another_account_cannot_mint_models_of_bound_content() {
	run(|| {
		let gated = AccessRule::WorldPass(MAINLAND);
		let alices = mint_of(ALICE, ROOT, ModelFormat::Gltf, gated.clone());
		// However many Public models Mallory tries, none is minted (in the hashed index her
		// very first one, id 1, would have sorted before Alice's id 0): the content stays
		// gated, and its media type stays Alice's.
		for format in [ModelFormat::Glb, ModelFormat::Other].into_iter().cycle().take(20) {
			assert_noop!(try_mint(MALLORY, ROOT, format, AccessRule::Public), Error::<Test>::ContentBoundToOther);
		}
		assert_noop!(
			try_mint(MALLORY, ROOT, ModelFormat::Glb, AccessRule::Contract(account(MALLORY))),
			Error::<Test>::ContentBoundToOther
		);
		assert_eq!(indexed(ROOT), vec![alices]);
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!(
			(found.id, found.owner, found.access, found.format.media_type()),
			(alices, account(ALICE), gated, "model/gltf+json")
		);
		// Mallory's own content is hers.
		let mallorys = mint_of(MALLORY, OTHER, ModelFormat::Glb, AccessRule::Public);
		assert_eq!(Models::model_of_content(&OTHER).unwrap().id, mallorys);
		assert_eq!(Models::model_of_content(&ROOT).unwrap().id, alices);
	});
}

#[test]
fn the_first_model_of_a_content_governs_it_however_many_its_owner_adds() {
	run(|| {
		let gated = AccessRule::Contract(account(9));
		let first = mint_of(ALICE, ROOT, ModelFormat::Gltf, gated.clone());
		let mut index_put_another_first = false;
		for _ in 1..MAX_MODELS_PER_CONTENT {
			let more = mint_of(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public);
			assert!(more > first);
			let found = Models::model_of_content(&ROOT).unwrap();
			assert_eq!((found.id, found.access, found.format), (first, gated.clone(), ModelFormat::Gltf));
			index_put_another_first |= indexed(ROOT).first() != Some(&first);
		}
		// The guard that this test means something: the index's own order (by hash) put a
		// later model first at least once, which is what the gateway used to serve.
		assert!(index_put_another_first, "the hashed index always listed the first model first");
		assert_eq!(indexed(ROOT).len() as u32, MAX_MODELS_PER_CONTENT);
		// Burning the governing model hands the content to the next-lowest live one.
		assert_ok!(Models::burn_model(signed(ALICE), first));
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.access, found.format), (first + 1, AccessRule::Public, ModelFormat::Glb));
	});
}

#[test]
fn a_content_follows_its_first_model_to_a_new_owner_and_is_free_once_all_are_burned() {
	run(|| {
		let gated = AccessRule::WorldPass(MAINLAND);
		let first = mint_of(ALICE, ROOT, ModelFormat::Glb, gated.clone());
		let second = mint_of(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public);
		let collection = Models::model_collection().unwrap();
		assert_ok!(Nfts::transfer(signed(ALICE), collection, first, account(BOB)));

		// Bob owns the governing model now: he may mint more models of the content, Alice
		// (who still holds `second`) may not.
		let bobs = mint_of(BOB, ROOT, ModelFormat::Gltf, AccessRule::Public);
		assert_noop!(try_mint(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public), Error::<Test>::ContentBoundToOther);
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.owner, found.access), (first, account(BOB), gated));

		// Burning the governing model hands the content to the next-lowest live model,
		// whoever holds it: Alice's `second`.
		assert_ok!(Models::burn_model(signed(BOB), first));
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.owner), (second, account(ALICE)));
		assert_noop!(try_mint(BOB, ROOT, ModelFormat::Glb, AccessRule::Public), Error::<Test>::ContentBoundToOther);
		assert_ok!(Models::burn_model(signed(ALICE), second));
		assert_eq!(Models::model_of_content(&ROOT).unwrap().id, bobs);
		assert_noop!(try_mint(MALLORY, ROOT, ModelFormat::Glb, AccessRule::Public), Error::<Test>::ContentBoundToOther);

		// Once every model of it is burned, the content is free.
		assert_ok!(Models::burn_model(signed(BOB), bobs));
		assert_eq!(Models::model_of_content(&ROOT), None);
		assert!(indexed(ROOT).is_empty());
		let mallorys = mint_of(MALLORY, ROOT, ModelFormat::Other, AccessRule::Public);
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.owner), (mallorys, account(MALLORY)));
		assert_noop!(try_mint(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public), Error::<Test>::ContentBoundToOther);
	});
}

#[test]
fn models_of_one_content_are_bounded() {
	run(|| {
		let models: Vec<_> =
			(0..MAX_MODELS_PER_CONTENT).map(|_| mint_of(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public)).collect();
		assert_noop!(
			try_mint(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public),
			Error::<Test>::TooManyModelsOfContent
		);
		// The bound is per content.
		mint_of(ALICE, OTHER, ModelFormat::Glb, AccessRule::Public);
		// Burning one makes room for one.
		assert_ok!(Models::burn_model(signed(ALICE), models[1]));
		mint_of(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public);
		assert_noop!(
			try_mint(ALICE, ROOT, ModelFormat::Glb, AccessRule::Public),
			Error::<Test>::TooManyModelsOfContent
		);
		assert_eq!(Models::model_of_content(&ROOT).unwrap().id, models[0]);
	});
}

#[test]
fn models_of_lists_what_an_owner_holds_now() {
	run(|| {
		let tree = mint(ALICE, AccessRule::Public);
		let hut = mint_of(BOB, OTHER, ModelFormat::Glb, AccessRule::Public);
		let rock = mint(ALICE, AccessRule::Public);
		let ids = |who| Models::models_of(&account(who)).into_iter().map(|m| m.id).collect::<Vec<_>>();
		assert_eq!(ids(ALICE), vec![tree, rock]);
		assert_eq!(ids(BOB), vec![hut]);
		let collection = Models::model_collection().unwrap();
		assert_ok!(Nfts::transfer(signed(ALICE), collection, rock, account(BOB)));
		assert_eq!(ids(ALICE), vec![tree]);
		assert_eq!(ids(BOB).len(), 2);
		assert!(ids(BOB).contains(&rock));
	});
}

#[test]
fn models_in_region_returns_parcels_owners_and_placed_models() {
	run(|| {
		let tree = mint(ALICE, AccessRule::Public);
		let hut = mint_of(BOB, OTHER, ModelFormat::Glb, AccessRule::WorldPass(MAINLAND));
		let elsewhere = mint(ALICE, AccessRule::Public);
		assert_ok!(Models::place_model(signed(ALICE), 1, tree, at(10, 20)));
		assert_ok!(Models::place_model(signed(BOB), 2, tree, at(30, 40)));
		assert_ok!(Models::place_model(signed(BOB), 2, hut, at(50, 60)));
		assert_ok!(Models::place_model(signed(ALICE), 0, elsewhere, at(1, 1)));
		let scene = Models::models_in_region(Region { world: MAINLAND, x: 1, y: 0, width: 4, height: 4 }).unwrap();
		assert_eq!(scene.parcels.len(), 2);
		assert_eq!((scene.parcels[0].parcel.x, scene.parcels[0].parcel.owner.clone()), (1, account(ALICE)));
		assert_eq!((scene.parcels[1].parcel.x, scene.parcels[1].parcel.owner.clone()), (2, account(BOB)));
		let placed: Vec<_> = scene.parcels[1].placements.iter().map(|p| (p.placement, p.model, p.transform)).collect();
		assert_eq!(placed, vec![(1, tree, at(30, 40)), (2, hut, at(50, 60))]);
		// Each model placed in the region is described once; the one outside is not.
		assert_eq!(scene.models.iter().map(|m| m.id).collect::<Vec<_>>(), vec![tree, hut]);
		let tree_view = scene.model(tree).unwrap();
		assert_eq!((tree_view.content_id, tree_view.size, tree_view.access.clone()), (ROOT, 2048, AccessRule::Public));
		assert_eq!(scene.model(hut).unwrap().owner, account(BOB));
		assert_eq!(
			Models::models_in_region(Region { world: MAINLAND, x: 0, y: 0, width: 32, height: 32 }),
			Err(RegionError::TooLarge { cells: 1024, max_cells: MAX_REGION_CELLS })
		);
	});
}

#[test]
fn genesis_models_are_minted_and_placed() {
	let parcels = vec![(3, 3, Some(account(ALICE)), None)];
	let models = vec![(
		account(ALICE),
		ROOT,
		99,
		ModelFormat::Gltf,
		"fountain".into(),
		AccessRule::Public,
		vec![(3, 3, at(8_000, 8_000))],
	)];
	new_test_ext_with(parcels, models).execute_with(|| {
		let scene = Models::models_in_region(Region { world: MAINLAND, x: 3, y: 3, width: 1, height: 1 }).unwrap();
		let placed = scene.parcels[0].placements[0];
		assert_eq!(scene.model(placed.model).unwrap().name, "fountain");
		assert_eq!(placed.transform, at(8_000, 8_000));
		Models::do_try_state().unwrap();
	});
}

/// A genesis model of `owner`'s, of `content`, on no parcel.
fn genesis_model(owner: u8, content: ContentId, access: AccessRule<AccountId>) -> crate::GenesisModel<AccountId> {
	(account(owner), content, 99, ModelFormat::Gltf, "fountain".into(), access, vec![])
}

#[test]
fn genesis_models_of_one_content_obey_the_binding() {
	let models = vec![
		genesis_model(ALICE, ROOT, AccessRule::WorldPass(MAINLAND)),
		genesis_model(ALICE, ROOT, AccessRule::Public),
		genesis_model(BOB, OTHER, AccessRule::Public),
	];
	new_test_ext_with(vec![], models).execute_with(|| {
		let found = Models::model_of_content(&ROOT).unwrap();
		assert_eq!((found.id, found.access), (0, AccessRule::WorldPass(MAINLAND)));
		assert_noop!(try_mint(BOB, ROOT, ModelFormat::Glb, AccessRule::Public), Error::<Test>::ContentBoundToOther);
		Models::do_try_state().unwrap();
	});
}

#[test]
#[should_panic(expected = "ContentBoundToOther")]
fn genesis_models_of_one_content_must_have_the_first_ones_owner() {
	let models =
		vec![genesis_model(ALICE, ROOT, AccessRule::WorldPass(MAINLAND)), genesis_model(BOB, ROOT, AccessRule::Public)];
	new_test_ext_with(vec![], models);
}

#[test]
#[should_panic(expected = "TooManyModelsOfContent")]
fn genesis_models_of_one_content_are_bounded() {
	let models = (0..=MAX_MODELS_PER_CONTENT).map(|_| genesis_model(ALICE, ROOT, AccessRule::Public)).collect();
	new_test_ext_with(vec![], models);
}

#[test]
fn try_state_catches_dangling_placements_and_bad_counts() {
	new_test_ext().execute_with(|| Models::do_try_state().expect("an empty world is consistent"));
	run(|| {
		let model = mint(ALICE, AccessRule::Public);
		assert_ok!(Models::place_model(signed(ALICE), 0, model, at(1, 1)));
		assert_ok!(Models::do_try_state());
		InstanceCount::<Test>::insert(model, 5);
		assert!(Models::do_try_state().is_err());
		InstanceCount::<Test>::insert(model, 1);
		crate::Models::<Test>::remove(model);
		assert!(Models::do_try_state().is_err(), "a placement of a missing model");
		// Put it back so the closing check of `run` passes.
		crate::Models::<Test>::insert(
			model,
			crate::Model { content_id: ROOT, size: 2048, format: ModelFormat::Glb, name: name("tree"), access: AccessRule::Public },
		);
	});
}

#[test]
fn try_state_catches_a_content_index_that_breaks_the_binding() {
	run(|| {
		for _ in 0..MAX_MODELS_PER_CONTENT {
			mint(ALICE, AccessRule::Public);
		}
		let extra = mint_of(ALICE, OTHER, ModelFormat::Glb, AccessRule::Public);
		assert_ok!(Models::do_try_state());
		// The index files `extra` under a content its record does not name.
		ModelsByContent::<Test>::remove(OTHER, extra);
		ModelsByContent::<Test>::insert(ROOT, extra, ());
		assert!(Models::do_try_state().is_err(), "an index entry under another content");
		// Its record agrees, and the content is named by one model more than the bound.
		crate::Models::<Test>::mutate(extra, |m| m.as_mut().map(|m| m.content_id = ROOT));
		assert_eq!(
			Models::do_try_state(),
			Err("a content is named by more than MaxModelsPerContent models".into())
		);
		// Put it back so the closing check of `run` passes.
		crate::Models::<Test>::mutate(extra, |m| m.as_mut().map(|m| m.content_id = OTHER));
		ModelsByContent::<Test>::remove(ROOT, extra);
		ModelsByContent::<Test>::insert(OTHER, extra, ());
	});
}

/// Lock-out (issue 15): strangers place a public model until its instances run out, so
/// that its owner can place it nowhere. Must hold: others fill at most half; the owner can
/// still place its model.
#[test]
fn strangers_cannot_use_up_a_public_models_instances() {
	run(|| {
		let model = mint(ALICE, AccessRule::Public);
		for _ in 0..MAX_INSTANCES / 2 {
			assert_ok!(Models::place_model(signed(BOB), 2, model, at(1, 1)));
		}
		assert_noop!(Models::place_model(signed(BOB), 2, model, at(1, 1)), Error::<Test>::TooManyInstances);
		assert_ok!(Models::place_model(signed(ALICE), 0, model, at(1, 1)));
	});
}
