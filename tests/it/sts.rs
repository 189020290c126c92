//! STS over the wire: real aws-sdk-sts clients and aws-config providers against a world.

use std::time::Duration;

use crate::credentials_of;
use aws_sdk_sts::error::ProvideErrorMetadata;
use iamsim::World;

const TRUST: &str = "examples/fixtures/trust-policies.yaml";
const DEV: &str = "111111111111";

fn world() -> World {
    World::from_fixture(TRUST).unwrap()
}

/// The code and message of a failed call.
fn failure<E: ProvideErrorMetadata>(result: Result<impl std::fmt::Debug, E>) -> (String, String) {
    let err = result.expect_err("the call should fail");
    (err.code().unwrap_or("<none>").to_owned(), err.message().unwrap_or("<none>").to_owned())
}

#[tokio::test]
async fn a_user_learns_who_it_is() {
    let world = world();
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    assert_eq!(me.account(), Some(DEV));
    let alice = world.model().account(DEV).unwrap().user("alice").unwrap();
    assert_eq!(me.user_id(), Some(alice.id.as_str()));
}

#[tokio::test]
async fn alice_assumes_the_role_whose_trust_policy_names_her() {
    let world = world();
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let out = sts
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/deployer")
        .role_session_name("deploy-1")
        .send()
        .await
        .unwrap();
    let user = out.assumed_role_user().unwrap();
    assert_eq!(user.arn(), "arn:aws:sts::111111111111:assumed-role/deployer/deploy-1");
    let role = world.model().account(DEV).unwrap().role("deployer").unwrap();
    assert_eq!(user.assumed_role_id(), format!("{}:deploy-1", role.id));
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    // The default duration is one hour, on the world's clock.
    let expires = std::time::SystemTime::try_from(*creds.expiration()).unwrap();
    assert_eq!(expires, world.clock().now() + Duration::from_secs(3600));

    // The session's credentials work, and STS knows them as the assumed role.
    let session = credentials_of(creds);
    let me = world.sts_client(session).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/deployer/deploy-1"));
}

#[tokio::test]
async fn a_deny_for_one_user_in_the_trust_policy_wins() {
    let world = world();
    let sts = world.sts_client(world.user_credentials(DEV, "mallory"));
    let (code, message) = failure(
        sts.assume_role()
            .role_arn("arn:aws:iam::111111111111:role/ops-no-mallory")
            .role_session_name("x1")
            .send()
            .await,
    );
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/mallory is not authorized to perform: sts:AssumeRole on resource: \
         arn:aws:iam::111111111111:role/ops-no-mallory with an explicit deny in the role trust policy"
    );
    // bob, in the same account with the same identity policy, may.
    let bob = world.sts_client(world.user_credentials(DEV, "bob"));
    bob.assume_role()
        .role_arn("arn:aws:iam::111111111111:role/ops-no-mallory")
        .role_session_name("x1")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_role_that_does_not_exist_is_access_denied() {
    let world = world();
    let sts = world.sts_client(world.user_credentials(DEV, "bob"));
    let (code, message) =
        failure(sts.assume_role().role_arn("arn:aws:iam::111111111111:role/nope").role_session_name("s1").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/nope"
    );
}

#[tokio::test]
async fn parameters_are_validated_as_aws_validates_them() {
    let world = world();
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let role = "arn:aws:iam::111111111111:role/deployer";
    let (code, message) = failure(sts.assume_role().role_arn(role).role_session_name("s").send().await);
    assert_eq!(code, "ValidationError");
    assert_eq!(
        message,
        "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: \
         Member must have length greater than or equal to 2"
    );
    let (code, message) =
        failure(sts.assume_role().role_arn(role).role_session_name("bad name!").duration_seconds(100).send().await);
    assert_eq!(code, "ValidationError");
    assert_eq!(
        message,
        "2 validation errors detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value '100' at 'durationSeconds' failed \
         to satisfy constraint: Member must have value greater than or equal to 900"
    );
    let (code, message) =
        failure(sts.assume_role().role_arn(role).role_session_name("s1").duration_seconds(7200).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    );
    let (code, _) = failure(
        sts.assume_role()
            .role_arn(role)
            .role_session_name("s1")
            .tags(aws_sdk_sts::types::Tag::builder().key("team").value("a").build().unwrap())
            .tags(aws_sdk_sts::types::Tag::builder().key("TEAM").value("b").build().unwrap())
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValue");
    let (code, message) =
        failure(sts.assume_role().role_arn(role).role_session_name("s1").policy("{not json").send().await);
    assert_eq!(code, "MalformedPolicyDocument", "{message}");
}

#[tokio::test]
async fn role_chaining_is_capped_at_one_hour() {
    let world = World::from_yaml(
        r#"
accounts:
  "111111111111":
    users:
      bob: { policies: [AssumeAny] }
    policies:
      AssumeAny: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: sts:AssumeRole, Resource: "*" }] }
    roles:
      ops:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] }
        policies: [AssumeAny]
        max_session_duration: 43200
