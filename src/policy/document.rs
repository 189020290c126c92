//! Policy documents: the IAM JSON grammar, parsed into a compiled form with precise errors.
//!
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>;
//! elements: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html>.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::action::ActionPattern;
use super::condition::{Condition, ConditionOperator, UnknownOperator};
use super::context::Lookup;
use super::principal::AccountId;
use super::variables::Template;
use crate::arn::Arn;
use crate::path::JsonPath;
use crate::wildcard::Glob;

/// `Allow` or `Deny`.
///
/// ```
/// use iamsim::policy::Effect;
/// use iamsim::{evaluate, AuthzRequest, Policy, PolicySet};
/// let policy = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#)?;
/// let request = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k")?;
/// let decision = evaluate(&request, &PolicySet::new().identity(policy.named("DenyS3")));
/// assert_eq!(decision.reasons()[0].effect, Effect::Deny);
/// assert_eq!(Effect::Deny.to_string(), "Deny");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies, overriding every allow.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// The policy language version (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>).
///
/// ```
/// use iamsim::policy::PolicyVersion;
/// use iamsim::Policy;
/// let current = Policy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#)?;
/// assert_eq!(current.version(), PolicyVersion::V2012_10_17);
/// assert!(current.version().has_variables());
/// let unversioned = Policy::parse(r#"{"Statement":[]}"#)?;
/// assert_eq!(unversioned.version(), PolicyVersion::Unspecified);
/// assert!(!unversioned.version().has_variables());
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2012-10-17`: the current version, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: the old version; `${…}` is literal text.
    V2008_10_17,
    /// No `Version` element: treated like `2008-10-17`.
    Unspecified,
}

impl PolicyVersion {
    /// Whether `${…}` policy variables are substituted.
    pub fn has_variables(self) -> bool {
        self == PolicyVersion::V2012_10_17
    }
}

// Values echoed from the document are cut to a readable length (`` `xxxx…` (5000 characters) ``).
/// Why a policy document was rejected: where in the JSON, and what is wrong.
///
/// ```
/// use iamsim::Policy;
/// let err = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
///     "Resource":"*","Condition":{"StringEquals":"oops"}}]}"#).unwrap_err();
/// assert_eq!(err.to_string(), "Statement[0].Condition.StringEquals: expected an object of condition keys");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", if path.is_root() { String::new() } else { format!("{}: ", path.for_message()) }, crate::text::cut_quoted(&kind.to_string()))]
pub struct PolicyError {
    /// Where: a dotted path with `[index]` for array elements, the root for the whole document.
    pub path: JsonPath,
    /// What is wrong.
    pub kind: PolicyErrorKind,
}

