//! Proof-of-space figures for filler sectors, with the previous construction (v1: four
//! uniform parents, no rounds) as the baseline in the same run. Run by
//! `scripts/bench-proofs` (release build):
//!
//! 1. the honest costs: seconds per chunk derivation, seal throughput per core, the time
//!    to seal a whole sector, the size of a link and the time to verify one natively;
//! 2. the cheaters: a miner that keeps 10% of a sector (chosen by the best strategies
//!    written here) and regenerates the rest when challenged. For every chunk, the
//!    longest path of missing chunks it depends on is the number of derivations that must
//!    run one after the other, however many cores the cheater has. The model: a cheater
//!    10× faster per derivation than this machine, with unlimited cores, answers a
//!    challenged chunk in time if `path × derivation / 10 ≤ deadline`; a challenge names
//!    4 chunks, so it passes with `p^4`, `p` the share of chunks it answers in time.
//!    Alongside, the total work for a sample of challenged chunks (what a cheater with
//!    this machine's 2 cores needs: `work × derivation / 2`).
//!
//! Usage: `bench_proofs [chunks]` (default: a whole 4 GiB sector, 4 Mi chunks).

use landmesh_primitives::filler::{
	self,
	regeneration::{in_time, Dependencies},
	LABEL_ROUNDS, PARENTS, SECTOR_SIZE,
};
use std::time::{Duration, Instant};

/// What the chain gives a miner to answer: 5 blocks of 3 s, and the block in which the
/// challenge's randomness is known.
const DEADLINE: Duration = Duration::from_secs(18);
/// The cheater's speed-up per derivation over this machine.
const FASTER: f64 = 10.0;
/// The share of a sector the cheater keeps.
const KEPT: f64 = 0.10;
/// Chunks per challenge (runtime `ChunksPerChallenge`).
const INDICES: i32 = 4;

/// The v1 parents: four uniform indices below `j`.
fn v1_parents(seed: &[u8; 32], j: u64) -> [u64; PARENTS] {
	let mut hasher = blake3::Hasher::new_keyed(seed);
	hasher.update(b"parents");
	hasher.update(&j.to_le_bytes());
	let mut xof = hasher.finalize_xof();
	let mut out = [0u64; PARENTS];
	for parent in out.iter_mut() {
		let mut word = [0u8; 8];
		xof.fill(&mut word);
		*parent = u64::from_le_bytes(word) % j;
	}
	out
}

/// The v1 derivation: one keyed hash over the inputs, expanded to a chunk.
fn v1_derive(seed: &[u8; 32], j: u64, previous: &[u8], parents: &[&[u8]; PARENTS]) -> [u8; 1024] {
	let mut hasher = blake3::Hasher::new_keyed(seed);
	hasher.update(b"chunk");
	hasher.update(&j.to_le_bytes());
	hasher.update(previous);
	for p in parents {
		hasher.update(p);
	}
	let mut out = [0u8; 1024];
	hasher.finalize_xof().fill(&mut out);
	out
}

/// Seconds per derivation of `derive`, over `n` chained derivations.
fn derivation_time(n: u64, derive: impl Fn(u64, &[u8], &[&[u8]; PARENTS]) -> [u8; 1024]) -> f64 {
	let mut previous = [7u8; 1024];
	let parent = [9u8; 1024];
	let start = Instant::now();
	for j in 1..=n {
		previous = derive(j, &previous, &[&parent[..]; PARENTS]);
	}
	std::hint::black_box(previous);
	start.elapsed().as_secs_f64() / n as f64
}

