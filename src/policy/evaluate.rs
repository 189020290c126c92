//! The AWS decision algorithm across service control policies, resource control policies,
//! resource-based policies, identity-based policies, permissions boundaries and session
//! policies.
//!
//! Sources, each rule cited where it is applied below:
//! - [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
//!   and its section "How AWS enforcement code logic evaluates requests to allow or deny access";
//! - [Cross-account policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html);
//! - [Permissions boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html);
//! - [Session policies](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session);
//! - [NotPrincipal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).

use std::fmt;
use std::sync::Arc;

use super::action::Action;
use super::condition::Outcome as CondOutcome;
use super::context::{Context, Lookup};
use super::decision::{Cause, Decision, PolicyType, Reason};
use super::document::{AwsEntry, Effect, Policy, PrincipalClause, Statement};
use super::principal::{AccountId, Principal, PrincipalError};
use crate::arn::{Arn, ArnError};

/// The resource a request acts on: an ARN, or `*` for actions that take no resource.
///
/// ```
/// use iamsim::Resource;
/// let bucket: Resource = "arn:aws:s3:::photos".parse()?;
/// assert_eq!(bucket.as_str(), "arn:aws:s3:::photos");
/// assert_eq!(Resource::any().as_str(), "*");
/// assert!("photos".parse::<Resource>().is_err());
/// # Ok::<(), iamsim::arn::ArnError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Resource {
    text: Arc<str>,
    arn: Option<Arn>,
}

impl Resource {
    /// `*`: the action takes no resource.
    pub fn any() -> Resource {
        Resource { text: Arc::from("*"), arn: None }
    }

    /// Parses `*` or an ARN.
    pub fn parse(text: &str) -> Result<Resource, ArnError> {
        if text == "*" {
            return Ok(Resource::any());
        }
        let arn = Arn::parse(text)?;
        Ok(Resource { text: Arc::from(text), arn: Some(arn) })
    }

    /// The resource as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The ARN, unless the resource is `*`.
    pub fn arn(&self) -> Option<&Arn> {
        self.arn.as_ref()
    }
}

impl From<Arn> for Resource {
    fn from(arn: Arn) -> Resource {
        Resource { text: Arc::from(arn.as_str()), arn: Some(arn) }
    }
}

