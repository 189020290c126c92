//! A fake OpenID Connect issuer: it signs RS256 JWTs for a world's web identities (GitHub
//! Actions, EKS service accounts, Cognito identity pools, …) and verifies them the way STS's
//! `AssumeRoleWithWebIdentity` does.
//!
//! The compact JWS is written here over the `rsa` crate (RS256 = RSASSA-PKCS1-v1_5 with
//! SHA-256, RFC 7518 §3.3) rather than with a JWT crate: `jsonwebtoken`'s pure-Rust backend
//! (`rust_crypto`) also compiles ed25519, P-256 and P-384, and its default backend is aws-lc, a
//! second crypto stack in C. Only one algorithm is needed, and a token is three base64url parts,
//! so the hand-written encoder and verifier are small and the verifier accepts RS256 alone (an
//! `alg: none` or HS256 token is refused before any key is looked at).
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use iamsim::idp::{OidcIssuer, TokenClaims};
//!
//! let github = OidcIssuer::new("https://token.actions.githubusercontent.com", 7);
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let token = github.issue(&TokenClaims::github_actions("octo-org/octo-repo", "refs/heads/main", now));
//!
//! let verified = github.verify(&token, &["sts.amazonaws.com".to_string()], now)?;
//! assert_eq!(verified.subject, "repo:octo-org/octo-repo:ref:refs/heads/main");
//! assert_eq!(verified.audience, "sts.amazonaws.com");
//!
//! // Ten minutes later the token has expired, as STS would answer.
//! let err = github.verify(&token, &["sts.amazonaws.com".to_string()], now + Duration::from_secs(600)).unwrap_err();
//! assert_eq!(err.aws_code(), "ExpiredTokenException");
//! # Ok::<(), iamsim::idp::TokenError>(())
//! ```

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::keys::OIDC_KEY;
use super::unix_seconds;

/// The issuer of GitHub Actions' OIDC tokens
/// (<https://docs.github.com/en/actions/reference/security/oidc>).
///
/// ```
/// let github = iamsim::idp::OidcIssuer::new(iamsim::idp::GITHUB_ACTIONS_ISSUER, 0);
/// assert_eq!(github.provider_name(), "token.actions.githubusercontent.com");
/// ```
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The issuer of Amazon Cognito identity pools' OpenID tokens
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html>).
///
/// ```
/// assert_eq!(iamsim::idp::OidcIssuer::new(iamsim::idp::COGNITO_IDENTITY_ISSUER, 0).url(), "https://cognito-identity.amazonaws.com");
/// ```
pub const COGNITO_IDENTITY_ISSUER: &str = "https://cognito-identity.amazonaws.com";

/// The audience AWS recommends for tokens exchanged with STS (GitHub Actions, EKS).
///
/// ```
/// use std::time::UNIX_EPOCH;
/// assert_eq!(iamsim::idp::TokenClaims::github_actions("o/r", "refs/heads/main", UNIX_EPOCH).audience, [iamsim::idp::STS_AUDIENCE]);
/// ```
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// The issuer URL of an EKS cluster's service-account tokens:
/// `https://oidc.eks.REGION.amazonaws.com/id/ID`
/// (<https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html>).
///
/// ```
/// assert_eq!(
///     iamsim::idp::eks_issuer("eu-west-1", "EXAMPLED539D4633E53DE1B71EXAMPLE"),
///     "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
/// );
/// ```
pub fn eks_issuer(region: &str, cluster_id: &str) -> String {
    format!("https://oidc.eks.{region}.amazonaws.com/id/{cluster_id}")
}

/// A fake OIDC issuer: its URL, and the key id its tokens carry.
///
/// Every issuer signs with the same published test key (see the module `idp`); the `kid` is
/// derived from the issuer URL and the world's seed, and [`OidcIssuer::verify`] requires it, so
/// a token of one world (or one issuer) is refused by another.
///
/// ```
/// use iamsim::idp::OidcIssuer;
/// let issuer = OidcIssuer::new("token.actions.githubusercontent.com", 7);
/// assert_eq!(issuer.url(), "https://token.actions.githubusercontent.com");
/// assert_eq!(issuer.provider_name(), "token.actions.githubusercontent.com");
/// assert_ne!(issuer.kid(), OidcIssuer::new("token.actions.githubusercontent.com", 8).kid());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcIssuer {
    url: String,
    kid: String,
}

/// The claims of a token to issue.
///
/// `extra` claims are written after the registered ones, so a test can override any of them (a
/// numeric `aud`, another `iss`); an empty `subject` or `audience` leaves that claim out.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iamsim::idp::TokenClaims;
/// let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let claims = TokenClaims::new("user-1", ["my-app"], now, Duration::from_secs(3600)).with_claim("email", "a@example.com");
/// assert_eq!(claims.expires_at, now + Duration::from_secs(3600));
/// assert_eq!(claims.extra["email"], "a@example.com");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TokenClaims {
    /// `sub`.
    pub subject: String,
    /// `aud`: written as a string when there is one, as an array otherwise.
    pub audience: Vec<String>,
    /// `iat` (and `nbf`).
    pub issued_at: SystemTime,
    /// `exp`.
    pub expires_at: SystemTime,
    /// Any other claim (`amr`, `repository`, `kubernetes.io`, …).
    pub extra: Map<String, Value>,
}

