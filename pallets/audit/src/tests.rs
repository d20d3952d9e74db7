//! Challenges end to end in the mock runtime: issued from randomness, answered or missed,
//! slashing, repair, scores; and every way an answer can be wrong.

use crate::{mock::*, ChallengeTarget, Challenges, Error, Event, OpenChallenges, Score, Scores};
use landmesh_primitives::{
	filler,
	proof::{prove, root_of},
	ContentId,
};
use pallet_miners::Endpoints;
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec},
	sp_runtime::traits::ConstU32,
};

const OWNER: u64 = 1;

fn content() -> Vec<u8> {
	(0..10_000u32).map(|i| (i * 13 % 253) as u8).collect()
}

fn register(miner: u64, region: &str) {
	let b = |s: &str| s.as_bytes().to_vec().try_into().unwrap();
	let endpoints = Endpoints { peer_id: b("peer"), multiaddrs: Default::default(), gateway: b("http://gw"), region: b(region) };
	assert_ok!(Miners::register(RuntimeOrigin::signed(miner), 1 << 20, endpoints));
}

fn stake(miner: u64) -> u64 {
	pallet_miners::Miners::<Test>::get(miner).map_or(0, |m| m.stake)
}

fn holders() -> Vec<u64> {
	pallet_storage::Orders::<Test>::get(0).map(|o| o.holders.iter().map(|r| r.miner).collect()).unwrap_or_default()
}

/// Runs the hooks of blocks up to `to`.
fn run_to(to: u64) {
	while System::block_number() < to {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Storage::on_initialize(next);
		Audit::on_initialize(next);
	}
}

/// The open challenge of `miner`, if any.
fn open_challenge(miner: u64) -> Option<u64> {
	OpenChallenges::<Test>::iter_prefix(miner).map(|(id, _)| id).next()
}

/// The replica of `content()` that `miner` sealed for `order`.
fn replica_of(miner: u64, order: u64) -> Vec<u8> {
	use landmesh_primitives::replica::{replica_seed, Sealed};
	let id = ContentId(landmesh_primitives::proof::root_of(&content()));
	Sealed::new(&content(), replica_seed(&miner, order, &id), SECTOR_SIZE).replica
}

/// Proofs for a challenge on a replica of `content()`, from `bytes`.
fn answer_from(id: u64, bytes: &[u8]) -> BoundedVec<landmesh_primitives::proof::ChunkProof, ConstU32<CHUNKS>> {
	let c = Challenges::<Test>::get(id).unwrap();
	c.indices.iter().map(|i| prove(bytes, *i).unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

/// Proofs for a challenge, from the challenged miner's sealed replica.
fn answer_for(id: u64) -> BoundedVec<landmesh_primitives::proof::ChunkProof, ConstU32<CHUNKS>> {
	let c = Challenges::<Test>::get(id).unwrap();
	let ChallengeTarget::Replica { order } = c.target else { panic!("a replica challenge") };
	answer_from(id, &replica_of(c.miner, order))
}

/// Lets `challenge` go unanswered, and the retry its first miss opens: a failure.
fn fail(challenge: u64) {
	run_to(Challenges::<Test>::get(challenge).unwrap().deadline + 1);
	let retry = System::events().iter().find_map(|r| match r.event {
		RuntimeEvent::Audit(Event::Missed { challenge: c, retry, .. }) if c == challenge => Some(retry),
		_ => None,
	});
	if let Some(retry) = retry {
		run_to(Challenges::<Test>::get(retry).unwrap().deadline + 1);
	}
}

/// A stake after a first miss.
fn after_a_miss(stake: u64) -> u64 {
	stake - FirstMiss::get() * stake
}

/// A stake after a failure: a first miss, then its retry missed.
fn after_a_failure(stake: u64) -> u64 {
	let missed = after_a_miss(stake);
	missed - Slash::get() * missed
}

/// Three miners; an order with R = 2 of a 10 000-byte content, both replicas confirmed.
fn scenario(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		register(11, "eu");
		register(12, "us");
		register(13, "ap");
		let bytes = content();
		let id = ContentId(landmesh_primitives::proof::root_of(&bytes));
		assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, bytes.len() as u64, 2, 100));
		run_to(System::block_number() + 1);
		for m in holders() {
			assert_ok!(seal_and_confirm(m, 0, &bytes));
		}
		test();
		Audit::do_try_state().expect("audit invariants");
		Storage::do_try_state().expect("storage invariants");
		Miners::do_try_state().expect("miner invariants");
	});
}