impl std::str::FromStr for Resource {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Resource::parse(s)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why [`AuthzRequest::parse`] failed.
///
/// ```
/// use iamsim::policy::RequestError;
/// use iamsim::AuthzRequest;
/// let err = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "GetObject", "arn:aws:s3:::b/k").unwrap_err();
/// assert!(matches!(err, RequestError::Action(_)));
/// assert_eq!(err.to_string(), "action: `GetObject` is not an action: expected `service:ActionName`");
/// let err = AuthzRequest::parse("alice", "s3:GetObject", "arn:aws:s3:::b/k").unwrap_err();
/// assert!(matches!(err, RequestError::Principal(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The principal text.
    #[error("principal: {0}")]
    Principal(#[from] PrincipalError),
    /// The action text.
    #[error("action: {0}")]
    Action(#[from] super::action::ActionError),
    /// The resource text.
    #[error("resource: {0}")]
    Resource(#[from] ArnError),
}

/// One authorization question: who, what action, on which resource, with which context.
///
/// ```
/// use iamsim::{AuthzRequest, Context};
/// let request = AuthzRequest::parse("arn:aws:sts::111122223333:assumed-role/reader/app", "s3:ListBucket", "arn:aws:s3:::photos")?
///     .with_resource_account("444455556666".parse()?)
///     .with_context(Context::new().with("aws:SourceIp", "203.0.113.5"));
/// assert_eq!(request.action().as_str(), "s3:ListBucket");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct AuthzRequest {
    principal: Principal,
    principal_name: Arc<str>,
    action: Action,
    resource: Resource,
    resource_account: Option<AccountId>,
    context: Context,
}

impl AuthzRequest {
    /// A request with an empty context; the resource's account defaults to the account in its
    /// ARN, else the principal's account.
    pub fn new(principal: Principal, action: Action, resource: Resource) -> AuthzRequest {
        let principal_name = Arc::from(principal.display_name());
        AuthzRequest { principal, principal_name, action, resource, resource_account: None, context: Context::new() }
    }

    /// Parses the three parts from text (see [`Principal::parse`]).
    pub fn parse(principal: &str, action: &str, resource: &str) -> Result<AuthzRequest, RequestError> {
        Ok(AuthzRequest::new(Principal::parse(principal)?, Action::new(action)?, Resource::parse(resource)?))
    }

    /// Sets the account that owns the resource (S3 ARNs carry none).
    #[must_use]
    pub fn with_resource_account(mut self, account: AccountId) -> AuthzRequest {
        self.resource_account = Some(account);
        self
    }

    /// Sets the request context.
    #[must_use]
    pub fn with_context(mut self, context: Context) -> AuthzRequest {
        self.context = context;
        self
    }

    /// The caller.
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

    /// The request context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The account that owns the resource: as set, else the ARN's account, else the
    /// principal's.
    pub fn resource_account(&self) -> Option<&AccountId> {
        if self.resource_account.is_some() {
            return self.resource_account.as_ref();
        }
        self.principal
            .account()
            .filter(|a| self.resource.arn().is_none_or(|arn| arn.account().is_empty() || arn.account() == a.as_str()))
    }

    /// Whether the request asks a role's trust policy: an `sts:` action on an IAM role.
    fn is_trust_policy_request(&self) -> bool {
        self.action.service_lowercase() == "sts"
            && self.resource.arn().is_some_and(|a| a.service() == "iam" && a.resource().starts_with("role/"))
    }

    fn resource_account_text(&self) -> Option<&str> {
        match &self.resource_account {
            Some(a) => Some(a.as_str()),
            None => match self.resource.arn().map(Arn::account) {
                Some(acct) if AccountId::new(acct).is_ok() => Some(acct),
                _ => self.principal.account().map(AccountId::as_str),
            },
        }
    }
}

/// A policy with the name it is reported by.
#[derive(Clone, Debug)]
struct Named {
    policy: Arc<Policy>,
    label: Arc<str>,
}

/// Every policy in force for one request, by kind.
///
/// ```
/// use iamsim::{Policy, PolicySet};
/// let allow_all = Policy::parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)?;
/// let set = PolicySet::new()
///     .identity(allow_all.clone().named("Admin"))
///     .scp_level([allow_all.clone().named("FullAWSAccess")])
///     .scp_level([allow_all.named("FullAWSAccess")]);
/// assert_eq!(set.scp_levels(), Some(2));
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    identity: Vec<Named>,
    boundary: Option<Named>,
    session: Vec<Named>,
    resource: Option<Named>,
    scps: Option<Vec<Vec<Named>>>,
    rcps: Option<Vec<Vec<Named>>>,
}

fn named(policy: impl Into<Arc<Policy>>, fallback: impl FnOnce() -> String) -> Named {
    let policy = policy.into();
    let label = policy.name_arc().cloned().unwrap_or_else(|| Arc::from(fallback()));
    Named { policy, label }
}

/// Appends one organization level, naming unnamed policies `SCP 2 at level 1`.
fn push_level<P: Into<Arc<Policy>>>(
    levels: &mut Option<Vec<Vec<Named>>>,
    kind: &str,
    policies: impl IntoIterator<Item = P>,
) {
    let levels = levels.get_or_insert_with(Vec::new);
    let level = levels.len() + 1;
    levels.push(
        policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| named(p, || format!("{kind} {} at level {level}", i + 1)))
            .collect(),
    );
}

impl PolicySet {
    /// No policies: every request is implicitly denied (except the root user's own).
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// Adds an identity-based policy (of the user, one of its groups, or the role).
    #[must_use]
    pub fn identity(mut self, policy: impl Into<Arc<Policy>>) -> PolicySet {
        let n = self.identity.len() + 1;
        self.identity.push(named(policy, || format!("identity policy {n}")));
        self
    }

