//! S3 through the real aws-sdk-s3 client, in one run:
//!
//! - `floor`: a `HttpClient` that replays, byte for byte, the response the world gave to the
//!   same request (status, headers, body) — the SDK client's own cost (signing, serialization,
//!   XML parsing, response checksum validation), the floor no fake can beat
//!   (`../shared/WIRE.md` §7);
//! - `floor_transport`: the same, with the in-process transport's conversions done around the
//!   replayed response (body copy, HTTP/1 request, `WireRequest`); `floor_verify` also checks
//!   the SigV4 signature, the least any faithful fake does;
//! - `in_process`: the world through the in-process transport (SigV4 verified, authorized,
//!   logged, the object store read);
//! - `put_object`: uploads of 1 MiB and 64 MiB in-process (the SDK hashes the body for the
//!   signature and a CRC32 checksum; the world checks the SHA-256 and the checksum and computes
//!   the MD5 ETag), in bytes per second, against `baseline::memcpy` (a copy into a ready buffer)
//!   and `baseline::to_vec` (allocate and copy) of the same sizes;
//! - `world_side`: the world alone on the recorded request, without the SDK client: `route`
//!   (all of it), `verify` (SigV4) and `authorize` (the decision).
//!
//! Memory per stored byte is measured by `tests/s3_memory.rs` (a counting allocator needs its
//! own binary). Run with `cargo bench --bench s3 --all-features`. Figures are in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark setup")]

use std::sync::{Arc, Mutex};

use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Headers, StatusCode};
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use divan::Bencher;
use divan::counter::BytesCount;
use iamsim::World;

fn main() {
    divan::main();
}

const ACCOUNT: &str = "111111111111";
const MIB: usize = 1024 * 1024;