/// Runs challenge rounds until both holders have an open challenge (the draws are
/// deterministic in the mock; a handful of rounds suffices).
fn until_both_challenged() -> (u64, u64, u64, u64) {
	let [a, b] = holders()[..] else { panic!("two holders") };
	for _ in 0..20 {
		if let (Some(ca), Some(cb)) = (open_challenge(a), open_challenge(b)) {
			return (a, ca, b, cb);
		}
		run_to(System::block_number() + CHALLENGE_PERIOD);
	}
	panic!("both replicas are challenged within 20 rounds");
}

#[test]
fn one_miner_answers_the_other_is_slashed_and_its_replica_repaired_on_the_third() {
	scenario(|| {
		let (good, good_challenge, bad, bad_challenge) = until_both_challenged();
		let third = [11, 12, 13].into_iter().find(|m| *m != good && *m != bad).unwrap();
		let (good_stake, bad_stake) = (stake(good), stake(bad));
		let challenge = Challenges::<Test>::get(good_challenge).unwrap();
		assert_eq!(challenge.indices.len() as u32, CHUNKS);
		assert!(challenge.indices.iter().all(|i| *i < 10), "indices lie in the content's 10 chunks");

		assert_ok!(Audit::answer(RuntimeOrigin::signed(good), good_challenge, answer_for(good_challenge)));
		let proven = pallet_storage::Orders::<Test>::get(0).unwrap().holders.iter().find(|r| r.miner == good).unwrap().last_proven;
		assert_eq!(proven, Some(System::block_number()), "the proof is recorded on the replica");
		assert!(System::events().iter().any(|r| r.event == RuntimeEvent::Audit(Event::Passed { challenge: good_challenge, miner: good })));
		let first_deadline = Challenges::<Test>::get(bad_challenge).unwrap().deadline;
		let asked = Challenges::<Test>::get(bad_challenge).unwrap().indices;
		run_to(first_deadline + 1);
		// A first miss: 1%, and the same replica is asked again at once.
		assert!(bad_stake > 100, "the stake is large enough for a 1% slash to show");
		assert_eq!(stake(bad), after_a_miss(bad_stake), "a first miss costs 1%");
		assert!(holders().contains(&bad), "a first miss keeps the replica");
		let retry = open_challenge(bad).expect("asked again");
		assert_eq!(Challenges::<Test>::get(retry).unwrap().indices, asked, "for the same chunks: no second draw");
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Audit(Event::Missed {
				challenge: bad_challenge,
				miner: bad,
				target: Challenges::<Test>::get(retry).unwrap().target,
				slashed: (bad_stake - after_a_miss(bad_stake)) as u128,
				retry
			})));
		let deadline = Challenges::<Test>::get(retry).unwrap().deadline;
		run_to(deadline + 1);

		assert_eq!(stake(good), good_stake, "the honest miner keeps its stake");
		assert_eq!(stake(bad), after_a_failure(bad_stake), "missing again loses 10%");
		assert_eq!(holders(), vec![good], "the lost replica is dropped");
		// Its replacement is drawn in the next block.
		run_to(deadline + 2);
		assert_eq!(holders(), vec![good, third], "the lost replica moved to the third miner");
		assert!(System::events().iter().any(|r| matches!(r.event, RuntimeEvent::Audit(Event::Failed { miner, .. }) if miner == bad)));
		let era = Audit::era_of(deadline);
		assert_eq!(Scores::<Test>::get(era, good).passed, Scores::<Test>::get(era, good).total);
		assert_eq!(Scores::<Test>::get(era, bad), Score { passed: 0, total: Scores::<Test>::get(era, bad).total });
		assert!(Scores::<Test>::get(era, bad).total >= 1);
	});
}

