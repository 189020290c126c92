//! Many worlds at once: 100 worlds × 10 clients × 1,000 requests in one process, STS and S3
//! mixed, most worlds in-process and some over loopback, on a multi-threaded runtime.
//!
//! What must hold:
//! - **No cross-talk**: every world has its own seed, so its own keys; a client's requests reach
//!   only its world (its access log counts exactly its clients' requests, and every key in it
//!   was issued by that world), and every object in a world carries that world's number.
//! - **No lost or duplicated object**: each world's bucket holds, at the end, exactly the keys
//!   its clients wrote and did not delete, each once, with the bytes last written.
//! - **The wire agrees with the direct questions**: before each S3 request the client asks the
//!   world the same question (`world.user(..).can(..).on(..)`), and the SDK's answer (success or
//!   `AccessDenied`) is that decision.
//!
//! Bounded in count (the sizes below) and in time (`DEADLINE`: a hang fails the test instead of
//! stalling CI). A separate test binary so that its threads do not compete with the other
//! tests'. The whole size runs on a release build (`cargo test --release --all-features --test
//! concurrency`, as `.ci/run` does); a debug build (`cargo test --all-features`) runs the same
//! worlds and clients with 20 requests each. `IAMSIM_CONCURRENCY=WORLDS,CLIENTS,REQUESTS` sets
//! the sizes for a local run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the run's wall-clock duration is reported and bounded; worlds keep their own clocks"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;

const ACCOUNT: &str = "111111111111";
/// How long the whole run may take, on a debug build of two busy cores.
const DEADLINE: Duration = Duration::from_secs(1200);
/// One world in this many is served over loopback; the others in-process.
const LOOPBACK_EVERY: usize = 10;

