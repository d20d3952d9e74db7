//! The storage economy end to end in the mock runtime, and every call and error of the
//! rewards.

use crate::{mock::*, Claimable, Error, Event, ReceiptOf, Served, ServedReceipt};
use codec::Encode;
use landmesh_primitives::miner::served_message;
use polkadot_sdk::sp_runtime::DispatchResult;
use landmesh_primitives::{
	filler,
	proof::{prove, root_of},
	ContentId,
};
use pallet_audit::OpenChallenges;
use pallet_miners::Endpoints;
use polkadot_sdk::frame_support::{assert_noop, assert_ok, traits::Hooks};

const OWNER: u64 = 1;

fn content() -> Vec<u8> {
	(0..10_000u32).map(|i| (i * 13 % 253) as u8).collect()
}

fn register(miner: u64, region: &str) {
	let b = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = Endpoints { peer_id: b("peer"), multiaddrs: Default::default(), gateway: b("http://gw"), region: b(region) };
	assert_ok!(Miners::register(RuntimeOrigin::signed(miner), 1 << 20, endpoints));
}

fn holders() -> Vec<u64> {
	pallet_storage::Orders::<Test>::get(0).map(|o| o.holders.iter().map(|r| r.miner).collect()).unwrap_or_default()
}

fn stake(miner: u64) -> u64 {
	pallet_miners::Miners::<Test>::get(miner).map_or(0, |m| m.stake)
}

fn run_to(to: u64) {
	while System::block_number() < to {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Storage::on_initialize(next);
		Audit::on_initialize(next);
		Rewards::on_initialize(next);
	}
}

fn open_challenge(miner: u64) -> Option<u64> {
	OpenChallenges::<Test>::iter_prefix(miner).map(|(id, _)| id).next()
}

fn check_invariants() {
	Rewards::do_try_state().expect("rewards invariants");
	Audit::do_try_state().expect("audit invariants");
	Storage::do_try_state().expect("storage invariants");
	Miners::do_try_state().expect("miner invariants");
}

/// Three miners, an order with R = 2; a challenge answered by one holder and missed by the
/// other: the silent one is slashed, its replica repaired to the third miner, and the era's
/// rewards follow who proved what (and who served).
#[test]
fn scenario_three_miners_one_proves_one_fails_repair_and_rewards() {
	new_test_ext().execute_with(|| {
		register(11, "eu");
		register(12, "us");
		register(13, "ap");
		let bytes = content();
		let id = ContentId(root_of(&bytes));
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, bytes.len() as u64, 2, 100));
		run_to(System::block_number() + 1);
		// Each holder's own sealed replica, which its challenges ask for.
		let mut replicas = std::collections::BTreeMap::new();
		for m in holders() {
			replicas.insert(m, seal_and_confirm(m, 0, &bytes).unwrap().replica);
		}
		// Challenge rounds until both holders are challenged.
		let [a, b] = holders()[..] else { panic!("two holders") };
		let mut rounds = 0;
		while open_challenge(a).is_none() || open_challenge(b).is_none() {
			assert!(rounds < 20, "both replicas are challenged within 20 rounds");
			run_to(System::block_number() + CHALLENGE_PERIOD);
			rounds += 1;
		}
		let (good, bad) = (a, b);
		let third = [11, 12, 13].into_iter().find(|m| *m != good && *m != bad).unwrap();
		// The good miner answers every challenge it gets from now on; the bad one never.
		let answer_all = |miner: u64, replicas: &std::collections::BTreeMap<u64, Vec<u8>>| {
			while let Some(c) = open_challenge(miner) {
				let ch = pallet_audit::Challenges::<Test>::get(c).unwrap();
				let proofs: Vec<_> = ch.indices.iter().map(|i| prove(&replicas[&miner], *i).unwrap()).collect();
				assert_ok!(Audit::answer(RuntimeOrigin::signed(miner), c, proofs.try_into().unwrap()));
			}
		};
		answer_all(good, &replicas);
		let bad_stake = stake(bad);
		// A first miss, its retry missed too, the replacement drawn the block after.
		for _ in 0..2 * DEADLINE + 3 {
			answer_all(good, &replicas);
			run_to(System::block_number() + 1);
		}
		assert!(stake(bad) < bad_stake, "the silent miner was slashed");
		assert!(holders().contains(&third) && !holders().contains(&bad), "its replica moved to the third miner");
		// The third miner fetches the content from the good one and confirms.
		replicas.insert(third, seal_and_confirm(third, 0, &bytes).unwrap().replica);

		// The era ends.
		while System::block_number() < ERA {
			answer_all(good, &replicas);
			answer_all(third, &replicas);
			run_to((System::block_number() + 1).min(ERA));
		}
		let (good_reward, bad_reward, third_reward) =
			(Claimable::<Test>::get(good), Claimable::<Test>::get(bad), Claimable::<Test>::get(third));
		assert_eq!(bad_reward, 0, "a miner that lost its replica and failed its challenge earns nothing");
		assert!(third_reward > 0, "the repaired replica, once confirmed, earns");
		assert!(good_reward > third_reward, "the miner that proved all era earns most: {good_reward} vs {third_reward}");
		assert!(System::events().iter().any(|r| matches!(r.event, RuntimeEvent::Rewards(Event::EraRewarded { era: 0, .. }))));

		let before = Balances::free_balance(good);
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(good)));
		assert_eq!(Balances::free_balance(good), before + good_reward);
		assert_noop!(Rewards::claim(RuntimeOrigin::signed(good)), Error::<Test>::NothingToClaim);
		check_invariants();
	});
}