"#,
    )
    .unwrap();
    let bob = world.sts_client(world.user_credentials(DEV, "bob"));
    let first = bob
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/ops")
        .role_session_name("hop1")
        .send()
        .await
        .unwrap();
    let c = first.credentials().unwrap();
    let session = credentials_of(c);
    let ops = world.sts_client(session);
    let (code, message) = failure(
        ops.assume_role()
            .role_arn("arn:aws:iam::111111111111:role/ops")
            .role_session_name("hop2")
            .duration_seconds(3601)
            .send()
            .await,
    );
    assert_eq!(code, "ValidationError");
    assert_eq!(
        message,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    );
    // Without the chain, the same duration is within the role's maximum.
    bob.assume_role()
        .role_arn("arn:aws:iam::111111111111:role/ops")
        .role_session_name("direct")
        .duration_seconds(3601)
        .send()
        .await
        .unwrap();
    // One hour is fine when chained.
    ops.assume_role()
        .role_arn("arn:aws:iam::111111111111:role/ops")
        .role_session_name("hop2")
        .duration_seconds(3600)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_keys_wrong_secrets_and_expired_sessions_are_refused_with_aws_codes() {
    let world = world();
    let unknown = aws_credential_types::Credentials::new("AKIAUNKNOWNKEY000000", "x".repeat(40), None, None, "t");
    let (code, _) = failure(world.sts_client(unknown).get_caller_identity().send().await);
    assert_eq!(code, "InvalidClientTokenId");

    let alice = world.user_credentials(DEV, "alice");
    let wrong = aws_credential_types::Credentials::new(alice.access_key_id(), "y".repeat(40), None, None, "t");
    let (code, _) = failure(world.sts_client(wrong).get_caller_identity().send().await);
    assert_eq!(code, "SignatureDoesNotMatch");

    let session = world.role_session_credentials(DEV, "ops", "short");
    world.clock().advance(Duration::from_secs(3601));
    let expired = aws_credential_types::Credentials::new(
        session.access_key_id(),
        session.secret_access_key(),
        session.session_token().map(str::to_owned),
        None,
        "t",
    );
    let (code, _) = failure(world.sts_client(expired).get_caller_identity().send().await);
    assert_eq!(code, "ExpiredToken");
}

#[tokio::test]
async fn the_assume_role_provider_of_aws_config_gets_a_session() {
    let world = world();
    let base = world.sdk_config(world.user_credentials(DEV, "alice"));
    let provider = aws_config::sts::AssumeRoleProvider::builder("arn:aws:iam::111111111111:role/deployer")
        .session_name("provider")
        .configure(&base)
        .build()
        .await;
    let me = world.sts_client(provider).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/deployer/provider"));
}

#[tokio::test]
async fn the_default_provider_chain_reads_keys_from_the_injected_environment() {
    let world = world();
    let alice = world.user_credentials(DEV, "alice");
    let env = [("AWS_ACCESS_KEY_ID", alice.access_key_id()), ("AWS_SECRET_ACCESS_KEY", alice.secret_access_key())];
    let config = world.config_loader(&env).load().await;
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
}