/// What is wrong with a policy document.
///
/// ```
/// use iamsim::policy::PolicyErrorKind;
/// use iamsim::Policy;
/// let err = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Efect":"Allow","Action":"s3:*","Resource":"*"}]}"#).unwrap_err();
/// assert_eq!(err.kind, PolicyErrorKind::UnknownField { field: "Efect".into(), suggestion: Some("Effect") });
/// let err = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}"#).unwrap_err();
/// assert_eq!(err.kind, PolicyErrorKind::Effect("Permit".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyErrorKind {
    /// Not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A JSON value of the wrong type.
    #[error("expected {0}")]
    Expected(&'static str),
    /// A required element is missing.
    #[error("missing required field `{0}`")]
    Missing(&'static str),
    /// An element the grammar does not know.
    #[error("unknown field `{field}`{}", suggestion.map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
    UnknownField {
        /// The field as written.
        field: String,
        /// The closest known field.
        suggestion: Option<&'static str>,
    },
    /// Two elements that exclude each other.
    #[error("`{0}` and `{1}` cannot both be present")]
    Exclusive(&'static str, &'static str),
    /// `Effect` other than `Allow` or `Deny`.
    #[error("`{0}` is not a valid effect: expected `Allow` or `Deny`")]
    Effect(String),
    /// A `Version` other than the two AWS defines.
    #[error("`{0}` is not a policy version: expected `2012-10-17` or `2008-10-17`")]
    Version(String),
    /// An action without a service prefix. AWS: "Actions/Conditions must be prefaced by a
    /// vendor, e.g., iam, sdb, ec2, etc."
    #[error("`{0}` is not an action: actions must be prefaced by a service, for example `s3:GetObject`")]
    Action(String),
    /// A condition operator AWS does not define.
    #[error(transparent)]
    Operator(#[from] UnknownOperator),
    /// A principal entry that is not one AWS accepts. AWS: "Invalid principal in policy".
    #[error("invalid principal in policy: `{0}`")]
    Principal(String),
    /// An empty list where values are required.
    #[error("must not be empty")]
    Empty,
    /// The same key twice in one JSON object.
    #[error("duplicate key `{0}`")]
    DuplicateKey(String),
}

const DUPLICATE: &str = "duplicate key: ";

/// A JSON value that rejects objects with a repeated key (serde_json keeps the last one).
struct StrictJson(Value);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{key}")));
            }
            let StrictJson(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn err(path: &JsonPath, kind: PolicyErrorKind) -> PolicyError {
    PolicyError { path: path.clone(), kind }
}

fn child(path: &JsonPath, field: &str) -> JsonPath {
    path.key(field)
}

fn index(path: &JsonPath, i: usize) -> JsonPath {
    path.index(i)
}

/// A parsed and compiled policy document.
///
/// ```
/// use iamsim::Policy;
/// let policy = Policy::parse(r#"{
///   "Version": "2012-10-17",
///   "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}
/// }"#)?.named("ReadPhotos");
/// assert_eq!(policy.name(), Some("ReadPhotos"));
/// assert_eq!(policy.statement_count(), 1);
/// # Ok::<(), iamsim::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Policy {
    name: Option<Arc<str>>,
    version: PolicyVersion,
    id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    document: Arc<Value>,
}

/// A compiled statement.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    pub(crate) index: usize,
    /// The path of the statement in the document (`Statement[2]`, or `Statement`).
    pub(crate) path: JsonPath,
    pub(crate) sid: Option<Arc<str>>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalClause>,
    pub(crate) actions: ActionClause,
    pub(crate) resources: Option<ResourceClause>,
    pub(crate) conditions: Vec<Condition>,
}

#[derive(Clone, Debug)]
pub(crate) struct ActionClause {
    pub(crate) negated: bool,
    pub(crate) patterns: Vec<ActionPattern>,
}

#[derive(Clone, Debug)]
pub(crate) struct ResourceClause {
    pub(crate) negated: bool,
    pub(crate) entries: Vec<ResourceEntry>,
}

#[derive(Clone, Debug)]
pub(crate) enum ResourceEntry {
    Static(Glob),
    Dynamic(Template),
}

impl ResourceEntry {
    pub(crate) fn matches(&self, resource: &str, lookup: &Lookup<'_>) -> bool {
        match self {
            ResourceEntry::Static(g) => g.matches(resource),
            // An entry whose variable has no value matches no resource.
            ResourceEntry::Dynamic(t) => t.resolve_resource_glob(lookup).is_some_and(|g| g.matches(resource)),
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PrincipalClause {
    pub(crate) negated: bool,
    /// `"*"` or `{"AWS": "*"}`.
    pub(crate) everyone: bool,
    pub(crate) aws: Vec<AwsEntry>,
    pub(crate) services: Vec<Box<str>>,
    pub(crate) federated: Vec<Box<str>>,
    pub(crate) canonical_users: Vec<Box<str>>,
}

/// One `AWS` principal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AwsEntry {
    /// A 12-digit id or `arn:…:iam::ID:root`: every principal of the account.
    Account(AccountId),
    /// `arn:…:iam::ID:user/…`.
    User(Arn),
    /// `arn:…:iam::ID:role/…`: every session of the role.
    Role(Arn),
    /// `arn:…:sts::ID:assumed-role/ROLE/SESSION`: that one session.
    Session(Arn),
    /// `arn:…:sts::ID:federated-user/NAME`.
    FederatedUser(Arn),
    /// A unique id (`AIDA…`, `AROA…`): what IAM leaves in a policy when the user or role it
    /// named is deleted, and what it matches afterwards ("the ARN transforms to the role's
    /// unique principal ID when you save the policy", Principal page).
    UniqueId(Box<str>),
}

const POLICY_FIELDS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_FIELDS: [&str; 10] =
    ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition", "Id"];

fn unknown(path: &JsonPath, field: &str, known: &[&'static str]) -> PolicyError {
    let suggestion = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&field.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    err(&child(path, field), PolicyErrorKind::UnknownField { field: field.to_owned(), suggestion })
}

/// A string or a non-empty array of strings. Numbers and booleans are accepted as text, as AWS
/// accepts `"Bool": {"aws:SecureTransport": false}`.
fn strings(value: &Value, path: &JsonPath, allow_scalars: bool) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value, p: &JsonPath| -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if allow_scalars => Ok(n.to_string()),
            Value::Bool(b) if allow_scalars => Ok(b.to_string()),
            _ => Err(err(p, PolicyErrorKind::Expected("a string"))),
        }
    };
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(err(path, PolicyErrorKind::Empty));
            }
            items.iter().enumerate().map(|(i, v)| one(v, &index(path, i))).collect()
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) => one(value, path)
            .map(|s| vec![s])
            .map_err(|_| err(path, PolicyErrorKind::Expected("a string or an array of strings"))),
        _ => Err(err(path, PolicyErrorKind::Expected("a string or an array of strings"))),
    }
}

