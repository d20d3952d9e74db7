//! What a command prints: lines and tables for people, or one JSON document for
//! scripts (`--json`), carrying the same facts.

use serde_json::Value;

/// Where a command's result goes.
#[derive(Clone, Copy)]
pub struct Output {
	/// One JSON document on stdout instead of text.
	pub json: bool,
}

impl Output {
	/// Prints a result: `human` for people, `json` for scripts.
	pub fn result(&self, human: impl FnOnce() -> String, json: Value) {
		if self.json {
			println!("{}", serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string()));
		} else {
			let text = human();
			if !text.is_empty() {
				println!("{}", text.trim_end());
			}
		}
	}

	/// A step of a longer journey, for people only (stderr, so stdout stays the result).
	pub fn step(&self, text: &str) {
		if !self.json {
			eprintln!("{text}");
		}
	}

	/// A progress bar of `total` bytes, hidden for scripts and when stderr is no terminal.
	pub fn bar(&self, total: u64, what: &str) -> indicatif::ProgressBar {
		if self.json {
			return indicatif::ProgressBar::hidden();
		}
		let bar = indicatif::ProgressBar::new(total);
		let style = indicatif::ProgressStyle::with_template(
			"{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
		)
		.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
		.progress_chars("=> ");
		bar.set_style(style);
		bar.set_message(what.to_string());
		bar
	}
}

/// A table for people.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
	let mut t = comfy_table::Table::new();
	t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
	t.set_header(header.iter().map(|h| h.to_string()));
	for r in rows {
		t.add_row(r);
	}
	t.to_string()
}
