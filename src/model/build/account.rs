//! One account: its alias, customer managed policies, groups, users and roles (in that order:
//! each refers to the ones before), identity providers and buckets.

use std::collections::BTreeMap;

use super::buckets::build_bucket;
use super::entities::duplicates_by_case;
use super::quotas::{GROUP_INLINE_SIZE, MANAGED_PER_IDENTITY, MANAGED_POLICY_SIZE};
use super::roles::build_roles;
use super::users::build_users;
use super::{Builder, Kind};
use crate::arn::Arn;
use crate::fixtures::{AccountFixture, ManagedPolicyFixture, PublicAccessBlockFixture};
use crate::model::iam::{Account, Group, ManagedPolicy, OidcProvider, PublicAccessBlock, SamlProvider};
use crate::model::names::{self, IamName};
use crate::model::resources::Bucket;
use crate::path::JsonPath;
use crate::policy::{AccountId, PolicyKind};

pub(super) fn build_account(
    b: &mut Builder<'_>,
    id: &AccountId,
    f: &AccountFixture,
    at: &JsonPath,
    buckets: &mut BTreeMap<String, Bucket>,
) -> Account {
    if let Some(alias) = &f.alias
        && let Some(why) = names::check_alias(alias)
    {
        b.error(&at.key("alias"), why);
    }
    let mut account = Account {
        id: id.clone(),
        alias: f.alias.clone(),
        canonical_user_id: b.ids.canonical_user_id(id.as_str()),
        users: BTreeMap::new(),
        groups: BTreeMap::new(),
        roles: BTreeMap::new(),
        policies: BTreeMap::new(),
        oidc_providers: BTreeMap::new(),
        saml_providers: BTreeMap::new(),
        public_access_block: f.public_access_block.map(public_access_block),
    };
    for (kind, dups) in [
        ("user", duplicates_by_case(f.users.keys())),
        ("group", duplicates_by_case(f.groups.keys())),
        ("role", duplicates_by_case(f.roles.keys())),
        ("policie", duplicates_by_case(f.policies.keys())),
    ] {
        for (first, second) in dups {
            b.error(
                &at.key(format!("{kind}s")).key(second),
                format!("`{second}` and `{first}` are the same name: IAM names are not case-sensitive"),
            );
        }
    }

    // Customer managed policies first: identities refer to them.
    for (name, mp) in &f.policies {
        let pat = at.key("policies").key(name);
        let doc_at = match mp {
            ManagedPolicyFixture::Document(_) => pat.clone(),
            ManagedPolicyFixture::Detailed { .. } => pat.key("document"),
        };
        let Some((path, arn, pid)) = b.entity(IamName::Policy, id, name, mp.path(), mp.id(), &pat) else {
            b.broken(Kind::Policy, id.as_str(), name);
            continue;
        };
        let Some(policy) = b.policy(mp.document(), &doc_at, PolicyKind::Identity, arn.as_str()) else {
            b.broken(Kind::Policy, id.as_str(), name);
            continue;
        };
        if policy.size() > MANAGED_POLICY_SIZE {
            // IAM's LimitExceeded message: "Cannot exceed quota for PolicySize: 6144".
            b.error(&doc_at, format!("cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE} (this policy has {} characters without whitespace)", policy.size()));
        }
        let description = match mp {
            ManagedPolicyFixture::Detailed { description, .. } => description.clone(),
            ManagedPolicyFixture::Document(_) => None,
        };
        account
            .policies
            .insert(name.clone(), ManagedPolicy { name: name.clone(), path, arn, id: pid, description, policy });
    }

    for (name, g) in &f.groups {
        let gat = at.key("groups").key(name);
        let Some((path, arn, gid)) = b.entity(IamName::Group, id, name, g.path.as_deref(), g.id.as_deref(), &gat)
        else {
            b.broken(Kind::Group, id.as_str(), name);
            continue;
        };
        let inline_policies = b.inline_policies(
            &g.inline_policies,
            &gat.key("inline_policies"),
            &format!("group/{name}"),
            GROUP_INLINE_SIZE,
            &format!("group {name}"),
        );
        let managed_policies =
            b.managed_list(&account, &g.policies, &gat.key("policies"), MANAGED_PER_IDENTITY, "group");
        account
            .groups
            .insert(name.clone(), Group { name: name.clone(), path, arn, id: gid, inline_policies, managed_policies });
    }
    build_users(b, &mut account, f, at);
    build_roles(b, &mut account, f, at);

    for (url, p) in &f.oidc_providers {
        let pat = at.key("oidc_providers").key(url);
        if url.contains("://") || url.is_empty() || url.contains(char::is_whitespace) {
            b.error(&pat, format!("`{url}` is not an OIDC provider key: write the issuer without `https://`, such as `token.actions.githubusercontent.com`"));
            continue;
        }
        for (i, t) in p.thumbprints.iter().enumerate() {
            if t.len() != 40 || !t.bytes().all(|c| c.is_ascii_hexdigit()) {
                b.error(&pat.key("thumbprints").index(i), format!("`{t}` is not a thumbprint: expected 40 hex digits"));
            }
        }
        let Ok(arn) = Arn::parse(&format!("arn:aws:iam::{id}:oidc-provider/{url}")) else { continue };
        account.oidc_providers.insert(
            url.clone(),
            OidcProvider { url: url.clone(), arn, audiences: p.audiences.clone(), thumbprints: p.thumbprints.clone() },
        );
    }
    for (name, p) in &f.saml_providers {
        let pat = at.key("saml_providers").key(name);
        // `SAMLProviderName`: 1–128 characters of `[\w._-]`.
        if name.is_empty()
            || name.len() > 128
            || !name.bytes().all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
        {
            b.error(&pat, format!("`{name}` is not a valid SAML provider name: 1 to 128 letters, digits and `._-`"));
        }
        if p.metadata_file.is_some() {
            b.error(
                &pat.key("metadata_file"),
                "metadata files are read by the fixture loader (`World::from_fixture`), not by the builder",
            );
        }
        let Ok(arn) = Arn::parse(&format!("arn:aws:iam::{id}:saml-provider/{name}")) else { continue };
        account
            .saml_providers
            .insert(name.clone(), SamlProvider { name: name.clone(), arn, metadata: p.metadata.clone() });
    }

    for (name, bf) in &f.buckets {
        let bat = at.key("buckets").key(name);
        if let Some(bucket) = build_bucket(b, id, name, bf, &bat) {
            match buckets.get(name) {
                // Bucket names are global: "BucketAlreadyExists".
                Some(existing) => b.error(
                    &bat,
                    format!(
                        "bucket `{name}` already exists in account {}: bucket names are unique across all accounts",
                        existing.account
                    ),
                ),
                None => {
                    buckets.insert(name.clone(), bucket);
                }
            }
        }
    }
    account
}

pub(super) fn public_access_block(f: PublicAccessBlockFixture) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: f.block_public_acls,
        ignore_public_acls: f.ignore_public_acls,
        block_public_policy: f.block_public_policy,
        restrict_public_buckets: f.restrict_public_buckets,
    }
}
