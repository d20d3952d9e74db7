//! The mesh's own libp2p swarm: its own key and port, apart from the chain's network.
//!
//! Three protocols: identify (peers learn each other's listen addresses), Kademlia
//! under [`KAD_PROTOCOL`] (who caches which content: provider records), and
//! [`crate::wire::PROTOCOL`] for transfers. The swarm runs on one task; the rest of the
//! node talks to it through a [`Mesh`] handle. Requests from peers are answered from the
//! [`Store`] on blocking threads, so a slow disk never stalls the swarm.
//!
//! Limits, since any libp2p peer may connect: [`MAX_CONNECTIONS_PER_PEER`] connections
//! per peer, [`MAX_INBOUND_PER_PEER`] requests of one peer answered at once and
//! [`MAX_SERVING`] of all peers (each answer holds up to a MiB until it is sent; more get
//! [`Response::Busy`]), requests capped at [`wire::MAX_REQUEST`] bytes. Gated content is
//! answered only when the [`Directory`] admits the peer (by its authenticated peer id or
//! the credentials it sends); to anyone else it is [`Response::NotFound`], as if absent.

use crate::{
	directory::{Access, Directory},
	store::{Store, StoreError},
	wire::{self, Request, Response, TransferCodec},
	ContentId,
};
use futures::StreamExt;
use libp2p::{
	connection_limits, identify, identity::Keypair, kad, noise, request_response, swarm::NetworkBehaviour,
	swarm::SwarmEvent, tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm,
};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// Kademlia's protocol name in the Landmesh mesh (separate from any other DHT).
pub const KAD_PROTOCOL: &str = "/landmesh/kad/1";

/// How long a peer has to answer one transfer request (and to read an answer of ours).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a request that lost a race between two dials waits before it is sent again.
const DIAL_RETRY_AFTER: Duration = Duration::from_millis(250);
/// Connections one peer may hold to this node.
pub const MAX_CONNECTIONS_PER_PEER: u32 = 2;
/// Inbound connections of all peers.
pub const MAX_INBOUND_CONNECTIONS: u32 = 256;
/// Requests of one peer answered (or waiting to be read by it) at once.
pub const MAX_INBOUND_PER_PEER: usize = 8;
/// Requests of all peers answered at once: with answers of up to a MiB each, this bounds
/// what the swarm holds for peers to about 64 MiB.
pub const MAX_SERVING: usize = 64;
/// Streams of the transfer protocol open at once on one connection (both ways).
pub const MAX_STREAMS_PER_CONNECTION: usize = 32;

/// How a swarm is set up: [`Options::default`] for a node.
#[derive(Clone)]
pub struct Options {
	/// How long a peer has to answer one request.
	pub request_timeout: Duration,
	/// Who may have which content; none: everything is open.
	pub directory: Option<Arc<dyn Directory>>,
}

impl Default for Options {
	fn default() -> Self {
		Options { request_timeout: REQUEST_TIMEOUT, directory: None }
	}
}

#[derive(NetworkBehaviour)]
struct Behaviour {
	limits: connection_limits::Behaviour,
	identify: identify::Behaviour,
	kad: kad::Behaviour<crate::records::Records>,
	transfer: request_response::Behaviour<TransferCodec>,
}

/// Why a request to a peer failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
	/// Dialing, timing out, a closed connection, a protocol error.
	#[error("request to {peer} failed: {reason}")]
	Failed {
		/// The peer.
		peer: PeerId,
		/// What happened.
		reason: String,
	},
	/// The mesh task has stopped.
	#[error("the mesh has stopped")]
	Stopped,
}

enum Command {
	Request { peer: PeerId, request: Request, reply: oneshot::Sender<Result<Response, PeerError>> },
	AddAddress { peer: PeerId, address: Multiaddr },
	Provide { root: ContentId },
	FindProviders { root: ContentId, found: mpsc::Sender<PeerId> },
	ListenAddrs { reply: oneshot::Sender<Vec<Multiaddr>> },
	Serving { reply: oneshot::Sender<usize> },
}

