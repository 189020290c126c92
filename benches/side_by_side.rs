//! iamsim next to the alternatives, in one run, with the same Rust client code: the real
//! aws-sdk-sts and aws-sdk-s3 clients calling `AssumeRole`, `GetCallerIdentity`,
//! `ListObjectsV2` (10 objects) and `GetObject` (1 KiB) through
//!
//! - `floor`: a canned client replaying, byte for byte, the response the world gave to the same
//!   call — the SDK client's own cost, the floor no fake can beat (`../shared/WIRE.md` §7);
//! - `in_process`: a world through its in-process transport (SigV4 verified, authorized by the
//!   engine, logged);
//! - `loopback`: the same world served by `World::serve` on `127.0.0.1`;
//! - `moto`: moto's server (`moto_server`, Python), when `MOTO_SERVER` names its executable —
//!   `scripts/bench-side-by-side` installs it from PyPI in a venv and sets it; otherwise the
//!   column says why it is missing.
//!
//! And start-up: a world ready for SDK calls (built from YAML, a client made) against
//! `moto_server` from spawn until it answers HTTP.
//!
//! Calls are measured in alternating rounds (every transport once per round, `ROUNDS` rounds of
//! `CALLS` calls after `WARM_UP` calls), so a slow phase of the machine hits every column alike;
//! the table gives the median time per call and its ratio to the floor. Output is Markdown, for
//! BENCHMARKS.md ("Side by side").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "benchmark setup")]
#![allow(clippy::disallowed_methods, reason = "a benchmark measures wall-clock time; the worlds keep their own clocks")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use iamsim::World;

const WARM_UP: usize = 50;
const ROUNDS: usize = 10;
const CALLS: usize = 100;
/// moto is about 60 times slower per call: fewer calls keep its rounds as long as the others'.
const MOTO_CALLS: usize = 10;

const ACCOUNT: &str = "111111111111";
const ROLE: &str = "arn:aws:iam::111111111111:role/deployer";

