//! Any bytes as a request to an instance's metadata service and to the container credential
//! agents: the first byte picks the method, the second the address (an instance's in-process
//! host, an unknown instance, the ECS agent, the Pod Identity agent), the third how far the
//! world's clock moves first; the rest of the first line is the path and query, every other line
//! a `name: value` header. A header value `$TOKEN` becomes a valid IMDSv2 token of the first
//! instance and `$POD` a valid Pod Identity token, so inputs reach the paths behind them. Each
//! request goes through the router, the instance's own loopback handler and the containers'
//! loopback handler. Nothing may panic; every answer has a status.

#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use bytes::Bytes;
use iamsim::World;
use iamsim::live::Live;
use iamsim::model::Model;
use iamsim::wire::{Origin, WireRequest};
use libfuzzer_sys::fuzz_target;

/// Validated once (`MODEL`); each input gets fresh live state from it, so the access log and the
/// tokens of one input never weigh on the next.
const WORLD: &str = r#"
accounts:
  "111111111111":
    roles:
      app:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: [ec2.amazonaws.com, ecs-tasks.amazonaws.com, pods.eks.amazonaws.com] }, Action: [sts:AssumeRole, sts:TagSession] }] }
        instance_profile: true
      lambda:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }] }
        instance_profile: true
instances:
  a: { account: "111111111111", role: app, instance_id: i-0123456789abcdef0, user_data: hi, tags: { Name: a }, metadata_tags: true }
  b: { account: "111111111111", role: lambda, instance_id: i-0fedcba9876543210, http_tokens: required }
tasks:
  t: { account: "111111111111", role: app, task_id: 0123456789abcdef0123456789abcdef, authorization_token: secret }
eks_clusters:
  c: { account: "111111111111" }
pods:
  p: { cluster: c, namespace: ns, service_account: sa, pod_identity_role: app }
"#;

const HOSTS: [&str; 6] = [
    "i-0123456789abcdef0.imds.iamsim.test",
    "i-0fedcba9876543210.imds.iamsim.test",
    "i-00000000000000000.imds.iamsim.test",
    "169.254.170.2",
    "169.254.170.23",
    "[fd00:ec2::23]:80",
];

static MODEL: LazyLock<Model> =
    LazyLock::new(|| World::from_yaml(WORLD).expect("the fuzz world is valid").model().clone());

/// The pod's token, signed once (RS256 signing would otherwise take most of each run), at the
/// world's start: inputs that move the clock far enough see it expire.
static POD_TOKEN: LazyLock<String> = LazyLock::new(|| {
    let model: &Model = &MODEL;
    let live = Live::new(model.clone());
    iamsim::idp::OidcIssuer::new(&model.eks_cluster("c").map(|c| c.oidc_issuer.clone()).unwrap_or_default(), model.seed())
        .issue(&iamsim::containers::pod_identity_token(
            model.pod("p").expect("the fuzz world has its pod"),
            iamsim::containers::POD_IDENTITY_AUDIENCE,
            live.now(),
        ))
});

const METHODS: [&str; 6] = ["GET", "PUT", "HEAD", "POST", "DELETE", "PATCH"];

fuzz_target!(|data: &[u8]| {
    let Some((&[method, host, advance], rest)) = data.split_first_chunk::<3>() else { return };
    let live = &Live::new(MODEL.clone());
    live.clock().advance(Duration::from_secs(u64::from(advance) * 97));
    let mut lines = rest.split(|b| *b == b'\n');
    let path = lines.next().unwrap_or_default();
    let Ok(path) = http::uri::PathAndQuery::try_from(path) else { return };
    let host = HOSTS[usize::from(host) % HOSTS.len()];
    let Ok(uri) = http::Uri::builder().scheme("http").authority(host).path_and_query(path).build() else { return };
    let mut request = http::Request::builder().method(METHODS[usize::from(method) % METHODS.len()]).uri(uri);
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default().trim_ascii();
        let value = match value {
            b"$TOKEN" => live.issue_imds_token("i-0123456789abcdef0", 60).into_bytes(),
            b"$POD" => POD_TOKEN.as_bytes().to_vec(),
            other => other.to_vec(),
        };
        let (Ok(name), Ok(value)) = (http::HeaderName::from_bytes(name), http::HeaderValue::from_bytes(&value)) else { continue };
        request = request.header(name, value);
    }
    let Ok(request) = request.body(Bytes::new()) else { return };
    let wire = WireRequest::new(request, Origin::loopback());
    for response in [
        iamsim::transport::route(live, &wire),
        iamsim::imds::handle(live, "i-0123456789abcdef0", &wire),
        iamsim::imds::handle(live, "i-0fedcba9876543210", &wire),
        iamsim::containers::handle(live, &wire),
    ] {
        assert!(response.status().as_u16() >= 200);
    }
});
