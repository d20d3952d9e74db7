//! The gateway under attack, measured (driven by `scripts/bench-gateway`, which builds
//! this in release and installs wrk): legitimate traffic (wrk, 64 connections, GET of a
//! 1 MiB model) first alone, then while
//! - 600 connections GET a 64 MiB content and never read it,
//! - 100 connections send their headers a byte a second (slowloris),
//! - 16 clients ask for random content ids nobody has, as fast as they are answered;
//! and meanwhile a miner's challenge answer (a chunk proof on a blocking thread) is
//! computed every 100 ms. Prints requests/s and latency percentiles for both runs, their
//! ratio, how many misses were answered, and the slowest challenge answer.
//!
//! Usage: `bench_gateway <seconds per run>`.

use landmesh_mesh::{challenge, gateway, Mesh, Store};
use libp2p::identity::Keypair;
use std::{
	process::Command,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use tokio::io::AsyncWriteExt;

/// wrk's figures: requests/s, p50 and p99 latency (ms).
struct Wrk {
	rps: f64,
	p50: f64,
	p99: f64,
}

fn wrk(url: &str, seconds: u64) -> Wrk {
	let out = Command::new("wrk")
		.args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency", url])
		.output()
		.expect("wrk runs (scripts/bench-gateway installs it)");
	let text = String::from_utf8_lossy(&out.stdout);
	let ms = |s: &str| -> f64 {
		let s = s.trim();
		if let Some(v) = s.strip_suffix("ms") {
			v.parse().unwrap_or(f64::NAN)
		} else if let Some(v) = s.strip_suffix("us") {
			v.parse::<f64>().unwrap_or(f64::NAN) / 1e3
		} else if let Some(v) = s.strip_suffix('s') {
			v.parse::<f64>().unwrap_or(f64::NAN) * 1e3
		} else {
			f64::NAN
		}
	};
	let field = |prefix: &str| {
		text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|rest| rest.trim().to_string())).unwrap_or_default()
	};
	Wrk { rps: field("Requests/sec:").parse().unwrap_or(f64::NAN), p50: ms(&field("50%")), p99: ms(&field("99%")) }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
	let seconds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
	let dir = tempfile::tempdir().expect("a temporary directory");
	let store = Store::open(dir.path(), u64::MAX).expect("store");
	let model: Vec<u8> = (0..1u32 << 20).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8).collect();
	let big: Vec<u8> = (0..64u32 << 20).map(|i| (i.wrapping_mul(40503) >> 5) as u8).collect();
	let model_root = store.import(&model[..], None, u64::MAX, None, None).expect("import").root;
	let big_root = store.import(&big[..], None, u64::MAX, None, None).expect("import").root;
	drop(big);
	// A mesh behind the gateway, so misses really look for providers.
	let mesh = Mesh::start(Keypair::generate_ed25519(), "/ip4/127.0.0.1/tcp/0".parse().expect("addr"), store.clone())
		.expect("mesh");
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
	let addr = listener.local_addr().expect("addr");
	let gw = gateway::Gateway::new(store.clone(), 0, Some(mesh), None);
	tokio::spawn(gateway::serve(listener, Arc::new(gw)));
	let url = format!("http://{addr}/content/{}", model_root.to_hex());

	let _ = wrk(&url, 2); // warm up
	let alone = tokio::task::spawn_blocking({
		let url = url.clone();
		move || wrk(&url, seconds)
	})
	.await
	.expect("wrk");

	// The attack.
	let stop = Arc::new(AtomicBool::new(false));
	let mut held = Vec::new();
	for _ in 0..600 {
		let socket = tokio::net::TcpSocket::new_v4().expect("socket");
		socket.set_recv_buffer_size(4096).expect("buffer");
		let mut stream = socket.connect(addr).await.expect("connect");
		let request = format!("GET /content/{} HTTP/1.1\r\nHost: gateway\r\n\r\n", big_root.to_hex());
		stream.write_all(request.as_bytes()).await.expect("request");
		held.push(stream);
	}
	for _ in 0..100 {
		let stop = stop.clone();
		tokio::spawn(async move {
			let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return };
			let _ = stream.write_all(b"GET /content/").await;
			while !stop.load(Ordering::Relaxed) {
				if stream.write_all(b"a").await.is_err() {
					return;
				}
				tokio::time::sleep(Duration::from_secs(1)).await;
			}
		});
	}
	let misses = Arc::new(AtomicU64::new(0));
	for client in 0..16u64 {
		let (stop, misses) = (stop.clone(), misses.clone());
		tokio::spawn(async move {
			use tokio::io::AsyncReadExt;
			let mut n = 0u64;
			while !stop.load(Ordering::Relaxed) {
				n += 1;
				let id = blake3::hash(&[client.to_le_bytes(), n.to_le_bytes()].concat()).to_hex();
				let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { continue };
				let request = format!("GET /content/{id} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");
				if stream.write_all(request.as_bytes()).await.is_ok() {
					let mut answer = Vec::new();
					let _ = stream.read_to_end(&mut answer).await;
					misses.fetch_add(1, Ordering::Relaxed);
				}
			}
		});
	}
	let slowest = Arc::new(AtomicU64::new(0));
	let answered = Arc::new(AtomicU64::new(0));
	{
		let (stop, slowest, answered, store) = (stop.clone(), slowest.clone(), answered.clone(), store.clone());
		tokio::spawn(async move {
			let mut index = 0u64;
			while !stop.load(Ordering::Relaxed) {
				let t = Instant::now();
				let store = store.clone();
				index = (index + 7919) % (64 << 10);
				let proof = tokio::task::spawn_blocking(move || challenge::chunk_proof(&store, &big_root, index)).await;
				if matches!(proof, Ok(Ok(_))) {
					answered.fetch_add(1, Ordering::Relaxed);
				}
				slowest.fetch_max(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
				tokio::time::sleep(Duration::from_millis(100)).await;
			}
		});
	}
	tokio::time::sleep(Duration::from_secs(1)).await;
	let attacked = tokio::task::spawn_blocking({
		let url = url.clone();
		move || wrk(&url, seconds)
	})
	.await
	.expect("wrk");
	stop.store(true, Ordering::Relaxed);
	drop(held);

	println!("gateway, 64 connections GET a 1 MiB model for {seconds} s (wrk):");
	println!("  alone:          {:8.0} req/s  p50 {:7.2} ms  p99 {:7.2} ms", alone.rps, alone.p50, alone.p99);
	println!(
		"  under attack:   {:8.0} req/s  p50 {:7.2} ms  p99 {:7.2} ms   ratio {:.2} of alone",
		attacked.rps,
		attacked.p50,
		attacked.p99,
		attacked.rps / alone.rps
	);
	println!(
		"  the attack: 600 stalled readers of 64 MiB, 100 slowloris, 16 clients of random-id misses ({} answered)",
		misses.load(Ordering::Relaxed)
	);
	println!(
		"  challenge answers meanwhile: {} computed, slowest {:.1} ms (deadline: 5 blocks)",
		answered.load(Ordering::Relaxed),
		slowest.load(Ordering::Relaxed) as f64 / 1e3
	);
}
