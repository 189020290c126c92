//! EC2 instances: account, region, instance id, and the role their instance profile holds.

use std::collections::BTreeMap;

use super::{Builder, Kind};
use crate::model::iam::Account;
use crate::model::names;
use crate::model::resources::Instance;
use crate::path::JsonPath;
use crate::policy::AccountId;

pub(super) fn build_instances(
    b: &mut Builder<'_>,
    accounts: &BTreeMap<AccountId, Account>,
    at: &JsonPath,
) -> BTreeMap<String, Instance> {
    let mut out = BTreeMap::new();
    let fixture = b.fixture;
    for (name, f) in &fixture.instances {
        let iat = at.key(name);
        let Some(account) = AccountId::new(&f.account).ok().and_then(|a| accounts.get(&a)) else {
            b.error(&iat.key("account"), format!("account `{}` is not in the fixture's accounts", f.account));
            continue;
        };
        let region = f.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
        if let Some(why) = names::check_region(&region) {
            b.error(&iat.key("region"), why);
        }
        let id = match &f.instance_id {
            Some(id) => {
                let hex = id.strip_prefix("i-").unwrap_or_default();
                if !(hex.len() == 8 || hex.len() == 17)
                    || !hex.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
                {
                    b.error(
                        &iat.key("instance_id"),
                        format!("`{id}` is not an instance id: `i-` and 8 or 17 lowercase hex digits"),
                    );
                }
                id.clone()
            }
            None => b.ids.instance_id(&format!("{}/{name}", account.id)),
        };
        let (role, profile) = match (&f.role, &f.instance_profile) {
            (None, None) => (None, None),
            (Some(role_name), profile) => {
                match account.role(role_name) {
                    None if b.is_broken(Kind::Role, account.id.as_str(), role_name) => (None, None),
                    None => {
                        b.error(&iat.key("role"), format!("account {} has no role `{role_name}`", account.id));
                        (None, None)
                    }
                    Some(role) => match (&role.instance_profile, profile) {
                        (Some(p), None) => (Some(role.name.clone()), Some(p.name.clone())),
                        (Some(p), Some(wanted)) if p.name.eq_ignore_ascii_case(wanted) => {
                            (Some(role.name.clone()), Some(p.name.clone()))
                        }
                        (_, wanted) => {
                            let wanted = wanted.clone().unwrap_or_else(|| role.name.clone());
                            b.error(&iat.key("role"), format!("role `{}` has no instance profile `{wanted}`: give the role `instance_profile: true`", role.name));
                            (None, None)
                        }
                    },
                }
            }
            (None, Some(profile)) => {
                match account
                    .roles
                    .values()
                    .find(|r| r.instance_profile.as_ref().is_some_and(|p| p.name.eq_ignore_ascii_case(profile)))
                {
                    Some(role) => (Some(role.name.clone()), Some(profile.clone())),
                    None => {
                        b.error(
                            &iat.key("instance_profile"),
                            format!("account {} has no instance profile `{profile}`", account.id),
                        );
                        (None, None)
                    }
                }
            }
        };
        out.insert(
            name.clone(),
            Instance { name: name.clone(), id, account: account.id.clone(), region, role, instance_profile: profile },
        );
    }
    out
}