fn report(name: &str, graph: &Dependencies, derivation: f64) {
	let n = graph.len();
	println!("\n## {name}: {n} chunks, {:.1} µs per derivation", derivation * 1e6);
	println!(
		"{:<28} {:>6} {:>10} {:>10} {:>10} {:>8} {:>12} {:>12}",
		"cheater keeps", "kept", "path p10", "path p24", "path p50", "p fast", "P(pass 4)", "work p50 (s)"
	);
	let fast_path = DEADLINE.as_secs_f64() * FASTER / derivation;
	let mut seen = vec![u32::MAX; n];
	for (k, (strategy, kept)) in graph.cheaters(KEPT).into_iter().enumerate() {
		let depth = graph.paths(&kept);
		let share = kept.iter().filter(|k| **k).count() as f64 / n as f64;
		let mut sorted: Vec<u32> = depth[1..].to_vec();
		sorted.sort_unstable();
		let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
		let fast = in_time(&depth, fast_path);
		// The total work for 16 challenged missing chunks spread over the sector.
		let mut works: Vec<u64> = (0..16)
			.map(|i| {
				let mut j = (n / 17) * (i + 1);
				while kept[j] {
					j += 1;
				}
				graph.work(&kept, j, &mut seen, (k * 16 + i) as u32)
			})
			.collect();
		works.sort_unstable();
		let work_secs = works[8] as f64 * derivation / 2.0;
		println!(
			"{:<28} {:>5.1}% {:>10} {:>10} {:>10} {:>8.3} {:>12.2e} {:>12.1}",
			strategy,
			share * 100.0,
			q(0.10),
			q(0.24),
			q(0.50),
			fast,
			fast.powi(INDICES),
			work_secs
		);
	}
	println!(
		"(in time: a path of at most {:.0} derivations: {} s × {FASTER} / {:.1} µs; P(pass 4) = p fast ^ 4; work: 2 cores of this machine)",
		fast_path,
		DEADLINE.as_secs(),
		derivation * 1e6
	);
}

fn main() {
	let chunks: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(SECTOR_SIZE / 1024);
	let seed = filler::sector_seed(&[1u8; 32], 0);

	println!("# Filler sectors: proof of space (v2: DRSample parents, {LABEL_ROUNDS} rounds) against v1 (uniform parents, no rounds)");
	let v2 = derivation_time(512, |j, prev, ps| filler::derive_chunk(&seed, j, prev, ps));
	let v1 = derivation_time(20_000, |j, prev, ps| v1_derive(&seed, j, prev, ps));
	let sector_chunks = SECTOR_SIZE / 1024;
	for (name, t) in [("v1", v1), ("v2", v2)] {
		println!(
			"{name}: {:.2} µs per chunk derivation; seal {:.2} MiB/s per core; a {} GiB sector seals in {:.0} s on one core",
			t * 1e6,
			1.0 / (t * 1024.0),
			SECTOR_SIZE >> 30,
			t * sector_chunks as f64
		);
	}

	// A link of the last chunk of a full-size sector (the deepest proofs), verified natively.
	let j = sector_chunks - 1;
	let (root, links) = filler::sparse_links(&seed, SECTOR_SIZE, &[j]).expect("chunk j ≥ 1");
	let link = &links[0];
	let size = codec::Encode::encoded_size(link);
	let start = Instant::now();
	let rounds = 50;
	for _ in 0..rounds {
		filler::verify_link(&root, SECTOR_SIZE, &seed, j, link).expect("a derived link");
	}
	let verify = start.elapsed().as_secs_f64() / f64::from(rounds);
	println!(
		"a link (the chunk, its predecessor and {PARENTS} parents, each with its proof): {size} bytes; verified natively in {:.0} µs; a challenge of {INDICES}: {} bytes",
		verify * 1e6,
		size * INDICES as usize
	);

	let started = Instant::now();
	let v1_graph = Dependencies::with_parents(chunks, |j| v1_parents(&seed, j));
	report("v1 (baseline)", &v1_graph, v1);
	drop(v1_graph);
	let v2_graph = Dependencies::of_sector(&seed, chunks);
	report("v2", &v2_graph, v2);
	println!("\n(simulation took {:.0} s)", started.elapsed().as_secs_f64());
}
