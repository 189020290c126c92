//! Any bytes as an S3 request through `iamsim::s3::handle`, against fresh live state per
//! input (requests change the store, so a shared world would make crashes unreproducible).
//!
//! Layout: byte 0 picks the method (low 3 bits) and flags (`0x08` virtual-hosted host,
//! `0x10` a correct `Content-MD5` for the body); line 1 is the path and query; then
//! `name: value` header lines up to an empty line; the rest is the body. The caller is
//! anonymous: the bucket `open` lets everyone do anything, so operations run past
//! authorization; `closed` has no policy. Nothing may panic; every answer has a status and a
//! request id, and every request is logged.

#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use bytes::Bytes;
use iamsim::World;
use iamsim::live::Live;
use iamsim::model::Model;
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
          "dir/b c.txt": { text: hi, content_type: text/plain, tags: { k: v } }
      closed:
        objects: { x: y }
"#;

/// The validated model, built once; each input gets fresh live state from it.
static MODEL: LazyLock<Model> =
    LazyLock::new(|| World::from_yaml(WORLD).expect("the fuzz world is valid").model().clone());

const METHODS: [&str; 8] = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH", "GET"];

fn line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (target, mut rest) = line(rest);
    let target: String = target.iter().map(|b| char::from(*b)).filter(|c| c.is_ascii_graphic()).collect();
    let host = if selector & 0x08 != 0 { "open.iamsim.test" } else { "iamsim.test" };
    let slash = if target.starts_with('/') { "" } else { "/" };
    let mut builder = http::Request::builder()
        .method(METHODS[usize::from(selector & 0x07)])
        .uri(format!("https://{host}{slash}{target}"))
        .header("host", host);
    loop {
        let (header, after) = line(rest);
        rest = after;
        if header.is_empty() {
            break;
        }
        let Some(colon) = header.iter().position(|b| *b == b':') else { continue };
        let (name, value) = (&header[..colon], &header[colon + 1..]);
        let (Ok(name), Ok(value)) =
            (http::HeaderName::from_bytes(name), http::HeaderValue::from_bytes(value.trim_ascii()))
        else {
            continue;
        };
        builder = builder.header(name, value);
    }
    if selector & 0x10 != 0 {
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(rest));
        builder = builder.header("content-md5", md5);
    }
    let Ok(request) = builder.body(Bytes::copy_from_slice(rest)) else { return };
    let live = Live::new(MODEL.clone());
    let response = iamsim::s3::handle(&live, &WireRequest::new(request, Origin::in_process()));
    assert!(response.status().as_u16() >= 200);
    assert!(response.headers().contains_key("x-amz-request-id"));
    assert_eq!(live.access_log().len(), 1);
});