/// A bucket of ten objects (the listing), one of them 1 KiB (the object read), and a user who
/// may do anything to the bucket through an identity policy with two statements.
fn world() -> World {
    let mut yaml = String::from(
        r#"accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          Photos:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: [s3:ListBucket], Resource: "arn:aws:s3:::photos" }
              - { Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::photos/*" }
    buckets:
      photos:
        objects:
"#,
    );
    for i in 0..9 {
        yaml.push_str(&format!("          2026/photo-{i:02}.jpg: \"photo number {i}\"\n"));
    }
    yaml.push_str(&format!("          kib.bin: \"{}\"\n", "x".repeat(1024)));
    World::from_yaml(&yaml).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A response kept to be replayed: status, headers and body.
#[derive(Clone, Debug)]
struct Recorded {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Recorded {
    fn response(&self) -> HttpResponse {
        let mut response =
            HttpResponse::new(StatusCode::try_from(self.status).unwrap(), SdkBody::from(self.body.clone()));
        let headers: &mut Headers = response.headers_mut();
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        response
    }
}

/// Passes requests to the world and keeps the last response (and the last request, as the
/// world received it).
#[derive(Clone, Debug)]
struct Recorder {
    inner: SharedHttpClient,
    last: Arc<Mutex<Option<Recorded>>>,
    request: Arc<Mutex<Option<http::Request<Bytes>>>>,
}

impl HttpClient for Recorder {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(RecordingConnector { inner, last: self.last.clone(), request: self.request.clone() })
    }
}

#[derive(Clone, Debug)]
struct RecordingConnector {
    inner: SharedHttpConnector,
    last: Arc<Mutex<Option<Recorded>>>,
    request: Arc<Mutex<Option<http::Request<Bytes>>>>,
}

impl HttpConnector for RecordingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let last = self.last.clone();
        let body = Bytes::copy_from_slice(request.body().bytes().expect("the SDK sends these bodies in memory"));
        let copy = request.try_clone().expect("an in-memory body").try_into_http1x().expect("an HTTP/1 request");
        *self.request.lock().unwrap() = Some(copy.map(|_| body));
        HttpConnectorFuture::new(async move {
            let response = inner.call(request).await?;
            let body = Bytes::copy_from_slice(response.body().bytes().expect("the world answers in memory"));
            let recorded = Recorded {
                status: response.status().as_u16(),
                headers: response.headers().iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
                body,
            };
            let replay = recorded.response();
            *last.lock().unwrap() = Some(recorded);
            Ok(replay)
        })
    }
}

/// Answers every request with one recorded response.
#[derive(Clone, Debug)]
struct Canned(Arc<Recorded>);

impl HttpClient for Canned {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Canned {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::ready(Ok(self.0.response()))
    }
}

fn client(world: &World, http: SharedHttpClient) -> aws_sdk_s3::Client {
    let config = world.s3_config(world.user_credentials(ACCOUNT, "alice")).http_client(http).build();
    aws_sdk_s3::Client::from_conf(config)
}

/// One call of `operation`, checked: ten objects listed, or the 1 KiB object read in full.
async fn call(s3: &aws_sdk_s3::Client, operation: &str) {
    match operation {
        "ListObjectsV2" => {
            let listed = s3.list_objects_v2().bucket("photos").send().await.unwrap();
            assert_eq!(listed.contents().len(), 10);
        }
        "GetObject" => {
            let object = s3.get_object().bucket("photos").key("kib.bin").send().await.unwrap();
            assert_eq!(object.body.collect().await.unwrap().into_bytes().len(), 1024);
        }
        other => panic!("no such operation {other}"),
    }
}

/// The world's answer to `operation`, recorded through the in-process transport.
fn record(world: &World, rt: &tokio::runtime::Runtime, operation: &str) -> Recorded {
    record_both(world, rt, operation).0
}

/// The world's answer to `operation` and the request it answered.
fn record_both(world: &World, rt: &tokio::runtime::Runtime, operation: &str) -> (Recorded, http::Request<Bytes>) {
    let (last, request) = (Arc::new(Mutex::new(None)), Arc::new(Mutex::new(None)));
    let recorder = Recorder { inner: world.http_client(), last: last.clone(), request: request.clone() };
    let s3 = client(world, SharedHttpClient::new(recorder));
    rt.block_on(call(&s3, operation));
    let recorded = last.lock().unwrap().take().unwrap();
    assert_eq!(recorded.status, 200);
    (recorded, request.lock().unwrap().take().unwrap())
}

#[divan::bench(args = ["ListObjectsV2", "GetObject"])]
fn floor(bencher: Bencher, operation: &str) {
    let world = world();
    let rt = runtime();
    let canned = Canned(Arc::new(record(&world, &rt, operation)));
    let s3 = client(&world, SharedHttpClient::new(canned));
    rt.block_on(call(&s3, operation));
    bencher.bench_local(|| rt.block_on(call(&s3, operation)));
}

#[divan::bench(args = ["ListObjectsV2", "GetObject"])]
fn in_process(bencher: Bencher, operation: &str) {
    let world = world();
    let rt = runtime();
    let s3 = client(&world, world.http_client());
    rt.block_on(call(&s3, operation));
    bencher.bench_local(|| rt.block_on(call(&s3, operation)));
}

const SIZES: [usize; 2] = [MIB, 64 * MIB];

/// Deterministic, incompressible-looking bytes.
fn payload(size: usize) -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect::<Vec<u8>>()
        .into()
}

/// PutObject of `size` bytes (the same key each time), in-process.
#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn put_object(bencher: Bencher, size: usize) {
    let world = world();
    let rt = runtime();
    let s3 = client(&world, world.http_client());
    let body = payload(size);
    let put = || {
        rt.block_on(s3.put_object().bucket("photos").key("upload.bin").body(ByteStream::from(body.clone())).send())
            .unwrap()
    };
    put();
    bencher.counter(BytesCount::new(size)).bench_local(put);
}

mod baseline {
    use super::*;

    /// Copying `size` bytes into a buffer that is already allocated and touched.
    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
    fn memcpy(bencher: Bencher, size: usize) {
        let source = payload(size);
        let mut target = vec![0_u8; size];
        bencher.counter(BytesCount::new(size)).bench_local(|| {
            target.copy_from_slice(divan::black_box(&source));
            divan::black_box(&mut target);
        });
    }

    /// Allocating a buffer of `size` bytes and copying into it (`<[u8]>::to_vec`).
    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
    fn to_vec(bencher: Bencher, size: usize) {
        let source = payload(size);
        bencher.counter(BytesCount::new(size)).bench_local(|| divan::black_box(&source).to_vec());
    }
}

/// The world's side of one request alone, without the SDK client, and the two parts every
/// verifying, authorizing fake must do whatever its design: the SigV4 check and the decision.
/// `floor + verify + authorize` is a lower bound for `in_process` (BENCHMARKS.md).
mod world_side {
    use super::*;
    use iamsim::auth::{self, CanonicalUri};
    use iamsim::model::Caller;
    use iamsim::wire::{Origin, WireRequest};

    /// The world, the recorded request of `operation` and alice's secret key.
    fn recorded(operation: &str) -> (World, WireRequest, String) {
        let world = world();
        let (_, request) = record_both(&world, &runtime(), operation);
        let secret = world.user_credentials(ACCOUNT, "alice").secret_access_key().to_owned();
        (world, WireRequest::new(request, Origin::in_process()), secret)
    }

    /// `transport::route`: parse, verify, authorize, log, answer.
    #[divan::bench(args = ["ListObjectsV2", "GetObject"])]
    fn route(bencher: Bencher, operation: &str) {
        let (world, request, _) = recorded(operation);
        let live = world.live_handle();
        assert_eq!(iamsim::transport::route(&live, &request).status(), 200);
        bencher.bench_local(|| iamsim::transport::route(&live, &request));
    }

    /// The SigV4 check with the world's cached signing key: parse, canonical request, HMAC.
    #[divan::bench(args = ["ListObjectsV2", "GetObject"])]
    fn verify(bencher: Bencher, operation: &str) {
        let (world, request, secret) = recorded(operation);
        let keys = world.live().signing_keys();
        bencher.bench_local(|| {
            let signed = auth::parse(&request.parts).unwrap().unwrap();
            auth::verify_with(&signed, &request.parts, &request.body, &secret, CanonicalUri::S3, keys).unwrap();
        });
    }

    /// The decision alone, with the keys the request carries.
    #[divan::bench(args = ["ListObjectsV2", "GetObject"])]
    fn authorize(bencher: Bencher, operation: &str) {
        let world = world();
        let (action, resource) = match operation {
            "ListObjectsV2" => ("s3:ListBucket", "arn:aws:s3:::photos"),
            _ => ("s3:GetObject", "arn:aws:s3:::photos/kib.bin"),
        };
        let (action, resource) = (action.parse().unwrap(), resource.parse().unwrap());
        let mut context = iamsim::Context::new();
        Origin::in_process().add_context_keys(&mut context);
        for (key, value) in [
            ("aws:RequestedRegion", "us-east-1"),
            ("s3:authType", "REST-HEADER"),
            ("s3:signatureversion", "AWS4-HMAC-SHA256"),
            ("s3:signatureAge", "0"),
            ("s3:x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ] {
            context.insert(key, value);
        }
        let caller = Caller::user(ACCOUNT, "alice");
        assert!(world.live().authorize(&caller, &action, &resource, &context).unwrap().is_allowed());
        bencher.bench_local(|| world.live().authorize(&caller, &action, &resource, &context));
    }
}

/// The in-process transport's own work (the request body copied, the request turned into an
/// HTTP/1 request and a `WireRequest`) around the replayed response: no world work. With
/// `verify`, also the SigV4 check with the world's cached signing key: the least any faithful
/// fake does.
#[derive(Clone)]
struct Converting {
    recorded: Arc<Recorded>,
    verify: Option<(Arc<iamsim::live::Live>, Arc<str>)>,
}

impl std::fmt::Debug for Converting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converting").field("verify", &self.verify.is_some()).finish_non_exhaustive()
    }
}

impl HttpClient for Converting {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Converting {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let this = self.clone();
        HttpConnectorFuture::new(async move {
            let body = Bytes::copy_from_slice(request.body().bytes().unwrap());
            let request = request.try_into_http1x().unwrap();
            let (parts, _) = request.into_parts();
            let wire = iamsim::wire::WireRequest::new(
                http::Request::from_parts(parts, body),
                iamsim::wire::Origin::in_process(),
            );
            if let Some((live, secret)) = &this.verify {
                let signed = iamsim::auth::parse(&wire.parts).unwrap().unwrap();
                let keys = live.signing_keys();
                iamsim::auth::verify_with(
                    &signed,
                    &wire.parts,
                    &wire.body,
                    secret,
                    iamsim::auth::CanonicalUri::S3,
                    keys,
                )
                .unwrap();
            }
            std::hint::black_box(&wire);
            Ok(this.recorded.response())
        })
    }
}

fn bench_converting(bencher: Bencher, operation: &str, verify: bool) {
    let world = world();
    let rt = runtime();
    let recorded = Arc::new(record(&world, &rt, operation));
    let secret = world.user_credentials(ACCOUNT, "alice").secret_access_key().into();
    let verify = verify.then(|| (world.live_handle(), secret));
    let s3 = client(&world, SharedHttpClient::new(Converting { recorded, verify }));
    rt.block_on(call(&s3, operation));
    bencher.bench_local(|| rt.block_on(call(&s3, operation)));
}

/// `floor` plus what the in-process transport does besides asking the world.
#[divan::bench(args = ["ListObjectsV2", "GetObject"])]
fn floor_transport(bencher: Bencher, operation: &str) {
    bench_converting(bencher, operation, false);
}

/// `floor_transport` plus the SigV4 check: the lower bound for `in_process` on this machine.
#[divan::bench(args = ["ListObjectsV2", "GetObject"])]
fn floor_verify(bencher: Bencher, operation: &str) {
    bench_converting(bencher, operation, true);
}
