//! What a miner that kept only part of a sector must redo to answer a challenge: the
//! cheater's side of the proof of space, for the tests and `scripts/bench-proofs`.
//!
//! The graph's nodes are the sector's labels. Regenerating a dropped label needs its
//! predecessor and parents, which may be dropped too, and so on back to kept labels. Two
//! figures bound the cheater:
//! - the **path**: the longest chain of dropped labels the label depends on, i.e. the
//!   derivations that must run one after the other however many cores are used;
//! - the **work**: how many dropped labels it depends on in all, i.e. the derivations a
//!   cheater with few cores must run.
//!
//! The strategies in [`Dependencies::cheaters`] are the best this project found for
//! choosing which 10% to keep; better ones may exist (the construction has no proof of
//! depth robustness), which is why the figures carry a 10× margin.

use super::{parents, PARENTS};
use alloc::{format, string::String, vec, vec::Vec};

/// The dependency graph of a sector: for each chunk, its predecessor and its parents.
pub struct Dependencies {
	inputs: Vec<[u32; PARENTS + 1]>,
}

impl Dependencies {
	/// The graph of a sector of `chunks` chunks with this seed.
	pub fn of_sector(seed: &[u8; 32], chunks: u64) -> Self {
		Self::with_parents(chunks, |j| parents(seed, j))
	}

	/// The graph of `chunks` chunks whose parents `parents` gives (another construction,
	/// for comparison).
	pub fn with_parents(chunks: u64, parents: impl Fn(u64) -> [u64; PARENTS]) -> Self {
		let inputs = (0..chunks)
			.map(|j| {
				let mut all = [0u32; PARENTS + 1];
				if j > 0 {
					all[0] = (j - 1) as u32;
					for (slot, p) in all[1..].iter_mut().zip(parents(j)) {
						*slot = p as u32;
					}
				}
				all
			})
			.collect();
		Dependencies { inputs }
	}

	/// How many chunks the sector has.
	pub fn len(&self) -> usize {
		self.inputs.len()
	}

	/// Whether the sector has no chunks.
	pub fn is_empty(&self) -> bool {
		self.inputs.is_empty()
	}

	/// For each chunk, the longest path of dropped chunks ending at it (0 if `kept`).
	pub fn paths(&self, kept: &[bool]) -> Vec<u32> {
		let mut path = vec![0u32; self.len()];
		for j in 0..self.len() {
			if kept[j] {
				continue;
			}
			let below = if j == 0 { 0 } else { self.inputs[j].iter().map(|p| path[*p as usize]).max().unwrap_or(0) };
			path[j] = below + 1;
		}
		path
	}

	/// How many dropped nodes regenerating node `j` needs, itself included, counted up to
	/// `limit`. `seen` is scratch space of `len()` entries, reused across calls with
	/// distinct `mark`s.
	pub fn work(&self, kept: &[bool], j: usize, seen: &mut [u32], mark: u32, limit: u64) -> u64 {
		let mut stack = vec![j];
		let mut count = 0u64;
		while let Some(v) = stack.pop() {
			if count >= limit {
				break;
			}
			if kept[v] || seen[v] == mark {
				continue;
			}
			seen[v] = mark;
			count += 1;
			if v > 0 {
				stack.extend(self.inputs[v].iter().map(|p| *p as usize));
			}
		}
		count
	}

	/// The ways of keeping `share` of the chunks tried against the construction, each
	/// named: evenly spaced checkpoints, a prefix, runs, the most depended-on chunks,
	/// cuts through the layers of equal depth (once, and iterated), and a random choice.
	pub fn cheaters(&self, share: f64) -> Vec<(String, Vec<bool>)> {
		let n = self.len();
		let budget = (n as f64 * share) as usize;
		let every = (1.0 / share).round().max(1.0) as usize;
		let mut out = Vec::new();
		out.push((format!("every {every}th chunk"), (0..n).map(|j| j % every == 0).collect()));
		out.push((format!("the first {:.0}%", share * 100.0), (0..n).map(|j| j < budget).collect()));
		for run in [16usize, 256, 4096] {
			// Whole runs up to the budget (a sector need not be a whole number of periods).
			let period = run * every;
			let kept = (0..n).map(|j| j % period < run && (j / period + 1) * run <= budget.max(run)).collect();
			out.push((format!("runs of {run} every {period}"), kept));
		}
		let mut children = vec![0u32; n];
		for inputs in self.inputs.iter().skip(1) {
			for p in inputs {
				children[*p as usize] += 1;
			}
		}
		let mut by_children: Vec<usize> = (0..n).collect();
		by_children.sort_unstable_by_key(|j| core::cmp::Reverse(children[*j]));
		let mut hubs = vec![false; n];
		by_children.iter().take(budget).for_each(|j| hubs[*j] = true);
		out.push((format!("the most depended-on {:.0}%", share * 100.0), hubs));
		// With nothing kept, keeping every chunk at a depth ≡ 0 mod q cuts each path that
		// climbs through q consecutive depths: the smallest q within the budget.
		let depths = self.paths(&vec![false; n]);
		if let Some((q, kept)) = (2..u32::MAX)
			.map(|q| (q, depths.iter().map(|d| d % q == 0).collect::<Vec<bool>>()))
			.find(|(_, kept)| kept.iter().filter(|k| **k).count() <= budget)
		{
			out.push((format!("depth layers (every {q}th)"), kept));
		}
		// The same, five rounds of a fifth of the budget, each cutting what the last left.
		let mut kept = vec![false; n];
		for _ in 0..5 {
			let paths = self.paths(&kept);
			let round = budget / 5;
			let cut = |q: u32| paths.iter().filter(|d| **d > 0 && *d % q == 0).count();
			let Some(q) = (1..u32::MAX).find(|q| cut(*q) <= round) else { break };
			for (slot, d) in kept.iter_mut().zip(&paths) {
				if *d > 0 && d % q == 0 {
					*slot = true;
				}
			}
		}
		out.push(("layer cuts, 5 rounds".into(), kept));
		let mut x = 0x9e37_79b9_7f4a_7c15u64;
		let random = (0..n)
			.map(|_| {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				(x % 10_000) < (share * 10_000.0) as u64
			})
			.collect();
		out.push((format!("a random {:.0}%", share * 100.0), random));
		out
	}
}

/// The share of chunks `1..` whose path is at most `max_path`: those a cheater answers in
/// time.
pub fn in_time(paths: &[u32], max_path: f64) -> f64 {
	let fast = paths.iter().skip(1).filter(|p| f64::from(**p) <= max_path).count();
	fast as f64 / paths.len().saturating_sub(1).max(1) as f64
}