/// alice may assume `deployer` and read and list `photos` (ten objects, one of 1 KiB).
fn fixture() -> String {
    let mut yaml = String::from(
        r#"accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          Work:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::111111111111:role/deployer" }
              - { Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::photos" }
              - { Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::photos/*" }
    roles:
      deployer:
        trust:
          Version: "2012-10-17"
          Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: sts:AssumeRole }]
    buckets:
      photos:
        objects:
"#,
    );
    for i in 0..9 {
        yaml.push_str(&format!("          photo-{i}.jpg: \"photo {i}\"\n"));
    }
    yaml.push_str(&format!("          one-kib.bin: \"{}\"\n", "x".repeat(1024)));
    yaml
}

/// A response's status, headers and body.
type Recorded = (u16, Vec<(String, String)>, bytes::Bytes);

/// One response, replayed for every request.
#[derive(Clone, Debug)]
struct Replay(Arc<Recorded>);

impl HttpClient for Replay {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Replay {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        let (status, headers, body) = &*self.0;
        let mut response = HttpResponse::new(StatusCode::try_from(*status).unwrap(), SdkBody::from(body.clone()));
        for (name, value) in headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        HttpConnectorFuture::ready(Ok(response))
    }
}

/// Passes requests to the world and keeps a copy of the last response.
#[derive(Clone, Debug)]
struct Recorder {
    world: SharedHttpClient,
    last: Arc<Mutex<Option<Replay>>>,
}

#[derive(Debug)]
struct RecorderConnector {
    world: SharedHttpConnector,
    last: Arc<Mutex<Option<Replay>>>,
}

impl HttpClient for Recorder {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(RecorderConnector {
            world: self.world.http_connector(settings, components),
            last: self.last.clone(),
        })
    }
}

impl HttpConnector for RecorderConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (world, last) = (self.world.clone(), self.last.clone());
        HttpConnectorFuture::new(async move {
            let response = world.call(request).await?;
            let headers = response.headers().iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
            let body = bytes::Bytes::copy_from_slice(response.body().bytes().unwrap());
            *last.lock().unwrap() = Some(Replay(Arc::new((response.status().as_u16(), headers, body))));
            Ok(response)
        })
    }
}

/// The STS and S3 clients of one transport.
struct Clients {
    sts: aws_sdk_sts::Client,
    s3: aws_sdk_s3::Client,
    /// The role `AssumeRole` asks for (moto's account differs).
    role: String,
}

fn clients(world: &World, credentials: Credentials, http: SharedHttpClient, endpoint: &str, role: &str) -> Clients {
    let config = world.sdk_config(credentials.clone());
    let sts = aws_sdk_sts::config::Builder::from(&config).http_client(http.clone()).endpoint_url(endpoint).build();
    let s3 = world.s3_config(credentials).http_client(http).endpoint_url(endpoint).build();
    Clients { sts: aws_sdk_sts::Client::from_conf(sts), s3: aws_sdk_s3::Client::from_conf(s3), role: role.to_owned() }
}

const OPERATIONS: [&str; 4] = ["AssumeRole", "GetCallerIdentity", "ListObjectsV2", "GetObject"];

async fn call(clients: &Clients, operation: &str) {
    match operation {
        "AssumeRole" => {
            drop(clients.sts.assume_role().role_arn(&clients.role).role_session_name("bench").send().await.unwrap())
        }
        "GetCallerIdentity" => drop(clients.sts.get_caller_identity().send().await.unwrap()),
        "ListObjectsV2" => {
            let listed = clients.s3.list_objects_v2().bucket("photos").send().await.unwrap();
            assert_eq!(listed.key_count(), Some(10));
        }
        _ => {
            let object = clients.s3.get_object().bucket("photos").key("one-kib.bin").send().await.unwrap();
            assert_eq!(object.body.collect().await.unwrap().into_bytes().len(), 1024);
        }
    }
}

/// A replay client for each operation, recorded from one call to the world.
async fn floors(world: &World) -> Vec<Clients> {
    let mut out = Vec::new();
    for operation in OPERATIONS {
        let last = Arc::new(Mutex::new(None));
        let recorder = SharedHttpClient::new(Recorder { world: world.http_client(), last: last.clone() });
        let credentials = world.user_credentials(ACCOUNT, "alice");
        call(&clients(world, credentials.clone(), recorder, iamsim::harness::IN_PROCESS_ENDPOINT, ROLE), operation)
            .await;
        let replay = SharedHttpClient::new(last.lock().unwrap().take().unwrap());
        out.push(clients(world, credentials, replay, iamsim::harness::IN_PROCESS_ENDPOINT, ROLE));
    }
    out
}

/// `moto_server` on a free port, and how long it took to answer HTTP.
struct Moto {
    child: Child,
    endpoint: String,
    startup: Duration,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether `GET /moto-api/data.json` answers (what WIRE.md §8 timed as moto's start).
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let request = format!("GET /moto-api/data.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

fn start_moto(program: &str) -> Result<Moto, String> {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}"), startup: Duration::ZERO };
    while !answers(port) {
        if started.elapsed() > Duration::from_secs(30) {
            return Err("moto_server did not answer within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    moto.startup = started.elapsed();
    Ok(moto)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let yaml = fixture();
    let world = World::from_yaml(&yaml).unwrap();
    let server = rt.block_on(world.serve()).unwrap();
    let alice = world.user_credentials(ACCOUNT, "alice");
    let floors = rt.block_on(floors(&world));
    let in_process = clients(&world, alice.clone(), world.http_client(), iamsim::harness::IN_PROCESS_ENDPOINT, ROLE);
    let loopback =
        clients(&world, alice, aws_smithy_http_client::Builder::new().build_http(), &server.endpoint(), ROLE);

    // moto: its default account, any credentials (it checks no signature by default), the same
    // bucket and objects made through the same S3 client.
    let moto = match std::env::var("MOTO_SERVER") {
        Err(_) => {
            Err("MOTO_SERVER is not set (scripts/bench-side-by-side installs moto[server] and sets it)".to_owned())
        }
        Ok(program) => start_moto(&program),
    };
    let moto_clients = moto.as_ref().ok().map(|moto| {
        let credentials =
            Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None, None, "moto");
        let http = aws_smithy_http_client::Builder::new().build_http();
        let c = clients(&world, credentials, http, &moto.endpoint, "arn:aws:iam::123456789012:role/deployer");
        rt.block_on(async {
            c.s3.create_bucket().bucket("photos").send().await.unwrap();
            for i in 0..9 {
                c.s3.put_object()
                    .bucket("photos")
                    .key(format!("photo-{i}.jpg"))
                    .body(ByteStream::from(format!("photo {i}").into_bytes()))
                    .send()
                    .await
                    .unwrap();
            }
            c.s3.put_object()
                .bucket("photos")
                .key("one-kib.bin")
                .body(ByteStream::from(vec![b'x'; 1024]))
                .send()
                .await
                .unwrap();
        });
        c
    });

    println!(
        "| operation | floor | in-process | loopback | moto | in-process ÷ floor | loopback ÷ floor | moto ÷ floor | moto ÷ in-process |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (i, operation) in OPERATIONS.iter().enumerate() {
        let mut columns: Vec<(&Clients, usize, Vec<f64>)> =
            vec![(&floors[i], CALLS, Vec::new()), (&in_process, CALLS, Vec::new()), (&loopback, CALLS, Vec::new())];
        if let Some(m) = &moto_clients {
            columns.push((m, MOTO_CALLS, Vec::new()));
        }
        rt.block_on(async {
            for (clients, calls, _) in &columns {
                for _ in 0..WARM_UP.min(*calls * 5) {
                    call(clients, operation).await;
                }
            }
            for _ in 0..ROUNDS {
                for (clients, calls, samples) in &mut columns {
                    for _ in 0..*calls {
                        let t = Instant::now();
                        call(clients, operation).await;
                        samples.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
            }
        });
        let medians: Vec<f64> = columns.into_iter().map(|(_, _, samples)| median(samples)).collect();
        let moto = medians.get(3).copied();
        let us = |v: Option<f64>| {
            v.map_or("—".to_owned(), |v| {
                if v >= 1000.0 { format!("{:.2} ms", v / 1000.0) } else { format!("{v:.1} µs") }
            })
        };
        let ratio = |v: Option<f64>, base: f64| v.map_or("—".to_owned(), |v| format!("{:.2}", v / base));
        println!(
            "| {operation} | {} | {} | {} | {} | {} | {} | {} | {} |",
            us(Some(medians[0])),
            us(Some(medians[1])),
            us(Some(medians[2])),
            us(moto),
            ratio(Some(medians[1]), medians[0]),
            ratio(Some(medians[2]), medians[0]),
            ratio(moto, medians[0]),
            ratio(moto, medians[1]),
        );
    }

    // Start-up: a world ready for its first SDK call, against moto_server answering HTTP.
    let mut ready = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let world = World::from_yaml(&yaml).unwrap();
        let sts = world.sts_client(world.user_credentials(ACCOUNT, "alice"));
        ready.push(t.elapsed().as_secs_f64() * 1e6);
        drop((sts, world));
    }
    let world_ready = median(ready);
    println!();
    match &moto {
        Ok(first) => {
            let mut startups = vec![first.startup.as_secs_f64() * 1e6];
            for _ in 0..4 {
                let program = std::env::var("MOTO_SERVER").unwrap();
                startups.push(start_moto(&program).unwrap().startup.as_secs_f64() * 1e6);
            }
            let moto_startup = median(startups);
            println!(
                "start-up: a world ready for SDK calls {world_ready:.0} µs (median of 50); moto_server answering {:.0} ms (median of 5); ratio {:.0}",
                moto_startup / 1000.0,
                moto_startup / world_ready
            );
        }
        Err(why) => println!("start-up: a world ready for SDK calls {world_ready:.0} µs (median of 50); moto: {why}"),
    }
    drop(server);
}
