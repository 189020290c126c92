//! Replaying an access log: who each logged request was (a user, or a role whatever the
//! session), and which grants it used — decided by the engine, never by a rule written here.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use super::grants::{Grant, Granted, granted};
use crate::World;
use crate::arn::Arn;
use crate::clock::parse_rfc3339;
use crate::live::LogEntry;
use crate::model::{Caller, Model};
use crate::policy::{Action, AuthzRequest, Context, Decision, Effect, PolicySet, PolicyType, Resource, evaluate};

/// A user or role of the world, whose grants are examined. A role's sessions count for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Subject {
    pub(crate) arn: String,
    pub(crate) account: String,
    pub(crate) name: String,
    pub(crate) role: bool,
}

impl Subject {
    fn user(model: &Model, account: &str, name: &str) -> Option<Subject> {
        let user = model.account(account)?.user(name)?;
        Some(Subject { arn: user.arn.to_string(), account: account.to_owned(), name: user.name.clone(), role: false })
    }

    fn role(model: &Model, account: &str, name: &str) -> Option<Subject> {
        let role = model.account(account)?.role(name)?;
        Some(Subject { arn: role.arn.to_string(), account: account.to_owned(), name: role.name.clone(), role: true })
    }

    /// The user or role an ARN names: a user ARN, a role ARN, or a role session's
    /// (`arn:aws:sts::…:assumed-role/ROLE/SESSION`) — or, within the world, `user/NAME` or
    /// `role/NAME` when one account alone has it.
    pub(crate) fn resolve(model: &Model, text: &str) -> Result<Subject, String> {
        if !text.starts_with("arn:") {
            let (kind, name) = text
                .split_once('/')
                .filter(|(k, _)| *k == "user" || *k == "role")
                .ok_or_else(|| format!("`{text}` names no user or role: give its ARN, `user/NAME` or `role/NAME`"))?;
            let name = name.rsplit('/').next().unwrap_or_default();
            let found: Vec<Subject> = model
                .accounts()
                .filter_map(|a| {
                    if kind == "user" {
                        Subject::user(model, a.id.as_str(), name)
                    } else {
                        Subject::role(model, a.id.as_str(), name)
                    }
                })
                .collect();
            return match found.as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(format!("the world has no {kind} `{name}`")),
                many => Err(format!(
                    "`{text}` is ambiguous: {}; give the ARN",
                    many.iter().map(|s| s.arn.as_str()).collect::<Vec<_>>().join(", ")
                )),
            };
        }
        let arn = Arn::parse(text).map_err(|e| format!("`{text}`: {e}"))?;
        let account = arn.account();
        let resource = arn.resource();
        let found = match (arn.service(), resource.split_once('/')) {
            ("iam", Some(("user", rest))) => Subject::user(model, account, rest.rsplit('/').next().unwrap_or_default()),
            ("iam", Some(("role", rest))) => Subject::role(model, account, rest.rsplit('/').next().unwrap_or_default()),
            ("sts", Some(("assumed-role", rest))) => {
                Subject::role(model, account, rest.split('/').next().unwrap_or_default())
            }
            _ => return Err(format!("`{text}` is not the ARN of a user, a role or a role session")),
        };
        match found {
            // A role session's ARN carries no path; a user's or role's ARN must be the one the
            // world has.
            Some(s) if s.arn == text || arn.service() == "sts" => Ok(s),
            Some(s) => Err(format!("`{text}` is not an ARN of this world: it has `{}`", s.arn)),
            None => Err(format!("the world has no user or role `{text}`")),
        }
    }

    /// Every user and role of the world, in account and name order.
    pub(crate) fn every(model: &Model) -> Vec<Subject> {
        let mut out = Vec::new();
        for a in model.accounts() {
            let id = a.id.as_str();
            out.extend(a.users.keys().filter_map(|n| Subject::user(model, id, n)));
            out.extend(a.roles.keys().filter_map(|n| Subject::role(model, id, n)));
        }
        out
    }

    /// A caller with the subject's identity policies, to gather them as the engine does.
    pub(crate) fn caller(&self) -> Caller {
        if self.role {
            Caller::role_session(&self.account, &self.name, "iamsim")
        } else {
            Caller::user(&self.account, &self.name)
        }
    }

    /// The subject's grants, from its identity policies as the world gathers them.
    pub(crate) fn granted(&self, world: &World) -> Granted {
        let (Ok(action), resource) = (Action::new("iam:GetUser"), Resource::any()) else { return Granted::default() };
        match world.model().prepare(&self.caller(), &action, &resource, &Context::new(), world.clock().now()) {
            Ok(prepared) => granted(&self.arn, prepared.policies.policies()),
            Err(_) => Granted::default(),
        }
    }
}

/// One logged authorization, decided again in the world.
#[derive(Clone, Debug)]
pub(crate) struct Replayed {
    /// `request 3`, or `FILE: request 3` for logs read from files.
    pub(crate) origin: String,
    pub(crate) subject: Subject,
    pub(crate) caller: Caller,
    pub(crate) action: Action,
    pub(crate) resource: Resource,
    pub(crate) context: Context,
    pub(crate) time: SystemTime,
    /// What the log says was decided.
    pub(crate) logged_allow: bool,
    /// The request with every key the world derives.
    pub(crate) request: AuthzRequest,
    /// The decision with the principal's own policies.
    pub(crate) decision: Decision,
}

