//! "Check no new access": which requests a changed policy (NEW) allows that the policy it
//! replaces (OLD) did not, shown as example requests.
//!
//! Candidate requests are drawn from every statement of both policies (NEW's to find what it
//! grants, OLD's so that a removed `Deny` or a narrowed `NotResource` is caught): each
//! statement's actions expanded through the [catalog](crate::catalog), its resources turned into
//! example ARNs (and, in a world, the world's own buckets, objects, users and roles), and
//! request contexts that satisfy or violate its conditions (see the table in `values.rs` for what
//! is derived per operator). Each candidate is decided by [`evaluate`] — or, in a world, by
//! [`Model::authorize`] — once with OLD and once with NEW as an identity policy of the
//! principal; nothing here re-implements a rule. A candidate NEW allows and OLD does not is a
//! [`NewAccess`], with its context reduced to the keys that matter (each key is dropped if the
//! request stays a new access without it).
//!
//! The candidates are examples, not a proof: a grant that no derived example reaches (a value
//! only a policy variable yields, an action outside the services tried for a wildcard service
//! part) is not reported. Statements are numbered from 0, as `Statement[0]` in error paths and
//! as [`Reason`] prints them.
//!
//! ```
//! use iamsim::{Policy, diff};
//!
//! let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
//!     {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/alice/*"}]}"#)?;
//! let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
//!     {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#)?;
//! let found = diff::new_access(&old, &new);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].to_string(), "s3:GetObject on arn:aws:s3:::photos/example (NEW statement 0; OLD: implicit_deny)");
//! assert!(diff::new_access(&new, &old).is_empty());
//! # Ok::<(), iamsim::policy::PolicyError>(())
//! ```

mod candidates;
mod values;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use candidates::{Candidate, Scope};
use serde_json::Value;

use crate::World;
use crate::model::{AttachedPolicy, Caller, Model};
use crate::policy::{
    Action, AuthzRequest, Context, Decision, Effect, Outcome, Policy, PolicySet, PolicyType, Principal, Reason,
    Resource, evaluate,
};

/// How many candidate requests a diff decides at most, unless told otherwise.
pub const DEFAULT_LIMIT: usize = 50_000;

/// The session name of the role sessions a diff asks as.
const SESSION_NAME: &str = "iamsim";

/// The labels OLD and NEW carry when they are not named.
const OLD_LABEL: &str = "OLD";
const NEW_LABEL: &str = "NEW";

