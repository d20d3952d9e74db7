//! A node's HTTP gateway, as a client: `HEAD` and ranged `GET` of contents, their
//! outboards, uploads streamed from a file, and served receipts.

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Empty, StreamBody};
use hyper::{body::Frame, header, Method, Request, StatusCode};
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use landmesh_primitives::ContentId;
use std::{io, ops::Range, path::Path, time::Duration};

type Body = BoxBody<Bytes, io::Error>;

/// How long a gateway may take to start answering.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// The headers that say who a request is from (`X-Landmesh-Account`, `-Expires`,
/// `-Signature`).
#[derive(Clone, Debug)]
pub struct Signed {
	pub account: String,
	pub expires: u64,
	pub signature: String,
}

/// One gateway, by its base URL (`http://127.0.0.1:8080`).
#[derive(Clone)]
pub struct Gateway {
	pub base: String,
	client: Client<HttpConnector, Body>,
}

/// A gateway's answer that was not what was asked for.
#[derive(Debug)]
pub struct HttpError {
	pub status: Option<StatusCode>,
	pub message: String,
}

impl std::fmt::Display for HttpError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.message)
	}
}

impl Gateway {
	/// A client of the gateway at `base`.
	pub fn new(base: &str) -> Gateway {
		let base = base.trim_end_matches('/').to_string();
		let base = if base.contains("://") { base } else { format!("http://{base}") };
		Gateway { base, client: Client::builder(TokioExecutor::new()).build_http() }
	}

	fn error(&self, status: Option<StatusCode>, why: impl std::fmt::Display) -> HttpError {
		let message = match status {
			Some(s) => format!("{} answered {s}: {}", self.base, why.to_string().trim()),
			None => format!("cannot reach the gateway at {}: {why} (is the node running? pass --gateway http://host:8080)", self.base),
		};
		HttpError { status, message }
	}

	async fn send(
		&self,
		method: Method,
		path: &str,
		headers: &[(&str, String)],
		body: Body,
	) -> Result<hyper::Response<hyper::body::Incoming>, HttpError> {
		let mut request = Request::builder().method(method).uri(format!("{}{path}", self.base));
		for (k, v) in headers {
			request = request.header(*k, v);
		}
		let request = request.body(body).map_err(|e| self.error(None, e))?;
		match tokio::time::timeout(ANSWER_TIMEOUT, self.client.request(request)).await {
			Ok(Ok(response)) => Ok(response),
			Ok(Err(e)) => Err(self.error(None, e)),
			Err(_) => Err(self.error(None, "no answer within a minute")),
		}
	}

	/// Reads an error answer's message (at most 4 KiB of it).
	async fn refused(&self, response: hyper::Response<hyper::body::Incoming>) -> HttpError {
		let status = response.status();
		let text = match read_at_most(response, 4096).await {
			Ok(body) => String::from_utf8_lossy(&body).into_owned(),
			Err(e) => e.message,
		};
		self.error(Some(status), text)
	}

