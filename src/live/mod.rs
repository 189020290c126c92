//! The live state of one world: what requests change while a test runs.
//!
//! A [`Live`] holds the validated [`Model`] (what the fixture built), the world's [`Clock`], the
//! sessions STS has issued, the buckets and objects ([`BucketStore`]), and the access log. Every fake service (STS now; S3 and IMDS next)
//! reads and writes it through `&Live`, and the harness's direct questions read the same state,
//! so a question and a request over the wire always agree. It is `Sync`: many tasks and threads
//! may serve requests of one world at once; two worlds share nothing.
//!
//! ```
//! use iamsim::World;
//! let world = World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
//! let live = world.live();
//! let key = &world.model().account("111111111111").unwrap().user("alice").unwrap().access_keys[0];
//! let found = live.signing_key(&key.id).expect("alice's key is known");
//! assert_eq!(found.secret, key.secret);
//! assert!(live.access_log().is_empty());
//! # Ok::<(), iamsim::WorldError>(())
//! ```

mod buckets;
mod deliveries;
mod identity;
mod log;
mod sessions;
mod uploads;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

pub use buckets::{
    BucketGone, BucketStore, CreateBucketError, DeleteBucketError, LiveBucket, StoredChecksum, StoredObject,
};
pub use deliveries::{Delivered, Mint, ROTATE_BEFORE};
pub use identity::Identity;
pub(crate) use log::Decided;
pub use log::{AccessLog, Authorization, LogEntry};
pub use sessions::{Session, SessionKind, SigningKey, TemporaryCredentials};
pub use uploads::{MultipartUpload, UploadedPart};

use crate::clock::Clock;
use crate::model::{Caller, Model, UnknownEntity};
use crate::policy::{Action, Context, Decision, Resource};

/// Called with every access log entry as it is written.
type Observer = Box<dyn Fn(&LogEntry) + Send + Sync>;

/// The state of one running world. See the [module docs](self).
///
/// ```
/// use iamsim::model::Caller;
/// use iamsim::Context;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: { policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess] } }
/// "#)?;
/// let live = world.live();
/// assert_eq!(live.now(), live.model().start_time());
/// // A bucket created while the test runs is in the live store, not in the model.
/// live.buckets().create("fresh", &"111111111111".parse()?, "us-east-1", live.now())?;
/// assert!(world.model().bucket("fresh").is_none());
/// let decision = live.authorize(&Caller::user("111111111111", "alice"), &"s3:GetObject".parse()?,
///     &"arn:aws:s3:::fresh/a.txt".parse()?, &Context::new())?;
/// assert!(decision.is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Live {
    model: Model,
    clock: Clock,
    sessions: RwLock<sessions::Sessions>,
    /// Built from the model on first use: a world that never touches S3 pays nothing for it.
    buckets: OnceLock<BucketStore>,
    log: Mutex<Vec<log::Stored>>,
    /// Decoded authorization messages, by position: what an encoded message stands for.
    messages: Mutex<Vec<String>>,
    /// Numbers requests, so request ids are deterministic.
    requests: AtomicU64,
    observer: OnceLock<Observer>,
    /// IMDS session tokens and the credentials delivered to instances, tasks and pods.
    deliveries: deliveries::Deliveries,
    /// SigV4 signing keys already derived for requests to this world.
    signing_keys: crate::auth::SigningKeys,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("clock", &self.clock).finish_non_exhaustive()
    }
}

impl Live {
    /// The live state of a freshly built model, its clock at the model's start time.
    pub fn new(model: Model) -> Live {
        let clock = Clock::at(model.start_time());
        Live {
            model,
            clock,
            sessions: RwLock::new(sessions::Sessions::default()),
            buckets: OnceLock::new(),
            log: Mutex::new(Vec::new()),
            messages: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
            observer: OnceLock::new(),
            deliveries: deliveries::Deliveries::default(),
            signing_keys: crate::auth::SigningKeys::default(),
        }
    }

