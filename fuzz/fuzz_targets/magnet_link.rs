//! A link a user pastes: never a panic, and what parses prints back to a link that parses
//! to the same thing.
#![no_main]

use landmesh_mesh::Magnet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let Ok(text) = std::str::from_utf8(data) else { return };
	for text in [text.to_string(), format!("magnet:?{text}")] {
		if let Ok(magnet) = text.parse::<Magnet>() {
			assert_eq!(magnet.to_string().parse::<Magnet>(), Ok(magnet));
		}
	}
});
