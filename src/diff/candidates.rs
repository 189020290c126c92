//! Candidate requests drawn from one statement: its actions expanded through the catalog, its
//! resources turned into example ARNs, and request contexts that satisfy or violate its
//! conditions. Nothing here decides anything: every candidate goes to the engine.

use std::collections::BTreeSet;

use serde_json::Value;

use super::values::{self, SAMPLE, Setting};
use crate::catalog::{Catalog, Service};
use crate::policy::context::Lookup;
use crate::policy::document::Statement;
use crate::policy::variables::Template;
use crate::policy::{Action, Context, Policy, Principal, Resource};
use crate::wildcard::Glob;

/// Services that a wildcard in an action's service part (`*`, `*:Get*`) and `NotAction` expand
/// over, besides the services either policy names: enough to show a new grant without trying
/// all 22,000 actions of the catalog.
pub(crate) const DEFAULT_SERVICES: [&str; 4] = ["s3", "sts", "iam", "kms"];

/// At most this many request contexts are tried per statement.
const MAX_CONTEXTS: usize = 24;

/// The region of example ARNs.
const SAMPLE_REGION: &str = "us-east-1";

/// One request to decide under OLD and under NEW.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub(crate) action: Action,
    pub(crate) resource: Resource,
    pub(crate) context: Context,
}

/// What candidates are drawn with: the principal (for policy variables and the account of
/// example ARNs), the resources of a world, and the services wildcards expand over.
pub(crate) struct Scope<'a> {
    pub(crate) principal: &'a Principal,
    /// The account example ARNs are in.
    pub(crate) account: String,
    /// ARNs of real resources (a world's buckets, objects, users and roles).
    pub(crate) samples: &'a [String],
    /// Services that wildcarded service parts and `NotAction` expand over.
    pub(crate) services: Vec<&'static Service>,
    /// The context every request starts from.
    pub(crate) base: Context,
}

/// The services named by a literal service part anywhere in the policies, then the defaults,
/// each once, as the catalog knows them.
pub(crate) fn services_of(policies: &[&Policy]) -> Vec<&'static Service> {
    let catalog = Catalog::global();
    let mut names: Vec<String> = Vec::new();
    for policy in policies {
        for st in &policy.statements {
            for p in &st.actions.patterns {
                if let Some((svc, _)) = p.as_str().split_once(':')
                    && !svc.contains(['*', '?'])
                    && !names.iter().any(|n| n.eq_ignore_ascii_case(svc))
                {
                    names.push(svc.to_ascii_lowercase());
                }
            }
        }
    }
    for d in DEFAULT_SERVICES {
        if !names.iter().any(|n| n == d) {
            names.push(d.to_owned());
        }
    }
    names.iter().filter_map(|n| catalog.service(n)).collect()
}

/// The first 12-digit account named in a resource ARN of the policies, or AWS's documentation
/// account.
pub(crate) fn account_of(policies: &[&Policy]) -> String {
    policies
        .iter()
        .flat_map(|p| p.statements.iter().map(move |st| (*p, st)))
        .flat_map(|(p, st)| resource_texts(p, st))
        .filter_map(|r| crate::arn::Arn::components(&r).map(|c| c[4].to_owned()))
        .find(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "111122223333".to_owned())
}

/// The statement's JSON as written.
fn statement_json(policy: &Policy, index: usize) -> Option<&Value> {
    match policy.document().get("Statement")? {
        Value::Array(items) => items.get(index),
        v @ Value::Object(_) if index == 0 => Some(v),
        _ => None,
    }
}

/// The `Resource` (or `NotResource`) entries as written.
pub(crate) fn resource_texts(policy: &Policy, st: &Statement) -> Vec<String> {
    let Some(json) = statement_json(policy, st.index) else { return Vec::new() };
    let element = if st.resources.as_ref().is_some_and(|r| r.negated) { "NotResource" } else { "Resource" };
    match json.get(element) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The actions a statement's `Action` (or `NotAction`) covers, in catalog-name order: literal
/// service parts expand through the catalog; an action the catalog does not know is tried as
/// written (its wildcards filled in).
pub(crate) fn actions(st: &Statement, scope: &Scope<'_>) -> Vec<Action> {
    let catalog = Catalog::global();
    let mut out: BTreeSet<Action> = BTreeSet::new();
    let over_services = |keep: &dyn Fn(&Action) -> bool, out: &mut BTreeSet<Action>| {
        for service in &scope.services {
            for info in service.actions() {
                if let Ok(a) = Action::new(info.name())
                    && keep(&a)
                {
                    out.insert(a);
                }
            }
        }
    };
    if st.actions.negated {
        over_services(&|a| !st.actions.patterns.iter().any(|p| p.matches(a)), &mut out);
        return out.into_iter().collect();
    }
    for p in &st.actions.patterns {
        let text = p.as_str();
        let wild_service = text.split_once(':').is_none_or(|(svc, _)| svc.contains(['*', '?']));
        if wild_service {
            over_services(&|a| p.matches(a), &mut out);
            continue;
        }
        let expanded = catalog.expand(text);
        if expanded.is_empty() {
            if let Ok(a) = Action::new(&values::fill_wildcards(text)) {
                out.insert(a);
            }
        } else {
            out.extend(expanded.iter().filter_map(|info| Action::new(info.name()).ok()));
        }
    }
    out.into_iter().collect()
}

/// A catalog ARN format's placeholder or literal character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Char(char),
    /// `${Name}`: one or more characters but `:`, and `/` only where the name allows a path.
    Placeholder {
        slash: bool,
    },
}

