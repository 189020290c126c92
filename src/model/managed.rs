//! The AWS managed policies iamsim ships, and the default organization policies.
//!
//! Documents are the default versions published in the AWS Managed Policy Reference
//! (<https://docs.aws.amazon.com/aws-managed-policy/latest/reference/>), as of November 2026:
//! AdministratorAccess v1, AmazonS3ReadOnlyAccess v3, AmazonS3FullAccess v2,
//! IAMReadOnlyAccess v4, PowerUserAccess v12. A fixture defines any other AWS managed policy
//! under `aws_managed_policies`. `FullAWSAccess` is the SCP AWS Organizations attaches to every
//! root, OU and account when SCPs are enabled, `RCPFullAWSAccess` the RCP it attaches (and that
//! cannot be detached) when RCPs are enabled.
//!
//! Each document is parsed once per process and shared by every world.

use std::sync::{Arc, LazyLock};

use crate::path::JsonPath;
use crate::policy::validate::UnknownActions;
use crate::policy::{Finding, Policy, PolicyKind, Severity};

const SHIPPED: [(&str, &str); 5] = [
    ("AdministratorAccess", include_str!("managed/AdministratorAccess.json")),
    ("AmazonS3ReadOnlyAccess", include_str!("managed/AmazonS3ReadOnlyAccess.json")),
    ("AmazonS3FullAccess", include_str!("managed/AmazonS3FullAccess.json")),
    ("IAMReadOnlyAccess", include_str!("managed/IAMReadOnlyAccess.json")),
    ("PowerUserAccess", include_str!("managed/PowerUserAccess.json")),
];

/// The name of the default SCP.
pub(crate) const FULL_AWS_ACCESS: &str = "FullAWSAccess";
/// The name of the default RCP.
pub(crate) const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

fn parse(name: &str, text: &str) -> Option<Arc<Policy>> {
    Policy::parse(text).ok().map(|p| Arc::new(p.named(name)))
}

static SHIPPED_POLICIES: LazyLock<Vec<(&'static str, Arc<Policy>)>> = LazyLock::new(|| {
    SHIPPED
        .iter()
        .filter_map(|(name, text)| parse(&format!("arn:aws:iam::aws:policy/{name}"), text).map(|p| (*name, p)))
        .collect()
});

static FULL_AWS_ACCESS_POLICY: LazyLock<Option<Arc<Policy>>> =
    LazyLock::new(|| parse(FULL_AWS_ACCESS, include_str!("managed/FullAWSAccess.json")));

static RCP_FULL_AWS_ACCESS_POLICY: LazyLock<Option<Arc<Policy>>> =
    LazyLock::new(|| parse(RCP_FULL_AWS_ACCESS, include_str!("managed/RCPFullAWSAccess.json")));

/// A shipped AWS managed policy by name (the part after `arn:aws:iam::aws:policy/`).
///
/// ```
/// let admin = iamsim::model::aws_managed_policy("AdministratorAccess").expect("shipped");
/// assert_eq!(admin.name(), Some("arn:aws:iam::aws:policy/AdministratorAccess"));
/// assert!(iamsim::model::aws_managed_policy("ReadOnlyAccess").is_none());
/// ```
pub fn aws_managed_policy(name: &str) -> Option<Arc<Policy>> {
    SHIPPED_POLICIES.iter().find(|(n, _)| *n == name).map(|(_, p)| p.clone())
}

/// The names of the shipped AWS managed policies.
///
/// ```
/// let names: Vec<&str> = iamsim::model::shipped_aws_managed_policies().collect();
/// assert!(names.contains(&"AdministratorAccess") && names.contains(&"AmazonS3ReadOnlyAccess"));
/// assert!(names.iter().all(|n| iamsim::model::aws_managed_policy(n).is_some()));
/// ```
pub fn shipped_aws_managed_policies() -> impl Iterator<Item = &'static str> {
    SHIPPED.iter().map(|(n, _)| *n)
}

/// `FullAWSAccess`, the default SCP.
pub(crate) fn full_aws_access() -> Option<Arc<Policy>> {
    FULL_AWS_ACCESS_POLICY.clone()
}

/// `RCPFullAWSAccess`, the RCP every level has once RCPs are enabled.
pub(crate) fn rcp_full_aws_access() -> Option<Arc<Policy>> {
    RCP_FULL_AWS_ACCESS_POLICY.clone()
}

/// What the world reports about an AWS managed policy a fixture defines (`aws_managed_policies`).
///
/// Two rules differ from the customer managed policies a user writes:
/// - no size quota: IAM's "managed policy size" quota of 6,144 characters (IAM and AWS STS
///   quotas) binds the policies a customer creates, and AWS's own exceed it —
///   `ReadOnlyAccess` is about 47 KB, `AWSSupportServiceRolePolicy` about 81 KB — so a fixture
///   imported from a real account must accept them;
/// - actions the catalog does not know (retired ones, or ones newer than the catalog) come as one
///   warning per policy rather than one per action: the user cannot change AWS's document, and a
///   real account's dump would otherwise print hundreds of lines.
pub(crate) fn aws_managed_findings(name: &str, policy: &Policy) -> Vec<Finding> {
    let (mut findings, unknown) = policy.check(PolicyKind::Identity, UnknownActions::Count);
    if unknown > 0 {
        let (count, verb) =
            if unknown == 1 { ("1 action".to_owned(), "is") } else { (format!("{unknown} actions"), "are") };
        findings.push(Finding {
            severity: Severity::Warning,
            path: JsonPath::root(),
            message: format!(
                "AWS managed policy `{name}`: {count} {verb} unknown to the catalog (retired, or newer than it); not listed"
            ),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    #[test]
    fn every_shipped_document_parses_and_validates() {
        assert_eq!(SHIPPED_POLICIES.len(), SHIPPED.len());
        for (name, policy) in SHIPPED_POLICIES.iter() {
            let errors: Vec<_> = policy
                .validate(PolicyKind::Identity)
                .into_iter()
                .filter(|f| f.severity == crate::policy::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        assert!(full_aws_access().is_some());
        assert!(rcp_full_aws_access().is_some_and(|p| p.validate(PolicyKind::ResourceControl).is_empty()));
    }

    fn findings(json: &str) -> Vec<String> {
        aws_managed_findings("Example", &Policy::parse(json).unwrap()).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn unknown_actions_of_an_aws_managed_policy_are_one_line() {
        let two = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","s3:GetObjects","codestar:List*"],"Resource":"*"},
            {"Effect":"Allow","Action":"S3:getobjects","Resource":"*"}]}"#;
        assert_eq!(
            findings(two),
            [
                "AWS managed policy `Example`: 2 actions are unknown to the catalog (retired, or newer than it); not listed"
            ]
        );
        let one =
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjects","Resource":"*"}]}"#;
        assert_eq!(
            findings(one),
            [
                "AWS managed policy `Example`: 1 action is unknown to the catalog (retired, or newer than it); not listed"
            ]
        );
        let known = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;
        assert!(findings(known).is_empty());
    }

    #[test]
    fn other_findings_and_sizes_of_an_aws_managed_policy() {
        // No size quota: a document far over 6,144 characters gets no finding.
        let actions: Vec<String> = (0..600).map(|i| format!("s3:GetObject{}", "Version".repeat(i % 2))).collect();
        let big = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]});
        let policy = Policy::from_value(big).unwrap();
        assert!(policy.size() > 6_144);
        assert!(aws_managed_findings("Big", &policy).is_empty());
        // Every other rule still holds.
        let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert_eq!(
            findings(with_principal),
            ["Statement[0].Principal: this kind of policy must not specify a principal"]
        );
    }
}
