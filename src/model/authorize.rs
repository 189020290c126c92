//! From "who asks to do what on which resource" to a decision: the one place that gathers the
//! policies and context keys a world puts in force for a request, then asks the engine.
//!
//! Everything that decides access goes through [`Model::authorize`]: the harness's direct
//! questions now, the STS, S3 and IMDS fakes later. No rule is decided here; this module only
//! collects inputs for [`evaluate`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Model;
use super::iam::{Account, AttachedPolicy, User};
use super::lookup::{self, ResourceState};
use crate::clock::format_rfc3339;
use crate::policy::{
    AccountId, Action, AuthzRequest, Context, Decision, Policy, PolicySet, Principal, Resource, Tags, evaluate,
};

/// What a role session carries besides its role: the session name, session policies and tags,
/// the source identity, and how it was authenticated.
///
/// ```
/// use iamsim::model::{Caller, SessionDetails};
/// use iamsim::Context;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader:
///         trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] }
///         inline_policies:
///           TeamPhotos: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "*",
///                         Condition: { StringEquals: { "aws:PrincipalTag/team": photos } } }] }
/// "#)?;
/// let (get, photo) = ("s3:GetObject".parse()?, "arn:aws:s3:::photos/a.jpg".parse()?);
/// let untagged = Caller::role_session("111111111111", "reader", "app");
/// assert!(!world.authorize(&untagged, &get, &photo, &Context::new())?.is_allowed());
/// let tagged = Caller::RoleSession {
///     account: "111111111111".into(),
///     role: "reader".into(),
///     session: SessionDetails { name: "app".into(), tags: [("team".into(), "photos".into())].into(), ..SessionDetails::default() },
/// };
/// assert!(world.authorize(&tagged, &get, &photo, &Context::new())?.is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct SessionDetails {
    /// The role session name.
    pub name: String,
    /// Session policies passed when the session was created.
    pub policies: Vec<Arc<Policy>>,
    /// Session tags; they override the role's tags with the same key.
    pub tags: BTreeMap<String, String>,
    /// The source identity set when the role was assumed.
    pub source_identity: Option<String>,
    /// Whether the credentials that created the session were MFA-authenticated.
    pub mfa_authenticated: bool,
    /// When the session's credentials were issued (`aws:TokenIssueTime`); the world's current
    /// time when not given.
    pub issued_at: Option<SystemTime>,
    /// Session tag keys marked transitive: they pass on to sessions this one creates by role
    /// chaining (`sts:TransitiveTagKeys`).
    pub transitive_tag_keys: Vec<String>,
    /// Condition keys the service that delivered the credentials attaches to every request they
    /// sign — for an EC2 instance role, `ec2:SourceInstanceARN`, `ec2:RoleDelivery`,
    /// `aws:Ec2InstanceSourceVpc` and `aws:Ec2InstanceSourcePrivateIPv4` (IAM User Guide, "AWS
    /// global condition context keys"; Service Authorization Reference, Amazon EC2). They are not
    /// passed on to sessions this one creates.
    pub context_keys: BTreeMap<String, String>,
}

/// Who makes a request in a world.
///
/// ```
/// use iamsim::model::Caller;
/// let alice = Caller::user("111111111111", "alice");
/// let reader = Caller::role_session("111111111111", "reader", "app");
/// assert_eq!(format!("{alice:?}").contains("alice"), true);
/// # let _ = reader;
/// ```
#[derive(Clone, Debug)]
pub enum Caller {
    /// An IAM user signing with its own access keys.
    User {
        /// The user's account.
        account: String,
        /// The user's name.
        name: String,
    },
    /// A session of a role.
    RoleSession {
        /// The role's account.
        account: String,
        /// The role's name.
        role: String,
        /// The session.
        session: SessionDetails,
    },
    /// The root user of an account.
    Root {
        /// The account.
        account: String,
    },
    /// An AWS service principal such as `ec2.amazonaws.com`.
    Service {
        /// The service principal name.
        name: String,
    },
    /// A web identity or SAML caller, named by its provider (for trust questions).
    WebIdentity {
        /// The provider: an OIDC/SAML provider ARN or a well-known name.
        provider: String,
    },
    /// An IAM user, or the root user, signing with temporary credentials from `GetSessionToken`.
    UserSession {
        /// The account.
        account: String,
        /// The user's name; `None` for the root user.
        name: Option<String>,
        /// Whether `GetSessionToken` was called with a valid MFA code.
        mfa_authenticated: bool,
        /// When the credentials were issued.
        issued_at: SystemTime,
    },
    /// A federated user session from `GetFederationToken`: the calling IAM user's permissions
    /// intersected with the session policies.
    FederatedUser {
        /// The account.
        account: String,
        /// The federated user's name (`Name`).
        name: String,
        /// The IAM user that called `GetFederationToken`.
        user: String,
        /// The session policies passed.
        policies: Vec<Arc<Policy>>,
        /// Session tags.
        tags: BTreeMap<String, String>,
        /// When the credentials were issued.
        issued_at: SystemTime,
    },
    /// An unauthenticated request.
    Anonymous,
}

