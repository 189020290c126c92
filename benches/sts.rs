//! STS through the real aws-sdk-sts client, in one run, against three transports:
//!
//! - `floor`: a canned-response `HttpClient` that answers every call with fixed bytes — the SDK
//!   client's own cost (signing, serialization, XML parsing), the floor no fake can beat
//!   (`../shared/WIRE.md` §7);
//! - `floor_replay`: the same, answering with a copy of the response the world gave for the
//!   call (status, headers — `Date`, `x-amzn-requestid`, `Content-Type` — and body), so that
//!   the SDK parses exactly what it parses in `in_process`: the difference is the world's work
//!   and the in-process transport;
//! - `in_process`: a world through the in-process transport (SigV4 verified, authorized,
//!   logged, a session minted for AssumeRole);
//! - `floor_verify`: `floor_replay` plus the in-process transport's conversions and the SigV4
//!   check, and nothing else: the least any faithful fake does;
//! - `world_side`: `transport::route` alone on the request the SDK sent, without the client:
//!   the world's side of `in_process`;
//! - `loopback`: the same world served on `127.0.0.1` by hyper;
//! - `loopback_floor`: iamsim's loopback server (`transport::Server`) answering with the
//!   replayed response and doing no world work: what the loopback transport alone costs (the
//!   SDK's hyper client, TCP on loopback, the server), the floor for `loopback`.
//!
//! Plus `world_ready` (a world built from YAML and an STS client made for it, no call) and
//! `serve_startup` (`iamsim serve` from exec until the export block is printed).
//!
//! Run with `cargo bench --bench sts`. Figures are in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark setup")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use divan::Bencher;
use iamsim::World;

fn main() {
    divan::main();
}

const FIXTURE: &str = include_str!("../examples/fixtures/trust-policies.yaml");
const ROLE: &str = "arn:aws:iam::111111111111:role/deployer";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Answers every request with the same bytes.
#[derive(Clone, Debug)]
struct Canned(&'static [u8]);

impl HttpClient for Canned {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Canned {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        let body = self.0;
        HttpConnectorFuture::ready(Ok(HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(body))))
    }
}

/// One response, replayed for every request.
#[derive(Clone, Debug)]
struct Replay(Arc<Recorded>);

/// A response's status, headers and body.
#[derive(Debug)]
struct Recorded {
    status: u16,
    headers: Vec<(String, String)>,
    body: bytes::Bytes,
}

impl HttpClient for Replay {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Replay {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::ready(Ok(self.response()))
    }
}

impl Replay {
    /// A fresh copy of the recorded response.
    fn response(&self) -> HttpResponse {
        let Recorded { status, headers, body } = &*self.0;
        let mut response = HttpResponse::new(StatusCode::try_from(*status).unwrap(), SdkBody::from(body.clone()));
        for (name, value) in headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }
}

/// Passes requests to the world and keeps a copy of the last response.
#[derive(Clone, Debug)]
struct Recorder {
    world: SharedHttpClient,
    last: Arc<Mutex<Option<Replay>>>,
    request: Arc<Mutex<Option<http::Request<bytes::Bytes>>>>,
}

#[derive(Debug)]
struct RecorderConnector {
    world: SharedHttpConnector,
    last: Arc<Mutex<Option<Replay>>>,
    request: Arc<Mutex<Option<http::Request<bytes::Bytes>>>>,
}

impl HttpClient for Recorder {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let world = self.world.http_connector(settings, components);
        SharedHttpConnector::new(RecorderConnector { world, last: self.last.clone(), request: self.request.clone() })
    }
}

impl HttpConnector for RecorderConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (world, last) = (self.world.clone(), self.last.clone());
        let body = bytes::Bytes::copy_from_slice(request.body().bytes().unwrap());
        let copy = request.try_clone().unwrap().try_into_http1x().unwrap();
        *self.request.lock().unwrap() = Some(copy.map(|_| body));
        HttpConnectorFuture::new(async move {
            let response = world.call(request).await?;
            let headers = response.headers().iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
            let body = bytes::Bytes::copy_from_slice(response.body().bytes().unwrap());
            let recorded = Recorded { status: response.status().as_u16(), headers, body };
            *last.lock().unwrap() = Some(Replay(Arc::new(recorded)));
            Ok(response)
        })
    }
}

const CALLER_IDENTITY: &[u8] = b"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Account>111111111111</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
const ASSUME_ROLE: &[u8] = b"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLEEXAMPLE01</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY</SecretAccessKey><SessionToken>IQoJb3JpZ2luX2VjEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKENEXAMPLETOKEN</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLEEXAMPLE01:bench</AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role/deployer/bench</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>";

/// An STS client of `world` for alice, through `http`.
fn client(world: &World, http: SharedHttpClient, endpoint: &str) -> aws_sdk_sts::Client {
    let config = world.sdk_config(world.user_credentials("111111111111", "alice"));
    let config = aws_sdk_sts::config::Builder::from(&config).http_client(http).endpoint_url(endpoint).build();
    aws_sdk_sts::Client::from_conf(config)
}

fn bench_calls(bencher: Bencher, sts: &aws_sdk_sts::Client, rt: &tokio::runtime::Runtime, operation: &str) {
    match operation {
        "GetCallerIdentity" => {
            rt.block_on(sts.get_caller_identity().send()).unwrap();
            bencher.bench_local(|| rt.block_on(sts.get_caller_identity().send()).unwrap());
        }
        _ => {
            rt.block_on(sts.assume_role().role_arn(ROLE).role_session_name("bench").send()).unwrap();
            bencher.bench_local(|| {
                rt.block_on(sts.assume_role().role_arn(ROLE).role_session_name("bench").send()).unwrap()
            });
        }
    }
}

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn floor(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let canned = if operation == "GetCallerIdentity" { CALLER_IDENTITY } else { ASSUME_ROLE };
    let sts = client(&world, SharedHttpClient::new(Canned(canned)), iamsim::harness::IN_PROCESS_ENDPOINT);
    bench_calls(bencher, &sts, &runtime(), operation);
}