    /// Sets the permissions boundary of the user, or of the role behind a session.
    #[must_use]
    pub fn boundary(mut self, policy: impl Into<Arc<Policy>>) -> PolicySet {
        self.boundary = Some(named(policy, || "permissions boundary".to_owned()));
        self
    }

    /// Adds a session policy passed when the role session was created.
    #[must_use]
    pub fn session_policy(mut self, policy: impl Into<Arc<Policy>>) -> PolicySet {
        let n = self.session.len() + 1;
        self.session.push(named(policy, || format!("session policy {n}")));
        self
    }

    /// Sets the resource's own policy: a bucket policy, or a role's trust policy.
    #[must_use]
    pub fn resource_policy(mut self, policy: impl Into<Arc<Policy>>) -> PolicySet {
        self.resource = Some(named(policy, || "resource policy".to_owned()));
        self
    }

    /// Adds one level of SCPs for the principal's account, from the organization root down to
    /// the account. The first call also declares that the account is an organization member.
    #[must_use]
    pub fn scp_level<P: Into<Arc<Policy>>>(mut self, policies: impl IntoIterator<Item = P>) -> PolicySet {
        push_level(&mut self.scps, "SCP", policies);
        self
    }

    /// Adds one level of RCPs for the resource's account, from the root down to the account.
    #[must_use]
    pub fn rcp_level<P: Into<Arc<Policy>>>(mut self, policies: impl IntoIterator<Item = P>) -> PolicySet {
        push_level(&mut self.rcps, "RCP", policies);
        self
    }

    /// How many SCP levels apply, or `None` when the principal's account is in no organization.
    pub fn scp_levels(&self) -> Option<usize> {
        self.scps.as_ref().map(Vec::len)
    }

    /// How many RCP levels apply, or `None` when the resource's account is in no organization.
    pub fn rcp_levels(&self) -> Option<usize> {
        self.rcps.as_ref().map(Vec::len)
    }

    /// Every policy in the set with its kind, in evaluation order.
    pub fn policies(&self) -> impl Iterator<Item = (PolicyType, &Policy)> {
        fn levels(ls: &Option<Vec<Vec<Named>>>, t: PolicyType) -> Vec<(PolicyType, &Policy)> {
            ls.iter().flatten().flatten().map(|n| (t, &*n.policy)).collect()
        }
        let mut all = levels(&self.scps, PolicyType::ServiceControl);
        all.extend(levels(&self.rcps, PolicyType::ResourceControl));
        all.extend(self.identity.iter().map(|n| (PolicyType::Identity, &*n.policy)));
        all.extend(self.resource.iter().map(|n| (PolicyType::Resource, &*n.policy)));
        all.extend(self.boundary.iter().map(|n| (PolicyType::PermissionsBoundary, &*n.policy)));
        all.extend(self.session.iter().map(|n| (PolicyType::Session, &*n.policy)));
        all.into_iter()
    }
}

/// How a resource-based policy's `Allow` names the caller. Several can hold at once.
#[derive(Clone, Copy, Debug, Default)]
struct Grants {
    /// The caller's account (12-digit id or root ARN).
    account: bool,
    /// `"*"`, `{"AWS": "*"}`, or an `Allow` with `NotPrincipal` that leaves the caller out.
    everyone: bool,
    /// The role behind the caller's session.
    role: bool,
    /// The caller itself: its user ARN, role-session ARN, federated-user ARN, service or
    /// identity provider.
    named: bool,
}

impl Grants {
    fn any(self) -> bool {
        self.account || self.everyone || self.role || self.named
    }

    fn add(&mut self, other: Grants) {
        self.account |= other.account;
        self.everyone |= other.everyone;
        self.role |= other.role;
        self.named |= other.named;
    }
}

/// What one policy came to.
#[derive(Clone, Copy, Debug, Default)]
struct Scan {
    allow: Grants,
    deny: bool,
}

struct Evaluator<'a> {
    request: &'a AuthzRequest,
    lookup: Lookup<'a>,
    has_boundary: bool,
    reasons: Vec<Reason>,
    missing: Vec<Arc<str>>,
}

