//! Proof-of-space figures for filler sectors and sealed replicas, with the first construction (v1: 1 KiB
//! chunks, four uniform parents, one hash each) as the baseline in the same run. Run by
//! `scripts/bench-proofs` (release build):
//!
//! 1. the honest costs: seconds per derivation, seal throughput per core, the time to
//!    seal a whole sector, the size of a link and the time to verify one natively;
//! 2. the cheaters: a miner that keeps 10% of a sector (chosen by the best strategies
//!    written here) and regenerates the rest when challenged. For every node (a 32-byte
//!    label in v3, a chunk in v1), the longest path of missing nodes it depends on is the
//!    number of derivations that must run one after the other, however many cores the
//!    cheater has. The model: a cheater 10× faster per derivation than this machine, with
//!    unlimited cores, answers a challenged node in time if `path × derivation / 10 ≤
//!    deadline`; a challenge names 4, so it passes with `p^4`, `p` the share of nodes it
//!    answers in time. Alongside, the total work for a sample of challenged nodes (what a
//!    cheater with this machine's 2 cores needs: `work × derivation / 2`).
//!
//! 3. sealed replicas (`landmesh_primitives::replica`): seal throughput, the seal proof's
//!    size and native verification time at the main chain's largest content, and what a
//!    miner that keeps nothing must redo to answer a challenge (the whole prefix).
//!
//! Usage: `bench_proofs [labels]` (default: a whole 4 GiB sector, 128 Mi labels).

