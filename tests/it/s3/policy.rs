//! Bucket policies and Block Public Access through aws-sdk-s3, each case checked over the wire
//! and as a direct question: a policy written by `PutBucketPolicy` changes both.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use iamsim::World;

use super::{body, failure, status};

const DEV: &str = "111111111111";
const PARTNER: &str = "222222222222";
const OUTSIDER: &str = "333333333333";

/// - alice administers the buckets of 111111111111; carol has no policy; dave may read
///   `shared` but his own policy denies `secret.txt`;
/// - erin (222222222222, same organization) may read any bucket's objects by her own policy,
///   frank there has none; oscar (333333333333, outside the organization) may do anything;
/// - `shared` has Block Public Access off and no policy yet; `far` is in eu-west-1;
///   `partner` (222222222222) lets anyone read, with Block Public Access off;
/// - an SCP denies eu-west-1 to the organization's members; an RCP on 222222222222 denies its
///   resources to principals outside the organization, anonymous ones included.
const WORLD: &str = r#"
accounts:
  "999999999999": {}
  "111111111111":
    users:
      alice: { policies: [Admin] }
      carol: {}
      dave:
        inline_policies:
          NoSecret: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: s3:GetObject, Resource: "arn:aws:s3:::shared/secret.txt" }] }
    policies:
      Admin:
        Version: "2012-10-17"
        Statement:
          - { Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::shared", "arn:aws:s3:::shared/*", "arn:aws:s3:::far", "arn:aws:s3:::far/*", "arn:aws:s3:::fresh-*"] }
    buckets:
      shared:
        public_access_block: {}
        objects: { a.txt: hello, secret.txt: psst }
      far:
        region: eu-west-1
        objects: { a.txt: far away }
  "222222222222":
    users:
      erin:
        inline_policies:
          ReadAll: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "*" }] }
      frank: {}
    buckets:
      partner:
        public_access_block: {}
        policy:
          Version: "2012-10-17"
          Statement: [{ Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::partner/*" }]
        objects: { p.txt: partner data }
  "333333333333":
    users:
      oscar:
        inline_policies:
          All: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "*" }] }
organization:
  id: o-example12345
  management_account: "999999999999"
  accounts: { "111111111111": root, "222222222222": root }
  scps: { root: [NoIreland] }
  rcps: { "222222222222": [OrgOnly] }
  policies:
    NoIreland:
      Version: "2012-10-17"
      Statement: [{ Effect: Deny, Action: "*", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": eu-west-1 } } }]
    OrgOnly:
      Version: "2012-10-17"
      Statement:
        - Effect: Deny
          Principal: "*"
          Action: "s3:*"
          Resource: "*"
          Condition:
            StringNotEqualsIfExists: { "aws:PrincipalOrgID": o-example12345 }
            BoolIfExists: { "aws:PrincipalIsAWSService": "false" }
"#;

fn world() -> World {
    World::from_yaml(WORLD).unwrap()
}

fn s3(world: &World, account: &str, user: &str) -> aws_sdk_s3::Client {
    world.s3_client(world.user_credentials(account, user))
}

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

async fn put_policy(world: &World, text: &str) {
    s3(world, DEV, "alice").put_bucket_policy().bucket("shared").policy(text).send().await.unwrap();
}

async fn reads(client: &aws_sdk_s3::Client, key: &str) -> bool {
    client.get_object().bucket("shared").key(key).send().await.is_ok()
}

const A: &str = "arn:aws:s3:::shared/a.txt";

#[tokio::test]
async fn a_bucket_policy_grants_a_same_account_user_without_an_identity_policy() {
    let world = world();
    let carol = s3(&world, DEV, "carol");
    assert!(!reads(&carol, "a.txt").await);
    world.user(DEV, "carol").can("s3:GetObject").on(A).assert_implicitly_denied();

    let (code, message) = failure(s3(&world, DEV, "alice").get_bucket_policy().bucket("shared").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("NoSuchBucketPolicy", "The bucket policy does not exist"));
    let text = policy(
        r#"{"Sid":"Carol","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#,
    );
    put_policy(&world, &text).await;
    assert!(reads(&carol, "a.txt").await);
    world.user(DEV, "carol").can("s3:GetObject").on(A).assert_allowed();
    let got = s3(&world, DEV, "alice").get_bucket_policy().bucket("shared").send().await.unwrap();
    let back: serde_json::Value = serde_json::from_str(got.policy().unwrap()).unwrap();
    assert_eq!(back, serde_json::from_str::<serde_json::Value>(&text).unwrap());
    let status_out = s3(&world, DEV, "alice").get_bucket_policy_status().bucket("shared").send().await.unwrap();
    assert_eq!(status_out.policy_status().and_then(|s| s.is_public()), Some(false));

    // Deleting it takes the grant away again, over the wire and in the direct question.
    s3(&world, DEV, "alice").delete_bucket_policy().bucket("shared").send().await.unwrap();
    assert!(!reads(&carol, "a.txt").await);
    world.user(DEV, "carol").can("s3:GetObject").on(A).assert_implicitly_denied();
    let entry = world.access_log().entries().iter().rev().nth(1).cloned().unwrap();
    assert_eq!((entry.operation.as_str(), entry.status), ("DeleteBucketPolicy", 204));
    assert_eq!(entry.authorizations[0].action, "s3:DeleteBucketPolicy");
}

#[tokio::test]
async fn another_account_needs_the_bucket_policy_and_its_own_policy() {
    let world = world();
    let erin = s3(&world, PARTNER, "erin");
    let frank = s3(&world, PARTNER, "frank");
    assert!(!reads(&erin, "a.txt").await);
    world.user(PARTNER, "erin").can("s3:GetObject").on(A).assert_denied();
    put_policy(
        &world,
        &policy(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#,
        ),
    )
    .await;
    assert!(reads(&erin, "a.txt").await);
    world.user(PARTNER, "erin").can("s3:GetObject").on(A).assert_allowed();
    // frank's account is trusted, but nothing of his own allows him.
    assert!(!reads(&frank, "a.txt").await);
    world.user(PARTNER, "frank").can("s3:GetObject").on(A).assert_implicitly_denied();
    // Another account may not manage the policy even with permission: 405, not 403.
    put_policy(
        &world,
        &policy(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"s3:GetBucketPolicy","Resource":"arn:aws:s3:::shared"}"#,
        ),
    )
    .await;
    let oscar = s3(&world, OUTSIDER, "oscar");
    let (code, _) = failure(oscar.get_bucket_policy().bucket("shared").send().await);
    assert_eq!(code, "MethodNotAllowed");
    assert_eq!(status(oscar.get_bucket_policy().bucket("shared").send().await), 405);
    world.user(OUTSIDER, "oscar").can("s3:GetBucketPolicy").on("arn:aws:s3:::shared").assert_allowed();
    // Without the grant it is a plain 403.
    assert_eq!(status(s3(&world, PARTNER, "frank").get_bucket_policy().bucket("shared").send().await), 403);
}

#[tokio::test]
async fn an_explicit_deny_on_either_side_wins() {
    let world = world();
    put_policy(
        &world,
        &policy(
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:user/dave","arn:aws:iam::111111111111:user/carol"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"},
               {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/secret.txt"}"#,
        ),
    )
    .await;
    let secret = "arn:aws:s3:::shared/secret.txt";
    // The bucket policy's deny.
    let (code, message) =
        failure(s3(&world, DEV, "carol").get_object().bucket("shared").key("secret.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in a resource-based policy"), "{message}");
    world.user(DEV, "carol").can("s3:GetObject").on(secret).assert_explicitly_denied();
    // dave's own deny, although the bucket policy allows him.
    let (code, message) = failure(s3(&world, DEV, "dave").get_object().bucket("shared").key("secret.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in an identity-based policy"), "{message}");
    world.user(DEV, "dave").can("s3:GetObject").on(secret).assert_explicitly_denied();
    assert!(reads(&s3(&world, DEV, "dave"), "a.txt").await);
}

const PUBLIC_READ: &str = r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#;

#[tokio::test]
async fn anyone_reads_a_bucket_whose_public_policy_block_public_access_lets_through() {
    let world = world();
    let anyone = world.anonymous_s3_client();
    assert!(!reads(&anyone, "a.txt").await);
    world.anonymous().can("s3:GetObject").on(A).assert_denied();
    put_policy(&world, &policy(PUBLIC_READ)).await;
    let got = anyone.get_object().bucket("shared").key("a.txt").send().await.unwrap();
    assert_eq!(body(got).await, "hello");
    world.anonymous().can("s3:GetObject").on(A).assert_allowed();
    let out = s3(&world, DEV, "alice").get_bucket_policy_status().bucket("shared").send().await.unwrap();
    assert_eq!(out.policy_status().and_then(|s| s.is_public()), Some(true));
}

#[tokio::test]
async fn block_public_policy_refuses_a_public_policy_and_new_buckets_have_it_on() {
    let world = world();
    let alice = s3(&world, DEV, "alice");
    alice.create_bucket().bucket("fresh-1").send().await.unwrap();
    let pab = alice.get_public_access_block().bucket("fresh-1").send().await.unwrap();
    let settings = pab.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            settings.block_public_acls(),
            settings.ignore_public_acls(),
            settings.block_public_policy(),
            settings.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let public =
        policy(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fresh-1/*"}"#);
    let (code, message) = failure(alice.put_bucket_policy().bucket("fresh-1").policy(&public).send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:PutBucketPolicy on resource: \
         \"arn:aws:s3:::fresh-1\" because public policies are blocked by the BlockPublicPolicy block public access setting."
    );
    let (code, _) = failure(alice.get_bucket_policy().bucket("fresh-1").send().await);
    assert_eq!(code, "NoSuchBucketPolicy");
    // The same policy narrowed to the organization is not public, and is accepted.
    let org_only = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fresh-1/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-example12345"}}}"#,
    );
    alice.put_bucket_policy().bucket("fresh-1").policy(&org_only).send().await.unwrap();
    // Turned on for `shared` over the wire, it refuses there too.
    alice
        .put_public_access_block()
        .bucket("shared")
        .public_access_block_configuration(PublicAccessBlockConfiguration::builder().block_public_policy(true).build())
        .send()
        .await
        .unwrap();
    let (code, _) = failure(alice.put_bucket_policy().bucket("shared").policy(policy(PUBLIC_READ)).send().await);
    assert_eq!(code, "AccessDenied");
    alice.delete_public_access_block().bucket("shared").send().await.unwrap();
    let (code, _) = failure(alice.get_public_access_block().bucket("shared").send().await);
    assert_eq!(code, "NoSuchPublicAccessBlockConfiguration");
    alice.put_bucket_policy().bucket("shared").policy(policy(PUBLIC_READ)).send().await.unwrap();
}

#[tokio::test]
async fn the_account_level_setting_blocks_public_policies_of_every_bucket() {
    let text = WORLD.replacen(
        "  \"111111111111\":\n",
        "  \"111111111111\":\n    public_access_block: { block_public_policy: true, restrict_public_buckets: true }\n",
        1,
    );
    let world = World::from_yaml(&text).unwrap();
    let (code, _) =
        failure(s3(&world, DEV, "alice").put_bucket_policy().bucket("shared").policy(policy(PUBLIC_READ)).send().await);
    assert_eq!(code, "AccessDenied");
    // GetPublicAccessBlock answers the bucket's own settings (all off), not the account's.
    let own = s3(&world, DEV, "alice").get_public_access_block().bucket("shared").send().await.unwrap();
    assert_eq!(own.public_access_block_configuration().and_then(|c| c.block_public_policy()), Some(false));
    // A public policy set behind S3's back is still restricted by the account's setting.
    let public = iamsim::Policy::parse(&policy(PUBLIC_READ)).unwrap();
    world.live().buckets().bucket("shared").unwrap().set_policy(Some(iamsim::model::AttachedPolicy {
        label: "shared".into(),
        policy: std::sync::Arc::new(public),
    }));
    assert!(!reads(&world.anonymous_s3_client(), "a.txt").await);
    world.anonymous().can("s3:GetObject").on(A).assert_denied();
    world.user(DEV, "carol").can("s3:GetObject").on(A).assert_allowed();
}

#[tokio::test]
async fn restrict_public_buckets_keeps_other_accounts_and_anonymous_callers_out() {
    let world = world();
    put_policy(
        &world,
        &policy(&format!(
            r#"{PUBLIC_READ},{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::222222222222:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}},
               {{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/secret.txt"}}"#
        )),
    )
    .await;
    let anyone = world.anonymous_s3_client();
    let erin = s3(&world, PARTNER, "erin");
    let carol = s3(&world, DEV, "carol");
    assert!(reads(&anyone, "a.txt").await && reads(&erin, "a.txt").await && reads(&carol, "a.txt").await);
    s3(&world, DEV, "alice")
        .put_public_access_block()
        .bucket("shared")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder().restrict_public_buckets(true).build(),
        )
        .send()
        .await
        .unwrap();
    // "public and cross-account access within any public bucket policy, including non-public
    // delegation to specific accounts, is blocked"; the owner's account keeps its access.
    let (code, message) = failure(anyone.get_object().bucket("shared").key("a.txt").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("AccessDenied", "Access Denied"));
    assert!(!reads(&erin, "a.txt").await);
    assert!(reads(&carol, "a.txt").await);
    world.anonymous().can("s3:GetObject").on(A).assert_denied();
    world.user(PARTNER, "erin").can("s3:GetObject").on(A).assert_denied();
    world.user(DEV, "carol").can("s3:GetObject").on(A).assert_allowed();
    // What is restricted is the policy's grants; its denies still decide.
    world.anonymous().can("s3:GetObject").on(A).assert_implicitly_denied();
    world.anonymous().can("s3:GetObject").on("arn:aws:s3:::shared/secret.txt").assert_explicitly_denied();
}

#[tokio::test]
async fn a_resource_control_policy_keeps_callers_outside_the_organization_out() {
    let world = world();
    let p = "arn:aws:s3:::partner/p.txt";
    let get =
        |client: aws_sdk_s3::Client| async move { client.get_object().bucket("partner").key("p.txt").send().await };
    let (code, message) = failure(get(s3(&world, OUTSIDER, "oscar")).await);
    assert_eq!((code.as_str(), message.as_str()), ("AccessDenied", "Access Denied"));
    world.user(OUTSIDER, "oscar").can("s3:GetObject").on(p).assert_explicitly_denied();
    // The public policy would let anyone in; the RCP keeps anonymous callers out too.
    assert!(get(world.anonymous_s3_client()).await.is_err());
    world.anonymous().can("s3:GetObject").on(p).assert_explicitly_denied();
    // A caller of the organization passes the RCP.
    get(s3(&world, PARTNER, "erin")).await.unwrap();
    world.user(PARTNER, "erin").can("s3:GetObject").on(p).assert_allowed();
    // Without the RCP (a bucket of 111111111111), oscar reads a public bucket.
    put_policy(&world, &policy(PUBLIC_READ)).await;
    assert!(reads(&s3(&world, OUTSIDER, "oscar"), "a.txt").await);
    world.user(OUTSIDER, "oscar").can("s3:GetObject").on(A).assert_allowed();
}

#[tokio::test]
async fn a_service_control_policy_denies_a_region() {
    let world = world();
    let alice = s3(&world, DEV, "alice");
    let far = alice.clone().config().to_builder().region(aws_sdk_s3::config::Region::new("eu-west-1")).build();
    let far = aws_sdk_s3::Client::from_conf(far);
    let (code, message) = failure(far.get_object().bucket("far").key("a.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in a service control policy"), "{message}");
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].context["aws:RequestedRegion"], ["eu-west-1"]);
    world
        .user(DEV, "alice")
        .with_context("aws:RequestedRegion", "eu-west-1")
        .can("s3:GetObject")
        .on("arn:aws:s3:::far/a.txt")
        .assert_explicitly_denied();
    world
        .user(DEV, "alice")
        .with_context("aws:RequestedRegion", "us-east-1")
        .can("s3:GetObject")
        .on("arn:aws:s3:::shared/a.txt")
        .assert_allowed();
    assert!(reads(&alice, "a.txt").await);
}

#[tokio::test]
async fn a_bucket_policy_can_lock_out_everyone_but_the_owner_accounts_root_user() {
    let world = world();
    put_policy(
        &world,
        &policy(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::shared","arn:aws:s3:::shared/*"]}"#),
    )
    .await;
    let alice = s3(&world, DEV, "alice");
    let (code, _) = failure(alice.get_bucket_policy().bucket("shared").send().await);
    assert_eq!(code, "AccessDenied");
    let (code, _) = failure(alice.delete_bucket_policy().bucket("shared").send().await);
    assert_eq!(code, "AccessDenied");
    let root = world.s3_client(world.root_credentials(DEV));
    assert!(!reads(&root, "a.txt").await, "the deny applies to root's object reads");
    root.get_bucket_policy().bucket("shared").send().await.unwrap();
    root.delete_bucket_policy().bucket("shared").send().await.unwrap();
    assert!(reads(&alice, "a.txt").await);
}

#[tokio::test]
async fn malformed_policies_are_refused_with_s3s_messages() {
    let world = world();
    let alice = s3(&world, DEV, "alice");
    let st = |body: &str| policy(body);
    let cases = [
        (" {}".to_owned(), "Policies must be valid JSON and the first byte must be '{'"),
        ("{\"Version\": ".to_owned(), "This policy contains invalid Json"),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::elsewhere/*"}"#),
            "Policy has invalid resource",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#),
            "Policy has invalid resource",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#,
            ),
            "Invalid principal in policy",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"AWS":"not a principal"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#,
            ),
            "Invalid principal in policy",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"ec2:RunInstances","Resource":"arn:aws:s3:::shared/*"}"#),
            "Policy has invalid action",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObjects","Resource":"arn:aws:s3:::shared/*"}"#),
            "Policy has invalid action",
        ),
        (
            st(r#"{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#),
            "Invalid effect: Maybe",
        ),
        (
            st(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#),
            "Missing required field Principal",
        ),
        (
            format!("{{\"Id\":\"{}\",\"Statement\":[]}}", "x".repeat(21 * 1024)),
            "Policy exceeds the maximum allowed document size.",
        ),
    ];
    for (text, expected) in cases {
        let (code, message) = failure(alice.put_bucket_policy().bucket("shared").policy(&text).send().await);
        assert_eq!((code.as_str(), message.as_str()), ("MalformedPolicy", expected), "{text}");
    }
    let (code, _) = failure(alice.get_bucket_policy().bucket("shared").send().await);
    assert_eq!(code, "NoSuchBucketPolicy", "nothing was stored");
}

#[tokio::test]
async fn managing_policies_and_settings_needs_their_permissions() {
    let world = world();
    let carol = s3(&world, DEV, "carol");
    let (code, message) = failure(carol.put_bucket_policy().bucket("shared").policy(policy(PUBLIC_READ)).send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("s3:PutBucketPolicy on resource: \"arn:aws:s3:::shared\""), "{message}");
    let denied = |code: String, action: &str| {
        assert_eq!(code, "AccessDenied");
        let entry = world.access_log().last().cloned().unwrap();
        assert_eq!(entry.authorizations[0].action, action);
    };
    denied(failure(carol.get_bucket_policy().bucket("shared").send().await).0, "s3:GetBucketPolicy");
    denied(failure(carol.delete_bucket_policy().bucket("shared").send().await).0, "s3:DeleteBucketPolicy");
    denied(failure(carol.get_bucket_policy_status().bucket("shared").send().await).0, "s3:GetBucketPolicyStatus");
    denied(failure(carol.get_public_access_block().bucket("shared").send().await).0, "s3:GetBucketPublicAccessBlock");
    denied(
        failure(carol.delete_public_access_block().bucket("shared").send().await).0,
        "s3:PutBucketPublicAccessBlock",
    );
}
