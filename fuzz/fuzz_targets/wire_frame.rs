//! A peer's bytes on `/landmesh/transfer/2`: framed requests (as the node reads them,
//! capped) and response bodies. Never a panic; what decodes re-encodes to the same bytes.
#![no_main]

use codec::Encode;
use landmesh_mesh::wire::{self, Request, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	if let Ok(request) = futures::executor::block_on(wire::read_request(&mut &data[..])) {
		assert!(request.encode().len() <= wire::MAX_REQUEST as usize);
		let body = &data[4..];
		assert_eq!(request.encode(), body[..request.encode().len()].to_vec());
	}
	if let Ok(response) = wire::decode::<Response>(data) {
		assert_eq!(response.encode(), data);
	}
	if let Ok(request) = wire::decode::<Request>(data) {
		assert_eq!(request.encode(), data);
	}
});
