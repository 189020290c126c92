//! Users: groups, policies, boundary, tags, access keys and MFA devices.

use super::closest;
use super::quotas::{ACCESS_KEYS_PER_USER, GROUPS_PER_USER, USER_INLINE_SIZE};
use super::{Builder, Kind};
use crate::fixtures::{AccessKeysFixture, AccountFixture, MfaFixture};
use crate::idp::Totp;
use crate::model::iam::{AccessKey, Account, MfaDevice, User};
use crate::model::names::IamName;
use crate::path::JsonPath;
use crate::policy::AccountId;

pub(super) fn build_users(b: &mut Builder<'_>, account: &mut Account, f: &AccountFixture, at: &JsonPath) {
    let id = account.id.clone();
    let id = &id;
    for (name, u) in &f.users {
        let uat = at.key("users").key(name);
        let Some((path, arn, uid)) = b.entity(IamName::User, id, name, u.path.as_deref(), u.id.as_deref(), &uat) else {
            b.broken(Kind::User, id.as_str(), name);
            continue;
        };
        if u.groups.len() > GROUPS_PER_USER {
            b.error(
                &uat.key("groups"),
                format!("{} groups: a user can be in at most {GROUPS_PER_USER}", u.groups.len()),
            );
        }
        let mut groups = Vec::new();
        for (i, g) in u.groups.iter().enumerate() {
            match account.group(g) {
                Some(group) => groups.push(group.name.clone()),
                None if b.is_broken(Kind::Group, id.as_str(), g) => {}
                None => {
                    let hint = closest(g, account.groups.keys().map(String::as_str))
                        .map(|s| format!(", did you mean `{s}`?"))
                        .unwrap_or_default();
                    b.error(&uat.key("groups").index(i), format!("account {id} has no group `{g}`{hint}"));
                }
            }
        }
        let inline_policies = b.inline_policies(
            &u.inline_policies,
            &uat.key("inline_policies"),
            &format!("user/{name}"),
            USER_INLINE_SIZE,
            &format!("user {name}"),
        );
        let managed_policies = b.managed_list(account, &u.policies, &uat.key("policies"), b.managed_per_user, "user");
        let permissions_boundary =
            b.boundary(account, u.permissions_boundary.as_deref(), &uat.key("permissions_boundary"));
        let tags = b.tags(&u.tags, &uat.key("tags"));
        let access_keys = access_keys(b, id, name, u.access_keys.as_ref(), &uat.key("access_keys"));
        let serial = format!("arn:aws:iam::{id}:mfa/{name}");
        let mfa = match &u.mfa {
            MfaFixture::Enabled(false) => None,
            MfaFixture::Enabled(true) => {
                let seed = Totp::from_seed(b.ids.seed(), &format!("mfa/{id}/{name}")).secret_base32();
                Some(MfaDevice { serial, seed })
            }
            MfaFixture::Device { secret } => match Totp::from_base32(secret) {
                Ok(totp) => Some(MfaDevice { serial, seed: totp.secret_base32() }),
                Err(e) => {
                    b.error(&uat.key("mfa").key("secret"), format!("invalid MFA secret: {e}"));
                    None
                }
            },
        };
        account.users.insert(
            name.clone(),
            User {
                name: name.clone(),
                path,
                arn,
                id: uid,
                groups,
                inline_policies,
                managed_policies,
                permissions_boundary,
                tags,
                access_keys,
                mfa,
            },
        );
    }
}

fn access_keys(
    b: &mut Builder<'_>,
    account: &AccountId,
    user: &str,
    f: Option<&AccessKeysFixture>,
    at: &JsonPath,
) -> Vec<AccessKey> {
    let generated = |b: &mut Builder<'_>, n: usize| AccessKey {
        id: b.ids.access_key_id("AKIA", &format!("{account}/{user}/{n}")),
        secret: b.ids.secret(&format!("{account}/{user}/{n}")),
        active: true,
    };
    match f {
        // Every user can sign requests unless the fixture says otherwise.
        None => vec![generated(b, 0)],
        Some(AccessKeysFixture::Count(n)) => {
            if usize::from(*n) > ACCESS_KEYS_PER_USER {
                b.error(at, format!("{n} access keys: a user can have at most {ACCESS_KEYS_PER_USER}"));
            }
            (0..usize::from(*n).min(ACCESS_KEYS_PER_USER)).map(|i| generated(b, i)).collect()
        }
        Some(AccessKeysFixture::Keys(keys)) => {
            if keys.len() > ACCESS_KEYS_PER_USER {
                b.error(at, format!("{} access keys: a user can have at most {ACCESS_KEYS_PER_USER}", keys.len()));
            }
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    let mut key = generated(b, i);
                    if let Some(kid) = &k.id {
                        // `accessKeyIdType`: 16–128 word characters.
                        if !(16..=128).contains(&kid.len())
                            || !kid.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                        {
                            b.error(
                                &at.index(i).key("id"),
                                format!("`{kid}` is not an access key id: 16 to 128 letters, digits or underscores"),
                            );
                        }
                        key.id = kid.clone();
                    }
                    if let Some(secret) = &k.secret {
                        if secret.is_empty() {
                            b.error(&at.index(i).key("secret"), "a secret access key cannot be empty");
                        }
                        key.secret = secret.clone();
                    }
                    match k.status.as_deref() {
                        None | Some("Active") => {}
                        Some("Inactive") => key.active = false,
                        Some(other) => b.error(
                            &at.index(i).key("status"),
                            format!("`{other}` is not a key status: expected `Active` or `Inactive`"),
                        ),
                    }
                    key
                })
                .collect()
        }
    }
}