impl Policy {
    /// Parses a policy from JSON text.
    ///
    /// A key given twice in one object is an error, as in IAM ("Individual elements must not
    /// contain multiple instances of the same key", Grammar of the IAM JSON policy language).
    ///
    /// ```
    /// let err = iamsim::Policy::parse(r#"{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*"}}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "Statement.Effect: duplicate key `Effect`");
    /// ```
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let value = match serde_path_to_error::deserialize::<_, StrictJson>(de) {
            Ok(StrictJson(v)) => v,
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." { JsonPath::root() } else { JsonPath::root().key(path) };
                let message = e.into_inner().to_string();
                return Err(match message.strip_prefix(DUPLICATE) {
                    Some(key) => {
                        // serde_json appends the position to custom errors.
                        let key = key.rfind(" at line ").and_then(|i| key.get(..i)).unwrap_or(key);
                        err(&child(&path, key), PolicyErrorKind::DuplicateKey(key.to_owned()))
                    }
                    None => err(&JsonPath::root(), PolicyErrorKind::Json(message)),
                });
            }
        };
        Policy::from_value(value)
    }

    /// Parses a policy from a JSON value (for example one read from a YAML fixture, or written
    /// with `serde_json::json!`).
    ///
    /// ```
    /// use iamsim::Policy;
    /// let p = Policy::from_value(serde_json::json!({
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]
    /// }))?;
    /// assert_eq!(p.statement_count(), 1);
    /// # Ok::<(), iamsim::policy::PolicyError>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Policy, PolicyError> {
        let Value::Object(map) = &value else {
            return Err(err(&JsonPath::root(), PolicyErrorKind::Expected("a JSON object")));
        };
        for key in map.keys() {
            if !POLICY_FIELDS.contains(&key.as_str()) {
                return Err(unknown(&JsonPath::root(), key, &POLICY_FIELDS));
            }
        }
        let version = match map.get("Version") {
            None => PolicyVersion::Unspecified,
            Some(Value::String(v)) if v == "2012-10-17" => PolicyVersion::V2012_10_17,
            Some(Value::String(v)) if v == "2008-10-17" => PolicyVersion::V2008_10_17,
            Some(Value::String(v)) => {
                return Err(err(&JsonPath::root().key("Version"), PolicyErrorKind::Version(v.clone())));
            }
            Some(_) => return Err(err(&JsonPath::root().key("Version"), PolicyErrorKind::Expected("a string"))),
        };
        let id = match map.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(err(&JsonPath::root().key("Id"), PolicyErrorKind::Expected("a string"))),
        };
        let statements = match map.get("Statement") {
            None => return Err(err(&JsonPath::root(), PolicyErrorKind::Missing("Statement"))),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| parse_statement(s, i, &JsonPath::root().key("Statement").index(i), version))
                .collect::<Result<Vec<_>, _>>()?,
            Some(obj @ Value::Object(_)) => vec![parse_statement(obj, 0, &JsonPath::root().key("Statement"), version)?],
            Some(_) => {
                return Err(err(
                    &JsonPath::root().key("Statement"),
                    PolicyErrorKind::Expected("a statement object or an array of them"),
                ));
            }
        };
        Ok(Policy { name: None, version, id, statements, document: Arc::new(value) })
    }

    /// The same policy with a name, used in explanations (a policy name or ARN).
    #[must_use]
    pub fn named(mut self, name: impl Into<Arc<str>>) -> Policy {
        self.name = Some(name.into());
        self
    }

    /// The name given with [`Policy::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn name_arc(&self) -> Option<&Arc<str>> {
        self.name.as_ref()
    }

    /// The language version.
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// The `Id` element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// How many statements the policy has.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// The document as it was given.
    pub fn document(&self) -> &Value {
        &self.document
    }
}

