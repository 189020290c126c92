//! Worlds: fixtures and the Rust builder, validation as AWS validates, and direct questions.

use iamsim::{Outcome, World};
use serde_json::json;

const DEV: &str = "111111111111";
const PROD: &str = "222222222222";

fn trust_ec2() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
}

fn errors(err: iamsim::WorldError) -> Vec<String> {
    err.errors().map(ToString::to_string).collect()
}

#[test]
fn every_example_fixture_is_valid() {
    for entry in std::fs::read_dir("examples/fixtures").expect("examples/fixtures exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
            let world = World::from_fixture(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(world.warnings().is_empty(), "{}: {:?}", path.display(), world.warnings());
        }
    }
}

#[test]
fn ec2_role_reads_its_bucket_and_nothing_more() {
    let world = World::from_fixture("examples/fixtures/ec2-s3access.yaml").unwrap();
    let instance = world.model().instance("web-1").expect("instance");
    let role = world.role(DEV, "s3access").session_name(&instance.id);
    role.can("s3:GetObject").on("arn:aws:s3:::app-data/report.csv").assert_allowed();
    role.can("s3:ListBucket").on("arn:aws:s3:::app-data").assert_allowed();
    role.can("s3:PutObject").on("arn:aws:s3:::app-data/report.csv").assert_implicitly_denied();
    world
        .service("ec2.amazonaws.com")
        .can("sts:AssumeRole")
        .on("arn:aws:iam::111111111111:role/s3access")
        .assert_allowed();
    world
        .service("lambda.amazonaws.com")
        .can("sts:AssumeRole")
        .on("arn:aws:iam::111111111111:role/s3access")
        .assert_denied();
    assert_eq!(instance.instance_profile.as_deref(), Some("s3access"));
}

#[test]
fn alice_reaches_prod_through_write_access() {
    let world = World::from_fixture("examples/fixtures/cross-account.yaml").unwrap();
    world.user(DEV, "alice").can("sts:AssumeRole").on("arn:aws:iam::222222222222:role/WriteAccess").assert_allowed();
    let bob = world.user(DEV, "bob").can("sts:AssumeRole").on("arn:aws:iam::222222222222:role/WriteAccess");
    bob.assert_implicitly_denied();
    assert!(bob.to_string().ends_with("because no identity-based policy allows the sts:AssumeRole action"), "{bob}");
    let session = world.role(PROD, "WriteAccess").session_name("alice");
    session.can("s3:PutObject").on("arn:aws:s3:::prod-releases/v2.tar.gz").assert_allowed();
    session.can("s3:DeleteObject").on("arn:aws:s3:::prod-releases/v1.tar.gz").assert_denied();
}

#[test]
fn the_admin_role_needs_mfa() {
    let world = World::from_fixture("examples/fixtures/mfa-assume-role.yaml").unwrap();
    let admin = "arn:aws:iam::111111111111:role/admin";
    let without = world.user(DEV, "alice").can("sts:AssumeRole").on(admin);
    without.assert_implicitly_denied();
    assert_eq!(without.missing_keys().collect::<Vec<_>>(), ["aws:MultiFactorAuthPresent"]);
    world
        .user(DEV, "alice")
        .with_context("aws:MultiFactorAuthPresent", "true")
        .can("sts:AssumeRole")
        .on(admin)
        .assert_allowed();
    assert!(world.model().account(DEV).unwrap().user("alice").unwrap().mfa.is_some());
}

#[test]
fn trust_policies_of_every_shape() {
    let world = World::from_fixture("examples/fixtures/trust-policies.yaml").unwrap();
    let role = |name: &str| format!("arn:aws:iam::111111111111:role/{name}");
    world.service("ec2.amazonaws.com").can("sts:AssumeRole").on(&role("ec2-app")).assert_allowed();
    // Naming the user is enough within the account, without an identity policy.
    world.user(DEV, "alice").can("sts:AssumeRole").on(&role("deployer")).assert_allowed();
    world.user(DEV, "bob").can("sts:AssumeRole").on(&role("deployer")).assert_implicitly_denied();
    // Naming the account delegates to identity policies.
    world.user(DEV, "alice").can("sts:AssumeRole").on(&role("ops")).assert_implicitly_denied();
    world.user(DEV, "bob").can("sts:AssumeRole").on(&role("ops")).assert_allowed();
    let mallory = world.user(DEV, "mallory").can("sts:AssumeRole").on(&role("ops-no-mallory"));
    mallory.assert_explicitly_denied();
    assert!(mallory.to_string().ends_with("with an explicit deny in the role trust policy"), "{mallory}");
}

