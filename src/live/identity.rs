//! What `GetCallerIdentity` says of a caller: its ARN, user id and account.

use serde::Serialize;

use super::Live;
use crate::model::Caller;

/// A caller as AWS names it.
///
/// ```
/// use iamsim::model::Caller;
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       reader: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "111111111111" }, Action: sts:AssumeRole }] } }
/// "#)?;
/// let identity = world.live().identity(&Caller::role_session("111111111111", "reader", "app")).expect("the world has the role");
/// assert_eq!(identity.arn, "arn:aws:sts::111111111111:assumed-role/reader/app");
/// assert!(identity.user_id.starts_with("AROA") && identity.user_id.ends_with(":app"));
/// assert_eq!(identity.account, "111111111111");
/// assert!(world.live().identity(&Caller::Anonymous).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `arn:aws:iam::111111111111:user/alice`, `arn:aws:sts::111111111111:assumed-role/reader/app`, …
    pub arn: String,
    /// `AIDA…` for a user, `AROA…:SESSION` for a role session, the account id for root,
    /// `ACCOUNT:NAME` for a federated user.
    pub user_id: String,
    /// The account id.
    pub account: String,
}

impl Live {
    /// The identity of a caller of this world; `None` for a caller the world does not have, a
    /// service, a web identity or an anonymous caller.
    pub fn identity(&self, caller: &Caller) -> Option<Identity> {
        let model = self.model();
        let account_of = |id: &str| model.account(id);
        match caller {
            Caller::User { account, name } | Caller::UserSession { account, name: Some(name), .. } => {
                let user = account_of(account)?.user(name)?;
                Some(Identity { arn: user.arn.as_str().to_owned(), user_id: user.id.clone(), account: account.clone() })
            }
            Caller::Root { account } | Caller::UserSession { account, name: None, .. } => {
                let acct = account_of(account)?;
                Some(Identity {
                    arn: format!("arn:aws:iam::{}:root", acct.id),
                    user_id: account.clone(),
                    account: account.clone(),
                })
            }
            Caller::RoleSession { account, role, session } => {
                let role = account_of(account)?.role(role)?;
                let partition = role.arn.partition().as_str();
                Some(Identity {
                    arn: concat(&[
                        "arn:",
                        partition,
                        ":sts::",
                        account,
                        ":assumed-role/",
                        &role.name,
                        "/",
                        &session.name,
                    ]),
                    user_id: concat(&[&role.id, ":", &session.name]),
                    account: account.clone(),
                })
            }
            Caller::FederatedUser { account, name, user, .. } => {
                let user = account_of(account)?.user(user)?;
                let partition = user.arn.partition();
                Some(Identity {
                    arn: format!("arn:{partition}:sts::{account}:federated-user/{name}"),
                    user_id: format!("{account}:{name}"),
                    account: account.clone(),
                })
            }
            Caller::Service { .. } | Caller::WebIdentity { .. } | Caller::Anonymous => None,
        }
    }

    /// The ARN the access log and AWS's messages use for a caller: its identity's ARN, the
    /// service or provider name, or `anonymous`.
    pub fn caller_arn(&self, caller: &Caller) -> String {
        // An IAM user (the most common caller): its ARN, without the rest of its identity.
        if let Caller::User { account, name } = caller
            && let Some(user) = self.model().account(account).and_then(|a| a.user(name))
        {
            return user.arn.as_str().to_owned();
        }
        match (self.identity(caller), caller) {
            (Some(identity), _) => identity.arn,
            (None, Caller::Service { name }) => name.clone(),
            (None, Caller::WebIdentity { provider }) => provider.clone(),
            (None, _) => "anonymous".to_owned(),
        }
    }
}

/// The parts, joined (what `format!` would write, in one allocation).
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}