/// What [`OidcIssuer::verify`] established about a token.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iamsim::idp::{OidcIssuer, TokenClaims};
/// let eks = OidcIssuer::new(&iamsim::idp::eks_issuer("us-east-1", "ABC"), 1);
/// let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let token = eks.issue(&TokenClaims::eks_service_account("prod", "uploader", now));
/// let verified = eks.verify(&token, &["sts.amazonaws.com".into()], now)?;
/// assert_eq!(verified.issuer, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC");
/// assert_eq!(verified.subject, "system:serviceaccount:prod:uploader");
/// assert_eq!(verified.claims["kubernetes.io"]["namespace"], "prod");
/// # Ok::<(), iamsim::idp::TokenError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedToken {
    /// `iss`, as the token has it (with `https://`).
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// The one value of `aud` that matched the provider's client ids.
    pub audience: String,
    /// Every claim of the token, registered ones included.
    pub claims: Map<String, Value>,
}

/// Why a token was refused.
///
/// `Display` explains it in iamsim's words; [`TokenError::aws_code`] and
/// [`TokenError::aws_message`] give what STS answers.
///
/// ```
/// use iamsim::idp::TokenError;
/// let err = TokenError::AudienceRejected { audience: vec!["my-app".into()] };
/// assert_eq!(err.to_string(), "no audience of the token (`my-app`) is a client id of the provider");
/// assert_eq!(err.aws_code(), "InvalidIdentityToken");
/// assert_eq!(err.aws_message(), "Incorrect token audience");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a compact JWS of JSON objects, or a claim of the wrong type.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// The header names another algorithm than RS256 (`none`, `HS256`, …).
    #[error("the token is signed with `{alg}`, not RS256")]
    UnsupportedAlgorithm {
        /// The header's `alg`.
        alg: String,
    },
    /// The header's `kid` is not the issuer's key.
    #[error("the issuer has no key `{}`", kid.as_deref().unwrap_or("(none)"))]
    UnknownKey {
        /// The header's `kid`, if any.
        kid: Option<String>,
    },
    /// The signature does not verify with the issuer's key.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `iss` is not this issuer.
    #[error("the token is issued by `{actual}`, not `{expected}`")]
    WrongIssuer {
        /// This issuer's URL.
        expected: String,
        /// The token's `iss`.
        actual: String,
    },
    /// `exp` is not after the time of the request.
    #[error("the token expired at {expired_at} (epoch seconds), at or before {now}")]
    Expired {
        /// `exp`, in seconds since the epoch.
        expired_at: i64,
        /// The time of the request, in seconds since the epoch.
        now: i64,
    },
    /// `nbf` or `iat` is after the time of the request.
    #[error("the token is not valid before {not_before} (epoch seconds), after {now}")]
    NotYetValid {
        /// `nbf` (or `iat`), in seconds since the epoch.
        not_before: i64,
        /// The time of the request, in seconds since the epoch.
        now: i64,
    },
    /// No value of `aud` is one of the provider's client ids.
    #[error("no audience of the token (`{}`) is a client id of the provider", audience.join("`, `"))]
    AudienceRejected {
        /// The token's audiences.
        audience: Vec<String>,
    },
    /// A required claim (`iss`, `sub`, `aud`, `exp`) is missing.
    #[error("the token has no `{0}` claim")]
    MissingClaim(&'static str),
}

/// The message of STS's `InvalidIdentityToken` when nothing more precise is known: the
/// description AWS gives the error in the STS API model
/// (<https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html#API_AssumeRoleWithWebIdentity_Errors>).
const INVALID_IDENTITY_TOKEN: &str = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.";