/// Client `client`'s receipt for `bytes` served by `miner` in `era`, signed over the
/// chain's served message.
fn receipt(client: u64, miner: u64, era: u32, bytes: u64) -> ReceiptOf<Test> {
	let chain = System::block_hash(0);
	let message = served_message(chain.as_ref(), &miner.encode(), era, bytes);
	ServedReceipt { client, era, bytes, signature: TestReceiptSignature::sign(client, message.as_bytes()) }
}

fn report(miner: u64, era: u32, receipts: Vec<ReceiptOf<Test>>) -> DispatchResult {
	Rewards::report_served(RuntimeOrigin::signed(miner), era, receipts.try_into().unwrap())
}

/// The storage and serving pots paid for `era`.
fn era_rewarded(era: u32) -> (u64, u64) {
	System::events()
		.iter()
		.find_map(|r| match r.event {
			RuntimeEvent::Rewards(Event::EraRewarded { era: e, storage, serving }) if e == era => Some((storage, serving)),
			_ => None,
		})
		.expect("the era was rewarded")
}

/// Attack (issue 15, served bytes as a free claim): a miner raises its capacity, claims
/// it served a hundred times that, and lowers it again; or reports receipts nobody signed,
/// receipts signed for another miner, receipts of accounts that hold no deposit, the same
/// receipt twice. Must hold: served bytes count only as far as registered clients signed
/// for them, each receipt's growth once; the honest miner, whose client signed, takes the
/// whole serving pot.
#[test]
fn served_bytes_earn_only_with_receipts_their_clients_signed() {
	new_test_ext().execute_with(|| {
		run_to(1);
		register(11, "eu");
		register(12, "us");
		for client in [2, 3] {
			assert_ok!(Rewards::register_client(RuntimeOrigin::signed(client)));
		}
		run_to(ERA);
		let era = 1;
		// A receipt must be this era's, and the report too.
		assert_noop!(report(12, 0, vec![receipt(2, 12, 0, 1)]), Error::<Test>::WrongEra);
		assert_noop!(report(12, era, vec![receipt(2, 12, 0, 1)]), Error::<Test>::ReceiptWrongEra);
		assert_noop!(report(5, era, vec![receipt(2, 5, era, 1)]), Error::<Test>::NotMiner);
		// Bytes nobody signed: a signature by another account, or over other bytes.
		let mut forged = receipt(3, 12, era, 500_000);
		forged.client = 2;
		assert_noop!(report(12, era, vec![forged]), Error::<Test>::BadReceipt);
		let mut inflated = receipt(2, 12, era, 1_000);
		inflated.bytes = 900_000;
		assert_noop!(report(12, era, vec![inflated]), Error::<Test>::BadReceipt);
		// A receipt the client signed for miner 11, reported by miner 12.
		assert_noop!(report(12, era, vec![receipt(2, 11, era, 1_000)]), Error::<Test>::BadReceipt);
		// The capacity trick: raise it, report, lower it. Without a client's signature the
		// report counts nothing; an account that holds no deposit vouches for nothing.
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(12), 64 << 20));
		assert_ok!(report(12, era, vec![receipt(7, 12, era, 1 << 30)]));
		assert_ok!(Miners::set_capacity(RuntimeOrigin::signed(12), 1 << 20));
		assert_eq!(Served::<Test>::get(era, 12), Some(0));
		// The honest miner's client signed for 10 000, then 15 000 bytes: reported twice
		// and again, the receipts count 15 000 in all.
		assert_ok!(report(11, era, vec![receipt(2, 11, era, 10_000)]));
		assert_ok!(report(11, era, vec![receipt(2, 11, era, 10_000), receipt(2, 11, era, 15_000)]));
		assert_ok!(report(11, era, vec![receipt(2, 11, era, 15_000)]));
		assert_eq!(Served::<Test>::get(era, 11), Some(15_000));
		run_to(2 * ERA);
		let (_, pot) = era_rewarded(era);
		assert!(pot > 0);
		assert_eq!(Claimable::<Test>::get(12), 0, "nothing signed, nothing earned (no storage either)");
		assert!(Claimable::<Test>::get(11) >= pot, "the signed bytes take the serving pot");
		check_invariants();
	});
}