use landmesh_primitives::filler::{
	self,
	regeneration::{in_time, Dependencies},
	LABEL, LABEL_ROUNDS, PARENTS, SECTOR_SIZE,
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
fn derivation_time<const W: usize>(n: u64, derive: impl Fn(u64, &[u8; W]) -> [u8; W]) -> f64 {
	let mut previous = [7u8; W];
	let start = Instant::now();
	for j in 1..=n {
		previous = derive(j, &previous);
	}
	std::hint::black_box(previous);
	start.elapsed().as_secs_f64() / n as f64
}

fn report(name: &str, graph: &Dependencies, derivation: f64) {
	let n = graph.len();
	println!("\n## {name}: {n} nodes, {:.1} µs per derivation", derivation * 1e6);
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
		// The total work for 4 challenged missing nodes spread over the sector (counted up
		// to the whole sector).
		let mut works: Vec<u64> = (0..4)
			.map(|i| {
				let mut j = (n / 5) * (i + 1);
				while kept[j] {
					j += 1;
				}
				graph.work(&kept, j, &mut seen, (k * 4 + i) as u32, n as u64)
			})
			.collect();
		works.sort_unstable();
		let work_secs = works[2] as f64 * derivation / 2.0;
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

/// Sealed replicas: throughput, the seal proof at full size, and the rebuild a miner
/// without its replica faces. `derivation` is the measured time of one label.
fn replicas(derivation: f64) {
	use landmesh_primitives::{proof, replica, ContentId};
	println!("\n# Sealed replicas (chain = prefix of one sector's labels, at most 1 GiB, then the content's; replica = content XOR the chain's tail)");
	// Throughput: a 4 MiB content on a chain with 4 MiB sectors (8 MiB of labels).
	let content: Vec<u8> = (0..4u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
	let id = ContentId(proof::root_of(&content));
	let seed = replica::replica_seed(&[1u8; 32], 0, &id);
	let start = Instant::now();
	let sealed = replica::Sealed::new(&content, seed, 4 << 20);
	let took = start.elapsed().as_secs_f64();
	let chain_mib = sealed.layout.chain_size() as f64 / f64::from(1u32 << 20);
	println!(
		"seal: {:.2} MiB/s of labels per core ({chain_mib:.0} MiB of chain for a 4 MiB content in {took:.1} s, XOR and roots included)",
		chain_mib / took
	);
	let main = |size: u64| replica::Layout::new(size, SECTOR_SIZE);
	for size in [1u64 << 20, 64 << 20, 4 << 30] {
		let l = main(size);
		println!(
			"  main chain, a {} MiB content: {} MiB of labels, {:.0} min of one core",
			size >> 20,
			l.chain_size() >> 20,
			l.labels() as f64 * derivation / 60.0
		);
	}
	// The seal proof at the largest content (4 GiB) on the main chain: the deepest paths.
	let layout = main(4 << 30);
	let draws: Vec<(u64, u64)> = (0..replica::SEAL_DRAWS).map(|i| layout.draw(blake3::hash(&i.to_le_bytes()).as_bytes())).collect();
	let (content_id, roots, answers, _) = replica::sparse_seal(&seed, &layout, &draws).expect("a sparse seal");
	let bytes: usize = answers.iter().map(codec::Encode::encoded_size).sum();
	let rounds = 20;
	let start = Instant::now();
	for _ in 0..rounds {
		for (d, a) in draws.iter().zip(&answers) {
			// The sparse seal was made with `seed`: it verifies with it.
			replica::verify_draw(&seed, &layout, &content_id, &roots, *d, a).expect("verifies");
		}
	}
	let verify = start.elapsed().as_secs_f64() / f64::from(rounds);
	println!(
		"seal proof of a 4 GiB content ({} draws, each two links and two chunk proofs): {} KiB; verified natively in {:.2} ms",
		replica::SEAL_DRAWS,
		bytes >> 10,
		verify * 1e3
	);
	// A miner that keeps nothing and fetches the content when challenged: it must derive
	// the whole prefix again, one label after the other.
	let prefix_labels = replica::prefix(SECTOR_SIZE) * filler::LABELS_PER_CHUNK;
	let here = prefix_labels as f64 * derivation;
	println!(
		"rebuild on demand (keeps nothing, fetches the content): at least {prefix_labels} sequential derivations: {here:.0} s here, {:.0} s at {FASTER}× per derivation, against {} s to answer ({:.1}× short)",
		here / FASTER,
		DEADLINE.as_secs(),
		here / FASTER / DEADLINE.as_secs_f64()
	);
	println!("repair: the new miner fetches the content once (its size in bytes, from any holder or gateway) and seals its own replica");
}

fn main() {
	let labels: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(SECTOR_SIZE / LABEL as u64);
	let seed = filler::sector_seed(&[1u8; 32], 0);
	let sector_labels = SECTOR_SIZE / LABEL as u64;
	let sector_chunks = SECTOR_SIZE / 1024;

	println!("# Filler sectors: proof of space, v3 (32-byte labels, DRSample parents, {LABEL_ROUNDS} rounds each) against v1 (1 KiB chunks, uniform parents, one hash)");
	let parent = [9u8; LABEL];
	let v3 = derivation_time(4096, |u, prev: &[u8; LABEL]| filler::derive_label(&seed, u, prev, &[parent; PARENTS]));
	let v1_parent = [9u8; 1024];
	let v1 = derivation_time(20_000, |j, prev: &[u8; 1024]| v1_derive(&seed, j, prev, &[&v1_parent[..]; PARENTS]));
	for (name, per, units, unit) in [("v1", v1, sector_chunks, 1024.0), ("v3", v3, sector_labels, LABEL as f64)] {
		println!(
			"{name}: {:.2} µs per derivation ({unit} bytes); seal {:.2} MiB/s per core; a {} GiB sector seals in {:.0} s on one core",
			per * 1e6,
			unit / per / f64::from(1u32 << 20),
			SECTOR_SIZE >> 30,
			per * units as f64
		);
	}

	// A link of the last label of a full-size sector (the deepest proofs), verified natively.
	let u = sector_labels - 1;
	let (root, links) = filler::sparse_links(&seed, SECTOR_SIZE, &[u]).expect("label u ≥ 1");
	let link = &links[0];
	let size = codec::Encode::encoded_size(link);
	let start = Instant::now();
	let rounds = 200;
	for _ in 0..rounds {
		filler::verify_link(&root, SECTOR_SIZE, &seed, u, link).expect("a derived link");
	}
	let verify = start.elapsed().as_secs_f64() / f64::from(rounds);
	println!(
		"a link (the chunks holding the label, its predecessor and {PARENTS} parents, each with its proof): {size} bytes; verified natively in {:.0} µs; a challenge of {INDICES}: {} bytes",
		verify * 1e6,
		size * INDICES as usize
	);

	replicas(v3);

	let started = Instant::now();
	// v1 at the same number of stored bytes: one node per 1 KiB.
	let v1_graph = Dependencies::with_parents((labels / 32).max(2), |j| v1_parents(&seed, j));
	report("v1 (baseline)", &v1_graph, v1);
	drop(v1_graph);
	let v3_graph = Dependencies::of_sector(&seed, labels);
	report("v3", &v3_graph, v3);
	println!("\n(simulation took {:.0} s)", started.elapsed().as_secs_f64());
}