impl TokenError {
    /// The error code STS answers `AssumeRoleWithWebIdentity` with.
    ///
    /// - `ExpiredTokenException` for an expired token (API reference, Errors);
    /// - `IDPRejectedClaim` for a token without a required claim: the API reference says this
    ///   code means "the claim is invalid"; no sample of AWS's answer to a token without `sub`
    ///   was found, so this is iamsim's reading;
    /// - `InvalidIdentityToken` for everything else, including a wrong audience: real STS answers
    ///   `InvalidIdentityToken: Incorrect token audience`
    ///   (<https://github.com/aws-actions/configure-aws-credentials/issues/775>,
    ///   <https://github.com/awslabs/amazon-eks-irsa-cfn/pull/18>).
    ///
    /// ```
    /// use iamsim::idp::TokenError;
    /// assert_eq!(TokenError::BadSignature.aws_code(), "InvalidIdentityToken");
    /// assert_eq!(TokenError::Expired { expired_at: 1, now: 2 }.aws_code(), "ExpiredTokenException");
    /// assert_eq!(TokenError::MissingClaim("sub").aws_code(), "IDPRejectedClaim");
    /// ```
    pub fn aws_code(&self) -> &'static str {
        match self {
            TokenError::Expired { .. } => "ExpiredTokenException",
            TokenError::MissingClaim(_) => "IDPRejectedClaim",
            _ => "InvalidIdentityToken",
        }
    }

    /// The message STS answers with, worded as AWS words it.
    ///
    /// - wrong issuer: `No OpenIDConnect provider found in your account for ISS`
    ///   (<https://github.com/aws-actions/configure-aws-credentials/issues/721>,
    ///   <https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/2315>);
    /// - unknown key: `Couldn't retrieve verification key from your identity provider,  please
    ///   reference AssumeRoleWithWebIdentity documentation for requirements` (two spaces, as AWS
    ///   sends it: <https://github.com/awslabs/aws-sdk-rust/issues/827>,
    ///   <https://github.com/aws/aws-sdk-js-v3/issues/3052>,
    ///   <https://repost.aws/knowledge-center/iam-sts-invalididentitytoken>);
    /// - expired: `Token expired: current date/time NOW must be before the expiration date/time EXP`
    ///   (<https://github.com/aws/aws-sdk-java-v2/issues/5709>);
    /// - wrong audience: `Incorrect token audience` (see [`TokenError::aws_code`]);
    /// - otherwise the error's description in the STS API reference (no sample of AWS's exact
    ///   words for a bad signature, an unsupported algorithm or a malformed token was found).
    ///
    /// ```
    /// use iamsim::idp::TokenError;
    /// let err = TokenError::Expired { expired_at: 1731095240, now: 1731098245 };
    /// assert_eq!(err.aws_message(), "Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240");
    /// ```
    pub fn aws_message(&self) -> String {
        match self {
            TokenError::WrongIssuer { actual, .. } => format!("No OpenIDConnect provider found in your account for {actual}"),
            TokenError::UnknownKey { .. } => "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements".to_string(),
            TokenError::Expired { expired_at, now } => {
                format!("Token expired: current date/time {now} must be before the expiration date/time {expired_at}")
            }
            TokenError::AudienceRejected { .. } => "Incorrect token audience".to_string(),
            TokenError::MissingClaim(_) => "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.".to_string(),
            _ => INVALID_IDENTITY_TOKEN.to_string(),
        }
    }
}

impl OidcIssuer {
    /// The issuer at `issuer_url` in the world of `seed`. `https://` is added when the URL has no
    /// scheme (IAM names OIDC providers without it).
    ///
    /// ```
    /// use iamsim::idp::OidcIssuer;
    /// let a = OidcIssuer::new("https://token.actions.githubusercontent.com", 1);
    /// assert_eq!(a, OidcIssuer::new("token.actions.githubusercontent.com", 1));
    /// assert_eq!(a.kid().len(), 22);
    /// ```
    pub fn new(issuer_url: &str, seed: u64) -> OidcIssuer {
        let url = if issuer_url.starts_with("https://") || issuer_url.starts_with("http://") {
            issuer_url.to_string()
        } else {
            format!("https://{issuer_url}")
        };
        let mut h = Sha256::new();
        h.update(seed.to_be_bytes());
        h.update(b"oidc-kid");
        h.update([0]);
        h.update(url.as_bytes());
        let digest = h.finalize();
        let kid = URL_SAFE_NO_PAD.encode(digest.get(..16).unwrap_or_default());
        OidcIssuer { url, kid }
    }

    /// The issuer URL, with its scheme: the `iss` of every token.
    ///
    /// ```
    /// assert_eq!(iamsim::idp::OidcIssuer::new("example.com/oidc", 0).url(), "https://example.com/oidc");
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL without its scheme: the name of the IAM OIDC provider
    /// (`arn:aws:iam::ACCOUNT:oidc-provider/NAME`) and the prefix of its condition keys
    /// (`NAME:sub`, `NAME:aud`).
    ///
    /// ```
    /// assert_eq!(iamsim::idp::OidcIssuer::new(iamsim::idp::COGNITO_IDENTITY_ISSUER, 0).provider_name(), "cognito-identity.amazonaws.com");
    /// ```
    pub fn provider_name(&self) -> &str {
        self.url.split_once("://").map_or(self.url.as_str(), |(_, rest)| rest)
    }

