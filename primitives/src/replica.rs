//! Sealed replicas: each miner's copy of a content is its own bytes, slow to rebuild.
//!
//! A replica that is the content itself proves nothing: the content is public (every
//! gateway caches it), so a miner with an empty disk answers a challenge by fetching the
//! challenged chunk, and one disk answers for any number of miner accounts. So each
//! replica is *sealed* for its miner and order, in the spirit of Filecoin's SDR:
//!
//! - A *chain* of labels is derived exactly as a filler sector's ([`filler`]: 32-byte
//!   labels, each 256 sequential rounds over its predecessor and four DRSample parents),
//!   with the seed [`replica_seed`]`(miner, order, content)`: [`prefix`] chunks (the
//!   chain's sector size, at most [`MAX_PREFIX`]) and then one chunk per chunk of content.
//! - The *replica* is the content XOR the chain's last chunks (the *mask*): chunk `c` of
//!   the replica is chunk `c` of the content XOR chunk `prefix + c` of the chain.
//! - The miner commits the chain's root (`labels`) and the replica's root (`replica`);
//!   the chain checks [`SEAL_DRAWS`] draws made from a block after the commit
//!   ([`verify_draw`]): a label anywhere in the chain derived from its links, and a label
//!   of the mask derived from its links *and* XORed with the content into the replica.
//!   From then on challenges ask for chunks of the replica, proven against its root, as
//!   for any content; the chain's labels can be deleted.
//!
//! ## Threat model, with the numbers (`scripts/bench-proofs`)
//!
//! - *Outsourcing (a miner with an empty store forwards the challenge):* every other
//!   holder's replica has another seed, and the plain content is not the replica: no
//!   one else holds the chunks that verify. Tested with real nodes (`node/tests/sealing.rs`).
//! - *Rebuilding on demand (fetch the whole content when challenged, seal again):* every
//!   mask label comes after the whole prefix, which it depends on; rebuilding one means
//!   deriving the prefix again, one label after the other: for the main chain's 1 GiB
//!   prefix, 32 Mi derivations, 14 min at this machine's 25 µs a derivation, 84 s with
//!   hardware 10× faster per derivation (however many cores), against 18 s to answer:
//!   4.7× short, for a content of any size. The development chains' 1 MiB sectors make a
//!   1 MiB prefix (a second to rebuild): they are not secure, like their filler.
//! - *One disk for R accounts:* each account's seed gives other labels, so the replicas
//!   share no chunk; each account needs its own replica, or the rebuild above.
//! - *Keeping part of it:* a miner that keeps the prefix labels the mask's parents reach
//!   (about twice the content for contents much smaller than the prefix, a third for a
//!   content as large as it) can rebuild early mask chunks, but keeps more than the
//!   replica; one that keeps a share of the replica faces the filler's bound for the rest
//!   (the mask is a chain of the same graph).
//! - *Sealing only part of it (the bound):* the seal proof is the only check that the
//!   replica is the content XOR derived labels; challenges afterwards check chunks against
//!   the committed replica root. The strongest partial sealer leaves a share `g` of the
//!   chunks plain (answerable later from the public content) and keeps its chain
//!   consistent around them (zero labels over those chunks, later labels derived from
//!   them), so a draw fails exactly when it lands on a faked label and the seal passes
//!   with probability at most `(1 - g)^16`: 1% for a quarter, 19% for a tenth
//!   (`a_partly_sealed_replica_passes_only_when_every_draw_misses_its_plain_chunks`).
//!   Checking links again at challenge time would not tighten this: a commitment checked
//!   only at the seal is faked consistently the same way, and the links' parents lie in
//!   the prefix, which an honest miner deletes. So it is bounded by what it pays, as
//!   Filecoin bounds its PoRep's space gap: the commit is once per assignment and the
//!   draws are unknown until it lands, so a failed seal loses the assignment (its pay)
//!   and the sealing work; a pass saves `g` of one replica's disk. The expected saving
//!   per attempt is at most `max g·(1-g)^16` = 2.2% of the replica's disk (at
//!   `g = 1/17`), against a 62% chance of losing the assignment: for every `g` the bet
//!   loses as soon as a replica's pay exceeds a sixteenth of its disk's cost. And
//!   outsourcing still fails on the sealed rest: a challenge of 4 chunks lands only on
//!   plain chunks with probability `g^4` (1e-4 for a tenth).
//! - *Grinding the draw:* the draws come from the hash of the block after the commit; its
//!   author could re-seal that block to pick draws, as for filler seals. Validators are
//!   admitted by root, and a confirm must land within `ConfirmDeadline` of the assignment,
//!   while the chain still knows that hash (the draws are never known in advance).
//! - *Honest cost:* sealing derives `prefix + content` labels: 14 min of one core for a
//!   small model on the main chain, plus 0.83 s per MiB of content; the chain (prefix +
//!   content) is on disk until the seal proof lands.

