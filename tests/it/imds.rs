//! The instance metadata service of each instance: aws-config's IMDS client and credentials
//! provider, the default chain with an injected environment, plain HTTP as `curl` sends it (in
//! process and on the instance's own loopback port), and `iamsim serve --instance`.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sts::error::ProvideErrorMetadata;
use bytes::Bytes;
use iamsim::World;
use iamsim::wire::{Origin, WireRequest};

const SEED: &str = "examples/fixtures/ec2-s3access.yaml";
const DEV: &str = "111111111111";
const APP_ID: &str = "i-0123456789abcdef0";

/// Instances of every kind: `app-1` (role `app`, tokens optional, user data, tags in metadata),
/// `strict-1` (tokens required), `lambda-role-1` (a role EC2 may not assume), `bare-1` (no role).
/// `app` may assume `reporter` only with credentials IMDSv2 delivered to `app-1`.
const WORLD: &str = r##"
accounts:
  "111111111111":
    roles:
      app:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }
        policies: [AssumeReporterFromApp1OverImdsV2]
        instance_profile: true
      lambda-only:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }] }
        instance_profile: true
      reporter:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] }
    policies:
      AssumeReporterFromApp1OverImdsV2:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Resource: arn:aws:iam::111111111111:role/reporter
            Condition:
              NumericGreaterThanEquals: { "ec2:RoleDelivery": "2.0" }
              ArnEquals: { "ec2:SourceInstanceARN": "arn:aws:ec2:us-east-1:111111111111:instance/i-0123456789abcdef0" }
              StringEquals: { "aws:Ec2InstanceSourceVpc": vpc-0123456789abcdef0, "aws:Ec2InstanceSourcePrivateIPv4": 10.0.1.23 }
instances:
  app-1:
    account: "111111111111"
    role: app
    instance_id: i-0123456789abcdef0
    private_ip: 10.0.1.23
    vpc_id: vpc-0123456789abcdef0
    instance_type: m6g.large
    availability_zone: us-east-1c
    user_data: "#!/bin/sh\necho hello\n"
    tags: { Name: app-1, team: photos }
    metadata_tags: true
  strict-1: { account: "111111111111", role: app, http_tokens: required }
  lambda-role-1: { account: "111111111111", role: lambda-only }
  bare-1: { account: "111111111111" }
"##;

fn world() -> World {
    World::from_yaml(WORLD).unwrap()
}

