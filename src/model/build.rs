//! Builds a [`Model`] from a [`Fixture`], validating it as AWS validates the same requests on
//! Create/Put: names, paths, lengths, policy grammar and size per kind of policy, quotas,
//! references, and principals named in trust and bucket policies.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

use super::iam::{
    AccessKey, Account, AttachedPolicy, Group, InstanceProfile, ManagedPolicy, MfaDevice, OidcProvider,
    PublicAccessBlock, Role, SamlProvider, User,
};
use super::ids::{DEFAULT_SEED, Ids};
use super::managed::{self, FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS};
use super::names::{self, IamName};
use super::org::{Organization, OrganizationalUnit};
use super::resources::{Bucket, Instance, Object};
use super::{Model, Problem};
use crate::arn::Arn;
use crate::clock::{self, Clock};
use crate::fixtures::{
    AccessKeysFixture, AccountFixture, BucketFixture, Fixture, InstanceProfileFixture, ManagedPolicyFixture,
    MfaFixture, ObjectFixture, OrganizationFixture, PolicySource, PublicAccessBlockFixture,
};
use crate::idp::Totp;
use crate::path::JsonPath;
use crate::policy::document::{AwsEntry, parse_aws_entry};
use crate::policy::{AccountId, Policy, PolicyKind, Severity, Tags};

// Quotas (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>): sizes
// are characters without whitespace. Managed policy 6,144; inline policies per user 2,048, per
// group 5,120, per role 10,240 (all inline policies of the identity together); role trust
// policy 2,048 by default (adjustable); 10 managed policies per user and per role by default, 10
// per group; 10 groups per user; 2 access keys per user; 50 tags.
const MANAGED_POLICY_SIZE: usize = 6_144;
const USER_INLINE_SIZE: usize = 2_048;
const GROUP_INLINE_SIZE: usize = 5_120;
const ROLE_INLINE_SIZE: usize = 10_240;
pub(crate) const TRUST_POLICY_SIZE: usize = 2_048;
pub(crate) const MANAGED_PER_IDENTITY: usize = 10;
const GROUPS_PER_USER: usize = 10;
const ACCESS_KEYS_PER_USER: usize = 2;
const TAGS_PER_ENTITY: usize = 50;
// AWS Organizations: "Maximum size of a policy document: Service control policies: 5,120
// characters; Resource control policies: 5,120" (all characters count; we count the document
// without insignificant whitespace, the only form a parsed fixture has).
const ORG_POLICY_SIZE: usize = 5_120;
// S3: "Bucket policies are limited to 20 KB in size."
const BUCKET_POLICY_SIZE: usize = 20_480;
// IAM: `MaxSessionDuration` "can have a value from 1 hour to 12 hours".
const SESSION_DURATION: std::ops::RangeInclusive<u32> = 3_600..=43_200;

/// Collects problems while building.
struct Builder<'f> {
    fixture: &'f Fixture,
    ids: Ids,
    problems: Vec<Problem>,
    trust_policy_size: usize,
    managed_per_role: usize,
    managed_per_user: usize,
    aws_managed: BTreeMap<String, ManagedPolicy>,
}

