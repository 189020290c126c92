//! AWS Organizations: the organization root, organizational units, member accounts, and the
//! SCPs and RCPs attached at each level.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::iam::AttachedPolicy;
use crate::policy::{AccountId, Policy};

/// An organizational unit.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// organization:
///   management_account: "111111111111"
///   ous: [prod/web]
///   accounts: { "222222222222": prod/web }
///   policies:
///     NoDelete: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: s3:DeleteObject, Resource: "*" }] }
///   scps: { prod: [NoDelete] }
/// accounts:
///   "111111111111": {}
///   "222222222222":
///     users: { bob: { policies: [arn:aws:iam::aws:policy/AdministratorAccess] } }
///     buckets: { data: {} }
/// "#)?;
/// let org = world.model().organization().expect("the fixture has one");
/// let web = &org.ous["prod/web"];
/// assert_eq!(web.path, "prod/web");
/// assert!(web.id.starts_with("ou-"));
/// assert!(org.ous.contains_key("prod"), "parents are implied");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationalUnit {
    /// The path from the root, such as `prod/web`.
    pub path: String,
    /// The OU id (`ou-…`).
    pub id: String,
}

/// An organization.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// organization:
///   management_account: "111111111111"
///   ous: [prod/web]
///   accounts: { "222222222222": prod/web }
///   policies:
///     NoDelete: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: s3:DeleteObject, Resource: "*" }] }
///   scps: { prod: [NoDelete] }
/// accounts:
///   "111111111111": {}
///   "222222222222":
///     users: { bob: { policies: [arn:aws:iam::aws:policy/AdministratorAccess] } }
///     buckets: { data: {} }
/// "#)?;
/// let org = world.model().organization().expect("the fixture has one");
/// let member = "222222222222".parse()?;
/// assert!(org.id.starts_with("o-") && org.contains(&member));
/// assert_eq!(org.levels(&member), Some(vec!["root".into(), "prod".into(), "prod/web".into(), "222222222222".into()]));
/// // The SCP on `prod` denies bob, even with AdministratorAccess.
/// let delete = world.user("222222222222", "bob").can("s3:DeleteObject").on("arn:aws:s3:::data/k");
/// assert_eq!(delete.outcome(), iamsim::Outcome::ExplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Organization {
    /// The organization id (`o-…`).
    pub id: String,
    /// The root id (`r-…`).
    pub root_id: String,
    /// The management account.
    pub management_account: AccountId,
    /// OUs by path.
    pub ous: BTreeMap<String, OrganizationalUnit>,
    /// Every account of the organization (the management account too) and the OU path it sits
    /// in (empty for the root).
    pub accounts: BTreeMap<AccountId, String>,
    /// SCPs by attachment target (`root`, an OU path, or an account id), when SCPs are enabled.
    pub scps: Option<BTreeMap<String, Vec<AttachedPolicy>>>,
    /// RCPs by attachment target, when RCPs are enabled (`RCPFullAWSAccess` included).
    pub rcps: Option<BTreeMap<String, Vec<AttachedPolicy>>>,
}

impl Organization {
    /// Whether the account is in the organization.
    pub fn contains(&self, account: &AccountId) -> bool {
        self.accounts.contains_key(account)
    }

    /// The attachment targets from the root down to the account: `root`, each OU path, the
    /// account id. `None` for accounts outside the organization.
    pub fn levels(&self, account: &AccountId) -> Option<Vec<String>> {
        let ou = self.accounts.get(account)?;
        let mut levels = vec!["root".to_owned()];
        let mut prefix = String::new();
        for part in ou.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            levels.push(prefix.clone());
        }
        levels.push(account.as_str().to_owned());
        Some(levels)
    }

    fn policy_levels(
        &self,
        table: Option<&BTreeMap<String, Vec<AttachedPolicy>>>,
        account: &AccountId,
    ) -> Option<Vec<Vec<Arc<Policy>>>> {
        // Neither SCPs nor RCPs apply to the management account
        // ("SCPs affect only member accounts", "RCPs don't affect resources in the management account").
        if *account == self.management_account {
            return None;
        }
        let table = table?;
        let levels = self.levels(account)?;
        Some(levels.iter().map(|l| table.get(l).into_iter().flatten().map(|a| a.policy.clone()).collect()).collect())
    }

    /// The SCP levels that limit principals of the account, root first.
    pub fn scp_levels(&self, account: &AccountId) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.policy_levels(self.scps.as_ref(), account)
    }

    /// The RCP levels that limit resources of the account, root first.
    pub fn rcp_levels(&self, account: &AccountId) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.policy_levels(self.rcps.as_ref(), account)
    }

    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` for an account:
    /// `o-…/r-…/ou-…/…/` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths>).
    pub fn org_path(&self, account: &AccountId) -> Option<String> {
        let ou = self.accounts.get(account)?;
        let mut path = format!("{}/{}/", self.id, self.root_id);
        let mut prefix = String::new();
        for part in ou.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if let Some(unit) = self.ous.get(&prefix) {
                path.push_str(&unit.id);
                path.push('/');
            }
        }
        Some(path)
    }
}
