//! Who makes a request: IAM users, role sessions, the root user, federated callers, AWS
//! services and anonymous callers, with the context keys AWS derives from each.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::arn::{Arn, ArnError, Partition};

/// A 12-digit AWS account id.
///
/// ```
/// use iamsim::AccountId;
/// let id: AccountId = "111122223333".parse()?;
/// assert_eq!(id.as_str(), "111122223333");
/// assert!("1111".parse::<AccountId>().is_err());
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(Arc<str>);

impl AccountId {
    /// Checks that the text is exactly 12 decimal digits.
    pub fn new(text: &str) -> Result<AccountId, PrincipalError> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(text.into()))
        } else {
            Err(PrincipalError::InvalidAccount(text.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.0)
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Looks an account up by its text in maps keyed by `AccountId` (same order and hash as the
/// text).
impl std::borrow::Borrow<str> for AccountId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccountId {
    type Err = PrincipalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountId::new(s)
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Why a text does not name a principal.
///
/// ```
/// use iamsim::policy::{AccountId, PrincipalError};
/// use iamsim::Principal;
/// assert_eq!(AccountId::new("1234"), Err(PrincipalError::InvalidAccount("1234".into())));
/// let instance = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc";
/// assert_eq!(Principal::parse(instance), Err(PrincipalError::NotAPrincipal(instance.into())));
/// assert!(matches!(Principal::parse("not an arn"), Err(PrincipalError::Arn(_))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    /// Not a 12-digit account id.
    #[error("`{0}` is not an account id: expected 12 digits")]
    InvalidAccount(String),
    /// Not an ARN.
    #[error(transparent)]
    Arn(#[from] ArnError),
    /// An ARN, but not of a principal.
    #[error(
        "`{0}` does not name a principal: expected `anonymous`, a service such as `ec2.amazonaws.com`, or the ARN of a user, a role session, a federated user or an account root"
    )]
    NotAPrincipal(String),
}

/// Tags of a principal. Keys are matched case-insensitively, values case-sensitively
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html>).
///
/// ```
/// use iamsim::Tags;
/// let tags = Tags::from_iter([("Team", "photos")]);
/// assert_eq!(tags.get("team"), Some("photos"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags {
    // (lowercased key, key as written, value), sorted by lowercased key.
    entries: Vec<(Box<str>, Box<str>, Box<str>)>,
}

impl Tags {
    /// No tags.
    pub fn new() -> Tags {
        Tags::default()
    }

    /// Sets a tag, replacing one whose key differs only in case.
    pub fn insert(&mut self, key: &str, value: &str) {
        let lower: Box<str> = key.to_lowercase().into();
        let entry = (lower, Box::from(key), Box::from(value));
        match self.entries.binary_search_by(|e| e.0.cmp(&entry.0)) {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// The value of a tag, looked up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&str> {
        let lower = key.to_lowercase();
        self.get_lowercase(&lower)
    }

    pub(crate) fn get_lowercase(&self, lower: &str) -> Option<&str> {
        self.entries.binary_search_by(|e| (*e.0).cmp(lower)).ok().and_then(|i| self.entries.get(i)).map(|e| &*e.2)
    }

    /// The tags as (key, value) pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|e| (&*e.1, &*e.2))
    }

    /// How many tags there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Tags {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Tags {
        let mut tags = Tags::new();
        for (k, v) in iter {
            tags.insert(k.as_ref(), v.as_ref());
        }
        tags
    }
}

/// The caller of a request, as the policy engine sees it.
///
/// ```
/// use iamsim::Principal;
/// let alice = Principal::parse("arn:aws:iam::111122223333:user/staff/alice")?;
/// assert_eq!(alice.kind(), "User");
/// assert_eq!(alice.account().map(|a| a.as_str()), Some("111122223333"));
///
/// let session = Principal::parse("arn:aws:sts::111122223333:assumed-role/reader/app")?;
/// assert_eq!(session.principal_arn(), Some("arn:aws:iam::111122223333:role/reader"));
/// assert_eq!(Principal::parse("anonymous")?, Principal::Anonymous);
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user signing with its own access keys.
    User(UserPrincipal),
    /// A session of an assumed role.
    RoleSession(RoleSessionPrincipal),
    /// The root user of an account.
    Root(RootPrincipal),
    /// A federated user session from `GetFederationToken`.
    FederatedUser(FederatedUserPrincipal),
    /// An identity from an OIDC or SAML provider asking to assume a role
    /// (`AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`).
    WebIdentity(WebIdentityPrincipal),
    /// An AWS service acting on its own behalf, for example `ec2.amazonaws.com`.
    Service(ServicePrincipal),
    /// An unauthenticated request.
    Anonymous,
}

