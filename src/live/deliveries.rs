//! What the services that deliver credentials to workloads keep between requests: IMDSv2
//! session tokens, and the credentials currently delivered to each instance, task and pod —
//! sessions of the world's STS, rotated before they expire, on the world's clock.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{Live, Session, SessionKind};
use crate::model::Caller;

/// New credentials are delivered this long before the current ones expire: "We make new
/// credentials available at least five minutes before the expiration of the old credentials"
/// (EC2 User Guide, "Retrieve security credentials from instance metadata"). ECS and EKS do not
/// document their margin; iamsim uses the same one.
pub const ROTATE_BEFORE: Duration = Duration::from_secs(300);

/// Credentials a delivering service handed out, and when it got them.
///
/// ```
/// use iamsim::live::{Mint, SessionKind};
/// use iamsim::model::Caller;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       web: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] } }
/// "#)?;
/// let mint = || Ok::<_, ()>(Mint { kind: SessionKind::AssumeRole, caller: Caller::role_session("111111111111", "web", "i-1"), lifetime_secs: 3600 });
/// let delivered = world.live().delivered_credentials("ec2/i-1/2.0", mint).expect("minted");
/// assert_eq!(delivered.last_updated, world.clock().now());
/// assert!(delivered.session.is_role_session());
/// assert_eq!(delivered.session.credentials.expiration, delivered.last_updated + std::time::Duration::from_secs(3600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Delivered {
    /// The STS session behind them.
    pub session: Session,
    /// When they were issued: the `LastUpdated` of instance metadata.
    pub last_updated: SystemTime,
    /// The service's document for them, written once: it does not change until they rotate.
    document: OnceLock<Bytes>,
}

impl Delivered {
    /// The service's document for these credentials: `render`'s, the first time it is asked.
    ///
    /// ```
    /// use iamsim::live::{Mint, SessionKind};
    /// use iamsim::model::Caller;
    /// # let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { roles: { r: { trust: { Version: \"2012-10-17\", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] } } } } }")?;
    /// let mint = || Ok::<_, ()>(Mint { kind: SessionKind::AssumeRole, caller: Caller::role_session("111111111111", "r", "i-1"), lifetime_secs: 900 });
    /// let delivered = world.live().delivered_credentials("ec2/i-1/2.0", mint).unwrap();
    /// let key = delivered.document(|d| d.session.credentials.access_key_id.clone().into());
    /// assert_eq!(delivered.document(|_| unreachable!("written once")), key);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn document(&self, render: impl FnOnce(&Delivered) -> Bytes) -> Bytes {
        self.document.get_or_init(|| render(self)).clone()
    }
}

/// What a delivering service needs minted: the session's kind, who it stands for, and how long it
/// lasts.
///
/// ```
/// use iamsim::live::{Mint, SessionKind};
/// use iamsim::model::Caller;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       web: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] } }
/// "#)?;
/// let mint = || Ok::<_, ()>(Mint { kind: SessionKind::AssumeRole, caller: Caller::role_session("111111111111", "web", "i-1"), lifetime_secs: 3600 });
/// let delivered = world.live().delivered_credentials("ec2/i-1/2.0", mint).expect("minted");
/// assert_eq!(delivered.session.kind, SessionKind::AssumeRole);
/// let identity = world.live().identity(&delivered.session.caller).expect("the world has the role");
/// assert_eq!(identity.arn, "arn:aws:sts::111111111111:assumed-role/web/i-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Mint {
    /// The STS operation the service performs (`AssumeRole` for EC2, ECS and EKS Pod Identity).
    pub kind: SessionKind,
    /// The role session.
    pub caller: Caller,
    /// Lifetime in seconds.
    pub lifetime_secs: u64,
}

#[derive(Debug)]
struct ImdsToken {
    instance_id: String,
    expires: SystemTime,
}

#[derive(Debug, Default)]
struct State {
    tokens: HashMap<String, ImdsToken>,
    /// Tokens issued so far: numbers the next one, so tokens are deterministic.
    issued_tokens: u64,
    /// The current credentials of each holder (`ec2/INSTANCE/2.0`, `ecs/TASK`, …).
    current: HashMap<String, Arc<Delivered>>,
    /// Holders whose credentials are not rotated (a stalled refresh, for tests).
    paused: HashSet<String>,
}

/// The state of every credential-delivering service of one world.
#[derive(Debug, Default)]
pub(super) struct Deliveries {
    state: Mutex<State>,
}