/// Ten users, each owning the prefix named after them in one shared bucket; a role any of them
/// may assume that reads the whole bucket.
fn fixture(seed: usize, clients: usize) -> String {
    let mut users = String::new();
    for c in 0..clients {
        users.push_str(&format!("      u{c}: {{ policies: [OwnPrefix, AssumeReader] }}\n"));
    }
    format!(
        r#"seed: {seed}
accounts:
  "{ACCOUNT}":
    users:
{users}    policies:
      OwnPrefix:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:PutObject, s3:GetObject, s3:DeleteObject]
            Resource: "arn:aws:s3:::shared/${{aws:username}}/*"
          - Effect: Allow
            Action: s3:ListBucket
            Resource: arn:aws:s3:::shared
            Condition: {{ StringLike: {{ "s3:prefix": "${{aws:username}}/*" }} }}
      AssumeReader:
        Version: "2012-10-17"
        Statement: [{{ Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::{ACCOUNT}:role/reader" }}]
    roles:
      reader:
        trust:
          Version: "2012-10-17"
          Statement: [{{ Effect: Allow, Principal: {{ AWS: "arn:aws:iam::{ACCOUNT}:root" }}, Action: sts:AssumeRole }}]
        inline_policies:
          ReadAll:
            Version: "2012-10-17"
            Statement: [{{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::shared/*" }}]
    buckets:
      shared: {{}}
"#
    )
}

fn sizes() -> (usize, usize, usize) {
    match std::env::var("IAMSIM_CONCURRENCY") {
        Ok(text) => {
            let n: Vec<usize> = text.split(',').map(|n| n.trim().parse().unwrap()).collect();
            (n[0], n[1], n[2])
        }
        // A debug build answers about a thousand requests a second on two cores: it runs every
        // world and client with fewer requests each; CI runs the whole size on a release build
        // (`.ci/run`).
        Err(_) if cfg!(debug_assertions) => (100, 10, 20),
        Err(_) => (100, 10, 1000),
    }
}

/// The SDK clients of one principal, in-process or over loopback.
struct Clients {
    s3: aws_sdk_s3::Client,
    sts: aws_sdk_sts::Client,
}

fn clients(world: &World, endpoint: Option<&str>, credentials: Credentials) -> Clients {
    match endpoint {
        None => Clients { s3: world.s3_client(credentials.clone()), sts: world.sts_client(credentials) },
        Some(endpoint) => {
            let http = aws_smithy_http_client::Builder::new().build_http();
            let s3 = world.s3_config(credentials.clone()).endpoint_url(endpoint).http_client(http.clone()).build();
            let sts = aws_sdk_sts::config::Builder::from(&world.sdk_config(credentials))
                .endpoint_url(endpoint)
                .http_client(http)
                .build();
            Clients { s3: aws_sdk_s3::Client::from_conf(s3), sts: aws_sdk_sts::Client::from_conf(sts) }
        }
    }
}

/// What one client did: the requests it sent and the objects it left.
#[derive(Default)]
struct Outcome {
    requests: usize,
    /// Key → the bytes last written, for keys not deleted since.
    objects: BTreeMap<String, String>,
}

/// Whether a call's result matches the decision the world gives to the same question.
fn expect<T, E: ProvideErrorMetadata + std::fmt::Debug>(what: &str, allowed: bool, result: Result<T, E>) -> Option<T> {
    match (allowed, result) {
        (true, Ok(v)) => Some(v),
        (false, Err(e)) if e.code() == Some("AccessDenied") => None,
        (true, Err(e)) => panic!("{what}: the question allows it, the wire answered {e:?}"),
        (false, Ok(_)) => panic!("{what}: the question denies it, the wire allowed it"),
        (false, Err(e)) => panic!("{what}: denied by the question, the wire failed otherwise: {e:?}"),
    }
}

/// One client's 1,000 requests: a fixed mix of writes, reads, listings, deletes, someone
/// else's object, whoami and an AssumeRole now and then.
async fn run_client(
    world: World,
    endpoint: Option<String>,
    w: usize,
    c: usize,
    clients: usize,
    requests: usize,
) -> Outcome {
    let me = format!("u{c}");
    let other = format!("u{}", (c + 1) % clients);
    let client = self::clients(&world, endpoint.as_deref(), world.user_credentials(ACCOUNT, &me));
    let ask = |action: &str, arn: &str| world.user(ACCOUNT, &me).can(action).on(arn).is_allowed();
    let mut out = Outcome::default();
    let mut written: Vec<String> = Vec::new();
    while out.requests < requests {
        let step = out.requests;
        out.requests += 1;
        match step % 10 {
            // Write a new object (or overwrite the last one every so often).
            0..=2 => {
                let key = if step % 50 == 2 && !written.is_empty() {
                    written[written.len() - 1].clone()
                } else {
                    format!("{me}/{step:05}.txt")
                };
                let body = format!("world {w} client {c} step {step}");
                let allowed = ask("s3:PutObject", &format!("arn:aws:s3:::shared/{key}"));
                let put =
                    client.s3.put_object().bucket("shared").key(&key).body(ByteStream::from(body.clone().into_bytes()));
                if expect(&format!("w{w} {me} PutObject {key}"), allowed, put.send().await).is_some()
                    && out.objects.insert(key.clone(), body).is_none()
                {
                    written.push(key);
                }
            }
            // Read back one of its own objects.
            3 | 4 if !written.is_empty() => {
                let key = &written[step % written.len()];
                let allowed = ask("s3:GetObject", &format!("arn:aws:s3:::shared/{key}"));
                let got = client.s3.get_object().bucket("shared").key(key).send().await;
                if let Some(got) = expect(&format!("w{w} {me} GetObject {key}"), allowed, got) {
                    let bytes = got.body.collect().await.unwrap().into_bytes();
                    assert_eq!(std::str::from_utf8(&bytes).unwrap(), out.objects[key], "w{w} {me} read {key}");
                }
            }
            // List its own prefix (allowed) or the neighbour's (denied).
            5 => {
                let prefix = if step % 20 == 5 { format!("{me}/") } else { format!("{other}/") };
                let allowed = world
                    .user(ACCOUNT, &me)
                    .with_context("s3:prefix", &prefix)
                    .can("s3:ListBucket")
                    .on("arn:aws:s3:::shared")
                    .is_allowed();
                let listed = client.s3.list_objects_v2().bucket("shared").prefix(&prefix).send().await;
                if let Some(listed) = expect(&format!("w{w} {me} ListObjectsV2 {prefix}"), allowed, listed) {
                    // Only this client writes under its prefix: the listing is exactly what it kept
                    // (up to the first 1,000 keys).
                    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
                    let mine: Vec<&str> = out.objects.keys().map(String::as_str).take(1000).collect();
                    assert_eq!(keys, mine, "w{w} {me} listing");
                }
            }
            // Delete one of its own objects.
            6 if written.len() > 3 => {
                let key = written.remove(step % written.len());
                let allowed = ask("s3:DeleteObject", &format!("arn:aws:s3:::shared/{key}"));
                let deleted = client.s3.delete_object().bucket("shared").key(&key).send().await;
                if expect(&format!("w{w} {me} DeleteObject {key}"), allowed, deleted).is_some() {
                    out.objects.remove(&key);
                }
            }
            // The neighbour's object: denied for this user (whether or not it exists).
            7 => {
                let key = format!("{other}/{:05}.txt", step - 7);
                let allowed = ask("s3:GetObject", &format!("arn:aws:s3:::shared/{key}"));
                assert!(!allowed, "the fixture gives each user only their own prefix");
                let got = client.s3.get_object().bucket("shared").key(&key).send().await;
                expect(&format!("w{w} {me} GetObject {key}"), allowed, got);
            }
            // Who am I: this world's user, whatever the other worlds do.
            8 => {
                let who = client.sts.get_caller_identity().send().await.unwrap();
                assert_eq!(who.arn(), Some(format!("arn:aws:iam::{ACCOUNT}:user/{me}").as_str()));
            }
            // Every 100 requests, assume the reader role and read the neighbour's prefix with it.
            9 if step % 100 == 9 => {
                let allowed = ask("sts:AssumeRole", &format!("arn:aws:iam::{ACCOUNT}:role/reader"));
                let assumed = client
                    .sts
                    .assume_role()
                    .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/reader"))
                    .role_session_name(format!("w{w}-{me}-{step}"))
                    .send()
                    .await;
                let assumed = expect(&format!("w{w} {me} AssumeRole"), allowed, assumed).unwrap();
                let k = assumed.credentials().unwrap();
                let session = Credentials::new(
                    k.access_key_id(),
                    k.secret_access_key(),
                    Some(k.session_token().to_owned()),
                    None,
                    "reader",
                );
                let reader = self::clients(&world, endpoint.as_deref(), session);
                out.requests += 1;
                let listed = reader.s3.list_objects_v2().bucket("shared").send().await;
                let session_ask = world.role(ACCOUNT, "reader").session_name(&format!("w{w}-{me}-{step}"));
                let allowed = session_ask.can("s3:ListBucket").on("arn:aws:s3:::shared").is_allowed();
                expect(&format!("w{w} reader ListObjectsV2"), allowed, listed);
            }
            _ => {
                let who = client.sts.get_caller_identity().send().await.unwrap();
                assert_eq!(who.account(), Some(ACCOUNT));
            }
        }
    }
    out
}

#[test]
fn a_hundred_worlds_of_ten_clients_never_mix_up_requests_objects_or_decisions() {
    let (worlds, clients, requests) = sizes();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    runtime.block_on(async {
        let started = std::time::Instant::now();
        let mut served = Vec::new();
        let mut tasks = Vec::new();
        let mut all = Vec::new();
        for w in 0..worlds {
            // Its requests arrive from many tasks in no fixed order: its log is no reproducible record.
            let world = World::from_yaml(&fixture(w, clients)).unwrap().without_recording();
            let endpoint = if w % LOOPBACK_EVERY == LOOPBACK_EVERY - 1 {
                let server = world.serve().await.unwrap();
                let endpoint = server.endpoint();
                served.push(server);
                Some(endpoint)
            } else {
                None
            };
            for c in 0..clients {
                tasks.push((w, tokio::spawn(run_client(world.clone(), endpoint.clone(), w, c, clients, requests))));
            }
            all.push(world);
        }
        let mut per_world: Vec<(usize, BTreeMap<String, String>)> = vec![(0, BTreeMap::new()); worlds];
        let results = tokio::time::timeout(DEADLINE, async {
            let mut results = Vec::new();
            for (w, task) in tasks {
                results.push((w, task.await.unwrap()));
            }
            results
        })
        .await
        .unwrap_or_else(|_| panic!("the run took longer than {DEADLINE:?}"));
        for (w, outcome) in results {
            per_world[w].0 += outcome.requests;
            for (key, body) in outcome.objects {
                assert!(per_world[w].1.insert(key, body).is_none(), "two clients of world {w} kept the same key");
            }
        }
        let elapsed = started.elapsed();

        let mut total = 0;
        for (w, world) in all.iter().enumerate() {
            let (requests_sent, expected) = &per_world[w];
            // The access log counts exactly this world's requests, all signed by its own keys.
            let log = world.access_log();
            assert_eq!(log.len(), *requests_sent, "world {w}: requests logged");
            for entry in log.entries() {
                let key = entry.access_key_id.as_deref().unwrap();
                assert!(world.live().signing_key(key).is_some(), "world {w} logged a key it did not issue: {key}");
            }
            // The bucket holds exactly the kept objects, each once, with the last bytes written
            // and this world's number in them.
            let bucket = world.live().buckets().bucket("shared").unwrap();
            let mut stored: BTreeMap<String, String> = BTreeMap::new();
            let mut scanned = 0;
            bucket.scan(None, |key, object| {
                scanned += 1;
                stored.insert(key.to_owned(), String::from_utf8(object.content.to_vec()).unwrap());
                true
            });
            assert_eq!(scanned, expected.len(), "world {w}: object count");
            assert_eq!(&stored, expected, "world {w}: objects");
            assert!(stored.values().all(|body| body.starts_with(&format!("world {w} "))), "world {w}: another world's object");
            total += requests_sent;
        }
        drop(served);
        println!(
            "{worlds} worlds × {clients} clients: {total} requests in {:.1} s ({:.0} requests/s), 1 world in {LOOPBACK_EVERY} over loopback",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64()
        );
        assert!(total >= worlds * clients * requests);
    });
}

/// The keys of different worlds never open another world: a request signed for world A and
/// sent to world B is refused as an unknown key.
#[tokio::test]
async fn a_client_of_one_world_is_a_stranger_to_another() {
    let a = World::from_yaml(&fixture(1, 2)).unwrap();
    let b = World::from_yaml(&fixture(2, 2)).unwrap();
    let stranger = b.s3_client(a.user_credentials(ACCOUNT, "u0"));
    let err = stranger.list_objects_v2().bucket("shared").prefix("u0/").send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId"));
}
