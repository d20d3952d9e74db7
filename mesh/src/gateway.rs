//! The HTTP gateway: the mesh as a CDN edge for browsers.
//!
//! - `GET|HEAD /content/<root>`: the bytes of a content, verified as they are read. One
//!   byte range per request (`206`, or `416` when it lies past the end); a request with
//!   several ranges or a malformed `Range` gets the whole content (`200`), as RFC 9110
//!   allows and nginx does. Content ids name immutable bytes, so responses carry
//!   `ETag: "<root>"`, `Cache-Control: public, max-age=31536000, immutable`, and answer
//!   `If-None-Match` with `304`. `Content-Type` is the media type recorded with the
//!   content (the upload's, or the model format the chain gives). On a miss the gateway
//!   asks the mesh (DHT providers, and the holders its [`Directory`] names), starts a
//!   download, and streams each verified piece as it lands; the copy stays as cache, with
//!   the media type the directory gives.
//! - `POST /content`: upload a body (streamed to disk, at most the upload limit, `413`
//!   beyond it); answers `201` with the content id and its magnet link. Uploads are
//!   pinned.
//! - **Gated content**: before serving, the gateway asks its [`Directory`] (the node:
//!   the content's model and its access rule on chain). A gated content needs a signed
//!   request ([`Credentials`]: account, expiry, sr25519 signature of
//!   `landmesh-fetch:<root>:<expiry>`): `401` without one, `403` when the rule says no;
//!   what is served is then `Cache-Control: private`.
//! - CORS is open (`*`): any world's web client may load models from any node.
//!
//! Every failure is a [`GatewayError`], mapped to a status and a plain-text message in
//! one place.

use crate::{
	fetch::{self, Started},
	magnet::Magnet,
	peers::Mesh,
	store::{BlobInfo, Pin, Store, StoreError},
	verified::VerifyError,
	ContentId,
};
use axum::{
	body::{Body, Bytes},
	extract::{Path, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
	response::{IntoResponse, Response},
	routing::{get, post},
	Router,
};
use futures::StreamExt;
use libp2p::{Multiaddr, PeerId};
use std::{io, ops::Range, os::unix::fs::FileExt, sync::Arc};
use tokio::sync::mpsc;

/// What is known about contents beyond the store: in the node, the chain. Called on
/// blocking threads.
pub trait Directory: Send + Sync {
	/// Peers known to hold a content besides those the DHT names, with their addresses
	/// (the miners keeping its replicas).
	fn holders(&self, root: &ContentId) -> Vec<(PeerId, Vec<Multiaddr>)>;
	/// The media type of a content (its model's format), if known.
	fn media_type(&self, root: &ContentId) -> Option<String>;
	/// Whether the requester (`who`, from the request's credentials headers) may fetch a
	/// content. Open unless the directory says otherwise.
	fn access(&self, _root: &ContentId, _who: Option<&Credentials>) -> Access {
		Access::Open
	}
}

/// Who a request says it comes from: `X-Landmesh-Account` (SS58), `X-Landmesh-Expires`
/// (unix seconds) and `X-Landmesh-Signature` (hex sr25519 signature of
/// `landmesh-fetch:<root hex>:<expires>`). The directory checks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
	/// The account, as sent.
	pub account: String,
	/// When the signature stops being valid.
	pub expires: u64,
	/// The signature, as sent.
	pub signature: String,
}

impl Credentials {
	/// The message a wallet signs to fetch `root` until `expires`.
	pub fn message(root: &ContentId, expires: u64) -> String {
		format!("landmesh-fetch:{}:{expires}", root.to_hex())
	}