use crate::{
	filler::{self, LinkError, SectorLink},
	proof::{self, ChunkProof, ProofError, CHUNK_SIZE},
	ContentId,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

const CONTEXT: &str = "landmesh replica v1";

/// Draws the seal proof of a replica answers.
pub const SEAL_DRAWS: u32 = 16;

/// The longest prefix: 1 GiB of labels (32 Mi derivations, see the threat model).
pub const MAX_PREFIX: u64 = 1 << 30;

/// The secret-free seed of the replica of `content` that `miner` keeps for `order`.
pub fn replica_seed<AccountId: Encode>(miner: &AccountId, order: u64, content: &ContentId) -> [u8; 32] {
	let mut hasher = blake3::Hasher::new_derive_key(CONTEXT);
	hasher.update(&miner.encode());
	hasher.update(&order.to_le_bytes());
	hasher.update(&content.0);
	*hasher.finalize().as_bytes()
}

/// Chunks of the chain before the mask, for a chain whose filler sectors are
/// `sector_size` bytes: one sector, at most [`MAX_PREFIX`], at least one chunk.
pub fn prefix(sector_size: u64) -> u64 {
	(sector_size.min(MAX_PREFIX) / CHUNK_SIZE).max(1)
}

/// Where a replica of a `size`-byte content lies in its chain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Layout {
	/// The content's size (and the replica's).
	pub size: u64,
	/// Chunks before the mask.
	pub prefix: u64,
	/// Chunks of content (and of mask).
	pub chunks: u64,
}

impl Layout {
	/// The layout of a `size`-byte content's replica on a chain with `sector_size` sectors.
	pub fn new(size: u64, sector_size: u64) -> Self {
		Layout { size, prefix: prefix(sector_size), chunks: proof::chunk_count(size) }
	}

	/// Chunks in the chain.
	pub fn chain_chunks(&self) -> u64 {
		self.prefix.saturating_add(self.chunks)
	}

	/// Bytes in the chain.
	pub fn chain_size(&self) -> u64 {
		self.chain_chunks().saturating_mul(CHUNK_SIZE)
	}

	/// Labels in the chain.
	pub fn labels(&self) -> u64 {
		filler::label_count(self.chain_size())
	}

	/// The first label of the mask.
	pub fn mask_start(&self) -> u64 {
		self.prefix.saturating_mul(filler::LABELS_PER_CHUNK)
	}

	/// The labels a draw checks, from 32 random bytes: one in the whole chain (never label
	/// 0, which has no links) and one of the mask labels that cover the content's bytes
	/// (the rest of the last chunk's labels seal nothing: a draw there would let a tiny
	/// content go unsealed).
	pub fn draw(&self, random: &[u8; 32]) -> (u64, u64) {
		let word = |at: usize| u64::from_le_bytes(random[at..at + 8].try_into().expect("8 of 32 bytes"));
		let chain = 1 + word(0) % self.labels().saturating_sub(1).max(1);
		let covering = self.size.div_ceil(filler::LABEL as u64).max(1);
		let mask = self.mask_start() + word(8) % covering;
		(chain, mask)
	}
}

/// The answer to one draw of a seal proof.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct SealDraw {
	/// The links of the label drawn in the whole chain.
	pub chain: SectorLink,
	/// The links of the label drawn in the mask (its `chunk` is the mask chunk).
	pub mask: SectorLink,
	/// The replica's chunk over that mask chunk, proven against the replica's root.
	pub sealed: ChunkProof,
	/// The content's chunk under it, proven against the content id.
	pub data: ChunkProof,
}

