//! "Invalid principal in policy": principals named in trust and bucket policies must exist when
//! they are in an account the world models.

use std::collections::BTreeMap;

use super::closest;
use super::{Builder, Kind};
use crate::arn::Arn;
use crate::model::iam::Account;
use crate::path::JsonPath;
use crate::policy::document::{AwsEntry, parse_aws_entry};
use crate::policy::{AccountId, Policy};

/// "Invalid principal in policy": a user, role or identity provider named by ARN in an account
/// the world models must exist.
pub(super) fn check_principals(
    b: &mut Builder<'_>,
    accounts: &BTreeMap<AccountId, Account>,
    policy: &Policy,
    at: &JsonPath,
) {
    for entry in policy.principal_entries() {
        let shown = format!("\"{}\":\"{}\"", entry.kind, entry.text);
        let path = at.join(&entry.path);
        match entry.kind.as_str() {
            "AWS" => {
                let Some(parsed) = parse_aws_entry(&entry.text) else { continue };
                let (arn, kind) = match &parsed {
                    AwsEntry::User(arn) => (arn, "user"),
                    AwsEntry::Role(arn) => (arn, "role"),
                    _ => continue,
                };
                let Some(account) = AccountId::new(arn.account()).ok().and_then(|a| accounts.get(&a)) else { continue };
                let name = arn.resource().rsplit('/').next().unwrap_or_default();
                let found = match kind {
                    "user" => account.user(name).map(|u| u.arn.as_str() == arn.as_str()),
                    _ => account.role(name).map(|r| r.arn.as_str() == arn.as_str()),
                };
                let broken = if kind == "user" { Kind::User } else { Kind::Role };
                match found {
                    Some(true) => {}
                    // Defined, but not built: its own error says why.
                    None if b.is_broken(broken, account.id.as_str(), name) => {}
                    Some(false) => b.error(
                        &path,
                        format!("invalid principal in policy: `{shown}`: the {kind} `{name}` has another path"),
                    ),
                    None => {
                        let candidates: Vec<&str> = match kind {
                            "user" => account.users.keys().map(String::as_str).collect(),
                            _ => account.roles.keys().map(String::as_str).collect(),
                        };
                        let hint = closest(name, candidates.into_iter())
                            .map(|s| format!(", did you mean `{s}`?"))
                            .unwrap_or_default();
                        b.error(
                            &path,
                            format!(
                                "invalid principal in policy: `{shown}`: account {} has no {kind} `{name}`{hint}",
                                account.id
                            ),
                        );
                    }
                }
            }
            "Federated" => {
                let Ok(arn) = Arn::parse(&entry.text) else { continue };
                let Some(account) = AccountId::new(arn.account()).ok().and_then(|a| accounts.get(&a)) else { continue };
                let exists = match arn.resource().split_once('/') {
                    Some(("oidc-provider", url)) => account.oidc_providers.contains_key(url),
                    Some(("saml-provider", name)) => account.saml_providers.contains_key(name),
                    _ => true,
                };
                if !exists {
                    b.error(
                        &path,
                        format!(
                            "invalid principal in policy: `{shown}`: account {} has no such identity provider",
                            account.id
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}
