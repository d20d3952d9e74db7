//! Who a request says it comes from, and the messages a wallet signs for the gateway and
//! the mesh. The node's directory checks them against the chain.

use codec::{Decode, Encode};
use landmesh_primitives::ContentId;

/// Who a request says it comes from: an account (SS58), an expiry (unix seconds) and
/// the account's sr25519 signature (hex) of [`Credentials::message`]. Over HTTP they are
/// the headers `X-Landmesh-Account`, `X-Landmesh-Expires` and `X-Landmesh-Signature`;
/// over the mesh, part of the request. The directory checks them.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Credentials {
	/// The account, as sent.
	pub account: String,
	/// When the signature stops being valid.
	pub expires: u64,
	/// The signature, as sent.
	pub signature: String,
}

impl Credentials {
	/// The message a wallet signs to fetch `root` until `expires` on the chain whose
	/// genesis hash is `chain` (hex, no `0x`): naming the chain keeps a signature made
	/// for a test net from opening the same content on another chain.
	pub fn message(chain: &str, root: &ContentId, expires: u64) -> String {
		format!("landmesh-fetch:{chain}:{}:{expires}", root.to_hex())
	}

	/// The message a wallet signs to upload to the gateways of chain `chain` until
	/// `expires`. The content is not known before it is hashed, so the signature admits
	/// any upload for its short life; a web page without the wallet cannot make one.
	pub fn upload_message(chain: &str, expires: u64) -> String {
		format!("landmesh-upload:{chain}:{expires}")
	}
}