impl Builder<'_> {
    fn error(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem { severity: Severity::Error, path: path.clone(), message: message.into() });
    }

    fn warn(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem { severity: Severity::Warning, path: path.clone(), message: message.into() });
    }

    fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Parses and checks one policy document for its kind; `None` when it cannot be used.
    fn policy(&mut self, source: &PolicySource, path: &JsonPath, kind: PolicyKind, label: &str) -> Option<Arc<Policy>> {
        let policy = self.parse_policy(source, path, label)?;
        for finding in policy.validate(kind) {
            let at = path.join(&finding.path);
            match finding.severity {
                Severity::Error => self.error(&at, finding.message),
                Severity::Warning => self.warn(&at, finding.message),
            }
        }
        Some(policy)
    }

    /// Parses one policy document, without the checks of a kind.
    fn parse_policy(&mut self, source: &PolicySource, path: &JsonPath, label: &str) -> Option<Arc<Policy>> {
        let value = match source {
            PolicySource::Inline(v) => v,
            PolicySource::File(f) => {
                self.error(
                    path,
                    format!(
                        "`{f}`: policy files are read by the fixture loader (`World::from_fixture`), not by the builder"
                    ),
                );
                return None;
            }
        };
        match Policy::from_value(value.clone()) {
            Ok(p) => Some(Arc::new(p.named(label))),
            Err(e) => {
                self.error(&path.join(&e.path), e.kind.to_string());
                None
            }
        }
    }

    fn tags(&mut self, tags: &BTreeMap<String, String>, path: &JsonPath) -> Tags {
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

    fn iam_path(&mut self, path: Option<&str>, at: &JsonPath) -> String {
        let p = path.unwrap_or("/");
        if let Some(why) = names::check_path(p) {
            self.error(at, why);
        }
        p.to_owned()
    }

    fn unique_id(&mut self, given: Option<&str>, prefix: &str, scope: &str, at: &JsonPath) -> String {
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
    fn entity(
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

    /// Resolves a managed policy reference of an identity in `account`: a name of the account's
    /// customer managed policies, or an ARN (this account's, or AWS managed).
    fn managed_ref(&mut self, account: &Account, reference: &str, path: &JsonPath) -> Option<AttachedPolicy> {
        if let Some(rest) = reference.strip_prefix("arn:") {
            let _ = rest;
            let arn = match Arn::parse(reference) {
                Ok(a) => a,
                Err(e) => {
                    self.error(path, e.to_string());
                    return None;
                }
            };
            let Some(name_with_path) = arn.resource().strip_prefix("policy/") else {
                self.error(path, format!("`{reference}` is not a policy ARN"));
                return None;
            };
            if arn.service() != "iam" {
                self.error(path, format!("`{reference}` is not a policy ARN"));
                return None;
            }
            if arn.account() == "aws" {
                return self.aws_managed_ref(name_with_path, reference, path);
            }
            if arn.account() == account.id.as_str() {
                let name = name_with_path.rsplit('/').next().unwrap_or(name_with_path);
                return match account.policy(name) {
                    Some(p) if p.arn.as_str() == reference => {
                        Some(AttachedPolicy { label: Arc::from(p.arn.as_str()), policy: p.policy.clone() })
                    }
                    Some(p) => {
                        self.error(path, format!("policy `{reference}` does not exist: its ARN is `{}`", p.arn));
                        None
                    }
                    None => {
                        self.error(path, format!("policy `{reference}` does not exist or is not attachable"));
                        None
                    }
                };
            }
            // IAM attaches only the account's own and AWS managed policies.
            self.error(path, format!("policy `{reference}` belongs to another account: only this account's and AWS managed policies can be attached"));
            return None;
        }
        match account.policy(reference) {
            Some(p) => Some(AttachedPolicy { label: Arc::from(p.arn.as_str()), policy: p.policy.clone() }),
            None => {
                let hint = closest(reference, account.policies.keys().map(String::as_str))
                    .map(|s| format!(", did you mean `{s}`?"))
                    .or_else(|| {
                        managed::shipped_aws_managed_policies().any(|n| n == reference).then(|| {
                            format!(": for the AWS managed policy write `arn:aws:iam::aws:policy/{reference}`")
                        })
                    })
                    .unwrap_or_default();
                self.error(path, format!("account {} has no managed policy `{reference}`{hint}", account.id));
                None
            }
        }
    }

    fn aws_managed_ref(&mut self, name: &str, reference: &str, path: &JsonPath) -> Option<AttachedPolicy> {
        if let Some(p) = self.aws_managed.get(name) {
            return Some(AttachedPolicy { label: Arc::from(p.arn.as_str()), policy: p.policy.clone() });
        }
        if let Some(policy) = managed::aws_managed_policy(name) {
            let arn = Arn::parse(reference).ok()?;
            let id = self.ids.unique_id("ANPA", &format!("aws-policy/{name}"));
            let short = name.rsplit('/').next().unwrap_or(name).to_owned();
            self.aws_managed.insert(
                name.to_owned(),
                ManagedPolicy { name: short, path: "/".into(), arn, id, description: None, policy: policy.clone() },
            );
            return Some(AttachedPolicy { label: Arc::from(reference), policy });
        }
        let shipped: Vec<&str> = managed::shipped_aws_managed_policies().collect();
        self.error(
            path,
            format!(
                "iamsim does not ship the AWS managed policy `{name}`: define its document under `aws_managed_policies.{name}` (shipped: {})",
                shipped.join(", ")
            ),
        );
        None
    }

    fn managed_list(
        &mut self,
        account: &Account,
        refs: &[String],
        path: &JsonPath,
        quota: usize,
        what: &str,
    ) -> Vec<AttachedPolicy> {
        if refs.len() > quota {
            self.error(path, format!("{} managed policies attached to this {what}: the quota is {quota}", refs.len()));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            if let Some(p) = self.managed_ref(account, r, &path.index(i)) {
                if seen.insert(p.label.clone()) {
                    out.push(p);
                } else {
                    self.warn(&path.index(i), format!("`{r}` is attached twice"));
                }
            }
        }
        out
    }

    fn inline_policies(
        &mut self,
        sources: &BTreeMap<String, PolicySource>,
        path: &JsonPath,
        owner: &str,
        limit: usize,
        what: &str,
    ) -> Vec<AttachedPolicy> {
        let mut total = 0;
        let mut out = Vec::new();
        for (name, source) in sources {
            let at = path.key(name);
            if let Some(why) = names::check_iam_name(IamName::Policy, name) {
                self.error(&at, why);
            }
            let label = format!("{owner}/{name}");
            if let Some(policy) = self.policy(source, &at, PolicyKind::Identity, &label) {
                total += policy.size();
                out.push(AttachedPolicy { label: Arc::from(label), policy });
            }
        }
        if total > limit {
            // IAM's message: "Maximum policy size of 2048 bytes exceeded for user alice".
            self.error(path, format!("maximum policy size of {limit} bytes exceeded for {what}: the inline policies total {total} characters without whitespace"));
        }
        out
    }

    fn boundary(&mut self, account: &Account, reference: Option<&str>, path: &JsonPath) -> Option<AttachedPolicy> {
        let reference = reference?;
        let attached = self.managed_ref(account, reference, path)?;
        // A boundary is a managed policy used as a boundary: it must not name principals, and
        // its grammar is the identity grammar.
        for finding in attached.policy.validate(PolicyKind::PermissionsBoundary) {
            if finding.severity == Severity::Error {
                self.error(path, format!("`{reference}` cannot be a permissions boundary: {finding}"));
            }
        }
        Some(attached)
    }
}

/// The closest name, if one is close enough to be a likely typo.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(&wanted.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(wanted.len().min(c.len()) / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Checks that names are unique regardless of case ("Names of users, groups, roles, and instance
/// profiles must be unique within the account. They aren't distinguished by case").
fn duplicates_by_case<'a>(names: impl Iterator<Item = &'a String>) -> Vec<(&'a String, &'a String)> {
    let mut seen: HashMap<String, &String> = HashMap::new();
    let mut out = Vec::new();
    for n in names {
        if let Some(first) = seen.insert(n.to_lowercase(), n) {
            out.push((first, n));
        }
    }
    out
}

impl Model {
    /// Builds and validates a model. On failure, every problem found is returned (errors and
    /// warnings, errors first).
    pub fn build(fixture: &Fixture) -> Result<Model, Vec<Problem>> {
        let quotas = fixture.quotas.unwrap_or_default();
        let mut b = Builder {
            fixture,
            ids: Ids::new(fixture.seed.unwrap_or(DEFAULT_SEED)),
            problems: Vec::new(),
            trust_policy_size: quotas.role_trust_policy_size.unwrap_or(TRUST_POLICY_SIZE),
            managed_per_role: quotas.managed_policies_per_role.unwrap_or(MANAGED_PER_IDENTITY),
            managed_per_user: quotas.managed_policies_per_user.unwrap_or(MANAGED_PER_IDENTITY),
            aws_managed: BTreeMap::new(),
        };
        let root = JsonPath::root();
        let start = match &fixture.clock {
            None => Clock::new().now(),
            Some(text) => match clock::parse_rfc3339(text) {
                Ok(t) => t,
                Err(e) => {
                    b.error(&root.key("clock"), e.to_string());
                    SystemTime::UNIX_EPOCH
                }
            },
        };

        for (name, source) in &fixture.aws_managed_policies {
            let at = root.key("aws_managed_policies").key(name);
            let reference = format!("arn:aws:iam::aws:policy/{name}");
            let Ok(arn) = Arn::parse(&reference) else {
                b.error(&at, format!("`{name}` is not a policy name"));
                continue;
            };
            // AWS's own policies: no size quota, unknown actions summarized (see the function).
            if let Some(policy) = b.parse_policy(source, &at, &reference) {
                for finding in managed::aws_managed_findings(name, &policy) {
                    match finding.severity {
                        Severity::Error => b.error(&at.join(&finding.path), finding.message),
                        Severity::Warning => b.warn(&at.join(&finding.path), finding.message),
                    }
                }
                let id = b.ids.unique_id("ANPA", &format!("aws-policy/{name}"));
                let (path, short) = match name.rsplit_once('/') {
                    Some((p, n)) => (format!("/{p}/"), n.to_owned()),
                    None => ("/".to_owned(), name.clone()),
                };
                b.aws_managed
                    .insert(name.clone(), ManagedPolicy { name: short, path, arn, id, description: None, policy });
            }
        }

        let mut accounts = BTreeMap::new();
        let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
        let mut access_keys = HashMap::new();
        for (id_text, account_fixture) in &fixture.accounts {
            let at = root.key("accounts").key(id_text);
            let Ok(id) = AccountId::new(id_text) else {
                b.error(&at, format!("`{id_text}` is not an account id: expected 12 digits"));
                continue;
            };
            let account = build_account(&mut b, &id, account_fixture, &at, &mut buckets);
            for user in account.users.values() {
                for key in &user.access_keys {
                    if access_keys.insert(key.id.clone(), (id.clone(), user.name.clone())).is_some() {
                        b.error(
                            &at.key("users").key(&user.name).key("access_keys"),
                            format!("access key id `{}` is used twice", key.id),
                        );
                    }
                }
            }
            accounts.insert(id, account);
        }

        // Principals named in trust and bucket policies must exist when they are in an account
        // the world models ("Invalid principal in policy"); others are external and accepted.
        for (id, account) in &accounts {
            let at = root.key("accounts").key(id.as_str());
            for role in account.roles.values() {
                check_principals(&mut b, &accounts, &role.trust.policy, &at.key("roles").key(&role.name).key("trust"));
            }
        }
        for bucket in buckets.values() {
            if let Some(policy) = &bucket.policy {
                let at =
                    root.key("accounts").key(bucket.account.as_str()).key("buckets").key(&bucket.name).key("policy");
                check_principals(&mut b, &accounts, &policy.policy, &at);
            }
        }

        let organization = fixture
            .organization
            .as_ref()
            .and_then(|o| build_organization(&mut b, o, &accounts, &root.key("organization")));
        let instances = build_instances(&mut b, &accounts, &root.key("instances"));
        let (workloads, problems) = super::compute::build(fixture, b.ids, start, &accounts, &instances);
        b.problems.extend(problems);
        check_unique_ids(&mut b, &accounts);

        if b.has_errors() {
            let mut problems = b.problems;
            problems.sort_by_key(|p| p.severity);
            return Err(problems);
        }
        Ok(Model {
            ids: b.ids,
            start,
            accounts,
            organization,
            buckets,
            instances,
            workloads,
            aws_managed: b.aws_managed,
            access_keys,
            warnings: b.problems,
        })
    }
}

fn build_account(
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
        let Some((path, arn, pid)) = b.entity(IamName::Policy, id, name, mp.path(), mp.id(), &pat) else { continue };
        let Some(policy) = b.policy(mp.document(), &doc_at, PolicyKind::Identity, arn.as_str()) else { continue };
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

    for (name, u) in &f.users {
        let uat = at.key("users").key(name);
        let Some((path, arn, uid)) = b.entity(IamName::User, id, name, u.path.as_deref(), u.id.as_deref(), &uat) else {
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
        let managed_policies = b.managed_list(&account, &u.policies, &uat.key("policies"), b.managed_per_user, "user");
        let permissions_boundary =
            b.boundary(&account, u.permissions_boundary.as_deref(), &uat.key("permissions_boundary"));
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

    let mut profiles: BTreeMap<String, String> = BTreeMap::new();
    for (name, r) in &f.roles {
        let rat = at.key("roles").key(name);
        let Some((path, arn, rid)) = b.entity(IamName::Role, id, name, r.path.as_deref(), r.id.as_deref(), &rat) else {
            continue;
        };
        let trust_label = arn.as_str().to_owned();
        let Some(trust) = b.policy(&r.trust, &rat.key("trust"), PolicyKind::Trust, &trust_label) else { continue };
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
        let managed_policies = b.managed_list(&account, &r.policies, &rat.key("policies"), b.managed_per_role, "role");
        let permissions_boundary =
            b.boundary(&account, r.permissions_boundary.as_deref(), &rat.key("permissions_boundary"));
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

fn public_access_block(f: PublicAccessBlockFixture) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: f.block_public_acls,
        ignore_public_acls: f.ignore_public_acls,
        block_public_policy: f.block_public_policy,
        restrict_public_buckets: f.restrict_public_buckets,
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

fn build_bucket(
    b: &mut Builder<'_>,
    account: &AccountId,
    name: &str,
    f: &BucketFixture,
    at: &JsonPath,
) -> Option<Bucket> {
    if let Some(why) = names::check_bucket_name(name) {
        b.error(at, why);
        return None;
    }
    let region = f.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
    if let Some(why) = names::check_region(&region) {
        b.error(&at.key("region"), why);
    }
    let policy = f.policy.as_ref().and_then(|source| {
        let pat = at.key("policy");
        let policy = b.policy(source, &pat, PolicyKind::Resource, name)?;
        if policy.size() > BUCKET_POLICY_SIZE {
            b.error(&pat, format!("policies must be less than 20 KB: this one has {} characters", policy.size()));
        }
        check_bucket_policy_scope(b, &policy, name, &pat);
        Some(AttachedPolicy { label: Arc::from(name), policy })
    });
    let tags = b.tags(&f.tags, &at.key("tags"));
    let mut objects = BTreeMap::new();
    for (key, o) in &f.objects {
        let oat = at.key("objects").key(key);
        // "The name for a key is a sequence of Unicode characters whose UTF-8 encoding is at
        // most 1,024 bytes long."
        if key.is_empty() || key.len() > 1_024 {
            b.error(&oat, "an object key must be 1 to 1,024 bytes of UTF-8");
            continue;
        }
        let object = match o {
            ObjectFixture::Text(t) => Object {
                content: Bytes::from(t.clone()),
                content_type: "binary/octet-stream".into(),
                tags: BTreeMap::new(),
            },
            ObjectFixture::Detailed(d) => {
                let given = [d.text.is_some(), d.base64.is_some(), d.file.is_some()].iter().filter(|x| **x).count();
                if given != 1 {
                    b.error(&oat, "give exactly one of `text`, `base64` or `file`");
                    continue;
                }
                let content = if let Some(t) = &d.text {
                    Bytes::from(t.clone())
                } else if let Some(b64) = &d.base64 {
                    match aws_smithy_types::base64::decode(b64) {
                        Ok(bytes) => Bytes::from(bytes),
                        Err(_) => {
                            b.error(&oat.key("base64"), "not valid base64");
                            continue;
                        }
                    }
                } else {
                    b.error(
                        &oat.key("file"),
                        "object files are read by the fixture loader (`World::from_fixture`), not by the builder",
                    );
                    continue;
                };
                if d.tags.len() > 10 {
                    // "You can associate up to 10 tags with an object."
                    b.error(&oat.key("tags"), format!("{} tags: an object can have at most 10", d.tags.len()));
                }
                Object {
                    content,
                    content_type: d.content_type.clone().unwrap_or_else(|| "binary/octet-stream".into()),
                    tags: d.tags.clone(),
                }
            }
        };
        objects.insert(key.clone(), object);
    }
    Some(Bucket {
        name: name.to_owned(),
        account: account.clone(),
        region,
        policy,
        tags,
        public_access_block: f.public_access_block.map(public_access_block),
        objects,
    })
}

/// S3 rejects a bucket policy whose resources are not this bucket or its objects
/// ("Policy has invalid resource") and whose actions are not S3's ("Policy has invalid action").
fn check_bucket_policy_scope(b: &mut Builder<'_>, policy: &Policy, bucket: &str, at: &JsonPath) {
    let doc = policy.document();
    let statements: Vec<(JsonPath, &Value)> = match doc.get("Statement") {
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| (JsonPath::root().key("Statement").index(i), v)).collect()
        }
        Some(v) => vec![(JsonPath::root().key("Statement"), v)],
        None => Vec::new(),
    };
    let texts = |v: &Value| -> Vec<(Option<usize>, String)> {
        match v {
            Value::String(s) => vec![(None, s.clone())],
            Value::Array(items) => {
                items.iter().enumerate().filter_map(|(i, x)| x.as_str().map(|s| (Some(i), s.to_owned()))).collect()
            }
            _ => Vec::new(),
        }
    };
    for (sp, st) in statements {
        for field in ["Resource", "NotResource"] {
            let Some(v) = st.get(field) else { continue };
            for (i, r) in texts(v) {
                let in_bucket = r == "*"
                    || r.strip_prefix("arn:").and_then(|rest| rest.split_once(":s3:::")).is_some_and(|(_, res)| {
                        let name = res.split('/').next().unwrap_or(res);
                        crate::wildcard::Glob::new(name).matches(bucket)
                    });
                if !in_bucket {
                    let p = match i {
                        Some(i) => sp.key(field).index(i),
                        None => sp.key(field),
                    };
                    b.error(
                        &at.join(&p),
                        format!("policy has invalid resource: `{r}` is not bucket `{bucket}` or its objects"),
                    );
                }
            }
        }
        for field in ["Action", "NotAction"] {
            let Some(v) = st.get(field) else { continue };
            for (i, a) in texts(v) {
                let lower = a.to_ascii_lowercase();
                if !(lower == "*" || lower.starts_with("s3:") || lower.starts_with("s3*:") || lower == "s3*") {
                    let p = match i {
                        Some(i) => sp.key(field).index(i),
                        None => sp.key(field),
                    };
                    b.error(&at.join(&p), format!("policy has invalid action: `{a}` is not an S3 action"));
                }
            }
        }
    }
}

/// "Invalid principal in policy": a user, role or identity provider named by ARN in an account
/// the world models must exist.
fn check_principals(b: &mut Builder<'_>, accounts: &BTreeMap<AccountId, Account>, policy: &Policy, at: &JsonPath) {
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
                match found {
                    Some(true) => {}
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

fn build_organization(
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
            add_ou(&ou_path, &mut ous);
        }
        members.insert(aid, ou_path);
    }

    let mut named_policies: BTreeMap<String, Arc<crate::policy::Policy>> = BTreeMap::new();
    for (name, source) in &f.policies {
        let pat = at.key("policies").key(name);
        // Whether a policy is an SCP or an RCP shows only where it is attached: parse it here,
        // check it for its kind at each attachment below.
        let Some(policy) = b.parse_policy(source, &pat, name) else { continue };
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

fn build_instances(
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

fn check_unique_ids(b: &mut Builder<'_>, accounts: &BTreeMap<AccountId, Account>) {
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