    /// The key id in the header of every token and in [`OidcIssuer::jwks`].
    ///
    /// ```
    /// let issuer = iamsim::idp::OidcIssuer::new("example.com", 0);
    /// assert_eq!(issuer.jwks()["keys"][0]["kid"], issuer.kid());
    /// ```
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact RS256 JWT with header `{"alg":"RS256","kid":KID,"typ":"JWT"}` and the claims
    /// `iss`, `sub`, `aud`, `iat`, `nbf` (= `iat`), `exp`, then `extra`. The same claims always
    /// give the same token (RSASSA-PKCS1-v1_5 is deterministic).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use iamsim::idp::{OidcIssuer, TokenClaims};
    /// let issuer = OidcIssuer::new("example.com", 0);
    /// let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    /// let claims = TokenClaims::new("alice", ["app"], now, Duration::from_secs(60));
    /// let token = issuer.issue(&claims);
    /// assert_eq!(token.split('.').count(), 3);
    /// assert_eq!(token, issuer.issue(&claims));
    /// assert_eq!(iamsim::idp::unverified_issuer(&token)?, "https://example.com");
    /// # Ok::<(), iamsim::idp::TokenError>(())
    /// ```
    pub fn issue(&self, claims: &TokenClaims) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let mut payload = Map::new();
        payload.insert("iss".into(), Value::String(self.url.clone()));
        if !claims.subject.is_empty() {
            payload.insert("sub".into(), Value::String(claims.subject.clone()));
        }
        match claims.audience.as_slice() {
            [] => {}
            [one] => {
                payload.insert("aud".into(), Value::String(one.clone()));
            }
            many => {
                payload.insert("aud".into(), Value::from(many.to_vec()));
            }
        }
        let iat = unix_seconds(claims.issued_at);
        payload.insert("iat".into(), Value::from(iat));
        payload.insert("nbf".into(), Value::from(iat));
        payload.insert("exp".into(), Value::from(unix_seconds(claims.expires_at)));
        for (key, value) in &claims.extra {
            payload.insert(key.clone(), value.clone());
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string())
        );
        let signature = OIDC_KEY.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The issuer's JSON Web Key Set, as served at `/.well-known/jwks`.
    ///
    /// ```
    /// let jwks = iamsim::idp::OidcIssuer::new("example.com", 0).jwks();
    /// assert_eq!(jwks["keys"][0]["kty"], "RSA");
    /// assert_eq!(jwks["keys"][0]["alg"], "RS256");
    /// assert_eq!(jwks["keys"][0]["e"], "AQAB");
    /// ```
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(OIDC_KEY.modulus()),
            "e": URL_SAFE_NO_PAD.encode(OIDC_KEY.exponent()),
        }]})
    }

    /// The issuer's discovery document, as served at `/.well-known/openid-configuration`
    /// (OpenID Connect Discovery 1.0 §3).
    ///
    /// ```
    /// let config = iamsim::idp::OidcIssuer::new("token.actions.githubusercontent.com", 0).openid_configuration();
    /// assert_eq!(config["issuer"], "https://token.actions.githubusercontent.com");
    /// assert_eq!(config["jwks_uri"], "https://token.actions.githubusercontent.com/.well-known/jwks");
    /// ```
    pub fn openid_configuration(&self) -> Value {
        json!({
            "issuer": self.url,
            "jwks_uri": format!("{}/.well-known/jwks", self.url.trim_end_matches('/')),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "amr"],
        })
    }

    /// Verifies `token` as STS's `AssumeRoleWithWebIdentity` does, at `now`, for a provider whose
    /// client ids (audiences) are `audiences`:
    ///
    /// 1. a compact JWS whose header says `RS256` (anything else, `none` and `HS256` included, is
    ///    refused);
    /// 2. `iss` is this issuer's URL (with `https://`);
    /// 3. the header's `kid` is this issuer's key, and the signature verifies with it;
    /// 4. `exp` is after `now`; `nbf` and `iat`, when present, are not after `now`;
    /// 5. `aud` (a string or an array of strings) holds one of `audiences`;
    /// 6. `sub` is present.
    ///
    /// Garbage input is an error, never a panic.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use iamsim::idp::{OidcIssuer, TokenClaims, TokenError};
    /// let issuer = OidcIssuer::new("example.com", 0);
    /// let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    /// let token = issuer.issue(&TokenClaims::new("alice", ["app"], now, Duration::from_secs(60)));
    /// assert!(issuer.verify(&token, &["app".into()], now).is_ok());
    /// assert!(matches!(issuer.verify(&token, &["other".into()], now), Err(TokenError::AudienceRejected { .. })));
    /// assert!(matches!(issuer.verify("not a token", &["app".into()], now), Err(TokenError::Malformed(_))));
    /// ```
    pub fn verify(&self, token: &str, audiences: &[String], now: SystemTime) -> Result<VerifiedToken, TokenError> {
        let parts = split_token(token)?;
        let header = decode_object(parts.header, "header")?;
        match header.get("alg") {
            Some(Value::String(alg)) if alg == "RS256" => {}
            Some(Value::String(alg)) => return Err(TokenError::UnsupportedAlgorithm { alg: alg.clone() }),
            Some(_) => return Err(TokenError::Malformed("`alg` is not a string".into())),
            None => return Err(TokenError::Malformed("the header has no `alg`".into())),
        }
        if header.contains_key("crit") {
            // RFC 7515 §4.1.11: a verifier must refuse extensions it does not understand.
            return Err(TokenError::Malformed("the header has `crit` extensions".into()));
        }
        let claims = decode_object(parts.payload, "payload")?;

        let issuer = string_claim(&claims, "iss")?.ok_or(TokenError::MissingClaim("iss"))?;
        if issuer != self.url {
            return Err(TokenError::WrongIssuer { expected: self.url.clone(), actual: issuer.to_string() });
        }

        let kid = match header.get("kid") {
            Some(Value::String(kid)) => Some(kid.as_str()),
            _ => None,
        };
        if kid != Some(self.kid.as_str()) {
            return Err(TokenError::UnknownKey { kid: kid.map(str::to_string) });
        }
        let signature = URL_SAFE_NO_PAD.decode(parts.signature).map_err(|_| TokenError::BadSignature)?;
        if !OIDC_KEY.verify(parts.signing_input.as_bytes(), &signature) {
            return Err(TokenError::BadSignature);
        }

        let now = unix_seconds(now);
        let expired_at = numeric_claim(&claims, "exp")?.ok_or(TokenError::MissingClaim("exp"))?;
        if now >= expired_at {
            return Err(TokenError::Expired { expired_at, now });
        }
        for name in ["nbf", "iat"] {
            if let Some(not_before) = numeric_claim(&claims, name)?
                && not_before > now
            {
                return Err(TokenError::NotYetValid { not_before, now });
            }
        }

        let token_audiences = audience_claim(&claims)?;
        let audience = token_audiences
            .iter()
            .find(|aud| audiences.iter().any(|accepted| accepted == *aud))
            .cloned()
            .ok_or_else(|| TokenError::AudienceRejected { audience: token_audiences.clone() })?;

        let subject = match string_claim(&claims, "sub")? {
            Some(sub) if !sub.is_empty() => sub.to_string(),
            _ => return Err(TokenError::MissingClaim("sub")),
        };
        Ok(VerifiedToken { issuer: issuer.to_string(), subject, audience, claims })
    }
}