/// Attack (issue 15, sybil clients): a miner signs receipts for itself with accounts it
/// controls. Must hold: an account vouches only after holding `ClientDeposit` for a whole
/// era before (registering now counts from the next era), for at most
/// `MaxServedPerClient` bytes an era over all miners, and its deposit stays held an era
/// after it leaves.
#[test]
fn a_client_vouches_for_a_bounded_amount_and_its_deposit_stays_an_era() {
	new_test_ext().execute_with(|| {
		run_to(1);
		register(11, "eu");
		register(12, "us");
		let free = Balances::free_balance(2);
		assert_ok!(Rewards::register_client(RuntimeOrigin::signed(2)));
		assert_eq!(Balances::free_balance(2), free - CLIENT_DEPOSIT);
		assert_noop!(Rewards::register_client(RuntimeOrigin::signed(2)), Error::<Test>::AlreadyClient);
		// Registered this era: its receipts do not count yet.
		assert_ok!(report(11, 0, vec![receipt(2, 11, 0, 1_000)]));
		assert_eq!(Served::<Test>::get(0, 11), Some(0));
		run_to(ERA);
		let era = 1;
		// A fresh sybil registered now counts nothing this era.
		assert_ok!(Rewards::register_client(RuntimeOrigin::signed(3)));
		assert_ok!(report(11, era, vec![receipt(3, 11, era, 5_000)]));
		assert_eq!(Served::<Test>::get(era, 11), Some(0));
		// The client's cap holds over all miners: 3/4 of it for 11, then all of it for 12.
		assert_ok!(report(11, era, vec![receipt(2, 11, era, MAX_PER_CLIENT * 3 / 4)]));
		assert_ok!(report(12, era, vec![receipt(2, 12, era, MAX_PER_CLIENT)]));
		assert_eq!(Served::<Test>::get(era, 11), Some(MAX_PER_CLIENT * 3 / 4));
		assert_eq!(Served::<Test>::get(era, 12), Some(MAX_PER_CLIENT / 4));
		// Leaving: receipts still count to the end of this era; the deposit is held an era
		// more.
		assert_ok!(Rewards::unregister_client(RuntimeOrigin::signed(3)));
		assert_noop!(Rewards::unregister_client(RuntimeOrigin::signed(3)), Error::<Test>::ClientLeaving);
		assert_noop!(Rewards::withdraw_client(RuntimeOrigin::signed(3)), Error::<Test>::ClientStillBonded);
		assert_noop!(Rewards::withdraw_client(RuntimeOrigin::signed(2)), Error::<Test>::ClientStillBonded);
		assert_noop!(Rewards::unregister_client(RuntimeOrigin::signed(4)), Error::<Test>::NotClient);
		run_to(2 * ERA);
		assert_ok!(report(11, 2, vec![receipt(3, 11, 2, 5_000)]));
		assert_eq!(Served::<Test>::get(2, 11), Some(0), "a client that left vouches no more");
		assert_noop!(Rewards::withdraw_client(RuntimeOrigin::signed(3)), Error::<Test>::ClientStillBonded);
		run_to(3 * ERA);
		let free = Balances::free_balance(3);
		assert_ok!(Rewards::withdraw_client(RuntimeOrigin::signed(3)));
		assert_eq!(Balances::free_balance(3), free + CLIENT_DEPOSIT);
		// The records of ended eras are removed in the blocks after.
		run_to(3 * ERA + 5);
		assert_eq!(crate::Counted::<Test>::iter_prefix((1u32,)).count(), 0);
		assert_eq!(crate::Vouched::<Test>::iter_prefix(1).count(), 0);
		check_invariants();
	});
}