impl Evaluator<'_> {
    /// Scans one policy: which statements apply, and how its `Allow`s name the caller.
    fn scan(&mut self, named: &Named, ty: PolicyType) -> Scan {
        let mut scan = Scan::default();
        let uses_principal = matches!(ty, PolicyType::Resource | PolicyType::RoleTrust | PolicyType::ResourceControl);
        for st in &named.policy.statements {
            let hit = st.actions.patterns.iter().any(|p| p.matches(&self.request.action));
            if hit == st.actions.negated {
                continue;
            }
            if let Some(res) = &st.resources {
                let resource = self.request.resource.as_str();
                let hit = res.entries.iter().any(|e| e.matches(resource, &self.lookup));
                if hit == res.negated {
                    continue;
                }
            }
            let grants = if uses_principal {
                match &st.principal {
                    Some(clause) => self.principal_grants(clause, st.effect),
                    // A resource policy statement without a principal names no one.
                    None => Grants::default(),
                }
            } else {
                Grants { named: true, ..Grants::default() }
            };
            if !grants.any() {
                continue;
            }
            if !self.conditions_hold(st) {
                continue;
            }
            self.reasons.push(Reason {
                policy_type: ty,
                policy: named.label.clone(),
                statement: st.index,
                sid: st.sid.clone(),
                effect: st.effect,
            });
            match st.effect {
                Effect::Deny => scan.deny = true,
                Effect::Allow => scan.allow.add(grants),
            }
        }
        scan
    }

    /// Conditions are ANDed. A failed `Allow` whose condition lacked a key records the key.
    fn conditions_hold(&mut self, st: &Statement) -> bool {
        let mut missing: Option<&str> = None;
        for c in &st.conditions {
            match c.evaluate(&self.lookup) {
                CondOutcome::True => {}
                CondOutcome::False => return false,
                CondOutcome::FalseMissingKey => {
                    missing = Some(&c.key_name);
                    break;
                }
            }
        }
        match missing {
            None => true,
            Some(key) => {
                if st.effect == Effect::Allow {
                    self.missing.push(Arc::from(key));
                }
                false
            }
        }
    }

    /// How a `Principal` / `NotPrincipal` element names the caller
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
    fn principal_grants(&self, clause: &PrincipalClause, effect: Effect) -> Grants {
        let p = self.request.principal();
        if clause.negated {
            return if self.exempt_from_not_principal(clause, effect) {
                Grants::default()
            } else {
                Grants { everyone: true, ..Grants::default() }
            };
        }
        let mut g = Grants { everyone: clause.everyone, ..Grants::default() };
        for entry in &clause.aws {
            match (entry, p) {
                // The root ARN and the bare id both mean every principal of the account
                // ("AWS account principals").
                (AwsEntry::Account(a), _) => g.account |= p.account() == Some(a),
                (AwsEntry::User(arn), Principal::User(_)) => g.named |= p.arn() == Some(arn.as_str()),
                (AwsEntry::Role(arn), Principal::RoleSession(_)) => g.role |= p.role_arn() == Some(arn.as_str()),
                (AwsEntry::Session(arn), Principal::RoleSession(_)) => g.named |= p.arn() == Some(arn.as_str()),
                (AwsEntry::FederatedUser(arn), Principal::FederatedUser(_)) => g.named |= p.arn() == Some(arn.as_str()),
                (AwsEntry::UniqueId(id), Principal::User(_)) => g.named |= p.unique_id() == Some(id),
                (AwsEntry::UniqueId(id), Principal::RoleSession(_)) => g.role |= p.unique_id() == Some(id),
                _ => {}
            }
        }
        if let Some(name) = p.service_name() {
            g.named |= clause.services.iter().any(|s| s.eq_ignore_ascii_case(name));
        }
        if let Some(provider) = p.provider() {
            g.named |= clause.federated.iter().any(|f| **f == *provider);
        }
        g
    }

    /// Whether the caller is left out of a `NotPrincipal` statement. For a `Deny`, the list must
    /// name the caller at every level of its identity (user and account; session, role and
    /// account), anonymous callers are never exempt, and a principal with a permissions boundary
    /// is never exempt ("NotPrincipal > Key points").
    fn exempt_from_not_principal(&self, clause: &PrincipalClause, effect: Effect) -> bool {
        if clause.everyone {
            return true;
        }
        let p = self.request.principal();
        if effect == Effect::Deny && self.has_boundary && matches!(p, Principal::User(_) | Principal::RoleSession(_)) {
            return false;
        }
        let has = |want: &dyn Fn(&AwsEntry) -> bool| clause.aws.iter().any(want);
        let account = |e: &AwsEntry| matches!(e, AwsEntry::Account(a) if p.account() == Some(a));
        let arn_is = |e: &AwsEntry, target: Option<&str>| match e {
            AwsEntry::User(a) | AwsEntry::Role(a) | AwsEntry::Session(a) | AwsEntry::FederatedUser(a) => {
                Some(a.as_str()) == target
            }
            AwsEntry::Account(_) => false,
            AwsEntry::UniqueId(id) => p.unique_id() == Some(&**id) && target == p.principal_arn(),
        };
        match p {
            Principal::User(_) | Principal::FederatedUser(_) => has(&account) && has(&|e| arn_is(e, p.arn())),
            Principal::RoleSession(_) => {
                has(&account) && has(&|e| arn_is(e, p.arn())) && has(&|e| arn_is(e, p.role_arn()))
            }
            Principal::Root(_) => has(&account),
            Principal::Service(_) => {
                let name = p.service_name().unwrap_or_default();
                clause.services.iter().any(|x| x.eq_ignore_ascii_case(name))
            }
            Principal::WebIdentity(_) => {
                let provider = p.provider().unwrap_or_default();
                clause.federated.iter().any(|x| **x == *provider)
            }
            Principal::Anonymous => false,
        }
    }

    fn scan_all(&mut self, list: &[Named], ty: PolicyType) -> Vec<Scan> {
        list.iter().map(|n| self.scan(n, ty)).collect()
    }
}

