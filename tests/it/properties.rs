//! Property tests of the policy engine: wildcard matching against reference regexes, the
//! monotonicity of `Deny` and `Allow` statements, and parsing that never panics.
//!
//! Case counts are tuned so the whole module runs in a few seconds in a debug build on two
//! cores. Failures are not persisted to files (the regressions found so far are pinned as plain
//! tests at the end of this module instead).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failure"
)]

use iamsim::arn::Arn;
use iamsim::{AuthzRequest, Context, Outcome, Policy, PolicySet, Principal, Tags, evaluate};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use regex::Regex;
use serde_json::{Value, json};

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() }
}

/// Anchored regex for `pattern`, `*` and `?` as wildcards, with `star`/`one` as the regex text
/// each wildcard at a given position becomes.
fn glob_regex(pattern: &str, case_insensitive: bool, wildcard: impl Fn(usize, char) -> Option<&'static str>) -> Regex {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
    for (i, c) in chars.iter().enumerate() {
        match wildcard(i, *c) {
            Some(w) => re.push_str(w),
            None => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).unwrap()
}

/// The reference for `Action` patterns: `*` is any run, `?` any one character, case-insensitive.
fn action_regex(pattern: &str) -> Regex {
    glob_regex(pattern, true, |_, c| match c {
        '*' => Some(".*"),
        '?' => Some("."),
        _ => None,
    })
}

/// The reference for `Resource` patterns (IAM JSON policy elements: Resource, as `Arn::matches`
/// documents it). In the five fields before the resource part (up to the pattern's fifth `:`), a
/// `*` that is the last character of its field matches anything, colons included, any other `*`
/// matches a run without `:`, and `?` one character other than `:`. In the resource part, which
/// keeps its own colons (`log-group:NAME:log-stream:NAME`), `*` and `?` match any characters.
/// Case-sensitive.
fn resource_regex(pattern: &str) -> Regex {
    let chars: Vec<char> = pattern.chars().collect();
    let in_fields = |i: usize| chars[..i].iter().filter(|c| **c == ':').count() < 5;
    glob_regex(pattern, false, |i, c| match c {
        '*' if !in_fields(i) || matches!(chars.get(i + 1), None | Some(':')) => Some(".*"),
        '*' => Some("[^:]*"),
        '?' if in_fields(i) => Some("[^:]"),
        '?' => Some("."),
        _ => None,
    })
}

/// Derives a pattern from a text: each character is kept, replaced by `?` or `*`, preceded by a
/// `*`, or dropped in favour of a `*`; so that matches and near misses are both frequent.
fn derive_pattern(text: &str, edits: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        match edits.get(i).copied().unwrap_or(0) % 8 {
            0..=3 => out.push(c),
            4 => out.push('?'),
            5 => out.push('*'),
            6 => {
                out.push('*');
                out.push(c);
            }
            _ => out.push_str("**"),
        }
    }
    out
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn allows_action(pattern: &str, action: &str) -> bool {
    let policy = Policy::from_value(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": pattern, "Resource": "*"}]}))
    .unwrap();
    let request = AuthzRequest::parse(ALICE, action, "*").unwrap();
    let outcome = evaluate(&request, &PolicySet::new().identity(policy)).outcome();
    assert_ne!(outcome, Outcome::ExplicitDeny);
    outcome == Outcome::Allow
}

/// An action pattern the parser accepts: `*`, or a non-empty service and a non-empty name.
fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("*".to_owned()),
        8 => ("[a-cA-C*?]{1,3}", "[a-cA-C*?:]{1,6}").prop_map(|(s, n)| format!("{s}:{n}")),
    ]
}

/// A valid request action: service, colon, name (which may itself contain colons).
fn action_text() -> impl Strategy<Value = String> {
    ("[a-cA-C]{1,2}", "[a-cA-C:]{1,5}").prop_map(|(s, n)| format!("{s}:{n}"))
}