/// The derivation index `miner`'s next sector gets.
fn next_index(miner: u64) -> u32 {
	pallet_miners::Miners::<Test>::get(miner).map_or(0, |m| m.next_sector)
}

/// Miner 11 is assigned a replica it never confirms; miner 12 keeps one filler sector and
/// answers its challenges. Only proven bytes earn: the whole storage pot goes to 12.
#[test]
fn unconfirmed_replicas_earn_nothing_and_proven_filler_earns() {
	new_test_ext().execute_with(|| {
		register(11, "eu");
		let bytes = content();
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), ContentId(root_of(&bytes)), bytes.len() as u64, 1, 100));
		run_to(System::block_number() + 1);
		assert_eq!(holders(), vec![11]);
		register(12, "us");
		let seed = filler::sector_seed(&12u64, 0);
		let (sector, root) = filler::generate(&seed, SECTOR_SIZE / 1024);
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), root));
		run_to(System::block_number() + 2);
		seal_sector(12, 0, &(seed, sector.clone(), root));
		while System::block_number() < ERA {
			while let Some(c) = open_challenge(12) {
				let ch = pallet_audit::Challenges::<Test>::get(c).unwrap();
				let links: Vec<_> = ch.indices.iter().map(|j| filler::prove_link(&sector, &seed, *j).unwrap()).collect();
				assert_ok!(Audit::answer_sector(RuntimeOrigin::signed(12), c, links.try_into().unwrap()));
			}
			run_to((System::block_number() + 1).min(ERA));
		}
		let era = pallet_audit::Pallet::<Test>::era_of(ERA - 1);
		assert!(pallet_audit::Scores::<Test>::get(era, 12).passed > 0, "the sector was challenged and proven");
		assert_eq!(Claimable::<Test>::get(11), 0, "an unconfirmed replica earns nothing");
		let (storage_pot, served) = era_rewarded(0);
		assert_eq!(served, 0, "nothing served");
		assert!(storage_pot >= ERA_ISSUANCE * 70 / 100 - 1);
		assert_eq!(Claimable::<Test>::get(12), storage_pot, "proven filler takes the whole storage pot");
		check_invariants();
	});
}

/// Answers every open challenge of `miner` on the sectors given (seed, bytes by root).
fn answer_sectors(miner: u64, sectors: &[([u8; 32], Vec<u8>, ContentId)]) {
	while let Some(c) = open_challenge(miner) {
		let ch = pallet_audit::Challenges::<Test>::get(c).unwrap();
		let (seed, sector, _) = sectors.iter().find(|(_, _, root)| *root == ch.content_id).expect("a sector of ours");
		let links: Vec<_> = ch.indices.iter().map(|j| filler::prove_link(sector, seed, *j).unwrap()).collect();
		assert_ok!(Audit::answer_sector(RuntimeOrigin::signed(miner), c, links.try_into().unwrap()));
	}
}