/// Whether an action needs no permission at all: AWS performs it for any caller that signs
/// with valid credentials, without asking any policy, so no policy can allow or deny it.
///
/// This is the one place that rule is written; [`evaluate`] applies it, so the world's
/// questions, the fake STS, `iamsim eval` and the decision vectors all answer alike. One action
/// is documented so: `sts:GetCallerIdentity` — "No permissions are required to perform this
/// operation. If an administrator attaches a policy to your identity that explicitly denies
/// access to the sts:GetCallerIdentity action, you can still perform this operation" (AWS
/// Security Token Service API Reference, GetCallerIdentity). `sts:GetSessionToken` also needs
/// no permission, but only an IAM user's long-term keys may call it, which a principal alone
/// does not tell: the fake STS checks that, and it is not listed here.
///
/// ```
/// use iamsim::policy::permission_not_required;
/// assert!(permission_not_required(&"sts:GetCallerIdentity".parse()?));
/// assert!(permission_not_required(&"STS:getcalleridentity".parse()?));
/// assert!(!permission_not_required(&"sts:GetAccessKeyInfo".parse()?));
/// # Ok::<(), iamsim::policy::ActionError>(())
/// ```
pub fn permission_not_required(action: &Action) -> bool {
    action.lowercase() == "sts:getcalleridentity"
}

