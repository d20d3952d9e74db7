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
//!   the media type the directory gives. Misses are bounded: one download per content
//!   (later requests join it), at most [`MAX_MISSES`] downloads at once and
//!   [`MAX_MISSES_PER_CLIENT`] started by one client address (`503`/`429` with
//!   `Retry-After` beyond), ids nobody has answered `404` from memory for
//!   [`ABSENT_FOR`], and a download's bytes reserved in the store before it starts. `HEAD`
//!   on a miss answers from the size the chain records, transferring nothing.
//! - `POST /content`: upload a body (streamed to disk, at most the upload limit, `413`
//!   beyond it); answers `201` with the content id and its magnet link, once the index
//!   entry is synced. Uploads are pinned. With a directory, the uploader signs
//!   (`landmesh-upload:<chain>:<expires>`, the same headers as a gated fetch) and must be
//!   an account the directory allows (`401`/`403` otherwise); each keeps at most
//!   [`Gateway::upload_quota`] bytes here, and uploads in all at most
//!   [`Gateway::upload_share`] of the store, so assigned replicas always have room. A
//!   content keeps the media type it was first stored with.
//! - `GET|POST /receipts`: served receipts from clients, for the miner's serving rewards
//!   ([`crate::receipts`]).
//! - **Gated content**: before serving, the gateway asks its [`Directory`] (the node:
//!   the content's model and its access rule on chain). A gated content needs a signed
//!   request ([`Credentials`]: account, expiry, sr25519 signature of
//!   `landmesh-fetch:<root>:<expiry>`): `401` without one, `403` when the rule says no;
//!   what is served is then `Cache-Control: private`.
//! - CORS is open (`*`) on every response, errors included: any world's web client may
//!   load models from any node. Every response also carries `X-Content-Type-Options:
//!   nosniff` and a sandboxing `Content-Security-Policy`, so content served from this
//!   origin can never run as a page of it, whatever media type it was given.
//!
//! Every failure is a [`GatewayError`], mapped to a status and a plain-text message in
//! one place.