/// One request to an instance's in-process metadata host, as `curl` would send it.
fn imds(world: &World, instance: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> http::Response<Bytes> {
    let id = world.instance(instance).id();
    let mut request = http::Request::builder().method(method).uri(format!("http://{id}.imds.iamsim.test{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = WireRequest::new(request.body(Bytes::new()).unwrap(), Origin::in_process());
    iamsim::transport::route(world.live(), &request)
}

fn text(response: &http::Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

fn token(world: &World, instance: &str, ttl: &str) -> String {
    let response = imds(world, instance, "PUT", "/latest/api/token", &[("X-aws-ec2-metadata-token-ttl-seconds", ttl)]);
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(response.headers()["x-aws-ec2-metadata-token-ttl-seconds"], ttl);
    text(&response).to_owned()
}

fn json(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn rfc3339(time: SystemTime) -> String {
    iamsim::clock::format_rfc3339(time)
}

#[tokio::test]
async fn aws_configs_imds_provider_gets_a_session_of_the_instance_role_named_after_the_instance() {
    let world = World::from_fixture(SEED).unwrap();
    let web = world.instance("web-1");
    let credentials = web.credentials_provider().provide_credentials().await.unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    // Six hours, on the world's clock.
    assert_eq!(credentials.expiry(), Some(world.clock().now() + Duration::from_secs(21_600)));

    let sts = world.sts_client(credentials);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn().unwrap(), format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id()));
    let role = world.model().account(DEV).unwrap().role("s3access").unwrap();
    assert_eq!(me.user_id().unwrap(), format!("{}:{}", role.id, web.id()));

    // The SDK's sequence: one token, the role's name, its credentials; EC2's AssumeRole is in
    // the entry that minted them.
    let log = world.access_log();
    let operations: Vec<&str> = log.entries().iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        operations,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/s3access",
            "GetCallerIdentity"
        ]
    );
    let minted = &log.entries()[2];
    assert_eq!(
        minted.caller.as_deref(),
        Some(format!("arn:aws:ec2:us-east-1:111111111111:instance/{}", web.id()).as_str())
    );
    assert_eq!(minted.authorizations.len(), 1);
    assert_eq!(minted.authorizations[0].decision, "allow");
    assert_eq!(minted.authorizations[0].action, "sts:AssumeRole");
    assert_eq!(minted.authorizations[0].resource, "arn:aws:iam::111111111111:role/s3access");
    assert!(
        minted.authorizations[0]
            .message
            .starts_with("User: ec2.amazonaws.com is authorized to perform: sts:AssumeRole"),
        "{}",
        minted.authorizations[0].message
    );
}

#[tokio::test]
async fn the_seed_scenario_ec2_instance_role_s3access_gets_credentials_via_imds_and_sts_knows_them() {
    let world = World::from_fixture(SEED).unwrap();
    let web = world.instance("web-1");
    // What the application on web-1 does at start-up: the default chain, no keys in its
    // environment, IMDS at the instance's address.
    let config = web.config_loader(&[]).load().await;
    let sts = aws_sdk_sts::Client::new(&config);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn().unwrap(), format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id()));

    // The role grants S3 reads only: assuming another role is denied, in AWS's words.
    let denied =
        sts.assume_role().role_arn("arn:aws:iam::111111111111:role/s3access").role_session_name("again").send().await;
    let err = denied.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(
        err.message().unwrap(),
        format!(
            "User: arn:aws:sts::111111111111:assumed-role/s3access/{} is not authorized to perform: sts:AssumeRole on resource: \
             arn:aws:iam::111111111111:role/s3access because no role trust policy allows the sts:AssumeRole action",
            web.id()
        )
    );
    // The S3 reads of this scenario: the next test.

    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_yaml_snapshot!("imds_seed_access_log", world.access_log());
    });
}

/// The seed's central story to the end: the application on web-1 reads its bucket with the
/// instance role's credentials from IMDS, and may do nothing else there.
#[tokio::test]
async fn the_seed_scenario_application_on_ec2_reads_s3_with_its_instance_role_from_imds() {
    let world = World::from_fixture(SEED).unwrap();
    let web = world.instance("web-1");
    let config = web.config_loader(&[]).load().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());

    let object = s3.get_object().bucket("app-data").key("report.csv").send().await.unwrap();
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(&body[..], b"day,visits\nmon,12\n");
    let listed = s3.list_objects_v2().bucket("app-data").send().await.unwrap();
    assert_eq!(listed.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>(), ["report.csv"]);

    let session = format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id());
    let denied = s3.delete_object().bucket("app-data").key("report.csv").send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    let message = denied.message().unwrap_or_default();
    assert!(
        message.starts_with(&format!("User: {session} is not authorized to perform: s3:DeleteObject")),
        "{message}"
    );
    let denied = s3
        .put_object()
        .bucket("app-data")
        .key("new.csv")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    // The object is still there, unchanged.
    let again = s3.get_object().bucket("app-data").key("report.csv").send().await.unwrap();
    assert_eq!(&again.body.collect().await.unwrap().into_bytes()[..], b"day,visits\nmon,12\n");
}

