//! The mesh's own libp2p swarm: its own key and port, apart from the chain's network.
//!
//! Three protocols: identify (peers learn each other's listen addresses), Kademlia
//! under [`KAD_PROTOCOL`] (who caches which content: provider records), and
//! [`crate::wire::PROTOCOL`] for transfers. The swarm runs on one task; the rest of the
//! node talks to it through a [`Mesh`] handle. Requests from peers are answered from the
//! [`Store`] on blocking threads, so a slow disk never stalls the swarm.

use crate::{
	store::{Store, StoreError},
	wire::{self, Request, Response, TransferCodec},
	ContentId,
};
use futures::StreamExt;
use libp2p::{
	identify, identity::Keypair, kad, noise, request_response, swarm::NetworkBehaviour, swarm::SwarmEvent, tcp, yamux,
	Multiaddr, PeerId, StreamProtocol, Swarm,
};
use std::{collections::HashMap, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// Kademlia's protocol name in the Landmesh mesh (separate from any other DHT).
pub const KAD_PROTOCOL: &str = "/landmesh/kad/1";

/// How long a peer has to answer one transfer request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(NetworkBehaviour)]
struct Behaviour {
	identify: identify::Behaviour,
	kad: kad::Behaviour<kad::store::MemoryStore>,
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
	FindProviders { root: ContentId, reply: oneshot::Sender<Vec<PeerId>> },
	ListenAddrs { reply: oneshot::Sender<Vec<Multiaddr>> },
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
}

impl Mesh {
	/// Starts a swarm with `keypair` listening on `listen` (e.g. `/ip4/0.0.0.0/tcp/30444`,
	/// port 0 for any), serving from `store`. Must be called within a tokio runtime.
	pub fn start(keypair: Keypair, listen: Multiaddr, store: Store) -> Result<Mesh, Box<dyn std::error::Error + Send + Sync>> {
		Self::start_with_timeout(keypair, listen, store, REQUEST_TIMEOUT)
	}

	/// [`Mesh::start`] with another limit on how long a peer has to answer a request.
	pub fn start_with_timeout(
		keypair: Keypair,
		listen: Multiaddr,
		store: Store,
		request_timeout: Duration,
	) -> Result<Mesh, Box<dyn std::error::Error + Send + Sync>> {
		let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
			.with_tokio()
			.with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)?
			.with_behaviour(|key| {
				let peer_id = key.public().to_peer_id();
				let mut kad_config = kad::Config::new(StreamProtocol::new(KAD_PROTOCOL));
				kad_config.set_query_timeout(Duration::from_secs(30));
				let mut kad = kad::Behaviour::with_config(peer_id, kad::store::MemoryStore::new(peer_id), kad_config);
				kad.set_mode(Some(kad::Mode::Server));
				Behaviour {
					identify: identify::Behaviour::new(identify::Config::new("/landmesh/1".into(), key.public())),
					kad,
					transfer: request_response::Behaviour::new(
						[(StreamProtocol::new(wire::PROTOCOL), request_response::ProtocolSupport::Full)],
						request_response::Config::default()
							.with_request_timeout(request_timeout)
							.with_max_concurrent_streams(256),
					),
				}
			})?
			.with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
			.build();
		swarm.listen_on(listen)?;
		let peer_id = *swarm.local_peer_id();
		let (commands, rx) = mpsc::channel(1024);
		tokio::spawn(run(swarm, rx, store));
		Ok(Mesh { peer_id, commands })
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

	/// Asks the DHT who has a content.
	pub async fn find_providers(&self, root: ContentId) -> Vec<PeerId> {
		let (reply, rx) = oneshot::channel();
		if self.commands.send(Command::FindProviders { root, reply }).await.is_err() {
			return Vec::new();
		}
		rx.await.unwrap_or_default()
	}
}

/// The swarm task.
async fn run(mut swarm: Swarm<Behaviour>, mut commands: mpsc::Receiver<Command>, store: Store) {
	let mut pending: HashMap<request_response::OutboundRequestId, oneshot::Sender<Result<Response, PeerError>>> =
		HashMap::new();
	let mut providers: HashMap<kad::QueryId, (oneshot::Sender<Vec<PeerId>>, Vec<PeerId>)> = HashMap::new();
	// Answers computed on blocking threads come back here to be sent by the swarm.
	let (answers_tx, mut answers) = mpsc::channel::<(request_response::ResponseChannel<Response>, Response)>(256);
	loop {
		tokio::select! {
			command = commands.recv() => {
				let Some(command) = command else { break };
				match command {
					Command::Request { peer, request, reply } => {
						let id = swarm.behaviour_mut().transfer.send_request(&peer, request);
						pending.insert(id, reply);
					},
					Command::AddAddress { peer, address } => {
						swarm.add_peer_address(peer, address.clone());
						swarm.behaviour_mut().kad.add_address(&peer, address);
					},
					Command::Provide { root } => {
						let _ = swarm.behaviour_mut().kad.start_providing(kad::RecordKey::new(&root.0));
					},
					Command::FindProviders { root, reply } => {
						let id = swarm.behaviour_mut().kad.get_providers(kad::RecordKey::new(&root.0));
						providers.insert(id, (reply, Vec::new()));
					},
					Command::ListenAddrs { reply } => {
						let _ = reply.send(swarm.listeners().cloned().collect());
					},
				}
			},
			Some((channel, response)) = answers.recv() => {
				let _ = swarm.behaviour_mut().transfer.send_response(channel, response);
			},
			event = swarm.select_next_some() => match event {
				SwarmEvent::Behaviour(BehaviourEvent::Transfer(event)) => match event {
					request_response::Event::Message { message: request_response::Message::Request { request, channel, .. }, .. } => {
						let store = store.clone();
						let answers = answers_tx.clone();
						tokio::task::spawn_blocking(move || {
							let _ = answers.blocking_send((channel, answer(&store, request)));
						});
					},
					request_response::Event::Message { message: request_response::Message::Response { request_id, response }, .. } => {
						if let Some(reply) = pending.remove(&request_id) {
							let _ = reply.send(Ok(response));
						}
					},
					request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
						if let Some(reply) = pending.remove(&request_id) {
							let _ = reply.send(Err(PeerError::Failed { peer, reason: error.to_string() }));
						}
					},
					_ => {},
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
						if let Some((_, found)) = providers.get_mut(&id) {
							if let Ok(kad::GetProvidersOk::FoundProviders { providers: p, .. }) = result {
								found.extend(p);
							}
						}
						if step.last {
							if let Some((reply, found)) = providers.remove(&id) {
								let _ = reply.send(found);
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
fn answer(store: &Store, request: Request) -> Response {
	match request {
		Request::Size(root) => match store.info(&root) {
			Ok(Some(info)) => Response::Size(info.size),
			_ => Response::NotFound,
		},
		Request::Range { root, start, end } => {
			if end <= start || end - start > wire::MAX_RANGE {
				return Response::Refused;
			}
			match store.encode_range(&root, start..end) {
				Ok(encoded) => {
					let _ = store.touch(&root, end - start);
					Response::Range(encoded)
				},
				Err(StoreError::NotFound(_) | StoreError::Corrupt(_)) => Response::NotFound,
				Err(e) => {
					log::warn!(target: "mesh", "cannot serve {root:?} to a peer: {e}");
					Response::NotFound
				},
			}
		},
	}
}
