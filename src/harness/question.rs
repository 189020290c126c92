//! Direct questions to a world, without HTTP: `world.role(…).can("s3:ListBucket").on(…)`.

use std::sync::Arc;

use serde_json::Value;

use super::World;
use crate::model::Caller;
use crate::policy::{Action, Context, Decision, Policy, PolicyKind, Resource, Severity};

/// A caller in a world, ready to be asked questions. Built by [`World::user`],
/// [`World::role`], [`World::root`], [`World::anonymous`], [`World::service`] or
/// [`World::principal`]; the `with_*` methods describe the session and the request.
///
/// Every question carries `aws:SecureTransport = true` (as an SDK talking HTTPS sends) and the
/// keys the world derives (time, organization, resource account, session facts), unless
/// `with_context` says otherwise.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let trust = json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .role("deployer", trust, |r| r.inline_policy("Deploy", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::releases/*",
///              "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})))
///         .bucket("releases", |b| b))
///     .build()?;
/// let put = |asker: iamsim::harness::Asker<'_>| asker.can("s3:PutObject").on("arn:aws:s3:::releases/v1.tar").outcome();
/// let deployer = world.role("111111111111", "deployer");
/// assert_eq!(put(deployer.clone().with_context("aws:SourceIp", "10.1.2.3")), Outcome::Allow);
/// assert_eq!(put(deployer.clone().with_context("aws:SourceIp", "203.0.113.9")), Outcome::ImplicitDeny);
/// // A session policy can only narrow what the role allows.
/// let narrowed = deployer
///     .with_context("aws:SourceIp", "10.1.2.3")
///     .with_session_policy(json!({"Version": "2012-10-17", "Statement": [
///         {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}));
/// assert_eq!(put(narrowed), Outcome::ImplicitDeny);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use = "an Asker asks nothing until `.can(action).on(resource)`"]
#[derive(Clone, Debug)]
pub struct Asker<'w> {
    world: &'w World,
    caller: Caller,
    context: Context,
    /// Keys the test set (lowercased): a second value for one of them adds to it, a first
    /// value replaces what the world or the default put there.
    set_keys: Vec<String>,
}

impl<'w> Asker<'w> {
    pub(crate) fn new(world: &'w World, caller: Caller) -> Asker<'w> {
        Asker { world, caller, context: Context::new().with("aws:SecureTransport", "true"), set_keys: Vec::new() }
    }

    /// The caller the questions are asked as.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    fn session(&mut self) -> Option<&mut crate::model::SessionDetails> {
        match &mut self.caller {
            Caller::RoleSession { session, .. } => Some(session),
            _ => None,
        }
    }

    #[track_caller]
    fn session_or_panic(&mut self, what: &str) -> &mut crate::model::SessionDetails {
        let caller = format!("{:?}", self.caller);
        match self.session() {
            Some(s) => s,
            None => panic!("{what} applies to role sessions only, not to {caller}"),
        }
    }

    /// Names the role session (`RoleSessionName`).
    #[track_caller]
    pub fn session_name(mut self, name: &str) -> Asker<'w> {
        self.session_or_panic("a session name").name = name.to_owned();
        self
    }

    /// Adds a session policy, as `AssumeRole`'s `Policy` parameter would.
    #[track_caller]
    pub fn with_session_policy(mut self, document: Value) -> Asker<'w> {
        let policy = match Policy::from_value(document) {
            Ok(p) => p,
            Err(e) => panic!("invalid session policy: {e}"),
        };
        if let Some(err) = policy.validate(PolicyKind::Session).into_iter().find(|f| f.severity == Severity::Error) {
            panic!("invalid session policy: {err}");
        }
        let n = self.session().map_or(0, |s| s.policies.len()) + 1;
        self.session_or_panic("a session policy").policies.push(Arc::new(policy.named(format!("session policy {n}"))));
        self
    }

    /// Adds a session tag (it overrides a role tag with the same key).
    #[track_caller]
    pub fn with_session_tag(mut self, key: &str, value: &str) -> Asker<'w> {
        self.session_or_panic("a session tag").tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Sets the session's source identity (`aws:SourceIdentity`).
    #[track_caller]
    pub fn with_source_identity(mut self, identity: &str) -> Asker<'w> {
        self.session_or_panic("a source identity").source_identity = Some(identity.to_owned());
        self
    }

    /// Marks the session as created with MFA (`aws:MultiFactorAuthPresent = true`).
    #[track_caller]
    pub fn with_mfa(mut self) -> Asker<'w> {
        self.session_or_panic("MFA").mfa_authenticated = true;
        self
    }

    /// Adds a value to a request context key (repeat for several values).
    pub fn with_context(mut self, key: &str, value: &str) -> Asker<'w> {
        let lower = key.to_lowercase();
        if self.set_keys.contains(&lower) {
            self.context.insert(key, value);
        } else {
            self.context.set(key, [value]);
            self.set_keys.push(lower);
        }
        self
    }

    /// Removes a request context key, including one the world would add.
    pub fn without_context(mut self, key: &str) -> Asker<'w> {
        self.context.set(key, Vec::<String>::new());
        self.set_keys.push(key.to_lowercase());
        self
    }

    /// Starts a question about an action.
    #[track_caller]
    pub fn can(&self, action: &str) -> Question<'_, 'w> {
        match Action::new(action) {
            Ok(action) => Question { asker: self, action },
            Err(e) => panic!("{e}"),
        }
    }
}

/// A question waiting for its resource: `asker.can(action)` → `.on(resource)`.
///
/// ```
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u.inline_policy("List", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::logs"}]})))
///         .bucket("logs", |b| b))
///     .build()?;
/// let alice = world.user("111111111111", "alice");
/// let question = alice.can("s3:ListBucket");
/// let decision = question.on("arn:aws:s3:::logs");
/// assert!(decision.is_allowed());
/// assert_eq!(decision.resource(), "arn:aws:s3:::logs");
/// assert_eq!(decision.principal(), "arn:aws:iam::111111111111:user/alice");
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use = "a question is asked by `.on(resource)`"]
#[derive(Debug)]
pub struct Question<'a, 'w> {
    asker: &'a Asker<'w>,
    action: Action,
}

impl Question<'_, '_> {
    /// Asks the question about a resource ARN (or `*`) and returns the decision.
    ///
    /// A bucket or role the world does not have panics (a typo in a test should not read as a
    /// denial); ARNs of accounts the world does not model are asked as external resources.
    #[track_caller]
    pub fn on(&self, resource: &str) -> Decision {
        let resource = match Resource::parse(resource) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let world = self.asker.world;
        let model = world.model();
        if let Some(arn) = resource.arn() {
            if arn.service() == "s3"
                && arn.account().is_empty()
                && !self.action.name().eq_ignore_ascii_case("CreateBucket")
            {
                let bucket = arn.resource().split('/').next().unwrap_or_default();
                if world.live().buckets().bucket(bucket).is_none() {
                    panic!("the world has no bucket `{bucket}`");
                }
            }
            if arn.service() == "iam"
                && let Some(path_and_name) = arn.resource().strip_prefix("role/")
                && let Some(account) = model.account(arn.account())
            {
                let name = path_and_name.rsplit('/').next().unwrap_or_default();
                if account.role(name).is_none() {
                    panic!("account {} has no role `{name}`", account.id);
                }
            }
        }
        match world.authorize(&self.asker.caller, &self.action, &resource, &self.asker.context) {
            Ok(decision) => decision,
            Err(e) => panic!("{e}"),
        }
    }
}