/// A valid resource ARN over a small alphabet.
fn resource_arn() -> impl Strategy<Value = String> {
    ("[ab]{1,2}", "[ab]{0,1}", "[ab]{0,1}", "[ab:/]{1,6}")
        .prop_map(|(s, r, a, res)| format!("arn:aws:{s}:{r}:{a}:{res}"))
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn action_wildcards_match_like_the_reference(
        (pattern, action) in prop_oneof![
            (action_pattern(), action_text()),
            (action_text(), prop::collection::vec(any::<u8>(), 12)).prop_filter_map(
                "a derived pattern must keep a service and a name",
                |(action, edits)| {
                    let p = derive_pattern(&action, &edits);
                    let valid = p.split_once(':').is_some_and(|(s, n)| !s.is_empty() && !n.is_empty());
                    valid.then_some((p, action))
                },
            ),
        ],
    ) {
        let expected = action_regex(&pattern).is_match(&action);
        prop_assert_eq!(allows_action(&pattern, &action), expected, "pattern {:?} action {:?}", pattern, action);
    }

    #[test]
    fn resource_wildcards_match_like_the_reference(
        (pattern, resource) in prop_oneof![
            ("[ab:/*?]{0,8}", resource_arn()).prop_map(|(tail, r)| (format!("arn:aws:{tail}"), r)),
            (resource_arn(), prop::collection::vec(any::<u8>(), 24))
                .prop_map(|(r, edits)| (derive_pattern(&r, &edits), r)),
        ],
    ) {
        let expected = resource_regex(&pattern).is_match(&resource);
        let arn = Arn::parse(&resource).unwrap();
        prop_assert_eq!(arn.matches(&pattern), expected, "Arn::matches: pattern {:?} resource {:?}", pattern, resource);

        // The same through a policy's Resource element.
        let policy = Policy::from_value(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": pattern}]})).unwrap();
        let request = AuthzRequest::parse(ALICE, "s3:GetObject", &resource).unwrap();
        let allowed = evaluate(&request, &PolicySet::new().identity(policy)).outcome() == Outcome::Allow;
        prop_assert_eq!(allowed, expected, "policy: pattern {:?} resource {:?}", pattern, resource);
    }
}

// ---------------------------------------------------------------------------------------------
// Monotonicity: a Deny never grants, an Allow in an identity policy never takes away.

const ACTION_PATTERNS: &[&str] = &["*", "s3:*", "s3:Get*", "s3:GetObject", "s3:?utObject", "iam:*", "sts:AssumeRole"];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::photos/*",
    "arn:aws:s3:::photos",
    "arn:aws:s3:::*",
    "arn:aws:iam::*:role/*",
    "arn:aws:s3:::photos/${aws:username}/*",
    "arn:aws:s3:::photos/${aws:PrincipalTag/team}/*",
];
const PRINCIPAL_ACCOUNT: &str = "111122223333";

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        12 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"aws:PrincipalTag/team": "dev"}}))),
        1 => Just(Some(json!({"StringLike": {"s3:prefix": ["home/*", "public/?"]}}))),
        1 => Just(Some(json!({"Bool": {"aws:SecureTransport": "true"}}))),
        1 => Just(Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
        1 => Just(Some(json!({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}))),
        1 => Just(Some(json!({"StringNotEquals": {"aws:username": "alice"}}))),
        1 => Just(Some(json!({"Null": {"aws:SourceIp": "true"}}))),
        1 => Just(Some(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}))),
        1 => Just(Some(json!({"ForAllValues:StringLike": {"aws:TagKeys": "t*"}}))),
        1 => Just(Some(json!({"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}))),
        1 => Just(Some(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}))),
        1 => Just(Some(json!({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}))),
        1 => Just(Some(json!({"StringEquals": {"aws:PrincipalAccount": PRINCIPAL_ACCOUNT}}))),
    ]
}

fn principal_element() -> impl Strategy<Value = Option<(&'static str, Value)>> {
    prop_oneof![
        1 => Just(None),
        4 => Just(Some(("Principal", json!("*")))),
        1 => Just(Some(("Principal", json!({"AWS": PRINCIPAL_ACCOUNT})))),
        1 => Just(Some(("Principal", json!({"AWS": "arn:aws:iam::444455556666:root"})))),
        1 => Just(Some(("Principal", json!({"AWS": ALICE})))),
        1 => Just(Some(("Principal", json!({"AWS": "arn:aws:iam::111122223333:role/app"})))),
        1 => Just(Some(("Principal", json!({"AWS": "arn:aws:sts::111122223333:assumed-role/app/s1"})))),
        1 => Just(Some(("Principal", json!({"Service": "ec2.amazonaws.com"})))),
        1 => Just(Some(("NotPrincipal", json!({"AWS": ["arn:aws:iam::111122223333:root", ALICE]})))),
    ]
}

fn pick(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(pool, 1..=max)
}

/// One statement; `with_principal` for resource policies and RCPs.
fn statement(effect: Option<&'static str>, with_principal: bool) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => prop_oneof![6 => Just("Allow"), 1 => Just("Deny")].boxed(),
    };
    (
        effect,
        any::<bool>(),
        pick(ACTION_PATTERNS, 2),
        prop::option::weighted(0.9, (any::<bool>(), pick(RESOURCE_PATTERNS, 2))),
        condition(),
        principal_element(),
    )
        .prop_map(move |(effect, not_action, actions, resources, condition, principal)| {
            let mut st = serde_json::Map::new();
            st.insert("Effect".into(), json!(effect));
            // NotAction is rarer than Action, as in real policies.
            let negate = not_action && actions.len() == 1 && actions[0] != "*";
            st.insert(if negate { "NotAction" } else { "Action" }.into(), json!(actions));
            if let Some((not_resource, resources)) = resources {
                let negate = not_resource && resources.len() == 1 && resources[0] != "*";
                st.insert(if negate { "NotResource" } else { "Resource" }.into(), json!(resources));
            }
            if let Some(c) = condition {
                st.insert("Condition".into(), c);
            }
            if with_principal && let Some((name, p)) = principal {
                st.insert(name.into(), p);
            }
            Value::Object(st)
        })
}

type Statements = Vec<Value>;

fn policy_body(with_principal: bool) -> impl Strategy<Value = Statements> {
    prop::collection::vec(statement(None, with_principal), 1..=3)
}

#[derive(Clone, Debug)]
struct SetSpec {
    identity: Vec<Statements>,
    boundary: Option<Statements>,
    session: Vec<Statements>,
    resource: Option<Statements>,
    scps: Vec<Vec<Statements>>,
    rcps: Vec<Vec<Statements>>,
}

fn set_spec() -> impl Strategy<Value = SetSpec> {
    (
        prop::option::weighted(0.9, prop::collection::vec(policy_body(false), 1..=2))
            .prop_map(Option::unwrap_or_default),
        prop::option::weighted(0.3, policy_body(false)),
        prop::collection::vec(policy_body(false), 0..=1),
        prop::option::weighted(0.6, policy_body(true)),
        prop::option::weighted(0.4, prop::collection::vec(prop::collection::vec(policy_body(false), 1..=2), 1..=2)),
        prop::option::weighted(0.3, prop::collection::vec(prop::collection::vec(policy_body(true), 1..=2), 1..=2)),
    )
        .prop_map(|(identity, boundary, session, resource, scps, rcps)| SetSpec {
            identity,
            boundary,
            session,
            resource,
            scps: scps.unwrap_or_default(),
            rcps: rcps.unwrap_or_default(),
        })
}

fn policy(statements: &Statements) -> Policy {
    Policy::from_value(json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
}

impl SetSpec {
    fn build(&self) -> PolicySet {
        let mut set = PolicySet::new();
        for p in &self.identity {
            set = set.identity(policy(p));
        }
        if let Some(p) = &self.boundary {
            set = set.boundary(policy(p));
        }
        for p in &self.session {
            set = set.session_policy(policy(p));
        }
        if let Some(p) = &self.resource {
            set = set.resource_policy(policy(p));
        }
        for level in &self.scps {
            set = set.scp_level(level.iter().map(policy));
        }
        for level in &self.rcps {
            set = set.rcp_level(level.iter().map(policy));
        }
        set
    }

    /// Every policy, mutably, with whether its statements take a `Principal`.
    fn slots(&mut self) -> Vec<(&mut Statements, bool)> {
        let mut out: Vec<(&mut Statements, bool)> = Vec::new();
        out.extend(self.identity.iter_mut().map(|p| (p, false)));
        out.extend(self.boundary.iter_mut().map(|p| (p, false)));
        out.extend(self.session.iter_mut().map(|p| (p, false)));
        out.extend(self.resource.iter_mut().map(|p| (p, true)));
        out.extend(self.scps.iter_mut().flatten().map(|p| (p, false)));
        out.extend(self.rcps.iter_mut().flatten().map(|p| (p, true)));
        out
    }
}

fn request() -> impl Strategy<Value = AuthzRequest> {
    let principal = prop_oneof![
        3 => Just(Principal::parse(ALICE).unwrap()),
        3 => Just(
            Principal::parse("arn:aws:sts::111122223333:assumed-role/app/s1")
                .unwrap()
                .with_tags(Tags::from_iter([("team", "dev")]))
        ),
        1 => Just(Principal::parse("arn:aws:iam::111122223333:root").unwrap()),
        1 => Just(Principal::parse("arn:aws:iam::444455556666:user/bob").unwrap()),
        1 => Just(Principal::parse("arn:aws:sts::111122223333:federated-user/fed").unwrap()),
        1 => Just(Principal::parse("anonymous").unwrap()),
        1 => Just(Principal::parse("ec2.amazonaws.com").unwrap()),
    ];
    let action =
        prop::sample::select(&["s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:PassRole", "sts:AssumeRole"][..]);
    let resource = prop::sample::select(
        &[
            "arn:aws:s3:::photos/alice/a.jpg",
            "arn:aws:s3:::photos/dev/a.jpg",
            "arn:aws:s3:::photos",
            "arn:aws:s3:::other/x",
            "arn:aws:iam::111122223333:role/app",
            "*",
        ][..],
    );
    let context = (
        prop::option::of(prop::sample::select(&["10.1.2.3", "192.0.2.7", "203.0.113.9"][..])),
        prop::option::of(prop::sample::select(&["true", "false"][..])),
        prop::option::of(prop::sample::select(&["home/x", "public/a", "private"][..])),
        prop::option::of(prop::sample::subsequence(&["env", "team", "cost"][..], 0..=3)),
        prop::option::of(prop::sample::select(&["us-east-1", "eu-west-1"][..])),
        any::<bool>(),
    )
        .prop_map(|(ip, secure, prefix, tag_keys, region, later)| {
            let mut c = Context::new();
            if let Some(v) = ip {
                c.insert("aws:SourceIp", v);
            }
            if let Some(v) = secure {
                c.insert("aws:SecureTransport", v);
            }
            if let Some(v) = prefix {
                c.insert("s3:prefix", v);
            }
            if let Some(v) = tag_keys {
                c.set("aws:TagKeys", v);
            }
            if let Some(v) = region {
                c.insert("aws:RequestedRegion", v);
            }
            c.insert("aws:CurrentTime", if later { "2031-06-01T00:00:00Z" } else { "2025-06-01T00:00:00Z" });
            c
        });
    (principal, action, resource, context)
        .prop_map(|(p, a, r, c)| AuthzRequest::new(p, a.parse().unwrap(), r.parse().unwrap()).with_context(c))
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn adding_a_deny_never_grants(
        spec in set_spec(),
        req in request(),
        slot in any::<prop::sample::Index>(),
        deny_plain in statement(Some("Deny"), false),
        deny_with_principal in statement(Some("Deny"), true),
    ) {
        let before = evaluate(&req, &spec.build()).outcome();
        let mut after_spec = spec.clone();
        let mut slots = after_spec.slots();
        prop_assume!(!slots.is_empty());
        let (statements, takes_principal) = slots.swap_remove(slot.index(slots.len()));
        statements.push(if takes_principal { deny_with_principal } else { deny_plain });
        let after = evaluate(&req, &after_spec.build()).outcome();
        if before != Outcome::Allow {
            prop_assert_ne!(after, Outcome::Allow, "{:?} became allowed", before);
        }
        if before == Outcome::ExplicitDeny {
            prop_assert_eq!(after, Outcome::ExplicitDeny);
        }
    }

    #[test]
    fn adding_an_identity_allow_never_denies(
        spec in set_spec(),
        req in request(),
        slot in any::<prop::sample::Index>(),
        allow in statement(Some("Allow"), false),
    ) {
        let before = evaluate(&req, &spec.build()).outcome();
        let mut after_spec = spec.clone();
        if after_spec.identity.is_empty() {
            after_spec.identity.push(vec![allow]);
        } else {
            let i = slot.index(after_spec.identity.len());
            after_spec.identity[i].push(allow);
        }
        let after = evaluate(&req, &after_spec.build()).outcome();
        if before == Outcome::Allow {
            prop_assert_eq!(after, Outcome::Allow);
        }
        // An Allow never adds an explicit deny either.
        if before != Outcome::ExplicitDeny {
            prop_assert_ne!(after, Outcome::ExplicitDeny);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing arbitrary input never panics, and whatever parses evaluates without panicking.

const TOKENS: &[&str] = &[
    "Version",
    "2012-10-17",
    "2008-10-17",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Allow",
    "Deny",
    "Principal",
    "NotPrincipal",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "?",
    "arn:aws:s3:::photos/*",
    "arn:aws:iam::*:role/*",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "${*}",
    "${?}",
    "${$}",
    "${aws:SourceIp, 'x'}",
    "${",
    "}",
    "aws:SourceIp",
    "aws:username",
    "aws:PrincipalTag/team",
    "aws:TagKeys",
    "aws:CurrentTime",
    "aws:SecureTransport",
    "aws:PrincipalArn",
    "10.0.0.0/8",
    "::1/128",
    "2001:db8::/32",
    "2024-01-01T00:00:00Z",
    "1700000000",
    "-1.5e3",
    "true",
    "false",
    "dGVzdA==",
    "ec2.amazonaws.com",
    "",
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "NumericLessThan",
    "DateGreaterThan",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnLike",
    "ArnEquals",
    "Null",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "StringEqualsIfExists",
    "ForAnyValue:NumericEqualsIfExists",
];

const AWS_PRINCIPALS: &[&str] = &[
    "111122223333",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
];

fn token_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(TOKENS).prop_map(str::to_owned),
        1 => prop::sample::select(OPERATORS).prop_map(str::to_owned),
        1 => prop::sample::select(AWS_PRINCIPALS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-z:*?${}/ .0-9-]{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        8 => token_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(token_string(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Policies that mostly pass the grammar, with arbitrary values in the leaves, so that the
/// condition, variable and pattern compilers see odd input.
fn near_policy() -> impl Strategy<Value = Value> {
    let leaf_values = || {
        prop_oneof![
            6 => token_string().prop_map(Value::String),
            2 => prop::collection::vec(token_string().prop_map(Value::String), 1..3).prop_map(Value::Array),
            1 => json_value(),
        ]
    };
    let operators = prop_oneof![
        8 => prop::sample::select(OPERATORS).prop_map(str::to_owned),
        1 => token_string(),
    ];
    let conditions =
        prop::collection::btree_map(operators, prop::collection::btree_map(token_string(), leaf_values(), 1..3), 1..3);
    let principal = prop_oneof![
        3 => Just(json!("*")),
        3 => prop::sample::select(AWS_PRINCIPALS).prop_map(|p| json!({"AWS": p})),
        1 => leaf_values(),
    ];
    let statement = (
        prop::sample::select(&["Allow", "Deny"][..]),
        prop::sample::select(&["Action", "NotAction"][..]),
        prop::collection::vec(prop::sample::select(&["*", "s3:*", "s3:Get?bject", "iam:*Role", "a:b:c"][..]), 1..3),
        prop::sample::select(&["Resource", "NotResource"][..]),
        leaf_values(),
        prop::option::weighted(0.6, conditions),
        prop::option::weighted(0.3, principal),
    )
        .prop_map(|(effect, action_key, actions, resource_key, resources, conditions, principal)| {
            let mut st = serde_json::Map::new();
            st.insert("Effect".into(), json!(effect));
            st.insert(action_key.into(), json!(actions));
            st.insert(resource_key.into(), resources);
            if let Some(c) = conditions {
                st.insert("Condition".into(), json!(c));
            }
            if let Some(p) = principal {
                st.insert("Principal".into(), p);
            }
            Value::Object(st)
        });
    (prop::sample::select(&["2012-10-17", "2008-10-17"][..]), prop::collection::vec(statement, 1..4))
        .prop_map(|(version, statements)| json!({"Version": version, "Statement": statements}))
}

fn fixed_requests() -> Vec<AuthzRequest> {
    let session = Principal::parse("arn:aws:sts::111122223333:assumed-role/app/s1")
        .unwrap()
        .with_tags(Tags::from_iter([("team", "dev")]));
    let context = Context::new()
        .with("aws:SourceIp", "10.1.2.3")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2025-06-01T12:00:00Z")
        .with_values("aws:TagKeys", ["env", "team"]);
    vec![
        AuthzRequest::parse(ALICE, "s3:GetObject", "arn:aws:s3:::photos/alice/a.jpg").unwrap(),
        AuthzRequest::new(
            session,
            "sts:AssumeRole".parse().unwrap(),
            "arn:aws:iam::111122223333:role/app".parse().unwrap(),
        )
        .with_context(context),
        AuthzRequest::parse("anonymous", "s3:GetObject", "arn:aws:s3:::photos/a").unwrap(),
        AuthzRequest::parse("arn:aws:iam::111122223333:root", "iam:PassRole", "*").unwrap(),
    ]
}

/// Evaluates the policy in every slot against the fixed requests; nothing may panic.
fn evaluate_everywhere(policy: Policy, requests: &[AuthzRequest]) {
    let sets = [
        PolicySet::new().identity(policy.clone()),
        PolicySet::new().resource_policy(policy.clone()),
        PolicySet::new().identity(policy.clone()).boundary(policy.clone()).session_policy(policy.clone()),
        PolicySet::new().scp_level([policy.clone()]).rcp_level([policy]),
    ];
    for set in &sets {
        for req in requests {
            let decision = evaluate(req, set);
            // Rendering the explanation must not panic either.
            let _ = decision.to_string();
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_json_never_panics(value in prop_oneof![json_value(), near_policy()]) {
        let text = value.to_string();
        let from_value = Policy::from_value(value);
        let parsed = Policy::parse(&text);
        // Both entry points agree on what is a policy.
        prop_assert_eq!(from_value.is_ok(), parsed.is_ok(), "{}", text);
        if let Ok(policy) = parsed {
            evaluate_everywhere(policy, &fixed_requests());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in prop_oneof![
        any::<String>(),
        prop::collection::vec(token_string(), 0..12).prop_map(|parts| parts.concat()),
        near_policy().prop_map(|v| v.to_string()).prop_flat_map(|s| {
            // Truncate or splice a valid-looking document.
            let len = s.len();
            (Just(s), 0..=len, token_string())
        }).prop_map(|(s, at, insert)| {
            let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
            format!("{}{}{}", &s[..at], insert, &s[at..])
        }),
    ]) {
        if let Ok(policy) = Policy::parse(&text) {
            evaluate_everywhere(policy, &fixed_requests());
        }
    }
}

/// The random policy sets and requests of the monotonicity properties reach every outcome often
/// enough for those properties to mean something.
#[test]
fn random_sets_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (specs, requests) = (set_spec(), request());
    let mut counts = [0usize; 3];
    for _ in 0..300 {
        let set = specs.new_tree(&mut runner).unwrap().current().build();
        let req = requests.new_tree(&mut runner).unwrap().current();
        counts[evaluate(&req, &set).outcome() as usize] += 1;
    }
    assert!(counts.iter().all(|c| *c >= 30), "allow / explicit deny / implicit deny: {counts:?}");
}

/// The fraction of `near_policy` documents that parse is high enough for the evaluation half of
/// the no-panic properties to mean something.
#[test]
fn near_policies_mostly_parse() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = near_policy();
    let parsed =
        (0..200).filter(|_| Policy::from_value(strategy.new_tree(&mut runner).unwrap().current()).is_ok()).count();
    assert!(parsed >= 40, "only {parsed} of 200 near-policies parse");
}

// ---------------------------------------------------------------------------------------------
// Regressions found by the properties above.

/// Runs of `*` mean what one `*` means, and in the fields before the resource part a `*` that
/// is not the last character of its field keeps to the field. The engine once compiled the first
/// `*` of `**1` as a colon-crossing star, so a pattern meant for account 111 matched a resource
/// of account 999.
#[test]
fn star_runs_keep_to_their_segment() {
    let arn = Arn::parse("arn:aws:sns:us-east-1:999:x1:111:t").unwrap();
    assert!(!arn.matches("arn:aws:sns:*1:111:t"));
    assert!(!arn.matches("arn:aws:sns:**1:111:t"));
}
