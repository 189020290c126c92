//! The organization: management account, OUs, member accounts, SCPs and RCPs with their
//! targets, and the `FullAWSAccess`/`RCPFullAWSAccess` policies AWS attaches.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::quotas::ORG_POLICY_SIZE;
use super::{Builder, Kind};
use crate::fixtures::OrganizationFixture;
use crate::model::iam::{Account, AttachedPolicy};
use crate::model::managed::{self, FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS};
use crate::model::org::{Organization, OrganizationalUnit};
use crate::path::JsonPath;
use crate::policy::{AccountId, PolicyKind, Severity};

pub(super) fn build_organization(
    b: &mut Builder<'_>,
    f: &OrganizationFixture,
    accounts: &BTreeMap<AccountId, Account>,
    at: &JsonPath,
) -> Option<Organization> {
    let Ok(management) = AccountId::new(&f.management_account) else {
        b.error(
            &at.key("management_account"),
            format!("`{}` is not an account id: expected 12 digits", f.management_account),
        );
        return None;
    };
    if !accounts.contains_key(&management) {
        b.error(&at.key("management_account"), format!("account {management} is not in the fixture's accounts"));
    }
    let scope = management.as_str();
    let id = match &f.id {
        Some(id) => {
            let body = id.strip_prefix("o-").unwrap_or_default();
            if !(10..=32).contains(&body.len()) || !body.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
                b.error(
                    &at.key("id"),
                    format!("`{id}` is not an organization id: `o-` and 10 to 32 lowercase letters or digits"),
                );
            }
            id.clone()
        }
        None => b.ids.organization_id(scope),
    };
    let root_id = b.ids.root_id(scope);
    let ids = b.ids;
    let mut ous = BTreeMap::new();
    let add_ou = |path: &str, ous: &mut BTreeMap<String, OrganizationalUnit>| {
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            let ou_id = ids.ou_id(&root_id, &prefix);
            ous.entry(prefix.clone()).or_insert_with(|| OrganizationalUnit { path: prefix.clone(), id: ou_id });
        }
    };
    let valid_ou = |p: &str| !p.is_empty() && p != "root" && p.split('/').all(|s| !s.is_empty() && s.len() <= 128);
    for (i, p) in f.ous.iter().enumerate() {
        if valid_ou(p) {
            add_ou(p, &mut ous);
        } else {
            b.error(&at.key("ous").index(i), format!("`{p}` is not an OU path such as `prod` or `prod/web`"));
        }
    }
    let mut members = BTreeMap::new();
    members.insert(management.clone(), String::new());
    for (acct, ou) in &f.accounts {
        let aat = at.key("accounts").key(acct);
        let Ok(aid) = AccountId::new(acct) else {
            b.error(&aat, format!("`{acct}` is not an account id: expected 12 digits"));
            continue;
        };
        if !accounts.contains_key(&aid) {
            b.error(&aat, format!("account {aid} is not in the fixture's accounts"));
        }
        let ou_path = if ou == "root" || ou.is_empty() { String::new() } else { ou.clone() };
        if !ou_path.is_empty() {
            if !valid_ou(&ou_path) {
                b.error(&aat, format!("`{ou}` is not an OU path such as `prod` or `prod/web`"));
                continue;
            }
            if !ous.contains_key(&ou_path) {
                // AWS Organizations moves an account only into an OU that exists: MoveAccount
                // fails with DestinationParentNotFoundException ("We can't find the destination
                // container (a root or OU) with the ParentId that you specified",
                // <https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html>).
                b.error(
                    &aat,
                    format!("the organizational unit `{ou_path}` does not exist: declare it under `organization.ous`"),
                );
                // Known from here on, so that SCPs attached to it do not fail a second time.
                add_ou(&ou_path, &mut ous);
            }
        }
        members.insert(aid, ou_path);
    }

    let mut named_policies: BTreeMap<String, Arc<crate::policy::Policy>> = BTreeMap::new();
    for (name, source) in &f.policies {
        let pat = at.key("policies").key(name);
        // Whether a policy is an SCP or an RCP shows only where it is attached: parse it here,
        // check it for its kind at each attachment below.
        let Some(policy) = b.parse_policy(source, &pat, name) else {
            b.broken(Kind::OrgPolicy, scope, name);
            continue;
        };
        if policy.size() > ORG_POLICY_SIZE {
            b.error(&pat, format!("the policy has {} characters: service control and resource control policies hold at most {ORG_POLICY_SIZE}", policy.size()));
        }
        named_policies.insert(name.clone(), policy);
    }

    let targets = |b: &mut Builder<'_>, table: &BTreeMap<String, Vec<String>>, tat: &JsonPath, rcp: bool| {
        let mut out: BTreeMap<String, Vec<AttachedPolicy>> = BTreeMap::new();
        for (target, names) in table {
            let known = target == "root"
                || ous.contains_key(target)
                || AccountId::new(target).is_ok_and(|a| members.contains_key(&a));
            if !known {
                b.error(
                    &tat.key(target),
                    format!("`{target}` is not `root`, an OU path or an account of the organization"),
                );
                continue;
            }
            let mut list = Vec::new();
            for (i, name) in names.iter().enumerate() {
                let builtin = if rcp { RCP_FULL_AWS_ACCESS } else { FULL_AWS_ACCESS };
                if name == builtin {
                    if let Some(p) = if rcp { managed::rcp_full_aws_access() } else { managed::full_aws_access() } {
                        list.push(AttachedPolicy { label: Arc::from(builtin), policy: p });
                    }
                    continue;
                }
                match named_policies.get(name) {
                    Some(p) => {
                        let kind = if rcp { PolicyKind::ResourceControl } else { PolicyKind::ServiceControl };
                        for finding in p.validate(kind) {
                            if finding.severity == Severity::Error {
                                b.error(
                                    &at.key("policies").key(name).join(&finding.path),
                                    format!(
                                        "attached as {}: {}",
                                        if rcp { "an RCP" } else { "an SCP" },
                                        finding.message
                                    ),
                                );
                            }
                        }
                        list.push(AttachedPolicy { label: Arc::from(name.as_str()), policy: p.clone() });
                    }
                    None if b.is_broken(Kind::OrgPolicy, scope, name) => {}
                    None => b.error(&tat.key(target).index(i), format!("the organization has no policy `{name}`")),
                }
            }
            out.insert(target.clone(), list);
        }
        out
    };
    let full = |rcp: bool| -> Vec<AttachedPolicy> {
        let (name, p) = if rcp {
            (RCP_FULL_AWS_ACCESS, managed::rcp_full_aws_access())
        } else {
            (FULL_AWS_ACCESS, managed::full_aws_access())
        };
        p.map(|p| vec![AttachedPolicy { label: Arc::from(name), policy: p }]).unwrap_or_default()
    };
    let all_targets: Vec<String> = std::iter::once("root".to_owned())
        .chain(ous.keys().cloned())
        .chain(members.keys().map(|a| a.as_str().to_owned()))
        .collect();
    // SCPs: AWS attaches FullAWSAccess to every target when SCPs are enabled, and it stays
    // attached unless detached ("when you enable SCPs, AWS Organizations attaches an AWS managed
    // SCP policy named FullAWSAccess", SCP evaluation).
    for (i, t) in f.detach_full_aws_access.iter().enumerate() {
        if !all_targets.contains(t) {
            b.error(
                &at.key("detach_full_aws_access").index(i),
                format!("`{t}` is not `root`, an OU path or an account of the organization"),
            );
        }
    }
    if f.scps.is_none() && !f.detach_full_aws_access.is_empty() {
        b.error(&at.key("detach_full_aws_access"), "SCPs are not enabled: add `scps` to attach SCPs");
    }
    let scps = f.scps.as_ref().map(|table| {
        let mut attached = targets(b, table, &at.key("scps"), false);
        for t in &all_targets {
            let list = attached.entry(t.clone()).or_default();
            let detached = f.detach_full_aws_access.contains(t);
            if !detached && !list.iter().any(|p| &*p.label == FULL_AWS_ACCESS) {
                list.splice(0..0, full(false));
            }
            if detached {
                list.retain(|p| &*p.label != FULL_AWS_ACCESS);
            }
        }
        attached
    });
    // RCPs: RCPFullAWSAccess is on every target and cannot be detached.
    let rcps = f.rcps.as_ref().map(|table| {
        let mut attached = targets(b, table, &at.key("rcps"), true);
        for t in &all_targets {
            let list = attached.entry(t.clone()).or_default();
            if !list.iter().any(|p| &*p.label == RCP_FULL_AWS_ACCESS) {
                list.splice(0..0, full(true));
            }
        }
        attached
    });
    Some(Organization { id, root_id, management_account: management, ous, accounts: members, scps, rcps })
}
