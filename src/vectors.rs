//! IAM decision test vectors in the `iam-eval-vectors/1` format: each vector is a request, the
//! policies in force and the decision AWS's documented logic gives. `iamsim vectors FILE…` runs
//! them; so does this module.
//!
//! ```
//! use iamsim::vectors::VectorFile;
//! let file = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{
//!   "id": "user-no-policy", "description": "d", "source": "s",
//!   "principal": {"arn": "arn:aws:iam::111122223333:user/alice"},
//!   "action": "s3:GetObject", "resource": "arn:aws:s3:::photos/a.jpg",
//!   "identity_policies": [], "resource_policy": null, "permissions_boundary": null,
//!   "session_policies": null, "scps": null, "rcps": null, "expect": "implicit_deny"}]}"#)?;
//! let results = file.run();
//! assert!(results[0].passed());
//! # Ok::<(), iamsim::vectors::VectorError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::policy::{AccountId, Action, AuthzRequest, Context, Policy, PolicySet, Principal, Resource, Tags, evaluate};

/// The only format this module reads.
pub const FORMAT: &str = "iam-eval-vectors/1";

/// Why a vector file could not be read.
///
/// ```
/// use iamsim::vectors::{VectorError, VectorFile};
///
/// let wrong = VectorFile::parse(r#"{"format": "iam-eval-vectors/2", "vectors": []}"#).unwrap_err();
/// assert!(matches!(wrong, VectorError::Format(ref f) if f == "iam-eval-vectors/2"));
/// let shape = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{"id": 7}]}"#).unwrap_err();
/// assert!(matches!(shape, VectorError::Shape { .. }), "{shape}");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// Not JSON of the expected shape; the path names where.
    #[error("{path}: {message}")]
    Shape {
        /// Where in the file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `format` other than `iam-eval-vectors/1`.
    #[error("format: `{0}` is not supported: expected `iam-eval-vectors/1`")]
    Format(String),
}

/// A whole vector file.
///
/// ```
/// use iamsim::vectors::VectorFile;
///
/// let file = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{
///   "id": "allow-get", "description": "an identity policy allows", "source": "s",
///   "principal": {"arn": "arn:aws:iam::111122223333:user/alice"},
///   "action": "s3:GetObject", "resource": "arn:aws:s3:::photos/a.jpg",
///   "identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
///   "resource_policy": null, "permissions_boundary": null,
///   "session_policies": null, "scps": null, "rcps": null, "expect": "allow"}]}"#)?;
/// assert_eq!(file.vectors.len(), 1);
/// assert!(file.run().iter().all(|r| r.passed()));
/// # Ok::<(), iamsim::vectors::VectorError>(())
/// ```
#[derive(Debug, Deserialize)]
pub struct VectorFile {
    format: String,
    /// The vectors, in file order.
    pub vectors: Vec<Vector>,
}

/// The principal of a vector.
///
/// ```
/// use iamsim::vectors::VectorFile;
///
/// // The principal's tags are what `aws:PrincipalTag/…` conditions see.
/// let file = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{
///   "id": "tagged", "description": "d", "source": "s",
///   "principal": {"arn": "arn:aws:iam::111122223333:user/alice", "tags": {"team": "web"}},
///   "action": "s3:GetObject", "resource": "arn:aws:s3:::photos/a.jpg",
///   "identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
///     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}]}],
///   "resource_policy": null, "permissions_boundary": null,
///   "session_policies": null, "scps": null, "rcps": null, "expect": "allow"}]}"#)?;
/// assert_eq!(file.vectors[0].principal.tags["team"], "web");
/// assert!(file.vectors[0].run().passed());
/// # Ok::<(), iamsim::vectors::VectorError>(())
/// ```
#[derive(Debug, Deserialize)]
pub struct VectorPrincipal {
    /// `anonymous` or the ARN of a user, role session or account root.
    pub arn: String,
    /// Tags of the user, or of the role and session.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// One vector.
///
/// ```
/// use iamsim::vectors::VectorFile;
///
/// // A permissions boundary that does not allow the action caps the identity policy.
/// let file = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{
///   "id": "boundary-caps", "description": "d", "source": "s",
///   "principal": {"arn": "arn:aws:iam::111122223333:user/alice"},
///   "action": "s3:PutObject", "resource": "arn:aws:s3:::photos/a.jpg",
///   "identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
///   "resource_policy": null,
///   "permissions_boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
///   "session_policies": null, "scps": null, "rcps": null, "expect": "implicit_deny"}]}"#)?;
/// let vector = &file.vectors[0];
/// assert_eq!(vector.action, "s3:PutObject");
/// let result = vector.run();
/// assert!(result.passed(), "{result}");
/// # Ok::<(), iamsim::vectors::VectorError>(())
/// ```
#[derive(Debug, Deserialize)]
pub struct Vector {
    /// Unique kebab-case id.
    pub id: String,
    /// The rule the vector checks.
    pub description: String,
    /// The AWS documentation page and section the rule comes from.
    pub source: String,
    /// Who makes the request.
    pub principal: VectorPrincipal,
    /// The action.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The account owning the resource, when it is not the principal's.
    #[serde(default)]
    pub resource_account: Option<String>,
    /// Request context keys, each with an array of values.
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    /// Identity-based policies.
    pub identity_policies: Vec<Value>,
    /// The resource's policy (bucket or trust policy).
    pub resource_policy: Option<Value>,
    /// The permissions boundary.
    pub permissions_boundary: Option<Value>,
    /// Session policies.
    pub session_policies: Option<Vec<Value>>,
    /// SCP levels for the principal's account.
    pub scps: Option<Vec<Vec<Value>>>,
    /// RCP levels for the resource's account.
    pub rcps: Option<Vec<Vec<Value>>>,
    /// `allow`, `explicit_deny` or `implicit_deny`.
    pub expect: String,
}

/// The result of running one vector.
///
/// ```
/// use iamsim::vectors::VectorFile;
///
/// // A vector that expects the wrong decision fails, and says why.
/// let file = VectorFile::parse(r#"{"format": "iam-eval-vectors/1", "vectors": [{
///   "id": "wrong-expectation", "description": "d", "source": "s",
///   "principal": {"arn": "arn:aws:iam::111122223333:user/alice"},
///   "action": "s3:GetObject", "resource": "arn:aws:s3:::photos/a.jpg",
///   "identity_policies": [], "resource_policy": null, "permissions_boundary": null,
///   "session_policies": null, "scps": null, "rcps": null, "expect": "allow"}]}"#)?;
/// let result = file.vectors[0].run();
/// assert!(!result.passed());
/// assert_eq!(result.actual.as_ref().map(|d| d.outcome()).ok(), Some(iamsim::Outcome::ImplicitDeny));
/// assert!(result.to_string().starts_with("FAIL wrong-expectation: expected allow, got implicit_deny"));
/// # Ok::<(), iamsim::vectors::VectorError>(())
/// ```
#[derive(Debug)]
pub struct VectorResult {
    /// The vector's id.
    pub id: String,
    /// The expected decision, as written.
    pub expected: String,
    /// The engine's decision, or why the vector could not be evaluated.
    pub actual: Result<crate::Decision, String>,
}

impl VectorResult {
    /// Whether the engine decided as expected.
    pub fn passed(&self) -> bool {
        matches!(&self.actual, Ok(d) if d.outcome().as_str() == self.expected)
    }
}

impl fmt::Display for VectorResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.actual {
            Ok(d) => write!(
                f,
                "FAIL {}: expected {}, got {}\n  {}\n  {}",
                self.id,
                self.expected,
                d.outcome(),
                d,
                d.explanation().replace('\n', "\n  ")
            ),
            Err(e) => write!(f, "FAIL {}: expected {}, got an error: {e}", self.id, self.expected),
        }
    }
}