/// The mesh's node key, kept in `path` (created on first use, readable by the owner
/// only): a node keeps its peer id across restarts, as peers and the chain know it by it.
pub fn load_or_create_key(path: &std::path::Path) -> std::io::Result<Keypair> {
	let invalid = |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()));
	match std::fs::read(path) {
		Ok(bytes) => Keypair::from_protobuf_encoding(&bytes).map_err(|e| invalid(&e)),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let key = Keypair::generate_ed25519();
			if let Some(dir) = path.parent() {
				std::fs::create_dir_all(dir)?;
			}
			let bytes = key.to_protobuf_encoding().map_err(|e| invalid(&e))?;
			let mut options = std::fs::OpenOptions::new();
			options.write(true).create_new(true);
			std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
			std::io::Write::write_all(&mut options.open(path)?, &bytes)?;
			Ok(key)
		},
		Err(e) => Err(e),
	}
}

/// A handle on a running mesh swarm; cheap to clone. The swarm stops when every handle
/// is dropped.
#[derive(Clone)]
pub struct Mesh {
	peer_id: PeerId,
	commands: mpsc::Sender<Command>,
	strikes: Arc<std::sync::Mutex<HashMap<PeerId, Strikes>>>,
}

/// A peer's record of sending bad data: a score that halves every [`STRIKE_HALF_LIFE`].
#[derive(Clone, Copy)]
struct Strikes {
	score: f64,
	at: std::time::Instant,
}

impl Strikes {
	fn now(&self) -> f64 {
		self.score * 0.5f64.powf(self.at.elapsed().as_secs_f64() / STRIKE_HALF_LIFE.as_secs_f64())
	}
}

/// How fast a peer's strikes fade: one strike keeps it out of downloads for about this
/// long; a peer that lies again is kept out longer.
pub const STRIKE_HALF_LIFE: Duration = Duration::from_secs(600);
/// Peers remembered with strikes at most (beyond, the faded ones are forgotten).
const MAX_STRIKES: usize = 65_536;

impl Mesh {
	/// Starts a swarm with `keypair` listening on `listen` (e.g. `/ip4/0.0.0.0/tcp/30444`,
	/// port 0 for any), serving from `store`, everything open. Must be called within a
	/// tokio runtime.
	pub fn start(keypair: Keypair, listen: Multiaddr, store: Store) -> Result<Mesh, Box<dyn std::error::Error + Send + Sync>> {
		Self::start_with(keypair, listen, store, Options::default())
	}

