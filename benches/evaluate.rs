//! Decision throughput of [`iamsim::evaluate`]: one evaluation per iteration, reported by divan as
//! items (decisions) per second.
//!
//! - `one_statement`: one identity policy with one `Allow`; the request is allowed.
//! - `realistic_role`: a role with 10 identity policies, 50 statements in all, with wildcards,
//!   `NotAction`/`NotResource`, conditions and policy variables, and a request context with the
//!   keys a real SDK call carries; one allowed and one implicitly denied request.
//! - `full_stack`: the same role with two levels of SCPs, two levels of RCPs, a permissions
//!   boundary and a session policy.
//! - `baseline`: trivially cheap, stable work measured in the same run, so that results can be
//!   compared across machines as ratios (see BENCHMARKS.md).
//!
//! Run with `cargo bench --bench evaluate`. Setup asserts every decision before it is measured.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a panic is a broken fixture"
)]

use std::collections::HashMap;
use std::time::Duration;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use iamsim::{AuthzRequest, Context, Outcome, Policy, PolicySet, Principal, Tags, evaluate};
use serde_json::{Value, json};

/// 1,000 samples and at least a second per benchmark, for stable medians of sub-microsecond
/// work; command-line options (`--sample-count`, `--min-time`, …) still override these.
fn main() {
    divan::Divan::default().sample_count(1000).min_time(Duration::from_secs(1)).config_with_args().main();
}

const ACCOUNT: &str = "111122223333";

fn policy(name: &str, statements: Value) -> Policy {
    Policy::from_value(json!({"Version": "2012-10-17", "Statement": statements})).unwrap().named(name)
}

/// Evaluates once per iteration; the decision (and its reasons) is dropped inside the iteration,
/// so its deallocation is measured too.
fn bench_decision(bencher: Bencher, request: AuthzRequest, set: PolicySet, expected: Outcome) {
    assert_eq!(evaluate(&request, &set).outcome(), expected, "fixture: {}", evaluate(&request, &set));
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| evaluate(black_box(&request), black_box(&set)).outcome());
}

// ---------------------------------------------------------------------------------------------
// (a) One statement.

#[divan::bench]
fn one_statement(bencher: Bencher) {
    let set = PolicySet::new().identity(policy(
        "ReadPhotos",
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]),
    ));
    let request =
        AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/2024/a.jpg")
            .unwrap();
    bench_decision(bencher, request, set, Outcome::Allow);
}

// ---------------------------------------------------------------------------------------------
// (b) A realistic role: 10 identity policies, 50 statements.

