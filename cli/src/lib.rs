//! `landmesh`: the command-line client of a Landmesh chain and its content mesh, and the
//! client library under it (the chain through subxt, the gateways over HTTP, keys,
//! amounts and sizes).

pub mod chain;
pub mod fetch;
pub mod gateway;
pub mod keys;
pub mod output;
pub mod units;