/// Seals `miner`'s sector in `slot` (committed at least two blocks ago) with real links.
fn seal_sector(miner: u64, slot: u32, (seed, sector, _): &([u8; 32], Vec<u8>, ContentId)) {
	let s = pallet_miners::Sectors::<Test>::get(miner, slot).expect("a committed sector");
	let at = pallet_miners::Unsealed::<Test>::get(miner, s.index).expect("not sealed yet");
	let links: Vec<_> =
		Miners::seal_indices(&miner, s.index, at).iter().map(|j| filler::prove_link(sector, seed, *j).unwrap()).collect();
	assert_ok!(Miners::prove_sector(RuntimeOrigin::signed(miner), slot, links.try_into().unwrap()));
}

fn seal(miner: u64, index: u32) -> ([u8; 32], Vec<u8>, ContentId) {
	let seed = filler::sector_seed(&miner, index);
	let (sector, root) = filler::generate(&seed, SECTOR_SIZE / 1024);
	(seed, sector, root)
}

/// Attack (issue 15, snapshot farming): a miner commits filler in an era's last blocks
/// (and answers every challenge honestly), so that a snapshot at the era's end would count
/// it as much as a miner that held the same bytes all era. Must hold: rewards follow
/// byte·blocks: the late miner earns its 5 blocks' worth (about 5/104 of the pot, where a
/// snapshot paid half), the miner that held its sector all era the rest.
#[test]
fn bytes_committed_at_the_end_of_an_era_earn_only_those_blocks() {
	new_test_ext().execute_with(|| {
		run_to(1);
		register(11, "eu");
		register(12, "us");
		let early = seal(11, 0);
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), early.2));
		let late = seal(12, 0);
		while System::block_number() < ERA {
			if System::block_number() == 3 {
				seal_sector(11, 0, &early);
			}
			if System::block_number() == ERA - 7 {
				assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), late.2));
			}
			if System::block_number() == ERA - 5 {
				seal_sector(12, 0, &late);
			}
			answer_sectors(11, core::slice::from_ref(&early));
			answer_sectors(12, core::slice::from_ref(&late));
			run_to(System::block_number() + 1);
		}
		let (storage_pot, _) = era_rewarded(0);
		let (held_all_era, came_late) = (Claimable::<Test>::get(11), Claimable::<Test>::get(12));
		assert!(came_late * 100 <= storage_pot * 6, "the late sector earned {came_late} of {storage_pot}");
		assert!(held_all_era * 100 >= storage_pot * 94, "the sector held all era earned {held_all_era} of {storage_pot}");
		assert!(came_late > 0, "the blocks it was held still count");
		check_invariants();
	});
}

/// Attack (issue 15, snapshot farming with made-up filler): a miner raises its capacity
/// and commits every sector it may with random roots, which costs nothing to produce, and
/// holds them all era; an honest miner keeps one real sector and seals it. Must hold: a
/// root that is not the miner's filler can never be sealed, so it earns nothing; the
/// honest miner takes the whole storage pot, though it claims far fewer bytes.
#[test]
fn made_up_sectors_never_seal_and_earn_nothing() {
	new_test_ext().execute_with(|| {
		run_to(1);
		register(11, "eu");
		register(12, "us");
		let honest = seal(11, 0);
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), honest.2));
		let room = (1u64 << 20) / SECTOR_SIZE;
		for n in 0..room {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), ContentId([n as u8 + 1; 32])));
		}
		run_to(System::block_number() + 2);
		seal_sector(11, 0, &honest);
		// The farmer tries to seal with links of a real sector of its own (the best it can
		// do without the sector the root names): refused, and nothing changes.
		let real = seal(12, 0);
		let at = pallet_miners::Unsealed::<Test>::get(12, 0).unwrap();
		let links: Vec<_> =
			Miners::seal_indices(&12, 0, at).iter().map(|j| filler::prove_link(&real.1, &real.0, *j).unwrap()).collect();
		assert_noop!(
			Miners::prove_sector(RuntimeOrigin::signed(12), 0, links.try_into().unwrap()),
			pallet_miners::Error::<Test>::SealProofMismatch
		);
		while System::block_number() < ERA {
			answer_sectors(11, core::slice::from_ref(&honest));
			run_to(System::block_number() + 1);
		}
		let (storage_pot, _) = era_rewarded(0);
		assert_eq!(Claimable::<Test>::get(12), 0, "{room} made-up sectors earned");
		assert_eq!(Claimable::<Test>::get(11), storage_pot, "the sealed sector takes the pot");
		check_invariants();
	});
}

