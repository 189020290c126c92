//! What every IAM entity shares: names, paths, unique ids, tags, ARNs; names unique regardless
//! of case, unique ids unique across the world.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Builder;
use super::quotas::TAGS_PER_ENTITY;
use crate::arn::Arn;
use crate::model::iam::Account;
use crate::model::names::{self, IamName};
use crate::path::JsonPath;
use crate::policy::{AccountId, Tags};

impl Builder<'_> {
    pub(super) fn tags(&mut self, tags: &BTreeMap<String, String>, path: &JsonPath) -> Tags {
        if tags.len() > TAGS_PER_ENTITY {
            self.error(path, format!("{} tags: at most {TAGS_PER_ENTITY} are allowed", tags.len()));
        }
        let mut seen = BTreeSet::new();
        for (k, v) in tags {
            if let Some(why) = names::check_tag(k, v) {
                self.error(&path.key(k), why);
            }
            if !seen.insert(k.to_lowercase()) {
                self.error(&path.key(k), format!("duplicate tag key `{k}`: tag keys are not case-sensitive"));
            }
        }
        tags.iter().collect()
    }

    pub(super) fn iam_path(&mut self, path: Option<&str>, at: &JsonPath) -> String {
        let p = path.unwrap_or("/");
        if let Some(why) = names::check_path(p) {
            self.error(at, why);
        }
        p.to_owned()
    }

    pub(super) fn unique_id(&mut self, given: Option<&str>, prefix: &str, scope: &str, at: &JsonPath) -> String {
        match given {
            Some(id) => {
                if let Some(why) = names::check_unique_id(id) {
                    self.error(at, why);
                }
                id.to_owned()
            }
            None => self.ids.unique_id(prefix, scope),
        }
    }

    /// What every IAM entity shares: its name checked, its path checked, its ARN, and its unique
    /// id (given, or generated from the seed). `None` when no ARN can be formed.
    pub(super) fn entity(
        &mut self,
        kind: IamName,
        account: &AccountId,
        name: &str,
        path: Option<&str>,
        given_id: Option<&str>,
        at: &JsonPath,
    ) -> Option<(String, Arn, String)> {
        let (resource, prefix) = match kind {
            IamName::User => ("user", "AIDA"),
            IamName::Group => ("group", "AGPA"),
            IamName::Role => ("role", "AROA"),
            IamName::Policy => ("policy", "ANPA"),
            IamName::InstanceProfile => ("instance-profile", "AIPA"),
        };
        if let Some(why) = names::check_iam_name(kind, name) {
            self.error(at, why);
        }
        let path = self.iam_path(path, &at.key("path"));
        let arn = Arn::parse(&format!("arn:aws:iam::{account}:{resource}{path}{name}")).ok()?;
        let id = self.unique_id(given_id, prefix, &format!("{resource}/{account}/{name}"), &at.key("id"));
        Some((path, arn, id))
    }
}

/// Checks that names are unique regardless of case ("Names of users, groups, roles, and instance
/// profiles must be unique within the account. They aren't distinguished by case").
pub(super) fn duplicates_by_case<'a>(names: impl Iterator<Item = &'a String>) -> Vec<(&'a String, &'a String)> {
    let mut seen: HashMap<String, &String> = HashMap::new();
    let mut out = Vec::new();
    for n in names {
        if let Some(first) = seen.insert(n.to_lowercase(), n) {
            out.push((first, n));
        }
    }
    out
}

pub(super) fn check_unique_ids(b: &mut Builder<'_>, accounts: &BTreeMap<AccountId, Account>) {
    let mut seen: HashMap<&str, JsonPath> = HashMap::new();
    for (aid, account) in accounts {
        let at = JsonPath::root().key("accounts").key(aid.as_str());
        let entries = account
            .users
            .values()
            .map(|u| (u.id.as_str(), at.key("users").key(&u.name).key("id")))
            .chain(account.groups.values().map(|g| (g.id.as_str(), at.key("groups").key(&g.name).key("id"))))
            .chain(account.roles.values().map(|r| (r.id.as_str(), at.key("roles").key(&r.name).key("id"))))
            .collect::<Vec<_>>();
        for (id, path) in entries {
            if let Some(first) = seen.insert(id, path.clone()) {
                b.error(&path, format!("unique id `{id}` is already used at `{first}`"));
            }
        }
    }
}
