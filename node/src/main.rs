//! `landmesh-node`: the Landmesh chain node.

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	landmesh_node::command::run()
}