	fn from_headers(headers: &HeaderMap) -> Result<Option<Credentials>, GatewayError> {
		let get = |name: &str| headers.get(name).map(|v| v.to_str().map(str::trim));
		match (get("x-landmesh-account"), get("x-landmesh-expires"), get("x-landmesh-signature")) {
			(None, None, None) => Ok(None),
			(Some(Ok(account)), Some(Ok(expires)), Some(Ok(signature))) => Ok(Some(Credentials {
				account: account.to_string(),
				expires: expires.parse().map_err(|_| GatewayError::BadCredentials("X-Landmesh-Expires is not a number".into()))?,
				signature: signature.to_string(),
			})),
			_ => Err(GatewayError::BadCredentials(
				"send all of X-Landmesh-Account, X-Landmesh-Expires and X-Landmesh-Signature".into(),
			)),
		}
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
}

/// What the gateway serves from, and its limits.
pub struct Gateway {
	/// The store.
	pub store: Store,
	/// The largest upload accepted, in bytes.
	pub upload_limit: u64,
	/// The mesh to fetch misses through (none: a miss is a 404).
	pub mesh: Option<Mesh>,
	/// Who else holds a content, and what it is, for misses.
	pub directory: Option<Arc<dyn Directory>>,
}

impl Gateway {
	/// A gateway serving only what `store` holds.
	pub fn local(store: Store, upload_limit: u64) -> Gateway {
		Gateway { store, upload_limit, mesh: None, directory: None }
	}
}

/// Bytes handed to the HTTP body at a time while a download streams: as many as a
/// verified read hands over at once.
const BODY_CHUNK: usize = crate::verified::READ_BLOCK as usize;

/// Everything that can go wrong, each with its status.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
	/// The path does not hold a content id.
	#[error("`{0}` is not a content id: expected 64 hex digits (the BLAKE3 root)")]
	BadRoot(String),
	/// Not stored here.
	#[error("content {0} is not stored on this node")]
	NotFound(String),
	/// The range lies past the end.
	#[error("range not satisfiable: the content has {0} bytes")]
	RangeNotSatisfiable(u64),
	/// The upload is larger than allowed.
	#[error("the upload is larger than this gateway's limit of {0} bytes")]
	TooLarge(u64),
	/// The upload's length and body disagree.
	#[error("the upload is malformed: {0}")]
	BadUpload(String),
	/// Pinned content fills the store.
	#[error("this node's store is full of pinned content")]
	Full,
	/// The local copy failed verification and was dropped.
	#[error("the local copy of {0} failed verification and was dropped; retry")]
	Corrupt(String),
	/// The content is gated and the request proves no (valid) requester.
	#[error("this content is gated: {0}")]
	Unauthenticated(String),
	/// The credentials headers are malformed.
	#[error("bad credentials: {0}")]
	BadCredentials(String),
	/// The requester may not fetch this content.
	#[error("forbidden: {0}")]
	Forbidden(String),
	/// Anything else (disk, index).
	#[error("internal error: {0}")]
	Internal(String),
}

impl GatewayError {
	fn status(&self) -> StatusCode {
		match self {
			GatewayError::BadRoot(_) | GatewayError::BadUpload(_) | GatewayError::BadCredentials(_) => {
				StatusCode::BAD_REQUEST
			},
			GatewayError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
			GatewayError::Forbidden(_) => StatusCode::FORBIDDEN,
			GatewayError::NotFound(_) => StatusCode::NOT_FOUND,
			GatewayError::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
			GatewayError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
			GatewayError::Full => StatusCode::INSUFFICIENT_STORAGE,
			GatewayError::Corrupt(_) => StatusCode::SERVICE_UNAVAILABLE,
			GatewayError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
		}
	}
}

impl From<StoreError> for GatewayError {
	fn from(e: StoreError) -> Self {
		use crate::import::ImportError;
		match e {
			StoreError::NotFound(root) => GatewayError::NotFound(root.to_hex()),
			StoreError::Full { .. } => GatewayError::Full,
			StoreError::Corrupt(root) => GatewayError::Corrupt(root.to_hex()),
			StoreError::Import(ImportError::TooLarge { limit }) => GatewayError::TooLarge(limit),
			StoreError::Import(ImportError::SizeMismatch { announced, actual }) => {
				GatewayError::BadUpload(format!("Content-Length said {announced} bytes, the body had {actual}"))
			},
			other => GatewayError::Internal(other.to_string()),
		}
	}
}

