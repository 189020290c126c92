//! Any bytes as the XML body S3 reads: parsed with `XmlElement::parse` (then walked), and sent
//! through `iamsim::s3::handle` with a correct `Content-MD5` as DeleteObjects, PutObjectTagging,
//! PutBucketTagging and CompleteMultipartUpload (answered or refused, but never a panic),
//! against fresh live state per input whose bucket lets everyone do anything.

#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use bytes::Bytes;
use iamsim::World;
use iamsim::live::Live;
use iamsim::model::Model;
use iamsim::s3::XmlElement;
use iamsim::wire::{Origin, WireRequest};
use libfuzzer_sys::fuzz_target;
use md5::Digest as _;

const WORLD: &str = r#"accounts:
  "111111111111":
    buckets:
      open:
        public_access_block: {}
        policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::open", "arn:aws:s3:::open/*"] }] }
        objects:
          a.txt: hello
          "dir/b c.txt": { text: hi, tags: { k: v } }
"#;

/// The validated model, built once; each input gets fresh live state from it.
static MODEL: LazyLock<Model> =
    LazyLock::new(|| World::from_yaml(WORLD).expect("the fuzz world is valid").model().clone());

const REQUESTS: [(&str, &str); 4] = [
    ("POST", "/open?delete"),
    ("PUT", "/open/a.txt?tagging"),
    ("PUT", "/open?tagging"),
    ("POST", "/open/a.txt?uploadId=upload-1"),
];

/// Visits every element, reading what the operations read.
fn walk(element: &XmlElement) -> usize {
    let _ = (element.name.len(), element.text().len(), element.child("Key").is_some());
    1 + element.children("Object").count() + element.elements.iter().map(walk).sum::<usize>()
}

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = XmlElement::parse(data) {
        walk(&root);
    }
    let live = Live::new(MODEL.clone());
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data));
    for (method, target) in REQUESTS {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("https://iamsim.test{target}"))
            .header("content-md5", md5.as_str())
            .body(Bytes::copy_from_slice(data))
            .expect("a valid request");
        let response = iamsim::s3::handle(&live, &WireRequest::new(request, Origin::in_process()));
        assert!(response.status().as_u16() >= 200);
    }
});
