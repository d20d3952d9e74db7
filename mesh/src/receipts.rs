//! Served receipts: a client's signed word of the bytes a miner's gateway served it.
//!
//! Serving rewards are paid only for bytes clients vouch for (`pallet-rewards`), so the
//! gateway collects what its clients sign and the node's miner reports it:
//!
//! - `GET /receipts`: what to sign, as JSON `{"chain", "miner", "era", "message"}`: the
//!   chain's genesis hash and the miner's account (hex), the current era, and the text
//!   with `<bytes>` left to fill in
//!   (`landmesh-served:<chain>:<miner>:<era>:<bytes>`). `404` on a gateway that is not a
//!   miner's.
//! - `POST /receipts` with JSON `{"client": "<ss58>", "era": n, "bytes": n,
//!   "signature": "0x…"}`: `bytes` counts everything this gateway served the client in
//!   the era (receipts are cumulative: send a new one as you download more); the
//!   signature is the client's sr25519 signature of the message (raw, or wrapped in
//!   `<Bytes>…</Bytes>` as wallet extensions sign). `202` once kept; `400` with why when
//!   the era is not the current one or the signature is not the client's.
//!
//! The gateway does not check the bytes against its own counts: a client that inflates
//! them vouches with its own, bounded, allowance (the chain caps each client per era), and
//! a lower count only costs the miner. Bodies are at most [`MAX_RECEIPT_BODY`] bytes.

use crate::gateway::{Gateway, GatewayError};
use axum::{
	extract::State,
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The largest receipt body taken.
pub const MAX_RECEIPT_BODY: usize = 1024;

/// A receipt as a client sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptText {
	/// The client's account, SS58.
	pub client: String,
	/// The era the bytes were served in.
	pub era: u32,
	/// All bytes served to the client by this gateway in the era.
	pub bytes: u64,
	/// The client's signature (hex) of the served message.
	pub signature: String,
}

/// What a client signs for a receipt here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptTerms {
	/// The chain's genesis hash, hex.
	pub chain: String,
	/// The miner's account (SCALE-encoded), hex.
	pub miner: String,
	/// The current era.
	pub era: u32,
}

impl ReceiptTerms {
	/// The message to sign for `bytes`: `landmesh-served:<chain>:<miner>:<era>:<bytes>`
	/// (`landmesh_primitives::miner::served_message`).
	pub fn message(&self, bytes: u64) -> String {
		landmesh_primitives::miner::served_text(&self.chain, &self.miner, self.era, bytes)
	}
}

/// `GET /receipts`.
pub async fn terms(State(gateway): State<Arc<Gateway>>) -> Response {
	match gateway.directory.as_ref().and_then(|d| d.receipt_terms()) {
		Some(terms) => {
			let message = landmesh_primitives::miner::served_text(&terms.chain, &terms.miner, terms.era, "<bytes>");
			let mut body = serde_json::to_value(&terms).unwrap_or_default();
			body["message"] = serde_json::Value::String(message);
			Json(body).into_response()
		},
		None => GatewayError::NoReceipts.into_response(),
	}
}

/// `POST /receipts` (the route limits the body to [`MAX_RECEIPT_BODY`]).
pub async fn submit(State(gateway): State<Arc<Gateway>>, body: axum::body::Bytes) -> Response {
	let receipt: ReceiptText = match serde_json::from_slice(&body) {
		Ok(receipt) => receipt,
		Err(e) => {
			return GatewayError::BadReceipt(format!(
				"expected {{\"client\", \"era\", \"bytes\", \"signature\"}}: {e}"
			))
			.into_response()
		},
	};
	let Some(directory) = gateway.directory.clone() else { return GatewayError::NoReceipts.into_response() };
	// The directory verifies a signature: not on the async threads.
	match tokio::task::spawn_blocking(move || directory.take_receipt(receipt)).await {
		Ok(Ok(())) => (StatusCode::ACCEPTED, "kept: the miner reports it\n").into_response(),
		Ok(Err(why)) => GatewayError::BadReceipt(why).into_response(),
		Err(_) => GatewayError::BadReceipt("the node is shutting down".into()).into_response(),
	}
}
