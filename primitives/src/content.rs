//! Content addressing: data is named by the BLAKE3 root of its bytes.

use alloc::string::String;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// The 32-byte BLAKE3 root of a piece of content: the same value `b3sum` prints.
///
/// In JSON (genesis presets, RPC) it is 64 lowercase hex digits, as in magnet links
/// (`urn:blake3:<hex>`); a `0x` prefix is accepted on input.
#[derive(
	Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode,
	DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ContentId(pub [u8; 32]);

impl ContentId {
	/// The 64 lowercase hex digits of the root.
	pub fn to_hex(&self) -> String {
		to_hex(&self.0)
	}

	/// Parses 64 hex digits, with or without a `0x` prefix.
	pub fn from_hex(text: &str) -> Result<Self, ContentIdError> {
		let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
		if digits.len() != 64 {
			return Err(ContentIdError::WrongLength(digits.len()));
		}
		let mut root = [0u8; 32];
		for (i, pair) in digits.chunks_exact(2).enumerate() {
			let high = hex_value(pair[0]).ok_or(ContentIdError::NotHex)?;
			let low = hex_value(pair[1]).ok_or(ContentIdError::NotHex)?;
			root[i] = (high << 4) | low;
		}
		Ok(ContentId(root))
	}
}

fn hex_value(digit: u8) -> Option<u8> {
	match digit {
		b'0'..=b'9' => Some(digit - b'0'),
		b'a'..=b'f' => Some(digit - b'a' + 10),
		b'A'..=b'F' => Some(digit - b'A' + 10),
		_ => None,
	}
}

/// Why a text is not a [`ContentId`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ContentIdError {
	/// A content id is 64 hex digits; this many were given.
	WrongLength(usize),
	/// A character is not a hex digit.
	NotHex,
}

impl fmt::Display for ContentIdError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			ContentIdError::WrongLength(n) =>
				write!(f, "a content id is 64 hex digits (a BLAKE3 root), got {n}"),
			ContentIdError::NotHex => f.write_str("a content id may contain only hex digits"),
		}
	}
}

impl fmt::Display for ContentId {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		f.write_str(&self.to_hex())
	}
}

impl fmt::Debug for ContentId {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "ContentId({})", self.to_hex())
	}
}

impl core::str::FromStr for ContentId {
	type Err = ContentIdError;
	fn from_str(text: &str) -> Result<Self, Self::Err> {
		ContentId::from_hex(text)
	}
}

impl serde::Serialize for ContentId {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&self.to_hex())
	}
}

impl<'de> serde::Deserialize<'de> for ContentId {
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = <String as serde::Deserialize>::deserialize(deserializer)?;
		ContentId::from_hex(&text).map_err(serde::de::Error::custom)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_round_trips_and_rejects_bad_text() {
		let id = ContentId(core::array::from_fn(|i| (i * 7) as u8));
		let hex = id.to_hex();
		assert_eq!(hex.len(), 64);
		assert_eq!(ContentId::from_hex(&hex), Ok(id));
		assert_eq!(ContentId::from_hex(&alloc::format!("0x{hex}")), Ok(id));
		assert_eq!(ContentId::from_hex(&hex.to_uppercase()), Ok(id));
		assert_eq!(ContentId::from_hex(&hex[..62]), Err(ContentIdError::WrongLength(62)));
		assert_eq!(ContentId::from_hex(&hex.replace('0', "g")), Err(ContentIdError::NotHex));
	}

	#[test]
	fn json_is_the_hex_string() {
		let id = ContentId([0xab; 32]);
		let json = serde_json::to_string(&id).unwrap();
		assert_eq!(json, alloc::format!("\"{}\"", "ab".repeat(32)));
		assert_eq!(serde_json::from_str::<ContentId>(&json).unwrap(), id);
		assert!(serde_json::from_str::<ContentId>("\"abc\"").is_err());
	}
}

/// Lower-case hex of `bytes`, no `0x`: how content ids, accounts and chains are written in
/// the messages wallets sign.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len() * 2);
	for byte in bytes {
		out.push(DIGITS[(byte >> 4) as usize] as char);
		out.push(DIGITS[(byte & 0xf) as usize] as char);
	}
	out
}
