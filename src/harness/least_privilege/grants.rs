//! A principal's grants: every `Allow` statement of its identity policies, split into one grant
//! per action and resource pattern, wildcards expanded through the action catalog.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Value, json};

use super::relevance::Relevance;
use crate::catalog::Catalog;
use crate::policy::{Policy, PolicyType};
use crate::wildcard::Glob;

/// One grant: a statement of an identity policy, one action it allows and one resource pattern,
/// with the statement's conditions.
///
/// Statements are numbered from 0, in the order the policy lists them — the numbering of every
/// explanation iamsim gives ("statement 0").
///
/// ```
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .managed_policy("Photos", json!({"Version": "2012-10-17", "Statement": [
///             {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
///              "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]}]}))
///         .user("alice", |u| u.policy("Photos")))
///     .build()?
///     .without_recording();
/// let report = world.least_privilege("user/alice");
/// // One grant per action and resource pattern (literal actions are grants of every pattern).
/// let grants: Vec<String> = report.grants().iter().map(|g| g.to_string()).collect();
/// assert_eq!(grants, [
///     "s3:GetObject on arn:aws:s3:::photos (arn:aws:iam::111111111111:policy/Photos, statement 0)",
///     "s3:ListBucket on arn:aws:s3:::photos (arn:aws:iam::111111111111:policy/Photos, statement 0)",
///     "s3:GetObject on arn:aws:s3:::photos/* (arn:aws:iam::111111111111:policy/Photos, statement 0)",
///     "s3:ListBucket on arn:aws:s3:::photos/* (arn:aws:iam::111111111111:policy/Photos, statement 0)",
/// ]);
/// assert_eq!(report.grants()[0].sid.as_deref(), Some("Read"));
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The user or role ARN.
    pub principal: String,
    /// The policy as explanations name it: a managed policy's ARN, or `role/reader/inline/Name`.
    pub policy: String,
    /// The statement's position in the policy, from 0.
    pub statement: usize,
    /// The statement's `Sid`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// One action (`s3:GetObject`), as the catalog spells it; a pattern only when the catalog
    /// knows no action it matches.
    pub action: String,
    /// The resource pattern as written; `NotResource [a, b]` for a `NotResource` statement.
    pub resource: String,
    /// The statement's `Condition` element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    #[serde(skip)]
    pub(crate) source: GrantSource,
}

/// Where a grant came from, to rebuild a one-statement policy that allows exactly it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct GrantSource {
    /// The policy's `Version`, which decides whether `${…}` variables are substituted.
    pub(crate) version: Option<Value>,
    /// `("Resource", pattern)` or `("NotResource", list)`; `None` when the statement has
    /// neither.
    pub(crate) resource: Option<(&'static str, Value)>,
    /// Whether the action is a pattern the catalog could not expand.
    pub(crate) pattern: bool,
}

impl std::fmt::Display for Grant {
    /// `ACTION on RESOURCE (POLICY, statement N)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {} ({}, statement {})", self.action, self.resource, self.policy, self.statement)
    }
}

impl Grant {
    /// A policy with one statement that allows this grant's resource and conditions for
    /// `action`: the engine decides whether a logged request fell under it.
    pub(crate) fn check_policy(&self, action: &str) -> Option<Policy> {
        let mut statement = serde_json::Map::new();
        statement.insert("Effect".into(), json!("Allow"));
        statement.insert("Action".into(), json!(action));
        if let Some((key, value)) = &self.source.resource {
            statement.insert((*key).into(), value.clone());
        }
        if let Some(c) = &self.condition {
            statement.insert("Condition".into(), c.clone());
        }
        let mut doc = serde_json::Map::new();
        if let Some(v) = &self.source.version {
            doc.insert("Version".into(), v.clone());
        }
        doc.insert("Statement".into(), Value::Array(vec![Value::Object(statement)]));
        Policy::from_value(Value::Object(doc)).ok().map(|p| p.named(self.policy.clone()))
    }

    /// Whether this grant's action names `action` (a pattern grant covers it by matching).
    pub(crate) fn covers(&self, action: &str) -> bool {
        if self.source.pattern {
            Glob::new(&self.action.to_ascii_lowercase()).matches(&action.to_ascii_lowercase())
        } else {
            self.action.eq_ignore_ascii_case(action)
        }
    }
}

/// What a principal's identity policies hold: grants, and the `Deny` statements the minimal
/// policy keeps.
#[derive(Clone, Debug, Default)]
pub(crate) struct Granted {
    pub(crate) grants: Vec<Grant>,
    pub(crate) denies: Vec<Value>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn statements(policy: &Policy) -> Vec<&serde_json::Map<String, Value>> {
    match policy.document().get("Statement") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(one)) => vec![one],
        _ => Vec::new(),
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// The actions of one statement's `Action` or `NotAction` element relevant to one resource.
fn actions_for(st: &serde_json::Map<String, Value>, relevance: &mut Relevance) -> Vec<(String, bool)> {
    let catalog = Catalog::global();
    let mut out: Vec<(String, bool)> = Vec::new();
    if let Some(not) = st.get("NotAction") {
        let excluded: Vec<Glob> = strings(Some(not)).iter().map(|p| Glob::new(&p.to_ascii_lowercase())).collect();
        for a in catalog.actions() {
            let name = a.name().to_ascii_lowercase();
            if !excluded.iter().any(|g| g.matches(&name)) && relevance.relevant(a) {
                out.push((a.name().to_owned(), false));
            }
        }
        return out;
    }
    for pattern in strings(st.get("Action")) {
        if !has_wildcard(&pattern) {
            // A literal action is a grant as written, relevant or not: it can only be unused.
            out.push((catalog.action(&pattern).map_or(pattern.clone(), |a| a.name().to_owned()), false));
            continue;
        }
        let expanded = catalog.expand(&pattern);
        if expanded.is_empty() {
            out.push((pattern, true));
            continue;
        }
        out.extend(expanded.into_iter().filter(|a| relevance.relevant(a)).map(|a| (a.name().to_owned(), false)));
    }
    out
}

/// One resource of a statement: its text, what a one-grant policy names it with, and which
/// actions are relevant to it.
type ResourceChoice = (String, Option<(&'static str, Value)>, Relevance);

/// The grants of the identity policies in `policies` (as the engine gathers them for the
/// principal), for the principal `arn`.
pub(crate) fn granted<'p>(arn: &str, policies: impl Iterator<Item = (PolicyType, &'p Policy)>) -> Granted {
    let mut out = Granted::default();
    let mut seen_policies = BTreeSet::new();
    for (kind, policy) in policies {
        let label = policy.name().unwrap_or("identity policy").to_owned();
        // A policy attached both to a user and to one of its groups is one set of grants.
        if kind != PolicyType::Identity || !seen_policies.insert(label.clone()) {
            continue;
        }
        let version = policy.document().get("Version").cloned();
        for (index, st) in statements(policy).into_iter().enumerate() {
            if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
                out.denies.push(Value::Object(st.clone()));
                continue;
            }
            let sid = st.get("Sid").and_then(Value::as_str).map(str::to_owned);
            let condition = st.get("Condition").cloned();
            let resources: Vec<ResourceChoice> = if let Some(not) = st.get("NotResource") {
                let text = format!("NotResource [{}]", strings(Some(not)).join(", "));
                vec![(text, Some(("NotResource", not.clone())), Relevance::new(None))]
            } else if st.get("Resource").is_some() {
                strings(st.get("Resource"))
                    .into_iter()
                    .map(|r| {
                        let relevance = Relevance::new(Some(&r));
                        (r.clone(), Some(("Resource", Value::String(r))), relevance)
                    })
                    .collect()
            } else {
                vec![("*".to_owned(), None, Relevance::new(None))]
            };
            for (resource, selector, mut relevance) in resources {
                let mut actions = actions_for(st, &mut relevance);
                actions.sort_by_key(|(a, _)| a.to_ascii_lowercase());
                actions.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
                for (action, pattern) in actions {
                    out.grants.push(Grant {
                        principal: arn.to_owned(),
                        policy: label.clone(),
                        statement: index,
                        sid: sid.clone(),
                        action,
                        resource: resource.clone(),
                        condition: condition.clone(),
                        source: GrantSource { version: version.clone(), resource: selector.clone(), pattern },
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(doc: Value) -> Vec<String> {
        let policy = Policy::from_value(doc).expect("valid").named("P");
        granted("arn:aws:iam::111111111111:role/r", [(PolicyType::Identity, &policy)].into_iter())
            .grants
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn wildcards_expand_to_the_actions_relevant_to_the_resource() {
        let g = grants(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::photos/*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}));
        assert!(g.contains(&"s3:GetObject on arn:aws:s3:::photos/* (P, statement 0)".to_owned()), "{g:?}");
        assert!(g.contains(&"s3:GetObjectTagging on arn:aws:s3:::photos/* (P, statement 0)".to_owned()));
        assert!(!g.iter().any(|l| l.starts_with("s3:GetBucketPolicy ")), "{g:?}");
        assert!(g.iter().all(|l| l.starts_with("s3:Get")));
    }

    #[test]
    fn literal_and_unknown_actions_stay_as_written() {
        let g = grants(json!({"Statement": {"Effect": "Allow", "Action": ["S3:listbucket", "nosuch:*"],
            "Resource": ["arn:aws:s3:::photos"]}}));
        assert_eq!(
            g,
            [
                "nosuch:* on arn:aws:s3:::photos (P, statement 0)",
                "s3:ListBucket on arn:aws:s3:::photos (P, statement 0)"
            ]
        );
    }
}