impl Caller {
    /// An IAM user.
    pub fn user(account: &str, name: &str) -> Caller {
        Caller::User { account: account.to_owned(), name: name.to_owned() }
    }

    /// The account the caller belongs to (none for services, web identities and anonymous
    /// callers).
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::User { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::Root { account }
            | Caller::UserSession { account, .. }
            | Caller::FederatedUser { account, .. } => Some(account),
            Caller::Service { .. } | Caller::WebIdentity { .. } | Caller::Anonymous => None,
        }
    }

    /// A session of a role, with no session policy, tags or MFA.
    pub fn role_session(account: &str, role: &str, session_name: &str) -> Caller {
        Caller::RoleSession {
            account: account.to_owned(),
            role: role.to_owned(),
            session: SessionDetails { name: session_name.to_owned(), ..SessionDetails::default() },
        }
    }
}

/// A caller or resource the world does not have.
///
/// ```
/// use iamsim::model::{Caller, UnknownEntity};
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?;
/// let (get, photo) = ("s3:GetObject".parse()?, "arn:aws:s3:::photos/a.jpg".parse()?);
/// let err = world.authorize(&Caller::user("111111111111", "nobody"), &get, &photo, &iamsim::Context::new()).unwrap_err();
/// assert_eq!(err, UnknownEntity::User { account: "111111111111".into(), name: "nobody".into() });
/// assert_eq!(err.to_string(), "account 111111111111 has no user `nobody`");
/// let err = world.authorize(&Caller::user("222222222222", "alice"), &get, &photo, &iamsim::Context::new()).unwrap_err();
/// assert_eq!(err, UnknownEntity::Account("222222222222".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnknownEntity {
    /// No such account.
    #[error("the world has no account `{0}`")]
    Account(String),
    /// No such user.
    #[error("account {account} has no user `{name}`")]
    User {
        /// The account.
        account: String,
        /// The user name.
        name: String,
    },
    /// No such role.
    #[error("account {account} has no role `{name}`")]
    Role {
        /// The account.
        account: String,
        /// The role name.
        name: String,
    },
}

