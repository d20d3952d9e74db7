//! The content mesh embedded in a real `--dev` node: a model's file uploaded through the
//! node's gateway is served back byte for byte under the content id the chain's model
//! NFT names.

mod common;

use common::{dev_node, http};
use landmesh_runtime::genesis::SAMPLE_MODELS;

#[test]
fn a_dev_node_serves_uploaded_models_over_http() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = dev_node("mesh", dir.path(), None);
	let gateway = &node.gateway_url;
	let (name, root, size) = SAMPLE_MODELS[0];
	let path = format!("/content/{root}");

	// Not uploaded yet: the chain knows the model, this node does not hold its bytes.
	let (status, _, body) = http(gateway, "GET", &path, &[], b"");
	assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));

	let file = std::fs::read(format!("{}/../assets/models/{name}", env!("CARGO_MANIFEST_DIR"))).expect("the sample model");
	let (status, _, body) = http(gateway, "POST", &format!("/content?name={name}"), &[("Content-Type", "model/gltf+json")], &file);
	assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
	let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
	assert_eq!(answer["contentId"], root, "the upload's id is the one the chain's model NFT names");
	assert_eq!(answer["size"], size);
	assert_eq!(answer["magnet"], format!("magnet:?xt=urn:blake3:{root}&xl={size}&dn={name}"));

	let (status, head, body) = http(gateway, "GET", &path, &[], b"");
	assert_eq!((status, body.as_slice()), (200, file.as_slice()));
	assert!(head.to_lowercase().contains("content-type: model/gltf+json"), "{head}");
	let (status, _, body) = http(gateway, "GET", &path, &[("Range", "bytes=0-9")], b"");
	assert_eq!((status, body.as_slice()), (206, &file[..10]));
	node.stop();
}