#[test]
fn photo_sharing_users_reach_only_their_folder() {
    let world = World::from_fixture("examples/fixtures/photo-sharing.yaml").unwrap();
    let alice = world.user(DEV, "alice");
    alice.can("s3:GetObject").on("arn:aws:s3:::photos/alice/beach.jpg").assert_allowed();
    alice.can("s3:DeleteObject").on("arn:aws:s3:::photos/alice/beach.jpg").assert_allowed();
    alice.can("s3:GetObject").on("arn:aws:s3:::photos/bob/cat.jpg").assert_denied();
    world
        .user(DEV, "bob")
        .with_context("s3:prefix", "bob/")
        .can("s3:ListBucket")
        .on("arn:aws:s3:::photos")
        .assert_allowed();
    world
        .user(DEV, "bob")
        .with_context("s3:prefix", "alice/")
        .can("s3:ListBucket")
        .on("arn:aws:s3:::photos")
        .assert_denied();
}

#[test]
fn a_group_grants_an_aws_managed_policy() {
    let world = World::from_fixture("examples/fixtures/group-managed-policy.yaml").unwrap();
    let read = world.user(DEV, "carol").can("s3:GetObject").on("arn:aws:s3:::app-data/report.csv");
    read.assert_allowed();
    assert_eq!(read.reasons()[0].policy.as_ref(), "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    world.user(DEV, "carol").can("s3:DeleteObject").on("arn:aws:s3:::app-data/report.csv").assert_denied();
}

#[test]
fn the_same_fixture_gives_the_same_ids_and_keys_and_a_seed_changes_them() {
    let a = World::from_fixture("examples/fixtures/cross-account.yaml").unwrap();
    let b = World::from_fixture("examples/fixtures/cross-account.yaml").unwrap();
    let alice = |w: &World| w.model().account(DEV).unwrap().user("alice").unwrap().clone();
    let (ua, ub) = (alice(&a), alice(&b));
    assert_eq!(ua.id, ub.id);
    assert_eq!(ua.access_keys, ub.access_keys);
    assert!(ua.id.starts_with("AIDA") && ua.id.len() == 21, "{}", ua.id);
    assert!(ua.access_keys[0].id.starts_with("AKIA") && ua.access_keys[0].id.len() == 20);
    assert_eq!(ua.access_keys[0].secret.len(), 40);
    let reseeded = World::from_yaml(&format!(
        "seed: 7\n{}",
        std::fs::read_to_string("examples/fixtures/cross-account.yaml").unwrap()
    ))
    .unwrap();
    let uc = alice(&reseeded);
    assert_ne!(uc.id, ua.id);
    assert_ne!(uc.access_keys[0].id, ua.access_keys[0].id);
    // Adding a user does not change anyone else's keys.
    let grown = World::builder().account(DEV, |a| a.user("alice", |u| u).user("zed", |u| u)).build().unwrap();
    let alone = World::builder().account(DEV, |a| a.user("alice", |u| u)).build().unwrap();
    assert_eq!(alice(&grown).access_keys, alice(&alone).access_keys);
}

#[test]
fn the_builder_and_a_fixture_file_build_the_same_world() {
    let file = World::from_fixture("examples/fixtures/ec2-s3access.yaml").unwrap();
    let built = World::builder()
        .account(DEV, |a| {
            a.alias("dev")
                .role("s3access", trust_ec2(), |r| r.policy("S3AccessPolicy").instance_profile())
                .managed_policy(
                    "S3AccessPolicy",
                    json!({"Version": "2012-10-17", "Statement": [{"Sid": "ReadAppData", "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]}]}),
                )
                .bucket("app-data", |b| b.object("report.csv", "day,visits\nmon,12\n"))
        })
        .instance("web-1", DEV, |i| i.role("s3access"))
        .build()
        .unwrap();
    let role = |w: &World| w.model().account(DEV).unwrap().role("s3access").unwrap().id.clone();
    assert_eq!(role(&file), role(&built));
    assert_eq!(file.model().instance("web-1"), built.model().instance("web-1"));
    assert_eq!(file.model().bucket("app-data").unwrap().objects, built.model().bucket("app-data").unwrap().objects);
}

#[test]
fn principals_in_trust_and_bucket_policies_must_exist_in_modelled_accounts() {
    let trust = |principal: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]});
    let err = World::builder()
        .account(DEV, |a| {
            a.user("alice", |u| u).role("deployer", trust("arn:aws:iam::111111111111:user/alicia"), |r| r)
        })
        .build()
        .unwrap_err();
    assert_eq!(
        errors(err),
        [
            r#"accounts.111111111111.roles.deployer.trust.Statement[0].Principal.AWS: invalid principal in policy: `"AWS":"arn:aws:iam::111111111111:user/alicia"`: account 111111111111 has no user `alicia`, did you mean `alice`?"#
        ]
    );
    // External accounts, role sessions and account ids are accepted.
    for ok in [
        "arn:aws:iam::999999999999:user/anyone",
        "arn:aws:sts::111111111111:assumed-role/x/y",
        "111111111111",
        "arn:aws:iam::999999999999:root",
    ] {
        World::builder()
            .account(DEV, |a| a.role("r", trust(ok), |r| r))
            .build()
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn validation_reports_what_aws_would_reject() {
    let big_trust = json!({"Version": "2012-10-17", "Statement": (0..40).map(|i| json!({
        "Sid": format!("S{i}"), "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
        .collect::<Vec<_>>()});
    let err = World::builder()
        .account(DEV, |a| {
            a.user("alice", |u| u.group("developer").policy("ReadPhotos").tag("aws:team", "x"))
                .user("Alice", |u| u)
                .group("developers", |g| g)
                .role("r", big_trust, |r| r.max_session_duration(60))
                .role("ok", trust_ec2(), |r| r.policy("AmazonS3ReadOnlyAccess"))
                .bucket("Photos", |b| b)
                .bucket("photos", |b| b.policy(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]})))
        })
        .build()
        .unwrap_err();
    let got = errors(err);
    let want = [
        "accounts.111111111111.users.alice: `alice` and `Alice` are the same name: IAM names are not case-sensitive",
        "accounts.111111111111.roles.ok.policies[0]: account 111111111111 has no managed policy `AmazonS3ReadOnlyAccess`: for the AWS managed policy write `arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess`",
        "accounts.111111111111.roles.r.trust: cannot exceed quota for ACLSizePerRole: 2048 (this trust policy has 4068 characters without whitespace)",
        "accounts.111111111111.roles.r.max_session_duration: `60` is not a valid maximum session duration: it must be 3600 to 43200 seconds",
        "accounts.111111111111.buckets.Photos: `Photos` is not a valid bucket name: only lowercase letters, digits, dots and hyphens are allowed",
        "accounts.111111111111.buckets.photos.policy.Statement[0].Resource: policy has invalid resource: `arn:aws:s3:::other/*` is not bucket `photos` or its objects",
    ];
    for w in want {
        assert!(got.contains(&w.to_owned()), "missing {w}\n in {got:#?}");
    }
    assert!(got.iter().any(|e| e.starts_with("accounts.111111111111.users.alice.groups[0]: account 111111111111 has no group `developer`, did you mean `developers`?")), "{got:#?}");
    assert!(
        got.iter().any(|e| e.contains(
            "users.alice.tags.aws:team: `aws:team` is not a valid tag key: the `aws:` prefix is reserved for AWS"
        )),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|e| e.contains("users.alice.policies[0]: account 111111111111 has no managed policy `ReadPhotos`")),
        "{got:#?}"
    );
}

#[test]
fn fixture_errors_name_the_file_line_and_column() {
    let err = World::from_yaml(
        "accounts:\n  \"111111111111\":\n    roles:\n      reader:\n        trust:\n          Statement:\n            - Effect: Allow\n              Principal: { AWS: \"arn:aws:iam::111111111111:role/ghost\" }\n              Action: sts:AssumeRole\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"<yaml>:8:33: accounts.111111111111.roles.reader.trust.Statement[0].Principal.AWS: invalid principal in policy: `"AWS":"arn:aws:iam::111111111111:role/ghost"`: account 111111111111 has no role `ghost`"#
    );
}

#[test]
fn organizations_apply_scps_to_members_but_not_to_the_management_account() {
    let deny_s3_delete = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]});
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let world = World::builder()
        .account("999999999999", |a| a.alias("mgmt").user("boss", |u| u.policy(admin)).bucket("mgmt-logs", |b| b))
        .account(PROD, |a| a.user("ops", |u| u.policy(admin)).bucket("prod-data", |b| b))
        .organization("999999999999", |o| {
            o.ou("workloads/prod")
                .account(PROD, "workloads/prod")
                .policy("NoDeletes", deny_s3_delete)
                .scp("workloads", "NoDeletes")
        })
        .build()
        .unwrap();
    let member = world.user(PROD, "ops").can("s3:DeleteObject").on("arn:aws:s3:::prod-data/x");
    member.assert_explicitly_denied();
    assert!(member.to_string().ends_with("with an explicit deny in a service control policy"), "{member}");
    world.user(PROD, "ops").can("s3:GetObject").on("arn:aws:s3:::prod-data/x").assert_allowed();
    world.user("999999999999", "boss").can("s3:DeleteObject").on("arn:aws:s3:::mgmt-logs/x").assert_allowed();
    // SCPs limit the root user of a member account too.
    world.root(PROD).can("s3:DeleteObject").on("arn:aws:s3:::prod-data/x").assert_explicitly_denied();
    // Detaching FullAWSAccess from a level leaves only what that level's SCPs allow.
    let allow_s3 =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    let allow_list = World::builder()
        .account("999999999999", |a| a)
        .account(PROD, |a| a.user("ops", |u| u.policy(admin)).bucket("prod-data", |b| b))
        .organization("999999999999", |o| {
            o.ou("prod")
                .account(PROD, "prod")
                .policy("S3Only", allow_s3)
                .scp("prod", "S3Only")
                .detach_full_aws_access("prod")
        })
        .build()
        .unwrap();
    allow_list.user(PROD, "ops").can("s3:GetObject").on("arn:aws:s3:::prod-data/x").assert_allowed();
    let d = allow_list.user(PROD, "ops").can("sqs:SendMessage").on("arn:aws:sqs:us-east-1:222222222222:q");
    d.assert_implicitly_denied();
    assert!(d.to_string().ends_with("because no service control policy allows the sqs:SendMessage action"), "{d}");
    let org = world.model().organization().unwrap();
    assert!(org.id.starts_with("o-") && org.id.len() == 12, "{}", org.id);
    assert!(org.org_path(&PROD.parse().unwrap()).unwrap().matches("/ou-").count() == 2);
}