/// Griefing (issue 15): a miner's node is unreachable for a few blocks (or a block full of
/// an attacker's transactions delays its answer) just when it is challenged. Must hold: a
/// single miss is not a failure: it costs 1%, the replica stays, and the retry answered in
/// time closes the matter; a miss long after (outside `MISS_WINDOW`) is a first miss again.
#[test]
fn a_single_miss_costs_little_and_an_answered_retry_keeps_the_replica() {
	scenario(|| {
		let (_, _, miner, first) = until_both_challenged();
		let before = stake(miner);
		run_to(Challenges::<Test>::get(first).unwrap().deadline + 1);
		let retry = open_challenge(miner).expect("asked again");
		assert_eq!(stake(miner), after_a_miss(before));
		assert_ok!(Audit::answer(RuntimeOrigin::signed(miner), retry, answer_for(retry)));
		assert!(holders().contains(&miner), "the answered retry keeps the replica");
		// Much later (answering everything meanwhile), another miss is a first miss again.
		let quiet_until = System::block_number() + MISS_WINDOW + 1;
		while System::block_number() < quiet_until {
			while let Some(c) = open_challenge(miner) {
				assert_ok!(Audit::answer(RuntimeOrigin::signed(miner), c, answer_for(c)));
			}
			run_to(System::block_number() + 1);
		}
		while open_challenge(miner).is_none() {
			run_to(System::block_number() + 1);
		}
		let next = open_challenge(miner).unwrap();
		let before = stake(miner);
		run_to(Challenges::<Test>::get(next).unwrap().deadline + 1);
		assert_eq!(stake(miner), after_a_miss(before), "outside the window a miss is a first miss");
		assert!(holders().contains(&miner));
	});
}

#[test]
fn wrong_answers_are_refused_and_change_nothing() {
	scenario(|| {
		let (miner, id, other, _) = until_both_challenged();
		let good = answer_for(id);
		let c = Challenges::<Test>::get(id).unwrap();
		// A proof for another index than the one asked.
		let mut wrong_index = good.clone();
		let other_index = (c.indices[0] + 1) % 10;
		wrong_index[0] = prove(&replica_of(miner, 0), other_index).unwrap();
		let expected = if other_index == 9 || c.indices[0] == 9 { Error::<Test>::ProofWrongLength } else { Error::<Test>::ProofMismatch };
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, wrong_index), expected);
		// A truncated chunk; a missing sibling; bytes of other content.
		let mut truncated = good.clone();
		truncated[1].chunk.pop();
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, truncated), Error::<Test>::ProofWrongLength);
		let mut shallow = good.clone();
		shallow[2].siblings.pop();
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, shallow), Error::<Test>::ProofWrongDepth);
		let mut flipped = good.clone();
		flipped[0].chunk[0] ^= 1;
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, flipped), Error::<Test>::ProofMismatch);
		// Too few proofs; someone else's challenge; an unknown one.
		let short: BoundedVec<_, ConstU32<CHUNKS>> = good.iter().take(2).cloned().collect::<Vec<_>>().try_into().unwrap();
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, short), Error::<Test>::WrongProofCount);
		assert_noop!(Audit::answer(RuntimeOrigin::signed(other), id, good.clone()), Error::<Test>::NotChallenged);
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), 999, good.clone()), Error::<Test>::UnknownChallenge);
		// The right answer still works, once.
		assert_ok!(Audit::answer(RuntimeOrigin::signed(miner), id, good.clone()));
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, good), Error::<Test>::UnknownChallenge);
	});
}

/// Attack (outsourcing): a miner that kept nothing answers its challenge with what is
/// public or what another holder keeps: the content as any gateway serves it, or the other
/// miner's sealed replica (two accounts on one disk). Must hold: a challenge asks for the
/// challenged miner's own sealed replica, so both are refused, and unanswered the
/// challenge fails and is slashed; the miner's own replica passes.
#[test]
fn a_challenge_is_not_answered_from_the_content_or_another_holders_replica() {
	scenario(|| {
		let (miner, id, other, _) = until_both_challenged();
		let plain = answer_from(id, &content());
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, plain), Error::<Test>::ProofMismatch);
		let borrowed = answer_from(id, &replica_of(other, 0));
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, borrowed), Error::<Test>::ProofMismatch);
		// The other holder answers from its own replica.
		let theirs = open_challenge(other).unwrap();
		assert_ok!(Audit::answer(RuntimeOrigin::signed(other), theirs, answer_for(theirs)));
		let before = stake(miner);
		fail(id);
		assert!(stake(miner) < before, "the outsourcing miner is slashed");
		assert!(!holders().contains(&miner), "and loses the replica");
	});
}

