//! Sessions STS issued: their temporary credentials and who they stand for.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::model::{Caller, Ids};

/// Temporary security credentials, as STS returns them.
///
/// ```
/// use iamsim::live::SessionKind;
/// use iamsim::model::Caller;
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { users: { alice: {} } } }")?;
/// let session = world.live().issue_session(SessionKind::GetSessionToken, Caller::user("111111111111", "alice"), 900);
/// let credentials = &session.credentials;
/// assert!(credentials.access_key_id.starts_with("ASIA"));
/// assert_eq!(credentials.session_token.len(), 356);
/// assert_eq!(credentials.expiration, world.clock().now() + std::time::Duration::from_secs(900));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryCredentials {
    /// `ASIA…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token the caller must send with every request.
    pub session_token: String,
    /// When the credentials stop working.
    pub expiration: SystemTime,
}

/// Which STS operation created a session; what the session may do next depends on it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use iamsim::live::SessionKind;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:user/alice" }, Action: sts:AssumeRole }] } }
/// "#)?.without_recording();
/// let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
/// let assumed = sts.assume_role().role_arn("arn:aws:iam::111111111111:role/reader").role_session_name("app").send().await?;
/// let key = assumed.credentials().map(|c| c.access_key_id().to_owned()).unwrap_or_default();
/// let session = world.live().session(&key).expect("issued by the world's STS");
/// assert_eq!(session.kind, SessionKind::AssumeRole);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SessionKind {
    /// `AssumeRole` (also role chaining).
    AssumeRole,
    /// `AssumeRoleWithWebIdentity`.
    AssumeRoleWithWebIdentity,
    /// `AssumeRoleWithSAML`.
    AssumeRoleWithSaml,
    /// `GetSessionToken`.
    GetSessionToken,
    /// `GetFederationToken`.
    GetFederationToken,
}

/// A session issued by the world's STS.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:user/alice" }, Action: sts:AssumeRole }] } }
/// "#)?.without_recording();
/// let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
/// let assumed = sts.assume_role().role_arn("arn:aws:iam::111111111111:role/reader").role_session_name("app").send().await?;
/// let key = assumed.credentials().map(|c| c.access_key_id().to_owned()).unwrap_or_default();
/// let session = world.live().session(&key).expect("issued by the world's STS");
/// assert!(session.is_role_session());
/// assert_eq!(session.issued_at, world.clock().now());
/// assert_eq!(session.signing_key().session_token.as_deref(), Some(session.credentials.session_token.as_str()));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Session {
    /// The operation that created it.
    pub kind: SessionKind,
    /// Its credentials.
    pub credentials: TemporaryCredentials,
    /// Who it acts as, with everything the session carries (policies, tags, MFA, …).
    pub caller: Caller,
    /// When it was issued.
    pub issued_at: SystemTime,
}

impl Session {
    /// The key a request signed with this session's credentials must verify against.
    pub fn signing_key(&self) -> SigningKey {
        SigningKey {
            access_key_id: self.credentials.access_key_id.clone(),
            secret: self.credentials.secret_access_key.clone(),
            session_token: Some(self.credentials.session_token.clone()),
            expires: Some(self.credentials.expiration),
            active: true,
            caller: self.caller.clone(),
        }
    }

    /// Whether the session was created by assuming a role.
    pub fn is_role_session(&self) -> bool {
        matches!(self.caller, Caller::RoleSession { .. })
    }
}

/// What verifying a request signed with an access key needs: the secret, the session token the
/// request must carry (temporary credentials only), expiry, and the caller it authenticates.
///
/// ```
/// use iamsim::live::SessionKind;
/// use iamsim::model::Caller;
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { users: { alice: {} } } }")?;
/// let alice = &world.model().account("111111111111").and_then(|a| a.user("alice")).expect("in the fixture").access_keys[0];
/// let long_term = world.live().signing_key(&alice.id).expect("a key of the world");
/// assert!(long_term.active && long_term.session_token.is_none() && long_term.expires.is_none());
/// assert_eq!(long_term.caller.account(), Some("111111111111"));
/// let session = world.live().issue_session(SessionKind::GetSessionToken, Caller::user("111111111111", "alice"), 900);
/// let temporary = world.live().signing_key(&session.credentials.access_key_id).expect("issued");
/// assert_eq!(temporary.expires, Some(session.credentials.expiration));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SigningKey {
    /// The access key id.
    pub access_key_id: String,
    /// The secret the signature is computed with.
    pub secret: String,
    /// For temporary credentials, the session token the request must carry.
    pub session_token: Option<String>,
    /// For temporary credentials, when they expire.
    pub expires: Option<SystemTime>,
    /// Whether the key is active (an `Inactive` IAM key is refused).
    pub active: bool,
    /// Who the key authenticates.
    pub caller: Caller,
}

#[derive(Debug, Default)]
pub(super) struct Sessions {
    by_key: HashMap<String, Session>,
}

impl Sessions {
    pub(super) fn len(&self) -> usize {
        self.by_key.len()
    }

    pub(super) fn get(&self, access_key_id: &str) -> Option<&Session> {
        self.by_key.get(access_key_id)
    }

    pub(super) fn insert(&mut self, session: Session) {
        self.by_key.insert(session.credentials.access_key_id.clone(), session);
    }
}

/// Session tokens look like AWS's: long opaque base64 text, here always 356 characters.
const TOKEN_LENGTH: usize = 356;

/// The credentials of the `n`-th session of a world: derived from the seed and `n` alone, so a
/// test that makes the same calls gets the same keys on every run.
pub(super) fn mint(ids: Ids, n: usize, kind: SessionKind, caller: Caller, now: SystemTime, lifetime: u64) -> Session {
    let scope = format!("session/{n}");
    let credentials = TemporaryCredentials {
        access_key_id: ids.access_key_id("ASIA", &scope),
        secret_access_key: ids.secret(&scope),
        session_token: format!("IQoJb3JpZ2luX2VjE{}", ids.opaque("token", &scope, TOKEN_LENGTH - 17)),
        expiration: now + Duration::from_secs(lifetime),
    };
    Session { kind, credentials, caller, issued_at: now }
}