	/// [`Mesh::start`] with `options`.
	pub fn start_with(
		keypair: Keypair,
		listen: Multiaddr,
		store: Store,
		options: Options,
	) -> Result<Mesh, Box<dyn std::error::Error + Send + Sync>> {
		let Options { request_timeout, directory } = options;
		let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
			.with_tokio()
			.with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)?
			.with_behaviour(|key| {
				let peer_id = key.public().to_peer_id();
				let mut kad_config = kad::Config::new(StreamProtocol::new(KAD_PROTOCOL));
				kad_config.set_query_timeout(Duration::from_secs(30));
				let mut kad = kad::Behaviour::with_config(peer_id, crate::records::Records::new(peer_id), kad_config);
				kad.set_mode(Some(kad::Mode::Server));
				let limits = connection_limits::ConnectionLimits::default()
					.with_max_established_per_peer(Some(MAX_CONNECTIONS_PER_PEER))
					.with_max_established_incoming(Some(MAX_INBOUND_CONNECTIONS))
					.with_max_pending_incoming(Some(64));
				Behaviour {
					limits: connection_limits::Behaviour::new(limits),
					identify: identify::Behaviour::new(identify::Config::new("/landmesh/1".into(), key.public())),
					kad,
					transfer: request_response::Behaviour::new(
						[(StreamProtocol::new(wire::PROTOCOL), request_response::ProtocolSupport::Full)],
						request_response::Config::default()
							.with_request_timeout(request_timeout)
							.with_max_concurrent_streams(MAX_STREAMS_PER_CONNECTION),
					),
				}
			})?
			.with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
			.build();
		swarm.listen_on(listen)?;
		let peer_id = *swarm.local_peer_id();
		let (commands, rx) = mpsc::channel(1024);
		// What the store holds is announced again: provider records live in memory, and
		// other peers' copies of them expire.
		let held = store.list().map(|blobs| blobs.into_iter().map(|b| b.root).collect::<Vec<_>>()).unwrap_or_default();
		for root in held {
			let _ = swarm.behaviour_mut().kad.start_providing(kad::RecordKey::new(&root.0));
		}
		tokio::spawn(run(swarm, rx, store, directory));
		Ok(Mesh { peer_id, commands, strikes: Default::default() })
	}

	/// This node's peer id in the mesh.
	pub fn peer_id(&self) -> PeerId {
		self.peer_id
	}

	/// The addresses the swarm listens on (once it has bound them).
	pub async fn listen_addrs(&self) -> Vec<Multiaddr> {
		let (reply, rx) = oneshot::channel();
		if self.commands.send(Command::ListenAddrs { reply }).await.is_err() {
			return Vec::new();
		}
		rx.await.unwrap_or_default()
	}

	/// Peers' requests being answered now (admitted and not yet sent or failed): at most
	/// [`MAX_SERVING`].
	pub async fn serving(&self) -> usize {
		let (reply, rx) = oneshot::channel();
		if self.commands.send(Command::Serving { reply }).await.is_err() {
			return 0;
		}
		rx.await.unwrap_or_default()
	}

	/// Tells the swarm where a peer can be reached (from chain state or configuration).
	pub async fn add_address(&self, peer: PeerId, address: Multiaddr) {
		let _ = self.commands.send(Command::AddAddress { peer, address }).await;
	}

	/// Sends one transfer request to a peer.
	pub async fn request(&self, peer: PeerId, request: Request) -> Result<Response, PeerError> {
		let (reply, rx) = oneshot::channel();
		self.commands.send(Command::Request { peer, request, reply }).await.map_err(|_| PeerError::Stopped)?;
		rx.await.map_err(|_| PeerError::Stopped)?
	}

	/// Announces in the DHT that this node has a content (a cached copy others may use).
	pub async fn provide(&self, root: ContentId) {
		let _ = self.commands.send(Command::Provide { root }).await;
	}

	/// Asks the DHT who has a content: the providers as the query finds them; the
	/// receiver ends with the query.
	pub async fn providers(&self, root: ContentId) -> mpsc::Receiver<PeerId> {
		let (found, rx) = mpsc::channel(64);
		let _ = self.commands.send(Command::FindProviders { root, found }).await;
		rx
	}

	/// Asks the DHT who has a content, waiting for the query to end.
	pub async fn find_providers(&self, root: ContentId) -> Vec<PeerId> {
		let mut found = self.providers(root).await;
		let mut peers = Vec::new();
		while let Some(peer) = found.recv().await {
			peers.push(peer);
		}
		peers
	}

	/// Records that `peer` sent data that failed verification: it is left out of
	/// downloads until its strikes fade ([`STRIKE_HALF_LIFE`]).
	pub fn strike(&self, peer: PeerId) {
		let mut strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
		if strikes.len() >= MAX_STRIKES {
			strikes.retain(|_, s| s.now() >= 0.5);
			if strikes.len() >= MAX_STRIKES {
				// All still fresh: a flood of identities. Start over rather than grow.
				strikes.clear();
			}
		}
		let score = strikes.get(&peer).map_or(0.0, Strikes::now) + 1.0;
		strikes.insert(peer, Strikes { score, at: std::time::Instant::now() });
	}

	/// Whether `peer` is still out for the bad data it sent.
	pub fn is_struck(&self, peer: &PeerId) -> bool {
		let strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
		strikes.get(peer).is_some_and(|s| s.now() >= 0.5)
	}
}

/// Inbound requests being answered: by peer, and in all. A place is held from the
/// request's admission until its answer is built *and* sent (or failed): a request that
/// times out while its answer is still being read from the store keeps its place until
/// that read ends, so peers cannot have more answers in memory than the budget by letting
/// their requests time out.
#[derive(Default)]
struct Serving {
	by_request: HashMap<request_response::InboundRequestId, Place>,
	by_peer: HashMap<PeerId, usize>,
}

struct Place {
	peer: PeerId,
	/// The answer is being built on a blocking thread.
	building: bool,
	/// The request failed (timed out, connection closed) meanwhile: nothing to send.
	failed: bool,
}