/// The `iss` a token claims, without verifying anything: how STS finds the identity provider a
/// token says it comes from, before verifying the token with that provider's keys.
///
/// ```
/// use iamsim::idp::{unverified_issuer, TokenError};
/// // {"alg":"none"} . {"iss":"https://example.com"} .
/// assert_eq!(unverified_issuer("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.")?, "https://example.com");
/// assert!(matches!(unverified_issuer("garbage"), Err(TokenError::Malformed(_))));
/// # Ok::<(), TokenError>(())
/// ```
pub fn unverified_issuer(token: &str) -> Result<String, TokenError> {
    let parts = split_token(token)?;
    let claims = decode_object(parts.payload, "payload")?;
    string_claim(&claims, "iss")?.map(str::to_string).ok_or(TokenError::MissingClaim("iss"))
}

impl TokenClaims {
    /// Claims for `subject` and `audience`, issued at `issued_at` and valid for `lifetime`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let claims = iamsim::idp::TokenClaims::new("bob", ["a", "b"], UNIX_EPOCH, Duration::from_secs(5));
    /// assert_eq!(claims.audience, ["a", "b"]);
    /// assert!(claims.extra.is_empty());
    /// ```
    pub fn new<A: Into<String>>(
        subject: &str,
        audience: impl IntoIterator<Item = A>,
        issued_at: SystemTime,
        lifetime: Duration,
    ) -> TokenClaims {
        TokenClaims {
            subject: subject.to_string(),
            audience: audience.into_iter().map(Into::into).collect(),
            issued_at,
            expires_at: issued_at + lifetime,
            extra: Map::new(),
        }
    }

    /// The same claims with one more (or a replaced) claim.
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// let claims = iamsim::idp::TokenClaims::new("bob", ["a"], UNIX_EPOCH, Default::default())
    ///     .with_claim("amr", serde_json::json!(["authenticated"]));
    /// assert_eq!(claims.extra["amr"][0], "authenticated");
    /// ```
    pub fn with_claim(mut self, name: &str, value: impl Into<Value>) -> TokenClaims {
        self.extra.insert(name.to_string(), value.into());
        self
    }

    /// A GitHub Actions job token for `repository` (`OWNER/REPO`) at `git_ref`
    /// (`refs/heads/main`): `sub` `repo:OWNER/REPO:ref:REF`, `aud` `sts.amazonaws.com` (what
    /// `aws-actions/configure-aws-credentials` requests), valid for 5 minutes, with the claims
    /// `repository`, `repository_owner`, `ref`, `ref_type`, `event_name`, `workflow`,
    /// `runner_environment` (<https://docs.github.com/en/actions/reference/security/oidc>).
    /// Issue it with an [`OidcIssuer`] at [`GITHUB_ACTIONS_ISSUER`].
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// let claims = iamsim::idp::TokenClaims::github_actions("octo-org/octo-repo", "refs/tags/v1", UNIX_EPOCH);
    /// assert_eq!(claims.subject, "repo:octo-org/octo-repo:ref:refs/tags/v1");
    /// assert_eq!(claims.extra["ref_type"], "tag");
    /// assert_eq!(claims.extra["repository_owner"], "octo-org");
    /// ```
    pub fn github_actions(repository: &str, git_ref: &str, issued_at: SystemTime) -> TokenClaims {
        let owner = repository.split_once('/').map_or(repository, |(owner, _)| owner);
        let ref_type = if git_ref.starts_with("refs/tags/") { "tag" } else { "branch" };
        TokenClaims::new(
            &format!("repo:{repository}:ref:{git_ref}"),
            [STS_AUDIENCE],
            issued_at,
            Duration::from_secs(300),
        )
        .with_claim("repository", repository)
        .with_claim("repository_owner", owner)
        .with_claim("ref", git_ref)
        .with_claim("ref_type", ref_type)
        .with_claim("event_name", "push")
        .with_claim("workflow", "ci")
        .with_claim("runner_environment", "github-hosted")
    }

