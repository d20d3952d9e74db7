//! Magnet links: `magnet:?xt=urn:blake3:<root hex>&xl=<bytes>&dn=<name>`.
//!
//! The exact topic (`xt`) is the content id; the exact length (`xl`) and display name
//! (`dn`) are hints, as in BitTorrent magnets. Unknown parameters (trackers, `tr=`) are
//! ignored, so links written by other tools still parse.

use landmesh_primitives::ContentId;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::{fmt, str::FromStr};

/// A parsed magnet link.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Magnet {
	/// The content id.
	pub root: ContentId,
	/// The content's size in bytes, if the link says.
	pub size: Option<u64>,
	/// A name to save or show it under, if the link says.
	pub name: Option<String>,
}

/// Why a text is not a Landmesh magnet link.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MagnetError {
	/// It does not start with `magnet:?`.
	#[error("not a magnet link: it must start with `magnet:?`")]
	NotMagnet,
	/// No `xt=urn:blake3:` parameter.
	#[error("the magnet link has no `xt=urn:blake3:<64 hex digits>` (Landmesh names content by its BLAKE3 root)")]
	NoBlake3Topic,
	/// The root is not 64 hex digits.
	#[error("the BLAKE3 root in the magnet link is not 64 hex digits")]
	BadRoot,
	/// `xl` is not a number.
	#[error("the magnet link's length `xl` is not a number of bytes")]
	BadLength,
	/// A parameter is not valid percent-encoded UTF-8.
	#[error("the magnet link's name is not valid UTF-8")]
	BadName,
}

/// What `dn` escapes: everything but unreserved URI characters.
const NAME_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

impl fmt::Display for Magnet {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "magnet:?xt=urn:blake3:{}", self.root.to_hex())?;
		if let Some(size) = self.size {
			write!(f, "&xl={size}")?;
		}
		if let Some(name) = &self.name {
			write!(f, "&dn={}", utf8_percent_encode(name, NAME_ESCAPES))?;
		}
		Ok(())
	}
}

impl FromStr for Magnet {
	type Err = MagnetError;

	fn from_str(text: &str) -> Result<Self, MagnetError> {
		let query = text.trim().strip_prefix("magnet:?").ok_or(MagnetError::NotMagnet)?;
		let (mut root, mut size, mut name) = (None, None, None);
		for pair in query.split('&').filter(|p| !p.is_empty()) {
			let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
			match key {
				"xt" => {
					// Other topics (btih, sha1) may sit beside ours; only blake3 names content here.
					if let Some(hex) = value.strip_prefix("urn:blake3:") {
						root = Some(ContentId::from_hex(hex).map_err(|_| MagnetError::BadRoot)?);
					}
				},
				"xl" => size = Some(value.parse::<u64>().map_err(|_| MagnetError::BadLength)?),
				"dn" => {
					let decoded = percent_decode_str(&value.replace('+', " "))
						.decode_utf8()
						.map_err(|_| MagnetError::BadName)?
						.into_owned();
					name = Some(decoded);
				},
				_ => {},
			}
		}
		Ok(Magnet { root: root.ok_or(MagnetError::NoBlake3Topic)?, size, name })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const ROOT: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

	#[test]
	fn parses_and_prints() {
		let text = format!("magnet:?xt=urn:blake3:{ROOT}&xl=1024&dn=my%20cube.glb");
		let m: Magnet = text.parse().unwrap();
		assert_eq!(m.root.to_hex(), ROOT);
		assert_eq!((m.size, m.name.as_deref()), (Some(1024), Some("my cube.glb")));
		assert_eq!(m.to_string(), text);
		// Order, unknown parameters and a missing length do not matter.
		let m: Magnet = format!("magnet:?dn=x&tr=udp%3A%2F%2Ft&xt=urn:blake3:{ROOT}").parse().unwrap();
		assert_eq!((m.size, m.name.as_deref()), (None, Some("x")));
	}

	#[test]
	fn bad_links_are_named_errors() {
		assert_eq!("http://x".parse::<Magnet>(), Err(MagnetError::NotMagnet));
		assert_eq!("magnet:?xt=urn:btih:abcd".parse::<Magnet>(), Err(MagnetError::NoBlake3Topic));
		assert_eq!("magnet:?xt=urn:blake3:abcd".parse::<Magnet>(), Err(MagnetError::BadRoot));
		assert_eq!(format!("magnet:?xt=urn:blake3:{ROOT}&xl=-1").parse::<Magnet>(), Err(MagnetError::BadLength));
		assert_eq!(format!("magnet:?xt=urn:blake3:{ROOT}&dn=%FF").parse::<Magnet>(), Err(MagnetError::BadName));
	}

	proptest! {
		#[test]
		fn round_trips(root in any::<[u8; 32]>(), size in proptest::option::of(any::<u64>()), name in proptest::option::of(".*")) {
			let m = Magnet { root: ContentId(root), size, name };
			prop_assert_eq!(m.to_string().parse::<Magnet>(), Ok(m));
		}

		#[test]
		fn never_panics(text in ".*") {
			let _ = text.parse::<Magnet>();
			let _ = format!("magnet:?{text}").parse::<Magnet>();
		}
	}
}
