//! `landmesh-node`: the Landmesh chain node.

fn main() -> sc_cli::Result<()> {
	landmesh_node::command::run()
}