#[tokio::test]
async fn sts_sees_the_context_keys_aws_adds_to_instance_role_credentials() {
    let world = world();
    let reporter = "arn:aws:iam::111111111111:role/reporter";

    // Over IMDSv2 (the SDK always uses a token): `ec2:RoleDelivery` 2.0, the instance's ARN,
    // VPC and address — the policy's conditions hold.
    let v2 = world.instance("app-1").credentials_provider().provide_credentials().await.unwrap();
    let out =
        world.sts_client(v2.clone()).assume_role().role_arn(reporter).role_session_name("report").send().await.unwrap();
    assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::111111111111:assumed-role/reporter/report");
    let keys_of = |access_key_id: &str| match world.live().session(access_key_id).unwrap().caller {
        iamsim::model::Caller::RoleSession { session, .. } => session.context_keys,
        other => panic!("a role session, not {other:?}"),
    };
    let instance_keys = keys_of(v2.access_key_id());
    assert_eq!(instance_keys["ec2:RoleDelivery"], "2.0");
    assert_eq!(instance_keys["ec2:SourceInstanceARN"], format!("arn:aws:ec2:us-east-1:111111111111:instance/{APP_ID}"));
    // A session the instance role creates is STS's: it does not carry the instance's keys.
    assert!(keys_of(out.credentials().unwrap().access_key_id()).is_empty());

    // Over IMDSv1 (no token; the instance allows it): other credentials, `ec2:RoleDelivery` 1.0.
    let v1 = json(&imds(&world, "app-1", "GET", "/latest/meta-data/iam/security-credentials/app", &[]));
    let v1 = aws_credential_types::Credentials::new(
        v1["AccessKeyId"].as_str().unwrap(),
        v1["SecretAccessKey"].as_str().unwrap(),
        Some(v1["Token"].as_str().unwrap().to_owned()),
        None,
        "curl",
    );
    let err =
        world.sts_client(v1).assume_role().role_arn(reporter).role_session_name("report").send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(
        err.message().unwrap(),
        format!(
            "User: arn:aws:sts::111111111111:assumed-role/app/{APP_ID} is not authorized to perform: sts:AssumeRole on resource: \
             {reporter} because no identity-based policy allows the sts:AssumeRole action"
        )
    );

    // The same role on another instance: not `app-1`'s ARN, VPC or address.
    let strict = world.instance("strict-1").credentials_provider().provide_credentials().await.unwrap();
    let err =
        world.sts_client(strict).assume_role().role_arn(reporter).role_session_name("report").send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn credentials_rotate_five_minutes_before_they_expire_on_the_world_clock() {
    let world = world();
    let client = world.instance("app-1").imds_client();
    let path = "/latest/meta-data/iam/security-credentials/app";
    let start = world.clock().now();
    let first: serde_json::Value = serde_json::from_str(client.get(path).await.unwrap().as_ref()).unwrap();
    assert_eq!(first["Code"], "Success");
    assert_eq!(first["Type"], "AWS-HMAC");
    assert_eq!(first["LastUpdated"], rfc3339(start));
    assert_eq!(first["Expiration"], rfc3339(start + Duration::from_secs(21_600)));

    // Until five minutes before they expire, the service hands out the same credentials…
    world.clock().advance(Duration::from_secs(21_600 - 301));
    let same: serde_json::Value = serde_json::from_str(client.get(path).await.unwrap().as_ref()).unwrap();
    assert_eq!(same["AccessKeyId"], first["AccessKeyId"]);
    // …then new ones, while the old still work until they expire.
    world.clock().advance(Duration::from_secs(1));
    let rotated: serde_json::Value = serde_json::from_str(client.get(path).await.unwrap().as_ref()).unwrap();
    assert_ne!(rotated["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(rotated["LastUpdated"], rfc3339(world.clock().now()));
    let old = aws_credential_types::Credentials::new(
        first["AccessKeyId"].as_str().unwrap(),
        first["SecretAccessKey"].as_str().unwrap(),
        Some(first["Token"].as_str().unwrap().to_owned()),
        None,
        "old",
    );
    world.sts_client(old.clone()).get_caller_identity().send().await.unwrap();
    world.clock().advance(Duration::from_secs(300));
    let err = world.sts_client(old).get_caller_identity().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ExpiredToken"));
}

#[tokio::test]
async fn an_sdk_client_refetches_from_imds_as_its_credentials_near_expiry() {
    let world = world();
    let config = world.instance("app-1").config_loader(&[]).load().await;
    let sts = aws_sdk_sts::Client::new(&config);
    sts.get_caller_identity().send().await.unwrap();
    let first_key = world.access_log().last().unwrap().access_key_id.clone().unwrap();

    // The SDK's identity cache refreshes 5 to 10 seconds before expiry; the metadata service has
    // rotated by then.
    world.clock().advance(Duration::from_secs(21_600 - 4));
    sts.get_caller_identity().send().await.unwrap();
    let log = world.access_log();
    let second_key = log.last().unwrap().access_key_id.clone().unwrap();
    assert_ne!(first_key, second_key);
    let fetched: Vec<&str> =
        log.entries().iter().filter(|e| e.service == "imds").map(|e| e.operation.as_str()).collect();
    // One token (valid six hours, refreshed by the client two minutes early), two fetches.
    assert_eq!(
        fetched,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/app",
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/app",
        ]
    );
}

#[tokio::test]
async fn the_sdk_extends_expired_credentials_from_imds_but_sts_still_refuses_them() {
    let world = World::from_fixture(SEED).unwrap();
    let web = world.instance("web-1");
    web.credentials_provider().provide_credentials().await.unwrap();
    // EC2's refresh stalls: the metadata service keeps its last credentials past their expiry.
    web.pause_credential_rotation();
    world.clock().advance(Duration::from_secs(21_600 + 60));
    let now = world.clock().now();

    // aws-config does not fail on expired credentials from IMDS: it extends them by 10 to 15
    // minutes and logs a warning ("static stability"), so an outage of the metadata service
    // does not stop the application at once.
    let extended = web.credentials_provider().provide_credentials().await.unwrap();
    let expiry = extended.expiry().unwrap();
    assert!(expiry >= now + Duration::from_secs(600) && expiry <= now + Duration::from_secs(900), "{expiry:?}");

    // AWS is not fooled: the session expired.
    let err = world.sts_client(extended).get_caller_identity().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ExpiredToken"));
    assert_eq!(err.message(), Some("The security token included in the request is expired"));

    web.resume_credential_rotation();
    let fresh = web.credentials_provider().provide_credentials().await.unwrap();
    world.sts_client(fresh).get_caller_identity().send().await.unwrap();
}

#[tokio::test]
async fn an_instance_that_requires_tokens_refuses_imdsv1_with_401() {
    let world = world();
    let v1 = imds(&world, "strict-1", "GET", "/latest/meta-data/iam/security-credentials/app", &[]);
    assert_eq!(v1.status(), 401);
    assert!(text(&v1).contains("<title>401 - Unauthorized</title>"), "{}", text(&v1));
    assert_eq!(imds(&world, "strict-1", "GET", "/latest/meta-data/instance-id", &[]).status(), 401);
    // IMDSv2 works, and so does the SDK, which always uses it.
    let t = token(&world, "strict-1", "60");
    let id = imds(&world, "strict-1", "GET", "/latest/meta-data/instance-id", &[("X-aws-ec2-metadata-token", &t)]);
    assert_eq!(text(&id), world.instance("strict-1").id());
    world.instance("strict-1").credentials_provider().provide_credentials().await.unwrap();
    // `optional` answers both.
    assert_eq!(imds(&world, "app-1", "GET", "/latest/meta-data/instance-id", &[]).status(), 200);
}

#[tokio::test]
async fn a_wrong_foreign_or_expired_token_gets_401() {
    let world = world();
    let path = "/latest/meta-data/ami-id";
    for wrong in ["", "AQAEAnotatokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="] {
        let response = imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", wrong)]);
        assert_eq!(response.status(), 401, "a token is checked even where IMDSv1 is allowed: `{wrong}`");
    }
    // A real token with any one character changed.
    let good = token(&world, "app-1", "21600");
    assert_eq!(imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", &good)]).status(), 200);
    for at in 0..good.len() {
        let mut tampered = good.clone().into_bytes();
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let status = imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", &tampered)]).status();
        assert_eq!(status, 401, "`{tampered}` (character {at} of `{good}` changed)");
    }
    // "The token is not valid on other EC2 instances".
    let strict = token(&world, "strict-1", "21600");
    assert_eq!(imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", &strict)]).status(), 401);

    // Expiry on the world's clock.
    let short = token(&world, "app-1", "1");
    assert_eq!(imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", &short)]).status(), 200);
    world.clock().advance(Duration::from_secs(1));
    assert_eq!(imds(&world, "app-1", "GET", path, &[("X-aws-ec2-metadata-token", &short)]).status(), 401);

    // Through aws-config's client, a wrong token is a 401 after its retries.
    let client = aws_config::imds::Client::builder()
        .configure(
            &aws_config::provider_config::ProviderConfig::empty()
                .with_http_client(aws_smithy_runtime_api::client::http::SharedHttpClient::new(WrongToken(
                    world.http_client(),
                )))
                .with_time_source(world.clock().clone())
                .with_sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new()),
        )
        .endpoint(world.instance("app-1").imds_endpoint())
        .unwrap()
        .max_attempts(1)
        .build();
    let err = client.get("/latest/meta-data/ami-id").await.unwrap_err();
    match err {
        aws_config::imds::client::error::ImdsError::ErrorResponse(e) => assert_eq!(e.response().status().as_u16(), 401),
        other => panic!("expected a 401 response, got {other:?}"),
    }
}

/// A transport that replaces the session token the SDK sends with one that was never issued.
#[derive(Clone, Debug)]
struct WrongToken(aws_smithy_runtime_api::client::http::SharedHttpClient);

impl aws_smithy_runtime_api::client::http::HttpClient for WrongToken {
    fn http_connector(
        &self,
        settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        let inner = self.0.http_connector(settings, components);
        aws_smithy_runtime_api::client::http::SharedHttpConnector::new(WrongTokenConnector(inner))
    }
}

#[derive(Debug)]
struct WrongTokenConnector(aws_smithy_runtime_api::client::http::SharedHttpConnector);

impl aws_smithy_runtime_api::client::http::HttpConnector for WrongTokenConnector {
    fn call(
        &self,
        mut request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        if request.headers().contains_key("x-aws-ec2-metadata-token") {
            request
                .headers_mut()
                .insert("x-aws-ec2-metadata-token", "AQAEAforgedforgedforgedforgedforgedforgedforgedforged==");
        }
        self.0.call(request)
    }
}

#[test]
fn the_token_put_checks_its_ttl_and_refuses_what_aws_refuses() {
    let world = world();
    let put = |headers: &[(&str, &str)]| imds(&world, "app-1", "PUT", "/latest/api/token", headers).status().as_u16();
    let ttl = "X-aws-ec2-metadata-token-ttl-seconds";
    // 1 second to 6 hours; anything else is "400 - Missing or Invalid Parameters".
    assert_eq!(put(&[]), 400);
    for bad in ["0", "21601", "-1", "abc", "", "3.5", "99999999999999999999999"] {
        assert_eq!(put(&[(ttl, bad)]), 400, "ttl `{bad}`");
    }
    assert_eq!(put(&[(ttl, "1")]), 200);
    assert_eq!(put(&[(ttl, "21600")]), 200);
    // "PUT requests are rejected if they contain an X-Forwarded-For header".
    assert_eq!(put(&[(ttl, "60"), ("X-Forwarded-For", "203.0.113.9")]), 403);
    // "Issuing PUT requests to any version-specific path … returning 403 Forbidden".
    let versioned = imds(&world, "app-1", "PUT", "/2021-03-23/api/token", &[(ttl, "60")]);
    assert_eq!(versioned.status(), 403);
    assert!(text(&versioned).contains("403 - Forbidden"));
    // Other methods, and PUT elsewhere, are not allowed.
    assert_eq!(imds(&world, "app-1", "POST", "/latest/api/token", &[(ttl, "60")]).status(), 405);
    assert_eq!(imds(&world, "app-1", "PUT", "/latest/meta-data/", &[(ttl, "60")]).status(), 405);
    // Two tokens of one world are different, and the same in every run.
    let a = token(&world, "app-1", "60");
    let b = token(&world, "app-1", "60");
    assert_ne!(a, b);
    assert_eq!(a.len(), 56);
    let (one, other) = (self::world(), self::world());
    assert_eq!(token(&one, "app-1", "60"), token(&other, "app-1", "60"), "deterministic");
}

#[tokio::test]
async fn a_role_ec2_may_not_assume_shows_assume_role_unauthorized_access() {
    let world = world();
    let info = json(&imds(&world, "lambda-role-1", "GET", "/latest/meta-data/iam/info", &[]));
    assert_eq!(info["Code"], "AssumeRoleUnauthorizedAccess");
    assert!(info["Message"].as_str().unwrap().contains("lambda-only"));
    // The role is still listed; its credentials document carries the code.
    let listed = imds(&world, "lambda-role-1", "GET", "/latest/meta-data/iam/security-credentials/", &[]);
    assert_eq!(text(&listed), "lambda-only");
    let creds =
        json(&imds(&world, "lambda-role-1", "GET", "/latest/meta-data/iam/security-credentials/lambda-only", &[]));
    assert_eq!(creds["Code"], "AssumeRoleUnauthorizedAccess");
    assert!(creds.get("AccessKeyId").is_none());

    // aws-config turns the code into its hint.
    let err = world.instance("lambda-role-1").credentials_provider().provide_credentials().await.unwrap_err();
    let message = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&err));
    assert!(message.contains("AssumeRoleUnauthorizedAccess"), "{message}");
    assert!(message.contains("Hint: Does this role have a trust relationship with EC2?"), "{message}");

    // The access log shows why.
    let log = world.access_log();
    let refused = log.entries().iter().rev().find(|e| !e.authorizations.is_empty()).unwrap();
    assert_eq!(refused.authorizations[0].decision, "implicit_deny");
    assert_eq!(
        refused.authorizations[0].message,
        "User: ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: \
         arn:aws:iam::111111111111:role/lambda-only because no role trust policy allows the sts:AssumeRole action"
    );
}

#[test]
fn the_metadata_categories_answer_as_aws_does_and_unknown_paths_are_404() {
    let world = world();
    let get = |instance: &str, path: &str| imds(&world, instance, "GET", path, &[]);
    let listing = text(&get("app-1", "/latest/meta-data/")).to_owned();
    let items: Vec<&str> = listing.split('\n').collect();
    for expected in
        ["ami-id", "hostname", "iam/", "instance-id", "instance-type", "local-ipv4", "mac", "placement/", "tags/"]
    {
        assert!(items.contains(&expected), "{expected} in {items:?}");
    }
    assert!(!listing.ends_with('\n'), "no line feed after the last item");
    assert_eq!(text(&get("app-1", "/latest/meta-data")), listing, "a listing with or without its `/`");

    assert_eq!(text(&get("app-1", "/latest/meta-data/instance-id")), APP_ID);
    assert_eq!(text(&get("app-1", "/latest/meta-data/instance-type")), "m6g.large");
    assert_eq!(text(&get("app-1", "/latest/meta-data/local-ipv4")), "10.0.1.23");
    assert_eq!(text(&get("app-1", "/latest/meta-data/hostname")), "ip-10-0-1-23.ec2.internal");
    assert_eq!(text(&get("app-1", "/latest/meta-data/placement/region")), "us-east-1");
    assert_eq!(text(&get("app-1", "/latest/meta-data/placement/availability-zone")), "us-east-1c");
    assert!(text(&get("app-1", "/latest/meta-data/ami-id")).starts_with("ami-"));
    let mac = text(&get("app-1", "/latest/meta-data/mac")).to_owned();
    assert_eq!(mac.len(), 17);
    assert_eq!(
        text(&get("app-1", &format!("/latest/meta-data/network/interfaces/macs/{mac}/vpc-id"))),
        "vpc-0123456789abcdef0"
    );
    assert_eq!(text(&get("app-1", "/latest/meta-data/iam/")), "info\nsecurity-credentials/");
    let info = json(&get("app-1", "/latest/meta-data/iam/info"));
    assert_eq!(info["Code"], "Success");
    assert_eq!(info["InstanceProfileArn"], "arn:aws:iam::111111111111:instance-profile/app");
    assert!(info["InstanceProfileId"].as_str().unwrap().starts_with("AIPA"));
    // The documents are written as the service writes them.
    assert!(text(&get("app-1", "/latest/meta-data/iam/info")).starts_with("{\n  \"Code\" : \"Success\",\n"));

    let document = json(&get("app-1", "/latest/dynamic/instance-identity/document"));
    assert_eq!(document["instanceId"], APP_ID);
    assert_eq!(document["accountId"], DEV);
    assert_eq!(document["region"], "us-east-1");
    assert_eq!(document["architecture"], "arm64");
    assert_eq!(document["privateIp"], "10.0.1.23");
    assert_eq!(text(&get("app-1", "/latest/user-data")), "#!/bin/sh\necho hello\n");
    assert_eq!(text(&get("app-1", "/latest/meta-data/tags/instance")), "Name\nteam");
    assert_eq!(text(&get("app-1", "/latest/meta-data/tags/instance/team")), "photos");
    assert_eq!(text(&get("app-1", "/latest/")), "dynamic\nmeta-data\nuser-data");
    assert!(text(&get("app-1", "/")).ends_with("2021-03-23\nlatest"));
    assert_eq!(text(&get("app-1", "/2009-04-04/meta-data/instance-id")), APP_ID, "dated versions answer too");

    // Not there: 404, AWS's page.
    for (instance, path) in [
        ("app-1", "/latest/meta-data/no-such-item"),
        ("app-1", "/latest/meta-data/iam/security-credentials/other-role"),
        ("app-1", "/latest/meta-data//instance-id"),
        ("app-1", "/latest/meta-data/tags/instance/missing"),
        ("app-1", "/1999-01-01/meta-data/"),
        ("app-1", "/latest/dynamic/instance-identity/pkcs7"),
        ("bare-1", "/latest/meta-data/iam/"),
        ("bare-1", "/latest/meta-data/iam/info"),
        ("bare-1", "/latest/user-data"),
        ("strict-1", "/latest/meta-data/tags/instance"),
    ] {
        let response = get(instance, path);
        let response = if instance == "strict-1" {
            let t = token(&world, instance, "60");
            imds(&world, instance, "GET", path, &[("X-aws-ec2-metadata-token", &t)])
        } else {
            response
        };
        assert_eq!(response.status(), 404, "{instance} {path}");
        assert!(text(&response).contains("<title>404 - Not Found</title>"));
    }
    assert!(!text(&get("bare-1", "/latest/meta-data/")).contains("iam/"), "no role, no iam/");
    assert!(!text(&get("lambda-role-1", "/latest/meta-data/")).contains("tags/"), "tags only when allowed");
    // HEAD answers what GET would, without a body.
    let head = imds(&world, "app-1", "HEAD", "/latest/meta-data/instance-id", &[]);
    assert_eq!(head.status(), 200);
    assert!(head.body().is_empty());
    // An instance the world does not have answers nothing useful.
    let mut nowhere =
        http::Request::get("http://i-00000000000000000.imds.iamsim.test/latest/meta-data/").body(Bytes::new()).unwrap();
    nowhere.headers_mut().insert("host", http::HeaderValue::from_static("i-00000000000000000.imds.iamsim.test"));
    let response = iamsim::transport::route(world.live(), &WireRequest::new(nowhere, Origin::in_process()));
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_world_disables_imds_unless_told_which_instance_it_runs_on() {
    let world = World::from_fixture(SEED).unwrap();
    let config = world.config_loader(&[]).load().await;
    let provider = config.credentials_provider().unwrap();
    let err = provider.provide_credentials().await.unwrap_err();
    let message = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&err));
    assert!(message.contains("AWS_EC2_METADATA_DISABLED"), "{message}");
    assert!(world.access_log().is_empty(), "nothing was asked of any instance");
}

/// One HTTP/1.1 exchange on a fresh connection, as `curl` makes it.
async fn curl(addr: std::net::SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[tokio::test]
async fn the_seeds_curl_token_first_works_on_the_instances_own_loopback_port() {
    // It follows the wall clock (an outside process signs with it): its log is no reproducible record.
    let world = World::from_fixture(SEED).unwrap().without_recording();
    world.clock().follow_wall_clock();
    let web = world.instance("web-1");
    let server = web.serve_metadata().await.unwrap();
    let addr = server.local_addr();

    // TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"`
    let (status, head, token) =
        curl(addr, "PUT", "/latest/api/token", &[("X-aws-ec2-metadata-token-ttl-seconds", "21600")]).await;
    assert_eq!(status, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("x-aws-ec2-metadata-token-ttl-seconds: 21600"), "{head}");
    // curl -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/iam/security-credentials/s3access
    let (status, head, body) = curl(
        addr,
        "GET",
        "/latest/meta-data/iam/security-credentials/s3access",
        &[("X-aws-ec2-metadata-token", &token)],
    )
    .await;
    assert_eq!(status, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("content-type: text/plain"), "{head}");
    let creds: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(creds["Code"], "Success");

    // Those credentials sign for the instance role.
    let creds = aws_credential_types::Credentials::new(
        creds["AccessKeyId"].as_str().unwrap(),
        creds["SecretAccessKey"].as_str().unwrap(),
        Some(creds["Token"].as_str().unwrap().to_owned()),
        None,
        "curl",
    );
    let me = world.sts_client(creds).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn().unwrap(), format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id()));

    // Without a token the instance (tokens optional) answers too; with a bad one, 401.
    let (status, _, body) = curl(addr, "GET", "/latest/meta-data/instance-id", &[]).await;
    assert_eq!((status, body.as_str()), (200, web.id()));
    let (status, _, _) =
        curl(addr, "GET", "/latest/meta-data/instance-id", &[("X-aws-ec2-metadata-token", "nope")]).await;
    assert_eq!(status, 401);

    // And aws-config's provider over the socket, as any SDK on the instance would use it.
    let provider_config = aws_config::provider_config::ProviderConfig::empty()
        .with_http_client(aws_smithy_http_client::Builder::new().build_http())
        .with_sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new());
    let client = aws_config::imds::Client::builder()
        .configure(&provider_config)
        .endpoint(format!("{}/", server.endpoint()))
        .unwrap()
        .build();
    let provider = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
        .configure(&provider_config)
        .imds_client(client)
        .build();
    let again = provider.provide_credentials().await.unwrap();
    let me = world.sts_client(again).get_caller_identity().send().await.unwrap();
    assert!(me.arn().unwrap().ends_with(web.id()));
    server.shutdown().await;
}

