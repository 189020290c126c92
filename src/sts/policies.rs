//! What a new session carries besides its role: session policies (`Policy`, `PolicyArns`) and
//! session tags (`Tags`, `TransitiveTagKeys`), validated as STS validates them, and their
//! packed size.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::{StsError, Validation};
use super::params::Params;
use crate::live::Live;
use crate::policy::{Policy, PolicyKind, Severity};

/// The plaintext limit of the inline session policy: "The plaintext that you use for both
/// inline and managed session policies can't exceed 2,048 characters" (STS API Reference,
/// AssumeRole, `Policy`).
const POLICY_LIMIT: usize = 2048;
/// "You can pass up to 50 session tags" (AssumeRole, `Tags`).
const MAX_TAGS: usize = 50;
/// "You can provide up to 10 managed policy ARNs" (AssumeRole, `PolicyArns`).
const MAX_POLICY_ARNS: usize = 10;

/// Session policies and tags requested for a new session.
#[derive(Debug, Default)]
pub(crate) struct SessionExtras {
    pub(crate) policies: Vec<Arc<Policy>>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) transitive_tag_keys: Vec<String>,
    /// Bytes the packed policies and tags take, for `PackedPolicySize`.
    packed_bytes: usize,
    /// Whether the request passed any policy or tag (then the response has `PackedPolicySize`).
    pub(crate) any: bool,
}

impl SessionExtras {
    /// `PackedPolicySize`: the percentage of the packed-size limit the session's policies and
    /// tags use. AWS packs them into a compressed binary form and does not publish the format;
    /// iamsim counts the compact policy text, the policy ARNs and the tag text against 2,048
    /// bytes, so a session near the limit fails here too. Above 100: `PackedPolicyTooLarge`.
    pub(crate) fn packed_percent(&self) -> u64 {
        let bytes = u64::try_from(self.packed_bytes).unwrap_or(u64::MAX);
        bytes.saturating_mul(100).div_ceil(POLICY_LIMIT as u64)
    }

    pub(crate) fn check_packed_size(&self) -> Result<(), StsError> {
        match self.packed_percent() {
            p if p > 100 => Err(StsError::packed_policy_too_large(p)),
            _ => Ok(()),
        }
    }
}

/// Reads and validates `Policy`, `PolicyArns`, `Tags` and `TransitiveTagKeys`. Parameter
/// constraints go into `v`; a policy that does not parse is `MalformedPolicyDocument`.
pub(crate) fn read(
    live: &Live,
    params: &Params,
    v: &mut Validation,
    with_tags: bool,
) -> Result<SessionExtras, StsError> {
    let mut extras = SessionExtras::default();
    // Parameter constraints first: AWS reports a ValidationError before it looks at what a
    // policy says or whether a policy ARN exists.
    let text = params.get("Policy");
    if let Some(text) = text {
        extras.any = true;
        v.length(text, "policy", 1, POLICY_LIMIT);
    }
    let arns = params.list("PolicyArns", ".arn");
    if params.count("PolicyArns") > MAX_POLICY_ARNS {
        v.fail(None, "policyArns", format!("must have length less than or equal to {MAX_POLICY_ARNS}"));
    }
    for arn in &arns {
        extras.any = true;
        v.length(arn, "policyArns.member.arn", 20, 2048);
    }
    if with_tags {
        read_tags(params, v, &mut extras)?;
    }
    if v.has_failures() {
        return Ok(extras);
    }

    if let Some(text) = text {
        let policy = Policy::parse(text).map_err(|e| StsError::malformed_policy(format!("{e}")))?;
        if let Some(error) = policy.validate(PolicyKind::Session).into_iter().find(|f| f.severity == Severity::Error) {
            return Err(StsError::malformed_policy(error.to_string()));
        }
        // Counted compact, as a packer would see it.
        let compact = serde_json::from_str::<serde_json::Value>(text).map(|v| v.to_string());
        extras.packed_bytes += compact.map_or(text.len(), |s| s.len());
        extras.policies.push(Arc::new(policy.named("session policy")));
    }
    for arn in arns {
        let managed = find_managed_policy(live, arn).ok_or_else(|| {
            // AWS answers an ARN that names no policy with InvalidParameterValue.
            StsError::invalid_parameter(format!("Policy {arn} does not exist or is not attachable."))
        })?;
        extras.packed_bytes += arn.len();
        extras.policies.push(managed);
    }
    Ok(extras)
}

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`: the characters of tag keys and values.
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

fn read_tags(params: &Params, v: &mut Validation, extras: &mut SessionExtras) -> Result<(), StsError> {
    let tags = params.tags();
    if params.count("Tags") > MAX_TAGS {
        v.fail(None, "tags", format!("must have length less than or equal to {MAX_TAGS}"));
    }
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for (key, value) in &tags {
        extras.any = true;
        v.length(key, "tags.member.key", 1, 128);
        v.pattern(key, "tags.member.key", "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", is_tag_char);
        v.length(value, "tags.member.value", 0, 256);
        v.pattern(value, "tags.member.value", "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", is_tag_char);
        if seen.insert(key.to_lowercase(), ()).is_some() {
            return Err(StsError::invalid_parameter(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        extras.packed_bytes += key.len() + value.len();
        extras.tags.insert(key.clone(), value.clone());
    }
    let transitive = params.list("TransitiveTagKeys", "");
    if params.count("TransitiveTagKeys") > MAX_TAGS {
        v.fail(None, "transitiveTagKeys", format!("must have length less than or equal to {MAX_TAGS}"));
    }
    for key in transitive {
        v.length(key, "transitiveTagKeys.member", 1, 128);
        if !tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(StsError::invalid_parameter(
                "The specified transitive tag key must be included in the requested tags.",
            ));
        }
        extras.transitive_tag_keys.push(key.to_owned());
    }
    Ok(())
}

/// A managed policy by ARN: an AWS managed one, or a customer managed one of any account.
fn find_managed_policy(live: &Live, arn: &str) -> Option<Arc<Policy>> {
    let model = live.model();
    model
        .aws_managed_policies()
        .chain(model.accounts().flat_map(|a| a.policies.values()))
        .find(|p| p.arn.as_str() == arn)
        .map(|p| p.policy.clone())
}