/// The role's 10 identity policies, 5 statements each.
fn role_policies() -> Vec<Policy> {
    let policies = vec![
        policy(
            "S3Data",
            json!([
                {"Sid": "ReadBuckets", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
                 "Resource": ["arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-*/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket-uploads/${aws:username}/*"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket-home",
                 "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/"]}}},
                {"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListAllMyBuckets"], "Resource": "*"},
            ]),
        ),
        policy(
            "DynamoTeamTables",
            json!([
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"],
                 "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/team-${aws:PrincipalTag/team}-*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["photos", "search"]}}},
                {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                 "Resource": "arn:aws:dynamodb:*:111122223333:table/app-*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
                {"Effect": "Allow", "Action": ["dynamodb:DescribeTable", "dynamodb:ListTables"], "Resource": "*"},
                {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"},
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/scratch-*",
                 "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
            ]),
        ),
        policy(
            "Ec2Team",
            json!([
                {"Sid": "OfficeNetworksOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24", "2001:db8::/32"]},
                               "Bool": {"aws:ViaAWSService": "false"}}},
                {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
                {"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                 "Resource": "arn:aws:ec2:us-east-1:111122223333:instance/*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
                {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*:*:instance/*",
                 "Condition": {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                               "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "Name"]}}},
                {"Sid": "MfaEverythingElse", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
                 "Resource": "*",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                               "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}},
            ]),
        ),
        policy(
            "LogsAndMetrics",
            json!([
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*"},
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                 "Condition": {"StringEquals": {"cloudwatch:namespace": "App/Metrics"}}},
                {"Effect": "Allow", "Action": ["logs:Describe*", "logs:Get*", "logs:FilterLogEvents"],
                 "Resource": "arn:aws:logs:*:111122223333:log-group:*"},
                {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
                {"Effect": "Deny", "Action": "logs:DeleteLogGroup", "Resource": "*"},
            ]),
        ),
        policy(
            "SecretsAndKeys",
            json!([
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                 "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/${aws:PrincipalTag/team}/*"},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/*",
                 "Condition": {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com", "secretsmanager.*.amazonaws.com"]}}},
                {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": "*",
                 "Condition": {"StringEquals": {"kms:EncryptionContext:team": "${aws:PrincipalTag/team}"}}},
                {"Effect": "Deny", "Action": ["secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue"], "Resource": "*"},
                {"Effect": "Allow", "Action": "ssm:GetParameter*", "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"},
            ]),
        ),
        policy(
            "QueuesAndTopics",
            json!([
                {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                 "Resource": "arn:aws:sqs:us-east-1:111122223333:app-*"},
                {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:app-events",
                 "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sqs:*:111122223333:*"}}},
                {"Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Resource": "*"},
                {"Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:111122223333:event-bus/app"},
                {"Effect": "Deny", "Action": ["sqs:DeleteQueue", "sns:DeleteTopic"], "Resource": "*"},
            ]),
        ),
        policy(
            "Functions",
            json!([
                {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:app-*"},
                {"Effect": "Allow", "Action": ["lambda:GetFunction", "lambda:ListFunctions"], "Resource": "*"},
                {"Effect": "Allow", "Action": "states:StartExecution",
                 "Resource": "arn:aws:states:us-east-1:111122223333:stateMachine:app-*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-*",
                 "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
                {"Effect": "Deny", "Action": "lambda:UpdateFunctionCode", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:PrincipalTag/env": "dev"}}},
            ]),
        ),
        policy(
            "SelfService",
            json!([
                {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ChangePassword", "iam:*AccessKey*"],
                 "Resource": "arn:aws:iam::111122223333:user/${aws:username}"},
                {"Effect": "Allow", "Action": ["iam:ListMFADevices", "iam:*VirtualMFADevice"],
                 "Resource": "arn:aws:iam::111122223333:mfa/${aws:username}"},
                {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*",
                 "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "env"]}}},
                {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:DeleteUser", "iam:AttachUserPolicy"], "Resource": "*"},
            ]),
        ),
        policy(
            "Guardrails",
            json!([
                {"Sid": "ApprovedRegions", "Effect": "Deny",
                 "NotAction": ["iam:*", "sts:*", "s3:GetBucketLocation", "cloudfront:*", "route53:*"], "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}},
                {"Sid": "RestrictedToTeamBuckets", "Effect": "Deny", "Action": "s3:*",
                 "NotResource": ["arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-*/*"],
                 "Condition": {"StringEquals": {"aws:PrincipalTag/restricted": "true"}}},
                {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                 "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}},
                {"Sid": "Expiry", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2035-01-01T00:00:00Z"}}},
                {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
                 "Condition": {"StringNotEqualsIfExists": {"ec2:InstanceType": ["t3.micro", "t3.small"]}}},
            ]),
        ),
        policy(
            "Analytics",
            json!([
                {"Effect": "Allow", "Action": ["athena:StartQueryExecution", "athena:GetQueryResults"],
                 "Resource": "arn:aws:athena:us-east-1:111122223333:workgroup/team-*"},
                {"Effect": "Allow", "Action": ["glue:GetTable*", "glue:GetDatabase*"], "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::analytics-results/${aws:PrincipalTag/team}/*"},
                {"Effect": "Allow", "Action": "cloudformation:Describe*", "Resource": "*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "Bool": {"aws:SecureTransport": "true"}}},
                {"Effect": "Allow", "Action": "s3:ListBucket", "NotResource": "arn:aws:s3:::secret-*"},
            ]),
        ),
    ];
    assert_eq!(policies.len(), 10);
    assert_eq!(policies.iter().map(Policy::statement_count).sum::<usize>(), 50);
    policies
}

/// The keys an SDK call through a VPC-less office network carries, plus the S3 request's own.
fn role_context() -> Context {
    Context::new()
        .with("aws:SourceIp", "203.0.113.5")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2025-06-01T12:00:00Z")
        .with("aws:EpochTime", "1748779200")
        .with("aws:RequestedRegion", "us-east-1")
        .with("aws:MultiFactorAuthPresent", "false")
        .with("aws:ViaAWSService", "false")
        .with("aws:UserAgent", "aws-sdk-rust/1.3.9 os/linux lang/rust/1.94.1")
        .with("aws:PrincipalOrgID", "o-a1b2c3d4e5")
        .with("aws:TokenIssueTime", "2025-06-01T11:00:00Z")
        .with("s3:signatureversion", "AWS4-HMAC-SHA256")
        .with("s3:authType", "REST-HEADER")
        .with("s3:TlsVersion", "1.3")
}

fn role_principal() -> Principal {
    Principal::role_session("arn:aws:iam::111122223333:role/app-reader", "alice").unwrap().with_tags(Tags::from_iter([
        ("team", "photos"),
        ("env", "prod"),
        ("CostCenter", "4410"),
    ]))
}

fn allowed_request() -> AuthzRequest {
    AuthzRequest::new(
        role_principal(),
        "s3:GetObject".parse().unwrap(),
        "arn:aws:s3:::bucket-reports/2025/06/summary.csv".parse().unwrap(),
    )
    .with_context(role_context())
}

fn denied_request() -> AuthzRequest {
    AuthzRequest::new(
        role_principal(),
        "dynamodb:DeleteItem".parse().unwrap(),
        format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders").parse().unwrap(),
    )
    .with_context(role_context())
}

fn role_set() -> PolicySet {
    role_policies().into_iter().fold(PolicySet::new(), PolicySet::identity)
}

mod realistic_role {
    use super::*;

    #[divan::bench]
    fn allowed(bencher: Bencher) {
        bench_decision(bencher, allowed_request(), role_set(), Outcome::Allow);
    }

    #[divan::bench]
    fn implicit_deny(bencher: Bencher) {
        bench_decision(bencher, denied_request(), role_set(), Outcome::ImplicitDeny);
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The same role under SCPs, RCPs, a permissions boundary and a session policy.

fn full_set() -> PolicySet {
    let full_access = policy("FullAWSAccess", json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    let scp_guardrails = policy(
        "OrgGuardrails",
        json!([
            {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:CloseAccount"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"]}}},
            {"Effect": "Deny", "Action": ["iam:CreateAccessKey", "iam:CreateUser"], "Resource": "*",
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}}},
        ]),
    );
    let rcp_full =
        policy("RCPFullAWSAccess", json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]));
    let rcp_perimeter = policy(
        "DataPerimeter",
        json!([
            {"Sid": "EnforceTLS", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
            {"Sid": "OrgIdentitiesOnly", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*"],
             "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
        ]),
    );
    let boundary = policy(
        "AppBoundary",
        json!([
            {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "logs:*", "sqs:*", "sns:*", "lambda:*", "cloudwatch:*",
                                           "xray:*", "ec2:Describe*", "sts:GetCallerIdentity", "kms:Decrypt",
                                           "secretsmanager:GetSecretValue"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"},
        ]),
    );
    let session = policy(
        "SessionScope",
        json!([
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "dynamodb:*"],
             "Resource": ["arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-*/*", "arn:aws:dynamodb:us-east-1:111122223333:table/*"]},
        ]),
    );
    role_set()
        .scp_level([full_access.clone()])
        .scp_level([full_access, scp_guardrails])
        .rcp_level([rcp_full.clone()])
        .rcp_level([rcp_full, rcp_perimeter])
        .boundary(boundary)
        .session_policy(session)
}