/// Who made a logged request: the session behind its access key when this world issued it
/// (with its session policies, tags and MFA), else the principal its ARN names.
fn caller_of(world: &World, entry: &LogEntry) -> Option<Caller> {
    if let Some(key) = entry.access_key_id.as_deref().and_then(|id| world.live().signing_key(id)) {
        return Some(key.caller);
    }
    world.caller_for(entry.caller.as_deref()?).ok()
}

/// Every authorization of `entries` made by one of `subjects` (all callers that are users or
/// roles of the world when `None`), decided again against `world`.
pub(crate) fn replay<'a>(
    world: &World,
    entries: impl IntoIterator<Item = (Option<&'a str>, &'a LogEntry)>,
    subjects: Option<&BTreeSet<Subject>>,
) -> Vec<Replayed> {
    let model = world.model();
    let state = world.live().buckets();
    let mut out = Vec::new();
    let mut subject_of: HashMap<String, Option<Subject>> = HashMap::new();
    for (file, entry) in entries {
        let Some(arn) = entry.caller.as_deref() else { continue };
        let subject = subject_of.entry(arn.to_owned()).or_insert_with(|| Subject::resolve(model, arn).ok()).clone();
        let Some(subject) = subject.filter(|s| subjects.is_none_or(|set| set.contains(s))) else { continue };
        let Some(caller) = caller_of(world, entry) else { continue };
        let time = parse_rfc3339(&entry.time).unwrap_or_else(|_| model.start_time());
        for a in &entry.authorizations {
            let (Ok(action), Ok(resource)) = (Action::new(&a.action), Resource::parse(&a.resource)) else { continue };
            let mut context = Context::new();
            for (k, v) in &a.context {
                context.set(k, v.iter().cloned());
            }
            let Ok(prepared) = model.prepare_in(state, &caller, &action, &resource, &context, time) else { continue };
            let decision = evaluate(&prepared.request, &prepared.policies);
            out.push(Replayed {
                origin: match file {
                    Some(f) => format!("{f}: request {}", entry.request),
                    None => format!("request {}", entry.request),
                },
                subject: subject.clone(),
                caller: caller.clone(),
                action,
                resource,
                context,
                time,
                logged_allow: a.decision == "allow",
                request: prepared.request,
                decision,
            });
        }
    }
    out
}

/// The grants of one subject and, for each, the resources logged requests used it on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub(crate) grants: Vec<Grant>,
    pub(crate) touched: Vec<BTreeSet<String>>,
    pub(crate) denies: Vec<serde_json::Value>,
}

/// Marks the grants `requests` used. A grant is used by a request the log shows allowed when
/// the engine lists the grant's statement among the reasons for it, and a policy holding only
/// that grant (its action, its one resource pattern, its conditions) applies to the request.
pub(crate) fn usage(granted: Granted, requests: &[&Replayed]) -> Usage {
    let Granted { mut grants, denies } = granted;
    let mut touched = vec![BTreeSet::new(); grants.len()];
    // One template per statement and resource pattern (its first grant), and each grant's
    // template.
    let mut templates: Vec<usize> = Vec::new();
    let mut template_by_key: HashMap<(String, usize, String), usize> = HashMap::new();
    let mut by_action: HashMap<(usize, String), usize> = HashMap::new();
    let mut patterns: Vec<(usize, usize)> = Vec::new();
    for (i, g) in grants.iter().enumerate() {
        let key = (g.policy.clone(), g.statement, g.resource.clone());
        let t = *template_by_key.entry(key).or_insert_with(|| {
            templates.push(i);
            i
        });
        if g.source.pattern {
            patterns.push((t, i));
        } else {
            by_action.insert((t, g.action.to_ascii_lowercase()), i);
        }
    }
    let mut checks: HashMap<(usize, String), Option<crate::policy::Policy>> = HashMap::new();
    for r in requests.iter().filter(|r| r.logged_allow) {
        let action = r.action.as_str();
        let lower = action.to_ascii_lowercase();
        for reason in r.decision.reasons() {
            if reason.policy_type != PolicyType::Identity || reason.effect != Effect::Allow {
                continue;
            }
            for &t in &templates {
                let Some(template) = grants.get(t) else { continue };
                if *template.policy != *reason.policy || template.statement != reason.statement {
                    continue;
                }
                let check = checks.entry((t, lower.clone())).or_insert_with(|| template.check_policy(action));
                let applies = check
                    .as_ref()
                    .is_some_and(|p| !evaluate(&r.request, &PolicySet::new().identity(p.clone())).reasons().is_empty());
                if !applies {
                    continue;
                }
                let found = by_action.get(&(t, lower.clone())).copied().or_else(|| {
                    patterns
                        .iter()
                        .find(|(pt, i)| *pt == t && grants.get(*i).is_some_and(|g| g.covers(action)))
                        .map(|p| p.1)
                });
                let index = match found {
                    Some(i) => i,
                    None => {
                        // An action the catalog does not list: a grant all the same.
                        let mut g = template.clone();
                        g.action = action.to_owned();
                        g.source.pattern = false;
                        grants.push(g);
                        touched.push(BTreeSet::new());
                        by_action.insert((t, lower.clone()), grants.len() - 1);
                        grants.len() - 1
                    }
                };
                if let Some(set) = touched.get_mut(index) {
                    set.insert(r.resource.as_str().to_owned());
                }
            }
        }
    }
    Usage { grants, touched, denies }
}
