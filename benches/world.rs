//! Building worlds: loading a fixture (YAML parsing, typed fixture, every policy compiled and
//! validated, ids generated) for the tour's seed fixtures and for a generated large account.
//!
//! - `seed_fixture`: each of the six seed fixtures in `examples/fixtures/`, from YAML text.
//! - `large_fixture`: one account with 500 roles and 2,000 customer managed policies (4 per role,
//!   each with 3 statements and conditions), from YAML text.
//! - `baseline::parse_one_policy`: parsing and compiling one small policy, the unit of most of
//!   the work above, measured in the same run so results compare as ratios.
//!
//! Run with `cargo bench --bench world`. Figures are in BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a panic is a broken fixture"
)]

use divan::{Bencher, black_box};
use iamsim::World;
use iamsim::fixtures::{AccountFixture, Fixture, ManagedPolicyFixture, PolicySource, RoleFixture};
use serde_json::json;

fn main() {
    divan::main();
}

const SEEDS: [(&str, &str); 6] = [
    ("ec2-s3access", include_str!("../examples/fixtures/ec2-s3access.yaml")),
    ("cross-account", include_str!("../examples/fixtures/cross-account.yaml")),
    ("mfa-assume-role", include_str!("../examples/fixtures/mfa-assume-role.yaml")),
    ("trust-policies", include_str!("../examples/fixtures/trust-policies.yaml")),
    ("photo-sharing", include_str!("../examples/fixtures/photo-sharing.yaml")),
    ("group-managed-policy", include_str!("../examples/fixtures/group-managed-policy.yaml")),
];

#[divan::bench(args = ["ec2-s3access", "cross-account", "mfa-assume-role", "trust-policies", "photo-sharing", "group-managed-policy"])]
fn seed_fixture(bencher: Bencher, name: &str) {
    let text = SEEDS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap();
    World::from_yaml(text).unwrap();
    bencher.bench_local(|| World::from_yaml(black_box(text)).unwrap());
}

/// The large account as fixture data: 500 roles, 2,000 managed policies.
pub fn large_fixture() -> Fixture {
    let mut account = AccountFixture::default();
    for p in 0..2000 {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [format!("arn:aws:s3:::data-{p}"), format!("arn:aws:s3:::data-{p}/*")]},
            {"Sid": "Tagged", "Effect": "Allow", "Action": "dynamodb:*", "Resource": format!("arn:aws:dynamodb:*:111111111111:table/t-{p}"),
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("team-{}", p % 17)}}},
            {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]});
        account.policies.insert(format!("policy-{p:04}"), ManagedPolicyFixture::Document(PolicySource::Inline(doc)));
    }
    for r in 0..500 {
        let trust = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        account.roles.insert(
            format!("role-{r:03}"),
            RoleFixture {
                id: None,
                path: None,
                trust: PolicySource::Inline(trust),
                policies: (0..4).map(|i| format!("policy-{:04}", r * 4 + i)).collect(),
                inline_policies: Default::default(),
                permissions_boundary: None,
                max_session_duration: None,
                tags: [("team".to_owned(), format!("team-{}", r % 17))].into(),
                instance_profile: None,
                description: None,
            },
        );
    }
    let mut fixture = Fixture::default();
    fixture.accounts.insert("111111111111".to_owned(), account);
    fixture
}

#[divan::bench(sample_count = 20)]
fn large_fixture_from_yaml(bencher: Bencher) {
    let text = serde_saphyr::to_string(&large_fixture()).unwrap();
    let world = World::from_yaml(&text).unwrap();
    assert_eq!(world.model().account("111111111111").unwrap().roles.len(), 500);
    bencher.bench_local(|| World::from_yaml(black_box(&text)).unwrap());
}

#[divan::bench(sample_count = 20)]
fn large_fixture_from_data(bencher: Bencher) {
    let fixture = large_fixture();
    bencher.bench_local(|| World::from_fixture_data(black_box(&fixture)).unwrap());
}

mod baseline {
    use super::*;

    #[divan::bench]
    fn parse_one_policy(bencher: Bencher) {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}]}"#;
        bencher.bench_local(|| iamsim::Policy::parse(black_box(text)).unwrap());
    }
}
