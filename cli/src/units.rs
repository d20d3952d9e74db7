//! Amounts and sizes as people write them: `1.5` CYBR, `2TiB`, `512MiB`.

/// Decimals of one CYBR (the runtime's `UNITS` is 10^12).
pub const DECIMALS: u32 = 12;

/// Parses a CYBR amount with at most 12 decimals (`1.5`, `0.000001`, `10`) into the
/// chain's smallest unit.
pub fn parse_amount(text: &str) -> Result<u128, String> {
	let fix = "write an amount in CYBR, e.g. 1.5 or 0.001";
	let t = text.trim();
	let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
	if whole.is_empty() && fraction.is_empty() || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
		return Err(format!("`{text}` is not an amount: {fix}"));
	}
	if fraction.len() > DECIMALS as usize {
		return Err(format!("`{text}` has {} decimals; CYBR has {DECIMALS}: round it", fraction.len()));
	}
	let unit = 10u128.pow(DECIMALS);
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| format!("`{text}` is too large"))? };
	let padded = format!("{fraction:0<width$}", width = DECIMALS as usize);
	let fraction: u128 = padded.parse().map_err(|_| format!("`{text}` is not an amount: {fix}"))?;
	whole.checked_mul(unit).and_then(|w| w.checked_add(fraction)).ok_or_else(|| format!("`{text}` is too large"))
}

/// An amount in the smallest unit as CYBR, without trailing zeros (`1.5 CYBR`).
pub fn format_amount(amount: u128) -> String {
	let unit = 10u128.pow(DECIMALS);
	let (whole, fraction) = (amount / unit, amount % unit);
	if fraction == 0 {
		return format!("{whole} CYBR");
	}
	let digits = format!("{fraction:0width$}", width = DECIMALS as usize);
	format!("{whole}.{} CYBR", digits.trim_end_matches('0'))
}

/// Parses a size: a number of bytes, or a number with a binary (`KiB`, `MiB`, `GiB`,
/// `TiB`) or decimal (`kB`, `MB`, `GB`, `TB`) unit, `B` alone for bytes. Zero is refused:
/// no command takes an empty size.
pub fn parse_size(text: &str) -> Result<u64, String> {
	let t = text.trim();
	let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
	let (number, unit) = (&t[..split], t[split..].trim());
	let scale: u64 = match unit.to_ascii_lowercase().as_str() {
		"" | "b" => 1,
		"k" | "kib" => 1 << 10,
		"m" | "mib" => 1 << 20,
		"g" | "gib" => 1 << 30,
		"t" | "tib" => 1 << 40,
		"kb" => 1_000,
		"mb" => 1_000_000,
		"gb" => 1_000_000_000,
		"tb" => 1_000_000_000_000,
		_ => return Err(format!("`{text}`: unknown unit `{unit}`; use B, KiB, MiB, GiB or TiB (e.g. 2TiB)")),
	};
	let value: f64 = number.parse().map_err(|_| format!("`{text}` is not a size: write e.g. 512MiB or 2TiB"))?;
	let bytes = value * scale as f64;
	if !(bytes >= 1.0) {
		return Err(format!("`{text}`: a size must be at least one byte"));
	}
	if bytes > u64::MAX as f64 {
		return Err(format!("`{text}` is too large"));
	}
	Ok(bytes.round() as u64)
}

/// A byte count for people: `1.5 MiB`.
pub fn format_size(bytes: u64) -> String {
	const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
	let mut value = bytes as f64;
	let mut unit = 0;
	while value >= 1024.0 && unit + 1 < UNITS.len() {
		value /= 1024.0;
		unit += 1;
	}
	if unit == 0 {
		format!("{bytes} B")
	} else {
		format!("{value:.1} {}", UNITS[unit])
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_to_the_smallest_unit_and_back() {
		assert_eq!(parse_amount("1.5"), Ok(1_500_000_000_000));
		assert_eq!(parse_amount("10"), Ok(10_000_000_000_000));
		assert_eq!(parse_amount(".000000000001"), Ok(1));
		assert_eq!(format_amount(1_500_000_000_000), "1.5 CYBR");
		assert_eq!(format_amount(1), "0.000000000001 CYBR");
		assert_eq!(format_amount(3_000_000_000_000), "3 CYBR");
		for bad in ["", ".", "1.2.3", "-1", "abc", "1e3"] {
			assert!(parse_amount(bad).is_err(), "{bad}");
		}
		assert!(parse_amount("0.0000000000001").unwrap_err().contains("13 decimals"));
		assert!(parse_amount("999999999999999999999999999999").unwrap_err().contains("too large"));
	}

	#[test]
	fn sizes_parse_with_their_units() {
		assert_eq!(parse_size("2TiB"), Ok(2 << 40));
		assert_eq!(parse_size("512MiB"), Ok(512 << 20));
		assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
		assert_eq!(parse_size("4096"), Ok(4096));
		assert_eq!(parse_size("1MB"), Ok(1_000_000));
		assert!(parse_size("0").unwrap_err().contains("at least one byte"));
		assert!(parse_size("0GiB").is_err());
		assert!(parse_size("3 parsecs").unwrap_err().contains("unknown unit"));
		assert_eq!(format_size(1536), "1.5 KiB");
		assert_eq!(format_size(12), "12 B");
	}
}
