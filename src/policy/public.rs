//! Whether a resource policy is "public" in Amazon S3's sense: the one rule that Block Public
//! Access (`BlockPublicPolicy`, `RestrictPublicBuckets`) and `GetBucketPolicyStatus` share.
//!
//! From "The meaning of "public"" in the S3 User Guide
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>)
//! and the `PublicAccessBlockConfiguration` reference
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html>):
//! "Amazon S3 considers a bucket policy public unless at least one of the following conditions
//! is true: the policy limits access to a set of CIDRs using `aws:SourceIp`; the policy grants
//! permissions to a fixed AWS principal, user, role, or service principal, a fixed
//! `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`,
//! a fixed value of `s3:x-amz-server-side-encryption-aws-kms-key-id`, of `aws:userid` outside
//! the pattern `AROLEID:*`", and, in the User Guide's current list, `s3:DataAccessPointArn`,
//! `s3:DataAccessPointAccount`, `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalOrgID` (and the `aws:SourceOrgID`/`aws:SourceOrgPaths` of service callers).
//!
//! So an `Allow` statement is public when its principal is everyone (`"*"`, `{"AWS": "*"}`, or
//! any `NotPrincipal`) and none of its conditions pins one of those keys to fixed values: an
//! equality operator (`StringEquals`, `StringEqualsIgnoreCase`, `ArnEquals`, or `StringLike` /
//! `ArnLike` without wildcards; `IpAddress` for `aws:SourceIp` with a range narrower than the
//! whole address space), no `IfExists` (a missing key would pass), no `ForAllValues:` (true when
//! the key is absent), and values without `*`, `?` or policy variables. `Deny` statements never
//! make a policy public.

use super::condition::{BaseOperator, Condition, SetQualifier};
use super::document::{Effect, Policy};

/// Keys that, pinned to fixed values, keep a statement naming everyone non-public.
const FIXING_KEYS: [&str; 15] = [
    "aws:userid",
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

impl Policy {
    /// Whether S3 considers this (bucket) policy public: some `Allow` statement grants to
    /// everyone without pinning a fixing key to fixed values (see the module docs).
    ///
    /// ```
    /// use iamsim::Policy;
    /// let open = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
    ///     "Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#)?;
    /// assert!(open.is_public());
    /// // Everyone, but only from one VPC endpoint: not public.
    /// let vpce = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
    ///     "Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*",
    ///     "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}"#)?;
    /// assert!(!vpce.is_public());
    /// // A wildcard is not a fixed value.
    /// let any_org = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
    ///     "Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*",
    ///     "Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}}]}"#)?;
    /// assert!(any_org.is_public());
    /// # Ok::<(), iamsim::policy::PolicyError>(())
    /// ```
    pub fn is_public(&self) -> bool {
        self.statements.iter().any(|st| {
            let everyone = st.principal.as_ref().is_some_and(|p| p.negated || p.everyone);
            st.effect == Effect::Allow && everyone && !st.conditions.iter().any(fixes_values)
        })
    }
}

impl Policy {
    /// The same policy with its `Deny` statements only (indexes and Sids kept, for reasons):
    /// what still applies of a public bucket policy under `RestrictPublicBuckets`.
    pub(crate) fn deny_statements_only(&self) -> Policy {
        let mut denies = self.clone();
        denies.statements.retain(|st| st.effect == Effect::Deny);
        denies
    }
}

/// Whether a condition pins a fixing key to fixed values.
fn fixes_values(c: &Condition) -> bool {
    let key = c.key_name.to_ascii_lowercase();
    if !FIXING_KEYS.contains(&key.as_str()) || c.operator.if_exists {
        return false;
    }
    if matches!(c.operator.set, Some(SetQualifier::ForAllValues)) {
        return false;
    }
    let fixed = |v: &String| !v.is_empty() && !v.contains(['*', '?']) && !v.contains("${");
    let values_fixed = !c.raw_values.is_empty() && c.raw_values.iter().all(fixed);
    match c.operator.base {
        BaseOperator::StringEquals
        | BaseOperator::StringEqualsIgnoreCase
        | BaseOperator::StringLike
        | BaseOperator::ArnEquals
        | BaseOperator::ArnLike => key != "aws:sourceip" && values_fixed,
        BaseOperator::IpAddress => {
            key == "aws:sourceip" && values_fixed && c.raw_values.iter().all(|v| !v.ends_with("/0"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(principal: &str, condition: &str) -> Policy {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{condition}}}]}}"#
        ))
        .expect("a policy")
    }

    #[test]
    fn everyone_is_public_unless_a_fixing_key_is_pinned() {
        assert!(statement(r#""*""#, "").is_public());
        assert!(statement(r#"{"AWS":"*"}"#, "").is_public());
        assert!(!statement(r#"{"AWS":"arn:aws:iam::111111111111:root"}"#, "").is_public());
        let pinned = |c: &str| statement(r#""*""#, &format!(r#","Condition":{c}"#)).is_public();
        assert!(!pinned(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}"#));
        assert!(!pinned(r#"{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#));
        assert!(!pinned(r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111111111111:t"}}"#));
        assert!(!pinned(r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#));
        assert!(pinned(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#));
        assert!(pinned(r#"{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}"#));
        assert!(pinned(r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}"#));
        assert!(pinned(r#"{"StringLike":{"aws:SourceVpce":"vpce-*"}}"#));
        assert!(pinned(r#"{"StringEquals":{"aws:username":"alice"}}"#));
        assert!(pinned(r#"{"Bool":{"aws:SecureTransport":"true"}}"#));
    }

    #[test]
    fn deny_statements_are_never_public() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
        )
        .expect("a policy");
        assert!(!p.is_public());
    }
}