impl IntoResponse for GatewayError {
	fn into_response(self) -> Response {
		let mut response = (self.status(), format!("{self}\n")).into_response();
		let headers = response.headers_mut();
		cors(headers);
		if let GatewayError::RangeNotSatisfiable(size) = self {
			headers.insert(header::CONTENT_RANGE, value(&format!("bytes */{size}")));
		}
		if let GatewayError::Corrupt(_) = self {
			headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
		}
		if let GatewayError::Unauthenticated(_) = self {
			headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Landmesh realm=\"content\""));
		}
		response
	}
}

/// The gateway's routes.
pub fn router(gateway: Arc<Gateway>) -> Router {
	Router::new()
		.route("/content/{root}", get(get_content).options(preflight))
		.route("/content", post(upload).options(preflight))
		.with_state(gateway)
}

/// Serves the gateway on `listener` until the future is dropped.
pub async fn serve(listener: tokio::net::TcpListener, gateway: Arc<Gateway>) -> io::Result<()> {
	axum::serve(listener, router(gateway)).await
}

fn value(text: &str) -> HeaderValue {
	HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

fn cors(headers: &mut HeaderMap) {
	headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
	headers.insert(
		header::ACCESS_CONTROL_EXPOSE_HEADERS,
		HeaderValue::from_static("Content-Length, Content-Range, Accept-Ranges, ETag"),
	);
}

async fn preflight() -> Response {
	let mut response = StatusCode::NO_CONTENT.into_response();
	let headers = response.headers_mut();
	cors(headers);
	headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, POST, OPTIONS"));
	headers.insert(
		header::ACCESS_CONTROL_ALLOW_HEADERS,
		HeaderValue::from_static("Range, Content-Type, If-None-Match, X-Landmesh-Account, X-Landmesh-Expires, X-Landmesh-Signature"),
	);
	headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
	response
}

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

/// `GET` and `HEAD` of a content.
async fn get_content(
	State(gateway): State<Arc<Gateway>>,
	Path(root): Path<String>,
	method: Method,
	headers: HeaderMap,
) -> Result<Response, GatewayError> {
	let root = ContentId::from_hex(&root).map_err(|_| GatewayError::BadRoot(root.clone()))?;
	let private = check_access(&gateway, root, &headers).await?;
	let store = gateway.store.clone();
	let (info, miss) = match blocking(move || store.info(&root)).await? {
		Some(info) => (info, None),
		None => {
			let (started, media_type) = fetch_miss(&gateway, root).await?;
			let info = BlobInfo { root, size: started.size, media_type, pinned: false };
			(info, Some(started))
		},
	};
	let etag = format!("\"{}\"", root.to_hex());
	let mut response_headers = HeaderMap::new();
	cors(&mut response_headers);
	response_headers.insert(header::ETAG, value(&etag));
	// A gated content is the requester's alone: shared caches must not keep it.
	let caching = if private { "private, max-age=31536000, immutable" } else { "public, max-age=31536000, immutable" };
	response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
	response_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
	let media_type = info.media_type.as_deref().unwrap_or("application/octet-stream");
	response_headers.insert(header::CONTENT_TYPE, value(media_type));

	let not_modified = headers
		.get(header::IF_NONE_MATCH)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
	if not_modified {
		return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
	}

	let range = parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), info.size);
	let (status, bytes) = match range {
		RangeRequest::Full => (StatusCode::OK, 0..info.size),
		RangeRequest::Partial(r) => {
			response_headers
				.insert(header::CONTENT_RANGE, value(&format!("bytes {}-{}/{}", r.start, r.end - 1, info.size)));
			(StatusCode::PARTIAL_CONTENT, r)
		},
		RangeRequest::Unsatisfiable => return Err(GatewayError::RangeNotSatisfiable(info.size)),
	};
	response_headers.insert(header::CONTENT_LENGTH, value(&(bytes.end - bytes.start).to_string()));
	if method == Method::HEAD {
		return Ok((status, response_headers).into_response());
	}
	let body = match miss {
		None => stream_verified(gateway.store.clone(), info, bytes).await?,
		Some(started) => stream_download(gateway.store.clone(), root, started, bytes),
	};
	Ok((status, response_headers, body).into_response())
}