impl Serving {
	/// Takes a place for `peer`'s request, if it and the node are under their budgets.
	fn admit(&mut self, peer: PeerId, id: request_response::InboundRequestId) -> bool {
		let count = self.by_peer.get(&peer).copied().unwrap_or(0);
		if count >= MAX_INBOUND_PER_PEER || self.by_request.len() >= MAX_SERVING {
			return false;
		}
		self.by_peer.insert(peer, count + 1);
		self.by_request.insert(id, Place { peer, building: true, failed: false });
		true
	}

	/// The answer to `id` is built: whether it is still wanted (else its place is freed).
	fn built(&mut self, id: &request_response::InboundRequestId) -> bool {
		let wanted = match self.by_request.get_mut(id) {
			Some(place) => {
				place.building = false;
				!place.failed
			},
			None => false,
		};
		if !wanted {
			self.done(id);
		}
		wanted
	}

	/// The request failed: its place is freed now, or once its answer is built.
	fn failed(&mut self, id: &request_response::InboundRequestId) {
		match self.by_request.get_mut(id) {
			Some(place) if place.building => place.failed = true,
			_ => self.done(id),
		}
	}

	/// Frees the place of a request whose answer was sent, or failed.
	fn done(&mut self, id: &request_response::InboundRequestId) {
		let Some(Place { peer, .. }) = self.by_request.remove(id) else { return };
		if let Some(count) = self.by_peer.get_mut(&peer) {
			*count -= 1;
			if *count == 0 {
				self.by_peer.remove(&peer);
			}
		}
	}

	fn len(&self) -> usize {
		self.by_request.len()
	}
}