fn parse_statement(
    value: &Value,
    index_in_policy: usize,
    path: &JsonPath,
    version: PolicyVersion,
) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(err(path, PolicyErrorKind::Expected("a statement object")));
    };
    for key in map.keys() {
        if !STATEMENT_FIELDS.contains(&key.as_str()) {
            return Err(unknown(path, key, &STATEMENT_FIELDS));
        }
    }
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(Arc::from(s.as_str())),
        Some(_) => return Err(err(&child(path, "Sid"), PolicyErrorKind::Expected("a string"))),
    };
    let effect = match map.get("Effect") {
        None => return Err(err(path, PolicyErrorKind::Missing("Effect"))),
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => return Err(err(&child(path, "Effect"), PolicyErrorKind::Effect(s.clone()))),
        Some(_) => return Err(err(&child(path, "Effect"), PolicyErrorKind::Expected("a string"))),
    };
    let principal = exclusive(map, path, "Principal", "NotPrincipal")?
        .map(|(negated, v, p)| parse_principal(v, &p, negated))
        .transpose()?;
    let actions = match exclusive(map, path, "Action", "NotAction")? {
        None => return Err(err(path, PolicyErrorKind::Missing("Action"))),
        Some((negated, v, p)) => {
            let texts = strings(v, &p, false)?;
            for (i, a) in texts.iter().enumerate() {
                let ok = a == "*" || a.split_once(':').is_some_and(|(svc, name)| !svc.is_empty() && !name.is_empty());
                if !ok {
                    let at = if v.is_array() { index(&p, i) } else { p.clone() };
                    return Err(err(&at, PolicyErrorKind::Action(a.clone())));
                }
            }
            ActionClause { negated, patterns: texts.iter().map(|a| ActionPattern::new(a)).collect() }
        }
    };
    let resources = exclusive(map, path, "Resource", "NotResource")?
        .map(|(negated, v, p)| -> Result<ResourceClause, PolicyError> {
            let entries = strings(v, &p, false)?
                .iter()
                .map(|r| {
                    let template = Template::parse_resource(r, version.has_variables());
                    match template.as_static() {
                        Some(s) => ResourceEntry::Static(Glob::resource(s)),
                        None => ResourceEntry::Dynamic(template),
                    }
                })
                .collect();
            Ok(ResourceClause { negated, entries })
        })
        .transpose()?;
    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(v) => parse_conditions(v, &child(path, "Condition"), version)?,
    };
    Ok(Statement { index: index_in_policy, path: path.clone(), sid, effect, principal, actions, resources, conditions })
}

/// One of two mutually exclusive elements: `(negated, value, path)`.
fn exclusive<'a>(
    map: &'a Map<String, Value>,
    path: &JsonPath,
    positive: &'static str,
    negative: &'static str,
) -> Result<Option<(bool, &'a Value, JsonPath)>, PolicyError> {
    match (map.get(positive), map.get(negative)) {
        (Some(_), Some(_)) => Err(err(path, PolicyErrorKind::Exclusive(positive, negative))),
        (Some(v), None) => Ok(Some((false, v, child(path, positive)))),
        (None, Some(v)) => Ok(Some((true, v, child(path, negative)))),
        (None, None) => Ok(None),
    }
}

