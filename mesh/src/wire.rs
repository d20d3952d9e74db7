//! The transfer protocol's messages and framing: `/landmesh/transfer/1`.
//!
//! A peer asks for a content's size, or for a byte range of it; the answer to a range is
//! BLAKE3 verified streaming (bao): the hash pairs and 16 KiB groups covering the range, in
//! pre-order, so the asker checks every group against the content id as it decodes. A
//! lying or corrupt peer is caught at the first bad group.
//!
//! Each message is a 4-byte little-endian length and a SCALE body. A request is refused
//! above [`MAX_REQUEST`] bytes (what the largest request, with credentials, can be), a
//! response above [`MAX_MESSAGE`], and any body that does not decode exactly: a peer
//! controls these bytes, and no length it sends sizes a buffer beyond those caps.
//!
//! Version 2 carries the requester's [`Credentials`] (gated content is served only to
//! whom the chain admits) and a [`Response::Busy`] for a peer over its request budget.

use codec::{Decode, DecodeAll, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use crate::credentials::Credentials;
use landmesh_primitives::ContentId;
use std::io;

/// The protocol name.
pub const PROTOCOL: &str = "/landmesh/transfer/2";
/// The largest message either side accepts: a range answer of [`MAX_RANGE`] bytes plus
/// its hash pairs, with room to spare.
pub const MAX_MESSAGE: u32 = 2 << 20;
/// The most bytes one range request may ask for.
pub const MAX_RANGE: u64 = 1 << 20;
/// The largest request either side accepts: a range request with credentials is about
/// 250 bytes (an SS58 account, a hex signature).
pub const MAX_REQUEST: u32 = 512;
/// The longest account or signature text a request's credentials may carry.
pub const MAX_CREDENTIAL_TEXT: usize = 160;

/// What a peer asks.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Request {
	/// The size of a content, if the peer has it (and may tell this requester).
	Size {
		/// The content.
		root: ContentId,
		/// Who asks, for gated content.
		credentials: Option<Credentials>,
	},
	/// Bytes `start..end` of a content (at most [`MAX_RANGE`]; the answer covers the
	/// whole 16 KiB groups around them).
	Range {
		/// The content.
		root: ContentId,
		/// First byte.
		start: u64,
		/// One past the last byte.
		end: u64,
		/// Who asks, for gated content.
		credentials: Option<Credentials>,
	},
}

impl Request {
	/// The content asked about.
	pub fn root(&self) -> &ContentId {
		match self {
			Request::Size { root, .. } | Request::Range { root, .. } => root,
		}
	}

	/// The credentials sent with it.
	pub fn credentials(&self) -> Option<&Credentials> {
		match self {
			Request::Size { credentials, .. } | Request::Range { credentials, .. } => credentials.as_ref(),
		}
	}
}

/// What a peer answers.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Response {
	/// The content's size (unverified until the first range checks out).
	Size(u64),
	/// The bao encoding of the groups covering the range.
	Range(Vec<u8>),
	/// The peer does not have it, its copy failed verification, or the requester may
	/// not have it (the same answer, so a gated content's presence is not told).
	NotFound,
	/// The request is malformed (a range too large or past the end).
	Refused,
	/// The peer has too many of this requester's requests under way: try later or
	/// elsewhere.
	Busy,
}

/// Writes one framed message.
pub async fn write_message<T: AsyncWrite + Unpin>(io: &mut T, message: &impl Encode) -> io::Result<()> {
	let body = message.encode();
	let len = u32::try_from(body.len()).ok().filter(|l| *l <= MAX_MESSAGE).ok_or_else(too_large)?;
	io.write_all(&len.to_le_bytes()).await?;
	io.write_all(&body).await?;
	io.flush().await
}

/// Reads one framed message of at most [`MAX_MESSAGE`] bytes, refusing oversized or
/// malformed ones.
pub async fn read_message<T: AsyncRead + Unpin, M: Decode>(io: &mut T) -> io::Result<M> {
	read_message_within(io, MAX_MESSAGE).await
}

/// Reads one framed message of at most `max` bytes.
async fn read_message_within<T: AsyncRead + Unpin, M: Decode>(io: &mut T, max: u32) -> io::Result<M> {
	let mut len = [0u8; 4];
	io.read_exact(&mut len).await?;
	let len = u32::from_le_bytes(len);
	if len > max {
		return Err(io::Error::new(io::ErrorKind::InvalidData, format!("message of {len} bytes, above the {max} allowed")));
	}
	let mut body = vec![0u8; len as usize];
	io.read_exact(&mut body).await?;
	decode(&body)
}

/// Decodes a message body; the whole body must be one message.
pub fn decode<M: Decode>(body: &[u8]) -> io::Result<M> {
	M::decode_all(&mut &body[..]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("malformed message: {e}")))
}

fn too_large() -> io::Error {
	io::Error::new(io::ErrorKind::InvalidData, format!("message larger than {MAX_MESSAGE} bytes"))
}

/// Reads one request: at most [`MAX_REQUEST`] bytes, credentials text no longer than
/// [`MAX_CREDENTIAL_TEXT`]. What the transfer protocol reads from every peer.
pub async fn read_request<T: AsyncRead + Unpin>(io: &mut T) -> io::Result<Request> {
	let request: Request = read_message_within(io, MAX_REQUEST).await?;
	let too_long = request
		.credentials()
		.is_some_and(|c| c.account.len() > MAX_CREDENTIAL_TEXT || c.signature.len() > MAX_CREDENTIAL_TEXT);
	if too_long {
		return Err(io::Error::new(io::ErrorKind::InvalidData, "credentials text too long"));
	}
	Ok(request)
}

