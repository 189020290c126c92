//! The result of an evaluation: allow, explicit deny or implicit deny, with the statements
//! behind it, in the words of AWS's AccessDenied messages.

use std::fmt;
use std::sync::Arc;

use super::action::Action;
use super::document::Effect;

/// The kinds of policy AWS evaluates, in the order this crate reports them.
///
/// ```
/// use iamsim::policy::{Cause, PolicyType};
/// use iamsim::{evaluate, AuthzRequest, Policy, PolicySet};
/// let boundary = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)?;
/// let identity = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)?;
/// let set = PolicySet::new().identity(identity.named("S3")).boundary(boundary.named("ListOnly"));
/// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k")?;
/// let decision = evaluate(&request, &set);
/// assert_eq!(decision.cause(), Cause::NoAllow(PolicyType::PermissionsBoundary));
/// assert_eq!(PolicyType::PermissionsBoundary.to_string(), "permissions boundary");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyType {
    /// An AWS Organizations service control policy.
    ServiceControl,
    /// An AWS Organizations resource control policy.
    ResourceControl,
    /// A policy attached to the user, its groups, or the role.
    Identity,
    /// A policy attached to the resource, such as a bucket policy.
    Resource,
    /// A role's trust policy, when the request asks to assume (or tag a session of) the role.
    RoleTrust,
    /// The permissions boundary of the user or role.
    PermissionsBoundary,
    /// A session policy passed when the role session was created.
    Session,
}

impl PolicyType {
    /// The words AWS's AccessDenied messages use for this kind of policy
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html>).
    ///
    /// ```
    /// use iamsim::policy::PolicyType;
    /// assert_eq!(PolicyType::ServiceControl.aws_name(), "service control policy");
    /// assert_eq!(PolicyType::PermissionsBoundary.aws_name(), "permissions boundary");
    /// ```
    pub fn aws_name(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "service control policy",
            PolicyType::ResourceControl => "resource control policy",
            PolicyType::Identity => "identity-based policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::RoleTrust => "role trust policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// Allow, explicit deny or implicit deny.
///
/// ```
/// use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
/// let policy = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
///     {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secrets/*"}]}"#)?;
/// let set = PolicySet::new().identity(policy.named("ReadButNotSecrets"));
/// let outcome = |resource: &str| -> Result<Outcome, Box<dyn std::error::Error>> {
///     let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", resource)?;
///     Ok(evaluate(&request, &set).outcome())
/// };
/// assert_eq!(outcome("arn:aws:s3:::photos/a.jpg")?, Outcome::Allow);
/// assert_eq!(outcome("arn:aws:s3:::secrets/key")?, Outcome::ExplicitDeny);
/// assert_eq!(Outcome::ExplicitDeny.as_str(), "explicit_deny");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The request is allowed.
    Allow,
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// No `Deny` applies, but the request is not allowed.
    ImplicitDeny,
}

impl Outcome {
    /// `allow`, `explicit_deny` or `implicit_deny`, as the CLI and test vectors write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::ExplicitDeny => "explicit_deny",
            Outcome::ImplicitDeny => "implicit_deny",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of policy decided a denial.
///
/// ```
/// use iamsim::policy::{Cause, PolicyType};
/// use iamsim::{evaluate, AuthzRequest, Policy, PolicySet};
/// let deny = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#)?;
/// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k")?;
/// assert_eq!(evaluate(&request, &PolicySet::new()).cause(), Cause::NoAllow(PolicyType::Identity));
/// let set = PolicySet::new().identity(deny.named("DenyS3"));
/// assert_eq!(evaluate(&request, &set).cause(), Cause::ExplicitDeny(PolicyType::Identity));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The request was allowed.
    Allowed,
    /// A `Deny` statement in a policy of this kind applies.
    ExplicitDeny(PolicyType),
    /// No policy of this kind allows the request.
    NoAllow(PolicyType),
    /// The action needs no permission, so no policy was evaluated and none could deny it (see
    /// [`permission_not_required`](crate::policy::permission_not_required)).
    NoPermissionRequired,
}

/// One statement that applied to the request.
///
/// ```
/// use iamsim::policy::{Effect, PolicyType};
/// use iamsim::{evaluate, AuthzRequest, Policy, PolicySet};
/// let policy = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)?;
/// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k")?;
/// let decision = evaluate(&request, &PolicySet::new().identity(policy.named("ReadAll")));
/// let reason = &decision.reasons()[0];
/// assert_eq!((reason.policy_type, reason.effect, reason.statement), (PolicyType::Identity, Effect::Allow, 0));
/// assert_eq!(reason.sid.as_deref(), Some("Read"));
/// assert_eq!(reason.to_string(), "Allow in identity-based policy `ReadAll`, statement 0 (Sid `Read`)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Reason {
    /// The kind of policy.
    pub policy_type: PolicyType,
    /// The policy's name or ARN.
    pub policy: Arc<str>,
    /// The statement's position in the policy, from 0.
    pub statement: usize,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<Arc<str>>,
    /// Whether the statement allows or denies.
    pub effect: Effect,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {} `{}`, statement {}", self.effect, self.policy_type, self.policy, self.statement)?;
        if let Some(sid) = &self.sid {
            write!(f, " (Sid `{sid}`)")?;
        }
        Ok(())
    }
}

