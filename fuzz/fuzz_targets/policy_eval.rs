//! Parses the input as a policy document and, when it parses, evaluates it in every policy slot
//! against a handful of fixed requests. Nothing may panic, and whatever parses must evaluate.

#![no_main]

use std::sync::LazyLock;

use iamsim::{AuthzRequest, Context, Policy, PolicySet, Principal, Tags, evaluate};
use libfuzzer_sys::fuzz_target;

fn request(principal: Principal, action: &str, resource: &str) -> AuthzRequest {
    AuthzRequest::new(principal, action.parse().expect("action"), resource.parse().expect("resource"))
}

/// A user, a role session with tags and a rich context, an anonymous caller, a root user, a
/// service, and a cross-account user.
static REQUESTS: LazyLock<Vec<AuthzRequest>> = LazyLock::new(|| {
    let user = Principal::parse("arn:aws:iam::111122223333:user/division/alice").expect("user");
    let session = Principal::role_session("arn:aws:iam::111122223333:role/app/reader", "alice@example.com")
        .expect("session")
        .with_tags(Tags::from_iter([("team", "photos"), ("env", "prod"), ("CostCenter", "12345")]));
    let context = Context::new()
        .with("aws:SourceIp", "203.0.113.5")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2025-06-01T12:00:00Z")
        .with("aws:EpochTime", "1748779200")
        .with("aws:MultiFactorAuthPresent", "true")
        .with("aws:MultiFactorAuthAge", "300")
        .with("aws:RequestedRegion", "us-east-1")
        .with("aws:SourceVpc", "vpc-1a2b3c4d")
        .with("aws:Referer", "https://example.com/x?y=z")
        .with("s3:prefix", "home/alice/")
        .with("s3:max-keys", "100")
        .with_values("aws:TagKeys", ["team", "env"])
        .with("aws:RequestTag/team", "photos")
        .with("aws:ResourceTag/owner", "alice")
        .with("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic")
        .with("aws:SourceIp6", "2001:db8::1");
    let root = Principal::parse("arn:aws:iam::111122223333:root").expect("root");
    vec![
        request(user.clone(), "s3:GetObject", "arn:aws:s3:::photos/alice/a.jpg"),
        request(user, "iam:PassRole", "arn:aws:iam::111122223333:role/app/reader"),
        request(session.clone(), "s3:ListBucket", "arn:aws:s3:::photos").with_context(context.clone()),
        request(session, "sts:AssumeRole", "arn:aws:iam::111122223333:role/admin").with_context(context),
        request(Principal::Anonymous, "s3:GetObject", "arn:aws:s3:::public/index.html"),
        request(root, "ec2:RunInstances", "*"),
        request(Principal::service("lambda.amazonaws.com"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        request(
            Principal::parse("arn:aws:iam::444455556666:user/bob").expect("bob"),
            "s3:PutObject",
            "arn:aws:s3:::photos/bob:x/y",
        )
        .with_resource_account("111122223333".parse().expect("account")),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(policy) = Policy::parse(text) else { return };
    let allow_all = Policy::parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}"#)
        .expect("allow-all");
    let sets = [
        PolicySet::new().identity(policy.clone()),
        PolicySet::new().resource_policy(policy.clone()),
        PolicySet::new().identity(allow_all.clone()).boundary(policy.clone()).session_policy(policy.clone()),
        PolicySet::new()
            .identity(allow_all.clone())
            .scp_level([policy.clone()])
            .scp_level([allow_all.clone(), policy.clone()])
            .rcp_level([policy.clone()])
            .resource_policy(allow_all),
    ];
    for set in &sets {
        for req in REQUESTS.iter() {
            let decision = evaluate(req, set);
            // The explanation is part of the contract: render it too.
            let _ = decision.to_string();
        }
    }
});