#[test]
fn the_instance_fixture_is_checked_and_located() {
    let err = World::from_yaml(
        r#"
accounts:
  "111111111111": {}
instances:
  web:
    account: "111111111111"
    http_tokens: sometimes
"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("http_tokens"), "{err}");

    let err = World::from_yaml(
        r#"
accounts:
  "111111111111": {}
instances:
  web:
    account: "111111111111"
    private_ip: 8.8.8.8
    image_id: ami-XYZ
    availability_zone: eu-west-1a
    instance_type: large
"#,
    )
    .unwrap_err();
    let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "<yaml>:8:15: instances.web.image_id: `ami-XYZ` is not an id of the form `ami-` and 8 or 17 lowercase hex digits",
            "<yaml>:7:17: instances.web.private_ip: `8.8.8.8` is not a private IPv4 address (RFC 1918)",
            "<yaml>:9:24: instances.web.availability_zone: `eu-west-1a` is not an Availability Zone of us-east-1",
            "<yaml>:10:20: instances.web.instance_type: `large` is not an instance type such as `t3.micro`",
        ]
    );
}

#[test]
fn iamsim_serve_instance_prints_the_metadata_endpoint_after_the_other_lines_and_curl_works() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args([
            "serve",
            "--port",
            "0",
            "--fixture",
            SEED,
            "--as",
            "arn:aws:iam::111111111111:role/s3access",
            "--instance",
            "web-1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout).lines().take(7).map(Result::unwrap).collect();
    let keys: Vec<&str> = lines.iter().map(|l| l.strip_prefix("export ").unwrap().split_once('=').unwrap().0).collect();
    assert_eq!(
        keys,
        [
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT"
        ]
    );
    let endpoint = lines[6].split_once('=').unwrap().1.to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:") && endpoint.ends_with('/'), "{endpoint}");
    let world_endpoint = lines[0].split_once('=').unwrap().1;
    assert_ne!(format!("{world_endpoint}/"), endpoint, "the instance has a port of its own");

    let addr: std::net::SocketAddr = endpoint.trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (status, _, token) =
            curl(addr, "PUT", "/latest/api/token", &[("X-aws-ec2-metadata-token-ttl-seconds", "60")]).await;
        assert_eq!(status, 200);
        let (status, _, role) =
            curl(addr, "GET", "/latest/meta-data/iam/security-credentials/", &[("X-aws-ec2-metadata-token", &token)])
                .await;
        assert_eq!((status, role.as_str()), (200, "s3access"));
    });

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("#1 imds PUT /latest/api/token arn:aws:ec2:us-east-1:111111111111:instance/i-"),
        "{stderr}"
    );
    assert!(lines[1].ends_with(" 200"), "{stderr}");
}

#[test]
fn iamsim_serve_refuses_an_instance_the_world_does_not_have() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args([
            "serve",
            "--port",
            "0",
            "--fixture",
            SEED,
            "--as",
            "arn:aws:iam::111111111111:role/s3access",
            "--instance",
            "web-9",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: --instance `web-9`: the world has no such instance\n");
    assert!(out.stdout.is_empty());
}
