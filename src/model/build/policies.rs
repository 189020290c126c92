//! Policies as identities use them: documents parsed and checked for their kind, managed policy
//! references (names and ARNs, customer and AWS managed), inline policies with their size
//! quotas, permissions boundaries.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::closest;
use super::{Builder, Kind};
use crate::arn::Arn;
use crate::fixtures::PolicySource;
use crate::model::iam::{Account, AttachedPolicy, ManagedPolicy};
use crate::model::managed;
use crate::model::names::{self, IamName};
use crate::path::JsonPath;
use crate::policy::{Policy, PolicyKind, Severity};

impl Builder<'_> {
    /// Parses and checks one policy document for its kind; `None` when it cannot be used.
    pub(super) fn policy(
        &mut self,
        source: &PolicySource,
        path: &JsonPath,
        kind: PolicyKind,
        label: &str,
    ) -> Option<Arc<Policy>> {
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
    pub(super) fn parse_policy(&mut self, source: &PolicySource, path: &JsonPath, label: &str) -> Option<Arc<Policy>> {
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

    /// Resolves a managed policy reference of an identity in `account`: a name of the account's
    /// customer managed policies, or an ARN (this account's, or AWS managed).
    pub(super) fn managed_ref(
        &mut self,
        account: &Account,
        reference: &str,
        path: &JsonPath,
    ) -> Option<AttachedPolicy> {
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
                    // Defined, but its document did not parse: that error is already reported.
                    None if self.is_broken(Kind::Policy, account.id.as_str(), name) => None,
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
            None if self.is_broken(Kind::Policy, account.id.as_str(), reference) => None,
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

    pub(super) fn aws_managed_ref(&mut self, name: &str, reference: &str, path: &JsonPath) -> Option<AttachedPolicy> {
        if let Some(p) = self.aws_managed.get(name) {
            return Some(AttachedPolicy { label: Arc::from(p.arn.as_str()), policy: p.policy.clone() });
        }
        // The fixture's own document for it did not parse (reported there): not the shipped one
        // in its place, and no second error.
        if self.is_broken(Kind::AwsManagedPolicy, "aws", name) {
            return None;
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

    pub(super) fn managed_list(
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

    pub(super) fn inline_policies(
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

    pub(super) fn boundary(
        &mut self,
        account: &Account,
        reference: Option<&str>,
        path: &JsonPath,
    ) -> Option<AttachedPolicy> {
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