/// Why a seal draw was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SealError {
	/// A chunk proof is wrong (against the chain's, the replica's or the content's root).
	Proof(ProofError),
	/// A label is not derived from its links: the chain is not this replica's.
	Broken,
	/// The replica's chunk is not the content's XOR the mask: it is not sealed.
	NotSealed,
}

impl From<LinkError> for SealError {
	fn from(e: LinkError) -> Self {
		match e {
			LinkError::Proof(e) => SealError::Proof(e),
			LinkError::FirstChunk | LinkError::Broken => SealError::Broken,
		}
	}
}

/// What a miner commits for a replica: the roots of its chain and of the replica.
#[derive(
	Clone, Copy, PartialEq, Eq, Hash, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, serde::Serialize, serde::Deserialize,
)]
pub struct SealRoots {
	/// The chain of labels.
	pub labels: ContentId,
	/// The sealed replica: what challenges are proven against.
	pub replica: ContentId,
}

/// Checks one draw `(chain, mask)` (labels, from [`Layout::draw`]) of the seal proof of
/// the replica of `content` committed as `roots`: two links and two chunk proofs, and the
/// mask chunk's XOR with the content.
pub fn verify_draw(
	seed: &[u8; 32],
	layout: &Layout,
	content: &ContentId,
	roots: &SealRoots,
	(chain, mask): (u64, u64),
	draw: &SealDraw,
) -> Result<(), SealError> {
	let chain_size = layout.chain_size();
	filler::verify_link(&roots.labels, chain_size, seed, chain, &draw.chain)?;
	filler::verify_link(&roots.labels, chain_size, seed, mask, &draw.mask)?;
	let c = filler::chunk_of(mask).checked_sub(layout.prefix).ok_or(SealError::Proof(ProofError::IndexOutOfRange))?;
	proof::verify(&roots.replica, layout.size, c, &draw.sealed).map_err(SealError::Proof)?;
	proof::verify(content, layout.size, c, &draw.data).map_err(SealError::Proof)?;
	let sealed = draw.data.chunk.iter().zip(draw.mask.chunk.chunk.iter()).map(|(d, m)| d ^ m);
	if sealed.eq(draw.sealed.chunk.iter().copied()) {
		Ok(())
	} else {
		Err(SealError::NotSealed)
	}
}

/// Chunk `c` of the replica: `data` (the content's chunk) XOR `mask` (the chain's).
pub fn seal_chunk(data: &[u8], mask: &[u8]) -> alloc::vec::Vec<u8> {
	data.iter().zip(mask.iter().chain(core::iter::repeat(&0))).map(|(d, m)| d ^ m).collect()
}

