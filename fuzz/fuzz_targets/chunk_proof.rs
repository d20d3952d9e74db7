//! A miner's chunk proof as the runtime receives it (SCALE) and checks it: never a panic
//! whatever the size and index; and a proof of real content verifies only for its chunk.
#![no_main]

use codec::Decode;
use landmesh_primitives::{proof, ContentId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let mut input = data;
	if let Ok((root, size, index, chunk_proof)) = <([u8; 32], u64, u64, proof::ChunkProof)>::decode(&mut input) {
		let _ = proof::verify(&ContentId(root), size, index, &chunk_proof);
		let _ = proof::root_from(size, index, &chunk_proof);
	}
	// The bytes as content: the proof of a chunk verifies, and not as another chunk.
	if data.is_empty() || data.len() > 64 * 1024 {
		return;
	}
	let root = ContentId(proof::root_of(data));
	let size = data.len() as u64;
	let index = u64::from(data[0]) % proof::chunk_count(size);
	let honest = proof::prove(data, index).expect("a chunk of the content");
	assert!(proof::verify(&root, size, index, &honest).is_ok());
	if proof::chunk_count(size) > 1 {
		// Even a chunk with the same bytes: its position is hashed into its chaining value.
		let other = (index + 1) % proof::chunk_count(size);
		assert!(proof::verify(&root, size, other, &honest).is_err());
	}
});
