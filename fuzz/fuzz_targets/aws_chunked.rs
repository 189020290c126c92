//! The aws-chunked decoder (`iamsim::auth::chunked::decode`) in its three modes, on bodies the
//! fuzzer writes and on bodies the harness encodes correctly — signed chunks, a signed trailer,
//! a SHA-256 checksum — and then corrupts where the input says, so the signed paths are reached
//! past the first signature.
//!
//! Layout: byte 0 picks the mode (`% 3`: signed payload, signed payload with trailer, unsigned
//! payload with trailer); byte 1 holds flags (`0x01` encode; `0x02` declare a wrong decoded
//! length); with encoding, bytes 2–3 are a position in the encoded body and byte 4 a mask to
//! XOR there (0: leave it), and the rest is chunks as `<length byte><data>`; without it, the
//! rest is the body as sent. A body the harness encoded and left intact must decode to exactly
//! its data; nothing may panic.

#![no_main]

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use iamsim::auth::{self, chunked};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DATE: &str = "20261122T204322Z";
const SCOPE: &str = "20261122/us-east-1/s3/aws4_request";
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

const MODES: [&str; 3] = [
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
];

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sign(string_to_sign: &str) -> String {
    let mut key = hmac(format!("AWS4{SECRET}").as_bytes(), b"20261122");
    for part in ["us-east-1", "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex::encode(hmac(&key, string_to_sign.as_bytes()))
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The body as the SDK would send it, and the data it carries.
fn encode(mode: usize, chunks: &[&[u8]]) -> Vec<u8> {
    let signed = mode < 2;
    let mut body = Vec::new();
    let mut previous = SEED.to_owned();
    for chunk in chunks.iter().copied().chain([&b""[..]]) {
        body.extend_from_slice(format!("{:x}", chunk.len()).as_bytes());
        if signed {
            let to_sign = format!(
                "AWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n{previous}\n{}\n{}",
                sha256_hex(b""),
                sha256_hex(chunk)
            );
            previous = sign(&to_sign);
            body.extend_from_slice(format!(";chunk-signature={previous}").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(chunk);
        if !chunk.is_empty() {
            body.extend_from_slice(b"\r\n");
        }
    }
    if mode == 0 {
        body.extend_from_slice(b"\r\n");
        return body;
    }
    let data: Vec<u8> = chunks.concat();
    let trailer = format!(
        "x-amz-checksum-sha256:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&data))
    );
    body.extend_from_slice(trailer.as_bytes());
    body.extend_from_slice(b"\r\n");
    if signed {
        let to_sign =
            format!("AWS4-HMAC-SHA256-TRAILER\n{DATE}\n{SCOPE}\n{previous}\n{}", sha256_hex(format!("{trailer}\n").as_bytes()));
        body.extend_from_slice(format!("x-amz-trailer-signature:{}\r\n", sign(&to_sign)).as_bytes());
    }
    body.extend_from_slice(b"\r\n");
    body
}

fuzz_target!(|data: &[u8]| {
    let [mode, flags, rest @ ..] = data else { return };
    let mode = usize::from(*mode) % 3;
    let (body, expected) = if flags & 0x01 != 0 {
        let [hi, lo, mask, tail @ ..] = rest else { return };
        let mut rest: &[u8] = tail;
        let mut chunks = Vec::new();
        while let [len, tail @ ..] = rest {
            let len = usize::from(*len).min(tail.len());
            chunks.push(&tail[..len]);
            rest = &tail[len..];
        }
        // An empty chunk would end the body early: the SDK never sends one before the last.
        chunks.retain(|c| !c.is_empty());
        let mut body = encode(mode, &chunks);
        let intact = *mask == 0;
        if !intact && !body.is_empty() {
            let at = usize::from(u16::from_be_bytes([*hi, *lo])) % body.len();
            body[at] ^= mask;
        }
        (body, intact.then(|| chunks.concat()))
    } else {
        (rest.to_vec(), None)
    };
    let decoded_length = match &expected {
        Some(data) if flags & 0x02 == 0 => data.len(),
        _ => body.len(),
    };
    let mut builder = http::Request::put("https://127.0.0.1:1/demo/hello.txt?x-id=PutObject")
        .header("x-amz-date", DATE)
        .header("x-amz-content-sha256", MODES[mode])
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", decoded_length.to_string())
        .header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{SCOPE}, SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length, Signature={SEED}"
            ),
        );
    if mode > 0 {
        builder = builder.header("x-amz-trailer", "x-amz-checksum-sha256");
    }
    let (parts, ()) = builder.body(()).expect("a valid request").into_parts();
    let signed = auth::parse(&parts).expect("a well-formed signature").expect("signed");
    match chunked::decode(&signed, &parts, &body, SECRET) {
        Ok(decoded) => {
            let decoded = decoded.expect("a STREAMING-* body");
            if let Some(data) = &expected {
                assert_eq!(&decoded.data, data);
            }
        }
        Err(error) => {
            assert!(
                expected.is_none() || flags & 0x02 != 0,
                "a correctly encoded body was refused: {error}"
            );
            let _ = (error.aws_error("s3"), error.to_string());
        }
    }
});
