//! What the mesh asks of the world beyond its store: in the node, the chain.
//!
//! A [`Directory`] names the holders of a content, its size and media type as the chain
//! records them, and who may have it. Nothing a *peer* says is taken for any of these:
//! the gateway and the transfer protocol both ask the directory before a gated byte
//! leaves the node, and a download plans its ranges from a size the directory gives or
//! the content id proves (see [`crate::fetch`]).

use crate::ContentId;
use codec::{Decode, Encode};
use libp2p::{Multiaddr, PeerId};

/// What is known about contents beyond the store. Called on blocking threads.
pub trait Directory: Send + Sync {
	/// Peers known to hold a content besides those the DHT names, with their addresses
	/// (the miners keeping its replicas).
	fn holders(&self, root: &ContentId) -> Vec<(PeerId, Vec<Multiaddr>)>;
	/// The media type of a content (its model's format), if known.
	fn media_type(&self, root: &ContentId) -> Option<String>;
	/// The chain signed requests must name ([`Credentials::message`]), told to clients
	/// that are asked to sign.
	fn chain(&self) -> Option<String> {
		None
	}
	/// The content's size as the chain records it (its model's or its order's), if
	/// known. A download still proves it against the content id before trusting it.
	fn size(&self, _root: &ContentId) -> Option<u64> {
		None
	}
	/// Whether the requester (`who`, from the request's credentials) may fetch a
	/// content over HTTP. Open unless the directory says otherwise.
	fn access(&self, _root: &ContentId, _who: Option<&Credentials>) -> Access {
		Access::Open
	}
	/// Who may upload: `Ok(Some(account))` for an allowed signed uploader (its quota is
	/// counted by that name), `Ok(None)` for anyone (a local gateway), or why not.
	fn uploader(&self, _who: Option<&Credentials>) -> Result<Option<String>, Access> {
		Ok(None)
	}
	/// Whether mesh peer `peer` (its id is authenticated by the connection's handshake)
	/// may have a content, with the credentials its request carries. By default the same
	/// rule as over HTTP; the node also admits the miners the chain assigned the content.
	fn peer_access(&self, root: &ContentId, _peer: &PeerId, who: Option<&Credentials>) -> Access {
		self.access(root, who)
	}
}

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

/// What a directory says of a request for a content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
	/// Anyone may fetch it.
	Open,
	/// This requester may (the response is private to it).
	Granted,
	/// Credentials are needed (none or invalid ones were sent): why.
	Unauthenticated(String),
	/// This requester may not: why.
	Denied(String),
	/// The directory cannot decide now (too many checks this block): retry later.
	Busy(String),
}

impl Access {
	/// Whether the bytes may be handed over.
	pub fn allows(&self) -> bool {
		matches!(self, Access::Open | Access::Granted)
	}
}