    /// The validated model: accounts, users, roles, buckets, …
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The world's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The current time on the world's clock.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The buckets and objects as requests left them (the fixture's, at first).
    pub fn buckets(&self) -> &BucketStore {
        self.buckets.get_or_init(|| BucketStore::from_model(&self.model))
    }

    /// Decides a request: the one entry point every service and every question uses. Buckets
    /// (owner, policy, tags) and object tags are read from the live store, as requests left
    /// them.
    pub fn authorize(
        &self,
        caller: &Caller,
        action: &Action,
        resource: &Resource,
        context: &Context,
    ) -> Result<Decision, UnknownEntity> {
        self.model.authorize_in(self.buckets(), caller, action, resource, context, self.clock.now())
    }

    /// The next request number (1, 2, …), for deterministic request ids.
    pub fn next_request(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// A request id for request number `n`, shaped like AWS's (a UUID for STS).
    ///
    /// ```
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
    /// assert_eq!(world.live().request_id(1), "f204d651-a34a-e8c6-7cdf-ba40aaa6ee8f");
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn request_id(&self, n: u64) -> String {
        let hex = self.model.ids().opaque_hex("request", &n.to_string(), 32);
        let mut id = String::with_capacity(36);
        for (i, c) in hex.chars().enumerate() {
            if matches!(i, 8 | 12 | 16 | 20) {
                id.push('-');
            }
            id.push(c);
        }
        id
    }

    /// The SigV4 signing keys derived so far for requests to this world (the fakes verify
    /// signatures with [`auth::verify_with`](crate::auth::verify_with)).
    pub fn signing_keys(&self) -> &crate::auth::SigningKeys {
        &self.signing_keys
    }

    /// Who signs with an access key id: an IAM user's long-term key, an account root key, or
    /// the temporary credentials of a session this world issued.
    pub fn signing_key(&self, access_key_id: &str) -> Option<SigningKey> {
        if let Some((account, user, key)) = self.model.access_key_owner(access_key_id) {
            return Some(SigningKey {
                access_key_id: key.id.clone(),
                secret: key.secret.clone(),
                session_token: None,
                expires: None,
                active: key.active,
                caller: Caller::user(account.id.as_str(), &user.name),
            });
        }
        if let Some(account) = self.root_key_account(access_key_id) {
            return Some(SigningKey {
                access_key_id: access_key_id.to_owned(),
                secret: self.root_secret(&account),
                session_token: None,
                expires: None,
                active: true,
                caller: Caller::Root { account },
            });
        }
        let sessions = self.sessions.read().unwrap_or_else(PoisonError::into_inner);
        sessions.get(access_key_id).map(Session::signing_key)
    }

    /// The access key id of an account's root user. AWS advises against root access keys, but
    /// they exist; the world generates one per account so tests can act as root.
    pub fn root_access_key_id(&self, account: &str) -> String {
        self.model.ids().access_key_id("AKIA", &format!("root/{account}"))
    }

    /// The secret of an account's root access key.
    pub fn root_secret(&self, account: &str) -> String {
        self.model.ids().secret(&format!("root/{account}"))
    }

    fn root_key_account(&self, access_key_id: &str) -> Option<String> {
        self.model
            .accounts()
            .map(|a| a.id.as_str())
            .find(|a| self.root_access_key_id(a) == access_key_id)
            .map(str::to_owned)
    }

    /// Issues a session: mints deterministic credentials (the n-th session of a world always
    /// gets the same keys) and remembers them so later requests authenticate with them.
    pub fn issue_session(&self, kind: SessionKind, caller: Caller, lifetime_secs: u64) -> Session {
        let mut sessions = self.sessions.write().unwrap_or_else(PoisonError::into_inner);
        let session = sessions::mint(self.model.ids(), sessions.len(), kind, caller, self.now(), lifetime_secs);
        sessions.insert(session.clone());
        session
    }

    /// A session by its access key id.
    pub fn session(&self, access_key_id: &str) -> Option<Session> {
        self.sessions.read().unwrap_or_else(PoisonError::into_inner).get(access_key_id).cloned()
    }

    /// Encodes a decision as AWS encodes authorization failure messages (opaque text the caller
    /// decodes with `sts:DecodeAuthorizationMessage`). The decoded form is the JSON AWS
    /// documents: `allowed`, `explicitDeny`, `matchedStatements`, `failures`, `context`.
    pub fn encode_authorization_message(&self, decision: &Decision) -> String {
        let decoded = serde_json::json!({
            "allowed": decision.is_allowed(),
            "explicitDeny": decision.outcome() == crate::policy::Outcome::ExplicitDeny,
            "matchedStatements": {"items": decision.reasons().iter().map(ToString::to_string).collect::<Vec<_>>()},
            "failures": {"items": []},
            "context": {
                "principal": {"arn": decision.principal()},
                "action": decision.action().to_string(),
                "resource": decision.resource(),
            },
        });
        let mut messages = self.messages.lock().unwrap_or_else(PoisonError::into_inner);
        messages.push(decoded.to_string());
        let n = messages.len();
        format!("{n}.{}", self.model.ids().opaque("authz-message", &n.to_string(), 120))
    }

    /// The JSON of a message [`Live::encode_authorization_message`] encoded.
    pub fn decode_authorization_message(&self, encoded: &str) -> Option<String> {
        let (n, rest) = encoded.split_once('.')?;
        let index: usize = n.parse().ok()?;
        if rest != self.model.ids().opaque("authz-message", n, 120) {
            return None;
        }
        let messages = self.messages.lock().unwrap_or_else(PoisonError::into_inner);
        messages.get(index.checked_sub(1)?).cloned()
    }

    /// Appends an entry to the access log.
    pub fn log(&self, entry: LogEntry) {
        self.log_decided(entry, Vec::new());
    }

    /// Appends an entry whose decisions are written out whenever the log is read (and now, for
    /// an observer).
    pub(crate) fn log_decided(&self, entry: LogEntry, decided: Vec<log::Decided>) {
        let stored = log::Stored::new(entry, decided);
        if let Some(observe) = self.observer.get() {
            observe(&stored.entry());
        }
        self.log.lock().unwrap_or_else(PoisonError::into_inner).push(stored);
    }

    /// Calls `observe` with every access log entry from now on (`iamsim serve` prints each
    /// request this way). A world has one observer; a second call is refused with `false`.
    pub fn observe(&self, observe: impl Fn(&LogEntry) + Send + Sync + 'static) -> bool {
        self.observer.set(Box::new(observe)).is_ok()
    }

    /// Every request served so far, in order.
    pub fn access_log(&self) -> AccessLog {
        let stored = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        AccessLog::new(stored.iter().map(log::Stored::entry).collect())
    }
}
