//! STS through the real aws-sdk-sts client, in one run, against three transports:
//!
//! - `floor`: a canned-response `HttpClient` that answers every call with fixed bytes — the SDK
//!   client's own cost (signing, serialization, XML parsing), the floor no fake can beat
//!   (`../shared/WIRE.md` §7);
//! - `in_process`: a world through the in-process transport (SigV4 verified, authorized,
//!   logged, a session minted for AssumeRole);
//! - `loopback`: the same world served on `127.0.0.1` by hyper.
//!
//! Plus `world_ready` (a world built from YAML and an STS client made for it, no call) and
//! `serve_startup` (`iamsim serve` from exec until the export block is printed).
//!
//! Run with `cargo bench --bench sts`. Figures are in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark setup")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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

#[divan::bench(args = ["GetCallerIdentity", "AssumeRole"])]
fn in_process(bencher: Bencher, operation: &str) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let sts = client(&world, world.http_client(), iamsim::harness::IN_PROCESS_ENDPOINT);
    bench_calls(bencher, &sts, &runtime(), operation);
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