    /// An EKS projected service-account token (IRSA) for `namespace`/`service_account`: `sub`
    /// `system:serviceaccount:NS:SA`, `aud` `sts.amazonaws.com`, valid for 24 hours (the
    /// webhook's default), with the `kubernetes.io` claim. Issue it with an [`OidcIssuer`] at
    /// [`eks_issuer`]
    /// (<https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html>).
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// let claims = iamsim::idp::TokenClaims::eks_service_account("kube-system", "aws-node", UNIX_EPOCH);
    /// assert_eq!(claims.subject, "system:serviceaccount:kube-system:aws-node");
    /// assert_eq!(claims.extra["kubernetes.io"]["serviceaccount"]["name"], "aws-node");
    /// ```
    pub fn eks_service_account(namespace: &str, service_account: &str, issued_at: SystemTime) -> TokenClaims {
        TokenClaims::new(
            &format!("system:serviceaccount:{namespace}:{service_account}"),
            [STS_AUDIENCE],
            issued_at,
            Duration::from_secs(86_400),
        )
        .with_claim("kubernetes.io", json!({"namespace": namespace, "serviceaccount": {"name": service_account}}))
    }

    /// A Cognito identity pool's OpenID token for `identity_id` (`REGION:UUID`): `aud` is the
    /// pool id, `amr` lists how the identity signed in (`["authenticated", "cognito-idp…", …]` or
    /// `["unauthenticated"]`), valid for 10 minutes. Issue it with an [`OidcIssuer`] at
    /// [`COGNITO_IDENTITY_ISSUER`]
    /// (<https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html>).
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// let claims = iamsim::idp::TokenClaims::cognito_identity(
    ///     "us-east-1:11111111-2222-3333-4444-555555555555",
    ///     "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    ///     &["authenticated", "graph.facebook.com"],
    ///     UNIX_EPOCH,
    /// );
    /// assert_eq!(claims.audience, ["us-east-1:11111111-2222-3333-4444-555555555555"]);
    /// assert_eq!(claims.extra["amr"][1], "graph.facebook.com");
    /// ```
    pub fn cognito_identity(pool_id: &str, identity_id: &str, amr: &[&str], issued_at: SystemTime) -> TokenClaims {
        TokenClaims::new(identity_id, [pool_id], issued_at, Duration::from_secs(600)).with_claim("amr", amr.to_vec())
    }
}

/// The three parts of a compact JWS, still encoded.
struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    signing_input: &'a str,
}

fn split_token(token: &str) -> Result<Parts<'_>, TokenError> {
    let mut pieces = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(TokenError::Malformed("a JWT has three parts separated by `.`".into()));
    };
    let signing_input = token.get(..header.len() + 1 + payload.len()).unwrap_or_default();
    Ok(Parts { header, payload, signature, signing_input })
}

fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes =
        URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed(format!("the {what} is not base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed(format!("the {what} is not a JSON object"))),
    }
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(TokenError::Malformed(format!("`{name}` is not a string"))),
    }
}

/// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional), rounded down.
fn numeric_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15) {
                // Bounded by the filter above, so the conversion is exact.
                Ok(Some(f.floor() as i64))
            } else {
                Err(TokenError::Malformed(format!("`{name}` is out of range")))
            }
        }
        Some(_) => Err(TokenError::Malformed(format!("`{name}` is not a number"))),
    }
}

