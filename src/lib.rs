//! iamsim: prove your application's AWS permissions in `cargo test`.
//!
//! This crate is being built in layers (see `ARCHITECTURE.md`). The foundation is the policy
//! engine: [`evaluate`] decides an [`AuthzRequest`] against a [`PolicySet`] exactly as AWS's
//! documented evaluation logic does, and explains the [`Decision`].
//!
//! ```
//! use iamsim::{evaluate, AuthzRequest, Outcome, Policy, PolicySet};
//!
//! let read_photos = Policy::parse(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]
//! }"#)?;
//! let policies = PolicySet::new().identity(read_photos.named("ReadPhotos"));
//!
//! let get = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::photos/a.jpg")?;
//! assert_eq!(evaluate(&get, &policies).outcome(), Outcome::Allow);
//!
//! let delete = AuthzRequest::parse("arn:aws:iam::111122223333:user/alice", "s3:DeleteObject", "arn:aws:s3:::photos/a.jpg")?;
//! let decision = evaluate(&delete, &policies);
//! assert_eq!(decision.outcome(), Outcome::ImplicitDeny);
//! assert!(decision.to_string().ends_with("because no identity-based policy allows the s3:DeleteObject action"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod arn;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod containers;
mod dates;
pub mod diff;
pub mod fixtures;
#[cfg(feature = "wiremock")]
pub mod guard;
pub mod harness;
pub mod idp;
pub mod imds;
pub mod live;
pub mod model;
pub mod path;
pub mod policy;
pub mod s3;
pub mod sts;
pub mod testing;
mod text;
pub mod transport;
pub mod vectors;
// The `*`/`?` matcher, at the bottom of the layers: ARNs, the catalog and the policy language
// all match with it, and it imports nothing of theirs.
pub(crate) mod wildcard;
pub mod wire;
pub mod xml;

pub use arn::Arn;
pub use clock::Clock;
pub use harness::{World, WorldError};
pub use policy::{
    AccountId, Action, AuthzRequest, Context, Decision, Outcome, Policy, PolicySet, Principal, Resource, Tags, evaluate,
};

/// The README's examples are compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
