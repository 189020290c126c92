//! The minimal policy of a principal — what its logged requests used, actions grouped per
//! resource, wildcard resources narrowed to what was touched, conditions kept — and its proof:
//! every logged request decided again with the minimal policy in place of the principal's
//! identity policies.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::usage::{Replayed, Subject, Usage};
use crate::World;
use crate::model::{AttachedPolicy, Model};
use crate::policy::{Outcome, Policy};

/// The name the minimal policy has in explanations.
pub(crate) const MINIMAL_POLICY_NAME: &str = "iamsim-minimal-policy";

/// A minimal identity policy, as IAM JSON (`Version`, then `Statement`).
///
/// Its `Allow` statements are what the logged requests used: one statement per set of
/// conditions and set of actions, listing the resources those actions were used on — the
/// grant's own pattern when it had no wildcard, else each resource the requests touched. The
/// principal's `Deny` statements are kept as they were.
///
/// ```
/// # #[cfg(feature = "sdk")] {
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u.inline_policy("Everything", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})))
///         .bucket("photos", |b| b.object("a.jpg", "hello")))
///     .build()?
///     .without_recording();
/// let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(s3.get_object().bucket("photos").key("a.jpg").send())?;
///
/// // `s3:*` on `*` narrowed to the one action on the one object the test used.
/// let minimal = world.least_privilege("user/alice").minimal_policy().clone();
/// assert_eq!(minimal.statement_count(), 1);
/// assert_eq!(minimal.to_value(), json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/a.jpg"}]}));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MinimalPolicy {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statements: Vec<Value>,
}

impl MinimalPolicy {
    /// The policy as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// How many statements it has.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// The policy, compiled.
    pub(crate) fn compile(&self) -> Option<Policy> {
        Policy::from_value(self.to_value()).ok().map(|p| p.named(MINIMAL_POLICY_NAME))
    }
}

impl std::fmt::Display for MinimalPolicy {
    /// Pretty-printed IAM JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string_pretty(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

#[derive(Serialize)]
struct AllowStatement {
    #[serde(rename = "Effect")]
    effect: &'static str,
    #[serde(rename = "Action")]
    action: Value,
    #[serde(rename = "Resource")]
    resource: Value,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    condition: Option<Value>,
}

fn one_or_many(items: Vec<String>) -> Value {
    match <[String; 1]>::try_from(items) {
        Ok([one]) => Value::String(one),
        Err(many) => Value::Array(many.into_iter().map(Value::String).collect()),
    }
}

/// Whether a resource pattern matches more than itself: a wildcard, or a `NotResource`.
fn is_wide(resource: &str) -> bool {
    resource.contains(['*', '?']) || resource.starts_with("NotResource ")
}

/// The grants used under one `Condition`: the condition, and the actions used per resource.
type ConditionGroup = (Option<Value>, BTreeMap<String, BTreeSet<String>>);

/// Builds the minimal policy from what the requests used.
pub(crate) fn minimal_policy(usage: &Usage) -> MinimalPolicy {
    // Conditions (as canonical JSON text) → resource → actions.
    let mut groups: BTreeMap<String, ConditionGroup> = BTreeMap::new();
    for (grant, touched) in usage.grants.iter().zip(&usage.touched) {
        if touched.is_empty() {
            continue;
        }
        let key = grant.condition.as_ref().map(Value::to_string).unwrap_or_default();
        let (_, by_resource) = groups.entry(key).or_insert_with(|| (grant.condition.clone(), BTreeMap::new()));
        let resources: Vec<String> =
            if is_wide(&grant.resource) { touched.iter().cloned().collect() } else { vec![grant.resource.clone()] };
        for r in resources {
            by_resource.entry(r).or_default().insert(grant.action.clone());
        }
    }
    let mut statements = Vec::new();
    for (condition, by_resource) in groups.into_values() {
        // Resources that need the same actions share one statement.
        let mut by_actions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (resource, actions) in by_resource {
            by_actions.entry(actions.into_iter().collect()).or_default().push(resource);
        }
        for (actions, resources) in by_actions {
            let statement = AllowStatement {
                effect: "Allow",
                action: one_or_many(actions),
                resource: one_or_many(resources),
                condition: condition.clone(),
            };
            statements.push(serde_json::to_value(statement).unwrap_or(Value::Null));
        }
    }
    statements.extend(usage.denies.iter().cloned());
    MinimalPolicy { version: "2012-10-17", statements }
}

/// One logged request the minimal policy decides differently.
///
/// ```
/// use iamsim::Outcome;
/// use iamsim::harness::ProofFailure;
///
/// let failure = ProofFailure {
///     request: "request 3".into(),
///     action: "s3:GetObject".into(),
///     resource: "arn:aws:s3:::photos/a.jpg".into(),
///     logged: Outcome::Allow,
///     minimal: Outcome::ImplicitDeny,
///     message: "no identity-based policy allows the s3:GetObject action".into(),
/// };
/// assert!(failure.to_string().starts_with("request 3: s3:GetObject on arn:aws:s3:::photos/a.jpg: logged "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProofFailure {
    /// Which request: `request 3`, or `FILE: request 3`.
    pub request: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// What the log shows.
    pub logged: Outcome,
    /// What the minimal policy gives, with AWS's message.
    pub minimal: Outcome,
    /// AWS's message for the minimal policy's decision.
    pub message: String,
}

