//! Checks a parsed policy against the rules of the place it is used, as IAM, S3 and AWS
//! Organizations check a policy when it is created or put: errors AWS would reject the policy
//! for, and warnings for what AWS accepts but what grants nothing or behaves surprisingly
//! (unknown actions and condition keys, each with a "did you mean").
//!
//! AWS documents few of its exact rejection messages; the ones quoted here were observed from
//! the IAM API (MalformedPolicyDocument) and are cited as such. Sources:
//! - grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>
//! - Principal: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
//! - NotPrincipal: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
//! - variables: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
//! - sizes: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>

use std::fmt;

use serde_json::Value;

use super::condition::BaseOperator;
use super::document::{Policy, PolicyVersion};
use crate::catalog::Catalog;
use crate::path::JsonPath;

/// Where a policy is used; each place has its own rules.
///
/// ```
/// use iamsim::policy::{PolicyKind, Severity};
/// use iamsim::Policy;
/// // A trust policy must name who may assume the role; an identity policy must not name anyone.
/// let trust = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
///     "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)?;
/// assert!(trust.validate(PolicyKind::Trust).iter().all(|f| f.severity != Severity::Error));
/// assert!(trust.validate(PolicyKind::Identity).iter().any(|f| f.severity == Severity::Error));
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy: inline on a user, group or role, or customer managed.
    Identity,
    /// A managed policy used as a permissions boundary.
    PermissionsBoundary,
    /// A session policy passed to `AssumeRole*` or `GetFederationToken`.
    Session,
    /// A role's trust policy.
    Trust,
    /// A resource-based policy such as a bucket policy.
    Resource,
    /// An AWS Organizations service control policy.
    ServiceControl,
    /// An AWS Organizations resource control policy.
    ResourceControl,
}

impl PolicyKind {
    fn names_principals(self) -> bool {
        matches!(self, PolicyKind::Trust | PolicyKind::Resource | PolicyKind::ResourceControl)
    }

    fn is_iam(self) -> bool {
        matches!(self, PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Trust)
    }
}

/// How serious a finding is.
///
/// ```
/// use iamsim::policy::{PolicyKind, Severity};
/// use iamsim::Policy;
/// // AWS rejects an identity policy statement without `Resource`.
/// let p = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#)?;
/// let findings = p.validate(PolicyKind::Identity);
/// assert_eq!(findings.first().map(|f| f.severity), Some(Severity::Error));
/// assert!(Severity::Error < Severity::Warning, "errors sort first");
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// AWS rejects the policy.
    Error,
    /// AWS accepts the policy, but part of it grants nothing or may not do what it seems to.
    Warning,
}

/// One problem found in a policy.
///
/// ```
/// use iamsim::policy::{Policy, PolicyKind, Severity};
/// let p = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjects","Resource":"*"}]}"#)?;
/// let findings = p.validate(PolicyKind::Identity);
/// assert_eq!(findings[0].severity, Severity::Warning);
/// assert_eq!(findings[0].to_string(), "Statement[0].Action: `s3:GetObjects` is not a known action and grants nothing, did you mean `s3:GetObject`?");
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the document (`Statement[0].Principal`); the root for the whole document.
    pub path: JsonPath,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values echoed from the policy are cut to a readable length.
        let message = crate::text::cut_quoted(&self.message);
        if self.path.is_root() { f.write_str(&message) } else { write!(f, "{}: {message}", self.path.for_message()) }
    }
}

/// Whether unknown actions are warned about one by one, or only counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnknownActions {
    /// One warning per unknown action, with a "did you mean": for policies the user wrote.
    List,
    /// Counted, not listed: for AWS managed policies, whose retired actions (or actions newer
    /// than the catalog) the user can do nothing about.
    Count,
}

impl Policy {
    /// Checks the policy for use as `kind`: the findings are sorted errors first.
    pub fn validate(&self, kind: PolicyKind) -> Vec<Finding> {
        self.check(kind, UnknownActions::List).0
    }