/// An IAM user. Built by [`Principal::user`] or [`Principal::parse`].
///
/// ```
/// use iamsim::Principal;
/// let alice = Principal::user("arn:aws:iam::111122223333:user/staff/alice")?;
/// assert!(matches!(alice, Principal::User(_)));
/// assert_eq!(alice.username(), Some("alice"));
/// assert_eq!(alice.kind(), "User");
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPrincipal {
    arn: Arn,
    account: AccountId,
    name: Box<str>,
    unique_id: Option<Box<str>>,
    tags: Tags,
}

/// A role session. Built by [`Principal::role_session`] or [`Principal::parse`].
///
/// ```
/// use iamsim::Principal;
/// let session = Principal::parse("arn:aws:sts::111122223333:assumed-role/reader/app")?;
/// assert!(matches!(session, Principal::RoleSession(_)));
/// assert_eq!(session.kind(), "AssumedRole");
/// assert_eq!(session.role_arn(), Some("arn:aws:iam::111122223333:role/reader"));
/// assert_eq!(session.session_arn(), Some("arn:aws:sts::111122223333:assumed-role/reader/app"));
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSessionPrincipal {
    session_arn: Arn,
    role_arn: Arn,
    account: AccountId,
    role_name: Box<str>,
    session_name: Box<str>,
    userid: Option<Box<str>>,
    tags: Tags,
}

/// The root user of an account.
///
/// ```
/// use iamsim::{AccountId, Principal};
/// let root = Principal::root(&AccountId::new("111122223333")?);
/// assert!(matches!(root, Principal::Root(_)));
/// assert_eq!(root.arn(), Some("arn:aws:iam::111122223333:root"));
/// assert_eq!(root.kind(), "Account");
/// assert_eq!(root.userid(), Some("111122223333"));
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootPrincipal {
    arn: Arn,
    account: AccountId,
}

/// A federated user (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
///
/// ```
/// use iamsim::Principal;
/// let bob = Principal::parse("arn:aws:sts::111122223333:federated-user/bob")?;
/// assert!(matches!(bob, Principal::FederatedUser(_)));
/// assert_eq!(bob.kind(), "FederatedUser");
/// assert_eq!(bob.userid(), Some("111122223333:bob"));
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederatedUserPrincipal {
    arn: Arn,
    account: AccountId,
    name: Box<str>,
    userid: Box<str>,
    tags: Tags,
}

/// A web identity or SAML caller, named by its provider: an IAM OIDC or SAML provider ARN, or
/// a well-known provider such as `cognito-identity.amazonaws.com`.
///
/// ```
/// use iamsim::Principal;
/// let caller = Principal::web_identity("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
/// assert!(matches!(caller, Principal::WebIdentity(_)));
/// assert_eq!(caller.kind(), "WebIdentity");
/// assert_eq!(caller.provider(), Some("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"));
/// assert_eq!(caller.arn(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentityPrincipal {
    provider: Box<str>,
}

/// An AWS service principal such as `ec2.amazonaws.com`.
///
/// ```
/// use iamsim::Principal;
/// let ec2 = Principal::parse("ec2.amazonaws.com")?;
/// assert_eq!(ec2, Principal::service("ec2.amazonaws.com"));
/// assert_eq!(ec2.service_name(), Some("ec2.amazonaws.com"));
/// assert_eq!(ec2.display_name(), "ec2.amazonaws.com");
/// # Ok::<(), iamsim::policy::PrincipalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePrincipal {
    name: Box<str>,
}

fn iam_arn(partition: Partition, account: &AccountId, resource: &str) -> Result<Arn, PrincipalError> {
    Ok(Arn::parse(&format!("arn:{partition}:iam::{account}:{resource}"))?)
}