#[test]
fn answers_after_the_deadline_are_refused() {
	scenario(|| {
		let (miner, id, _, _) = until_both_challenged();
		let deadline = Challenges::<Test>::get(id).unwrap().deadline;
		// At the deadline the answer is still accepted; one block later it is too late
		// (checked before the hook of the next block has failed the challenge).
		System::set_block_number(deadline + 1);
		assert_noop!(Audit::answer(RuntimeOrigin::signed(miner), id, answer_for(id)), Error::<Test>::TooLate);
	});
}

#[test]
fn no_challenges_without_confirmed_replicas() {
	new_test_ext().execute_with(|| {
		run_to(5 * CHALLENGE_PERIOD);
		assert_eq!(Challenges::<Test>::iter().count(), 0);
		Audit::do_try_state().unwrap();
	});
}

/// The derivation index `miner`'s next sector gets.
fn next_index(miner: u64) -> u32 {
	pallet_miners::Miners::<Test>::get(miner).map_or(0, |m| m.next_sector)
}

/// Miners 11 and 12 each commit one 16-chunk filler sector: 11 the real one, 12 bytes of
/// its own choosing under their own root. No orders, so every challenge is a sector's.
fn sectors(test: impl FnOnce(Vec<u8>, Vec<u8>)) {
	new_test_ext().execute_with(|| {
		register(11, "eu");
		register(12, "us");
		let chunks = SECTOR_SIZE / 1024;
		let (honest, root) = filler::generate(&filler::sector_seed(&11u64, 0), chunks);
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), root));
		let forged = content().into_iter().cycle().take(SECTOR_SIZE as usize).collect::<Vec<_>>();
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), ContentId(root_of(&forged))));
		test(honest, forged);
		Audit::do_try_state().expect("audit invariants");
		Storage::do_try_state().expect("storage invariants");
		Miners::do_try_state().expect("miner invariants");
	});
}

/// Links for a sector challenge, from the sector's bytes.
fn links_for(id: u64, sector: &[u8], miner: u64) -> BoundedVec<filler::SectorLink, ConstU32<CHUNKS>> {
	let c = Challenges::<Test>::get(id).unwrap();
	let seed = filler::sector_seed(&miner, 0);
	c.indices.iter().map(|j| filler::prove_link(sector, &seed, *j).unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

#[test]
fn sector_challenges_pass_with_derived_chunks_and_fail_without() {
	sectors(|honest, forged| {
		let mut rounds = 0;
		while open_challenge(11).is_none() || open_challenge(12).is_none() {
			assert!(rounds < 20, "both sectors are challenged within 20 rounds");
			run_to(System::block_number() + CHALLENGE_PERIOD);
			rounds += 1;
		}
		let (good, bad) = (open_challenge(11).unwrap(), open_challenge(12).unwrap());
		let c = Challenges::<Test>::get(good).unwrap();
		assert_eq!(c.target, ChallengeTarget::Sector { slot: 0, index: 0 });
		assert_eq!(c.size, SECTOR_SIZE);
		let labels = SECTOR_SIZE / 32;
		assert!(c.indices.iter().all(|u| (1..labels).contains(u)), "sector challenges name labels 1..{labels}: {:?}", c.indices);

		// The chunk proofs of a sector answer do not fit the replica call, and back.
		let proofs: BoundedVec<_, ConstU32<CHUNKS>> =
			c.indices.iter().map(|u| prove(&honest, filler::chunk_of(*u)).unwrap()).collect::<Vec<_>>().try_into().unwrap();
		assert_noop!(Audit::answer(RuntimeOrigin::signed(11), good, proofs), Error::<Test>::SectorChallenge);
		// Links built with another miner's seed name other parents: their proofs fail.
		assert_noop!(
			Audit::answer_sector(RuntimeOrigin::signed(11), good, links_for(good, &honest, 12)),
			Error::<Test>::ProofMismatch
		);
		assert_ok!(Audit::answer_sector(RuntimeOrigin::signed(11), good, links_for(good, &honest, 11)));

		// Miner 12's bytes are in its committed root, but not derived: refused, nothing changes.
		assert_noop!(
			Audit::answer_sector(RuntimeOrigin::signed(12), bad, links_for(bad, &forged, 12)),
			Error::<Test>::LinkBroken
		);
		let stake_before = stake(12);
		fail(bad);
		assert_eq!(stake(12), after_a_failure(stake_before), "the miner whose sector is fake loses 11%");
		assert_eq!(pallet_miners::Miners::<Test>::get(12).unwrap().sectors, 0, "its sector is dropped");
		assert_eq!(pallet_miners::Miners::<Test>::get(11).unwrap().sectors, 1, "the honest sector stays");
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Miners(pallet_miners::Event::SectorDropped { miner: 12, sector: 0 })));
	});
}