/// The decision for one request, with its reasons.
///
/// `Display` gives AWS's one-line message; the alternate form (`{:#}`) adds the statements that
/// applied and the condition keys that were missing.
///
/// ```
/// use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
/// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/a.jpg")?;
/// let decision = evaluate(&request, &PolicySet::new());
/// assert_eq!(decision.outcome(), Outcome::ImplicitDeny);
/// assert_eq!(
///     decision.to_string(),
///     "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \
///      arn:aws:s3:::photos/a.jpg because no identity-based policy allows the s3:GetObject action"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    outcome: Outcome,
    cause: Cause,
    principal: Arc<str>,
    action: Action,
    resource: Arc<str>,
    reasons: Vec<Reason>,
    missing_keys: Vec<Arc<str>>,
}

impl Decision {
    pub(crate) fn new(
        cause: Cause,
        principal: Arc<str>,
        action: Action,
        resource: Arc<str>,
        mut reasons: Vec<Reason>,
        mut missing_keys: Vec<Arc<str>>,
    ) -> Decision {
        let outcome = match cause {
            Cause::Allowed | Cause::NoPermissionRequired => Outcome::Allow,
            Cause::ExplicitDeny(_) => Outcome::ExplicitDeny,
            Cause::NoAllow(_) => Outcome::ImplicitDeny,
        };
        // Sorted, so that snapshots and messages never depend on evaluation order.
        reasons.sort();
        reasons.dedup();
        missing_keys.sort_by_key(|k| k.to_lowercase());
        missing_keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Decision { outcome, cause, principal, action, resource, reasons, missing_keys }
    }

    /// Allow, explicit deny or implicit deny.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allow
    }

    /// Which kind of policy decided.
    pub fn cause(&self) -> Cause {
        self.cause
    }

    /// The statements that applied (allows and denies, of every policy kind), sorted.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// Condition keys that an `Allow` statement's condition needed but the request did not
    /// carry, sorted.
    pub fn missing_keys(&self) -> impl Iterator<Item = &str> {
        self.missing_keys.iter().map(|k| &**k)
    }

    /// The action that was decided.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The resource, as the request named it.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The caller, as AWS's messages name it.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The multi-line explanation: each applicable statement and each missing key.
    ///
    /// ```
    /// use iamsim::{evaluate, AuthzRequest, Policy, PolicySet};
    /// let policy = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow",
    ///     "Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#)?;
    /// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k")?;
    /// let decision = evaluate(&request, &PolicySet::new().identity(policy.named("ReadWithMfa")));
    /// assert_eq!(decision.explanation(), "no statement applied\nmissing context key: aws:MultiFactorAuthPresent");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explanation(&self) -> String {
        if self.cause == Cause::NoPermissionRequired {
            return format!("no policy was evaluated: {} needs no permission and cannot be denied", self.action);
        }
        let mut lines: Vec<String> = self.reasons.iter().map(|r| format!("{r}")).collect();
        if lines.is_empty() {
            lines.push("no statement applied".to_owned());
        }
        lines.extend(self.missing_keys.iter().map(|k| format!("missing context key: {k}")));
        lines.join("\n")
    }
}

impl Decision {
    /// Why a denial happened, as AWS's AccessDenied messages end: `because no identity-based
    /// policy allows the s3:GetObject action` or `with an explicit deny in a resource-based
    /// policy`; `None` when the request is allowed. Services that word the rest of the message
    /// their own way (S3 quotes the resource) build on it.
    ///
    /// ```
    /// use iamsim::{evaluate, AuthzRequest, PolicySet};
    /// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/a.jpg")?;
    /// let decision = evaluate(&request, &PolicySet::new());
    /// assert_eq!(decision.denial_reason().as_deref(), Some("because no identity-based policy allows the s3:GetObject action"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn denial_reason(&self) -> Option<String> {
        let a = &self.action;
        match self.cause {
            Cause::Allowed | Cause::NoPermissionRequired => None,
            Cause::ExplicitDeny(t) => {
                // AWS's wording: "an identity-based policy", "the role trust policy", "a …" otherwise.
                let article = match t {
                    PolicyType::Identity => "an",
                    PolicyType::RoleTrust => "the",
                    _ => "a",
                };
                Some(format!("with an explicit deny in {article} {t}"))
            }
            Cause::NoAllow(t) => Some(format!("because no {t} allows the {a} action")),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (p, a) = (&self.principal, &self.action);
        let on = if &*self.resource == "*" { String::new() } else { format!(" on resource: {}", self.resource) };
        match self.denial_reason() {
            None if self.cause == Cause::NoPermissionRequired => {
                write!(f, "User: {p} is authorized to perform: {a}{on}, which needs no permission")?
            }
            None => write!(f, "User: {p} is authorized to perform: {a}{on}")?,
            Some(reason) => write!(f, "User: {p} is not authorized to perform: {a}{on} {reason}")?,
        }
        if f.alternate() {
            write!(f, "\n{}", self.explanation())?;
        }
        Ok(())
    }
}