/// The request-response codec for [`PROTOCOL`].
#[cfg(feature = "node")]
#[derive(Clone, Default)]
pub struct TransferCodec;

#[cfg(feature = "node")]
#[async_trait::async_trait]
impl libp2p::request_response::Codec for TransferCodec {
	type Protocol = libp2p::StreamProtocol;
	type Request = Request;
	type Response = Response;

	async fn read_request<T: AsyncRead + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Request> {
		read_request(io).await
	}

	async fn read_response<T: AsyncRead + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Response> {
		read_message(io).await
	}

	async fn write_request<T: AsyncWrite + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T, r: Request) -> io::Result<()> {
		write_message(io, &r).await
	}

	async fn write_response<T: AsyncWrite + Unpin + Send>(&mut self, _: &Self::Protocol, io: &mut T, r: Response) -> io::Result<()> {
		write_message(io, &r).await
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn credentials() -> impl Strategy<Value = Option<Credentials>> {
		proptest::option::of(("[a-zA-Z0-9]{0,48}", any::<u64>(), "[0-9a-f]{0,128}").prop_map(|(account, expires, signature)| {
			Credentials { account, expires, signature }
		}))
	}

	fn request() -> impl Strategy<Value = Request> {
		prop_oneof![
			(any::<[u8; 32]>(), credentials()).prop_map(|(r, credentials)| Request::Size { root: ContentId(r), credentials }),
			(any::<[u8; 32]>(), any::<u64>(), any::<u64>(), credentials())
				.prop_map(|(r, start, end, credentials)| Request::Range { root: ContentId(r), start, end, credentials }),
		]
	}

	fn response() -> impl Strategy<Value = Response> {
		prop_oneof![
			any::<u64>().prop_map(Response::Size),
			proptest::collection::vec(any::<u8>(), 0..4096).prop_map(Response::Range),
			Just(Response::NotFound),
			Just(Response::Refused),
			Just(Response::Busy),
		]
	}

	fn round_trip<M: Encode + Decode + PartialEq + std::fmt::Debug>(m: M) -> Result<(), TestCaseError> {
		let mut framed = Vec::new();
		futures::executor::block_on(write_message(&mut framed, &m)).unwrap();
		let back: M = futures::executor::block_on(read_message(&mut &framed[..])).unwrap();
		prop_assert_eq!(back, m);
		Ok(())
	}

	proptest! {
		#[test]
		fn requests_round_trip(r in request()) { round_trip(r)?; }

		#[test]
		fn responses_round_trip(r in response()) { round_trip(r)?; }

		/// Arbitrary bytes never panic the decoder, and what decodes re-encodes to the
		/// same bytes (no two encodings of one message).
		#[test]
		fn malformed_input_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
			if let Ok(r) = decode::<Request>(&bytes) { prop_assert_eq!(r.encode(), bytes.clone()); }
			if let Ok(r) = decode::<Response>(&bytes) { prop_assert_eq!(r.encode(), bytes.clone()); }
			let _ = futures::executor::block_on(read_message::<_, Response>(&mut &bytes[..]));
		}

		/// A message with trailing bytes is refused.
		#[test]
		fn trailing_bytes_are_refused(r in request(), extra in proptest::collection::vec(any::<u8>(), 1..8)) {
			let mut body = r.encode();
			body.extend(extra);
			prop_assert!(decode::<Request>(&body).is_err());
		}
	}

	/// The largest request a client can make fits the request cap, and a frame a byte
	/// over it is refused by the request reader before its body is read.
	#[test]
	fn requests_are_capped_at_what_a_request_can_be() {
		let largest = Request::Range {
			root: ContentId([0xff; 32]),
			start: u64::MAX,
			end: u64::MAX,
			credentials: Some(Credentials {
				account: "a".repeat(MAX_CREDENTIAL_TEXT),
				expires: u64::MAX,
				signature: "f".repeat(MAX_CREDENTIAL_TEXT),
			}),
		};
		assert!(largest.encode().len() <= MAX_REQUEST as usize, "{} bytes", largest.encode().len());
		let mut framed = Vec::new();
		futures::executor::block_on(write_message(&mut framed, &largest)).unwrap();
		let back = futures::executor::block_on(read_request(&mut &framed[..])).unwrap();
		assert_eq!(back, largest);
		let mut oversized = (MAX_REQUEST + 1).to_le_bytes().to_vec();
		oversized.extend(vec![0u8; MAX_REQUEST as usize + 1]);
		assert!(futures::executor::block_on(read_request(&mut &oversized[..])).is_err());
		// Credentials text longer than any real account or signature is refused too.
		let long = Request::Size {
			root: ContentId([1; 32]),
			credentials: Some(Credentials { account: "a".repeat(MAX_CREDENTIAL_TEXT + 1), expires: 0, signature: String::new() }),
		};
		let mut framed = Vec::new();
		futures::executor::block_on(write_message(&mut framed, &long)).unwrap();
		assert!(futures::executor::block_on(read_request(&mut &framed[..])).is_err());
	}

	#[test]
	fn oversized_frames_are_refused_before_reading_them() {
		let mut framed = (MAX_MESSAGE + 1).to_le_bytes().to_vec();
		framed.extend([0u8; 16]);
		let err = futures::executor::block_on(read_message::<_, Response>(&mut &framed[..])).unwrap_err();
		assert_eq!(err.kind(), io::ErrorKind::InvalidData);
		// A frame that claims more than it carries ends in an error, not a hang.
		let mut short = 100u32.to_le_bytes().to_vec();
		short.extend([0u8; 10]);
		assert!(futures::executor::block_on(read_message::<_, Response>(&mut &short[..])).is_err());
	}
}
