//! Keys the way Substrate users have them: a secret URI (`--suri`, `LANDMESH_SURI`:
//! `//Alice` on a dev chain, a mnemonic with derivation and `///password`), or a
//! polkadot.js JSON key export with its password (`--key-file`, the password from
//! `LANDMESH_PASSWORD` or asked for). A secret never has to be typed on a command line.

use crate::chain::AccountId;
use std::{path::Path, str::FromStr};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The signing key from a secret URI or a key file.
pub fn keypair(suri: Option<&str>, key_file: Option<&Path>) -> Result<Keypair, String> {
	match (suri, key_file) {
		(Some(_), Some(_)) => Err("give --suri or --key-file, not both".into()),
		(Some(suri), None) => from_suri(suri),
		(None, Some(file)) => from_json_file(file),
		(None, None) => Err(
			"this command signs: set LANDMESH_SURI (e.g. `export LANDMESH_SURI=//Alice` on a dev chain) or pass --key-file with a polkadot.js export"
				.into(),
		),
	}
}

/// A key from a secret URI.
pub fn from_suri(suri: &str) -> Result<Keypair, String> {
	let fix = "a secret URI is a mnemonic or 0x seed with optional //hard/soft derivations and ///password, or //Alice on a dev chain";
	let uri = SecretUri::from_str(suri.trim()).map_err(|e| format!("the secret URI is not valid ({e}): {fix}"))?;
	Keypair::from_uri(&uri).map_err(|e| format!("the secret URI gives no key ({e}): {fix}"))
}

/// A key from a polkadot.js JSON export (sr25519, encrypted with scrypt and
/// xsalsa20-poly1305).
pub fn from_json_file(path: &Path) -> Result<Keypair, String> {
	let json = std::fs::read_to_string(path).map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
	let password = match std::env::var("LANDMESH_PASSWORD") {
		Ok(p) => p,
		Err(_) => rpassword::prompt_password(format!("Password for {}: ", path.display()))
			.map_err(|e| format!("cannot read the password ({e}): set LANDMESH_PASSWORD"))?,
	};
	subxt_signer::polkadot_js_compat::decrypt_json(&json, &password)
		.map_err(|e| format!("cannot open the key file {} ({e}): is it a polkadot.js export and the password right?", path.display()))
}

/// An account from its SS58 address, or a dev account's name (`alice`, `//Bob`).
pub fn account(text: &str) -> Result<AccountId, String> {
	let t = text.trim();
	if let Ok(id) = AccountId::from_str(t) {
		return Ok(id);
	}
	let dev = t.trim_start_matches("//");
	if ["alice", "bob", "charlie", "dave", "eve", "ferdie"].contains(&dev.to_ascii_lowercase().as_str()) {
		let mut name = dev.to_ascii_lowercase();
		name[..1].make_ascii_uppercase();
		return Ok(from_suri(&format!("//{name}"))?.public_key().to_account_id());
	}
	Err(format!("`{text}` is not an account: give its SS58 address (5…) or, on a dev chain, alice, bob, …"))
}

/// The account a key signs for.
pub fn account_of(key: &Keypair) -> AccountId {
	key.public_key().to_account_id()
}

/// A signature of `message` as the gateways take it: sr25519, hex with `0x`.
pub fn sign_hex(key: &Keypair, message: &[u8]) -> String {
	format!("0x{}", hex::encode(key.sign(message).0))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_names_and_addresses_name_the_same_account() {
		let alice = from_suri("//Alice").unwrap();
		assert_eq!(account("alice").unwrap(), account_of(&alice));
		assert_eq!(account(&account_of(&alice).to_string()).unwrap(), account_of(&alice));
		assert!(account("mallory").unwrap_err().contains("SS58"));
		assert!(from_suri("not a mnemonic at all").unwrap_err().contains("secret URI"));
		assert!(keypair(None, None).unwrap_err().contains("LANDMESH_SURI"));
	}
}
