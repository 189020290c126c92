//! The test harness: a [`World`] — the whole simulated AWS one test owns — built from a fixture
//! file or with the Rust builder, and questions about it that read like the sentence a reviewer
//! would say.
//!
//! ```
//! use iamsim::World;
//! use serde_json::json;
//!
//! let world = World::builder()
//!     .account("111111111111", |a| a
//!         .managed_policy("ReadPhotos", json!({"Version": "2012-10-17", "Statement": [
//!             {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
//!              "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]}]}))
//!         .role("reader", json!({"Version": "2012-10-17", "Statement": [
//!             {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
//!             |r| r.policy("ReadPhotos"))
//!         .bucket("photos", |b| b.object("a.jpg", "hello")))
//!     .build()?;
//!
//! world.role("111111111111", "reader").can("s3:ListBucket").on("arn:aws:s3:::photos").assert_allowed();
//! world.role("111111111111", "reader").can("s3:DeleteObject").on("arn:aws:s3:::photos/a.jpg").assert_denied();
//! # Ok::<(), iamsim::WorldError>(())
//! ```
//!
//! Harness functions are for tests: a question about a user, role or bucket the world does not
//! have panics with a message naming it, as a failed assertion would.

// The harness's two-regime rule (STYLE.md): its questions and assertions are test assertions and
// panic with the whole explanation; the engine, parsers and services below never panic.
#![allow(clippy::panic, reason = "harness questions and assertions fail a test by panicking, with the explanation")]

mod assert;
mod builder;
mod least_privilege;
mod load;
mod providers;
mod question;
mod recording;
#[cfg(feature = "sdk")]
mod sdk;
#[cfg(feature = "sdk")]
mod workloads;

use std::fmt;
use std::sync::Arc;

pub use builder::{
    AccountBuilder, BucketBuilder, GroupBuilder, InstanceBuilder, OrganizationBuilder, RoleBuilder, UserBuilder,
    WorldBuilder,
};
pub use least_privilege::{
    AllowEntry, Allowlist, Grant, LeastPrivilege, LeastPrivilegeReport, MinimalPolicy, Proof, ProofFailure,
};
pub use question::{Asker, Question};
#[cfg(feature = "sdk")]
pub use sdk::{DEFAULT_REGION, IN_PROCESS_ENDPOINT};
#[cfg(feature = "sdk")]
pub use workloads::{RunningInstance, RunningPod, RunningTask};

use crate::clock::Clock;
use crate::fixtures::Fixture;
use crate::live::{AccessLog, Live};
use crate::model::{Caller, Model, Problem, UnknownEntity};
use crate::path::JsonPath;
use crate::policy::{Action, Context, Decision, Resource, Severity};

/// One simulated AWS: accounts, organization, IAM, buckets, instances, and the clock.
///
/// Cheap to build and to clone (clones share the same world), deterministic (the same fixture
/// gives the same ids, keys and decisions), validated as AWS validates.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: {}
///     buckets:
///       photos: {}
/// "#)?;
/// // No policy allows Alice anything.
/// world.user("111111111111", "alice").can("s3:ListBucket").on("arn:aws:s3:::photos").assert_implicitly_denied();
/// // Clones share one world: the same clock, the same access log.
/// let clone = world.clone();
/// clone.clock().advance(std::time::Duration::from_secs(3600));
/// assert_eq!(world.clock().to_rfc3339(), "2026-01-01T01:00:00Z");
/// assert!(world.access_log().is_empty());
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[derive(Clone)]
pub struct World {
    inner: Arc<Inner>,
}

struct Inner {
    live: Arc<Live>,
    warnings: Vec<WorldProblem>,
    recording: recording::Recording,
}

// The last clone of a world writes its access log for `iamsim least-privilege` (see
// `recording`).
impl Drop for Inner {
    fn drop(&mut self) {
        recording::flush(&self.live, &self.recording);
    }
}

/// One problem with a fixture, located in its file when it came from one.
///
/// ```
/// use iamsim::policy::Severity;
///
/// let error = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: {groups: [devs]}
/// "#).unwrap_err();
/// let problem = &error.problems()[0];
/// assert_eq!(problem.severity, Severity::Error);
/// assert!(problem.message.contains("devs"), "{problem}");
/// // Problems of YAML text carry the line and column they were found at.
/// assert!(problem.location.is_some());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldProblem {
    /// Error or warning.
    pub severity: Severity,
    /// The file, line and column, for fixtures read from files or text.
    pub location: Option<(String, usize, usize)>,
    /// Where in the fixture.
    pub path: JsonPath,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for WorldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((file, line, column)) = &self.location {
            write!(f, "{file}:{line}:{column}: ")?;
        }
        if !self.path.is_root() {
            write!(f, "{}: ", self.path.for_message())?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)
    }
}

impl From<Problem> for WorldProblem {
    fn from(p: Problem) -> WorldProblem {
        WorldProblem { severity: p.severity, location: None, path: p.path, message: p.message }
    }
}

