//! What the mesh asks of the world beyond its store: in the node, the chain.
//!
//! A [`Directory`] names the holders of a content, its size and media type as the chain
//! records them, and who may have it. Nothing a *peer* says is taken for any of these:
//! the gateway and the transfer protocol both ask the directory before a gated byte
//! leaves the node, and a download plans its ranges from a size the directory gives or
//! the content id proves (see [`crate::fetch`]).

pub use crate::credentials::Credentials;
pub use crate::receipts::{ReceiptTerms, ReceiptText};
use crate::ContentId;
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
	/// What clients sign served receipts for here, if this is a miner's gateway.
	fn receipt_terms(&self) -> Option<ReceiptTerms> {
		None
	}
	/// Keeps a client's served receipt for the miner to report, or says why not.
	fn take_receipt(&self, _receipt: ReceiptText) -> Result<(), String> {
		Err("this gateway is not a miner's: it takes no served receipts".into())
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