/// Decides one request against the policies in force, as AWS does.
///
/// An action that needs no permission ([`permission_not_required`]) is allowed for every
/// caller with credentials (a user, role session, root or federated user), whatever the
/// policies say; anonymous callers, services and web identities have no credentials to call it
/// with, and are decided as for any other action.
///
/// ```
/// use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
/// let deny_all = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#)?;
/// let set = PolicySet::new().identity(deny_all.named("DenyAll"));
/// let whoami = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "sts:GetCallerIdentity", "*")?;
/// let decision = evaluate(&whoami, &set);
/// assert_eq!(decision.outcome(), Outcome::Allow);
/// assert_eq!(decision.explanation(), "no policy was evaluated: sts:GetCallerIdentity needs no permission and cannot be denied");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```
/// use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
/// let read = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/${aws:username}/*"}]}"#)?;
/// let set = PolicySet::new().identity(read.named("ReadOwnPhotos"));
/// let own = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/alice/1.jpg")?;
/// let other = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/bob/1.jpg")?;
/// assert_eq!(evaluate(&own, &set).outcome(), Outcome::Allow);
/// assert_eq!(evaluate(&other, &set).outcome(), Outcome::ImplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(request: &AuthzRequest, policies: &PolicySet) -> Decision {
    if permission_not_required(&request.action) && request.principal.account().is_some() {
        return Decision::new(
            Cause::NoPermissionRequired,
            request.principal_name.clone(),
            request.action.clone(),
            request.resource.text.clone(),
            Vec::new(),
            Vec::new(),
        );
    }
    let mut ev = Evaluator {
        request,
        lookup: Lookup { principal: &request.principal, context: &request.context },
        has_boundary: policies.boundary.is_some(),
        reasons: Vec::new(),
        missing: Vec::new(),
    };
    let principal = &request.principal;
    let has_account = principal.account().is_some();

    // Every policy is scanned, so that the decision lists every statement that applied.
    // SCPs limit only principals of member accounts; services, web identities and anonymous
    // callers belong to no account ("Service control policies (SCPs)").
    let scps: Option<Vec<Vec<Scan>>> = match (&policies.scps, has_account) {
        (Some(levels), true) => Some(levels.iter().map(|l| ev.scan_all(l, PolicyType::ServiceControl)).collect()),
        _ => None,
    };
    let rcps: Option<Vec<Vec<Scan>>> = policies
        .rcps
        .as_ref()
        .map(|levels| levels.iter().map(|l| ev.scan_all(l, PolicyType::ResourceControl)).collect());
    let identity = ev.scan_all(&policies.identity, PolicyType::Identity);
    let resource_type = if request.is_trust_policy_request() { PolicyType::RoleTrust } else { PolicyType::Resource };
    let resource = policies.resource.as_ref().map(|n| ev.scan(n, resource_type));
    let boundary = policies.boundary.as_ref().map(|n| ev.scan(n, PolicyType::PermissionsBoundary));
    let session = ev.scan_all(&policies.session, PolicyType::Session);

    let cause = decide(
        request,
        DecideInput {
            scps: scps.as_deref(),
            rcps: rcps.as_deref(),
            identity: &identity,
            resource,
            resource_type,
            boundary,
            session: &session,
        },
    );
    Decision::new(
        cause,
        request.principal_name.clone(),
        request.action.clone(),
        request.resource.text.clone(),
        ev.reasons,
        ev.missing,
    )
}

struct DecideInput<'a> {
    scps: Option<&'a [Vec<Scan>]>,
    rcps: Option<&'a [Vec<Scan>]>,
    identity: &'a [Scan],
    resource: Option<Scan>,
    resource_type: PolicyType,
    boundary: Option<Scan>,
    session: &'a [Scan],
}

