//! Roles: trust policy, policies, boundary, session duration, tags and instance profiles.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::quotas::{ROLE_INLINE_SIZE, SESSION_DURATION};
use super::{Builder, Kind};
use crate::arn::Arn;
use crate::fixtures::{AccountFixture, InstanceProfileFixture};
use crate::model::iam::{Account, AttachedPolicy, InstanceProfile, Role};
use crate::model::names::{self, IamName};
use crate::path::JsonPath;
use crate::policy::PolicyKind;

pub(super) fn build_roles(b: &mut Builder<'_>, account: &mut Account, f: &AccountFixture, at: &JsonPath) {
    let id = account.id.clone();
    let id = &id;
    let mut profiles: BTreeMap<String, String> = BTreeMap::new();
    for (name, r) in &f.roles {
        let rat = at.key("roles").key(name);
        let Some((path, arn, rid)) = b.entity(IamName::Role, id, name, r.path.as_deref(), r.id.as_deref(), &rat) else {
            b.broken(Kind::Role, id.as_str(), name);
            continue;
        };
        let trust_label = arn.as_str().to_owned();
        let Some(trust) = b.policy(&r.trust, &rat.key("trust"), PolicyKind::Trust, &trust_label) else {
            b.broken(Kind::Role, id.as_str(), name);
            continue;
        };
        if trust.size() > b.trust_policy_size {
            // IAM's LimitExceeded message: "Cannot exceed quota for ACLSizePerRole: 2048".
            b.error(&rat.key("trust"), format!("cannot exceed quota for ACLSizePerRole: {} (this trust policy has {} characters without whitespace)", b.trust_policy_size, trust.size()));
        }
        let inline_policies = b.inline_policies(
            &r.inline_policies,
            &rat.key("inline_policies"),
            &format!("role/{name}"),
            ROLE_INLINE_SIZE,
            &format!("role {name}"),
        );
        let managed_policies = b.managed_list(account, &r.policies, &rat.key("policies"), b.managed_per_role, "role");
        let permissions_boundary =
            b.boundary(account, r.permissions_boundary.as_deref(), &rat.key("permissions_boundary"));
        let max_session_duration = r.max_session_duration.unwrap_or(3_600);
        if !SESSION_DURATION.contains(&max_session_duration) {
            b.error(
                &rat.key("max_session_duration"),
                format!(
                    "`{max_session_duration}` is not a valid maximum session duration: it must be 3600 to 43200 seconds"
                ),
            );
        }
        if let Some(d) = &r.description
            && d.chars().count() > 1_000
        {
            b.error(&rat.key("description"), "a role description holds at most 1,000 characters");
        }
        let tags = b.tags(&r.tags, &rat.key("tags"));
        let profile_name = match &r.instance_profile {
            None | Some(InstanceProfileFixture::Enabled(false)) => None,
            Some(InstanceProfileFixture::Enabled(true)) => Some(name.clone()),
            Some(InstanceProfileFixture::Named(n)) => Some(n.clone()),
        };
        let instance_profile = profile_name.and_then(|pn| {
            let pat = rat.key("instance_profile");
            if let Some(why) = names::check_iam_name(IamName::InstanceProfile, &pn) {
                b.error(&pat, why);
            }
            if let Some(other) = profiles.insert(pn.to_lowercase(), name.clone()) {
                b.error(&pat, format!("instance profile `{pn}` already belongs to role `{other}`"));
            }
            let arn = Arn::parse(&format!("arn:aws:iam::{id}:instance-profile{path}{pn}")).ok()?;
            let pid = b.ids.unique_id("AIPA", &format!("instance-profile/{id}/{pn}"));
            Some(InstanceProfile { name: pn, arn, id: pid })
        });
        account.roles.insert(
            name.clone(),
            Role {
                name: name.clone(),
                path,
                arn,
                id: rid,
                trust: AttachedPolicy { label: Arc::from(trust_label), policy: trust },
                inline_policies,
                managed_policies,
                permissions_boundary,
                max_session_duration,
                tags,
                instance_profile,
                description: r.description.clone(),
            },
        );
    }
}