impl Live {
    fn delivery_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.deliveries.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues an IMDSv2 session token for an instance, valid `ttl_secs` on the world's clock.
    /// The n-th token of a world is always the same text.
    ///
    /// ```
    /// # let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?;
    /// let live = world.live();
    /// let token = live.issue_imds_token("i-0123456789abcdef0", 60);
    /// assert!(live.imds_token_valid("i-0123456789abcdef0", &token));
    /// assert!(!live.imds_token_valid("i-0fedcba9876543210", &token), "a token works only on its instance");
    /// world.clock().advance(std::time::Duration::from_secs(60));
    /// assert!(!live.imds_token_valid("i-0123456789abcdef0", &token), "expired");
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn issue_imds_token(&self, instance_id: &str, ttl_secs: u64) -> String {
        let now = self.now();
        let mut state = self.delivery_state();
        state.tokens.retain(|_, t| t.expires > now);
        state.issued_tokens += 1;
        let n = state.issued_tokens;
        // Shaped like AWS's: 56 characters of base64 starting `AQAEA`.
        let token = format!("AQAEA{}", self.model().ids().opaque("imds-token", &n.to_string(), 51));
        let expires = now + Duration::from_secs(ttl_secs);
        state.tokens.insert(token.clone(), ImdsToken { instance_id: instance_id.to_owned(), expires });
        token
    }

    /// Whether `token` is an unexpired IMDSv2 session token of this instance. "The token is not
    /// valid on other EC2 instances" (EC2 User Guide, "How Instance Metadata Service Version 2
    /// works").
    pub fn imds_token_valid(&self, instance_id: &str, token: &str) -> bool {
        let now = self.now();
        let state = self.delivery_state();
        state.tokens.get(token).is_some_and(|t| t.instance_id == instance_id && now < t.expires)
    }

    /// The credentials a service currently delivers to `holder`: the ones delivered before, while
    /// they have more than [`ROTATE_BEFORE`] left; otherwise a new session from `mint`, which
    /// decides whether the service may have one at all (it asks the role's trust policy).
    ///
    /// ```
    /// use iamsim::live::{Mint, SessionKind};
    /// use iamsim::model::Caller;
    /// # let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { roles: { r: { trust: { Version: \"2012-10-17\", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] } } } } }")?;
    /// let live = world.live();
    /// let mint = || Ok::<_, ()>(Mint { kind: SessionKind::AssumeRole, caller: Caller::role_session("111111111111", "r", "i-1"), lifetime_secs: 3600 });
    /// let first = live.delivered_credentials("ec2/i-1", mint).unwrap();
    /// world.clock().advance(std::time::Duration::from_secs(3600 - 301));
    /// let same = live.delivered_credentials("ec2/i-1", mint).unwrap();
    /// assert_eq!(same.session.credentials, first.session.credentials);
    /// world.clock().advance(std::time::Duration::from_secs(1));
    /// let rotated = live.delivered_credentials("ec2/i-1", mint).unwrap();
    /// assert_ne!(rotated.session.credentials, first.session.credentials);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn delivered_credentials<E>(
        &self,
        holder: &str,
        mint: impl FnOnce() -> Result<Mint, E>,
    ) -> Result<Arc<Delivered>, E> {
        let now = self.now();
        // Held while minting, so two concurrent requests of one holder get one session.
        let mut state = self.delivery_state();
        if let Some(current) = state.current.get(holder) {
            let fresh =
                current.session.credentials.expiration.duration_since(now).is_ok_and(|left| left > ROTATE_BEFORE);
            if fresh || state.paused.contains(holder) {
                return Ok(current.clone());
            }
        }
        let Mint { kind, caller, lifetime_secs } = mint()?;
        let session = self.issue_session(kind, caller, lifetime_secs);
        let delivered = Arc::new(Delivered { session, last_updated: now, document: OnceLock::new() });
        state.current.insert(holder.to_owned(), delivered.clone());
        Ok(delivered)
    }

    /// Stops (`true`) or resumes rotating the credentials of a holder: a delivering service whose
    /// refresh stalls keeps handing out its last credentials, even expired ones — what the SDKs'
    /// "static stability" guards against. Holders are named `ec2/INSTANCE_ID/2.0` (or `/1.0`),
    /// `ecs/TASK_ID`, `eks/CLUSTER/NAMESPACE/POD/UID`.
    ///
    /// ```
    /// use iamsim::live::{Mint, SessionKind};
    /// use iamsim::model::Caller;
    /// # let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { roles: { r: { trust: { Version: \"2012-10-17\", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] } } } } }")?;
    /// let live = world.live();
    /// let mint = || Ok::<_, ()>(Mint { kind: SessionKind::AssumeRole, caller: Caller::role_session("111111111111", "r", "i-1"), lifetime_secs: 900 });
    /// let first = live.delivered_credentials("ec2/i-1/2.0", mint).unwrap();
    /// live.pause_credential_rotation("ec2/i-1/2.0", true);
    /// world.clock().advance(std::time::Duration::from_secs(3600));
    /// let stale = live.delivered_credentials("ec2/i-1/2.0", mint).unwrap();
    /// assert_eq!(stale.session.credentials, first.session.credentials, "expired, still handed out");
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn pause_credential_rotation(&self, holder: &str, paused: bool) {
        let mut state = self.delivery_state();
        if paused {
            state.paused.insert(holder.to_owned());
        } else {
            state.paused.remove(holder);
        }
    }
}
