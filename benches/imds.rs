//! An instance role credential fetch through aws-config's real `ImdsCredentialsProvider`, in one
//! run, against three transports:
//!
//! - `floor`: a canned-response `HttpClient` answering the token `PUT` and the two `GET`s with
//!   the very responses the world answers them with (status, headers, body) — the SDK
//!   provider's own cost (its orchestrator, retries, token cache, JSON parsing), the floor no
//!   fake can beat;
//! - `in_process`: the world through the in-process transport (the router, the instance's token
//!   check, the metadata tree, the delivered session, the access log);
//! - `loopback`: the instance's metadata service on its own `127.0.0.1` port.
//!
//! Each iteration is one `provide_credentials()`: the provider does not cache credentials, its
//! client caches the token, so after the first call every iteration is two `GET`s (the role's
//! name, then its credentials), as on an instance.
//!
//! Run with `cargo bench --bench imds`. Figures are in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark setup")]

use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use divan::Bencher;
use iamsim::World;
use iamsim::wire::{Origin, WireRequest};

fn main() {
    divan::main();
}

const FIXTURE: &str = include_str!("../examples/fixtures/ec2-s3access.yaml");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The world's answers to the three requests of a fetch, recorded once.
#[derive(Clone, Debug)]
struct Canned {
    token: http::Response<Bytes>,
    role: http::Response<Bytes>,
    credentials: http::Response<Bytes>,
}

impl Canned {
    fn record(world: &World) -> Canned {
        let endpoint = world.instance("web-1").imds_endpoint();
        let send = |method: &str, path: &str, header: (&str, &str)| {
            let request = http::Request::builder()
                .method(method)
                .uri(format!("{}{path}", endpoint.trim_end_matches('/')))
                .header(header.0, header.1)
                .body(Bytes::new())
                .unwrap();
            iamsim::transport::route(world.live(), &WireRequest::new(request, Origin::in_process()))
        };
        let token = send("PUT", "/latest/api/token", ("x-aws-ec2-metadata-token-ttl-seconds", "21600"));
        let text = std::str::from_utf8(token.body()).unwrap().to_owned();
        let role = send("GET", "/latest/meta-data/iam/security-credentials/", ("x-aws-ec2-metadata-token", &text));
        let credentials =
            send("GET", "/latest/meta-data/iam/security-credentials/s3access", ("x-aws-ec2-metadata-token", &text));
        Canned { token, role, credentials }
    }
}

impl HttpClient for Canned {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Canned {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let recorded = if request.uri().ends_with("/api/token") {
            &self.token
        } else if request.uri().ends_with("/security-credentials/") {
            &self.role
        } else {
            &self.credentials
        };
        let mut response =
            HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(recorded.body().clone()));
        for (name, value) in recorded.headers() {
            response.headers_mut().insert(name.as_str().to_owned(), value.to_str().unwrap().to_owned());
        }
        HttpConnectorFuture::ready(Ok(response))
    }
}

/// aws-config's provider for web-1 through `http`, at `endpoint`, on the world's clock.
fn provider(world: &World, http: SharedHttpClient, endpoint: &str) -> ImdsCredentialsProvider {
    let config = ProviderConfig::empty()
        .with_http_client(http)
        .with_time_source(world.clock().clone())
        .with_sleep_impl(TokioSleep::new());
    let client = aws_config::imds::Client::builder().configure(&config).endpoint(endpoint).unwrap().build();
    ImdsCredentialsProvider::builder().configure(&config).imds_client(client).build()
}

fn bench_fetch(bencher: Bencher, provider: &ImdsCredentialsProvider, rt: &tokio::runtime::Runtime) {
    // The first fetch gets the token; it is not measured.
    rt.block_on(provider.provide_credentials()).unwrap();
    bencher.bench_local(|| rt.block_on(provider.provide_credentials()).unwrap());
}

#[divan::bench]
fn floor(bencher: Bencher) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let canned = SharedHttpClient::new(Canned::record(&World::from_yaml(FIXTURE).unwrap()));
    let provider = provider(&world, canned, &world.instance("web-1").imds_endpoint());
    bench_fetch(bencher, &provider, &runtime());
}

#[divan::bench]
fn in_process(bencher: Bencher) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let provider = world.instance("web-1").credentials_provider();
    bench_fetch(bencher, &provider, &runtime());
}

#[divan::bench]
fn loopback(bencher: Bencher) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let rt = runtime();
    let server = rt.block_on(world.instance("web-1").serve_metadata()).unwrap();
    let http = aws_smithy_http_client::Builder::new().build_http();
    let provider = provider(&world, http, &format!("{}/", server.endpoint()));
    bench_fetch(bencher, &provider, &rt);
    drop(server);
}

/// The world's side alone: the role's name and its credentials through `route`, no SDK.
#[divan::bench]
fn route_only(bencher: Bencher) {
    let world = World::from_yaml(FIXTURE).unwrap();
    let endpoint = world.instance("web-1").imds_endpoint();
    let canned = Canned::record(&world);
    let token = std::str::from_utf8(canned.token.body()).unwrap().to_owned();
    let request = |path: &str| {
        let request = http::Request::get(format!("{}{path}", endpoint.trim_end_matches('/')))
            .header("x-aws-ec2-metadata-token", &token)
            .body(Bytes::new())
            .unwrap();
        WireRequest::new(request, Origin::in_process())
    };
    let listing = request("/latest/meta-data/iam/security-credentials/");
    let credentials = request("/latest/meta-data/iam/security-credentials/s3access");
    bencher.bench_local(|| {
        let a = iamsim::transport::route(world.live(), &listing);
        let b = iamsim::transport::route(world.live(), &credentials);
        (a, b)
    });
}
