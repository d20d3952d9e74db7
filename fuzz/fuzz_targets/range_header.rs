//! A client's `Range` header against a content of any size: never a panic or an
//! overflow, and a partial range always lies inside the content.
#![no_main]

use landmesh_mesh::range::{parse_range, RangeRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	if data.len() < 8 {
		return;
	}
	let size = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
	let Ok(header) = std::str::from_utf8(&data[8..]) else { return };
	for size in [size, size % 1_000_000, 0, 1] {
		if let RangeRequest::Partial(r) = parse_range(Some(header), size) {
			assert!(r.start < r.end && r.end <= size, "{header:?} on {size}: {r:?}");
		}
	}
});