/// Why a world could not be built: every problem found, one per line.
///
/// ```
/// let error = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: {groups: [devs]}
///       bob: {groups: [ops]}
/// "#).unwrap_err();
/// assert!(!error.is_unreadable());
/// assert_eq!(error.errors().count(), 2);
/// // One line per error, as a test's `unwrap()` shows them.
/// assert_eq!(error.to_string().lines().count(), 2);
/// assert!(error.to_string().contains("ops"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WorldError {
    problems: Vec<WorldProblem>,
    unreadable: bool,
}

impl WorldError {
    pub(crate) fn new(problems: Vec<WorldProblem>) -> WorldError {
        WorldError { problems, unreadable: false }
    }

    /// An error of a fixture that could not be read or parsed.
    pub(crate) fn unreadable(problems: Vec<WorldProblem>) -> WorldError {
        WorldError { problems, unreadable: true }
    }

    /// Whether the fixture, or a file it refers to, could not be read or parsed (missing, not a
    /// regular file, too large, not UTF-8, not YAML or JSON), rather than read into a world AWS
    /// would refuse. The `iamsim` command exits 2 for the first, 1 for the second.
    ///
    /// ```
    /// let missing = iamsim::World::from_fixture("no/such/fixture.yaml").unwrap_err();
    /// assert!(missing.is_unreadable());
    /// let invalid = iamsim::World::from_yaml("accounts: {\"111111111111\": {users: {alice: {groups: [devs]}}}}").unwrap_err();
    /// assert!(!invalid.is_unreadable());
    /// ```
    pub fn is_unreadable(&self) -> bool {
        self.unreadable
    }

    /// The problems: errors first, then warnings.
    pub fn problems(&self) -> &[WorldProblem] {
        &self.problems
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &WorldProblem> {
        self.problems.iter().filter(|p| p.severity == Severity::Error)
    }
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.errors().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

// `unwrap()` in a test shows the problems as they read, not as a struct dump.
impl fmt::Debug for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the fixture is invalid:\n{self}")
    }
}

impl std::error::Error for WorldError {}

impl World {
    /// Starts a world in Rust, with the same vocabulary as a fixture file.
    pub fn builder() -> WorldBuilder {
        WorldBuilder::new()
    }

    /// Builds a world from fixture data (as the builder or the importer produce it). Policy,
    /// object and metadata files must already be read: use [`World::from_fixture`] for files.
    pub fn from_fixture_data(fixture: &Fixture) -> Result<World, WorldError> {
        World::from_model_result(Model::build(fixture), |p| p.into())
    }

    pub(crate) fn from_model_result(
        built: Result<Model, Vec<Problem>>,
        locate: impl Fn(Problem) -> WorldProblem,
    ) -> Result<World, WorldError> {
        match built {
            Ok(model) => {
                let warnings = model.warnings().iter().cloned().map(&locate).collect();
                Ok(World {
                    inner: Arc::new(Inner {
                        live: Arc::new(Live::new(model)),
                        warnings,
                        recording: recording::Recording::new(),
                    }),
                })
            }
            Err(problems) => Err(WorldError::new(problems.into_iter().map(locate).collect())),
        }
    }

    /// The validated model: accounts, users, roles, buckets, …
    pub fn model(&self) -> &Model {
        self.inner.live.model()
    }

    /// The world's clock, shared by everything in it.
    pub fn clock(&self) -> &Clock {
        self.inner.live.clock()
    }

    /// The world's live state — sessions issued, the access log — shared by every clone of this
    /// world and by every transport serving it.
    pub fn live(&self) -> &Live {
        &self.inner.live
    }

