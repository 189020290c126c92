//! Builds a [`Model`] from a [`Fixture`], validating it as AWS validates the same requests on
//! Create/Put: names, paths, lengths, policy grammar and size per kind of policy, quotas,
//! references, and principals named in trust and bucket policies.

mod account;
mod buckets;
mod entities;
mod instances;
mod organization;
mod policies;
mod principals;
mod quotas;
mod roles;
mod users;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::SystemTime;

use super::iam::ManagedPolicy;
use super::ids::{DEFAULT_SEED, Ids};
use super::managed;
use super::resources::Bucket;
use super::{Model, Problem};
use crate::arn::Arn;
use crate::clock::{self, Clock};
use crate::fixtures::Fixture;
use crate::path::JsonPath;
use crate::policy::{AccountId, Severity};
use crate::text::cut_quoted;
pub(crate) use quotas::{MANAGED_PER_IDENTITY, TRUST_POLICY_SIZE};

use account::build_account;
use entities::check_unique_ids;
use instances::build_instances;
use organization::build_organization;
use principals::check_principals;

/// What a fixture defines that others refer to by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Group,
    User,
    Role,
    /// A customer managed policy.
    Policy,
    /// An AWS managed policy the fixture defines (its account is `aws`).
    AwsManagedPolicy,
    /// An SCP or RCP document (its account is the management account).
    OrgPolicy,
}

/// Collects problems while building.
struct Builder<'f> {
    fixture: &'f Fixture,
    ids: Ids,
    problems: Vec<Problem>,
    /// What the fixture defines but could not be built (a policy that does not parse, a name
    /// that makes no ARN), by kind, account and lowercase name: its own error is reported once,
    /// and every reference to it stays silent rather than claim it does not exist.
    broken: BTreeSet<(Kind, String, String)>,
    trust_policy_size: usize,
    managed_per_role: usize,
    managed_per_user: usize,
    aws_managed: BTreeMap<String, ManagedPolicy>,
}

impl Builder<'_> {
    fn error(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problem(Severity::Error, path, message.into());
    }

    fn warn(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problem(Severity::Warning, path, message.into());
    }

    fn problem(&mut self, severity: Severity, path: &JsonPath, message: String) {
        // Names and policy values are echoed in messages: a multi-kilobyte one is cut.
        let message = match cut_quoted(&message) {
            Cow::Borrowed(_) => message,
            Cow::Owned(short) => short,
        };
        self.problems.push(Problem { severity, path: path.clone(), message });
    }

    fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Marks something the fixture defines as not built: its error is already reported.
    fn broken(&mut self, kind: Kind, account: &str, name: &str) {
        self.broken.insert((kind, account.to_owned(), name.to_lowercase()));
    }

    /// Whether a name refers to something the fixture defines but that could not be built.
    fn is_broken(&self, kind: Kind, account: &str, name: &str) -> bool {
        self.broken.contains(&(kind, account.to_owned(), name.to_lowercase()))
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

impl Model {
    /// Builds and validates a model. On failure, every problem found is returned (errors and
    /// warnings, errors first).
    pub fn build(fixture: &Fixture) -> Result<Model, Vec<Problem>> {
        let quotas = fixture.quotas.unwrap_or_default();
        let mut b = Builder {
            fixture,
            ids: Ids::new(fixture.seed.unwrap_or(DEFAULT_SEED)),
            problems: Vec::new(),
            broken: BTreeSet::new(),
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
                b.broken(Kind::AwsManagedPolicy, "aws", name);
                continue;
            };
            // AWS's own policies: no customer size quota, unknown actions summarized
            // (`managed::aws_managed_findings`).
            let policy = b.parse_policy(source, &at, &reference);
            if policy.is_none() {
                b.broken(Kind::AwsManagedPolicy, "aws", name);
            }
            if let Some(policy) = policy {
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
