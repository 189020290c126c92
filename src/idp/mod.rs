//! The identity providers a world runs: a virtual MFA device ([`Totp`]), fake OIDC issuers
//! ([`OidcIssuer`]) and SAML identity providers ([`SamlIdp`]), each with the verification STS
//! performs on what they issue.
//!
//! Everything here is pure: times are passed in (the world's clock), never read, and the same
//! seed gives the same secrets, key ids, tokens and assertions.
//!
//! The signing keys are fixed, published test keys (`src/idp/keys/`): anyone can forge a token
//! with them, so they must never protect anything real.

mod keys;
pub mod oidc;
pub mod saml;
pub mod totp;

pub use oidc::{
    COGNITO_IDENTITY_ISSUER, GITHUB_ACTIONS_ISSUER, OidcIssuer, STS_AUDIENCE, TokenClaims, TokenError, VerifiedToken, eks_issuer,
    unverified_issuer,
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