    /// Serves this world on a loopback port (`127.0.0.1`, a free port), for other processes and
    /// for providers configured by environment variables. The server stops when dropped.
    #[cfg(feature = "server")]
    pub async fn serve(&self) -> std::io::Result<crate::transport::Server> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        crate::transport::Server::start(self.inner.live.clone(), addr).await
    }

    /// A shared handle on the live state, for transports that outlive a borrow of the world.
    pub fn live_handle(&self) -> Arc<Live> {
        self.inner.live.clone()
    }

    /// Every request the fake services served so far, with its decisions.
    pub fn access_log(&self) -> AccessLog {
        self.inner.live.access_log()
    }

    /// This world (and every clone) does not record its access log under `target/iamsim/`
    /// when it drops (see the README's "Least privilege").
    ///
    /// ```
    /// let world = iamsim::World::from_yaml("accounts: {\"111111111111\": {}}")?.without_recording();
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[must_use]
    pub fn without_recording(self) -> World {
        self.inner.recording.disable();
        self
    }

    /// This world (and every clone) records its access log into `dir` — as
    /// `dir/BINARY/TEST.jsonl`, the layout `iamsim least-privilege` reads — when its last clone
    /// drops, whatever `IAMSIM_RECORD_DIR` and `IAMSIM_RECORD` say (and even after
    /// [`World::without_recording`]: the last call wins). For a test that checks its own record
    /// without touching the process environment.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join("iamsim-doc-record-into");
    /// let world = iamsim::World::from_yaml("accounts: {\"111111111111\": {}}")?.record_into(&dir);
    /// # drop(world);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[must_use]
    pub fn record_into(self, dir: impl Into<std::path::PathBuf>) -> World {
        self.inner.recording.set_dir(dir.into());
        self
    }

    /// What the fixture does that AWS accepts but that may not be intended.
    pub fn warnings(&self) -> &[WorldProblem] {
        &self.inner.warnings
    }

    /// Decides a request in this world: the single entry point every question and every fake
    /// service uses.
    pub fn authorize(
        &self,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        context: &Context,
    ) -> Result<Decision, UnknownEntity> {
        self.inner.live.authorize(caller, action, resource, context)
    }

    /// Questions asked as an IAM user.
    #[track_caller]
    pub fn user(&self, account: impl AsRef<str>, name: &str) -> Asker<'_> {
        let account = account.as_ref();
        self.require_account(account).user(name).unwrap_or_else(|| panic!("account {account} has no user `{name}`"));
        Asker::new(self, Caller::user(account, name))
    }

    /// Questions asked as a session of a role (session name `iamsim` unless
    /// [`Asker::session_name`] names it).
    #[track_caller]
    pub fn role(&self, account: impl AsRef<str>, name: &str) -> Asker<'_> {
        let account = account.as_ref();
        self.require_account(account).role(name).unwrap_or_else(|| panic!("account {account} has no role `{name}`"));
        Asker::new(self, Caller::role_session(account, name, "iamsim"))
    }

    /// Questions asked as the root user of an account.
    #[track_caller]
    pub fn root(&self, account: impl AsRef<str>) -> Asker<'_> {
        let account = account.as_ref();
        self.require_account(account);
        Asker::new(self, Caller::Root { account: account.to_owned() })
    }

    /// Questions asked by an unauthenticated caller.
    pub fn anonymous(&self) -> Asker<'_> {
        Asker::new(self, Caller::Anonymous)
    }

    /// Questions asked by an AWS service principal such as `ec2.amazonaws.com`.
    pub fn service(&self, name: &str) -> Asker<'_> {
        Asker::new(self, Caller::Service { name: name.to_owned() })
    }

    /// Questions asked by a web identity or SAML caller of a provider (for trust policies).
    pub fn web_identity(&self, provider: &str) -> Asker<'_> {
        Asker::new(self, Caller::WebIdentity { provider: provider.to_owned() })
    }

    /// Questions asked by the principal an ARN names: `arn:…:iam::ACCOUNT:user/…`,
    /// `arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:…:iam::ACCOUNT:root`, a service
    /// principal name, or `anonymous`.
    #[track_caller]
    pub fn principal(&self, arn: &str) -> Asker<'_> {
        match self.caller_for(arn) {
            Ok(caller) => Asker::new(self, caller),
            Err(e) => panic!("{e}"),
        }
    }

    /// The caller an ARN names, checked against the world.
    pub fn caller_for(&self, arn: &str) -> Result<Caller, String> {
        use crate::policy::Principal;
        let principal = Principal::parse(arn).map_err(|e| e.to_string())?;
        let model = self.model();
        let account = principal.account().map(|a| a.as_str().to_owned()).unwrap_or_default();
        match &principal {
            Principal::User(_) => {
                let name = principal.username().unwrap_or_default();
                let user = model.account(&account).and_then(|a| a.user(name));
                match user {
                    Some(u) if u.arn.as_str() == arn => Ok(Caller::user(&account, &u.name)),
                    Some(u) => Err(format!("`{arn}` is not a user ARN of this world: the user is `{}`", u.arn)),
                    None => Err(format!("account {account} has no user `{name}`")),
                }
            }
            Principal::RoleSession(_) => {
                let role_arn = principal.role_arn().unwrap_or_default();
                let role_name = role_arn.rsplit('/').next().unwrap_or_default();
                let session = principal.session_arn().and_then(|s| s.rsplit('/').next()).unwrap_or_default();
                let role = model.account(&account).and_then(|a| a.role(role_name));
                match role {
                    Some(r) => Ok(Caller::role_session(&account, &r.name, session)),
                    None => Err(format!("account {account} has no role `{role_name}`")),
                }
            }
            Principal::Root(_) => match model.account(&account) {
                Some(_) => Ok(Caller::Root { account }),
                None => Err(format!("the world has no account `{account}`")),
            },
            Principal::Service(_) => Ok(Caller::Service { name: arn.to_owned() }),
            Principal::Anonymous => Ok(Caller::Anonymous),
            Principal::FederatedUser(_) | Principal::WebIdentity(_) => {
                Err(format!("`{arn}`: federated user sessions are not modelled yet"))
            }
        }
    }

    #[track_caller]
    pub(crate) fn require_account(&self, account: &str) -> &crate::model::Account {
        match self.model().account(account) {
            Some(a) => a,
            None => {
                let known: Vec<&str> = self.model().accounts().map(|a| a.id.as_str()).collect();
                panic!("the world has no account `{account}` (it has: {})", known.join(", "))
            }
        }
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.model();
        f.debug_struct("World")
            .field("accounts", &m.accounts().map(|a| a.id.as_str()).collect::<Vec<_>>())
            .field("clock", self.clock())
            .finish_non_exhaustive()
    }
}