/// A replica of a `layout.size`-byte content in which only what the seal proof of
/// `draws` needs is real: the content's id, the roots, the answers in the order of
/// `draws` and the proof of the content's last chunk. For benchmarks, which need
/// full-depth proofs of the largest content without sealing it. `None` if a draw names
/// label 0.
pub fn sparse_seal(
	seed: &[u8; 32],
	layout: &Layout,
	draws: &[(u64, u64)],
) -> Option<(ContentId, SealRoots, alloc::vec::Vec<SealDraw>, ChunkProof)> {
	use alloc::{collections::BTreeMap, vec::Vec};
	let labels: Vec<u64> = draws.iter().flat_map(|(c, m)| [*c, *m]).collect();
	let (labels_root, links) = filler::sparse_links(seed, layout.chain_size(), &labels)?;
	let last = layout.chunks - 1;
	let chunk_at = |c: u64| -> Option<u64> { filler::chunk_of(c).checked_sub(layout.prefix) };
	let mut data: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
	for c in draws.iter().map(|(_, m)| chunk_at(*m)).chain([Some(last)]) {
		let c = c?;
		data.insert(c, alloc::vec![2u8; proof::chunk_len(layout.size, c).ok()?]);
	}
	let mut sealed: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
	for (i, (_, m)) in draws.iter().enumerate() {
		let c = chunk_at(*m)?;
		sealed.insert(c, seal_chunk(data.get(&c)?, &links.get(2 * i + 1)?.chunk.chunk));
	}
	let known = |m: &BTreeMap<u64, Vec<u8>>| m.iter().map(|(i, b)| (*i, b.clone())).collect::<Vec<_>>();
	let (data_known, sealed_known) = (known(&data), known(&sealed));
	let (content, data_proofs) = proof::prove_sparse(layout.size, &as_refs(&data_known))?;
	let (replica, sealed_proofs) = proof::prove_sparse(layout.size, &as_refs(&sealed_known))?;
	let data_proof = |c: u64| data_known.iter().position(|(i, _)| *i == c).and_then(|at| data_proofs.get(at).cloned());
	let sealed_proof = |c: u64| sealed_known.iter().position(|(i, _)| *i == c).and_then(|at| sealed_proofs.get(at).cloned());
	let answers = draws
		.iter()
		.enumerate()
		.map(|(i, (_, m))| {
			let c = chunk_at(*m)?;
			Some(SealDraw {
				chain: links.get(2 * i)?.clone(),
				mask: links.get(2 * i + 1)?.clone(),
				sealed: sealed_proof(c)?,
				data: data_proof(c)?,
			})
		})
		.collect::<Option<Vec<_>>>()?;
	let roots = SealRoots { labels: labels_root, replica: ContentId(replica) };
	Some((ContentId(content), roots, answers, data_proof(last)?))
}

fn as_refs(known: &[(u64, alloc::vec::Vec<u8>)]) -> alloc::vec::Vec<(u64, &[u8])> {
	known.iter().map(|(i, b)| (*i, b.as_slice())).collect()
}

/// A replica sealed in memory, with its chain (for tests and benchmarks; a node seals to
/// disk with [`filler::seal_file`]).
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct Sealed {
	pub seed: [u8; 32],
	pub layout: Layout,
	pub chain: alloc::vec::Vec<u8>,
	pub replica: alloc::vec::Vec<u8>,
	pub roots: SealRoots,
}

#[cfg(feature = "std")]
impl Sealed {
	/// Seals `content` with `seed` on a chain with `sector_size` sectors.
	pub fn new(content: &[u8], seed: [u8; 32], sector_size: u64) -> Self {
		let layout = Layout::new(content.len() as u64, sector_size);
		let (chain, labels) = filler::generate(&seed, layout.chain_chunks());
		let mask = &chain[(layout.prefix * CHUNK_SIZE) as usize..];
		let replica = seal_chunk(content, mask);
		let roots = SealRoots { labels, replica: ContentId(proof::root_of(&replica)) };
		Sealed { seed, layout, chain, replica, roots }
	}

