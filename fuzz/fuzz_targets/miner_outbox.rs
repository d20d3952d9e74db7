//! The miner's outbox as the off-chain worker reads it from the off-chain database (the
//! node writes it; another version of the node may have): never a panic, and what
//! decodes re-encodes to the same bytes.
#![no_main]

use codec::{DecodeAll, Encode};
use landmesh_primitives::miner::MinerTask;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	if let Ok(tasks) = Vec::<MinerTask>::decode_all(&mut &data[..]) {
		assert_eq!(tasks.encode(), data);
	}
});
