//! Any bytes as the body (and query) of an STS request: the form parser, every operation's
//! validation, and the web identity path with whatever token the input holds. No panic.

#![no_main]

use std::sync::LazyLock;

use bytes::Bytes;
use iamsim::World;
use iamsim::live::Live;
use iamsim::model::Model;
use iamsim::wire::{Origin, WireRequest};
use libfuzzer_sys::fuzz_target;

/// Validated once; each input gets fresh live state from it (a world kept across inputs keeps
/// every session and log entry: 3.2 GB after 10 M runs).
static MODEL: LazyLock<Model> = LazyLock::new(|| {
    World::from_yaml(
        "accounts:\n  \"111111111111\":\n    users:\n      alice: { mfa: true }\n    oidc_providers:\n      token.actions.githubusercontent.com: { audiences: [sts.amazonaws.com] }\n    roles:\n      r:\n        trust: { Version: \"2012-10-17\", Statement: [{ Effect: Allow, Principal: { Federated: \"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com\" }, Action: sts:AssumeRoleWithWebIdentity }] }\n",
    )
    .expect("the fuzz world is valid")
    .model()
    .clone()
});

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (query, body) = data.split_at(split);
    let query: String = query.iter().map(|b| char::from(*b)).filter(|c| c.is_ascii_graphic()).collect();
    let uri = format!("https://iamsim.test/?{query}");
    let Ok(request) = http::Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::copy_from_slice(body))
    else {
        return;
    };
    let request = WireRequest::new(request, Origin::in_process());
    let response = iamsim::sts::handle(&Live::new(MODEL.clone()), &request);
    assert!(response.status().as_u16() >= 200);
});
