//! Mesh benchmarks against named baselines, same machine, same run (driven by
//! `scripts/bench-mesh`, which builds this in release and starts nginx):
//!
//! 1. import throughput of a file vs `b3sum` of the same file;
//! 2. gateway GET throughput and time to first byte for a cached 64 MiB blob vs nginx
//!    serving the same file;
//! 3. a cold fetch of a 256 MiB blob from 1 seeder vs from 3.
//!
//! Usage: `bench_mesh <work dir> <nginx url of the 64 MiB file>`; the script writes the
//! files it names.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use landmesh_mesh::{fetch, gateway, Mesh, Store};
use libp2p::identity::Keypair;
use std::{
	path::{Path, PathBuf},
	process::Command,
	sync::Arc,
	time::{Duration, Instant},
};

const MIB: f64 = 1024.0 * 1024.0;

fn best_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
	(0..runs).map(|_| f()).min().unwrap_or_default()
}

fn median(mut v: Vec<Duration>) -> Duration {
	v.sort();
	v[v.len() / 2]
}

/// Times GETs of `url`: (median time to first byte, median total, bytes).
async fn get_timings(url: &str, runs: usize) -> (Duration, Duration, usize) {
	let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let (mut ttfb, mut total, mut len) = (Vec::new(), Vec::new(), 0);
	for _ in 0..runs {
		let start = Instant::now();
		let response = client.get(url.parse().expect("url")).await.expect("GET");
		assert!(response.status().is_success(), "{url}: {}", response.status());
		let mut body = response.into_body();
		let mut first = None;
		let mut n = 0;
		while let Some(frame) = body.frame().await {
			if let Ok(data) = frame.expect("body").into_data() {
				first.get_or_insert_with(|| start.elapsed());
				n += data.len();
			}
		}
		ttfb.push(first.unwrap_or_default());
		total.push(start.elapsed());
		len = n;
	}
	(median(ttfb), median(total), len)
}

async fn mesh_node(dir: &Path) -> (Mesh, Store, libp2p::Multiaddr) {
	let store = Store::open(dir, u64::MAX).expect("store");
	let mesh = Mesh::start(Keypair::generate_ed25519(), "/ip4/127.0.0.1/tcp/0".parse().unwrap(), store.clone()).expect("mesh");
	let addr = loop {
		if let Some(a) = mesh.listen_addrs().await.into_iter().next() {
			break a;
		}
		tokio::time::sleep(Duration::from_millis(10)).await;
	};
	(mesh, store, addr)
}

#[tokio::main]
async fn main() {
	let args: Vec<String> = std::env::args().collect();
	let (work, nginx_url) = match &args[..] {
		[_, work, url] => (PathBuf::from(work), url.clone()),
		_ => {
			eprintln!("usage: bench_mesh <work dir> <nginx url of <work dir>/www/blob64>");
			std::process::exit(2);
		},
	};
	let big = work.join("blob256");
	let blob64 = work.join("www").join("blob64");

	// 1. Import vs b3sum.
	let size = std::fs::metadata(&big).expect("blob256 (written by the script)").len() as f64;
	let b3 = best_of(3, || {
		let t = Instant::now();
		let out = Command::new("b3sum").arg(&big).output().expect("b3sum");
		assert!(out.status.success());
		t.elapsed()
	});
	let import = best_of(3, || {
		let dir = tempfile::tempdir_in(&work).expect("tempdir");
		let store = Store::open(dir.path(), u64::MAX).expect("store");
		let t = Instant::now();
		store.import_file(&big, None, None).expect("import");
		t.elapsed()
	});
	// What storing the bytes durably costs by itself on this disk: a floor under any
	// import that keeps a copy.
	let copy = best_of(3, || {
		let target = work.join("copy-floor");
		let t = Instant::now();
		std::fs::copy(&big, &target).expect("copy");
		std::fs::File::open(&target).and_then(|f| f.sync_all()).expect("sync");
		let elapsed = t.elapsed();
		let _ = std::fs::remove_file(&target);
		elapsed
	});
	println!("import  256 MiB: landmesh {:7.0} MiB/s   b3sum {:7.0} MiB/s   ratio {:.2} (goal >= 0.5)",
		size / MIB / import.as_secs_f64(), size / MIB / b3.as_secs_f64(), b3.as_secs_f64() / import.as_secs_f64());
	println!("        copy + fsync alone {:7.0} MiB/s   ratio to b3sum {:.2} (the floor of a durable import)",
		size / MIB / copy.as_secs_f64(), b3.as_secs_f64() / copy.as_secs_f64());

	// 2. Gateway vs nginx, 64 MiB cached.
	let dir = tempfile::tempdir_in(&work).expect("tempdir");
	let store = Store::open(dir.path(), u64::MAX).expect("store");
	let root = store.import_file(&blob64, None, None).expect("import").root;
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
	let url = format!("http://{}/content/{}", listener.local_addr().expect("addr"), root.to_hex());
	tokio::spawn(gateway::serve(listener, Arc::new(gateway::Gateway::local(store, 0))));
	let _ = get_timings(&url, 2).await; // warm the page cache and connections
	let _ = get_timings(&nginx_url, 2).await;
	let (g_ttfb, g_total, g_len) = get_timings(&url, 15).await;
	let (n_ttfb, n_total, n_len) = get_timings(&nginx_url, 15).await;
	assert_eq!(g_len, n_len, "both serve the same 64 MiB");
	let mbps = |d: Duration| g_len as f64 / MIB / d.as_secs_f64();
	println!("gateway  64 MiB: landmesh {:7.0} MiB/s ttfb {:6.2} ms   nginx {:7.0} MiB/s ttfb {:6.2} ms   ratio {:.2} (goal >= 0.8)",
		mbps(g_total), g_ttfb.as_secs_f64() * 1e3, mbps(n_total), n_ttfb.as_secs_f64() * 1e3,
		n_total.as_secs_f64() / g_total.as_secs_f64());

	// 3. Cold fetch of 256 MiB from 1 vs 3 seeders.
	let mut seeders = Vec::new();
	for i in 0..3 {
		let d = work.join(format!("seeder{i}"));
		let (mesh, store, addr) = mesh_node(&d).await;
		store.import_file(&big, None, None).expect("seed");
		seeders.push((mesh, addr));
	}
	let root = landmesh_mesh::ContentId(*blake3::hash(&std::fs::read(&big).expect("read")).as_bytes());
	let mut times = Vec::new();
	for count in [1usize, 3] {
		let d = tempfile::tempdir_in(&work).expect("tempdir");
		let (mesh, store, _) = mesh_node(d.path()).await;
		let mut peers = Vec::new();
		for (seeder, addr) in &seeders[..count] {
			mesh.add_address(seeder.peer_id(), addr.clone()).await;
			peers.push(seeder.peer_id());
		}
		let t = Instant::now();
		let got = fetch::download(&mesh, &store, root, &peers).await.expect("fetch");
		let took = t.elapsed();
		assert_eq!(got.info.size as f64, size);
		println!("fetch  256 MiB from {count} seeder(s): {:6.2} s  {:7.0} MiB/s  (per seeder: {:?} MiB)",
			took.as_secs_f64(), size / MIB / took.as_secs_f64(),
			got.from.values().map(|b| b >> 20).collect::<Vec<_>>());
		times.push(took);
	}
	println!("fetch ratio 1 seeder / 3 seeders: {:.2} (goal > 1)", times[0].as_secs_f64() / times[1].as_secs_f64());
}