fn parse_conditions(value: &Value, path: &JsonPath, version: PolicyVersion) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = value else {
        return Err(err(path, PolicyErrorKind::Expected("an object of condition operators")));
    };
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op_path = child(path, op_name);
        let operator: ConditionOperator = op_name.parse().map_err(|e: UnknownOperator| err(&op_path, e.into()))?;
        let Value::Object(keys) = keys else {
            return Err(err(&op_path, PolicyErrorKind::Expected("an object of condition keys")));
        };
        if keys.is_empty() {
            return Err(err(&op_path, PolicyErrorKind::Empty));
        }
        for (key, values) in keys {
            let key_path = child(&op_path, key);
            let values = strings(values, &key_path, true)?;
            out.push(Condition::new(operator, key, values, version.has_variables()));
        }
    }
    Ok(out)
}

fn parse_principal(value: &Value, path: &JsonPath, negated: bool) -> Result<PrincipalClause, PolicyError> {
    let mut clause = PrincipalClause { negated, ..PrincipalClause::default() };
    match value {
        Value::String(s) if s == "*" => clause.everyone = true,
        Value::String(s) => return Err(err(path, PolicyErrorKind::Principal(s.clone()))),
        Value::Object(kinds) => {
            if kinds.is_empty() {
                return Err(err(path, PolicyErrorKind::Empty));
            }
            for (kind, entries) in kinds {
                let kind_path = child(path, kind);
                let list = strings(entries, &kind_path, false)?;
                match kind.as_str() {
                    "AWS" => {
                        for (i, entry) in list.iter().enumerate() {
                            if entry == "*" {
                                clause.everyone = true;
                                continue;
                            }
                            let at = if entries.is_array() { index(&kind_path, i) } else { kind_path.clone() };
                            clause.aws.push(
                                parse_aws_entry(entry)
                                    .ok_or_else(|| err(&at, PolicyErrorKind::Principal(entry.clone())))?,
                            );
                        }
                    }
                    "Service" => clause.services.extend(list.iter().map(|s| Box::from(s.as_str()))),
                    "Federated" => clause.federated.extend(list.iter().map(|s| Box::from(s.as_str()))),
                    "CanonicalUser" => clause.canonical_users.extend(list.iter().map(|s| Box::from(s.as_str()))),
                    other => return Err(unknown(path, other, &["AWS", "Service", "Federated", "CanonicalUser"])),
                }
            }
        }
        _ => return Err(err(path, PolicyErrorKind::Expected("`*` or an object of principal types"))),
    }
    Ok(clause)
}

/// An `AWS` principal entry: an account id or the ARN of a root, user, role, role session or
/// federated user (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
pub(crate) fn parse_aws_entry(text: &str) -> Option<AwsEntry> {
    if let Ok(account) = AccountId::new(text) {
        return Some(AwsEntry::Account(account));
    }
    if is_unique_id(text) {
        return Some(AwsEntry::UniqueId(text.into()));
    }
    let arn = Arn::parse(text).ok()?;
    AccountId::new(arn.account()).ok()?;
    let res = arn.resource();
    match arn.service() {
        "iam" if res == "root" => AccountId::new(arn.account()).ok().map(AwsEntry::Account),
        "iam" if res.starts_with("user/") => Some(AwsEntry::User(arn)),
        "iam" if res.starts_with("role/") => Some(AwsEntry::Role(arn)),
        "sts" if res.starts_with("assumed-role/") && res.matches('/').count() >= 2 => Some(AwsEntry::Session(arn)),
        "sts" if res.starts_with("federated-user/") => Some(AwsEntry::FederatedUser(arn)),
        _ => None,
    }
}

/// An IAM unique id: `A` and three capitals naming the kind (`AIDA`, `AROA`, …), then at least
/// 12 capitals or digits.
fn is_unique_id(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 16
        && b.first() == Some(&b'A')
        && b.iter().take(4).all(u8::is_ascii_uppercase)
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// One principal entry of a policy document, where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrincipalEntry {
    /// The path of the entry (`Statement[0].Principal.AWS[1]`).
    pub(crate) path: JsonPath,
    /// `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub(crate) kind: String,
    /// The entry as written.
    pub(crate) text: String,
}

