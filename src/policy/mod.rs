//! The IAM policy language and AWS's decision algorithm, pure and synchronous.
//!
//! The pipeline: JSON text → [`Policy`] (parsed and compiled once: patterns, typed condition
//! values, variable templates) → [`evaluate`] over an [`AuthzRequest`] and a [`PolicySet`] →
//! [`Decision`] with its reasons. Nothing here does I/O or reads the clock; every later part of
//! iamsim (STS trust checks, the S3 authorizer, assertions, least privilege) calls [`evaluate`]
//! and never re-implements a rule.
//!
//! ```
//! use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
//!
//! let identity = Policy::parse(r#"{"Version":"2012-10-17","Statement":[
//!     {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]},
//!     {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#)?;
//! let set = PolicySet::new().identity(identity.named("PhotosNoDelete"));
//! let delete = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:DeleteObject", "arn:aws:s3:::photos/a.jpg")?;
//! let decision = evaluate(&delete, &set);
//! assert_eq!(decision.outcome(), Outcome::ExplicitDeny);
//! assert!(decision.to_string().ends_with("with an explicit deny in an identity-based policy"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod action;
pub(crate) mod condition;
pub(crate) mod context;
pub(crate) mod decision;
pub(crate) mod document;
pub(crate) mod evaluate;
pub(crate) mod principal;
pub(crate) mod public;
pub(crate) mod validate;
pub(crate) mod variables;

pub use action::{Action, ActionError};
pub use condition::{BaseOperator, ConditionOperator, SetQualifier, UnknownOperator};
pub use context::Context;
pub use decision::{Cause, Decision, Outcome, PolicyType, Reason};
pub use document::{Effect, Policy, PolicyError, PolicyErrorKind, PolicyVersion};
pub use evaluate::{AuthzRequest, PolicySet, RequestError, Resource, evaluate, permission_not_required};
pub use principal::{
    AccountId, FederatedUserPrincipal, Principal, PrincipalError, RoleSessionPrincipal, RootPrincipal,
    ServicePrincipal, Tags, UserPrincipal, WebIdentityPrincipal,
};
pub use validate::{Finding, PolicyKind, Severity};