    /// Checks the policy for use as `kind`, with the findings sorted errors first and the number
    /// of distinct actions (and action patterns) the catalog does not know; with
    /// [`UnknownActions::Count`] these are left out of the findings.
    pub(crate) fn check(&self, kind: PolicyKind, unknown_actions: UnknownActions) -> (Vec<Finding>, usize) {
        let mut unknown = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let error = |out: &mut Vec<Finding>, path: JsonPath, message: String| {
            out.push(Finding { severity: Severity::Error, path, message })
        };
        let warn = |out: &mut Vec<Finding>, path: JsonPath, message: String| {
            out.push(Finding { severity: Severity::Warning, path, message })
        };
        let mut sids: Vec<&str> = Vec::new();
        for st in &self.statements {
            let at = |field: &str| st.path.key(field);
            let raw = statement_value(self.document(), st.index);
            let has = |field: &str| raw.and_then(|v| v.get(field)).is_some();

            // Principal: required in resource-based policies and trust policies, prohibited in
            // identity-based ones (Grammar: "The principal_block element is required in
            // resource-based policies […] It must not be included in identity-based policies").
            if kind.names_principals() && st.principal.is_none() {
                // Observed IAM message: "Missing required field Principal".
                error(&mut out, st.path.clone(), "missing required field `Principal`".into());
            }
            if !kind.names_principals() && (has("Principal") || has("NotPrincipal")) {
                let field = if has("Principal") { "Principal" } else { "NotPrincipal" };
                // Observed IAM message: "Policy document should not specify a principal."
                error(&mut out, at(field), "this kind of policy must not specify a principal".into());
            }
            if has("NotPrincipal") && matches!(kind, PolicyKind::Trust | PolicyKind::ResourceControl) {
                // "You cannot use the NotPrincipal element in an IAM identity-based policy nor in
                // an IAM role trust policy"; SCPs and RCPs do not support it either.
                error(&mut out, at("NotPrincipal"), "`NotPrincipal` is not supported in this kind of policy".into());
            }
            if has("NotPrincipal") && st.effect == super::Effect::Allow {
                // "NotPrincipal must be used with "Effect":"Deny"."
                error(&mut out, at("NotPrincipal"), "`NotPrincipal` must be used with `\"Effect\": \"Deny\"`".into());
            }
            if kind == PolicyKind::ResourceControl
                && let Some(p) = &st.principal
                && !(p.everyone && p.aws.is_empty() && p.services.is_empty() && p.federated.is_empty())
            {
                error(&mut out, at("Principal"), "a resource control policy must name the principal `\"*\"`".into());
            }

            // Resource: prohibited in trust policies, required elsewhere.
            if kind == PolicyKind::Trust && (has("Resource") || has("NotResource")) {
                // Observed IAM message: "Has prohibited field Resource".
                let field = if has("Resource") { "Resource" } else { "NotResource" };
                error(&mut out, at(field), "a trust policy must not have a `Resource`".into());
            }
            if kind != PolicyKind::Trust && st.resources.is_none() {
                // Observed IAM message: "Policy statement must contain resources."
                error(&mut out, st.path.clone(), "missing required field `Resource`".into());
            }

            // Sid: unique, and only letters and digits in IAM policies.
            if let Some(sid) = &st.sid {
                if kind.is_iam() && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    error(
                        &mut out,
                        at("Sid"),
                        format!("`{sid}` is not a valid Sid: IAM allows only letters and digits"),
                    );
                }
                if sids.contains(&&**sid) {
                    // Observed IAM message: "Statement IDs (SID) in a single policy must be unique."
                    error(&mut out, at("Sid"), format!("`{sid}` is used by another statement: Sids must be unique"));
                }
                sids.push(sid);
            }

            // Actions: AWS accepts unknown ones, which grant nothing.
            let catalog = Catalog::global();
            let list_path = if st.actions.negated { at("NotAction") } else { at("Action") };
            let is_array = raw
                .and_then(|v| v.get(if st.actions.negated { "NotAction" } else { "Action" }))
                .is_some_and(Value::is_array);
            for (i, pattern) in st.actions.patterns.iter().enumerate() {
                let text = pattern.as_str();
                let path = if is_array { list_path.index(i) } else { list_path.clone() };
                let known = if pattern.is_literal() {
                    catalog.is_known_action(text)
                } else {
                    text == "*" || !catalog.expand(text).is_empty()
                };
                if known {
                    continue;
                }
                unknown.insert(text.to_ascii_lowercase());
                if unknown_actions == UnknownActions::Count {
                    continue;
                }
                if pattern.is_literal() {
                    let hint = catalog.suggest(text).map(|s| format!(", did you mean `{s}`?")).unwrap_or_default();
                    warn(&mut out, path, format!("`{text}` is not a known action and grants nothing{hint}"));
                } else {
                    warn(&mut out, path, format!("`{text}` matches no known action"));
                }
            }
            if kind == PolicyKind::Trust {
                for pattern in &st.actions.patterns {
                    let text = pattern.as_str();
                    if !text.to_ascii_lowercase().starts_with("sts:") && text != "*" {
                        warn(
                            &mut out,
                            list_path.clone(),
                            format!("`{text}` is not an `sts:` action: a trust policy only governs STS"),
                        );
                    }
                }
            }

            // Conditions: values of the wrong type match nothing; variables need 2012-10-17.
            for c in &st.conditions {
                let path = st.path.key("Condition").key(c.operator.to_string()).key(&*c.key_name);
                // Keys, like actions: AWS accepts unknown ones, which no request carries.
                let suggestion = catalog.suggest_condition_key(&c.key_name);
                if catalog.is_known_condition_key(&c.key_name) == Some(false) || suggestion.is_some() {
                    let hint = suggestion.map(|s| format!(", did you mean `{s}`?")).unwrap_or_default();
                    warn(&mut out, path.clone(), format!("`{}` is not a known condition key{hint}", c.key_name));
                }
                for bad in c.invalid_values() {
                    let expected = match c.operator.base {
                        BaseOperator::DateEquals
                        | BaseOperator::DateNotEquals
                        | BaseOperator::DateLessThan
                        | BaseOperator::DateLessThanEquals
                        | BaseOperator::DateGreaterThan
                        | BaseOperator::DateGreaterThanEquals => "an ISO 8601 date-time or epoch seconds",
                        BaseOperator::Bool | BaseOperator::Null => "`true` or `false`",
                        BaseOperator::BinaryEquals => "base64 text",
                        BaseOperator::IpAddress | BaseOperator::NotIpAddress => "an IP address or CIDR range",
                        BaseOperator::ArnEquals
                        | BaseOperator::ArnLike
                        | BaseOperator::ArnNotEquals
                        | BaseOperator::ArnNotLike => "an ARN of six colon-separated parts",
                        _ => "a number",
                    };
                    error(
                        &mut out,
                        path.clone(),
                        format!("`{bad}` is not valid for {}: expected {expected}", c.operator),
                    );
                }
                if self.version() != PolicyVersion::V2012_10_17 && c.raw_values.iter().any(|v| v.contains("${")) {
                    warn(
                        &mut out,
                        path,
                        "policy variables are literal text unless `\"Version\": \"2012-10-17\"`".into(),
                    );
                }
            }
            if self.version() != PolicyVersion::V2012_10_17 && resource_texts(raw).iter().any(|r| r.contains("${")) {
                let field = if has("Resource") { "Resource" } else { "NotResource" };
                warn(
                    &mut out,
                    at(field),
                    "policy variables are literal text unless `\"Version\": \"2012-10-17\"`".into(),
                );
            }
        }
        out.sort_by_key(|f| f.severity);
        (out, unknown.len())
    }

    /// The size AWS counts against IAM's quotas: the characters of the document without
    /// whitespace outside strings ("IAM does not count white space when calculating the size of
    /// a policy against these quotas").
    ///
    /// ```
    /// let p = iamsim::Policy::parse(r#"{ "Statement": { "Effect": "Allow", "Action": "s3:*", "Resource": "*" } }"#)?;
    /// assert_eq!(p.size(), r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.len());
    /// # Ok::<(), iamsim::policy::PolicyError>(())
    /// ```
    pub fn size(&self) -> usize {
        serde_json::to_string(self.document()).map(|s| s.chars().count()).unwrap_or(0)
    }
}