impl VectorFile {
    /// Parses a vector file, rejecting any format but `iam-eval-vectors/1`.
    pub fn parse(json: &str) -> Result<VectorFile, VectorError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let file: VectorFile = serde_path_to_error::deserialize(de)
            .map_err(|e| VectorError::Shape { path: e.path().to_string(), message: e.inner().to_string() })?;
        if file.format != FORMAT {
            return Err(VectorError::Format(file.format));
        }
        Ok(file)
    }

    /// Runs every vector.
    pub fn run(&self) -> Vec<VectorResult> {
        self.vectors.iter().map(Vector::run).collect()
    }
}

impl Vector {
    /// Evaluates the vector's request against its policies.
    pub fn run(&self) -> VectorResult {
        VectorResult { id: self.id.clone(), expected: self.expect.clone(), actual: self.decide() }
    }

    fn decide(&self) -> Result<crate::Decision, String> {
        let tags: Tags = self.principal.tags.iter().collect();
        let principal = Principal::parse(&self.principal.arn).map_err(|e| format!("principal: {e}"))?.with_tags(tags);
        let action = Action::new(&self.action).map_err(|e| format!("action: {e}"))?;
        let resource = Resource::parse(&self.resource).map_err(|e| format!("resource: {e}"))?;
        let mut context = Context::new();
        for (k, v) in &self.context {
            context.set(k, v.iter().cloned());
        }
        let mut request = AuthzRequest::new(principal, action, resource).with_context(context);
        if let Some(acct) = &self.resource_account {
            request =
                request.with_resource_account(AccountId::new(acct).map_err(|e| format!("resource_account: {e}"))?);
        }
        // A policy is reported by its `Id` when it has one, else by where it is in the vector.
        let policy = |v: &Value, path: String| {
            Policy::from_value(v.clone())
                .map(|p| {
                    let name = p.id().map_or_else(|| path.clone(), str::to_owned);
                    p.named(name)
                })
                .map_err(|e| format!("{path}: {e}"))
        };
        let mut set = PolicySet::new();
        for (i, p) in self.identity_policies.iter().enumerate() {
            set = set.identity(policy(p, format!("identity_policies[{i}]"))?);
        }
        if let Some(p) = &self.resource_policy {
            set = set.resource_policy(policy(p, "resource_policy".into())?);
        }
        if let Some(p) = &self.permissions_boundary {
            set = set.boundary(policy(p, "permissions_boundary".into())?);
        }
        for (i, p) in self.session_policies.iter().flatten().enumerate() {
            set = set.session_policy(policy(p, format!("session_policies[{i}]"))?);
        }
        for (l, level) in self.scps.iter().flatten().enumerate() {
            let level = level
                .iter()
                .enumerate()
                .map(|(i, p)| policy(p, format!("scps[{l}][{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            set = set.scp_level(level);
        }
        for (l, level) in self.rcps.iter().flatten().enumerate() {
            let level = level
                .iter()
                .enumerate()
                .map(|(i, p)| policy(p, format!("rcps[{l}][{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            set = set.rcp_level(level);
        }
        if !matches!(self.expect.as_str(), "allow" | "explicit_deny" | "implicit_deny") {
            return Err(format!("expect: `{}` is not a decision", self.expect));
        }
        Ok(evaluate(&request, &set))
    }
}
