//! The fixed RSA test keys of the fake identity providers, parsed once per process.
//!
//! RSA key generation takes seconds in a debug build, so no key is generated at run time: the
//! crate ships two published 2048-bit keys (see `keys/README.md`), which protect nothing. A
//! world tells its providers apart by their names, not their keys: an OIDC issuer's `kid` and a
//! SAML IdP's `KeyName` are derived from its URL or entity id and the world's seed, and the
//! verifiers check them.

use std::sync::LazyLock;

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{Keypair, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;

/// One RSA key pair used for RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`, XML-DSig `rsa-sha256`).
pub(crate) struct TestKey {
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
}

impl TestKey {
    #[expect(clippy::expect_used, reason = "the PEM is a constant of this crate, parsed by a unit test")]
    fn parse(pem: &str) -> TestKey {
        let private = rsa::PrivateKey::from_pkcs8_pem(pem).expect("the shipped test key parses");
        let signing = SigningKey::<Sha256>::new(private);
        let verifying = signing.verifying_key();
        TestKey { signing, verifying }
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (deterministic: no blinding is needed
    /// for a published key).
    #[expect(clippy::expect_used, reason = "signing a SHA-256 digest with a 2048-bit key cannot fail")]
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.signing.try_sign(message).expect("RSA signing of a SHA-256 digest");
        Box::<[u8]>::from(signature).into_vec()
    }

    /// Whether `signature` is this key's signature of `message`. Any malformed signature (wrong
    /// length, value out of range) is simply not valid.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature).is_ok_and(|s| self.verifying.verify(message, &s).is_ok())
    }

    /// The modulus, big-endian without leading zeros (JWK `n`).
    pub(crate) fn modulus(&self) -> Vec<u8> {
        self.verifying.as_ref().n_bytes().into_vec()
    }

    /// The public exponent, big-endian without leading zeros (JWK `e`).
    pub(crate) fn exponent(&self) -> Vec<u8> {
        self.verifying.as_ref().e_bytes().into_vec()
    }
}

/// The key every fake OIDC issuer signs its JWTs with.
pub(crate) static OIDC_KEY: LazyLock<TestKey> =
    LazyLock::new(|| TestKey::parse(include_str!("keys/oidc-test-key.pem")));

/// The key every fake SAML IdP signs its assertions with.
pub(crate) static SAML_KEY: LazyLock<TestKey> =
    LazyLock::new(|| TestKey::parse(include_str!("keys/saml-test-key.pem")));

/// The self-signed X.509 certificate of [`SAML_KEY`], as the base64 of its DER (the content of a
/// `ds:X509Certificate` element).
pub(crate) static SAML_CERT_BASE64: LazyLock<String> = LazyLock::new(|| {
    include_str!("keys/saml-test-cert.pem").lines().filter(|line| !line.starts_with("-----")).map(str::trim).collect()
});

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    #[test]
    fn the_shipped_keys_parse_and_sign() {
        for key in [&*OIDC_KEY, &*SAML_KEY] {
            assert_eq!(key.modulus().len(), 256, "a 2048-bit key");
            assert_eq!(key.exponent(), [1, 0, 1]);
            let signature = key.sign(b"message");
            assert_eq!(signature.len(), 256);
            assert!(key.verify(b"message", &signature));
            assert!(!key.verify(b"massage", &signature));
            assert!(!key.verify(b"message", &signature[1..]));
            assert!(!key.verify(b"message", &[0xff; 256]));
            assert!(!key.verify(b"message", &[]));
        }
        assert_ne!(OIDC_KEY.modulus(), SAML_KEY.modulus());
    }

    #[test]
    fn the_certificate_holds_the_saml_key() {
        let der = STANDARD.decode(SAML_CERT_BASE64.as_bytes()).unwrap();
        let modulus = SAML_KEY.modulus();
        assert!(der.windows(modulus.len()).any(|w| w == modulus.as_slice()), "the certificate is of another key");
    }

    /// Not a benchmark: prints what parsing and signing cost in this build, for the record
    /// (`cargo test --lib idp::keys -- --nocapture`).
    #[test]
    #[expect(clippy::disallowed_methods, reason = "measures wall time on purpose")]
    fn report_key_timings() {
        let started = Instant::now();
        let key = TestKey::parse(include_str!("keys/oidc-test-key.pem"));
        let parsed = started.elapsed();
        let started = Instant::now();
        let signature = key.sign(b"header.payload");
        let signed = started.elapsed();
        let started = Instant::now();
        assert!(key.verify(b"header.payload", &signature));
        let verified = started.elapsed();
        println!("parse {parsed:?}, sign {signed:?}, verify {verified:?}");
    }
}