impl Principal {
    /// An IAM user from its ARN (`arn:aws:iam::ACCOUNT:user/PATH/NAME`).
    pub fn user(arn: &str) -> Result<Principal, PrincipalError> {
        match Principal::parse(arn)? {
            p @ Principal::User(_) => Ok(p),
            _ => Err(PrincipalError::NotAPrincipal(arn.to_owned())),
        }
    }

    /// A session of the role `role_arn` (which may carry a path) named `session_name`.
    ///
    /// ```
    /// use iamsim::Principal;
    /// let s = Principal::role_session("arn:aws:iam::111122223333:role/app/reader", "alice")?;
    /// assert_eq!(s.arn(), Some("arn:aws:sts::111122223333:assumed-role/reader/alice"));
    /// # Ok::<(), iamsim::policy::PrincipalError>(())
    /// ```
    pub fn role_session(role_arn: &str, session_name: &str) -> Result<Principal, PrincipalError> {
        let role = Arn::parse(role_arn)?;
        let not_role = || PrincipalError::NotAPrincipal(role_arn.to_owned());
        let path_and_name = role.resource().strip_prefix("role/").ok_or_else(not_role)?;
        if role.service() != "iam" {
            return Err(not_role());
        }
        let role_name = path_and_name.rsplit('/').next().unwrap_or_default();
        let account = AccountId::new(role.account())?;
        let session_arn = Arn::parse(&format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            role.partition(),
            account,
            role_name,
            session_name
        ))?;
        Ok(Principal::RoleSession(RoleSessionPrincipal {
            session_arn,
            role_arn: role.clone(),
            account,
            role_name: role_name.into(),
            session_name: session_name.into(),
            userid: None,
            tags: Tags::new(),
        }))
    }

    /// The root user of an account.
    pub fn root(account: &AccountId) -> Principal {
        Principal::root_in(Partition::Aws, account)
    }

    fn root_in(partition: Partition, account: &AccountId) -> Principal {
        match iam_arn(partition, account, "root") {
            Ok(arn) => Principal::Root(RootPrincipal { arn, account: account.clone() }),
            // An AccountId always forms a valid root ARN.
            Err(_) => Principal::Anonymous,
        }
    }

    /// An AWS service principal.
    pub fn service(name: &str) -> Principal {
        Principal::Service(ServicePrincipal { name: name.into() })
    }

    /// A web identity or SAML caller of the given provider.
    pub fn web_identity(provider: &str) -> Principal {
        Principal::WebIdentity(WebIdentityPrincipal { provider: provider.into() })
    }

    /// Parses `anonymous`, a service principal name (`ec2.amazonaws.com`), or the ARN of a user,
    /// a role session, a federated user or an account root.
    pub fn parse(text: &str) -> Result<Principal, PrincipalError> {
        if text == "anonymous" {
            return Ok(Principal::Anonymous);
        }
        if !text.starts_with("arn:") && text.ends_with(".amazonaws.com") {
            return Ok(Principal::service(text));
        }
        let arn = Arn::parse(text)?;
        let not_principal = || PrincipalError::NotAPrincipal(text.to_owned());
        let account = AccountId::new(arn.account())?;
        match (arn.service(), arn.resource()) {
            ("iam", "root") => Ok(Principal::root_in(arn.partition(), &account)),
            ("iam", res) if res.starts_with("user/") => {
                let name = res.rsplit('/').next().filter(|n| !n.is_empty()).ok_or_else(not_principal)?;
                Ok(Principal::User(UserPrincipal {
                    name: name.into(),
                    arn,
                    account,
                    unique_id: None,
                    tags: Tags::new(),
                }))
            }
            ("sts", res) if res.starts_with("assumed-role/") => {
                let mut parts = res.splitn(3, '/').skip(1);
                let (Some(role), Some(session)) = (parts.next(), parts.next()) else {
                    return Err(not_principal());
                };
                if role.is_empty() || session.is_empty() {
                    return Err(not_principal());
                }
                let role_arn = iam_arn(arn.partition(), &account, &format!("role/{role}"))?;
                Ok(Principal::RoleSession(RoleSessionPrincipal {
                    session_arn: arn.clone(),
                    role_arn,
                    account,
                    role_name: role.into(),
                    session_name: session.into(),
                    userid: None,
                    tags: Tags::new(),
                }))
            }
            ("sts", res) if res.starts_with("federated-user/") => {
                let name = res.trim_start_matches("federated-user/");
                if name.is_empty() {
                    return Err(not_principal());
                }
                Ok(Principal::FederatedUser(FederatedUserPrincipal {
                    userid: format!("{account}:{name}").into(),
                    name: name.into(),
                    arn,
                    account,
                    tags: Tags::new(),
                }))
            }
            _ => Err(not_principal()),
        }
    }

    /// The same principal with these tags (for a role session: the role's tags together with
    /// the session tags). Principals without tags ignore them.
    pub fn with_tags(mut self, tags: Tags) -> Principal {
        match &mut self {
            Principal::User(u) => u.tags = tags,
            Principal::RoleSession(s) => s.tags = tags,
            Principal::FederatedUser(f) => f.tags = tags,
            _ => {}
        }
        self
    }

    /// The same principal with its unique id: `AIDA…` for a user, the role's `AROA…` id for a
    /// role session. It becomes the value of `aws:userid`.
    pub fn with_unique_id(mut self, id: &str) -> Principal {
        match &mut self {
            Principal::User(u) => u.unique_id = Some(id.into()),
            Principal::RoleSession(s) => s.userid = Some(format!("{id}:{}", s.session_name).into()),
            _ => {}
        }
        self
    }

    /// `aws:PrincipalType`: `User`, `AssumedRole`, `Account`, `FederatedUser`, `WebIdentity`,
    /// `Service` or `Anonymous`.
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::User(_) => "User",
            Principal::RoleSession(_) => "AssumedRole",
            Principal::Root(_) => "Account",
            Principal::FederatedUser(_) => "FederatedUser",
            Principal::WebIdentity(_) => "WebIdentity",
            Principal::Service(_) => "Service",
            Principal::Anonymous => "Anonymous",
        }
    }

    /// The ARN the caller is known by in messages: the user ARN, the role-session ARN
    /// (`arn:aws:sts::…:assumed-role/ROLE/SESSION`), the root or federated-user ARN.
    pub fn arn(&self) -> Option<&str> {
        match self {
            Principal::User(u) => Some(u.arn.as_str()),
            Principal::RoleSession(s) => Some(s.session_arn.as_str()),
            Principal::Root(r) => Some(r.arn.as_str()),
            Principal::FederatedUser(f) => Some(f.arn.as_str()),
            Principal::WebIdentity(_) | Principal::Service(_) | Principal::Anonymous => None,
        }
    }

    /// `aws:PrincipalArn`: like [`Principal::arn`], except that a role session gives its role's
    /// ARN (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn>).
    pub fn principal_arn(&self) -> Option<&str> {
        match self {
            Principal::RoleSession(s) => Some(s.role_arn.as_str()),
            other => other.arn(),
        }
    }

    /// The account the caller belongs to; none for services, web identities and anonymous callers.
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            Principal::User(u) => Some(&u.account),
            Principal::RoleSession(s) => Some(&s.account),
            Principal::Root(r) => Some(&r.account),
            Principal::FederatedUser(f) => Some(&f.account),
            Principal::WebIdentity(_) | Principal::Service(_) | Principal::Anonymous => None,
        }
    }

    /// The role's ARN, for a role session.
    pub fn role_arn(&self) -> Option<&str> {
        match self {
            Principal::RoleSession(s) => Some(s.role_arn.as_str()),
            _ => None,
        }
    }

    /// `aws:username`: the IAM user's name, for IAM users only.
    pub fn username(&self) -> Option<&str> {
        match self {
            Principal::User(u) => Some(&u.name),
            _ => None,
        }
    }

    /// `aws:userid`: the user's unique id, `ROLE-ID:SESSION` for a role session, the account id
    /// for the root user, `ACCOUNT:NAME` for a federated user, `anonymous` for anonymous callers
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable>).
    /// Absent where the unique id is not known.
    pub fn userid(&self) -> Option<&str> {
        match self {
            Principal::User(u) => u.unique_id.as_deref(),
            Principal::RoleSession(s) => s.userid.as_deref(),
            Principal::Root(r) => Some(r.account.as_str()),
            Principal::FederatedUser(f) => Some(&f.userid),
            Principal::Anonymous => Some("anonymous"),
            Principal::WebIdentity(_) | Principal::Service(_) => None,
        }
    }

    /// The IAM unique id behind the caller, when known: the user's `AIDA…` id, or the `AROA…`
    /// id of the role behind a session.
    pub fn unique_id(&self) -> Option<&str> {
        match self {
            Principal::User(u) => u.unique_id.as_deref(),
            Principal::RoleSession(s) => s.userid.as_deref().and_then(|u| u.split(':').next()),
            _ => None,
        }
    }

    /// The principal's tags (`aws:PrincipalTag/…`).
    pub fn tags(&self) -> Option<&Tags> {
        match self {
            Principal::User(u) => Some(&u.tags),
            Principal::RoleSession(s) => Some(&s.tags),
            Principal::FederatedUser(f) => Some(&f.tags),
            _ => None,
        }
    }

    /// The service name, for a service principal.
    pub fn service_name(&self) -> Option<&str> {
        match self {
            Principal::Service(s) => Some(&s.name),
            _ => None,
        }
    }

    /// The identity provider, for a web identity or SAML caller.
    pub fn provider(&self) -> Option<&str> {
        match self {
            Principal::WebIdentity(w) => Some(&w.provider),
            _ => None,
        }
    }

    /// The role-session ARN, for a role session.
    pub fn session_arn(&self) -> Option<&str> {
        match self {
            Principal::RoleSession(s) => Some(s.session_arn.as_str()),
            _ => None,
        }
    }

    /// The name this principal is shown by in AWS's messages: its ARN, the service name, the
    /// provider, or `anonymous`.
    pub fn display_name(&self) -> &str {
        match self {
            Principal::Service(s) => &s.name,
            Principal::WebIdentity(w) => &w.provider,
            Principal::Anonymous => "anonymous",
            other => other.arn().unwrap_or("anonymous"),
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Principal {
    type Err = PrincipalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Principal::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_name_is_the_last_path_segment() {
        let p = Principal::parse("arn:aws:iam::111122223333:user/a/b/carol").unwrap();
        assert_eq!(p.username(), Some("carol"));
        assert_eq!(p.principal_arn(), Some("arn:aws:iam::111122223333:user/a/b/carol"));
        assert_eq!(p.kind(), "User");
    }

    #[test]
    fn role_session_keys() {
        let p = Principal::parse("arn:aws-cn:sts::111122223333:assumed-role/reader/s1")
            .unwrap()
            .with_unique_id("AROAEXAMPLE");
        assert_eq!(p.principal_arn(), Some("arn:aws-cn:iam::111122223333:role/reader"));
        assert_eq!(p.userid(), Some("AROAEXAMPLE:s1"));
        assert_eq!(p.username(), None);
    }

    #[test]
    fn root_and_services() {
        let root = Principal::parse("arn:aws:iam::111122223333:root").unwrap();
        assert_eq!(root.kind(), "Account");
        assert_eq!(root.userid(), Some("111122223333"));
        let ec2 = Principal::parse("ec2.amazonaws.com").unwrap();
        assert_eq!(ec2.service_name(), Some("ec2.amazonaws.com"));
        assert_eq!(ec2.account(), None);
    }

    #[test]
    fn rejects_non_principals() {
        assert!(matches!(Principal::parse("arn:aws:s3:::bucket"), Err(PrincipalError::InvalidAccount(_))));
        assert!(matches!(
            Principal::parse("arn:aws:iam::111122223333:policy/x"),
            Err(PrincipalError::NotAPrincipal(_))
        ));
        assert!(Principal::parse("arn:aws:sts::111122223333:assumed-role/onlyrole").is_err());
    }

    #[test]
    fn tags_are_case_insensitive_by_key() {
        let mut t = Tags::new();
        t.insert("Team", "a");
        t.insert("TEAM", "b");
        assert_eq!(t.len(), 1);
        assert_eq!(t.get("team"), Some("b"));
        assert_eq!(t.get("other"), None);
    }
}
