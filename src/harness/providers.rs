//! The world's identity providers as a test uses them: the current code of a user's MFA device,
//! tokens from an OIDC provider.

use super::World;
use crate::idp::{AssertionSpec, OidcIssuer, SamlIdp, TokenClaims, Totp};

impl World {
    /// The current one-time code of a user's virtual MFA device, on the world's clock — what the
    /// user would read from their authenticator app (`oathtool --totp -b SECRET` gives the same
    /// for the secret [`World::mfa_secret`] returns).
    ///
    /// ```
    /// let world = iamsim::World::from_yaml(
    ///     "accounts:\n  \"111111111111\":\n    users:\n      alice: { mfa: { secret: JBSWY3DPEHPK3PXP } }\n")?;
    /// assert_eq!(world.mfa_secret("111111111111", "alice"), "JBSWY3DPEHPK3PXP");
    /// assert_eq!(world.mfa_code("111111111111", "alice").len(), 6);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[track_caller]
    pub fn mfa_code(&self, account: &str, user: &str) -> String {
        self.totp(account, user).code_at(self.clock().now())
    }

    /// The base32 secret of a user's virtual MFA device.
    #[track_caller]
    pub fn mfa_secret(&self, account: &str, user: &str) -> String {
        self.totp(account, user).secret_base32()
    }

    /// The serial number (ARN) of a user's virtual MFA device.
    #[track_caller]
    pub fn mfa_serial(&self, account: &str, user: &str) -> String {
        self.mfa_device(account, user).serial.clone()
    }

    #[track_caller]
    fn mfa_device(&self, account: &str, user: &str) -> &crate::model::MfaDevice {
        let found = self.require_account(account).user(user);
        let Some(found) = found else { panic!("account {account} has no user `{user}`") };
        match &found.mfa {
            Some(device) => device,
            None => panic!("user `{user}` of account {account} has no MFA device (add `mfa: true` to the fixture)"),
        }
    }

    #[track_caller]
    fn totp(&self, account: &str, user: &str) -> Totp {
        match Totp::from_base32(&self.mfa_device(account, user).seed) {
            Ok(totp) => totp,
            Err(e) => panic!("the MFA secret of `{user}` is invalid: {e}"),
        }
    }

    /// The fake issuer behind one of the world's IAM OIDC providers (named as in the fixture:
    /// `token.actions.githubusercontent.com`). Its tokens verify only in this world.
    #[track_caller]
    pub fn oidc_issuer(&self, account: &str, provider: &str) -> OidcIssuer {
        let found = self.require_account(account).oidc_providers.get(provider);
        let Some(found) = found else { panic!("account {account} has no OIDC provider `{provider}`") };
        OidcIssuer::new(&found.url, self.model().seed())
    }

    /// The identity provider behind one of the world's SAML providers (named as in the fixture).
    #[track_caller]
    pub fn saml_idp(&self, account: &str, provider: &str) -> SamlIdp {
        let found = self.require_account(account).saml_providers.get(provider);
        let Some(found) = found else { panic!("account {account} has no SAML provider `{provider}`") };
        crate::sts::saml_idp(self.live(), found)
    }

    /// A base64 `SAMLResponse` from one of the world's SAML providers for `AssumeRoleWithSAML`:
    /// `subject` may assume `role` (a role name of the same account), session name `subject`,
    /// issued now and valid for five minutes. [`World::saml_idp`] issues any other assertion.
    #[track_caller]
    pub fn saml_response(&self, account: &str, provider: &str, role: &str, subject: &str) -> String {
        let role_arn = match self.require_account(account).role(role) {
            Some(r) => r.arn.to_string(),
            None => panic!("account {account} has no role `{role}`"),
        };
        let provider_arn = format!("arn:aws:iam::{account}:saml-provider/{provider}");
        let spec = AssertionSpec::new(subject, &role_arn, &provider_arn, subject, self.clock().now());
        self.saml_idp(account, provider).issue(&spec)
    }

    /// A signed token from one of the world's OIDC providers, for `AssumeRoleWithWebIdentity`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use iamsim::idp::TokenClaims;
    /// let world = iamsim::World::from_yaml(r#"
    /// accounts:
    ///   "111111111111":
    ///     oidc_providers:
    ///       token.actions.githubusercontent.com: { audiences: [sts.amazonaws.com] }
    /// "#)?;
    /// let claims = TokenClaims::github_actions("acme/app", "refs/heads/main", world.clock().now());
    /// let token = world.web_identity_token("111111111111", "token.actions.githubusercontent.com", &claims);
    /// assert_eq!(token.split('.').count(), 3);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[track_caller]
    pub fn web_identity_token(&self, account: &str, provider: &str, claims: &TokenClaims) -> String {
        self.oidc_issuer(account, provider).issue(claims)
    }
}
