//! The gateway's HTTP server: connections accepted within limits, and dropped when they
//! stall, so slow or hostile clients cannot hold the node.
//!
//! - At most [`MAX_CONNECTIONS`] open at once; beyond, a new connection is closed at once.
//! - A request's headers must arrive within [`HEADER_TIMEOUT`] (slowloris).
//! - A connection on which no byte moves either way for [`IDLE_TIMEOUT`] is dropped: a
//!   client that stops reading a response, or stops sending a body.
//! The handlers hold no thread while they wait for a client (see
//! [`crate::gateway`]), so what a stalled client costs is its socket until then.

use axum::{extract::ConnectInfo, Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{
	io,
	pin::Pin,
	sync::{
		atomic::{AtomicU64, AtomicUsize, Ordering},
		Arc,
	},
	task::{Context, Poll},
	time::{Duration, Instant},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 4096;
/// How long a client has to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may go without a byte moving either way.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until the future is dropped; handlers may extract the
/// client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> io::Result<()> {
	serve_with(listener, app, IDLE_TIMEOUT).await
}

/// [`serve`] with another idle timeout.
pub async fn serve_with(listener: tokio::net::TcpListener, app: Router, idle: Duration) -> io::Result<()> {
	let open = Arc::new(AtomicUsize::new(0));
	loop {
		let (stream, client) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(e) => {
				// Out of file descriptors, or a connection reset before it was accepted:
				// wait a little rather than spin.
				log::debug!(target: "mesh", "gateway accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(50)).await;
				continue;
			},
		};
		if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
			drop(stream);
			continue;
		}
		let _ = stream.set_nodelay(true);
		let guard = Open::new(open.clone());
		let service = hyper_util::service::TowerToHyperService::new(app.clone().layer(Extension(ConnectInfo(client))));
		tokio::spawn(async move {
			let _guard = guard;
			let activity = Arc::new(Activity::new());
			let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
			let mut builder = hyper::server::conn::http1::Builder::new();
			builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
			let connection = builder.serve_connection(io, service);
			tokio::pin!(connection);
			loop {
				tokio::select! {
					_ = connection.as_mut() => break,
					_ = tokio::time::sleep(idle / 4) => {
						if activity.idle() >= idle {
							log::debug!(target: "mesh", "dropping stalled gateway connection from {client}");
							break;
						}
					},
				}
			}
		});
	}
}

/// Counts a connection as open until dropped.
struct Open(Arc<AtomicUsize>);

impl Open {
	fn new(open: Arc<AtomicUsize>) -> Self {
		open.fetch_add(1, Ordering::SeqCst);
		Open(open)
	}
}

impl Drop for Open {
	fn drop(&mut self) {
		self.0.fetch_sub(1, Ordering::SeqCst);
	}
}

/// When a byte last moved on a connection.
struct Activity {
	since: Instant,
	/// Milliseconds after `since`.
	last: AtomicU64,
}

impl Activity {
	fn new() -> Self {
		Activity { since: Instant::now(), last: AtomicU64::new(0) }
	}

	fn touch(&self) {
		let now = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
		self.last.store(now, Ordering::Relaxed);
	}

	fn idle(&self) -> Duration {
		self.since.elapsed().saturating_sub(Duration::from_millis(self.last.load(Ordering::Relaxed)))
	}
}

/// A socket that records when bytes move.
struct Watched<T> {
	inner: T,
	activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
	fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
		let before = buf.filled().len();
		let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
		if buf.filled().len() > before {
			self.activity.touch();
		}
		polled
	}
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
	fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
		let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
		if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
			self.activity.touch();
		}
		polled
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		Pin::new(&mut self.inner).poll_flush(cx)
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		Pin::new(&mut self.inner).poll_shutdown(cx)
	}

	fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
		let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
		if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
			self.activity.touch();
		}
		polled
	}

	fn is_write_vectored(&self) -> bool {
		self.inner.is_write_vectored()
	}
}