/// Attack (issue 15, self-dealing): an owner orders storage of its own (cheap, made-up)
/// content from its own miner, which registered four times the room filler could fill, to
/// take a larger share of the pool; the escrow it pays goes back to itself. Must hold: it
/// earns from the pool no more than a miner that sealed the most filler it may
/// (`MaxSectors` sectors), and pays the order fee on top.
#[test]
fn storage_ordered_from_oneself_earns_no_more_than_filler() {
	new_test_ext().execute_with(|| {
		run_to(1);
		let max_counted = Miners::max_counted();
		<Balances as polkadot_sdk::frame_support::traits::fungible::Mutate<u64>>::set_balance(&11, 1 << 40);
		let b = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
		let endpoints = |r: &str| Endpoints { peer_id: b("peer"), multiaddrs: Default::default(), gateway: b("http://gw"), region: b(r) };
		assert_ok!(Miners::register(RuntimeOrigin::signed(11), 4 * max_counted, endpoints("eu")));
		let own: Vec<u8> = (0..4 * max_counted).map(|i| (i % 7) as u8).collect();
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(11), ContentId(root_of(&own)), own.len() as u64, 1, 100));
		run_to(System::block_number() + 1);
		assert_eq!(holders(), vec![11], "its own miner keeps it");
		let own_replica = seal_and_confirm(11, 0, &own).unwrap().replica;
		// The honest miner fills the most filler it may.
		assert_ok!(Miners::register(RuntimeOrigin::signed(12), max_counted, endpoints("us")));
		let sectors: Vec<_> = (0..(max_counted / SECTOR_SIZE) as u32).map(|i| seal(12, i)).collect();
		for s in &sectors {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), s.2));
		}
		run_to(System::block_number() + 2);
		for (slot, s) in sectors.iter().enumerate() {
			seal_sector(12, slot as u32, s);
		}
		while System::block_number() < ERA {
			answer_sectors(12, &sectors);
			while let Some(c) = open_challenge(11) {
				let ch = pallet_audit::Challenges::<Test>::get(c).unwrap();
				let proofs: Vec<_> = ch.indices.iter().map(|i| prove(&own_replica, *i).unwrap()).collect();
				assert_ok!(Audit::answer(RuntimeOrigin::signed(11), c, proofs.try_into().unwrap()));
			}
			run_to(System::block_number() + 1);
		}
		let (dealer, filler) = (Claimable::<Test>::get(11), Claimable::<Test>::get(12));
		assert!(dealer > 0 && filler > 0);
		assert!(dealer * 100 <= filler * 105, "self-dealing earned {dealer}, the same room of filler {filler}");
		check_invariants();
	});
}

#[test]
fn an_era_without_miners_keeps_the_pool_for_later() {
	new_test_ext().execute_with(|| {
		run_to(ERA + 1);
		assert_eq!(Balances::free_balance(Rewards::pool()), ERA_ISSUANCE);
		register(11, "eu");
		run_to(2 * ERA + 1);
		// Era 1: one miner, nothing committed, nothing served: nothing is paid; the pool
		// keeps both eras' issuance for later eras.
		assert_eq!(Claimable::<Test>::get(11), 0);
		assert_eq!(Balances::free_balance(Rewards::pool()), 2 * ERA_ISSUANCE);
		check_invariants();
	});
}