/// Compares two policies: which requests NEW allows that OLD did not.
///
/// Without a world, both are the only identity policy of a neutral principal — the user
/// `example` of the first account a resource ARN of either policy names (else `111122223333`),
/// or the principal given with [`PolicyDiff::principal`]. In a world
/// ([`PolicyDiff::in_world`]), every user and role that has a policy with OLD's or NEW's
/// document attached (itself or through a group) is asked, with that policy replaced by OLD,
/// then by NEW, and everything else of the world in force (other policies, boundaries, SCPs,
/// bucket policies).
///
/// ```
/// use iamsim::{Policy, diff::PolicyDiff};
///
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/*"},
///     {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let report = PolicyDiff::new(&old, &new).run()?;
/// let lines: Vec<String> = report.groups().iter().map(|g| g.to_string()).collect();
/// assert_eq!(lines, ["s3:DeleteObject on arn:aws:s3:::photos/example (NEW statement 0; OLD: explicit_deny)"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PolicyDiff<'a> {
    old: &'a Policy,
    new: &'a Policy,
    world: Option<&'a World>,
    principal: Option<String>,
    limit: usize,
}

/// Why a diff could not run.
///
/// ```
/// use iamsim::Policy;
/// use iamsim::diff::{DiffError, PolicyDiff};
///
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)?;
/// // A world where nobody has either policy attached, and no principal named.
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
/// let error = PolicyDiff::new(&old, &new).in_world(&world).run().unwrap_err();
/// assert_eq!(error, DiffError::NotAttached);
/// // A bucket is no principal.
/// let error = PolicyDiff::new(&old, &new).principal("arn:aws:s3:::photos").run().unwrap_err();
/// assert!(matches!(error, DiffError::Principal(..)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The principal given is not one a diff can ask as.
    #[error("`{0}`: {1}")]
    Principal(String, String),
    /// No user or role of the world has OLD or NEW attached, and no principal was given.
    #[error(
        "no user or role of the world has a policy with the document of OLD or NEW attached: name one with --principal"
    )]
    NotAttached,
}

impl<'a> PolicyDiff<'a> {
    /// A diff of `old` and `new` as the identity policies of a neutral principal.
    pub fn new(old: &'a Policy, new: &'a Policy) -> PolicyDiff<'a> {
        PolicyDiff { old, new, world: None, principal: None, limit: DEFAULT_LIMIT }
    }

    /// Asks in a world: as its users and roles that have OLD or NEW attached, trying its
    /// resources as well as examples.
    #[must_use]
    pub fn in_world(mut self, world: &'a World) -> PolicyDiff<'a> {
        self.world = Some(world);
        self
    }

    /// Asks as this principal: a user ARN or a role ARN (asked as a session of the role);
    /// without a world also a role session ARN. In a world, the user or role gets OLD (then
    /// NEW) as one more inline policy if it has neither attached.
    #[must_use]
    pub fn principal(mut self, arn: &str) -> PolicyDiff<'a> {
        self.principal = Some(arn.to_owned());
        self
    }

    /// Decides at most this many candidate requests ([`DEFAULT_LIMIT`] unless set); the
    /// report says when it stopped early.
    #[must_use]
    pub fn limit(mut self, requests: usize) -> PolicyDiff<'a> {
        self.limit = requests;
        self
    }

    /// Runs the diff.
    pub fn run(&self) -> Result<Report, DiffError> {
        let (judge, subjects, samples) = match self.world {
            None => self.bare()?,
            Some(world) => self.worldly(world)?,
        };
        let mut run = Run { judge: &judge, report: Report::default(), limit: self.limit, seen: BTreeSet::new() };
        let policies = [self.new, self.old];
        let services = candidates::services_of(&policies);
        for principal in &subjects {
            let mut base = Context::new();
            base.set("aws:SecureTransport", ["true"]);
            let account = principal.account().map_or_else(|| candidates::account_of(&policies), |a| a.to_string());
            let scope = Scope { principal, account, samples: &samples, services: services.clone(), base };
            if !run.subject(&policies, &scope) {
                break;
            }
        }
        Ok(run.report)
    }

    /// The judge and principal without a world.
    fn bare(&self) -> Result<(Judge, Vec<Principal>, Vec<String>), DiffError> {
        let principal = match &self.principal {
            None => {
                let account = candidates::account_of(&[self.new, self.old]);
                Principal::user(&format!("arn:aws:iam::{account}:user/example"))
                    .map_err(|e| DiffError::Principal(account.clone(), e.to_string()))?
            }
            Some(arn) => principal_for(arn)?,
        };
        let judge = Judge::Bare {
            old: Box::new(PolicySet::new().identity(labelled(self.old, OLD_LABEL))),
            new: Box::new(PolicySet::new().identity(labelled(self.new, NEW_LABEL))),
            new_labels: vec![Arc::from(self.new.name().unwrap_or(NEW_LABEL))],
        };
        Ok((judge, vec![principal], Vec::new()))
    }

    /// The judge, principals and resources of a world.
    fn worldly(&self, world: &World) -> Result<(Judge, Vec<Principal>, Vec<String>), DiffError> {
        let model = world.model();
        let mut old = model.clone();
        let mut new = model.clone();
        let documents = [self.old.document(), self.new.document()];
        replace_attached(&mut old, &documents, self.old);
        let new_labels = replace_attached(&mut new, &documents, self.new);
        let mut callers: Vec<(Caller, Principal)> = Vec::new();
        match &self.principal {
            Some(arn) => {
                let (caller, principal) = world_caller(model, arn)?;
                if !has_attached(model, &caller, &documents) {
                    attach(&mut old, &caller, labelled(self.old, OLD_LABEL));
                    attach(&mut new, &caller, labelled(self.new, NEW_LABEL));
                }
                callers.push((caller, principal));
            }
            None => {
                for account in model.accounts() {
                    for user in account.users.values() {
                        let caller = Caller::user(account.id.as_str(), &user.name);
                        if has_attached(model, &caller, &documents)
                            && let Ok(p) = Principal::user(user.arn.as_str())
                        {
                            callers.push((caller, p.with_tags(user.tags.clone())));
                        }
                    }
                    for role in account.roles.values() {
                        let caller = Caller::role_session(account.id.as_str(), &role.name, SESSION_NAME);
                        if has_attached(model, &caller, &documents)
                            && let Ok(p) = Principal::role_session(role.arn.as_str(), SESSION_NAME)
                        {
                            callers.push((caller, p));
                        }
                    }
                }
                if callers.is_empty() {
                    return Err(DiffError::NotAttached);
                }
            }
        }
        let mut new_labels = new_labels;
        new_labels.push(Arc::from(self.new.name().unwrap_or(NEW_LABEL)));
        let mut samples: Vec<String> = Vec::new();
        for bucket in model.buckets() {
            samples.push(format!("arn:aws:s3:::{}", bucket.name));
            samples.extend(bucket.objects.keys().map(|k| format!("arn:aws:s3:::{}/{k}", bucket.name)));
        }
        for account in model.accounts() {
            samples.extend(account.roles.values().map(|r| r.arn.as_str().to_owned()));
            samples.extend(account.users.values().map(|u| u.arn.as_str().to_owned()));
        }
        let principals = callers.iter().map(|(_, p)| p.clone()).collect();
        let judge =
            Judge::World { old: Box::new(old), new: Box::new(new), callers, now: world.clock().now(), new_labels };
        Ok((judge, principals, samples))
    }
}

/// Every request NEW allows that OLD did not, as found for a neutral principal (see
/// [`PolicyDiff`]; the default limit of candidate requests applies).
///
/// ```
/// use iamsim::{Policy, diff};
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
///     "Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
///     "Resource":"*"}]}"#)?;
/// let found = diff::new_access(&old, &new);
/// // One example per resource type s3:GetObject acts on: an access point's object, an object.
/// let resources: Vec<&str> = found.iter().map(|a| a.resource().as_str()).collect();
/// assert_eq!(resources, ["arn:aws:s3:us-east-1:111122223333:accesspoint/example/object/example",
///                        "arn:aws:s3:::example/example"]);
/// // Without MFA: the request needs no context key at all any more.
/// assert!(found.iter().all(|a| a.action().as_str() == "s3:GetObject" && a.context().is_empty()));
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
pub fn new_access(old: &Policy, new: &Policy) -> Vec<NewAccess> {
    PolicyDiff::new(old, new).run().map(|r| r.found).unwrap_or_default()
}

fn labelled(policy: &Policy, fallback: &str) -> Policy {
    let label = policy.name().unwrap_or(fallback).to_owned();
    policy.clone().named(label)
}

/// A principal of a bare diff: a user, a role (as a session) or a role session.
fn principal_for(arn: &str) -> Result<Principal, DiffError> {
    let err = |e: String| DiffError::Principal(arn.to_owned(), e);
    if arn.contains(":role/") {
        return Principal::role_session(arn, SESSION_NAME).map_err(|e| err(e.to_string()));
    }
    match Principal::parse(arn).map_err(|e| err(e.to_string()))? {
        p @ (Principal::User(_) | Principal::RoleSession(_)) => Ok(p),
        _ => Err(err("only a user, a role or a role session can have an identity policy".to_owned())),
    }
}

/// A user or role of the world, by ARN.
fn world_caller(model: &Model, arn: &str) -> Result<(Caller, Principal), DiffError> {
    let err = |e: &str| DiffError::Principal(arn.to_owned(), e.to_owned());
    let parsed = crate::arn::Arn::parse(arn).map_err(|e| err(&e.to_string()))?;
    let account = model.account(parsed.account()).ok_or_else(|| err("the world has no such account"))?;
    let resource = parsed.resource();
    if let Some(path_name) = resource.strip_prefix("user/") {
        let name = path_name.rsplit('/').next().unwrap_or_default();
        let user = account.user(name).filter(|u| u.arn.as_str() == arn).ok_or_else(|| err("no such user"))?;
        let p = Principal::user(user.arn.as_str()).map_err(|e| err(&e.to_string()))?;
        return Ok((Caller::user(account.id.as_str(), &user.name), p.with_tags(user.tags.clone())));
    }
    let role_name = match resource.strip_prefix("role/") {
        Some(path_name) => path_name.rsplit('/').next().unwrap_or_default(),
        None => resource
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split('/').next())
            .ok_or_else(|| err("expected the ARN of a user or a role of the world"))?,
    };
    let role = account.role(role_name).ok_or_else(|| err("no such role"))?;
    let p = Principal::role_session(role.arn.as_str(), SESSION_NAME).map_err(|e| err(&e.to_string()))?;
    Ok((Caller::role_session(account.id.as_str(), &role.name, SESSION_NAME), p))
}

/// The identity policies a caller has, itself or through its groups.
fn identity_policies<'m>(model: &'m Model, caller: &Caller) -> Vec<&'m AttachedPolicy> {
    match caller {
        Caller::User { account, name } => {
            let Some(account) = model.account(account) else { return Vec::new() };
            let Some(user) = account.user(name) else { return Vec::new() };
            let mut out: Vec<&AttachedPolicy> = user.inline_policies.iter().chain(&user.managed_policies).collect();
            for group in user.groups.iter().filter_map(|g| account.group(g)) {
                out.extend(group.inline_policies.iter().chain(&group.managed_policies));
            }
            out
        }
        Caller::RoleSession { account, role, .. } => {
            let Some(role) = model.account(account).and_then(|a| a.role(role)) else { return Vec::new() };
            role.inline_policies.iter().chain(&role.managed_policies).collect()
        }
        _ => Vec::new(),
    }
}

fn has_attached(model: &Model, caller: &Caller, documents: &[&Value]) -> bool {
    identity_policies(model, caller).iter().any(|p| documents.contains(&p.policy.document()))
}

/// Replaces every attached identity policy whose document is one of `documents` by `with`
/// (keeping its label); returns the labels replaced.
fn replace_attached(model: &mut Model, documents: &[&Value], with: &Policy) -> Vec<Arc<str>> {
    let mut labels: Vec<Arc<str>> = Vec::new();
    let mut swap = |list: &mut Vec<AttachedPolicy>| {
        for attached in list.iter_mut().filter(|p| documents.contains(&p.policy.document())) {
            attached.policy = Arc::new(with.clone().named(attached.label.clone()));
            if !labels.contains(&attached.label) {
                labels.push(attached.label.clone());
            }
        }
    };
    for account in model.accounts.values_mut() {
        for user in account.users.values_mut() {
            swap(&mut user.inline_policies);
            swap(&mut user.managed_policies);
        }
        for group in account.groups.values_mut() {
            swap(&mut group.inline_policies);
            swap(&mut group.managed_policies);
        }
        for role in account.roles.values_mut() {
            swap(&mut role.inline_policies);
            swap(&mut role.managed_policies);
        }
    }
    labels
}

/// Attaches `policy` to a user or role as one more inline policy.
fn attach(model: &mut Model, caller: &Caller, policy: Policy) {
    let label: Arc<str> = Arc::from(policy.name().unwrap_or(NEW_LABEL));
    let attached = AttachedPolicy { label, policy: Arc::new(policy) };
    let find = |name: &str, key: &str| name == key || name.eq_ignore_ascii_case(key);
    match caller {
        Caller::User { account, name } => {
            if let Some(a) = model.accounts.get_mut(account.as_str())
                && let Some(u) = a.users.iter_mut().find(|(k, _)| find(k, name)).map(|(_, u)| u)
            {
                u.inline_policies.push(attached);
            }
        }
        Caller::RoleSession { account, role, .. } => {
            if let Some(a) = model.accounts.get_mut(account.as_str())
                && let Some(r) = a.roles.iter_mut().find(|(k, _)| find(k, role)).map(|(_, r)| r)
            {
                r.inline_policies.push(attached);
            }
        }
        _ => {}
    }
}

/// Which policy a request is decided with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// Decides candidates with OLD and with NEW: the engine over two policy sets, or the world's
/// authorization over two copies of the world.
enum Judge {
    Bare {
        old: Box<PolicySet>,
        new: Box<PolicySet>,
        new_labels: Vec<Arc<str>>,
    },
    World {
        old: Box<Model>,
        new: Box<Model>,
        callers: Vec<(Caller, Principal)>,
        now: SystemTime,
        new_labels: Vec<Arc<str>>,
    },
}

impl Judge {
    fn decide(&self, side: Side, principal: &Principal, c: &Candidate) -> Option<Decision> {
        match self {
            Judge::Bare { old, new, .. } => {
                let request = AuthzRequest::new(principal.clone(), c.action.clone(), c.resource.clone())
                    .with_context(c.context.clone());
                Some(evaluate(&request, if side == Side::Old { old } else { new }))
            }
            Judge::World { old, new, callers, now, .. } => {
                let (caller, _) = callers.iter().find(|(_, p)| p == principal)?;
                let model = if side == Side::Old { old } else { new };
                model.authorize(caller, &c.action, &c.resource, &c.context, *now).ok()
            }
        }
    }

    fn new_labels(&self) -> &[Arc<str>] {
        match self {
            Judge::Bare { new_labels, .. } | Judge::World { new_labels, .. } => new_labels,
        }
    }

    /// Both decisions when the candidate is a new access.
    fn new_access(&self, principal: &Principal, c: &Candidate) -> Option<(Decision, Decision)> {
        let new = self.decide(Side::New, principal, c).filter(Decision::is_allowed)?;
        let old = self.decide(Side::Old, principal, c).filter(|d| !d.is_allowed())?;
        Some((old, new))
    }
}

/// One diff in progress.
struct Run<'j> {
    judge: &'j Judge,
    report: Report,
    limit: usize,
    /// (principal, action, resource) already reported: one example each.
    seen: BTreeSet<(String, String, String)>,
}

impl Run<'_> {
    /// Tries every candidate of every statement for one principal; false once the limit is
    /// reached.
    fn subject(&mut self, policies: &[&Policy], scope: &Scope<'_>) -> bool {
        let everywhere: Vec<_> = policies
            .first()
            .map(|new| {
                new.statements.iter().filter(|st| st.effect == Effect::Allow).flat_map(candidates::satisfying).collect()
            })
            .unwrap_or_default();
        for policy in policies {
            for st in &policy.statements {
                let contexts = candidates::contexts(st, scope, &everywhere);
                for action in candidates::actions(st, scope) {
                    for resource in candidates::resources(policy, st, &action, scope) {
                        for context in &contexts {
                            if self.report.checked >= self.limit {
                                self.report.truncated = true;
                                return false;
                            }
                            self.report.checked += 1;
                            let c = Candidate {
                                action: action.clone(),
                                resource: resource.clone(),
                                context: context.clone(),
                            };
                            self.try_candidate(scope.principal, c);
                        }
                    }
                }
            }
        }
        true
    }

    fn try_candidate(&mut self, principal: &Principal, mut c: Candidate) {
        let key =
            (principal.display_name().to_owned(), c.action.lowercase().to_owned(), c.resource.as_str().to_owned());
        if self.seen.contains(&key) {
            return;
        }
        let Some((mut old, mut new)) = self.judge.new_access(principal, &c) else { return };
        // Keep only the keys that make it a new access.
        let keys: Vec<String> = c.context.iter().map(|(k, _)| k.to_owned()).collect();
        for k in keys {
            let mut trial = c.clone();
            trial.context.remove(&k);
            if let Some((o, n)) = self.judge.new_access(principal, &trial) {
                (c, old, new) = (trial, o, n);
            }
        }
        let labels = self.judge.new_labels();
        let by_new = new
            .reasons()
            .iter()
            .filter(|r| {
                r.effect == Effect::Allow && r.policy_type == PolicyType::Identity && labels.contains(&r.policy)
            })
            .cloned()
            .collect();
        self.seen.insert(key);
        self.report.found.push(NewAccess {
            principal: principal.clone(),
            action: c.action,
            resource: c.resource,
            context: c.context,
            old,
            new,
            by_new,
        });
    }
}

/// The outcome of a diff: the new accesses found, and how many requests were decided.
///
/// ```
/// use iamsim::Policy;
/// use iamsim::diff::PolicyDiff;
///
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let report = PolicyDiff::new(&old, &new).run()?;
/// assert!(!report.is_empty());
/// assert!(!report.truncated());
/// assert!(report.checked() >= report.new_accesses().len());
/// assert_eq!(report.new_accesses()[0].action().as_str(), "s3:PutObject");
/// // The other way round, nothing is new.
/// assert!(PolicyDiff::new(&new, &old).run()?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Report {
    found: Vec<NewAccess>,
    checked: usize,
    truncated: bool,
}

impl Report {
    /// Every new access, one example request per principal, action and resource.
    pub fn new_accesses(&self) -> &[NewAccess] {
        &self.found
    }

    /// Whether NEW allows nothing OLD did not (among the requests tried).
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// How many candidate requests were decided (each under OLD and under NEW).
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Whether the diff stopped at its limit before trying every candidate.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// The new accesses grouped: the actions that share a principal, resource, context, the
    /// NEW statements that allow them and OLD's outcome, in the order first found.
    pub fn groups(&self) -> Vec<NewAccessGroup> {
        let mut groups: Vec<NewAccessGroup> = Vec::new();
        for a in &self.found {
            let same = |g: &&mut NewAccessGroup| {
                g.principal == a.principal
                    && g.resource == a.resource
                    && g.context == a.context
                    && g.statements == a.by_new
                    && g.old_outcome == a.old.outcome()
            };
            match groups.iter_mut().find(same) {
                Some(g) => g.actions.push(a.action.clone()),
                None => groups.push(NewAccessGroup {
                    principal: a.principal.clone(),
                    actions: vec![a.action.clone()],
                    resource: a.resource.clone(),
                    context: a.context.clone(),
                    statements: a.by_new.clone(),
                    allowed_by: a.allowed_by().cloned().collect(),
                    old_outcome: a.old.outcome(),
                }),
            }
        }
        for g in &mut groups {
            g.actions.sort();
        }
        groups
    }
}

/// One request NEW allows and OLD does not.
///
/// ```
/// use iamsim::{Outcome, Policy, diff};
///
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*",
///      "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let found = diff::new_access(&old, &new);
/// let access = &found[0];
/// assert_eq!(access.action().as_str(), "s3:GetObject");
/// assert_eq!(access.principal().to_string(), "arn:aws:iam::111122223333:user/example");
/// assert_eq!(access.old_decision().outcome(), Outcome::ImplicitDeny);
/// assert!(access.new_decision().is_allowed());
/// // The example request is one the engine decides again the same way.
/// assert!(iamsim::evaluate(&access.request(), &iamsim::PolicySet::new().identity(new.clone())).is_allowed());
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NewAccess {
    principal: Principal,
    action: Action,
    resource: Resource,
    context: Context,
    old: Decision,
    new: Decision,
    by_new: Vec<Reason>,
}

impl NewAccess {
    /// Who asks.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The action.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The resource.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The request context that matters (only the keys without which it is no new access).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The request, as the engine decided it without a world.
    pub fn request(&self) -> AuthzRequest {
        AuthzRequest::new(self.principal.clone(), self.action.clone(), self.resource.clone())
            .with_context(self.context.clone())
    }

    /// OLD's decision (a denial).
    pub fn old_decision(&self) -> &Decision {
        &self.old
    }

    /// NEW's decision (an allow).
    pub fn new_decision(&self) -> &Decision {
        &self.new
    }

    /// The statements of NEW that allow the request (empty when NEW allows it only by not
    /// denying it, in a world where another policy allows).
    pub fn new_statements(&self) -> &[Reason] {
        &self.by_new
    }

    /// Every `Allow` statement that applied under NEW.
    pub fn allowed_by(&self) -> impl Iterator<Item = &Reason> {
        self.new.reasons().iter().filter(|r| r.effect == Effect::Allow)
    }
}

impl fmt::Display for NewAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(
            f,
            std::slice::from_ref(&self.action),
            &self.resource,
            &self.context,
            &self.by_new,
            &self.allowed_by().cloned().collect::<Vec<_>>(),
            self.old.outcome(),
        )
    }
}

/// New accesses that differ only by action.
///
/// ```
/// use iamsim::{Outcome, Policy};
/// use iamsim::diff::PolicyDiff;
///
/// let old = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let new = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::photos/*"}]}"#)?;
/// let groups = PolicyDiff::new(&old, &new).run()?.groups();
/// assert_eq!(groups.len(), 1);
/// let actions: Vec<&str> = groups[0].actions.iter().map(|a| a.as_str()).collect();
/// assert_eq!(actions, ["s3:DeleteObject", "s3:PutObject"]);
/// assert_eq!(groups[0].old_outcome, Outcome::ImplicitDeny);
/// assert_eq!(groups[0].to_string(), "s3:DeleteObject, s3:PutObject on arn:aws:s3:::photos/example (NEW statement 0; OLD: implicit_deny)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccessGroup {
    /// Who asks.
    pub principal: Principal,
    /// The actions, sorted.
    pub actions: Vec<Action>,
    /// The resource.
    pub resource: Resource,
    /// The context that matters.
    pub context: Context,
    /// The NEW statements that allow them.
    pub statements: Vec<Reason>,
    /// Every `Allow` statement that applied under NEW (the first action's).
    pub allowed_by: Vec<Reason>,
    /// OLD's outcome: `implicit_deny` or `explicit_deny`.
    pub old_outcome: Outcome,
}

/// At most this many actions are named in a line; more are counted.
const ACTIONS_SHOWN: usize = 3;

impl fmt::Display for NewAccessGroup {
    /// `s3:GetObject on arn:aws:s3:::photos/example with aws:SourceIp=203.0.113.0 (NEW
    /// statement 0; OLD: implicit_deny)`; several actions as `s3:GetObject, s3:PutObject`, more
    /// than three as `12 actions (s3:A, s3:B, s3:C, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(
            f,
            &self.actions,
            &self.resource,
            &self.context,
            &self.statements,
            &self.allowed_by,
            self.old_outcome,
        )
    }
}

fn write_line(
    f: &mut fmt::Formatter<'_>,
    actions: &[Action],
    resource: &Resource,
    context: &Context,
    statements: &[Reason],
    allowed_by: &[Reason],
    old: Outcome,
) -> fmt::Result {
    let names: Vec<&str> = actions.iter().map(Action::as_str).collect();
    if names.len() > ACTIONS_SHOWN {
        let shown: Vec<&str> = names.iter().take(ACTIONS_SHOWN).copied().collect();
        write!(f, "{} actions ({}, …)", names.len(), shown.join(", "))?;
    } else {
        f.write_str(&names.join(", "))?;
    }
    write!(f, " on {resource}")?;
    if !context.is_empty() {
        let pairs: Vec<String> = context.iter().map(|(k, v)| format!("{k}={}", v.join(","))).collect();
        write!(f, " with {}", pairs.join(", "))?;
    }
    f.write_str(" (")?;
    match statements {
        [] => {
            let reasons: Vec<String> = allowed_by.iter().map(ToString::to_string).collect();
            write!(f, "NEW removes a denial; allowed by {}", reasons.join("; "))?;
        }
        [one] => {
            write!(f, "NEW statement {}", one.statement)?;
            if let Some(sid) = &one.sid {
                write!(f, " (Sid `{sid}`)")?;
            }
        }
        many => {
            let numbers: Vec<String> = many.iter().map(|r| r.statement.to_string()).collect();
            write!(f, "NEW statements {}", numbers.join(", "))?;
        }
    }
    write!(f, "; OLD: {old})")
}

#[cfg(test)]
mod tests;