fn pieces(format: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.extend(rest.get(..start).unwrap_or_default().chars().map(Piece::Char));
        let after = rest.get(start + 2..).unwrap_or_default();
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or_default();
                out.push(Piece::Placeholder { slash: name.contains("Path") || name == "ObjectName" });
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.extend("${".chars().map(Piece::Char));
                rest = after;
            }
        }
    }
    out.extend(rest.chars().map(Piece::Char));
    out
}

/// Whether an ARN has the shape of a catalog ARN format (`arn:${Partition}:s3:::${BucketName}`).
fn fits_format(format: &str, arn: &str) -> bool {
    let pieces = pieces(format);
    // States: index of the next piece to match; a placeholder that matched at least one
    // character may take more (state `i` with `looping[i]`).
    let n = pieces.len();
    let mut at = vec![false; n + 1];
    let mut looping = vec![false; n + 1];
    if let Some(s) = at.first_mut() {
        *s = true;
    }
    for c in arn.chars() {
        let mut next = vec![false; n + 1];
        let mut next_loop = vec![false; n + 1];
        for (i, piece) in pieces.iter().enumerate() {
            let active = at.get(i).copied().unwrap_or(false);
            let in_placeholder = looping.get(i + 1).copied().unwrap_or(false);
            match *piece {
                Piece::Char(l) if active && l == c => set(&mut next, i + 1),
                Piece::Placeholder { slash } if c != ':' && (slash || c != '/') && (active || in_placeholder) => {
                    set(&mut next, i + 1);
                    set(&mut next_loop, i + 1);
                }
                _ => {}
            }
        }
        at = next;
        looping = next_loop;
        if !at.iter().any(|b| *b) {
            return false;
        }
    }
    at.get(n).copied().unwrap_or(false)
}

fn set(states: &mut [bool], i: usize) {
    if let Some(s) = states.get_mut(i) {
        *s = true;
    }
}

/// A catalog ARN format with every placeholder filled: `aws`, `us-east-1`, the scope's account,
/// `example` for names.
fn fill_format(format: &str, account: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            out.push_str("${");
            rest = after;
            continue;
        };
        out.push_str(match after.get(..end).unwrap_or_default() {
            "Partition" => "aws",
            "Region" => SAMPLE_REGION,
            "Account" => account,
            _ => SAMPLE,
        });
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A `Resource` pattern as one ARN it matches: a wildcard field of its own becomes `aws`, the
/// action's service, `us-east-1` or the scope's account; other wildcards become `example`.
fn materialise(pattern: &str, service: &str, account: &str) -> String {
    let Some(parts) = crate::arn::Arn::components(pattern) else { return values::fill_wildcards(pattern) };
    let [arn, partition, svc, region, acct, resource] = parts;
    let field = |text: &str, whole: &str| {
        if text == "*" { whole.to_owned() } else { values::fill_wildcards(text) }
    };
    format!(
        "{arn}:{}:{}:{}:{}:{}",
        field(partition, "aws"),
        field(svc, service),
        field(region, SAMPLE_REGION),
        field(acct, account),
        values::fill_wildcards(resource)
    )
}