/// The swarm task.
async fn run(
	mut swarm: Swarm<Behaviour>,
	mut commands: mpsc::Receiver<Command>,
	store: Store,
	directory: Option<Arc<dyn Directory>>,
) {
	let mut serving = Serving::default();
	// Requests under way: the reply, and the request itself while it may be sent once more
	// (see the dial failure below).
	type Waiting = (oneshot::Sender<Result<Response, PeerError>>, Option<Request>);
	let mut pending: HashMap<request_response::OutboundRequestId, Waiting> = HashMap::new();
	// Requests to send again shortly.
	let (again_tx, mut again) = mpsc::channel::<(PeerId, Request, oneshot::Sender<Result<Response, PeerError>>)>(256);
	let mut providers: HashMap<kad::QueryId, mpsc::Sender<PeerId>> = HashMap::new();
	// Answers computed on blocking threads come back here to be sent by the swarm.
	type Answer = (request_response::InboundRequestId, request_response::ResponseChannel<Response>, Response);
	let (answers_tx, mut answers) = mpsc::channel::<Answer>(MAX_SERVING);
	loop {
		tokio::select! {
			command = commands.recv() => {
				let Some(command) = command else { break };
				match command {
					Command::Request { peer, request, reply } => {
						let id = swarm.behaviour_mut().transfer.send_request(&peer, request.clone());
						pending.insert(id, (reply, Some(request)));
					},
					Command::AddAddress { peer, address } => {
						swarm.add_peer_address(peer, address.clone());
						swarm.behaviour_mut().kad.add_address(&peer, address);
					},
					Command::Provide { root } => {
						let _ = swarm.behaviour_mut().kad.start_providing(kad::RecordKey::new(&root.0));
					},
					Command::FindProviders { root, found } => {
						let id = swarm.behaviour_mut().kad.get_providers(kad::RecordKey::new(&root.0));
						providers.insert(id, found);
					},
					Command::ListenAddrs { reply } => {
						let _ = reply.send(swarm.listeners().cloned().collect());
					},
					Command::Serving { reply } => {
						let _ = reply.send(serving.len());
					},
				}
			},
			Some((peer, request, reply)) = again.recv() => {
				let id = swarm.behaviour_mut().transfer.send_request(&peer, request);
				pending.insert(id, (reply, None));
			},
			Some((id, channel, response)) = answers.recv() => {
				if serving.built(&id) && swarm.behaviour_mut().transfer.send_response(channel, response).is_err() {
					// The connection went away before the answer was ready.
					serving.done(&id);
				}
			},
			event = swarm.select_next_some() => match event {
				SwarmEvent::Behaviour(BehaviourEvent::Transfer(event)) => match event {
					request_response::Event::Message {
						peer,
						message: request_response::Message::Request { request_id, request, channel },
						..
					} => {
						if !serving.admit(peer, request_id) {
							let _ = swarm.behaviour_mut().transfer.send_response(channel, Response::Busy);
							continue;
						}
						let (store, directory) = (store.clone(), directory.clone());
						let answers = answers_tx.clone();
						tokio::task::spawn_blocking(move || {
							let response = answer(&store, directory.as_deref(), &peer, request);
							let _ = answers.blocking_send((request_id, channel, response));
						});
					},
					request_response::Event::ResponseSent { request_id, .. } => serving.done(&request_id),
					request_response::Event::InboundFailure { request_id, .. } => serving.failed(&request_id),
					request_response::Event::Message { message: request_response::Message::Response { request_id, response }, .. } => {
						if let Some((reply, _)) = pending.remove(&request_id) {
							let _ = reply.send(Ok(response));
						}
					},
					request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
						match pending.remove(&request_id) {
							// request-response fails every request queued on a dial when another
							// dial to the peer (Kademlia's, say) is already under way: that
							// connection is about to come up, so the request is sent once more.
							Some((reply, Some(request))) if matches!(error, request_response::OutboundFailure::DialFailure) => {
								let again = again_tx.clone();
								tokio::spawn(async move {
									tokio::time::sleep(DIAL_RETRY_AFTER).await;
									let _ = again.send((peer, request, reply)).await;
								});
							},
							Some((reply, _)) => {
								let _ = reply.send(Err(PeerError::Failed { peer, reason: error.to_string() }));
							},
							None => {},
						}
					},
				},
				SwarmEvent::NewListenAddr { address, .. } => {
					log::info!(target: "mesh", "🕸  Mesh listening on {address}/p2p/{}", swarm.local_peer_id());
				},
				SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })) => {
					for address in info.listen_addrs {
						swarm.behaviour_mut().kad.add_address(&peer_id, address);
					}
				},
				SwarmEvent::Behaviour(BehaviourEvent::Kad(kad::Event::OutboundQueryProgressed { id, result, step, .. })) => {
					if let kad::QueryResult::GetProviders(result) = result {
						// Handed on as found: a download may start on the first providers
						// while the query goes on.
						let mut wanted = true;
						if let (Some(found), Ok(kad::GetProvidersOk::FoundProviders { providers: p, .. })) =
							(providers.get(&id), result)
						{
							for peer in p {
								wanted &= !matches!(found.try_send(peer), Err(mpsc::error::TrySendError::Closed(_)));
							}
						}
						if step.last || !wanted {
							providers.remove(&id);
							if !step.last {
								if let Some(mut query) = swarm.behaviour_mut().kad.query_mut(&id) {
									query.finish();
								}
							}
						}
					}
				},
				_ => {},
			},
		}
	}
}

/// Answers a peer's request from the store (on a blocking thread).
fn answer(store: &Store, directory: Option<&dyn Directory>, peer: &PeerId, request: Request) -> Response {
	if let Some(directory) = directory {
		match directory.peer_access(request.root(), peer, request.credentials()) {
			Access::Open | Access::Granted => {},
			// The directory could not decide now: the peer should try later, not take the
			// content for absent.
			Access::Busy(_) => return Response::Busy,
			Access::Unauthenticated(_) | Access::Denied(_) => return Response::NotFound,
		}
	}
	match request {
		Request::Size { root, .. } => match store.info(&root) {
			Ok(Some(info)) => Response::Size(info.size),
			_ => Response::NotFound,
		},
		Request::Range { root, start, end, .. } => {
			if end <= start || end - start > wire::MAX_RANGE {
				return Response::Refused;
			}
			match store.encode_range(&root, start..end) {
				Ok(encoded) => {
					let _ = store.touch(&root, end - start);
					Response::Range(encoded)
				},
				Err(StoreError::NotFound(_) | StoreError::Corrupt(_)) => Response::NotFound,
				Err(StoreError::OutOfRange { .. }) => Response::Refused,
				Err(e) => {
					log::warn!(target: "mesh", "cannot serve {root:?} to a peer: {e}");
					Response::NotFound
				},
			}
		},
	}
}