use crate::{
	directory::{Access, Credentials, Directory},
	range::{parse_range, RangeRequest},
};
use crate::{
	fetch::{self, FetchOptions, Started},
	magnet::Magnet,
	peers::Mesh,
	store::{BlobInfo, Pin, Store, StoreError},
	ContentId,
};
use axum::{
	body::{Body, Bytes},
	extract::{ConnectInfo, Path, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
	response::{IntoResponse, Response},
	routing::{get, post},
	Router,
};
use futures::StreamExt;
use std::{
	collections::HashMap,
	fs::File,
	io,
	net::{IpAddr, SocketAddr},
	ops::Range,
	os::unix::fs::FileExt,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::sync::{mpsc, watch};

/// The credentials headers of a request, if it sends them.
fn credentials_from_headers(headers: &HeaderMap) -> Result<Option<Credentials>, GatewayError> {
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

/// What the gateway serves from, and its limits.
pub struct Gateway {
	/// The store.
	pub store: Store,
	/// The largest upload accepted, in bytes.
	pub upload_limit: u64,
	/// The largest content fetched on a miss (the chain's largest), in bytes.
	pub max_content: u64,
	/// Bytes one uploader may keep pinned here, in bytes.
	pub upload_quota: u64,
	/// The share of the store uploads may take, as (numerator, denominator): the rest
	/// stays for the replicas the chain assigns, which a store full of uploads must never
	/// refuse.
	pub upload_share: (u64, u64),
	/// The mesh to fetch misses through (none: a miss is a 404).
	pub mesh: Option<Mesh>,
	/// Who else holds a content, and what it is, for misses.
	pub directory: Option<Arc<dyn Directory>>,
	misses: Misses,
	/// The accounts uploading now, and how many uploads run.
	uploading: Mutex<(std::collections::HashSet<String>, usize)>,
}

impl Gateway {
	/// A gateway over `store` that fetches misses through `mesh` from the holders
	/// `directory` names.
	pub fn new(store: Store, upload_limit: u64, mesh: Option<Mesh>, directory: Option<Arc<dyn Directory>>) -> Gateway {
		Gateway {
			store,
			upload_limit,
			max_content: u64::MAX,
			upload_quota: u64::MAX,
			upload_share: (1, 2),
			mesh,
			directory,
			misses: Misses::default(),
			uploading: Default::default(),
		}
	}

	/// A gateway serving only what `store` holds.
	pub fn local(store: Store, upload_limit: u64) -> Gateway {
		Gateway::new(store, upload_limit, None, None)
	}
}

/// Downloads at once for misses, in all.
pub const MAX_MISSES: usize = 32;
/// Downloads at once started by one client address.
pub const MAX_MISSES_PER_CLIENT: usize = 4;
/// How long an id that no peer had is answered `404` without asking again.
pub const ABSENT_FOR: Duration = Duration::from_secs(30);
/// Ids remembered as absent at most (beyond, the oldest half is forgotten).
const MAX_ABSENT: usize = 16_384;

/// A download for a miss, shared by every request for that content while it runs.
#[derive(Clone)]
struct Miss {
	size: u64,
	media_type: Option<String>,
	file: Arc<File>,
	verified: watch::Receiver<u64>,
}

/// A miss's outcome, once its download has started (or failed to).
type MissSlot = watch::Receiver<Option<Result<Miss, GatewayError>>>;

/// The misses under way and those recently found absent.
#[derive(Default)]
struct Misses {
	/// By content: the first request starts the download, the others await the same slot.
	running: Mutex<HashMap<ContentId, MissSlot>>,
	/// Downloads under way by the client address that started them.
	by_client: Mutex<HashMap<IpAddr, usize>>,
	/// Ids no peer had, and since when.
	absent: Mutex<HashMap<ContentId, Instant>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bytes handed to the HTTP body at a time while a download streams: as many as a
/// verified read hands over at once.
const BODY_CHUNK: usize = crate::verified::READ_BLOCK as usize;

/// Everything that can go wrong, each with its status.
#[derive(Clone, Debug, thiserror::Error)]
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
	/// The content is gated and the request proves no (valid) requester: why, and the
	/// chain to sign for.
	#[error("a signature is needed: {0}")]
	Unauthenticated(String, Option<String>),
	/// The credentials headers are malformed.
	#[error("bad credentials: {0}")]
	BadCredentials(String),
	/// The requester may not fetch this content.
	#[error("forbidden: {0}")]
	Forbidden(String),
	/// Too many downloads under way on this node, or access checks this block.
	#[error("this node is busy: {0}; retry shortly")]
	Busy(String),
	/// The uploader has an upload under way already.
	#[error("this account has an upload under way on this node: wait for it to finish")]
	TooManyUploads,
	/// The uploader has used its quota.
	#[error("this account's upload quota of {0} bytes on this node is used up")]
	QuotaExceeded(u64),
	/// This client has too many downloads under way.
	#[error("too many misses from this client at once ({0} allowed); retry when they finish")]
	TooManyMisses(usize),
	/// The content is larger than this node fetches.
	#[error("the content is larger than this node fetches ({0} bytes)")]
	ContentTooLarge(u64),
	/// This gateway is not a miner's: it takes no served receipts.
	#[error("this gateway is not a miner's: it takes no served receipts")]
	NoReceipts,
	/// A served receipt was refused: why.
	#[error("receipt refused: {0}")]
	BadReceipt(String),
	/// Anything else (disk, index).
	#[error("internal error: {0}")]
	Internal(String),
}

impl GatewayError {
	fn status(&self) -> StatusCode {
		match self {
			GatewayError::BadRoot(_)
			| GatewayError::BadUpload(_)
			| GatewayError::BadCredentials(_)
			| GatewayError::BadReceipt(_) => {
				StatusCode::BAD_REQUEST
			},
			GatewayError::Unauthenticated(..) => StatusCode::UNAUTHORIZED,
			GatewayError::Forbidden(_) => StatusCode::FORBIDDEN,
			GatewayError::NotFound(_) | GatewayError::NoReceipts => StatusCode::NOT_FOUND,
			GatewayError::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
			GatewayError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
			GatewayError::Full => StatusCode::INSUFFICIENT_STORAGE,
			GatewayError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
			GatewayError::TooManyMisses(_) | GatewayError::TooManyUploads => StatusCode::TOO_MANY_REQUESTS,
			GatewayError::ContentTooLarge(_) | GatewayError::QuotaExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
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
		if let GatewayError::RangeNotSatisfiable(size) = self {
			headers.insert(header::CONTENT_RANGE, value(&format!("bytes */{size}")));
		}
		if let GatewayError::Corrupt(_) | GatewayError::Busy(_) | GatewayError::TooManyMisses(_) = self {
			headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
		}
		if let GatewayError::Unauthenticated(_, chain) = &self {
			// Tells the client what to sign: `landmesh-fetch:<chain>:<root>:<expires>`.
			let challenge = match chain {
				Some(chain) => format!("Landmesh realm=\"content\", chain=\"{chain}\""),
				None => "Landmesh realm=\"content\"".into(),
			};
			headers.insert(header::WWW_AUTHENTICATE, value(&challenge));
		}
		response
	}
}

/// The gateway's routes. Every response, axum's own rejections included, gets the CORS
/// and content-security headers.
pub fn router(gateway: Arc<Gateway>) -> Router {
	Router::new()
		.route("/content/{root}", get(get_content).options(preflight))
		.route("/content/{root}/outboard", get(get_outboard).options(preflight))
		.route("/node", get(get_node))
		.route("/content", post(upload).options(preflight))
		.route(
			"/receipts",
			get(crate::receipts::terms)
				.post(crate::receipts::submit)
				.options(preflight)
				.layer(axum::extract::DefaultBodyLimit::max(crate::receipts::MAX_RECEIPT_BODY)),
		)
		.with_state(gateway)
		.layer(axum::middleware::map_response(common_headers))
}

/// Serves the gateway on `listener` until the future is dropped, within the connection
/// limits and timeouts of [`crate::server`].
pub async fn serve(listener: tokio::net::TcpListener, gateway: Arc<Gateway>) -> io::Result<()> {
	crate::server::serve(listener, router(gateway)).await
}

/// The headers every response carries.
async fn common_headers(mut response: Response) -> Response {
	let headers = response.headers_mut();
	cors(headers);
	headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
	// Content is data, never a page of this origin: no scripts, no plugins, no forms.
	headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
	response
}

fn value(text: &str) -> HeaderValue {
	HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

fn cors(headers: &mut HeaderMap) {
	headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
	headers.insert(
		header::ACCESS_CONTROL_EXPOSE_HEADERS,
		HeaderValue::from_static(
			"Content-Length, Content-Range, Accept-Ranges, ETag, Location, Retry-After, WWW-Authenticate, X-Landmesh-Content-Length",
		),
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

/// `GET` and `HEAD` of a content.
async fn get_content(
	State(gateway): State<Arc<Gateway>>,
	ConnectInfo(client): ConnectInfo<SocketAddr>,
	Path(root): Path<String>,
	method: Method,
	headers: HeaderMap,
) -> Result<Response, GatewayError> {
	let (root, who, mut response_headers) = admitted(&gateway, &root, &headers).await?;
	let store = gateway.store.clone();
	let etag = format!("\"{}\"", root.to_hex());
	response_headers.insert(header::ETAG, value(&etag));
	response_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
	// Validators first: a client that has the bytes costs no download, not even on a miss.
	if if_none_match(&headers, &etag) {
		return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
	}
	let (info, miss) = match blocking(move || store.info(&root)).await? {
		Some(info) => (info, None),
		// HEAD fetches nothing: a size the chain records or a download under way knows,
		// else the content is not here.
		None if method == Method::HEAD => match head_of_miss(&gateway, root).await? {
			Some(size) => (BlobInfo { root, size, media_type: None, pinned: false }, None),
			None => return Err(GatewayError::NotFound(root.to_hex())),
		},
		None => {
			let miss = join_miss(&gateway, root, client_key(client.ip()), who).await?;
			(BlobInfo { root, size: miss.size, media_type: miss.media_type.clone(), pinned: false }, Some(miss))
		},
	};
	let media_type = media_type_of(&gateway, &info).await;
	response_headers.insert(header::CONTENT_TYPE, value(&media_type));

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
		Some(miss) => stream_download(gateway.store.clone(), root, miss, bytes),
	};
	Ok((status, response_headers, body).into_response())
}

/// `GET /node`: this node's mesh identity, `{"peerId", "listenAddrs"}`, what a miner
/// registers on chain so that others reach its mesh (`landmesh miner register` reads it).
/// `404` on a gateway without a mesh.
async fn get_node(State(gateway): State<Arc<Gateway>>) -> Response {
	let Some(mesh) = gateway.mesh.clone() else {
		return (StatusCode::NOT_FOUND, "this gateway runs without a mesh\n").into_response();
	};
	let addrs: Vec<String> = mesh.listen_addrs().await.iter().map(|a| a.to_string()).collect();
	axum::Json(serde_json::json!({ "peerId": mesh.peer_id().to_string(), "listenAddrs": addrs })).into_response()
}

/// `GET /content/<root>/outboard`: the hash pairs above the content's 16 KiB groups
/// (BLAKE3's tree in post order, 64 bytes per pair, as bao-tree writes it), so that a
/// client checks every group it fetches, from this gateway or any other, against the
/// content id alone: 0.4% of the content's size. The size is in
/// `X-Landmesh-Content-Length`. Only for a content stored here (`404` else: a `GET` of
/// the content fetches it); the same access rule as the content's bytes.
async fn get_outboard(
	State(gateway): State<Arc<Gateway>>,
	Path(root): Path<String>,
	headers: HeaderMap,
) -> Result<Response, GatewayError> {
	let (root, _, mut response_headers) = admitted(&gateway, &root, &headers).await?;
	let store = gateway.store.clone();
	let outboard = blocking(move || store.outboard(&root)).await?.ok_or_else(|| GatewayError::NotFound(root.to_hex()))?;
	response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
	response_headers.insert("x-landmesh-content-length", value(&outboard.tree.size().to_string()));
	Ok((StatusCode::OK, response_headers, outboard.data).into_response())
}

/// The content a request names, who it says it is from, once its access rule admits the
/// request, and the caching headers that fit: a gated content is the requester's
/// alone, so shared caches must not keep it.
async fn admitted(
	gateway: &Gateway,
	root: &str,
	headers: &HeaderMap,
) -> Result<(ContentId, Option<Credentials>, HeaderMap), GatewayError> {
	let root = ContentId::from_hex(root).map_err(|_| GatewayError::BadRoot(root.to_string()))?;
	let who = credentials_from_headers(headers)?;
	let private = check_access(gateway, root, who.as_ref()).await?;
	let mut response_headers = HeaderMap::new();
	let caching = if private { "private, max-age=31536000, immutable" } else { "public, max-age=31536000, immutable" };
	response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
	Ok((root, who, response_headers))
}

/// Whether `If-None-Match` names this content's tag (weak comparison, RFC 9110 §13.1.2:
/// `W/"…"` matches too).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
	headers
		.get(header::IF_NONE_MATCH)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag))
}

/// The media type to serve a content with: its model's on chain when there is one (no
/// upload can change what a model's bytes are served as), else the one recorded.
async fn media_type_of(gateway: &Gateway, info: &BlobInfo) -> String {
	let from_chain = match gateway.directory.clone() {
		Some(directory) => {
			let root = info.root;
			tokio::task::spawn_blocking(move || directory.media_type(&root)).await.ok().flatten()
		},
		None => None,
	};
	from_chain.or_else(|| info.media_type.clone()).unwrap_or_else(|| "application/octet-stream".into())
}

/// Asks the directory whether the request may have `root`; `true` if the answer is for
/// this requester only.
async fn check_access(gateway: &Gateway, root: ContentId, who: Option<&Credentials>) -> Result<bool, GatewayError> {
	let Some(directory) = gateway.directory.clone() else { return Ok(false) };
	let who = who.cloned();
	let (access, chain) = tokio::task::spawn_blocking(move || (directory.access(&root, who.as_ref()), directory.chain()))
		.await
		.map_err(|e| GatewayError::Internal(e.to_string()))?;
	match access {
		Access::Open => Ok(false),
		Access::Granted => Ok(true),
		Access::Unauthenticated(why) => Err(GatewayError::Unauthenticated(why, chain)),
		Access::Denied(why) => Err(GatewayError::Forbidden(why)),
		Access::Busy(why) => Err(GatewayError::Busy(why)),
	}
}

/// The size of a content this node lacks, for `HEAD`, without fetching anything: a
/// download under way knows it, else the chain's record. `None` when neither does.
async fn head_of_miss(gateway: &Gateway, root: ContentId) -> Result<Option<u64>, GatewayError> {
	let size = locked(&gateway.misses.running)
		.get(&root)
		.and_then(|slot| slot.borrow().as_ref().and_then(|outcome| outcome.as_ref().ok().map(|miss| miss.size)));
	if size.is_some() {
		return Ok(size);
	}
	let Some(directory) = gateway.directory.clone() else { return Ok(None) };
	Ok(tokio::task::spawn_blocking(move || directory.size(&root)).await.ok().flatten())
}

/// The download for a miss on `root`: the one under way, or a new one started for
/// `client` within the limits.
async fn join_miss(
	gateway: &Arc<Gateway>,
	root: ContentId,
	client: IpAddr,
	who: Option<Credentials>,
) -> Result<Miss, GatewayError> {
	let not_found = || GatewayError::NotFound(root.to_hex());
	let mesh = gateway.mesh.clone().ok_or_else(not_found)?;
	let slot = {
		let mut running = locked(&gateway.misses.running);
		match running.get(&root) {
			Some(slot) => slot.clone(),
			// Checked under the slots' lock: a miss that just ended marked its id absent
			// before it gave up its slot.
			None if locked(&gateway.misses.absent).get(&root).is_some_and(|at| at.elapsed() < ABSENT_FOR) => {
				return Err(not_found())
			},
			None => {
				if running.len() >= MAX_MISSES {
					return Err(GatewayError::Busy(format!("{MAX_MISSES} downloads under way")));
				}
				let mut by_client = locked(&gateway.misses.by_client);
				let started = by_client.entry(client).or_default();
				if *started >= MAX_MISSES_PER_CLIENT {
					return Err(GatewayError::TooManyMisses(MAX_MISSES_PER_CLIENT));
				}
				*started += 1;
				let (outcome_tx, slot) = watch::channel(None);
				running.insert(root, slot.clone());
				let gateway = gateway.clone();
				// The download runs on its own task: it completes (and is cached) even if
				// every client goes away, and frees its places when it ends.
				tokio::spawn(async move {
					let mut places = MissPlaces { gateway: gateway.clone(), root, client, absent: false };
					let outcome = start_miss(&gateway, &mesh, root, who).await;
					places.absent = matches!(outcome, Err(GatewayError::NotFound(_)));
					let verified = outcome.as_ref().ok().map(|miss| miss.verified.clone());
					outcome_tx.send_replace(Some(outcome));
					if let Some(mut verified) = verified {
						// The download ends when its verified watch closes.
						while verified.changed().await.is_ok() {}
					}
					drop(places);
				});
				slot
			},
		}
	};
	// Every request for this content waits on the same slot: one download.
	let mut slot = slot;
	let outcome = slot.wait_for(Option::is_some).await.map(|o| o.clone());
	outcome.ok().flatten().unwrap_or_else(|| Err(GatewayError::Internal("the download's task stopped".into())))
}

/// Whom per-client limits count a request against: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network; addresses within it cost nothing to change).
fn client_key(ip: IpAddr) -> IpAddr {
	match ip {
		IpAddr::V4(_) => ip,
		IpAddr::V6(v6) => {
			let s = v6.segments();
			IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
		},
	}
}

/// Frees a miss's places when its task ends, however it ends: the slot, the client's
/// count, and (for an id nobody had) a place in the absent list.
struct MissPlaces {
	gateway: Arc<Gateway>,
	root: ContentId,
	client: IpAddr,
	absent: bool,
}

impl Drop for MissPlaces {
	fn drop(&mut self) {
		let misses = &self.gateway.misses;
		// The absent entry goes in before the slot goes: no request can start a second
		// download in between.
		if self.absent {
			let mut absent = locked(&misses.absent);
			if absent.len() >= MAX_ABSENT {
				absent.retain(|_, at| at.elapsed() < ABSENT_FOR);
			}
			if absent.len() < MAX_ABSENT {
				absent.insert(self.root, Instant::now());
			}
		}
		locked(&misses.running).remove(&self.root);
		let mut by_client = locked(&misses.by_client);
		if let Some(n) = by_client.get_mut(&self.client) {
			*n = n.saturating_sub(1);
			if *n == 0 {
				by_client.remove(&self.client);
			}
		}
	}
}

/// Starts the download for a miss: the holders the directory names and the DHT's
/// providers, the size the chain records, the requester's credentials passed on.
async fn start_miss(gateway: &Gateway, mesh: &Mesh, root: ContentId, who: Option<Credentials>) -> Result<Miss, GatewayError> {
	let not_found = || GatewayError::NotFound(root.to_hex());
	let (named, media_type, size) = match gateway.directory.clone() {
		Some(directory) => tokio::task::spawn_blocking(move || {
			(directory.holders(&root), directory.media_type(&root), directory.size(&root))
		})
		.await
		.unwrap_or_default(),
		None => Default::default(),
	};
	// The requester's signature goes only to the holders the chain names, never to a
	// peer that merely announced itself in the DHT.
	let trusted = named.iter().map(|(peer, _)| *peer).collect();
	let peers = fetch::sources(mesh, root, named).await;
	if peers.is_empty() {
		return Err(not_found());
	}
	let options = FetchOptions {
		size,
		max_size: Some(gateway.max_content),
		media_type: media_type.clone(),
		credentials: who,
		trusted,
	};
	let started = fetch::start_with(mesh, &gateway.store, root, &peers, options).await.map_err(|e| {
		log::debug!(target: "mesh", "miss on {root:?}: {e}");
		match e {
			fetch::FetchError::TooLarge { size, .. } => GatewayError::ContentTooLarge(size),
			fetch::FetchError::Store(StoreError::Full { .. }) => GatewayError::Full,
			_ => not_found(),
		}
	})?;
	let Started { size, file, verified, done } = started;
	let store = gateway.store.clone();
	tokio::spawn(async move {
		if let Ok(Ok(got)) = done.await {
			let _ = store.touch(&root, 0);
			log::debug!(target: "mesh", "cached {root:?} from {} peers", got.from.len());
		}
	});
	Ok(Miss { size, media_type, file, verified })
}

/// Streams `range` of a content while it downloads: each piece is sent as soon as the
/// download's verified prefix covers it.
fn stream_download(store: Store, root: ContentId, miss: Miss, range: Range<u64>) -> Body {
	let Miss { file, verified, .. } = miss;
	let length = range.end - range.start;
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
	Body::from_stream(Counted::new(store, root, length, Box::pin(stream)))
}

/// A body stream that counts the bytes handed to the connection and records them as
/// served: at once when the whole body has been handed over, or, for a client that went
/// away, when the stream is dropped. What is reported is what was sent, not what was read.
struct Counted<S> {
	inner: S,
	store: Store,
	root: ContentId,
	/// Bytes handed over and not yet recorded.
	sent: u64,
	/// Bytes the body has left to hand over.
	left: u64,
}

impl<S> Counted<S> {
	fn new(store: Store, root: ContentId, length: u64, inner: S) -> Self {
		Counted { inner, store, root, sent: 0, left: length }
	}

	fn record(&mut self) {
		if self.sent > 0 {
			// A write to the index's memtable: microseconds, fine on this thread.
			let _ = self.store.touch(&self.root, self.sent);
			self.sent = 0;
		}
	}
}

impl<S: futures::Stream<Item = io::Result<Bytes>> + Unpin> futures::Stream for Counted<S> {
	type Item = io::Result<Bytes>;

	fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
		let polled = std::pin::Pin::new(&mut self.inner).poll_next(cx);
		if let std::task::Poll::Ready(Some(Ok(bytes))) = &polled {
			let n = bytes.len() as u64;
			self.sent += n;
			self.left = self.left.saturating_sub(n);
			if self.left == 0 {
				self.record();
			}
		}
		polled
	}
}

impl<S> Drop for Counted<S> {
	fn drop(&mut self) {
		self.record();
	}
}

/// Streams `range` of a stored content, verified, a block ([`BODY_CHUNK`] bytes) at a
/// time: each block is read and checked on a blocking thread, which is let go before the
/// block is handed to the client, so a client that stops reading holds no thread (only
/// its connection, which the server drops when it stalls). The first block is read
/// before the response starts, so a content found corrupt at its start gets an error
/// status; later corruption cuts the body short (a client sees a truncated response,
/// never bad bytes).
async fn stream_verified(store: Store, info: BlobInfo, range: Range<u64>) -> Result<Body, GatewayError> {
	let root = info.root;
	let opened = store.clone();
	let reader = Arc::new(blocking(move || opened.reader(&root)).await?);
	let length = range.end - range.start;
	let read = |reader: Arc<crate::store::Reader>, at: u64, end: u64| async move {
		tokio::task::spawn_blocking(move || {
			let mut pieces = Vec::with_capacity(2);
			reader.read(at..end, |piece| {
				pieces.push(piece);
				Ok(())
			})?;
			Ok::<_, StoreError>(pieces)
		})
		.await
		.map_err(|e| GatewayError::Internal(e.to_string()))?
		.map_err(GatewayError::from)
	};
	// Blocks end on multiples of the block size, so no group is read twice.
	let (start, range_end) = (range.start, range.end);
	let next_end = move |at: u64| ((at / BODY_CHUNK as u64 + 1) * BODY_CHUNK as u64).min(range_end);
	let first_end = next_end(start);
	let first = if length == 0 { Vec::new() } else { read(reader.clone(), start, first_end).await? };
	let rest = futures::stream::unfold((first_end, reader), move |(at, reader)| async move {
		if at >= range_end {
			return None;
		}
		let end = next_end(at);
		let pieces = read(reader.clone(), at, end).await;
		Some((pieces, (end, reader)))
	});
	let stream = futures::stream::iter([Ok(first)])
		.chain(rest)
		.map(|pieces| match pieces {
			Ok(pieces) => futures::stream::iter(pieces.into_iter().map(Ok)).left_stream(),
			Err(e) => futures::stream::iter([Err(io::Error::other(e))]).right_stream(),
		})
		.flatten();
	Ok(Body::from_stream(Counted::new(store, root, length, Box::pin(stream))))
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
	let who = credentials_from_headers(&headers)?;
	let (uploader, limit) = upload_allowance(&gateway, who).await?;
	let pinned_by = uploader.clone();
	// One upload per account at a time and a few in all: the allowance above was read
	// before any of them commits, and each holds a blocking thread while its body comes.
	let _place = UploadPlace::take(&gateway, uploader.clone())?;
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
		let pin = match pinned_by {
			Some(account) => Pin::UploadBy(account.into_bytes()),
			None => Pin::Upload,
		};
		store.import(ChannelReader { rx, current: Bytes::new() }, length, limit, media_type, Some(pin))
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
	if let Some(account) = &uploader {
		// Other accounts' uploads ran beside this one: if together they passed the
		// uploads' share of the store, this one gives its place back.
		let (store, share, pin) = (gateway.store.clone(), gateway.upload_share, Pin::UploadBy(account.clone().into_bytes()));
		let root = info.root;
		blocking(move || {
			let room = upload_room(&store, share);
			if store.uploaded(None)? > room {
				store.unpin(&root, &pin)?;
				if !store.is_pinned(&root)? {
					store.remove(&root)?;
				}
				return Err(StoreError::Full { needed: 0, limit: room });
			}
			Ok(())
		})
		.await?;
	}
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
	response.headers_mut().insert(header::LOCATION, value(&format!("/content/{}", info.root.to_hex())));
	Ok(response)
}

/// Uploads at once, in all.
pub const MAX_UPLOADS: usize = 8;

/// An upload's place: one per account, [`MAX_UPLOADS`] in all; given back when dropped.
struct UploadPlace<'a> {
	gateway: &'a Gateway,
	account: Option<String>,
}

impl<'a> UploadPlace<'a> {
	fn take(gateway: &'a Gateway, account: Option<String>) -> Result<Self, GatewayError> {
		let mut uploading = locked(&gateway.uploading);
		if uploading.1 >= MAX_UPLOADS {
			return Err(GatewayError::Busy(format!("{MAX_UPLOADS} uploads under way")));
		}
		if let Some(account) = &account {
			if !uploading.0.insert(account.clone()) {
				return Err(GatewayError::TooManyUploads);
			}
		}
		uploading.1 += 1;
		Ok(UploadPlace { gateway, account })
	}
}

impl Drop for UploadPlace<'_> {
	fn drop(&mut self) {
		let mut uploading = locked(&self.gateway.uploading);
		uploading.1 = uploading.1.saturating_sub(1);
		if let Some(account) = &self.account {
			uploading.0.remove(account);
		}
	}
}

