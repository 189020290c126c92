//! Any bytes as a signed request: the first line is the `Authorization` header value, the second
//! the query string (presigned URLs), the third `x-amz-content-sha256`, the rest the body. The
//! SigV4 parser, the scope and time checks, the verifier (both canonical URI forms), the
//! aws-chunked decoder and AWS's error for each service must never panic.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use iamsim::auth::{self, CanonicalUri, chunked};
use libfuzzer_sys::fuzz_target;

fn line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fn printable(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).filter(|c| c.is_ascii_graphic() || *c == ' ').collect()
}

fuzz_target!(|data: &[u8]| {
    let (authorization, rest) = line(data);
    let (query, rest) = line(rest);
    let (content_sha256, body) = line(rest);
    let mut builder = http::Request::put(format!("https://bucket.s3.amazonaws.com/a%20b//c?{}", printable(query)))
        .header("host", "bucket.s3.amazonaws.com")
        .header("x-amz-date", "20260517T072500Z")
        .header("x-amz-decoded-content-length", body.len().to_string());
    if !authorization.is_empty() {
        let Ok(value) = http::HeaderValue::from_bytes(authorization) else { return };
        builder = builder.header("authorization", value);
    }
    if !content_sha256.is_empty() {
        let Ok(value) = http::HeaderValue::from_bytes(content_sha256) else { return };
        builder = builder.header("x-amz-content-sha256", value);
    }
    let Ok(request) = builder.body(()) else { return };
    let (parts, ()) = request.into_parts();
    let signed = match auth::parse(&parts) {
        Ok(Some(signed)) => signed,
        Ok(None) => return,
        Err(error) => {
            let _ = (error.aws_error("s3"), error.aws_error("sts"), error.to_string());
            return;
        }
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_778_998_000);
    let errors = [
        auth::check_scope(&signed, "us-east-1", "s3").err(),
        auth::check_time(&signed, now).err(),
        auth::verify(&signed, &parts, body, "secret", CanonicalUri::S3).err(),
        auth::verify(&signed, &parts, body, "secret", CanonicalUri::Standard).err(),
        chunked::decode(&signed, &parts, body, "secret").err(),
    ];
    for error in errors.into_iter().flatten() {
        let _ = (error.aws_error("s3"), error.aws_error("sts"), error.to_string());
    }
});