impl std::fmt::Display for ProofFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} on {}: logged {}, minimal policy gives {}: {}",
            self.request, self.action, self.resource, self.logged, self.minimal, self.message
        )
    }
}

/// The proof of a minimal policy: the logged requests decided again with it.
///
/// ```
/// # #[cfg(feature = "sdk")] {
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u.inline_policy("Read", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]})))
///         .bucket("photos", |b| b.object("a.jpg", "hello")))
///     .build()?
///     .without_recording();
/// let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(s3.get_object().bucket("photos").key("a.jpg").send())?;
/// // A denied request is part of the proof too: the minimal policy must deny it as well.
/// let denied = runtime.block_on(s3.delete_object().bucket("photos").key("a.jpg").send());
/// assert!(denied.is_err());
///
/// let report = world.least_privilege("user/alice");
/// let proof = report.proof();
/// assert_eq!(proof.checked, 2);
/// assert_eq!(proof.unreproduced, 0);
/// assert!(proof.holds());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// How many logged authorizations were decided again.
    pub checked: usize,
    /// How many could not be reproduced with the principal's own policies (a session's
    /// policies or tags that a log read from a file does not carry), and so prove nothing.
    pub unreproduced: usize,
    /// The requests the minimal policy decides differently from the log.
    pub failures: Vec<ProofFailure>,
}

impl Proof {
    /// Whether every reproduced request is decided as the log shows.
    pub fn holds(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The world's model with `subject`'s identity policies replaced by `policy`.
fn with_only(model: &Model, subject: &Subject, policy: Policy) -> Model {
    let mut model = model.clone();
    let attached = AttachedPolicy { label: Arc::from(MINIMAL_POLICY_NAME), policy: Arc::new(policy) };
    if let Some(account) = model.accounts.values_mut().find(|a| a.id.as_str() == subject.account) {
        if subject.role {
            if let Some(role) = account.roles.values_mut().find(|r| r.name == subject.name) {
                role.inline_policies = vec![attached];
                role.managed_policies.clear();
            }
        } else if let Some(user) = account.users.values_mut().find(|u| u.name == subject.name) {
            user.inline_policies = vec![attached];
            user.managed_policies.clear();
            user.groups.clear();
        }
    }
    model
}

/// Decides every request again with `policy` as the subject's only identity policy.
pub(crate) fn prove(world: &World, subject: &Subject, policy: &MinimalPolicy, requests: &[&Replayed]) -> Proof {
    let mut proof = Proof::default();
    let Some(compiled) = policy.compile() else {
        proof.failures.push(ProofFailure {
            request: "-".into(),
            action: "-".into(),
            resource: "-".into(),
            logged: Outcome::Allow,
            minimal: Outcome::ImplicitDeny,
            message: "the minimal policy does not compile".into(),
        });
        return proof;
    };
    let model = with_only(world.model(), subject, compiled);
    let state = world.live().buckets();
    for r in requests {
        if r.decision.is_allowed() != r.logged_allow {
            proof.unreproduced += 1;
            continue;
        }
        proof.checked += 1;
        let Ok(decision) = model.authorize_in(state, &r.caller, &r.action, &r.resource, &r.context, r.time) else {
            continue;
        };
        if decision.is_allowed() != r.logged_allow {
            proof.failures.push(ProofFailure {
                request: r.origin.clone(),
                action: r.action.to_string(),
                resource: r.resource.to_string(),
                logged: r.decision.outcome(),
                minimal: decision.outcome(),
                message: decision.to_string(),
            });
        }
    }
    proof
}