impl Policy {
    /// Every entry of every `Principal` and `NotPrincipal` element, with its path (`"*"` alone
    /// is left out: it names no one in particular).
    pub(crate) fn principal_entries(&self) -> Vec<PrincipalEntry> {
        let mut out = Vec::new();
        let root = JsonPath::root().key("Statement");
        let statements: Vec<(JsonPath, &Value)> = match self.document.get("Statement") {
            Some(Value::Array(items)) => items.iter().enumerate().map(|(i, v)| (root.index(i), v)).collect(),
            Some(v @ Value::Object(_)) => vec![(root.clone(), v)],
            _ => Vec::new(),
        };
        for (st_path, st) in statements {
            for element in ["Principal", "NotPrincipal"] {
                let Some(Value::Object(kinds)) = st.get(element) else { continue };
                for (kind, entries) in kinds {
                    let kind_path = st_path.key(element).key(kind);
                    match entries {
                        Value::String(text) => {
                            out.push(PrincipalEntry { path: kind_path, kind: kind.clone(), text: text.clone() })
                        }
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                if let Value::String(text) = item {
                                    out.push(PrincipalEntry {
                                        path: kind_path.index(i),
                                        kind: kind.clone(),
                                        text: text.clone(),
                                    });
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        out.retain(|e| e.text != "*");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(json: &str) -> String {
        Policy::parse(json).unwrap_err().to_string()
    }

    #[test]
    fn precise_errors_name_the_path() {
        assert_eq!(parse_err("[]"), "expected a JSON object");
        assert_eq!(parse_err(r#"{"Version":"2012-10-17"}"#), "missing required field `Statement`");
        assert_eq!(parse_err(r#"{"Statement":[{"Action":"s3:*"}]}"#), "Statement[0]: missing required field `Effect`");
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"allow","Action":"s3:*"}]}"#),
            "Statement[0].Effect: `allow` is not a valid effect: expected `Allow` or `Deny`"
        );
        assert_eq!(
            parse_err(r#"{"Statement":{"Effect":"Allow","Actions":"s3:*"}}"#),
            "Statement.Actions: unknown field `Actions`, did you mean `Action`?"
        );
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","GetObject"]}]}"#),
            "Statement[0].Action[1]: `GetObject` is not an action: actions must be prefaced by a service, for example `s3:GetObject`"
        );
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:x"}]}"#),
            "Statement[0]: `Action` and `NotAction` cannot both be present"
        );
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{"AWS":"alice"}}]}"#),
            "Statement[0].Principal.AWS: invalid principal in policy: `alice`"
        );
        assert_eq!(
            parse_err(r#"{"Version":"2012-10-18","Statement":[]}"#),
            "Version: `2012-10-18` is not a policy version: expected `2012-10-17` or `2008-10-17`"
        );
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEqual":{"a":"b"}}}]}"#),
            "Statement[0].Condition.StringEqual: unknown condition operator `StringEqual`, did you mean `StringEquals`?"
        );
        assert!(parse_err("{").starts_with("not valid JSON: "));
        assert_eq!(
            parse_err(r#"{"Statement":[{"Effect":"Allow","Action":[]}]}"#),
            "Statement[0].Action: must not be empty"
        );
    }

    #[test]
    fn principals_of_every_form() {
        let p = Policy::parse(
            r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{
                "AWS":["111122223333","arn:aws:iam::444455556666:root","arn:aws:iam::111122223333:user/a",
                       "arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s","*"],
                "Service":"ec2.amazonaws.com","Federated":"cognito-identity.amazonaws.com"}}}"#,
        )
        .unwrap();
        let clause = p.statements[0].principal.as_ref().unwrap();
        assert!(clause.everyone);
        assert_eq!(clause.aws.len(), 5);
        assert!(matches!(&clause.aws[1], AwsEntry::Account(a) if a.as_str() == "444455556666"));
        assert_eq!(&*clause.services[0], "ec2.amazonaws.com");
    }

    #[test]
    fn scalars_in_conditions_are_text() {
        let p = Policy::parse(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}}"#,
        )
        .unwrap();
        let raw: Vec<_> = p.statements[0].conditions.iter().map(|c| c.raw_values[0].clone()).collect();
        assert_eq!(raw, ["false", "10"]);
    }
}