#[test]
fn replica_answers_do_not_fit_sector_challenges() {
	scenario(|| {
		let (miner, id, _, _) = until_both_challenged();
		let sector = filler::generate(&filler::sector_seed(&miner, 0), SECTOR_SIZE / 1024).0;
		let links = Challenges::<Test>::get(id)
			.unwrap()
			.indices
			.iter()
			.map(|_| filler::prove_link(&sector, &filler::sector_seed(&miner, 0), 1).unwrap())
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		assert_noop!(Audit::answer_sector(RuntimeOrigin::signed(miner), id, links), Error::<Test>::ReplicaChallenge);
	});
}

/// Griefing (issue 15): the order ends while a holder's challenge on it is open. Must
/// hold: the chain removed the target, so the miner is not slashed and the challenge does
/// not count against it. And the owner cannot end it early to void a colluding miner's
/// challenge: `cancel` waits until its holders' challenges close.
#[test]
fn a_challenge_whose_target_the_chain_removed_is_voided_not_slashed() {
	scenario(|| {
		let (a, ca, b, cb) = until_both_challenged();
		let (stake_a, stake_b) = (stake(a), stake(b));
		let era = Audit::era_of(Challenges::<Test>::get(ca).unwrap().deadline);
		let total_a = Scores::<Test>::get(era, a).total;
		assert_noop!(Storage::cancel(RuntimeOrigin::signed(OWNER), 0), pallet_storage::Error::<Test>::HolderChallenged);
		// The order runs out (its end brought forward: what a short order does).
		let now = System::block_number();
		pallet_storage::Orders::<Test>::mutate(0, |o| o.as_mut().unwrap().end = now + 1);
		run_to(now + 1);
		assert_ok!(Storage::settle(RuntimeOrigin::signed(OWNER), 0));
		assert!(pallet_storage::Orders::<Test>::get(0).is_none(), "ended");
		run_to(Challenges::<Test>::get(ca).unwrap().deadline.max(Challenges::<Test>::get(cb).unwrap().deadline) + 1);
		assert_eq!((stake(a), stake(b)), (stake_a, stake_b), "nothing is slashed for an ended order");
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Audit(Event::Voided { challenge: ca, miner: a, target: ChallengeTarget::Replica { order: 0 } })));
		assert_eq!(Scores::<Test>::get(era, a).total, total_a - 1, "a voided challenge is not counted");
	});
}

/// Attack: a miner that lost a challenged sector drops it, or leaves, to dodge the slash.
/// Must hold: both are refused while a challenge is open; the miss is slashed.
#[test]
fn a_challenged_miner_cannot_drop_its_target_to_dodge_the_slash() {
	sectors(|_, _| {
		while open_challenge(12).is_none() {
			run_to(System::block_number() + CHALLENGE_PERIOD);
		}
		assert_noop!(Miners::drop_sectors(RuntimeOrigin::signed(12), 1), pallet_miners::Error::<Test>::ChallengeOpen);
		let before = stake(12);
		let challenge = open_challenge(12).unwrap();
		fail(challenge);
		assert_eq!(stake(12), after_a_failure(before), "the miss is slashed");
	});
}

/// Correct answers are free and operational (block stuffing cannot crowd them out nor
/// make audits cost the honest); a wrong answer pays.
#[test]
fn correct_answers_are_free_and_operational() {
	use polkadot_sdk::frame_support::dispatch::{DispatchClass, GetDispatchInfo, Pays};
	scenario(|| {
		let (a, ca, b, cb) = until_both_challenged();
		let call = crate::Call::<Test>::answer { challenge: ca, proofs: answer_for(ca) };
		assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational);
		let post = Audit::answer(RuntimeOrigin::signed(a), ca, answer_for(ca)).unwrap();
		assert_eq!(post.pays_fee, Pays::No);
		let mut short = answer_for(cb).into_inner();
		short.pop();
		let wrong = Audit::answer(RuntimeOrigin::signed(b), cb, short.try_into().unwrap()).unwrap_err();
		assert_eq!(wrong.error, Error::<Test>::WrongProofCount.into());
		assert_eq!(wrong.post_info.pays_fee, Pays::Yes, "a wrong answer pays its fee");
	});
}

