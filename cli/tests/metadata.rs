//! The CLI's generated types are the runtime's: `metadata/landmesh.scale` is the V15
//! metadata of the runtime in this tree. `LANDMESH_BLESS=1` writes it again after a
//! runtime change (then rebuild the CLI).

#[test]
fn the_generated_types_are_the_runtimes() {
	let metadata = landmesh_runtime::Runtime::metadata_at_version(15).expect("the runtime has V15 metadata");
	let bytes: &[u8] = &metadata;
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata/landmesh.scale");
	if std::env::var_os("LANDMESH_BLESS").is_some() {
		std::fs::write(&path, bytes).unwrap();
	}
	let committed = std::fs::read(&path).unwrap();
	assert!(
		committed == bytes,
		"{} is not the runtime's metadata: run `LANDMESH_BLESS=1 cargo test -p landmesh-cli --test metadata` and rebuild",
		path.display()
	);
}
