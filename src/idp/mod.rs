//! The identity providers a world runs: a virtual MFA device ([`Totp`]), fake OIDC issuers
//! ([`OidcIssuer`]) and SAML identity providers ([`SamlIdp`]), each with the verification STS
//! performs on what they issue. STS answers a refusal with each error's `aws_code()` and
//! `aws_message()`.
//!
//! Everything here is pure: times are passed in (the world's clock), never read, and the same
//! seed gives the same secrets, key ids, tokens and assertions.
//!
//! The signing keys are fixed, published test keys (`src/idp/keys/`, parsed once per process):
//! anyone can forge a token with them, so they must never protect anything real. Issuers and IdPs
//! of different worlds are told apart by a key id (`kid`, `ds:KeyName`) derived from their name
//! and the world's seed.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use iamsim::idp::{AssertionSpec, OidcIssuer, SamlIdp, TokenClaims, Totp};
//!
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // the world's clock
//! let seed = 42; // the world's seed
//!
//! // MFA: the code a person would type, and STS's check of it.
//! let mfa = Totp::from_seed(seed, "111111111111/alice");
//! assert!(mfa.verify(&mfa.code_at(now), now));
//!
//! // Web identity: a GitHub Actions token for AssumeRoleWithWebIdentity.
//! let github = OidcIssuer::new("https://token.actions.githubusercontent.com", seed);
//! let token = github.issue(&TokenClaims::github_actions("octo-org/app", "refs/heads/main", now));
//! assert_eq!(iamsim::idp::unverified_issuer(&token)?, github.url());
//! let web = github.verify(&token, &["sts.amazonaws.com".to_string()], now)?;
//! assert_eq!(web.subject, "repo:octo-org/app:ref:refs/heads/main");
//!
//! // SAML: a signed response for AssumeRoleWithSAML.
//! let idp = SamlIdp::new("https://idp.example.com/saml", seed);
//! let (role, provider) = ("arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:saml-provider/Example");
//! let response = idp.issue(&AssertionSpec::new("alice", role, provider, "alice", now));
//! let saml = idp.verify(&response, role, provider, now)?;
//! assert_eq!(saml.session_name, "alice");
//! assert_eq!(iamsim::idp::name_qualifier(&saml.issuer, "111111111111", "Example").len(), 28);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod keys;
pub mod oidc;
pub mod saml;
pub mod totp;

pub use oidc::{
    COGNITO_IDENTITY_ISSUER, GITHUB_ACTIONS_ISSUER, OidcIssuer, STS_AUDIENCE, TokenClaims, TokenError, VerifiedToken,
    eks_issuer, unverified_issuer,
};
pub use saml::{AssertionSpec, SamlError, SamlIdp, VerifiedAssertion, name_qualifier};
pub use totp::{Totp, TotpError};

/// Seconds since the epoch of `t` (negative before it), saturating.
pub(crate) fn unix_seconds(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