/// Who uploads (as the directory names them) and how many bytes this upload may have:
/// the upload limit, the uploader's quota left, and the room uploads may still take.
async fn upload_allowance(gateway: &Gateway, who: Option<Credentials>) -> Result<(Option<String>, u64), GatewayError> {
	let directory = gateway.directory.clone();
	let store = gateway.store.clone();
	let (quota, share) = (gateway.upload_quota, gateway.upload_share);
	let decided = tokio::task::spawn_blocking(move || {
		let (uploader, chain) = match &directory {
			Some(d) => (d.uploader(who.as_ref()), d.chain()),
			None => (Ok(None), None),
		};
		let uploader = match uploader {
			Ok(uploader) => uploader,
			Err(Access::Unauthenticated(why)) => return Err(GatewayError::Unauthenticated(why, chain)),
			Err(Access::Busy(why)) => return Err(GatewayError::Busy(why)),
			Err(Access::Denied(why)) => return Err(GatewayError::Forbidden(why)),
			Err(Access::Open | Access::Granted) => {
				return Err(GatewayError::Forbidden("uploads are not open to this account".into()))
			},
		};
		let room = upload_room(&store, share);
		let left_in_store = room.saturating_sub(store.uploaded(None)?);
		let left_for_uploader = match &uploader {
			Some(account) => quota.saturating_sub(store.uploaded(Some(account.as_bytes()))?),
			None => u64::MAX,
		};
		Ok((uploader, left_in_store, left_for_uploader))
	})
	.await
	.map_err(|e| GatewayError::Internal(e.to_string()))?;
	let (uploader, left_in_store, left_for_uploader) = decided?;
	if left_for_uploader == 0 {
		return Err(GatewayError::QuotaExceeded(quota));
	}
	if left_in_store == 0 {
		return Err(GatewayError::Full);
	}
	Ok((uploader, gateway.upload_limit.min(left_for_uploader).min(left_in_store)))
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

/// The part of the store uploads may fill (`share` = numerator, denominator): the rest
/// stays for the replicas the chain assigns.
fn upload_room(store: &Store, share: (u64, u64)) -> u64 {
	store.limit().saturating_mul(share.0) / share.1.max(1)
}