	/// The answer to draw `(chain, mask)`, with the content it seals.
	pub fn answer(&self, content: &[u8], (chain, mask): (u64, u64)) -> Result<SealDraw, ProofError> {
		let c = filler::chunk_of(mask).checked_sub(self.layout.prefix).ok_or(ProofError::IndexOutOfRange)?;
		Ok(SealDraw {
			chain: filler::prove_link(&self.chain, &self.seed, chain)?,
			mask: filler::prove_link(&self.chain, &self.seed, mask)?,
			sealed: proof::prove(&self.replica, c)?,
			data: proof::prove(content, c)?,
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn content(n: usize) -> Vec<u8> {
		(0..n).map(|i| (i * 7 % 253) as u8).collect()
	}

	fn draws(layout: &Layout) -> Vec<(u64, u64)> {
		(0..SEAL_DRAWS).map(|i| layout.draw(blake3::hash(&i.to_le_bytes()).as_bytes())).collect()
	}

	#[test]
	fn an_honest_seal_verifies_at_every_draw() {
		let bytes = content(5_000);
		let seed = replica_seed(&1u64, 7, &ContentId(proof::root_of(&bytes)));
		let sealed = Sealed::new(&bytes, seed, 4 * 1024);
		assert_eq!(sealed.layout.chain_chunks(), 4 + 5);
		let id = ContentId(proof::root_of(&bytes));
		for d in draws(&sealed.layout).into_iter().chain([(1, sealed.layout.mask_start()), (9 * 32 - 1, 9 * 32 - 1)]) {
			let answer = sealed.answer(&bytes, d).unwrap();
			assert_eq!(verify_draw(&seed, &sealed.layout, &id, &sealed.roots, d, &answer), Ok(()), "draw {d:?}");
		}
	}

	/// Attack: two miner accounts keep one copy, or a miner answers with another holder's
	/// replica. Must hold: replicas of the same content for other miners or orders share
	/// no chunk, and one's answers do not verify for the other.
	#[test]
	fn replicas_for_other_miners_or_orders_share_no_chunk() {
		let bytes = content(20_000);
		let id = ContentId(proof::root_of(&bytes));
		let a = Sealed::new(&bytes, replica_seed(&1u64, 7, &id), 2048);
		let b = Sealed::new(&bytes, replica_seed(&2u64, 7, &id), 2048);
		let c = Sealed::new(&bytes, replica_seed(&1u64, 8, &id), 2048);
		for other in [&b, &c] {
			assert_ne!(a.roots, other.roots);
			let shared = a.replica.chunks(1024).zip(other.replica.chunks(1024)).filter(|(x, y)| x == y).count();
			assert_eq!(shared, 0);
		}
		let d = a.layout.draw(&[3; 32]);
		let answer = a.answer(&bytes, d).unwrap();
		assert!(verify_draw(&b.seed, &b.layout, &id, &b.roots, d, &answer).is_err());
		// Nor does a's answer verify under b's seed with a's roots (the links are a's).
		assert!(verify_draw(&b.seed, &a.layout, &id, &a.roots, d, &answer).is_err());
	}

	/// Attack: commit the plain content as the "replica" (answerable by fetching it), or
	/// a replica sealed with labels that are not derived (cheap to rebuild). Must hold:
	/// the seal check refuses both.
	#[test]
	fn an_unsealed_or_cheaply_sealed_replica_fails_the_seal_check() {
		let bytes = content(8_000);
		let id = ContentId(proof::root_of(&bytes));
		let seed = replica_seed(&1u64, 1, &id);
		let honest = Sealed::new(&bytes, seed, 2048);
		let d = honest.layout.draw(&[5; 32]);
		// The plain content as the replica, with the honest chain.
		let plain = Sealed { replica: bytes.clone(), roots: SealRoots { replica: id, ..honest.roots }, ..Sealed::new(&bytes, seed, 2048) };
		let answer = plain.answer(&bytes, d).unwrap();
		assert_eq!(verify_draw(&seed, &plain.layout, &id, &plain.roots, d, &answer), Err(SealError::NotSealed));
		// A chain of zeros (no work) under its own root, the replica sealed with it.
		let zeros = vec![0u8; honest.chain.len()];
		let cheap = Sealed {
			roots: SealRoots { labels: ContentId(proof::root_of(&zeros)), replica: id },
			chain: zeros,
			replica: bytes.clone(),
			..Sealed::new(&bytes, seed, 2048)
		};
		let answer = cheap.answer(&bytes, d).unwrap();
		assert_eq!(verify_draw(&seed, &cheap.layout, &id, &cheap.roots, d, &answer), Err(SealError::Broken));
	}

	/// Attack: seal only part of the replica, the strongest way. The miner leaves every
	/// fourth chunk plain (answerable later from the public content) and keeps its chain
	/// consistent: the mask labels over those chunks are zero, and every later label is
	/// derived from the faked ones, so the only links that break are the faked labels
	/// themselves. Must hold: a draw is refused exactly when it lands on a faked label, so
	/// the seal proof passes with probability at most `(1 - g)^SEAL_DRAWS` (here
	/// `0.75^16` = 1.0%, before the chain draws, which also land on faked labels).
	#[test]
	fn a_partly_sealed_replica_passes_only_when_every_draw_misses_its_plain_chunks() {
		let (prefix_chunks, chunks) = (64u64, 64u64);
		let bytes = content((chunks * CHUNK_SIZE) as usize);
		let id = ContentId(proof::root_of(&bytes));
		let seed = replica_seed(&9u64, 3, &id);
		let layout = Layout::new(bytes.len() as u64, prefix_chunks * CHUNK_SIZE);
		let plain = |c: u64| c % 4 == 0;
		let faked = |u: u64| filler::chunk_of(u).checked_sub(layout.prefix).is_some_and(plain);
		let mut chain = vec![0u8; (layout.chain_chunks() * CHUNK_SIZE) as usize];
		let at = |u: u64| u as usize * filler::LABEL;
		for u in 0..layout.labels() {
			let label = if faked(u) {
				[0; filler::LABEL]
			} else {
				let read = |i: u64| -> [u8; filler::LABEL] { chain[at(i)..at(i) + filler::LABEL].try_into().expect("a label") };
				let (previous, parents) = if u == 0 { ([0; filler::LABEL], [[0; filler::LABEL]; filler::PARENTS]) } else { (read(u - 1), filler::parents(&seed, u).map(read)) };
				filler::derive_label(&seed, u, &previous, &parents)
			};
			chain[at(u)..at(u) + filler::LABEL].copy_from_slice(&label);
		}
		let replica = seal_chunk(&bytes, &chain[(layout.prefix * CHUNK_SIZE) as usize..]);
		let plain_chunks = replica.chunks(CHUNK_SIZE as usize).zip(bytes.chunks(CHUNK_SIZE as usize)).filter(|(r, b)| r == b).count();
		assert_eq!(plain_chunks, (chunks / 4) as usize, "the attacker keeps a quarter of the replica plain");
		let roots = SealRoots { labels: ContentId(proof::root_of(&chain)), replica: ContentId(proof::root_of(&replica)) };
		let cheat = Sealed { seed, layout, chain, replica, roots };

		let (proofs, mut passed) = (200u32, 0u32);
		for p in 0..proofs {
			let mut all_pass = true;
			for i in 0..SEAL_DRAWS {
				let d = layout.draw(blake3::hash(&[p.to_le_bytes(), i.to_le_bytes()].concat()).as_bytes());
				let answer = cheat.answer(&bytes, d).expect("the attacker answers every draw");
				let verdict = verify_draw(&seed, &layout, &id, &roots, d, &answer);
				if faked(d.0) || faked(d.1) {
					assert_eq!(verdict, Err(SealError::Broken), "draw {d:?} lands on a faked label");
					all_pass = false;
				} else {
					assert_eq!(verdict, Ok(()), "draw {d:?} misses the faked labels: the attacker's chain holds there");
				}
			}
			passed += u32::from(all_pass);
		}
		// 200 proofs at 1.0% each at most: about 2 pass; 6 is a 1-in-200 upper tail.
		assert!(passed <= 6, "{passed} of {proofs} partly sealed replicas passed the seal proof");
	}

	#[test]
	fn a_sparse_seal_verifies_at_its_draws() {
		let layout = Layout::new(10 << 20, 4 << 20);
		let seed = [7; 32];
		let draws: Vec<(u64, u64)> = (0..SEAL_DRAWS).map(|i| layout.draw(blake3::hash(&i.to_le_bytes()).as_bytes())).collect();
		let (content, roots, answers, last) = sparse_seal(&seed, &layout, &draws).unwrap();
		for (d, a) in draws.iter().zip(&answers) {
			assert_eq!(verify_draw(&seed, &layout, &content, &roots, *d, a), Ok(()));
		}
		assert_eq!(proof::verify(&content, layout.size, layout.chunks - 1, &last), Ok(()));
	}

	/// A replica of a content whose last chunk is short seals and verifies it too.
	#[test]
	fn the_last_short_chunk_is_sealed_over_its_own_bytes() {
		let bytes = content(3 * 1024 + 17);
		let id = ContentId(proof::root_of(&bytes));
		let seed = replica_seed(&4u64, 2, &id);
		let sealed = Sealed::new(&bytes, seed, 1024);
		assert_eq!(sealed.replica.len(), bytes.len());
		let d = (5, sealed.layout.labels() - 1);
		let answer = sealed.answer(&bytes, d).unwrap();
		assert_eq!(answer.data.chunk.len(), 17);
		assert_eq!(verify_draw(&seed, &sealed.layout, &id, &sealed.roots, d, &answer), Ok(()));
	}
}