/// Growth (issue 15): scores are kept per era and miner. Must hold: an era's scores are
/// dropped two eras later, once the rewards have read them.
#[test]
fn scores_of_old_eras_are_pruned() {
	scenario(|| {
		let (a, ca, _, _) = until_both_challenged();
		assert_ok!(Audit::answer(RuntimeOrigin::signed(a), ca, answer_for(ca)));
		let era = Audit::era_of(System::block_number());
		assert!(Scores::<Test>::get(era, a).total > 0);
		run_to((era as u64 + 2) * ERA - 1);
		assert!(Scores::<Test>::get(era, a).total > 0, "kept while the rewards may read it");
		run_to((era as u64 + 2) * ERA);
		assert_eq!(Scores::<Test>::get(era, a), Score::default(), "pruned two eras on");
	});
}

/// Attack: a challenged miner that lost its replica exits, and has it evacuated before the
/// deadline, so that the target is gone when the challenge expires. Must hold: leaving is
/// the miner's own doing: the miss is slashed all the same.
#[test]
fn an_exiting_miner_cannot_dodge_a_slash_by_evacuation() {
	scenario(|| {
		let (a, ca, _, _) = until_both_challenged();
		let before = stake(a);
		assert_ok!(Miners::exit(RuntimeOrigin::signed(a)));
		assert_ok!(Storage::evacuate(RuntimeOrigin::signed(5), 0, a));
		assert!(!holders().contains(&a), "evacuated");
		fail(ca);
		assert_eq!(stake(a), after_a_failure(before), "slashed for the miss");
	});
}

/// How often each miner, and each target, is drawn in `draws` rounds' worth of picks.
fn draw_counts(draws: u32) -> (std::collections::BTreeMap<u64, u32>, std::collections::BTreeMap<(u64, Vec<u8>), u32>) {
	use codec::Encode;
	let (mut miners, mut targets) = (std::collections::BTreeMap::new(), std::collections::BTreeMap::new());
	for i in 0..draws {
		let draw = polkadot_sdk::sp_io::hashing::blake2_256(&(b"draw", i).encode());
		let Some((miner, target, ..)) = crate::Pallet::<Test>::pick(&draw) else { continue };
		*miners.entry(miner).or_insert(0) += 1;
		*targets.entry((miner, target.encode())).or_insert(0) += 1;
	}
	(miners, targets)
}

/// Attack: a miner fakes many sectors and keeps one real, betting that each is challenged
/// rarely because challenges pick a miner first (faking 1024 sectors then costs the CPU of
/// faking one). Must hold: challenges are drawn per byte stored, so each of its 63 sectors
/// is challenged as often as the single sector of another miner.
#[test]
fn a_sector_farm_is_challenged_per_sector_not_per_miner() {
	new_test_ext().execute_with(|| {
		register(11, "eu");
		register(12, "us");
		for k in 0..63u32 {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), ContentId([k as u8 + 1; 32])));
		}
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(12), next_index(12), ContentId([99; 32])));
		// 6 400 draws over 64 sectors of one size: ~100 each.
		let (miners, targets) = draw_counts(6_400);
		assert_eq!(miners.values().sum::<u32>(), 6_400, "every draw finds a target");
		let lone = miners.get(&12).copied().unwrap_or(0);
		assert!((60..=140).contains(&lone), "the lone sector is drawn ~100 times, not ~3 200: {lone}");
		let farm = miners.get(&11).copied().unwrap_or(0);
		assert!(farm > 6_000, "the farm is drawn for each of its 63 sectors: {farm}");
		assert_eq!(targets.len(), 64, "every sector is drawn");
		assert!(targets.values().all(|n| *n >= 50), "no sector escapes: {targets:?}");
	});
}

/// Places an order for `bytes` with one replica and has its miner confirm it (in a block
/// of the storage pallet alone: no challenge rounds meanwhile).
fn stored_order(bytes: &[u8], periods: u32) -> u64 {
	let order = pallet_storage::NextOrderId::<Test>::get();
	let id = ContentId(root_of(bytes));
	assert_ok!(Storage::place_order(RuntimeOrigin::signed(OWNER), id, bytes.len() as u64, 1, periods));
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Storage::on_initialize(next);
	let miner = pallet_storage::Orders::<Test>::get(order).unwrap().holders[0].miner;
	assert_ok!(seal_and_confirm(miner, order, bytes));
	order
}

