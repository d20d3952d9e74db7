//! Unit tests: every call, every error, the events, and the invariants after each.

use crate::{mock::*, Error, Event, Listing, Listings, Parcel, ParcelAt, Parcels, Passes, Worlds};
use landmesh_primitives::{ParcelView, Region, RegionError, MAINLAND};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::fungible::InspectHold,
	},
	pallet_nfts,
	sp_runtime::{DispatchError, TokenError},
};

fn signed(n: u8) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(n))
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn free(n: u8) -> u64 {
	Balances::free_balance(account(n))
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Land(e) => Some(e),
			_ => None,
		})
		.expect("a land event")
}

/// Runs a test, then checks the pallet's invariants.
fn run(parcels: Vec<(u32, u32, Option<AccountId>, Option<u64>)>, test: impl FnOnce()) {
	new_test_ext_with(parcels).execute_with(|| {
		test();
		Land::do_try_state().expect("invariants hold");
	});
}

/// Bob's planet (world 1), 8 × 4.
fn bobs_planet() -> u32 {
	assert_ok!(Land::create_planet(signed(BOB), 8, 4));
	1
}

#[test]
fn genesis_creates_the_mainland_its_parcels_and_the_collection() {
	run(vec![(0, 0, Some(account(ALICE)), None), (1, 0, None, Some(50))], || {
		let office = Land::land_office();
		let mainland = Land::world_view(MAINLAND).unwrap();
		assert_eq!((mainland.width, mainland.height, mainland.parcels), (32, 32, 2));
		assert_eq!(mainland.owner, office);
		assert_eq!(Land::parcel_at(MAINLAND, 0, 0).unwrap().owner, account(ALICE));
		let for_sale = Land::parcel_at(MAINLAND, 1, 0).unwrap();
		assert_eq!((for_sale.owner, for_sale.price), (office, Some(50)));
		// The land collection is pallet-nfts' and belongs to the land office.
		let collection = Land::land_collection().unwrap();
		assert_eq!(pallet_nfts::Pallet::<Test>::collection_owner(collection), Some(Land::land_office()));
	});
}

#[test]
fn create_planet_holds_the_deposit_and_names_the_owner() {
	run(vec![], || {
		assert_ok!(Land::create_planet(signed(BOB), 8, 4));
		assert_eq!(last_event(), Event::PlanetCreated { world: 1, owner: account(BOB), width: 8, height: 4 });
		let world = Worlds::<Test>::get(1).unwrap();
		assert_eq!((world.owner, world.width, world.height, world.deposit), (account(BOB), 8, 4, PLANET_DEPOSIT));
		assert_eq!(Balances::total_balance_on_hold(&account(BOB)), PLANET_DEPOSIT);
		assert_eq!(free(BOB), ENDOWMENT - PLANET_DEPOSIT);
		assert_ok!(Land::create_planet(signed(CHARLIE), 1, MAX_WORLD_SIDE));
		assert!(Worlds::<Test>::contains_key(2));
	});
}