#[test]
fn rcps_limit_resources_of_member_accounts_whoever_asks() {
    let only_org = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaaaaaaaa"}}}]});
    let public_read = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-data/*"}]});
    let world = World::builder()
        .account("999999999999", |a| a)
        .account(PROD, |a| a.bucket("prod-data", |b| b.policy(public_read)))
        .account("333333333333", |a| a.user("outsider", |u| u.policy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")))
        .organization("999999999999", |o| o.account(PROD, "root").policy("OrgOnly", only_org).rcp("root", "OrgOnly"))
        .build()
        .unwrap();
    // The organization's id is generated, so the RCP names another one: everyone outside is denied.
    let d = world.user("333333333333", "outsider").can("s3:GetObject").on("arn:aws:s3:::prod-data/a");
    d.assert_explicitly_denied();
    assert!(d.to_string().ends_with("with an explicit deny in a resource control policy"), "{d}");
    // Anonymous callers carry no aws:PrincipalOrgID: `…IfExists` is true on a missing key, so
    // the Deny applies to them too, although the bucket policy makes the object public.
    world.anonymous().can("s3:GetObject").on("arn:aws:s3:::prod-data/a").assert_explicitly_denied();
}

#[test]
fn sessions_carry_policies_tags_source_identity_and_mfa() {
    let tagged = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"}]});
    let world = World::builder()
        .account(DEV, |a| {
            a.role("app", trust_ec2(), |r| r.inline_policy("Tagged", tagged).tag("team", "red")).bucket("data", |b| b)
        })
        .build()
        .unwrap();
    world.role(DEV, "app").can("s3:GetObject").on("arn:aws:s3:::data/red/x").assert_allowed();
    // A session tag overrides the role's tag with the same key.
    world
        .role(DEV, "app")
        .with_session_tag("Team", "blue")
        .can("s3:GetObject")
        .on("arn:aws:s3:::data/blue/x")
        .assert_allowed();
    world
        .role(DEV, "app")
        .with_session_tag("team", "blue")
        .can("s3:GetObject")
        .on("arn:aws:s3:::data/red/x")
        .assert_denied();
    // A session policy limits the session.
    let d = world
        .role(DEV, "app")
        .with_session_policy(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
        .can("s3:GetObject")
        .on("arn:aws:s3:::data/red/x");
    d.assert_implicitly_denied();
    assert!(d.to_string().ends_with("because no session policy allows the s3:GetObject action"), "{d}");
    // Session facts become context keys.
    let source = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceIdentity": "alice"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    let world = World::builder()
        .account(DEV, |a| a.role("app", trust_ec2(), |r| r.inline_policy("P", source)).bucket("data", |b| b))
        .build()
        .unwrap();
    world
        .role(DEV, "app")
        .with_source_identity("alice")
        .with_mfa()
        .can("s3:GetObject")
        .on("arn:aws:s3:::data/x")
        .assert_allowed();
    world.role(DEV, "app").with_source_identity("alice").can("s3:GetObject").on("arn:aws:s3:::data/x").assert_denied();
}

#[test]
fn the_clock_decides_time_conditions() {
    let until_june = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-06-01T00:00:00Z"}}}]});
    let world = World::builder()
        .clock("2026-05-31T23:59:00Z")
        .account(DEV, |a| a.user("temp", |u| u.inline_policy("UntilJune", until_june)).bucket("data", |b| b))
        .build()
        .unwrap();
    world.user(DEV, "temp").can("s3:GetObject").on("arn:aws:s3:::data/x").assert_allowed();
    world.clock().advance(std::time::Duration::from_secs(60));
    world.user(DEV, "temp").can("s3:GetObject").on("arn:aws:s3:::data/x").assert_denied();
}

#[test]
fn unknown_actions_are_warnings_not_errors() {
    let world = World::builder()
        .account(DEV, |a| {
            a.user("u", |u| {
                u.inline_policy(
                    "Typo",
                    json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "*"}]}),
                )
            })
        })
        .build()
        .unwrap();
    let warnings: Vec<String> = world.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "accounts.111111111111.users.u.inline_policies.Typo.Statement[0].Action: warning: `s3:GetObjects` is not a known action and grants nothing, did you mean `s3:GetObject`?"
        ]
    );
}

#[test]
#[should_panic(
    expected = "expected allow, got implicit_deny:\nUser: arn:aws:iam::111111111111:user/u is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::data/x because no identity-based policy allows the s3:PutObject action\nno statement applied"
)]
fn a_failed_assertion_prints_the_whole_explanation() {
    let world = World::builder().account(DEV, |a| a.user("u", |u| u).bucket("data", |b| b)).build().unwrap();
    world.user(DEV, "u").can("s3:PutObject").on("arn:aws:s3:::data/x").assert_allowed();
}

#[test]
#[should_panic(expected = "the world has no bucket `dta`")]
fn a_typo_in_a_bucket_name_panics_rather_than_reading_as_a_denial() {
    let world = World::builder().account(DEV, |a| a.user("u", |u| u).bucket("data", |b| b)).build().unwrap();
    let _ = world.user(DEV, "u").can("s3:GetObject").on("arn:aws:s3:::dta/x");
}

#[test]
fn principals_by_arn() {
    let world = World::from_fixture("examples/fixtures/cross-account.yaml").unwrap();
    world
        .principal("arn:aws:iam::111111111111:user/alice")
        .can("sts:AssumeRole")
        .on("arn:aws:iam::222222222222:role/WriteAccess")
        .assert_allowed();
    let d = world
        .principal("arn:aws:sts::222222222222:assumed-role/WriteAccess/alice")
        .can("s3:PutObject")
        .on("arn:aws:s3:::prod-releases/x");
    assert_eq!(d.outcome(), Outcome::Allow);
    assert_eq!(d.principal(), "arn:aws:sts::222222222222:assumed-role/WriteAccess/alice");
    assert!(world.caller_for("arn:aws:iam::111111111111:user/nobody").is_err());
}

/// The README's fixture reference is a fixture: it loads without an error, and it still shows
/// every top-level key, so the reference cannot drift from the format.
#[test]
fn the_readme_fixture_reference_is_a_valid_fixture_with_every_top_level_key() {
    let readme = include_str!("../../README.md");
    let section = readme.split("## Fixture reference").nth(1).expect("the README has a fixture reference");
    let yaml = section.split("```yaml\n").nth(1).and_then(|s| s.split("\n```").next()).expect("a yaml block");
    let world = World::from_yaml(yaml).unwrap_or_else(|e| panic!("the README's fixture reference does not load:\n{e}"));
    let fixture: serde_json::Value = serde_json::to_value(iamsim::fixtures::load_yaml(yaml).unwrap().fixture).unwrap();
    for key in [
        "seed",
        "clock",
        "accounts",
        "organization",
        "instances",
        "tasks",
        "eks_clusters",
        "pods",
        "aws_managed_policies",
        "quotas",
    ] {
        assert!(fixture.get(key).is_some(), "the fixture reference lacks `{key}`");
    }
    let warnings: Vec<String> = world.warnings().iter().map(ToString::to_string).collect();
    assert!(warnings.is_empty(), "the fixture reference gives warnings: {warnings:#?}");
    world.user("111111111111", "alice").can("s3:PutObject").on("arn:aws:s3:::photos/alice/a.jpg").assert_allowed();
    world.role("111111111111", "reader").can("s3:GetObject").on("arn:aws:s3:::photos/bob/cat.jpg").assert_allowed();
}