fn audience_claim(claims: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    match claims.get("aud") {
        None => Err(TokenError::MissingClaim("aud")),
        Some(Value::String(aud)) => Ok(vec![aud.clone()]),
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .filter(|auds| !auds.is_empty())
            .ok_or_else(|| TokenError::Malformed("`aud` is not a string or a list of strings".into())),
        Some(_) => Err(TokenError::Malformed("`aud` is not a string or a list of strings".into())),
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    const NOW: u64 = 1_800_000_000;

    fn sts() -> Vec<String> {
        vec![STS_AUDIENCE.to_string()]
    }

    fn github() -> OidcIssuer {
        OidcIssuer::new(GITHUB_ACTIONS_ISSUER, 7)
    }

    fn github_token() -> String {
        github().issue(&TokenClaims::github_actions("octo-org/octo-repo", "refs/heads/main", at(NOW)))
    }

    /// Re-encodes a token with its payload changed by `edit`, keeping the original signature.
    fn with_payload(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let parts: Vec<&str> = token.split('.').collect();
        let mut payload = decode_object(parts[1], "payload").unwrap();
        edit(&mut payload);
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string());
        format!("{}.{payload}.{}", parts[0], parts[2])
    }

    fn with_header(token: &str, header: &Value) -> String {
        let parts: Vec<&str> = token.split('.').collect();
        format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), parts[1], parts[2])
    }

    #[test]
    fn a_github_actions_token_round_trips() {
        let verified = github().verify(&github_token(), &sts(), at(NOW)).unwrap();
        assert_eq!(verified.issuer, GITHUB_ACTIONS_ISSUER);
        assert_eq!(verified.subject, "repo:octo-org/octo-repo:ref:refs/heads/main");
        assert_eq!(verified.audience, STS_AUDIENCE);
        assert_eq!(verified.claims["repository"], "octo-org/octo-repo");
        assert_eq!(verified.claims["iat"], NOW);
        assert_eq!(verified.claims["exp"], NOW + 300);
    }

    #[test]
    fn the_header_names_rs256_the_type_and_the_key() {
        let token = github_token();
        let header = decode_object(token.split('.').next().unwrap(), "header").unwrap();
        assert_eq!(Value::Object(header), json!({"alg": "RS256", "typ": "JWT", "kid": github().kid()}));
    }

    #[test]
    fn eks_and_cognito_tokens_round_trip() {
        let eks = OidcIssuer::new(&eks_issuer("eu-west-1", "EXAMPLED539D4633E53DE1B71EXAMPLE"), 3);
        let token = eks.issue(&TokenClaims::eks_service_account("prod", "uploader", at(NOW)));
        let verified = eks.verify(&token, &sts(), at(NOW + 86_399)).unwrap();
        assert_eq!(verified.subject, "system:serviceaccount:prod:uploader");

        let cognito = OidcIssuer::new(COGNITO_IDENTITY_ISSUER, 3);
        let pool = "us-east-1:11111111-2222-3333-4444-555555555555";
        let claims = TokenClaims::cognito_identity(pool, "us-east-1:abc", &["authenticated", "cognito-idp"], at(NOW));
        let verified = cognito.verify(&cognito.issue(&claims), &["other".into(), pool.into()], at(NOW)).unwrap();
        assert_eq!(verified.audience, pool);
        assert_eq!(verified.claims["amr"], json!(["authenticated", "cognito-idp"]));
    }

    #[test]
    fn any_audience_of_an_array_may_match() {
        let issuer = OidcIssuer::new("example.com", 0);
        let token = issuer.issue(&TokenClaims::new("s", ["a", "b"], at(NOW), Duration::from_secs(60)));
        assert_eq!(issuer.verify(&token, &["b".into()], at(NOW)).unwrap().audience, "b");
        assert_eq!(
            issuer.verify(&token, &["c".into()], at(NOW)).unwrap_err(),
            TokenError::AudienceRejected { audience: vec!["a".into(), "b".into()] }
        );
        assert!(issuer.verify(&token, &[], at(NOW)).is_err());
    }

    #[test]
    fn a_changed_claim_breaks_the_signature() {
        let token = github_token();
        let forged = with_payload(&token, |p| {
            p.insert("sub".into(), "repo:evil/repo:ref:refs/heads/main".into());
        });
        assert_eq!(github().verify(&forged, &sts(), at(NOW)), Err(TokenError::BadSignature));
        let forged = with_payload(&token, |p| {
            p.insert("exp".into(), (NOW + 10_000).into());
        });
        assert_eq!(github().verify(&forged, &sts(), at(NOW + 1000)), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_changed_signature_is_refused() {
        let token = github_token();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[100] ^= 1;
        let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert_eq!(github().verify(&forged, &sts(), at(NOW)), Err(TokenError::BadSignature));
        for bad in ["", "AAAA", "!!!!"] {
            assert_eq!(
                github().verify(&format!("{input}.{bad}"), &sts(), at(NOW)),
                Err(TokenError::BadSignature),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn alg_none_and_hs256_tokens_are_refused() {
        let token = github_token();
        let (input, _) = token.rsplit_once('.').unwrap();
        let (_, payload) = input.split_once('.').unwrap();
        let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(
            github().verify(&none, &sts(), at(NOW)),
            Err(TokenError::UnsupportedAlgorithm { alg: "none".into() })
        );
        // An HS256 token "signed" with the public modulus as the HMAC key: the classic confusion.
        let hs = with_header(&token, &json!({"alg": "HS256", "typ": "JWT", "kid": github().kid()}));
        let err = github().verify(&hs, &sts(), at(NOW)).unwrap_err();
        assert_eq!(err, TokenError::UnsupportedAlgorithm { alg: "HS256".into() });
        assert_eq!(err.aws_code(), "InvalidIdentityToken");
        let lowercase = with_header(&token, &json!({"alg": "rs256", "kid": github().kid()}));
        assert!(matches!(github().verify(&lowercase, &sts(), at(NOW)), Err(TokenError::UnsupportedAlgorithm { .. })));
    }

    #[test]
    fn a_crit_header_is_refused() {
        let token = with_header(&github_token(), &json!({"alg": "RS256", "kid": github().kid(), "crit": ["exp"]}));
        assert!(matches!(github().verify(&token, &sts(), at(NOW)), Err(TokenError::Malformed(_))));
    }

    #[test]
    fn a_token_of_another_world_or_issuer_is_refused() {
        let token = github_token();
        let other_world = OidcIssuer::new(GITHUB_ACTIONS_ISSUER, 8);
        let err = other_world.verify(&token, &sts(), at(NOW)).unwrap_err();
        assert_eq!(err, TokenError::UnknownKey { kid: Some(github().kid().to_string()) });
        assert!(
            err.aws_message().starts_with("Couldn't retrieve verification key from your identity provider,  please")
        );

        let other_issuer = OidcIssuer::new("example.com", 7);
        let err = other_issuer.verify(&token, &sts(), at(NOW)).unwrap_err();
        assert_eq!(
            err,
            TokenError::WrongIssuer { expected: "https://example.com".into(), actual: GITHUB_ACTIONS_ISSUER.into() }
        );
        assert_eq!(
            err.aws_message(),
            "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"
        );
    }

    #[test]
    fn a_token_expires_at_exp() {
        let token = github_token();
        assert!(github().verify(&token, &sts(), at(NOW + 299)).is_ok());
        let err = github().verify(&token, &sts(), at(NOW + 300)).unwrap_err();
        assert_eq!(err, TokenError::Expired { expired_at: (NOW + 300) as i64, now: (NOW + 300) as i64 });
        assert_eq!(err.aws_code(), "ExpiredTokenException");
        assert_eq!(
            err.aws_message(),
            "Token expired: current date/time 1800000300 must be before the expiration date/time 1800000300"
        );
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let err = github().verify(&github_token(), &sts(), at(NOW - 1)).unwrap_err();
        assert_eq!(err, TokenError::NotYetValid { not_before: NOW as i64, now: NOW as i64 - 1 });
        assert_eq!(err.aws_code(), "InvalidIdentityToken");
    }

    #[test]
    fn a_wrong_audience_is_refused_with_aws_words() {
        let err = github().verify(&github_token(), &["my-app".into()], at(NOW)).unwrap_err();
        assert_eq!(err, TokenError::AudienceRejected { audience: vec![STS_AUDIENCE.into()] });
        assert_eq!((err.aws_code(), err.aws_message().as_str()), ("InvalidIdentityToken", "Incorrect token audience"));
    }

    #[test]
    fn required_claims_must_be_present() {
        let issuer = OidcIssuer::new("example.com", 0);
        let no_sub = issuer.issue(&TokenClaims::new("", ["a"], at(NOW), Duration::from_secs(60)));
        assert_eq!(issuer.verify(&no_sub, &["a".into()], at(NOW)), Err(TokenError::MissingClaim("sub")));
        let no_aud = issuer.issue(&TokenClaims::new("s", Vec::<String>::new(), at(NOW), Duration::from_secs(60)));
        assert_eq!(issuer.verify(&no_aud, &["a".into()], at(NOW)), Err(TokenError::MissingClaim("aud")));
        let numeric_aud =
            issuer.issue(&TokenClaims::new("s", ["a"], at(NOW), Duration::from_secs(60)).with_claim("aud", 5));
        assert!(matches!(issuer.verify(&numeric_aud, &["a".into()], at(NOW)), Err(TokenError::Malformed(_))));
        let string_exp =
            issuer.issue(&TokenClaims::new("s", ["a"], at(NOW), Duration::from_secs(60)).with_claim("exp", "soon"));
        assert!(matches!(issuer.verify(&string_exp, &["a".into()], at(NOW)), Err(TokenError::Malformed(_))));
        let float_exp = issuer
            .issue(&TokenClaims::new("s", ["a"], at(NOW), Duration::from_secs(60)).with_claim("exp", NOW as f64 + 1.5));
        assert!(issuer.verify(&float_exp, &["a".into()], at(NOW)).is_ok());
        assert!(matches!(issuer.verify(&float_exp, &["a".into()], at(NOW + 1)), Err(TokenError::Expired { .. })));
    }

    #[test]
    fn unverified_issuer_reads_iss_only() {
        assert_eq!(unverified_issuer(&github_token()).unwrap(), GITHUB_ACTIONS_ISSUER);
        let no_iss = format!("e30.{}.", URL_SAFE_NO_PAD.encode("{}"));
        assert_eq!(unverified_issuer(&no_iss), Err(TokenError::MissingClaim("iss")));
        let numeric = format!("e30.{}.", URL_SAFE_NO_PAD.encode(r#"{"iss":1}"#));
        assert!(matches!(unverified_issuer(&numeric), Err(TokenError::Malformed(_))));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let issuer = github();
        for garbage in [
            "",
            ".",
            "..",
            "...",
            "a.b.c",
            "e30.e30.e30",
            "W10.W10.",
            "bnVsbA.bnVsbA.",
            "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIn0.",
            "\u{0}.\u{ffff}.é",
        ] {
            assert!(issuer.verify(garbage, &sts(), at(NOW)).is_err(), "{garbage:?}");
            let _ = unverified_issuer(garbage);
        }
    }

    #[test]
    fn the_jwks_publishes_the_signing_key() {
        let jwks = github().jwks();
        let n = URL_SAFE_NO_PAD.decode(jwks["keys"][0]["n"].as_str().unwrap()).unwrap();
        assert_eq!(n, OIDC_KEY.modulus());
        assert_eq!(jwks["keys"][0]["use"], "sig");
    }

    #[test]
    fn times_before_the_epoch_do_not_panic() {
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), -5);
        let issuer = OidcIssuer::new("example.com", 0);
        let token =
            issuer.issue(&TokenClaims::new("s", ["a"], UNIX_EPOCH - Duration::from_secs(100), Duration::from_secs(10)));
        assert!(matches!(issuer.verify(&token, &["a".into()], UNIX_EPOCH), Err(TokenError::Expired { .. })));
    }
}