#[test]
fn create_planet_errors() {
	run(vec![], || {
		for (w, h) in [(0, 4), (4, 0), (MAX_WORLD_SIDE + 1, 1)] {
			assert_noop!(Land::create_planet(signed(BOB), w, h), Error::<Test>::BadWorldSize);
		}
		// Account 20 has nothing to hold.
		assert_noop!(
			Land::create_planet(signed(20), 8, 8),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
		assert_noop!(Land::create_planet(RuntimeOrigin::none(), 8, 8), DispatchError::BadOrigin);
	});
}

#[test]
fn entrance_fee_and_passes() {
	run(vec![], || {
		let planet = bobs_planet();
		assert_ok!(Land::set_entrance_fee(signed(BOB), planet, 30));
		assert_eq!(last_event(), Event::EntranceFeeSet { world: planet, fee: 30 });
		assert!(!Land::has_pass(planet, &account(CHARLIE)));
		assert!(Land::has_pass(planet, &account(BOB)), "the owner needs no pass");

		// Front-running: the owner raises the fee before Charlie's `enter` lands. Charlie
		// agreed to 30 at most: refused, nothing paid.
		assert_ok!(Land::set_entrance_fee(signed(BOB), planet, 3000));
		assert_noop!(Land::enter(signed(CHARLIE), planet, 30), Error::<Test>::FeeAboveLimit);
		assert_ok!(Land::set_entrance_fee(signed(BOB), planet, 30));
		let bob_before = free(BOB);
		assert_ok!(Land::enter(signed(CHARLIE), planet, 30));
		let until = 1 + PASS_DURATION;
		assert_eq!(last_event(), Event::Entered { world: planet, who: account(CHARLIE), fee: 30, until });
		assert_eq!(free(CHARLIE), ENDOWMENT - 30 - PASS_DEPOSIT, "the fee, and the deposit of the pass entry");
		assert_eq!(free(BOB), bob_before + 30);
		assert!(Land::has_pass(planet, &account(CHARLIE)));

		// Entering again while the pass runs extends it from its end.
		System::set_block_number(5);
		assert_ok!(Land::enter(signed(CHARLIE), planet, u64::MAX));
		assert_eq!(Passes::<Test>::get(planet, account(CHARLIE)), Some(until + PASS_DURATION));

		// A pass expires at its block.
		System::set_block_number(until + PASS_DURATION);
		assert!(!Land::has_pass(planet, &account(CHARLIE)));
		// After expiry a new pass runs from now.
		assert_ok!(Land::enter(signed(CHARLIE), planet, u64::MAX));
		assert_eq!(Passes::<Test>::get(planet, account(CHARLIE)), Some(until + 2 * PASS_DURATION));
	});
}

/// Growth (issue 15): passes to a free planet cost nothing but a transaction fee, and a
/// planet's owner can mint millions of parcels. Must hold: each pass entry holds
/// `PassDeposit` from its visitor (once, not per renewal) until anyone clears it after it
/// expires, which returns the deposit; each planet parcel holds `ParcelDeposit` from the
/// planet's owner, and an owner who cannot pay mints nothing.
#[test]
fn passes_and_planet_parcels_hold_deposits() {
	run(vec![], || {
		let planet = bobs_planet();
		for visitor in 4..=9 {
			assert_ok!(Land::enter(signed(visitor), planet, 0));
			assert_eq!(free(visitor), ENDOWMENT - PASS_DEPOSIT);
		}
		assert_ok!(Land::enter(signed(9), planet, 0));
		assert_eq!(free(9), ENDOWMENT - PASS_DEPOSIT, "a renewal holds nothing more");
		assert_noop!(Land::clear_pass(signed(ALICE), planet, account(9)), Error::<Test>::PassActive);
		assert_noop!(Land::clear_pass(signed(ALICE), planet, account(ALICE)), Error::<Test>::NoPass);
		System::set_block_number(1 + 2 * PASS_DURATION);
		assert_ok!(Land::clear_pass(signed(ALICE), planet, account(9)));
		assert_eq!(last_event(), Event::PassCleared { world: planet, who: account(9) });
		assert_eq!(free(9), ENDOWMENT, "the deposit comes back to the visitor");
		assert!(!Passes::<Test>::contains_key(planet, account(9)));

		let bob = free(BOB);
		assert_ok!(Land::mint_parcel(signed(BOB), planet, 0, 0, account(CHARLIE)));
		assert_ok!(Land::mint_parcel_for_sale(signed(BOB), planet, 1, 0, 7));
		assert_eq!(free(BOB), bob - 2 * PARCEL_DEPOSIT);
		// An owner who cannot pay the deposit mints nothing.
		let spendable = free(BOB);
		assert_ok!(Balances::transfer_allow_death(signed(BOB), account(ALICE), spendable - 1));
		assert_noop!(
			Land::mint_parcel(signed(BOB), planet, 2, 0, account(CHARLIE)),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
		// The mainland's parcels, minted by root, hold nothing.
		assert_ok!(Land::mint_parcel(root(), MAINLAND, 5, 5, account(CHARLIE)));
	});
}

#[test]
fn mainland_fee_is_set_by_root_and_paid_to_the_land_office() {
	run(vec![], || {
		assert_noop!(Land::set_entrance_fee(signed(ALICE), MAINLAND, 5), Error::<Test>::NotWorldOwner);
		assert_ok!(Land::set_entrance_fee(root(), MAINLAND, 500));
		assert_ok!(Land::enter(signed(ALICE), MAINLAND, u64::MAX));
		assert_eq!(Balances::free_balance(Land::land_office()), 500);
		assert!(Land::has_pass(MAINLAND, &account(ALICE)));
	});
}

#[test]
fn entrance_errors() {
	run(vec![], || {
		let planet = bobs_planet();
		assert_noop!(Land::set_entrance_fee(signed(CHARLIE), planet, 1), Error::<Test>::NotWorldOwner);
		assert_noop!(Land::set_entrance_fee(signed(BOB), 9, 1), Error::<Test>::UnknownWorld);
		assert_noop!(Land::enter(signed(CHARLIE), 9, u64::MAX), Error::<Test>::UnknownWorld);
		assert_ok!(Land::set_entrance_fee(signed(BOB), planet, ENDOWMENT));
		// Paying the whole balance would reap the account: refused, nothing changes.
		assert_noop!(Land::enter(signed(CHARLIE), planet, u64::MAX), DispatchError::Token(TokenError::NotExpendable));
		assert!(!Land::has_pass(planet, &account(CHARLIE)));
		// Free entry still issues a pass (against its deposit: an account with nothing
		// cannot enter).
		assert_ok!(Land::set_entrance_fee(signed(BOB), planet, 0));
		assert_noop!(Land::enter(signed(20), planet, u64::MAX), DispatchError::Token(TokenError::FundsUnavailable));
		assert_ok!(Land::enter(signed(5), planet, u64::MAX));
		assert!(Land::has_pass(planet, &account(5)));
	});
}

#[test]
fn mint_parcel_to_an_account() {
	run(vec![], || {
		let planet = bobs_planet();
		assert_ok!(Land::mint_parcel(signed(BOB), planet, 7, 3, account(CHARLIE)));
		assert_eq!(
			last_event(),
			Event::ParcelMinted { parcel: 0, world: planet, x: 7, y: 3, owner: account(CHARLIE) }
		);
		assert_eq!(Parcels::<Test>::get(0), Some(Parcel { world: planet, x: 7, y: 3 }));
		assert_eq!(ParcelAt::<Test>::get(planet, (7, 3)), Some(0));
		assert_eq!(Land::parcel_owner(0), Some(account(CHARLIE)));
		assert_eq!(Worlds::<Test>::get(planet).unwrap().parcels, 1);
		// Mainland parcels are minted by root.
		assert_ok!(Land::mint_parcel(root(), MAINLAND, 31, 31, account(ALICE)));
		assert_eq!(Land::parcel_at(MAINLAND, 31, 31).unwrap().owner, account(ALICE));
	});
}

#[test]
fn mint_parcel_errors() {
	run(vec![], || {
		let planet = bobs_planet();
		assert_noop!(Land::mint_parcel(signed(CHARLIE), planet, 0, 0, account(CHARLIE)), Error::<Test>::NotWorldOwner);
		assert_noop!(Land::mint_parcel(signed(BOB), MAINLAND, 0, 0, account(BOB)), Error::<Test>::NotWorldOwner);
		assert_noop!(Land::mint_parcel(signed(BOB), 7, 0, 0, account(BOB)), Error::<Test>::UnknownWorld);
		assert_noop!(Land::mint_parcel(signed(BOB), planet, 8, 0, account(BOB)), Error::<Test>::OutsideWorld);
		assert_noop!(Land::mint_parcel(signed(BOB), planet, 0, 4, account(BOB)), Error::<Test>::OutsideWorld);
		assert_ok!(Land::mint_parcel(signed(BOB), planet, 2, 2, account(BOB)));
		assert_noop!(Land::mint_parcel(signed(BOB), planet, 2, 2, account(CHARLIE)), Error::<Test>::CellTaken);
		assert_noop!(Land::mint_parcel_for_sale(signed(BOB), planet, 2, 2, 5), Error::<Test>::CellTaken);
	});
}

#[test]
fn sell_and_buy_a_parcel() {
	run(vec![], || {
		let planet = bobs_planet();
		assert_ok!(Land::mint_parcel_for_sale(signed(BOB), planet, 1, 1, 300));
		assert_eq!(last_event(), Event::ParcelListed { parcel: 0, seller: account(BOB), price: 300 });
		assert_eq!(Land::parcel_at(planet, 1, 1).unwrap().price, Some(300));

		let bob_before = free(BOB);
		assert_ok!(Land::buy_parcel(signed(CHARLIE), 0, 300));
		assert_eq!(
			last_event(),
			Event::ParcelSold { parcel: 0, seller: account(BOB), buyer: account(CHARLIE), price: 300 }
		);
		assert_eq!(free(CHARLIE), ENDOWMENT - 300);
		assert_eq!(free(BOB), bob_before + 300);
		let parcel = Land::parcel_at(planet, 1, 1).unwrap();
		assert_eq!((parcel.owner, parcel.price), (account(CHARLIE), None));
		assert_noop!(Land::buy_parcel(signed(ALICE), 0, 300), Error::<Test>::NotForSale);
	});
}

#[test]
fn owners_list_reprice_and_unlist() {
	run(vec![(4, 4, Some(account(ALICE)), None)], || {
		assert_ok!(Land::list_parcel(signed(ALICE), 0, 40));
		assert_eq!(last_event(), Event::ParcelListed { parcel: 0, seller: account(ALICE), price: 40 });
		assert_ok!(Land::list_parcel(signed(ALICE), 0, 60));
		assert_eq!(Listings::<Test>::get(0), Some(Listing { seller: account(ALICE), price: 60 }));
		assert_ok!(Land::unlist_parcel(signed(ALICE), 0));
		assert_eq!(last_event(), Event::ParcelUnlisted { parcel: 0 });
		assert_eq!(Listings::<Test>::get(0), None);
		assert_noop!(Land::unlist_parcel(signed(ALICE), 0), Error::<Test>::NotForSale);
		assert_noop!(Land::list_parcel(signed(BOB), 0, 1), Error::<Test>::NotParcelOwner);
		assert_noop!(Land::unlist_parcel(signed(BOB), 0), Error::<Test>::NotParcelOwner);
		assert_noop!(Land::list_parcel(signed(ALICE), 9, 1), Error::<Test>::UnknownParcel);
	});
}

#[test]
fn buy_errors() {
	run(vec![(4, 4, Some(account(ALICE)), Some(200))], || {
		assert_noop!(Land::buy_parcel(signed(BOB), 9, 200), Error::<Test>::NotForSale);
		assert_noop!(Land::buy_parcel(signed(BOB), 0, 199), Error::<Test>::PriceAboveLimit);
		assert_noop!(Land::buy_parcel(signed(ALICE), 0, 200), Error::<Test>::BuyerIsSeller);
		assert_noop!(Land::buy_parcel(signed(20), 0, 200), DispatchError::Token(TokenError::FundsUnavailable));
	});
}

#[test]
fn a_transfer_through_pallet_nfts_keeps_the_grid_right_and_voids_the_listing() {
	run(vec![(4, 4, Some(account(ALICE)), Some(200))], || {
		let collection = Land::land_collection().unwrap();
		// Listed: transfers are locked, so the listing cannot outlive one.
		assert_noop!(Nfts::transfer(signed(ALICE), collection, 0, account(BOB)), pallet_nfts::Error::<Test>::ItemLocked);
		assert_ok!(Land::unlist_parcel(signed(ALICE), 0));
		assert_ok!(Nfts::transfer(signed(ALICE), collection, 0, account(BOB)));
		// Back to Alice: her old listing does not come back to life.
		assert_ok!(Nfts::transfer(signed(BOB), collection, 0, account(ALICE)));
		assert_noop!(Land::buy_parcel(signed(CHARLIE), 0, 200), Error::<Test>::NotForSale);
		assert_ok!(Nfts::transfer(signed(ALICE), collection, 0, account(BOB)));
		let parcel = Land::parcel_at(MAINLAND, 4, 4).unwrap();
		assert_eq!(parcel, ParcelView { id: 0, world: MAINLAND, x: 4, y: 4, owner: account(BOB), price: None });
		// Bob can list it himself; once sold, the buyer may transfer it.
		assert_ok!(Land::list_parcel(signed(BOB), 0, 500));
		assert_ok!(Land::list_parcel(signed(BOB), 0, 400));
		assert_ok!(Land::buy_parcel(signed(CHARLIE), 0, 400));
		assert_eq!(Land::parcel_owner(0), Some(account(CHARLIE)));
		assert_ok!(Nfts::transfer(signed(CHARLIE), collection, 0, account(ALICE)));
	});
}

#[test]
fn region_queries() {
	run(vec![], || {
		let planet = bobs_planet();
		for (x, y) in [(0, 0), (3, 1), (7, 3)] {
			assert_ok!(Land::mint_parcel(signed(BOB), planet, x, y, account(CHARLIE)));
		}
		let region = |x, y, width, height| Region { world: planet, x, y, width, height };
		let cells = |r| -> Vec<(u32, u32)> {
			Land::parcels_in_region(r).unwrap().into_iter().map(|p| (p.x, p.y)).collect()
		};
		assert_eq!(cells(region(0, 0, 8, 4)), vec![(0, 0), (3, 1), (7, 3)]);
		assert_eq!(cells(region(1, 1, 7, 3)), vec![(3, 1), (7, 3)]);
		assert_eq!(cells(region(4, 0, 3, 3)), vec![]);
		assert_eq!(Land::parcels_in_region(region(0, 0, 9, 1)), Err(RegionError::OutsideWorld { width: 8, height: 4 }));
		assert_eq!(
			Land::parcels_in_region(Region { world: 5, x: 0, y: 0, width: 1, height: 1 }),
			Err(RegionError::UnknownWorld)
		);
		assert_eq!(
			Land::parcels_in_region(Region { world: MAINLAND, x: 0, y: 0, width: 32, height: 9 }),
			Err(RegionError::TooLarge { cells: 288, max_cells: MAX_REGION_CELLS })
		);
		assert_eq!(Land::parcel_at(planet, 3, 1).map(|p| p.id), Some(1));
		assert_eq!(Land::parcel_at(planet, 3, 2), None);
	});
}

#[test]
fn try_state_catches_a_broken_index() {
	new_test_ext_with(vec![(1, 1, Some(account(ALICE)), None)]).execute_with(|| {
		assert_ok!(Land::do_try_state());
		ParcelAt::<Test>::remove(MAINLAND, (1, 1));
		assert!(Land::do_try_state().is_err());
	});
	new_test_ext_with(vec![(1, 1, Some(account(ALICE)), None)]).execute_with(|| {
		// A land item pallet-nfts holds but the index does not know.
		let collection = Land::land_collection().unwrap();
		assert_ok!(pallet_nfts::Pallet::<Test>::do_mint(
			collection,
			77,
			None,
			account(BOB),
			Default::default(),
			|_, _| Ok(())
		));
		assert!(Land::do_try_state().is_err());
	});
	new_test_ext().execute_with(|| Land::do_try_state().expect("an empty mainland is consistent"));
}