/// Asks the directory whether the request may have `root`; `true` if the answer is for
/// this requester only.
async fn check_access(gateway: &Gateway, root: ContentId, headers: &HeaderMap) -> Result<bool, GatewayError> {
	let Some(directory) = gateway.directory.clone() else { return Ok(false) };
	let who = Credentials::from_headers(headers)?;
	let access = tokio::task::spawn_blocking(move || directory.access(&root, who.as_ref()))
		.await
		.map_err(|e| GatewayError::Internal(e.to_string()))?;
	match access {
		Access::Open => Ok(false),
		Access::Granted => Ok(true),
		Access::Unauthenticated(why) => Err(GatewayError::Unauthenticated(why)),
		Access::Denied(why) => Err(GatewayError::Forbidden(why)),
	}
}

/// Starts fetching a content this node lacks from the peers that have it; with its
/// media type, if the directory knows it.
async fn fetch_miss(gateway: &Gateway, root: ContentId) -> Result<(Started, Option<String>), GatewayError> {
	let not_found = || GatewayError::NotFound(root.to_hex());
	let mesh = gateway.mesh.as_ref().ok_or_else(not_found)?;
	let (named, media_type) = match gateway.directory.clone() {
		Some(directory) => {
			tokio::task::spawn_blocking(move || (directory.holders(&root), directory.media_type(&root)))
				.await
				.unwrap_or_default()
		},
		None => Default::default(),
	};
	let peers = fetch::sources(mesh, root, named).await;
	if peers.is_empty() {
		return Err(not_found());
	}
	let started = fetch::start_as(mesh, &gateway.store, root, &peers, media_type.clone()).await.map_err(|e| {
		log::debug!(target: "mesh", "miss on {root:?}: {e}");
		not_found()
	})?;
	Ok((started, media_type))
}

/// Streams `range` of a content while it downloads: each piece is sent as soon as the
/// download's verified prefix covers it. The download completes (and is cached) even if
/// the client goes away.
fn stream_download(store: Store, root: ContentId, started: Started, range: Range<u64>) -> Body {
	let Started { file, verified, done, .. } = started;
	tokio::spawn(async move {
		if let Ok(Ok(got)) = done.await {
			let _ = store.touch(&root, 0);
			log::debug!(target: "mesh", "cached {root:?} from {} peers", got.from.len());
		}
	});
	let state = (range.start, verified, file);
	let stream = futures::stream::unfold(state, move |(pos, mut verified, file)| async move {
		if pos >= range.end {
			return None;
		}
		// Wait until the verified prefix passes `pos` (or the download ends without it).
		loop {
			if *verified.borrow_and_update() > pos {
				break;
			}
			if verified.changed().await.is_err() && *verified.borrow() <= pos {
				let err = io::Error::new(io::ErrorKind::UnexpectedEof, "the download failed before this range arrived");
				return Some((Err(err), (range.end, verified, file)));
			}
		}
		let end = range.end.min(*verified.borrow()).min(pos + BODY_CHUNK as u64);
		let reader = file.clone();
		let read = tokio::task::spawn_blocking(move || {
			let mut buf = vec![0u8; (end - pos) as usize];
			reader.read_exact_at(&mut buf, pos).map(|()| Bytes::from(buf))
		})
		.await
		.unwrap_or_else(|e| Err(io::Error::other(e)));
		Some((read, (end, verified, file)))
	});
	Body::from_stream(stream)
}

/// Streams `range` of a stored content, verified. The first piece is awaited before the
/// response starts, so a content found corrupt at its start gets an error status; later
/// corruption cuts the body short (a client sees a truncated response, never bad bytes).
async fn stream_verified(store: Store, info: BlobInfo, range: Range<u64>) -> Result<Body, GatewayError> {
	let (tx, mut rx) = mpsc::channel::<Result<Bytes, GatewayError>>(8);
	let root = info.root;
	tokio::task::spawn_blocking(move || {
		// Each verified block goes to the client as it is: no copy.
		let result = store.read(&root, range, |block| tx.blocking_send(Ok(block)).map_err(|_| VerifyError::Stopped));
		match result {
			Ok(n) => {
				let _ = store.touch(&root, n);
			},
			Err(StoreError::Verify(VerifyError::Stopped)) => {},
			Err(e) => {
				let _ = tx.blocking_send(Err(e.into()));
			},
		}
	});
	let first = rx.recv().await;
	let first = match first {
		Some(Err(e)) => return Err(e),
		other => other,
	};
	let rest = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
	let stream = futures::stream::iter(first).chain(rest).map(|item| item.map_err(io::Error::other));
	Ok(Body::from_stream(stream))
}

