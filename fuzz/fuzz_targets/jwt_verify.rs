//! Any bytes as a web identity token and as a SAML response: the JWT reader, the RS256
//! verification and claim checks of an OIDC issuer, the unverified-issuer peek that routes a
//! token to its provider, and the SAML response verifier. Errors map to AWS's code and message.
//! Nothing may panic.

#![no_main]

use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

use iamsim::idp::{OidcIssuer, SamlIdp, oidc};
use libfuzzer_sys::fuzz_target;

static ISSUER: LazyLock<OidcIssuer> = LazyLock::new(|| OidcIssuer::new(oidc::GITHUB_ACTIONS_ISSUER, 0));
static SAML: LazyLock<SamlIdp> = LazyLock::new(|| SamlIdp::new("https://idp.example.com/saml", 0));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = UNIX_EPOCH + Duration::from_secs(1_778_998_000);
    let _ = oidc::unverified_issuer(text);
    if let Err(error) = ISSUER.verify(text, &[oidc::STS_AUDIENCE.to_owned()], now) {
        let _ = (error.aws_code(), error.aws_message());
    }
    let (role, provider) = ("arn:aws:iam::111111111111:role/R", "arn:aws:iam::111111111111:saml-provider/P");
    if let Err(error) = SAML.verify(text, role, provider, now) {
        let _ = (error.aws_code(), error.aws_message());
    }
});