/// Attack: an owner opens and cancels hundreds of orders so that challenges, drawn by order
/// id, mostly land on closed ids and its own replica is rarely asked; and a big replica is
/// challenged no more than a tiny one. Must hold: every draw lands on a live replica, in
/// proportion to its bytes.
#[test]
fn replica_challenges_follow_bytes_and_closed_orders_do_not_dilute_them() {
	use codec::Encode;
	new_test_ext().execute_with(|| {
		register(11, "eu");
		let small = vec![7u8; 1024];
		let big: Vec<u8> = (0..32 * 1024u32).map(|i| (i % 251) as u8).collect();
		let small_order = stored_order(&small, 50);
		for k in 0..200u32 {
			let order = stored_order(&k.to_le_bytes().repeat(64), 10);
			assert_ok!(Storage::cancel(RuntimeOrigin::signed(OWNER), order));
		}
		let big_order = stored_order(&big, 50);
		// 3 300 draws over 33 KiB: ~100 on the 1 KiB replica, ~3 200 on the 32 KiB one.
		let (_, targets) = draw_counts(3_300);
		assert_eq!(targets.values().sum::<u32>(), 3_300, "every draw finds a live replica: {targets:?}");
		let on = |order| targets.get(&(11, ChallengeTarget::Replica { order }.encode())).copied().unwrap_or(0);
		assert!((60..=140).contains(&on(small_order)), "the 1 KiB replica: {}", on(small_order));
		assert_eq!(on(small_order) + on(big_order), 3_300, "only the two live replicas are drawn");
		// A 16 KiB sector next to 33 KiB of replicas takes its share of the bytes.
		assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), ContentId([5; 32])));
		let (_, targets) = draw_counts(4_000);
		let sector = targets.get(&(11, ChallengeTarget::Sector { slot: 0, index: 0 }.encode())).copied().unwrap_or(0);
		assert!((1_150..=1_500).contains(&sector), "16 of 49 KiB: ~1 300 of 4 000 draws, got {sector}");
		let small = targets.get(&(11, ChallengeTarget::Replica { order: small_order }.encode())).copied().unwrap_or(0);
		assert!((55..=110).contains(&small), "and per byte among replicas still: {small} of ~2 700 (1 KiB of 33)");
		// Attack: a miner seals filler until replica challenges are rare. Must hold:
		// replicas keep half the draws however much filler there is (here 58 sectors more,
		// 944 KiB of filler against 33 KiB of replicas).
		for k in 0..58u8 {
			assert_ok!(Miners::commit_sector(RuntimeOrigin::signed(11), next_index(11), ContentId([k + 10; 32])));
		}
		let (_, targets) = draw_counts(4_000);
		let on_replicas: u32 = targets.iter().filter(|((_, t), _)| t[0] == 0).map(|(_, n)| *n).sum();
		assert!((1_800..=2_200).contains(&on_replicas), "half the draws stay on replicas: {on_replicas} of 4 000");
		Storage::do_try_state().expect("storage invariants");
		Miners::do_try_state().expect("miner invariants");
	});
}

/// Attack (on the miners): an order ends and nobody settles it, so its replicas stay
/// listed while no one pays for them, and its miners are challenged and slashed round
/// after round for bytes they may rightly drop. Must hold: an ended order takes no draws.
#[test]
fn an_ended_unsettled_order_is_not_challenged() {
	scenario(|| {
		let end = pallet_storage::Orders::<Test>::get(0).unwrap().end;
		let stakes: Vec<u64> = holders().iter().map(|m| stake(*m)).collect();
		System::set_block_number(end - 1);
		System::reset_events();
		run_to(end + 4 * CHALLENGE_PERIOD);
		assert!(pallet_storage::Orders::<Test>::contains_key(0), "not settled");
		assert!(
			!System::events().iter().any(|r| matches!(r.event, RuntimeEvent::Audit(Event::Challenged { .. }))),
			"no challenge after the end"
		);
		assert_eq!(holders().iter().map(|m| stake(*m)).collect::<Vec<_>>(), stakes, "nobody slashed");
	});
}
