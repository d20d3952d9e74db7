//! The HTTP `Range` header: what part of a content a client asks for (RFC 9110 §14.1.2).
//! Its numbers are the client's: nothing overflows on them.

use std::ops::Range;

/// What a `Range` header asks of a content of `size` bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RangeRequest {
	/// The whole content (no header, several ranges, or a header that does not parse).
	Full,
	/// These bytes.
	Partial(Range<u64>),
	/// A range wholly past the end.
	Unsatisfiable,
}

/// Parses a single `bytes=` range against a content of `size` bytes (RFC 9110 §14.1.2).
pub fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
	let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return RangeRequest::Full };
	if spec.contains(',') {
		return RangeRequest::Full;
	}
	let Some((first, last)) = spec.trim().split_once('-') else { return RangeRequest::Full };
	let number = |s: &str| if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) { None } else { s.parse::<u64>().ok() };
	match (first.is_empty(), number(first), number(last)) {
		// `-n`: the last n bytes.
		(true, _, Some(n)) => {
			if n == 0 || size == 0 {
				RangeRequest::Unsatisfiable
			} else {
				RangeRequest::Partial(size.saturating_sub(n)..size)
			}
		},
		// `a-` or `a-b`.
		(false, Some(a), end) if last.is_empty() || end.is_some_and(|b| b >= a) => {
			if a >= size {
				return RangeRequest::Unsatisfiable;
			}
			let end = end.map_or(size, |b| b.saturating_add(1).min(size));
			RangeRequest::Partial(a..end)
		},
		_ => RangeRequest::Full,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ranges() {
		let p = |h: &str, size| parse_range(Some(h), size);
		assert_eq!(parse_range(None, 10), RangeRequest::Full);
		assert_eq!(p("bytes=0-0", 10), RangeRequest::Partial(0..1));
		assert_eq!(p("bytes=2-5", 10), RangeRequest::Partial(2..6));
		assert_eq!(p("bytes=2-", 10), RangeRequest::Partial(2..10));
		assert_eq!(p("bytes=5-100", 10), RangeRequest::Partial(5..10), "an end past the end is clamped");
		assert_eq!(p("bytes=-3", 10), RangeRequest::Partial(7..10));
		assert_eq!(p("bytes=-30", 10), RangeRequest::Partial(0..10), "a suffix longer than the content is all of it");
		assert_eq!(p("bytes=10-", 10), RangeRequest::Unsatisfiable);
		assert_eq!(p("bytes=10-20", 10), RangeRequest::Unsatisfiable);
		assert_eq!(p("bytes=-0", 10), RangeRequest::Unsatisfiable);
		assert_eq!(p("bytes=0-0", 0), RangeRequest::Unsatisfiable, "an empty content has no bytes to range over");
		for malformed in ["bytes=5-3", "bytes=a-b", "bytes=-", "bytes=1-2,4-5", "items=0-1", "bytes=+1-2", "bytes=0x1-2"] {
			assert_eq!(p(malformed, 10), RangeRequest::Full, "{malformed}");
		}
	}
}