/// The resources to try `action` on for one statement.
///
/// A statement without `Resource`, with `NotResource` or with a `*` entry is tried on the
/// action's own resource types (catalog ARN formats, filled in) and on every resource of the
/// scope of that shape; other entries become one example ARN each (kept only when the action can
/// act on a resource of that shape, where the catalog knows), plus the scope's resources they
/// match. An action that takes no resource is tried on `*` alone.
pub(crate) fn resources(policy: &Policy, st: &Statement, action: &Action, scope: &Scope<'_>) -> Vec<Resource> {
    let catalog = Catalog::global();
    let formats: Option<Vec<&'static str>> = catalog.action(action.as_str()).and_then(|info| {
        let types = info.resource_types()?;
        let service = catalog.service(info.service())?;
        Some(types.iter().filter_map(|t| service.resource_type(t.name())).flat_map(|t| t.arn_formats()).collect())
    });
    if formats.as_ref().is_some_and(Vec::is_empty) {
        return vec![Resource::any()];
    }
    let lookup = Lookup { principal: scope.principal, context: &scope.base };
    let texts = resource_texts(policy, st);
    let negated = st.resources.as_ref().is_none_or(|r| r.negated);
    let wide = negated || texts.iter().any(|t| t == "*");
    let patterns: Vec<String> = texts
        .iter()
        .filter(|t| *t != "*")
        .filter_map(|t| Template::parse_resource(t, policy.version().has_variables()).resolve(&lookup))
        .collect();
    let fits = |arn: &str| match &formats {
        Some(fs) => fs.iter().any(|f| fits_format(f, arn)),
        None => true,
    };
    let mut out: Vec<String> = Vec::new();
    if wide {
        match &formats {
            Some(fs) => out.extend(fs.iter().map(|f| fill_format(f, &scope.account))),
            None => out.push("*".to_owned()),
        }
    }
    for p in &patterns {
        let example = materialise(p, action.service(), &scope.account);
        if fits(&example) {
            out.push(example);
        }
    }
    let globs: Vec<Glob> = patterns.iter().map(|p| Glob::resource(p)).collect();
    for sample in scope.samples {
        let same_service =
            crate::arn::Arn::components(sample).is_some_and(|c| c[2].eq_ignore_ascii_case(action.service()));
        let named = wide || globs.iter().any(|g| g.matches(sample));
        let shaped = if formats.is_some() { fits(sample) } else { same_service };
        if named && shaped {
            out.push(sample.clone());
        }
    }
    let mut seen = BTreeSet::new();
    out.into_iter().filter(|r| seen.insert(r.clone())).filter_map(|r| Resource::parse(&r).ok()).collect()
}

/// Key settings that should make every condition of a statement hold (the first derivation of
/// each condition; a key two conditions share keeps the first).
pub(crate) fn satisfying(st: &Statement) -> Vec<(String, Setting)> {
    let mut out: Vec<(String, Setting)> = Vec::new();
    for d in st.conditions.iter().filter_map(values::derive) {
        if let Some(first) = d.holds.first()
            && !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(&d.key))
        {
            out.push((d.key.clone(), first.clone()));
        }
    }
    out
}

/// Applies key settings to a context.
pub(crate) fn apply(context: &mut Context, settings: &[(String, Setting)]) {
    for (key, setting) in settings {
        match setting {
            Setting::Absent => context.remove(key),
            Setting::Values(values) => context.set(key, values.iter().cloned()),
        }
    }
}