fn decide(request: &AuthzRequest, input: DecideInput<'_>) -> Cause {
    let flat =
        |levels: Option<&[Vec<Scan>]>| -> Vec<Scan> { levels.into_iter().flatten().flatten().copied().collect() };
    // 1. Deny evaluation: an applicable Deny in any policy ends it ("explicit deny overrides
    //    allow", Policy evaluation logic > Deny evaluation).
    let denies = [
        (PolicyType::ServiceControl, flat(input.scps).iter().any(|s| s.deny)),
        (PolicyType::ResourceControl, flat(input.rcps).iter().any(|s| s.deny)),
        (PolicyType::Identity, input.identity.iter().any(|s| s.deny)),
        (input.resource_type, input.resource.is_some_and(|s| s.deny)),
        (PolicyType::PermissionsBoundary, input.boundary.is_some_and(|s| s.deny)),
        (PolicyType::Session, input.session.iter().any(|s| s.deny)),
    ];
    if let Some((ty, _)) = denies.iter().find(|(_, d)| *d) {
        return Cause::ExplicitDeny(*ty);
    }
    // 2. and 3. Every level of the organization must allow: RCPs for the resource's account,
    //    SCPs for the principal's ("Resource control policies", "Service control policies").
    let every_level_allows = |levels: &[Vec<Scan>]| levels.iter().all(|l| l.iter().any(|s| s.allow.any()));
    if input.rcps.is_some_and(|l| !every_level_allows(l)) {
        return Cause::NoAllow(PolicyType::ResourceControl);
    }
    if input.scps.is_some_and(|l| !every_level_allows(l)) {
        return Cause::NoAllow(PolicyType::ServiceControl);
    }

    // 4. Grants.
    let principal = request.principal();
    let identity_allows = input.identity.iter().any(|s| s.allow.any());
    let boundary_allows = input.boundary.is_none_or(|s| s.allow.any());
    // A federated-user session without a session policy has no permissions of its own
    // (STS API Reference, GetFederationToken: "if you do not pass a policy, then the resulting
    // federated user session has no permissions"); a role session without one keeps its role's.
    let session_allows = if input.session.is_empty() {
        !matches!(principal, Principal::FederatedUser(_))
    } else {
        input.session.iter().any(|s| s.allow.any())
    };
    let grants = input.resource.map(|s| s.allow).unwrap_or_default();
    // The first policy kind on the principal's side that fails to allow.
    let principal_side: Result<(), PolicyType> = match principal {
        // The root user has full access in its own account.
        Principal::Root(_) => Ok(()),
        Principal::User(_) | Principal::RoleSession(_) | Principal::FederatedUser(_) => {
            if !identity_allows {
                Err(PolicyType::Identity)
            } else if !boundary_allows {
                Err(PolicyType::PermissionsBoundary)
            } else if !session_allows {
                Err(PolicyType::Session)
            } else {
                Ok(())
            }
        }
        Principal::Anonymous | Principal::Service(_) | Principal::WebIdentity(_) => Err(input.resource_type),
    };
    let allow_if = |ok: bool, otherwise: PolicyType| if ok { Cause::Allowed } else { Cause::NoAllow(otherwise) };
    let same_account = match (principal.account(), request.resource_account_text()) {
        (Some(p), Some(r)) => p.as_str() == r,
        _ => false,
    };
    let is_trust_policy = input.resource_type == PolicyType::RoleTrust;

    match principal {
        // Anonymous callers, services and web identities have no identity policies: only a
        // resource-based policy that names them (or everyone) can grant.
        Principal::Anonymous => allow_if(grants.everyone, input.resource_type),
        Principal::Service(_) | Principal::WebIdentity(_) => {
            allow_if(grants.named || grants.everyone, input.resource_type)
        }
        // A role's trust policy must allow, whatever the identity policies say. Within one
        // account, naming the user or session ARN is enough without an identity policy, but a
        // permissions boundary must still allow ("Update a role trust policy > Notes").
        // Otherwise, and across accounts, the principal's side must allow too (AssumeRole API).
        _ if is_trust_policy => {
            if !grants.any() {
                Cause::NoAllow(PolicyType::RoleTrust)
            } else if same_account && grants.named && boundary_allows {
                Cause::Allowed
            } else {
                match principal_side {
                    Ok(()) => Cause::Allowed,
                    Err(ty) => Cause::NoAllow(ty),
                }
            }
        }
        // Same account: a resource policy that names the user or session ARN (or everyone)
        // grants by itself, not limited by identity policies, boundary or session policies; one
        // that names the role ARN is limited by the boundary and session policies; one that names
        // only the account delegates to identity policies (Policy evaluation logic >
        // "Evaluating identity-based policies with resource-based policies").
        _ if same_account => {
            let direct = matches!(principal, Principal::Root(_)) || grants.named || grants.everyone;
            if direct || (grants.role && boundary_allows && session_allows) {
                Cause::Allowed
            } else {
                match principal_side {
                    Ok(()) => Cause::Allowed,
                    Err(ty) => Cause::NoAllow(ty),
                }
            }
        }
        // Cross account: both sides must allow ("Cross-account policy evaluation logic").
        _ => match principal_side {
            Err(ty) => Cause::NoAllow(ty),
            Ok(()) => allow_if(grants.any(), PolicyType::Resource),
        },
    }
}