/// The `name` query parameter of an upload (for the magnet link), percent-decoded.
fn upload_name(uri: &Uri) -> Option<String> {
	uri.query()?.split('&').find_map(|pair| {
		let value = pair.strip_prefix("name=")?;
		percent_encoding::percent_decode_str(&value.replace('+', " ")).decode_utf8().ok().map(|v| v.into_owned())
	})
}

/// The answer to an upload.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
	/// The content id (hex).
	pub content_id: String,
	/// Bytes stored.
	pub size: u64,
	/// The magnet link.
	pub magnet: String,
	/// Where this gateway serves it.
	pub url: String,
}

/// `POST /content`: stream the body into the store.
async fn upload(
	State(gateway): State<Arc<Gateway>>,
	uri: Uri,
	headers: HeaderMap,
	body: Body,
) -> Result<Response, GatewayError> {
	let limit = gateway.upload_limit;
	let length = match headers.get(header::CONTENT_LENGTH) {
		Some(v) => Some(
			v.to_str()
				.ok()
				.and_then(|s| s.parse::<u64>().ok())
				.ok_or_else(|| GatewayError::BadUpload("Content-Length is not a number".into()))?,
		),
		None => None,
	};
	if length.is_some_and(|l| l > limit) {
		return Err(GatewayError::TooLarge(limit));
	}
	let media_type = headers
		.get(header::CONTENT_TYPE)
		.and_then(|v| v.to_str().ok())
		.filter(|t| !t.starts_with("application/x-www-form-urlencoded"))
		.map(str::to_owned);
	// The body arrives as async frames; the importer reads synchronously on a blocking
	// thread. A bounded channel between them keeps memory constant.
	let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(16);
	let store = gateway.store.clone();
	let import = tokio::task::spawn_blocking(move || {
		store.import(ChannelReader { rx, current: Bytes::new() }, length, limit, media_type, Some(Pin::Upload))
	});
	let mut frames = body.into_data_stream();
	while let Some(frame) = frames.next().await {
		let frame = frame.map_err(|e| io::Error::new(io::ErrorKind::ConnectionAborted, e.to_string()));
		let failed = frame.is_err();
		if tx.send(frame).await.is_err() || failed {
			break; // the importer stopped (too large, or the client went away)
		}
	}
	drop(tx);
	let info = import.await.map_err(|e| GatewayError::Internal(e.to_string()))??;
	if let Some(mesh) = &gateway.mesh {
		mesh.provide(info.root).await;
	}
	let magnet = Magnet { root: info.root, size: Some(info.size), name: upload_name(&uri) };
	let uploaded = Uploaded {
		content_id: info.root.to_hex(),
		size: info.size,
		magnet: magnet.to_string(),
		url: format!("/content/{}", info.root.to_hex()),
	};
	let mut response = (StatusCode::CREATED, axum::Json(uploaded)).into_response();
	cors(response.headers_mut());
	response.headers_mut().insert(header::LOCATION, value(&format!("/content/{}", info.root.to_hex())));
	Ok(response)
}

/// Reads the frames of an upload from a channel, blocking.
struct ChannelReader {
	rx: mpsc::Receiver<io::Result<Bytes>>,
	current: Bytes,
}

impl io::Read for ChannelReader {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		while self.current.is_empty() {
			match self.rx.blocking_recv() {
				Some(frame) => self.current = frame?,
				None => return Ok(0),
			}
		}
		let n = buf.len().min(self.current.len());
		buf[..n].copy_from_slice(&self.current.split_to(n));
		Ok(n)
	}
}

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, StoreError> + Send + 'static) -> Result<T, GatewayError> {
	tokio::task::spawn_blocking(f).await.map_err(|e| GatewayError::Internal(e.to_string()))?.map_err(Into::into)
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