mod full_stack {
    use super::*;

    #[divan::bench]
    fn allowed(bencher: Bencher) {
        bench_decision(bencher, allowed_request(), full_set(), Outcome::Allow);
    }

    #[divan::bench]
    fn implicit_deny(bencher: Bencher) {
        bench_decision(bencher, denied_request(), full_set(), Outcome::ImplicitDeny);
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Baselines: cheap, stable work to express the results above as machine-independent ratios.

mod baseline {
    use super::*;

    /// Cloning the realistic request's context (13 keys: about 40 small allocations).
    #[divan::bench]
    fn clone_context(bencher: Bencher) {
        let context = role_context();
        bencher.counter(ItemsCount::new(1usize)).bench_local(|| black_box(&context).clone());
    }

    /// Ten lookups in a `HashMap<String, String>` of the same 13 keys (SipHash, no allocation).
    #[divan::bench]
    fn hashmap_lookups(bencher: Bencher) {
        let context = role_context();
        let map: HashMap<String, String> =
            context.iter().map(|(k, v)| (k.to_owned(), v.first().cloned().unwrap_or_default())).collect();
        let keys: Vec<String> = map.keys().take(8).cloned().chain(["aws:Missing".into(), "s3:Nope".into()]).collect();
        bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
            let mut found = 0usize;
            for key in black_box(&keys) {
                found += usize::from(black_box(&map).get(key.as_str()).is_some());
            }
            found
        });
    }
}