fn resource_texts(raw: Option<&Value>) -> Vec<&str> {
    let Some(v) = raw.and_then(|v| v.get("Resource").or_else(|| v.get("NotResource"))) else {
        return Vec::new();
    };
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The JSON of statement `index`.
fn statement_value(document: &Value, index: usize) -> Option<&Value> {
    match document.get("Statement")? {
        Value::Array(items) => items.get(index),
        single @ Value::Object(_) if index == 0 => Some(single),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(kind: PolicyKind, json: &str) -> Vec<String> {
        Policy::parse(json).unwrap().validate(kind).iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn principals_by_kind() {
        let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert_eq!(
            findings(PolicyKind::Identity, with_principal),
            ["Statement[0].Principal: this kind of policy must not specify a principal"]
        );
        assert!(findings(PolicyKind::Resource, with_principal).is_empty());
        let without = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
        assert_eq!(findings(PolicyKind::Trust, without), ["Statement[0]: missing required field `Principal`"]);
    }

    #[test]
    fn trust_policies_have_no_resource() {
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
        assert_eq!(
            findings(PolicyKind::Trust, json),
            ["Statement[0].Resource: a trust policy must not have a `Resource`"]
        );
    }

    #[test]
    fn sids_and_typed_values() {
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A b","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Sid":"A b","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}]}"#;
        assert_eq!(
            findings(PolicyKind::Identity, json),
            [
                "Statement[0].Sid: `A b` is not a valid Sid: IAM allows only letters and digits",
                "Statement[1].Sid: `A b` is not a valid Sid: IAM allows only letters and digits",
                "Statement[1].Sid: `A b` is used by another statement: Sids must be unique",
                "Statement[1].Condition.DateLessThan.aws:CurrentTime: `soon` is not valid for DateLessThan: expected an ISO 8601 date-time or epoch seconds",
            ]
        );
    }

    #[test]
    fn unknown_actions_are_listed_or_counted() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:GetObjects","s3:Gett*","s3:GetObject"],"Resource":"*"},
                {"Effect":"Allow","Action":"S3:GETOBJECTS","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"maybe"}}}]}"#,
        )
        .unwrap();
        let (listed, count) = policy.check(PolicyKind::Identity, UnknownActions::List);
        assert_eq!(count, 2, "distinct, whatever the case");
        assert_eq!(listed.len(), 4, "{listed:?}");
        assert_eq!(listed, policy.validate(PolicyKind::Identity));
        let (counted, count) = policy.check(PolicyKind::Identity, UnknownActions::Count);
        assert_eq!(count, 2);
        assert_eq!(
            counted.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "Statement[1].Condition.Bool.aws:SecureTransport: `maybe` is not valid for Bool: expected `true` or `false`"
            ]
        );
    }

    #[test]
    fn unknown_actions_and_old_versions_warn() {
        let json = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":["s3:Gett*","s3:GetObject"],"Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#;
        assert_eq!(
            findings(PolicyKind::Identity, json),
            [
                "Statement[0].Action[0]: `s3:Gett*` matches no known action",
                "Statement[0].Resource: policy variables are literal text unless `\"Version\": \"2012-10-17\"`",
            ]
        );
    }

    #[test]
    fn unknown_condition_keys_warn_with_the_closest_known_key() {
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{
            "IpAddress":{"aws:SourceIpp":"192.0.2.0/24"},
            "StringEquals":{"aws:RequestTags/team":"x","aws:PrincipalTag/team":"x","s3:ExistingObjectTag/owner":"x",
                "s3:prefx":"x","asw:SourceVpc":"x","aws:Frobnicate":"x",
                "accounts.google.com:aud":"x","saml:sub":"x","rds:DatabaseEngine":"x","sts:ExternalId":"x","AWS:SOURCEACCOUNT":"1"}}}]}"#;
        assert_eq!(
            findings(PolicyKind::Identity, json),
            [
                "Statement[0].Condition.IpAddress.aws:SourceIpp: `aws:SourceIpp` is not a known condition key, did you mean `aws:SourceIp`?",
                "Statement[0].Condition.StringEquals.asw:SourceVpc: `asw:SourceVpc` is not a known condition key, did you mean `aws:SourceVpc`?",
                "Statement[0].Condition.StringEquals.aws:Frobnicate: `aws:Frobnicate` is not a known condition key",
                "Statement[0].Condition.StringEquals.aws:RequestTags/team: `aws:RequestTags/team` is not a known condition key, did you mean `aws:RequestTag/team`?",
                "Statement[0].Condition.StringEquals.s3:prefx: `s3:prefx` is not a known condition key, did you mean `s3:prefix`?",
            ]
        );
    }
}