	/// The size of `root`, if the gateway has it or knows it.
	pub async fn size(&self, root: &ContentId, signed: Option<&Signed>) -> Result<u64, HttpError> {
		let response = self.send(Method::HEAD, &format!("/content/{}", root.to_hex()), &headers_of(signed), empty()).await?;
		if response.status() != StatusCode::OK {
			let status = response.status();
			return Err(self.error(Some(status), status.canonical_reason().unwrap_or("")));
		}
		response
			.headers()
			.get(header::CONTENT_LENGTH)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.parse().ok())
			.ok_or_else(|| self.error(Some(StatusCode::OK), "no Content-Length"))
	}

	/// The outboard of `root` (hash pairs, `expected` bytes), if the gateway stores it.
	pub async fn outboard(&self, root: &ContentId, expected: u64, signed: Option<&Signed>) -> Result<Vec<u8>, HttpError> {
		let response =
			self.send(Method::GET, &format!("/content/{}/outboard", root.to_hex()), &headers_of(signed), empty()).await?;
		if response.status() != StatusCode::OK {
			return Err(self.refused(response).await);
		}
		let body = read_at_most(response, expected).await?;
		if body.len() as u64 != expected {
			return Err(self.error(Some(StatusCode::OK), format!("an outboard of {} bytes, expected {expected}", body.len())));
		}
		Ok(body)
	}

	/// Bytes `range` of `root`, handed to `sink` as they come; at most the range's length
	/// is taken, whatever the gateway sends.
	pub async fn range(
		&self,
		root: &ContentId,
		range: Range<u64>,
		signed: Option<&Signed>,
		mut sink: impl FnMut(&[u8]),
	) -> Result<u64, HttpError> {
		let mut headers = headers_of(signed);
		headers.push(("range", format!("bytes={}-{}", range.start, range.end.saturating_sub(1))));
		let response = self.send(Method::GET, &format!("/content/{}", root.to_hex()), &headers, empty()).await?;
		let status = response.status();
		if status != StatusCode::PARTIAL_CONTENT && !(status == StatusCode::OK && range.start == 0) {
			return Err(self.refused(response).await);
		}
		let want = range.end - range.start;
		let mut got = 0u64;
		let mut body = response.into_body();
		while got < want {
			let frame = match tokio::time::timeout(ANSWER_TIMEOUT, body.frame()).await {
				Ok(Some(frame)) => frame.map_err(|e| self.error(Some(status), format!("the body broke off: {e}")))?,
				Ok(None) => break,
				Err(_) => return Err(self.error(Some(status), "the body stalled for a minute")),
			};
			if let Ok(data) = frame.into_data() {
				let take = data.len().min((want - got) as usize);
				sink(&data[..take]);
				got += take as u64;
			}
		}
		Ok(got)
	}

	/// Uploads the file at `path` (`progress(bytes sent)` as it goes); the gateway's JSON
	/// answer (`contentId`, `size`, `magnet`, `url`).
	pub async fn upload(
		&self,
		path: &Path,
		name: Option<&str>,
		media_type: Option<&str>,
		signed: Option<&Signed>,
		progress: impl Fn(u64) + Send + Sync + 'static,
	) -> Result<serde_json::Value, HttpError> {
		let file = tokio::fs::File::open(path).await.map_err(|e| self.error(None, format!("cannot open {}: {e}", path.display())))?;
		let length = file.metadata().await.map_err(|e| self.error(None, e))?.len();
		let mut sent = 0u64;
		let stream = tokio_util_stream(file).map(move |chunk| {
			if let Ok(c) = &chunk {
				sent += c.len() as u64;
				progress(sent);
			}
			chunk.map(Frame::data)
		});
		let mut headers = headers_of(signed);
		headers.push(("content-length", length.to_string()));
		if let Some(t) = media_type {
			headers.push(("content-type", t.to_string()));
		}
		let query = name.map(|n| format!("?name={}", percent(n))).unwrap_or_default();
		let response = self.send(Method::POST, &format!("/content{query}"), &headers, BodyExt::boxed(StreamBody::new(stream))).await?;
		if response.status() != StatusCode::CREATED {
			return Err(self.refused(response).await);
		}
		let body = read_at_most(response, 64 * 1024).await?;
		serde_json::from_slice(&body).map_err(|e| self.error(Some(StatusCode::CREATED), format!("an answer that is not JSON: {e}")))
	}

	/// The node's mesh identity (`GET /node`: `peerId`, `listenAddrs`).
	pub async fn node(&self) -> Result<serde_json::Value, HttpError> {
		let response = self.send(Method::GET, "/node", &[], empty()).await?;
		if response.status() != StatusCode::OK {
			return Err(self.refused(response).await);
		}
		let body = read_at_most(response, 64 * 1024).await?;
		serde_json::from_slice(&body).map_err(|e| self.error(Some(StatusCode::OK), format!("an answer that is not JSON: {e}")))
	}

	/// What to sign for a served receipt here (`None`: not a miner's gateway).
	pub async fn receipt_terms(&self) -> Result<Option<serde_json::Value>, HttpError> {
		let response = self.send(Method::GET, "/receipts", &[], empty()).await?;
		match response.status() {
			StatusCode::OK => {
				let body = read_at_most(response, 4096).await?;
				Ok(serde_json::from_slice(&body).ok())
			},
			StatusCode::NOT_FOUND => Ok(None),
			_ => Err(self.refused(response).await),
		}
	}

	/// Hands a signed receipt to the gateway.
	pub async fn send_receipt(&self, receipt: &serde_json::Value) -> Result<(), HttpError> {
		let body = http_body_util::Full::new(Bytes::from(receipt.to_string())).map_err(|never| match never {}).boxed();
		let response = self.send(Method::POST, "/receipts", &[("content-type", "application/json".into())], body).await?;
		if response.status() != StatusCode::ACCEPTED {
			return Err(self.refused(response).await);
		}
		Ok(())
	}
}

fn empty() -> Body {
	Empty::<Bytes>::new().map_err(|never| match never {}).boxed()
}

fn headers_of(signed: Option<&Signed>) -> Vec<(&'static str, String)> {
	match signed {
		Some(s) => vec![
			("x-landmesh-account", s.account.clone()),
			("x-landmesh-expires", s.expires.to_string()),
			("x-landmesh-signature", s.signature.clone()),
		],
		None => Vec::new(),
	}
}

/// A body, read up to `limit` bytes (an answer that is longer is cut: nothing the
/// gateway says sizes an allocation).
async fn read_at_most(response: hyper::Response<hyper::body::Incoming>, limit: u64) -> Result<Vec<u8>, HttpError> {
	let status = response.status();
	let mut body = response.into_body();
	let mut out = Vec::new();
	while (out.len() as u64) < limit {
		match tokio::time::timeout(ANSWER_TIMEOUT, body.frame()).await {
			Ok(Some(Ok(frame))) => {
				if let Ok(data) = frame.into_data() {
					let take = data.len().min((limit - out.len() as u64) as usize);
					out.extend_from_slice(&data[..take]);
				}
			},
			Ok(Some(Err(e))) => return Err(HttpError { status: Some(status), message: format!("the answer broke off: {e}") }),
			Ok(None) => break,
			Err(_) => return Err(HttpError { status: Some(status), message: "the answer stalled for a minute".into() }),
		}
	}
	Ok(out)
}

/// A file as a stream of 256 KiB pieces.
fn tokio_util_stream(file: tokio::fs::File) -> impl futures::Stream<Item = io::Result<Bytes>> + Send {
	futures::stream::unfold(Some(file), |file| async move {
		use tokio::io::AsyncReadExt;
		let mut file = file?;
		let mut buffer = vec![0u8; 256 * 1024];
		match file.read(&mut buffer).await {
			Ok(0) => None,
			Ok(n) => {
				buffer.truncate(n);
				Some((Ok(Bytes::from(buffer)), Some(file)))
			},
			Err(e) => Some((Err(e), None)),
		}
	})
}

fn percent(text: &str) -> String {
	text.bytes()
		.map(|b| match b {
			b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
			_ => format!("%{b:02X}"),
		})
		.collect()
}