/// The request and policies a world puts in force for one question, before evaluation.
///
/// ```
/// use iamsim::model::Caller;
/// use iamsim::policy::PolicyType;
/// use iamsim::{evaluate, Context};
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader:
///         trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] }
///         inline_policies:
///           TeamPhotos: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "*",
///                         Condition: { StringEquals: { "aws:PrincipalTag/team": photos } } }] }
/// "#)?;
/// let caller = Caller::role_session("111111111111", "reader", "app");
/// let prepared = world.model().prepare(&caller, &"s3:GetObject".parse()?, &"arn:aws:s3:::photos/a.jpg".parse()?,
///     &Context::new(), world.clock().now())?;
/// // The role's inline policy is in force, and the request carries what the world derives.
/// assert_eq!(prepared.policies.policies().filter(|(t, _)| *t == PolicyType::Identity).count(), 1);
/// assert_eq!(prepared.request.principal().role_arn(), Some("arn:aws:iam::111111111111:role/reader"));
/// assert!(!evaluate(&prepared.request, &prepared.policies).is_allowed(), "the session has no team tag");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The request, with every context key the world derives.
    pub request: AuthzRequest,
    /// Every policy in force.
    pub policies: PolicySet,
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Model {
    /// A user's identity policies (its own and its groups') and its boundary.
    fn user_policies(&self, mut set: PolicySet, account: &Account, user: &User) -> PolicySet {
        let add = |set: PolicySet, policies: &[AttachedPolicy]| {
            policies.iter().fold(set, |s, p| s.identity(p.policy.clone()))
        };
        set = add(set, &user.inline_policies);
        set = add(set, &user.managed_policies);
        for group in user.groups.iter().filter_map(|g| account.group(g)) {
            set = add(set, &group.inline_policies);
            set = add(set, &group.managed_policies);
        }
        if let Some(b) = &user.permissions_boundary {
            set = set.boundary(b.policy.clone());
        }
        set
    }

    /// `RestrictPublicBuckets`: "only AWS service principals and authorized users within the
    /// bucket owner's account" may reach a bucket whose policy is public; "public and
    /// cross-account access within any public bucket policy, including non-public delegation to
    /// specific accounts, is blocked"
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>).
    /// For anyone else only the bucket policy's `Deny` statements are kept: it grants nothing
    /// (and an S3 request from another account or an anonymous caller needs its grant), but
    /// its explicit denies still decide.
    fn restricts_public_policy(
        &self,
        facts: &lookup::BucketFacts,
        principal_account: Option<&AccountId>,
        caller: &Caller,
        policy: &Policy,
    ) -> bool {
        if matches!(caller, Caller::Service { .. }) || principal_account == Some(&facts.account) {
            return false;
        }
        self.effective_public_access_block(facts.public_access_block, &facts.account).restrict_public_buckets
            && policy.is_public()
    }

    fn account_of(&self, id: &str) -> Result<&Account, UnknownEntity> {
        self.account(id).ok_or_else(|| UnknownEntity::Account(id.to_owned()))
    }

    /// Assembles the request and the policies in force for `caller` doing `action` on
    /// `resource` at time `now`, with `extra` context keys (which override the derived ones).
    pub fn prepare(
        &self,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        extra: &Context,
        now: SystemTime,
    ) -> Result<Prepared, UnknownEntity> {
        self.prepare_in(self, caller, action, resource, extra, now)
    }

    /// [`Model::prepare`], with buckets (owner, policy, tags) as `state` has them now — the
    /// live store of a running world — instead of as the fixture built them.
    ///
    /// ```
    /// use iamsim::model::Caller;
    /// let world = iamsim::World::from_yaml(
    ///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos: { tags: { team: a } }\n")?;
    /// let prepared = world.model().prepare_in(world.live().buckets(), &Caller::Root { account: "111111111111".into() },
    ///     &"s3:GetObject".parse()?, &"arn:aws:s3:::photos/a.txt".parse()?, &iamsim::Context::new(), world.clock().now())?;
    /// assert_eq!(prepared.request.context().get("s3:ResourceAccount"), Some(&["111111111111".to_owned()][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_in(
        &self,
        state: &dyn ResourceState,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        extra: &Context,
        now: SystemTime,
    ) -> Result<Prepared, UnknownEntity> {
        // Room for the derived keys and a request's own, so that the context is not regrown.
        let mut context = Context::with_capacity(16);
        context.set("aws:CurrentTime", [format_rfc3339(now)]);
        context.set("aws:EpochTime", [secs(now).to_string()]);
        context.set("aws:ViaAWSService", ["false"]);

        let mut set = PolicySet::new();
        let add = |set: PolicySet, policies: &[AttachedPolicy]| {
            policies.iter().fold(set, |s, p| s.identity(p.policy.clone()))
        };
        let (principal, principal_account, service_linked): (Principal, Option<AccountId>, bool) = match caller {
            Caller::User { account, name } => {
                let acct = self.account_of(account)?;
                let user = acct
                    .user(name)
                    .ok_or_else(|| UnknownEntity::User { account: account.clone(), name: name.clone() })?;
                set = self.user_policies(set, acct, user);
                (user_principal(user), Some(acct.id.clone()), false)
            }
            Caller::RoleSession { account, role, session } => {
                let acct = self.account_of(account)?;
                let role = acct
                    .role(role)
                    .ok_or_else(|| UnknownEntity::Role { account: account.clone(), name: role.clone() })?;
                set = add(set, &role.inline_policies);
                set = add(set, &role.managed_policies);
                if let Some(b) = &role.permissions_boundary {
                    set = set.boundary(b.policy.clone());
                }
                for p in &session.policies {
                    set = set.session_policy(p.clone());
                }
                let issued = session.issued_at.unwrap_or(now);
                context.set("aws:TokenIssueTime", [format_rfc3339(issued)]);
                context.set("aws:MultiFactorAuthPresent", [session.mfa_authenticated.to_string()]);
                if session.mfa_authenticated {
                    let age = now.duration_since(issued).unwrap_or(Duration::ZERO).as_secs();
                    context.set("aws:MultiFactorAuthAge", [age.to_string()]);
                }
                if let Some(si) = &session.source_identity {
                    context.set("aws:SourceIdentity", [si.clone()]);
                }
                for (key, value) in &session.context_keys {
                    context.set(key, [value.clone()]);
                }
                let mut tags: BTreeMap<String, String> =
                    role.tags.iter().map(|(k, v)| (k.to_lowercase(), v.to_owned())).collect();
                let mut shown: BTreeMap<String, String> =
                    role.tags.iter().map(|(k, _)| (k.to_lowercase(), k.to_owned())).collect();
                for (k, v) in &session.tags {
                    tags.insert(k.to_lowercase(), v.clone());
                    shown.insert(k.to_lowercase(), k.clone());
                }
                let tags: Tags =
                    tags.iter().map(|(k, v)| (shown.get(k).map_or(k.as_str(), String::as_str), v.as_str())).collect();
                let principal = Principal::role_session(role.arn.as_str(), &session.name)
                    .map(|p| p.with_unique_id(&role.id).with_tags(tags))
                    .unwrap_or(Principal::Anonymous);
                (principal, Some(acct.id.clone()), role.is_service_linked())
            }
            Caller::Root { account } => {
                let acct = self.account_of(account)?;
                (Principal::root(&acct.id), Some(acct.id.clone()), false)
            }
            Caller::UserSession { account, name, mfa_authenticated, issued_at } => {
                let acct = self.account_of(account)?;
                context.set("aws:TokenIssueTime", [format_rfc3339(*issued_at)]);
                context.set("aws:MultiFactorAuthPresent", [mfa_authenticated.to_string()]);
                if *mfa_authenticated {
                    let age = now.duration_since(*issued_at).unwrap_or(Duration::ZERO).as_secs();
                    context.set("aws:MultiFactorAuthAge", [age.to_string()]);
                }
                match name {
                    None => (Principal::root(&acct.id), Some(acct.id.clone()), false),
                    Some(name) => {
                        let user = acct
                            .user(name)
                            .ok_or_else(|| UnknownEntity::User { account: account.clone(), name: name.clone() })?;
                        set = self.user_policies(set, acct, user);
                        (user_principal(user), Some(acct.id.clone()), false)
                    }
                }
            }
            Caller::FederatedUser { account, name, user, policies, tags, issued_at } => {
                let acct = self.account_of(account)?;
                let iam_user = acct
                    .user(user)
                    .ok_or_else(|| UnknownEntity::User { account: account.clone(), name: user.clone() })?;
                set = self.user_policies(set, acct, iam_user);
                for p in policies {
                    set = set.session_policy(p.clone());
                }
                context.set("aws:TokenIssueTime", [format_rfc3339(*issued_at)]);
                let arn = format!("arn:{}:sts::{}:federated-user/{name}", iam_user.arn.partition(), acct.id);
                let tags: Tags = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let principal = Principal::parse(&arn).map(|p| p.with_tags(tags)).unwrap_or(Principal::Anonymous);
                (principal, Some(acct.id.clone()), false)
            }
            Caller::Service { name } => (Principal::service(name), None, false),
            Caller::WebIdentity { provider } => (Principal::web_identity(provider), None, false),
            Caller::Anonymous => (Principal::Anonymous, None, false),
        };

        // The organization of the principal: its SCPs and its aws:PrincipalOrg* keys. SCPs do
        // not affect service-linked roles.
        if let (Some(org), Some(acct)) = (&self.organization, &principal_account)
            && org.contains(acct)
        {
            org_keys(&mut context, org, acct, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths");
            if !service_linked && let Some(levels) = org.scp_levels(acct) {
                for level in levels {
                    set = set.scp_level(level);
                }
            }
        }

        // The resource: its owner, its own policy, and the RCPs of its owner's organization.
        let mut resource_account: Option<AccountId> = None;
        if let Some(arn) = resource.arn() {
            if arn.service() == "s3" && arn.account().is_empty() {
                let (bucket_name, key) = lookup::split_s3_resource(arn.resource());
                if let Some(facts) = lookup::bucket_facts(state, action, bucket_name, key) {
                    resource_account = Some(facts.account.clone());
                    if let Some(policy) = &facts.policy {
                        if self.restricts_public_policy(&facts, principal_account.as_ref(), caller, policy) {
                            set = set.resource_policy(Arc::new(policy.deny_statements_only()));
                        } else {
                            set = set.resource_policy(policy.clone());
                        }
                    }
                    lookup::add_bucket_keys(&mut context, action, &facts);
                }
            } else if arn.service() == "iam"
                && action.service().eq_ignore_ascii_case("sts")
                && let Some(path_and_name) = arn.resource().strip_prefix("role/")
            {
                let name = path_and_name.rsplit('/').next().unwrap_or_default();
                resource_account = AccountId::new(arn.account()).ok();
                if let Some(role) = self.account(arn.account()).and_then(|a| a.role(name)).filter(|r| r.arn == *arn) {
                    set = set.resource_policy(role.trust.policy.clone());
                }
            } else {
                resource_account = AccountId::new(arn.account()).ok();
            }
        }
        if let Some(owner) = &resource_account {
            context.set("aws:ResourceAccount", [owner.as_str().to_owned()]);
            if let Some(org) = self.organization.as_ref().filter(|o| o.contains(owner)) {
                org_keys(&mut context, org, owner, "aws:ResourceOrgID", "aws:ResourceOrgPaths");
                // "RCPs do not apply to calls made by service-linked roles."
                if !service_linked && let Some(levels) = org.rcp_levels(owner) {
                    for level in levels {
                        set = set.rcp_level(level);
                    }
                }
            }
        }

        context.merge_from(extra);
        let mut request = AuthzRequest::new(principal, action.clone(), resource.clone()).with_context(context);
        if let Some(owner) = resource_account {
            request = request.with_resource_account(owner);
        }
        Ok(Prepared { request, policies: set })
    }

    /// Decides whether `caller` may do `action` on `resource` at time `now`.
    ///
    /// ```
    /// use iamsim::fixtures::Fixture;
    /// use iamsim::model::{Caller, Model};
    /// use iamsim::{Context, Outcome};
    /// let fixture: Fixture = serde_json::from_value(serde_json::json!({"accounts": {"111111111111": {
    ///     "users": {"alice": {"policies": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]}},
    ///     "buckets": {"photos": {}}}}}))?;
    /// let model = Model::build(&fixture).expect("valid");
    /// let decision = model.authorize(&Caller::user("111111111111", "alice"), &"s3:GetObject".parse()?,
    ///     &"arn:aws:s3:::photos/a.jpg".parse()?, &Context::new(), model.start_time())?;
    /// assert_eq!(decision.outcome(), Outcome::Allow);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(
        &self,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        extra: &Context,
        now: SystemTime,
    ) -> Result<Decision, UnknownEntity> {
        self.authorize_in(self, caller, action, resource, extra, now)
    }

    /// [`Model::authorize`] against the current `state` of buckets (see [`Model::prepare_in`]).
    ///
    /// ```
    /// use iamsim::model::Caller;
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
    /// let (caller, now) = (Caller::Root { account: "111111111111".into() }, world.clock().now());
    /// let created = world.live().buckets().create("fresh", &"111111111111".parse()?, "us-east-1", now);
    /// assert!(created.is_ok());
    /// // The fixture never had `fresh`; the live store has it, and it is the account's own.
    /// let decision = world.model().authorize_in(world.live().buckets(), &caller, &"s3:ListBucket".parse()?,
    ///     &"arn:aws:s3:::fresh".parse()?, &iamsim::Context::new(), now)?;
    /// assert!(decision.is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize_in(
        &self,
        state: &dyn ResourceState,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        extra: &Context,
        now: SystemTime,
    ) -> Result<Decision, UnknownEntity> {
        let prepared = self.prepare_in(state, caller, action, resource, extra, now)?;
        Ok(evaluate(&prepared.request, &prepared.policies))
    }
}

/// `aws:PrincipalOrgID`/`aws:PrincipalOrgPaths`, or their `Resource` counterparts.
fn org_keys(context: &mut Context, org: &super::Organization, account: &AccountId, id_key: &str, paths_key: &str) {
    context.set(id_key, [org.id.clone()]);
    if let Some(path) = org.org_path(account) {
        context.set(paths_key, [path]);
    }
}

fn user_principal(user: &User) -> Principal {
    Principal::user(user.arn.as_str())
        .map(|p| p.with_unique_id(&user.id).with_tags(user.tags.clone()))
        .unwrap_or(Principal::Anonymous)
}
