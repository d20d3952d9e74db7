//! A sector answer as the runtime receives it: never a panic, whatever the seed, index
//! and size it claims.
#![no_main]

use codec::Decode;
use landmesh_primitives::{filler, ContentId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let mut input = data;
	if let Ok((root, size, seed, j, link)) = <([u8; 32], u64, [u8; 32], u64, filler::SectorLink)>::decode(&mut input) {
		let _ = filler::verify_link(&ContentId(root), size, &seed, j, &link);
		let _ = filler::parents(&seed, j);
	}
});