/// The request contexts to try for one statement: the base context, then with `everywhere`
/// (settings that satisfy the conditions of every `Allow` of NEW), then each variant of this
/// statement's conditions — all holding; one condition with another value that holds; one
/// condition failing — alone and over `everywhere`. Deduplicated, at most 24.
pub(crate) fn contexts(st: &Statement, scope: &Scope<'_>, everywhere: &[(String, Setting)]) -> Vec<Context> {
    let derived: Vec<values::Derived> = st.conditions.iter().filter_map(values::derive).collect();
    let all_hold = satisfying(st);
    let mut variants: Vec<Vec<(String, Setting)>> = vec![Vec::new(), all_hold.clone()];
    for d in &derived {
        for alternative in d.holds.iter().skip(1).chain(&d.fails) {
            let mut v = all_hold.clone();
            v.retain(|(k, _)| !k.eq_ignore_ascii_case(&d.key));
            v.push((d.key.clone(), alternative.clone()));
            variants.push(v);
        }
    }
    let mut out: Vec<Context> = Vec::new();
    for v in &variants {
        for over in [&[][..], everywhere] {
            let mut ctx = scope.base.clone();
            apply(&mut ctx, over);
            apply(&mut ctx, v);
            if !out.contains(&ctx) {
                out.push(ctx);
            }
            if out.len() >= MAX_CONTEXTS {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Policy {
        Policy::parse(json).unwrap()
    }

    fn scope<'a>(principal: &'a Principal, samples: &'a [String], policies: &[&Policy]) -> Scope<'a> {
        Scope {
            principal,
            account: "111122223333".to_owned(),
            samples,
            services: services_of(policies),
            base: Context::new(),
        }
    }

    fn alice() -> Principal {
        Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap()
    }

    fn texts(resources: &[Resource]) -> Vec<&str> {
        resources.iter().map(Resource::as_str).collect()
    }

    #[test]
    fn action_patterns_expand_through_the_catalog() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:PutObject"],"Resource":"*"},
            {"Effect":"Allow","Action":"myservice:Do*","Resource":"*"},
            {"Effect":"Allow","NotAction":["s3:*","iam:*","kms:*","myservice:*"],"Resource":"*"}]}"#,
        );
        let principal = alice();
        let s = scope(&principal, &[], &[&p]);
        let gets = actions(&p.statements[0], &s);
        assert!(gets.iter().any(|a| a.as_str() == "s3:GetObject"));
        assert!(gets.iter().any(|a| a.as_str() == "s3:PutObject"));
        assert!(gets.iter().all(|a| a.name().starts_with("Get") || a.as_str() == "s3:PutObject"));
        assert_eq!(actions(&p.statements[1], &s), [Action::new("myservice:Doexample").unwrap()]);
        // NotAction: the other services the policies name and the defaults (here only sts).
        let rest = actions(&p.statements[2], &s);
        assert!(!rest.is_empty());
        assert!(rest.iter().all(|a| a.service() == "sts"), "{rest:?}");
    }

    #[test]
    fn resource_patterns_become_examples_of_the_actions_shape() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
            "Resource":["arn:aws:s3:::photos/alice/*","arn:aws:s3:::photos"]}]}"#,
        );
        let principal = alice();
        let samples = ["arn:aws:s3:::photos/alice/a.jpg".to_owned(), "arn:aws:s3:::photos/bob/b.jpg".to_owned()];
        let s = scope(&principal, &samples, &[&p]);
        let st = &p.statements[0];
        let get = resources(&p, st, &Action::new("s3:GetObject").unwrap(), &s);
        assert_eq!(texts(&get), ["arn:aws:s3:::photos/alice/example", "arn:aws:s3:::photos/alice/a.jpg"]);
        let list = resources(&p, st, &Action::new("s3:ListBucket").unwrap(), &s);
        assert_eq!(texts(&list), ["arn:aws:s3:::photos"]);
        let buckets = resources(&p, st, &Action::new("s3:ListAllMyBuckets").unwrap(), &s);
        assert_eq!(texts(&buckets), ["*"]);
    }

    #[test]
    fn a_star_resource_uses_the_catalog_formats_and_the_samples() {
        let p = policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        let principal = alice();
        let samples = ["arn:aws:iam::111122223333:role/app/reader".to_owned(), "arn:aws:s3:::photos".to_owned()];
        let s = scope(&principal, &samples, &[&p]);
        let st = &p.statements[0];
        let assume = resources(&p, st, &Action::new("sts:AssumeRole").unwrap(), &s);
        assert_eq!(
            texts(&assume),
            ["arn:aws:iam::111122223333:role/example", "arn:aws:iam::111122223333:role/app/reader"]
        );
        let unknown = resources(&p, st, &Action::new("myservice:Do").unwrap(), &s);
        assert_eq!(texts(&unknown), ["*"]);
    }

    #[test]
    fn variables_resolve_for_the_principal_and_wildcard_fields_take_the_scope() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"},
            {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]}"#,
        );
        let principal = alice();
        let s = scope(&principal, &[], &[&p]);
        let get = resources(&p, &p.statements[0], &Action::new("s3:GetObject").unwrap(), &s);
        assert_eq!(texts(&get), ["arn:aws:s3:::home/alice/example"]);
        let assume = resources(&p, &p.statements[1], &Action::new("sts:AssumeRole").unwrap(), &s);
        assert_eq!(texts(&assume), ["arn:aws:iam::111122223333:role/example"]);
    }

    #[test]
    fn formats_match_by_shape() {
        assert!(fits_format("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::photos"));
        assert!(!fits_format("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::photos/a"));
        assert!(fits_format("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::photos/a/b"));
        assert!(fits_format("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/a/b"));
        assert!(!fits_format("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:user/a"));
        assert!(!fits_format("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::"));
    }

    #[test]
    fn contexts_satisfy_and_violate_each_condition() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        );
        let principal = alice();
        let s = scope(&principal, &[], &[&p]);
        let all = contexts(&p.statements[0], &s, &[]);
        let show: Vec<Vec<(String, Vec<String>)>> = all.into_iter().map(|c| c.into_entries().collect()).collect();
        let kv = |k: &str, v: &str| (k.to_owned(), vec![v.to_owned()]);
        assert_eq!(
            show,
            [
                vec![],
                vec![kv("aws:SecureTransport", "true"), kv("aws:SourceIp", "203.0.113.0")],
                // Each condition failing in turn (operators in name order): absent, or another value.
                vec![kv("aws:SourceIp", "203.0.113.0")],
                vec![kv("aws:SecureTransport", "false"), kv("aws:SourceIp", "203.0.113.0")],
                vec![kv("aws:SecureTransport", "true")],
                vec![kv("aws:SecureTransport", "true"), kv("aws:SourceIp", "192.0.2.1")],
            ]
        );
    }
}
