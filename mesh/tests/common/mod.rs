//! Helpers shared by the mesh's integration tests: real swarms on loopback, each with its
//! own key, port and RocksDB store; hand-written peers that lie or stall; a directory
//! standing in for the chain.
#![allow(dead_code)]

use landmesh_mesh::{Mesh, Store};
use libp2p::{identity::Keypair, Multiaddr, PeerId};

pub struct Node {
	pub mesh: Mesh,
	pub store: Store,
	pub addr: Multiaddr,
	pub dir: tempfile::TempDir,
}

pub async fn node() -> Node {
	node_with_timeout(landmesh_mesh::peers::REQUEST_TIMEOUT).await
}

pub async fn node_with_timeout(timeout: std::time::Duration) -> Node {
	node_with(landmesh_mesh::peers::Options { request_timeout: timeout, ..Default::default() }).await
}

pub async fn node_with(options: landmesh_mesh::peers::Options) -> Node {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 30).unwrap();
	let listen = "/ip4/127.0.0.1/tcp/0".parse().unwrap();
	let mesh = Mesh::start_with(Keypair::generate_ed25519(), listen, store.clone(), options).unwrap();
	let addr = loop {
		if let Some(a) = mesh.listen_addrs().await.into_iter().next() {
			break a;
		}
		tokio::time::sleep(std::time::Duration::from_millis(10)).await;
	};
	Node { mesh, store, addr, dir }
}

/// Lets `from` reach each of `to`.
pub async fn introduce(from: &Node, to: &[&Node]) -> Vec<PeerId> {
	for n in to {
		from.mesh.add_address(n.mesh.peer_id(), n.addr.clone()).await;
	}
	to.iter().map(|n| n.mesh.peer_id()).collect()
}

pub fn model(size: usize) -> Vec<u8> {
	(0..size).map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[1]).collect()
}

/// A swarm of a hand-written peer: a fresh identity over TCP, noise and yamux, running
/// `behaviour`, its connections kept open for an hour (hostile peers hold on).
pub fn hand_built_swarm<B: libp2p::swarm::NetworkBehaviour>(
	behaviour: impl FnOnce(&libp2p::identity::Keypair) -> B,
) -> libp2p::Swarm<B> {
	libp2p::SwarmBuilder::with_new_identity()
		.with_tokio()
		.with_tcp(Default::default(), libp2p::noise::Config::new, libp2p::yamux::Config::default)
		.unwrap()
		.with_behaviour(behaviour)
		.unwrap()
		.with_swarm_config(|c| c.with_idle_connection_timeout(std::time::Duration::from_secs(3600)))
		.build()
}

/// A peer speaking the transfer protocol by hand: `answer` decides each response; `None`
/// keeps the request pending forever (a stalled peer).
pub async fn rogue_peer(
	answer: impl Fn(&landmesh_mesh::wire::Request) -> Option<landmesh_mesh::wire::Response> + Send + 'static,
) -> (PeerId, Multiaddr) {
	use futures::StreamExt;
	use landmesh_mesh::wire::{TransferCodec, PROTOCOL};
	use libp2p::{request_response, swarm::SwarmEvent, StreamProtocol};
	let mut swarm = hand_built_swarm(|_| {
		request_response::Behaviour::<TransferCodec>::new(
			[(StreamProtocol::new(PROTOCOL), request_response::ProtocolSupport::Full)],
			request_response::Config::default().with_request_timeout(std::time::Duration::from_secs(3600)),
		)
	});
	swarm.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
	let addr = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
			break address;
		}
	};
	let id = *swarm.local_peer_id();
	tokio::spawn(async move {
		let mut stalled = Vec::new();
		loop {
			if let SwarmEvent::Behaviour(request_response::Event::Message {
				message: request_response::Message::Request { request, channel, .. },
				..
			}) = swarm.select_next_some().await
			{
				match answer(&request) {
					Some(response) => {
						let _ = swarm.behaviour_mut().send_response(channel, response);
					},
					None => stalled.push(channel),
				}
			}
		}
	});
	(id, addr)
}

/// A directory that names the holder of some contents, knows them as binary glTF, and
/// may know their size (as the chain would).
pub struct Hints {
	pub contents: std::collections::HashMap<landmesh_mesh::ContentId, ((libp2p::PeerId, Vec<libp2p::Multiaddr>), Option<u64>)>,
}

impl Hints {
	pub fn one(root: landmesh_mesh::ContentId, holder: (libp2p::PeerId, Vec<libp2p::Multiaddr>)) -> Hints {
		Hints { contents: [(root, (holder, None))].into() }
	}
}

impl landmesh_mesh::directory::Directory for Hints {
	fn holders(&self, root: &landmesh_mesh::ContentId) -> Vec<(libp2p::PeerId, Vec<libp2p::Multiaddr>)> {
		self.contents.get(root).map(|(holder, _)| vec![holder.clone()]).unwrap_or_default()
	}

	fn media_type(&self, root: &landmesh_mesh::ContentId) -> Option<String> {
		self.contents.contains_key(root).then(|| "model/gltf-binary".into())
	}

	fn size(&self, root: &landmesh_mesh::ContentId) -> Option<u64> {
		self.contents.get(root).and_then(|(_, size)| *size)
	}
}


/// What a [`serving_peer`] was asked.
#[derive(Default)]
pub struct Counts {
	pub sizes: std::sync::atomic::AtomicUsize,
	pub ranges: std::sync::atomic::AtomicUsize,
	pub bytes: std::sync::atomic::AtomicU64,
	/// Requests that carried credentials.
	pub credentials: std::sync::atomic::AtomicUsize,
}

impl Counts {
	pub fn sizes(&self) -> usize {
		self.sizes.load(std::sync::atomic::Ordering::SeqCst)
	}
	pub fn ranges(&self) -> usize {
		self.ranges.load(std::sync::atomic::Ordering::SeqCst)
	}
	pub fn bytes(&self) -> u64 {
		self.bytes.load(std::sync::atomic::Ordering::SeqCst)
	}
	pub fn credentials(&self) -> usize {
		self.credentials.load(std::sync::atomic::Ordering::SeqCst)
	}
}

/// A peer that serves the real bytes of what `store` holds, but claims the size
/// `claim(true size)`, and counts what it is asked: an honest holder with `|s| s`, a
/// liar about sizes otherwise.
pub async fn serving_peer(
	store: Store,
	claim: impl Fn(u64) -> u64 + Send + 'static,
) -> (PeerId, Multiaddr, std::sync::Arc<Counts>) {
	use landmesh_mesh::wire::{Request, Response};
	use std::sync::atomic::Ordering;
	let counts = std::sync::Arc::new(Counts::default());
	let seen = counts.clone();
	let (id, addr) = rogue_peer(move |request| {
		if request.credentials().is_some() {
			seen.credentials.fetch_add(1, Ordering::SeqCst);
		}
		Some(match request {
			Request::Size { root, .. } => {
				seen.sizes.fetch_add(1, Ordering::SeqCst);
				match store.info(root).unwrap() {
					Some(info) => Response::Size(claim(info.size)),
					None => Response::NotFound,
				}
			},
			Request::Range { root, start, end, .. } => {
				seen.ranges.fetch_add(1, Ordering::SeqCst);
				match store.encode_range(root, *start..*end) {
					Ok(encoded) => {
						seen.bytes.fetch_add(encoded.len() as u64, Ordering::SeqCst);
						Response::Range(encoded)
					},
					Err(_) => Response::NotFound,
				}
			},
		})
	})
	.await;
	(id, addr, counts)
}