/// The response `world` gives to one call of `operation`, recorded to be replayed.
fn world_response(world: &World, rt: &tokio::runtime::Runtime, operation: &str) -> Replay {
    world_exchange(world, rt, operation).0
}

/// The response `world` gives to one call of `operation`, and the request it answered.
fn world_exchange(
    world: &World,
    rt: &tokio::runtime::Runtime,
    operation: &str,
) -> (Replay, http::Request<bytes::Bytes>) {
    let (last, request) = (Arc::new(Mutex::new(None)), Arc::new(Mutex::new(None)));
    let recorder = Recorder { world: world.http_client(), last: last.clone(), request: request.clone() };
    let sts = client(world, SharedHttpClient::new(recorder), iamsim::harness::IN_PROCESS_ENDPOINT);
    match operation {
        "GetCallerIdentity" => drop(rt.block_on(sts.get_caller_identity().send()).unwrap()),
        _ => drop(rt.block_on(sts.assume_role().role_arn(ROLE).role_session_name("bench").send()).unwrap()),
    }
    (last.lock().unwrap().take().unwrap(), request.lock().unwrap().take().unwrap())
}

/// `transport::route` alone on the recorded request: the world's side of one call without the
/// SDK client (verify, authorize, mint a session for AssumeRole, log, answer).
#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn world_side(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let (_, request) = world_exchange(&world, &runtime(), operation);
    let request = iamsim::wire::WireRequest::new(request, iamsim::wire::Origin::in_process());
    let live = world.live_handle();
    assert_eq!(iamsim::transport::route(&live, &request).status(), 200);
    bencher.bench_local(|| iamsim::transport::route(&live, &request));
}

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn floor_replay(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let rt = runtime();
    let replay = world_response(&world, &rt, operation);
    let sts = client(&world, SharedHttpClient::new(replay), iamsim::harness::IN_PROCESS_ENDPOINT);
    bench_calls(bencher, &sts, &rt, operation);
}

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn in_process(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let sts = client(&world, world.http_client(), iamsim::harness::IN_PROCESS_ENDPOINT);
    bench_calls(bencher, &sts, &runtime(), operation);
}

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn loopback_floor(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let rt = runtime();
    let Replay(recorded) = world_response(&world, &rt, operation);
    let handler: iamsim::transport::Handler = Arc::new(move |_, _| {
        let mut response = http::Response::new(recorded.body.clone());
        *response.status_mut() = http::StatusCode::from_u16(recorded.status).unwrap();
        for (name, value) in &recorded.headers {
            response.headers_mut().insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        response
    });
    let server = rt
        .block_on(iamsim::transport::Server::start_with(world.live_handle(), ([127, 0, 0, 1], 0).into(), handler))
        .unwrap();
    let sts = client(&world, aws_smithy_http_client::Builder::new().build_http(), &server.endpoint());
    bench_calls(bencher, &sts, &rt, operation);
    drop(server);
}

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn loopback(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let rt = runtime();
    let server = rt.block_on(world.serve()).unwrap();
    let sts = client(&world, aws_smithy_http_client::Builder::new().build_http(), &server.endpoint());
    bench_calls(bencher, &sts, &rt, operation);
    drop(server);
}

/// A world built from YAML and an STS client for it: ready for the first call.
#[divan::bench]
fn world_ready() -> aws_sdk_sts::Client {
    let world = World::from_yaml(divan::black_box(FIXTURE)).unwrap();
    world.sts_client(world.user_credentials("111111111111", "alice"))
}

/// `iamsim serve --port 0` with the seed world, from exec until the last export line.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn serve_startup() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = BufReader::new(stdout).lines().take(5).count();
    assert_eq!(lines, 5);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// What every faithful fake must do at the least, around the replayed response: the in-process
/// transport's conversions and the SigV4 check (parse, canonical request, HMAC with the cached
/// signing key). No decision, no session, no log.
#[derive(Clone)]
struct VerifyOnly {
    replay: Replay,
    live: Arc<iamsim::live::Live>,
    secret: Arc<str>,
}

impl std::fmt::Debug for VerifyOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOnly").finish_non_exhaustive()
    }
}

impl HttpClient for VerifyOnly {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for VerifyOnly {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let this = self.clone();
        HttpConnectorFuture::new(async move {
            let body = bytes::Bytes::copy_from_slice(request.body().bytes().unwrap());
            let (parts, _) = request.try_into_http1x().unwrap().into_parts();
            let signed = iamsim::auth::parse(&parts).unwrap().unwrap();
            let keys = this.live.signing_keys();
            iamsim::auth::verify_with(&signed, &parts, &body, &this.secret, iamsim::auth::CanonicalUri::Standard, keys)
                .unwrap();
            Ok(this.replay.response())
        })
    }
}

/// `floor_replay` plus the least a verifying fake does (see [`VerifyOnly`]): the lower bound
/// for `in_process` on this machine.
#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn floor_verify(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let rt = runtime();
    let replay = world_response(&world, &rt, operation);
    let secret = world.user_credentials("111111111111", "alice").secret_access_key().into();
    let verify = VerifyOnly { replay, live: world.live_handle(), secret };
    let sts = client(&world, SharedHttpClient::new(verify), iamsim::harness::IN_PROCESS_ENDPOINT);
    bench_calls(bencher, &sts, &rt, operation);
}