#[tokio::test]
async fn federated_users_get_only_what_both_the_user_and_the_session_policy_allow() {
    let world = World::from_yaml(
        r#"
accounts:
  "111111111111":
    users:
      broker:
        inline_policies:
          Federate:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: ["sts:GetFederationToken", "s3:GetObject"], Resource: "*" }
"#,
    )
    .unwrap();
    let sts = world.sts_client(world.user_credentials(DEV, "broker"));
    let out = sts
        .get_federation_token()
        .name("carol")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/carol/*"}]}"#)
        .send()
        .await
        .unwrap();
    let user = out.federated_user().unwrap();
    assert_eq!(user.arn(), "arn:aws:sts::111111111111:federated-user/carol");
    assert_eq!(user.federated_user_id(), "111111111111:carol");
    let c = out.credentials().unwrap();
    let session = credentials_of(c);
    let fed = world.sts_client(session);
    assert_eq!(
        fed.get_caller_identity().send().await.unwrap().arn(),
        Some("arn:aws:sts::111111111111:federated-user/carol")
    );
    // Federated credentials may call no STS operation but GetCallerIdentity.
    let (code, _) = failure(fed.get_session_token().send().await);
    assert_eq!(code, "AccessDenied");
}

/// A user whose only policy denies every action, in an organization whose SCP denies
/// `sts:GetCallerIdentity` too.
const LOCKED_OUT: &str = r#"
accounts:
  "999999999999": {}
  "111111111111":
    users:
      locked:
        inline_policies:
          DenyEverything: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}
organization:
  management_account: "999999999999"
  scps:
    root: [NoWhoAmI]
  policies:
    NoWhoAmI: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: sts:GetCallerIdentity, Resource: "*"}]}
  accounts: {"111111111111": root}
"#;

#[tokio::test]
async fn get_caller_identity_needs_no_permission_and_no_deny_stops_it() {
    let world = World::from_yaml(LOCKED_OUT).unwrap();
    let sts = world.sts_client(world.user_credentials(DEV, "locked"));
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/locked"));
    // No policy was asked, so the access log records no authorization for it.
    let log = world.access_log();
    assert_eq!(log.len(), 1);
    let entry = &log.entries()[0];
    assert_eq!((entry.operation.as_str(), entry.status), ("GetCallerIdentity", 200));
    assert!(entry.authorizations.is_empty(), "{entry:?}");
    // The carve-out is for that one action: the same user is denied GetAccessKeyInfo.
    let key = world.user_credentials(DEV, "locked").access_key_id().to_owned();
    let (code, message) = failure(sts.get_access_key_info().access_key_id(key).send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in an identity-based policy"), "{message}");
    // The world's questions give the same answer as the wire.
    let whoami = world.user(DEV, "locked").can("sts:GetCallerIdentity").on("*");
    whoami.assert_allowed();
    assert_eq!(
        whoami.explanation(),
        "no policy was evaluated: sts:GetCallerIdentity needs no permission and cannot be denied"
    );
}

#[tokio::test]
async fn every_request_is_in_the_access_log() {
    let world = world();
    let mallory = world.sts_client(world.user_credentials(DEV, "mallory"));
    let _ = mallory
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/ops-no-mallory")
        .role_session_name("x1")
        .send()
        .await;
    let _ = mallory.get_caller_identity().send().await;
    let log = world.access_log();
    assert_eq!(log.len(), 2);
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_yaml_snapshot!("sts_access_log", log);
    });
}

#[tokio::test]
async fn a_served_world_answers_sdk_clients_over_loopback() {
    let world = world();
    let server = world.serve().await.unwrap();
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(server.endpoint())
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            world.user_credentials(DEV, "alice"),
        ))
        .time_source(aws_smithy_async::time::SharedTimeSource::new(world.clock().clone()))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    // Over plain HTTP the request is not on a secure transport.
    let out = aws_sdk_sts::Client::new(&config)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/deployer")
        .role_session_name("loop")
        .send()
        .await
        .unwrap();
    assert!(out.credentials().is_some());
    let log = world.access_log();
    assert_eq!(log.last().unwrap().authorizations[0].context["aws:SecureTransport"], vec!["false".to_owned()]);
    server.shutdown().await;
}

/// The SDK corrects its signing time by the skew between a response's `Date` and its own clock:
/// a served world whose clock is not the wall clock must date its responses by its own clock, or
/// every call after the first is signed at the wrong time.
#[tokio::test]
async fn a_served_world_dates_its_responses_by_its_own_clock() {
    let world = world();
    let server = world.serve().await.unwrap();
    let config = world.sdk_config(world.user_credentials(DEV, "alice"));
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&config)
            .endpoint_url(server.endpoint())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build(),
    );
    for _ in 0..3 {
        let out = sts.get_caller_identity().send().await.unwrap();
        assert_eq!(out.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    }
    let raw = date_of_an_unsigned_get(&server.endpoint()).await;
    let expected = iamsim::clock::format_http_date(world.clock().now());
    assert_eq!(raw.as_deref(), Some(expected.as_str()));
    server.shutdown().await;
}

/// The `Date` header of an unsigned GET, read over a plain TCP connection.
async fn date_of_an_unsigned_get(endpoint: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream
        .write_all(
            format!("GET /?Action=GetCallerIdentity HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await.ok()?;
    text.lines().find_map(|line| line.strip_prefix("date: ").or_else(|| line.strip_prefix("Date: ")).map(str::to_owned))
}

#[tokio::test]
async fn a_profile_with_role_arn_and_source_profile_assumes_the_role() {
    let world = world();
    let alice = world.user_credentials(DEV, "alice");
    let config_file = "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/deployer\nrole_session_name = from-profile\nsource_profile = base\n";
    let credentials_file = format!(
        "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.access_key_id(),
        alice.secret_access_key()
    );
    let env = [("HOME", "/home/app"), ("AWS_PROFILE", "deploy")];
    let config = world
        .config_loader(&env)
        .fs(aws_types::os_shim_internal::Fs::from_slice(&[
            ("/home/app/.aws/config", config_file),
            ("/home/app/.aws/credentials", credentials_file.as_str()),
        ]))
        .load()
        .await;
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/deployer/from-profile"));
    // The provider's AssumeRole went over the wire like any other call: the log shows it.
    let log = world.access_log();
    assert_eq!(log.entries()[0].operation, "AssumeRole");
    assert_eq!(log.entries()[0].caller.as_deref(), Some("arn:aws:iam::111111111111:user/alice"));
}

#[tokio::test]
async fn alice_in_dev_assumes_write_access_in_prod_and_bob_does_not() {
    let world = World::from_fixture("examples/fixtures/cross-account.yaml").unwrap();
    let role = "arn:aws:iam::222222222222:role/WriteAccess";
    let alice = world.sts_client(world.user_credentials(DEV, "alice"));
    let out = alice.assume_role().role_arn(role).role_session_name("release").send().await.unwrap();
    assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::222222222222:assumed-role/WriteAccess/release");
    // Bob's account is trusted, but no identity policy of his allows sts:AssumeRole: cross
    // account, both sides must allow.
    let bob = world.sts_client(world.user_credentials(DEV, "bob"));
    let (code, message) = failure(bob.assume_role().role_arn(role).role_session_name("release").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:AssumeRole on resource: \
         arn:aws:iam::222222222222:role/WriteAccess because no identity-based policy allows the sts:AssumeRole action"
    );
}

const CHAIN: &str = r#"
organization:
  management_account: "999999999999"
  accounts: { "111111111111": root }
  policies:
    NoLegacy:
      Version: "2012-10-17"
      Statement:
        - { Sid: NoLegacy, Effect: Deny, Action: sts:AssumeRole, Resource: "arn:aws:iam::111111111111:role/legacy" }
  scps:
    root: [NoLegacy]
accounts:
  "999999999999": {}
  "111111111111":
    users:
      alice: { policies: [AssumeAny] }
    policies:
      AssumeAny:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], Resource: "*" }]
    roles:
      first:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { AWS: "111111111111" }
              Action: [sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity]
              Condition: { StringEquals: { "sts:ExternalId": "ext-123" } }
        policies: [AssumeAny]
      second:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { AWS: "111111111111" }
              Action: [sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity]
              # Every request of a session carries the source identity it was given.
              Condition: { StringEquals: { "aws:SourceIdentity": alice-human } }
        policies: [AssumeAny]
      third:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { AWS: "111111111111" }
              Action: sts:AssumeRole
              Condition: { StringEquals: { "aws:PrincipalTag/team": blue } }
      legacy:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] }
"#;

fn tag(k: &str, v: &str) -> aws_sdk_sts::types::Tag {
    aws_sdk_sts::types::Tag::builder().key(k).value(v).build().unwrap()
}

#[tokio::test]
async fn transitive_tags_and_the_source_identity_pass_through_role_chaining() {
    let world = World::from_yaml(CHAIN).unwrap();
    let alice = world.sts_client(world.user_credentials(DEV, "alice"));
    let first = "arn:aws:iam::111111111111:role/first";
    // The trust policy wants the external id.
    let (code, _) = failure(alice.assume_role().role_arn(first).role_session_name("a1").send().await);
    assert_eq!(code, "AccessDenied");
    let hop = |transitive: bool| {
        let mut call = alice
            .assume_role()
            .role_arn(first)
            .role_session_name("a1")
            .external_id("ext-123")
            .source_identity("alice-human")
            .tags(tag("team", "blue"));
        if transitive {
            call = call.transitive_tag_keys("team");
        }
        call.send()
    };
    for transitive in [false, true] {
        let out = hop(transitive).await.unwrap();
        assert_eq!(out.source_identity(), Some("alice-human"));
        let chained = world.sts_client(credentials_of(out.credentials().unwrap()));
        let second = chained
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/second")
            .role_session_name("a2")
            .send()
            .await;
        let second = second.unwrap();
        // The source identity stays for every chained session.
        assert_eq!(second.source_identity(), Some("alice-human"));
        let third = world
            .sts_client(credentials_of(second.credentials().unwrap()))
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/third")
            .role_session_name("a3")
            .send()
            .await;
        if transitive {
            // The transitive tag reached the second session, whose caller tag the third trusts.
            assert_eq!(third.unwrap().source_identity(), Some("alice-human"));
        } else {
            // A tag that is not transitive stays with the session it was passed to.
            let (code, message) = failure(third);
            assert_eq!(code, "AccessDenied");
            assert!(
                message.starts_with("User: arn:aws:sts::111111111111:assumed-role/second/a2 is not authorized"),
                "{message}"
            );
        }
    }
    // A transitive key must be one of the session's tags.
    let (code, message) = failure(
        alice
            .assume_role()
            .role_arn(first)
            .role_session_name("a1")
            .external_id("ext-123")
            .tags(tag("team", "blue"))
            .transitive_tag_keys("project")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.")
    );
}

#[tokio::test]
async fn a_service_control_policy_denies_assume_role_whatever_the_trust_policy_says() {
    let world = World::from_yaml(CHAIN).unwrap();
    let alice = world.sts_client(world.user_credentials(DEV, "alice"));
    let (code, message) = failure(
        alice.assume_role().role_arn("arn:aws:iam::111111111111:role/legacy").role_session_name("l1").send().await,
    );
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in a service control policy"), "{message}");
}

#[tokio::test]
async fn session_policies_are_limited_in_number_and_packed_size() {
    let world = World::from_yaml(CHAIN).unwrap();
    let alice = world.sts_client(world.user_credentials(DEV, "alice"));
    let base = || {
        alice
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/first")
            .role_session_name("p1")
            .external_id("ext-123")
    };
    let mut eleven = base();
    for _ in 0..11 {
        let arn = aws_sdk_sts::types::PolicyDescriptorType::builder()
            .arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
            .build();
        eleven = eleven.policy_arns(arn);
    }
    let (code, message) = failure(eleven.send().await);
    assert_eq!(code, "ValidationError");
    assert!(
        message
            .contains("at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"),
        "{message}"
    );

    // A long policy and 50 long tags do not fit together.
    let statements: Vec<String> = (0..12)
        .map(|i| {
            format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-number-{i:03}/*"}}"#)
        })
        .collect();
    let policy = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
    assert!(policy.len() <= 2048);
    let mut big = base().policy(&policy);
    for i in 0..50 {
        big = big.tags(tag(&format!("key-{i:02}"), &"v".repeat(40)));
    }
    let (code, message) = failure(big.send().await);
    assert_eq!(code, "PackedPolicyTooLarge");
    assert!(
        message.starts_with("Packed policy consumes ")
            && message.ends_with("% of allotted space, please use smaller policy."),
        "{message}"
    );
    // The policy alone fits.
    base().policy(&policy).send().await.unwrap();
}
