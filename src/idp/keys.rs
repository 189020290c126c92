//! The fixed RSA test keys of the fake identity providers, parsed once per process.
//!
//! RSA key generation takes seconds in a debug build, so no key is generated at run time: the
//! crate ships two published 2048-bit keys (see `keys/README.md`), which protect nothing. A
//! world tells its providers apart by their names, not their keys: an OIDC issuer's `kid` and a
//! SAML IdP's `KeyName` are derived from its URL or entity id and the world's seed, and the
//! verifiers check them.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{NonZero, Odd, U1024, U2048, Uint};
use sha2::{Digest, Sha256};

/// The length of a key's modulus and of its signatures, in bytes.
const KEY_BYTES: usize = 256;

/// ASN.1 DER `DigestInfo` of SHA-256 without the hash itself (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// One RSA key pair used for RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`, XML-DSig `rsa-sha256`).
///
/// Written on `crypto-bigint`'s fixed-size integers (RFC 8017 §8.2) rather than with the `rsa`
/// crate: `rsa` turns on `zeroize` in `sha2`, `hmac` and `digest` and `alloc` in `crypto-bigint`,
/// crates an SDK application already builds without them, and so made adding iamsim rebuild
/// aws-sigv4 and every SDK crate above it (BENCHMARKS.md, "Compile time"). The keys are
/// published test keys: no blinding and no constant-time exponentiation, which protect secrets.
pub(crate) struct TestKey {
    params: FixedMontyParams<{ U2048::LIMBS }>,
    modulus: U2048,
    public_exponent: U2048,
    /// The private key as the Chinese remainder theorem form (RFC 8017 §3.2, second
    /// representation): two half-size exponentiations instead of one full-size, about four
    /// times faster, which a debug build of the tests notices.
    p: Prime,
    q: Prime,
    /// `q⁻¹ mod p`.
    q_inverse: U1024,
    /// `n` and `e`, big-endian without leading zeros (JWK `n` and `e`).
    n_bytes: Vec<u8>,
    e_bytes: Vec<u8>,
}

impl TestKey {
    #[expect(clippy::expect_used, reason = "the PEM is a constant of this crate, parsed by a unit test")]
    fn parse(pem: &str) -> TestKey {
        let base64: String = pem.lines().filter(|line| !line.starts_with("-----")).map(str::trim).collect();
        let der = STANDARD.decode(base64).expect("the shipped test key is base64");
        let [n, e, _d, p, q, dp, dq, q_inverse] =
            pkcs8_rsa_integers(&der).expect("the shipped test key is an RSA PKCS#8 key");
        let modulus = uint(n).expect("a 2048-bit modulus");
        TestKey {
            params: FixedMontyParams::new_vartime(Odd::new(modulus).into_option().expect("an odd modulus")),
            modulus,
            public_exponent: uint(e).expect("a public exponent"),
            p: Prime::new(p, dp).expect("a 1024-bit prime p"),
            q: Prime::new(q, dq).expect("a 1024-bit prime q"),
            q_inverse: uint(q_inverse).expect("q⁻¹ below p"),
            n_bytes: n.to_vec(),
            e_bytes: e.to_vec(),
        }
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (deterministic: no blinding is needed
    /// for a published key).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        // RSASP1 with the CRT (RFC 8017 §5.2.1, 2.b): s = s₂ + q·((s₁ − s₂)·q⁻¹ mod p).
        let encoded = U2048::from_be_slice(&encode(message));
        let s1 = self.p.power(&encoded);
        let s2 = self.q.power(&encoded);
        let h = (self.p.monty(&s1) - self.p.monty(&s2)) * self.p.monty(&self.q_inverse);
        let (low, high) = self.q.modulus.as_ref().widening_mul(&h.retrieve());
        let q_h: U2048 = low.concat(&high);
        let signature = q_h.wrapping_add(&s2.resize());
        signature.to_be_bytes().to_vec()
    }

    /// Whether `signature` is this key's signature of `message`. Any malformed signature (wrong
    /// length, value out of range) is simply not valid.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != KEY_BYTES {
            return false;
        }
        let signature = U2048::from_be_slice(signature);
        if signature >= self.modulus {
            return false;
        }
        let encoded = FixedMontyForm::new(&signature, &self.params).pow_vartime(&self.public_exponent).retrieve();
        *encoded.to_be_bytes() == encode(message)
    }

    /// The modulus, big-endian without leading zeros (JWK `n`).
    pub(crate) fn modulus(&self) -> Vec<u8> {
        self.n_bytes.clone()
    }

    /// The public exponent, big-endian without leading zeros (JWK `e`).
    pub(crate) fn exponent(&self) -> Vec<u8> {
        self.e_bytes.clone()
    }
}

/// One prime factor of a key's modulus with its CRT exponent (`d mod (prime − 1)`).
struct Prime {
    modulus: NonZero<U1024>,
    params: FixedMontyParams<{ U1024::LIMBS }>,
    exponent: U1024,
}

impl Prime {
    fn new(prime: &[u8], exponent: &[u8]) -> Option<Prime> {
        let prime: U1024 = uint(prime)?;
        Some(Prime {
            modulus: NonZero::new(prime).into_option()?,
            params: FixedMontyParams::new_vartime(Odd::new(prime).into_option()?),
            exponent: uint(exponent)?,
        })
    }

    /// `value` in this prime's Montgomery form (reduced first).
    fn monty(&self, value: &U1024) -> FixedMontyForm<{ U1024::LIMBS }> {
        FixedMontyForm::new(&value.rem_vartime(&self.modulus), &self.params)
    }

    /// `value^exponent mod prime`.
    fn power(&self, value: &U2048) -> U1024 {
        FixedMontyForm::new(&value.rem_vartime(&self.modulus), &self.params).pow_vartime(&self.exponent).retrieve()
    }
}

/// EMSA-PKCS1-v1_5 encoding of `message` with SHA-256 (RFC 8017 §9.2):
/// `00 01 FF…FF 00 DigestInfo hash`, as long as the modulus.
fn encode(message: &[u8]) -> [u8; KEY_BYTES] {
    let hash = Sha256::digest(message);
    let mut out = [0xff; KEY_BYTES];
    let tail = SHA256_DIGEST_INFO.len() + hash.len();
    let (head, rest) = out.split_at_mut(KEY_BYTES - tail);
    if let [first, second, .., last] = head {
        (*first, *second, *last) = (0x00, 0x01, 0x00);
    }
    let (info, digest) = rest.split_at_mut(SHA256_DIGEST_INFO.len());
    info.copy_from_slice(&SHA256_DIGEST_INFO);
    digest.copy_from_slice(&hash);
    out
}

/// A big-endian integer as a `Uint` if it fits.
fn uint<const LIMBS: usize>(bytes: &[u8]) -> Option<Uint<LIMBS>> {
    let mut padded = vec![0u8; Uint::<LIMBS>::BYTES];
    padded.get_mut(Uint::<LIMBS>::BYTES.checked_sub(bytes.len())?..)?.copy_from_slice(bytes);
    Some(Uint::from_be_slice(&padded))
}

/// `n`, `e`, `d`, `p`, `q`, `dP`, `dQ` and `qInv` of an unencrypted PKCS#8 RSA private key
/// (RFC 5208 `PrivateKeyInfo` holding an RFC 8017 `RSAPrivateKey`), each big-endian without
/// leading zeros.
fn pkcs8_rsa_integers(der: &[u8]) -> Option<[&[u8]; 8]> {
    /// The DER of the `rsaEncryption` object identifier, 1.2.840.113549.1.1.1.
    const RSA_ENCRYPTION: [u8; 11] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;
    let (info, _) = der_element(der, SEQUENCE)?;
    let (_version, rest) = der_element(info, INTEGER)?;
    let (algorithm, rest) = der_element(rest, SEQUENCE)?;
    if !algorithm.starts_with(&RSA_ENCRYPTION) {
        return None;
    }
    let (private_key, _) = der_element(rest, OCTET_STRING)?;
    let (key, _) = der_element(private_key, SEQUENCE)?;
    let (_version, mut rest) = der_element(key, INTEGER)?;
    let mut integers: [&[u8]; 8] = [&[]; 8];
    for integer in &mut integers {
        let (value, after) = der_element(rest, INTEGER)?;
        let zeros = value.iter().take_while(|b| **b == 0).count();
        *integer = value.get(zeros..).unwrap_or_default();
        rest = after;
    }
    Some(integers)
}

/// The content of the DER element at the start of `input` if its tag is `tag`, and what follows.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if found != tag {
        return None;
    }
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length's bytes (two at most for these keys).
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 2 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        (bytes.iter().fold(0usize, |length, b| length << 8 | usize::from(*b)), rest)
    };
    rest.split_at_checked(length)
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

    use super::*;

    /// `openssl dgst -sha256 -sign src/idp/keys/oidc-test-key.pem` of the message below.
    const OPENSSL_OIDC: &str = "TZH5nHQJ/VHdkC3ATmd4rAarJ3qRrcn9oADGVxyIZwKjN1+f2m+6qKsXTdsOfLHGN0a5l0RvzeKIokuQi9Y1GhaqCwemmAVFe8W2Do5jYNJbJ5PIZlL1a0fH79h2w2dQ054OausG5X/C0caDL/2OZbj6Y0eiuXbLn/O5TWkX1pXwlu3mfnfYom/0AoGtJNbW1eu5X2EFLUSspO0Pe4wI/Hsn6Ktu6WneGFReuIwHSm+1eC0SR1JDxgP9lOhEvf0e/JagDSxYAeee/5IvRzsJMYD7y6lHWk0i7iWeTr75qhpbNGMfmWXh8GG/59VkzdbWrCl/KleYHCSpcRirT9SUVw==";
    /// The same with `saml-test-key.pem`.
    const OPENSSL_SAML: &str = "gPljATrFv25e2zi6oWAzDopbKXpOHmyAq2GyiKFozit9rAfvFZPvYlF0pG4OF5XTrPEAXR/sMNsRhF5Afe6OAZ85nXC6typNmwGp4eKDIVC/QgUtTdk2Ep36rLhF9qJmhdsRO53jfqj9Aiv0x0tCxMWMp5ubyaOShTmkHahKaRh+RXc3k/viu/JkbL28OulLhCVjkeB+BigNTsixooujVHBQXegdCqyPKz7+Udgbrjj9igPc68Yx5d1GPo04QbtRVdvbWwXoqZW9f/Y9j2SsEkL0xGR/now7A4hIEykaudTPXEPacpfVMEnWdzL4nlhdS7kLXrubIvfsdLOc4qrJnQ==";

    #[test]
    fn signatures_are_openssls() {
        for (key, expected) in [(&*OIDC_KEY, OPENSSL_OIDC), (&*SAML_KEY, OPENSSL_SAML)] {
            let expected = STANDARD.decode(expected).unwrap();
            assert_eq!(key.sign(b"iamsim known answer"), expected);
            assert!(key.verify(b"iamsim known answer", &expected));
            let mut tampered = expected.clone();
            tampered[100] ^= 1;
            assert!(!key.verify(b"iamsim known answer", &tampered));
        }
        assert!(!OIDC_KEY.verify(b"iamsim known answer", &STANDARD.decode(OPENSSL_SAML).unwrap()));
    }

    #[test]
    fn a_signature_not_below_the_modulus_is_invalid() {
        // s + n has the same value modulo n as s: a verifier that reduced it would accept it.
        let signature = U2048::from_be_slice(&OIDC_KEY.sign(b"m"));
        let (sum, carry) = signature.carrying_add(&OIDC_KEY.modulus, crypto_bigint::Limb::ZERO);
        if carry == crypto_bigint::Limb::ZERO {
            assert!(!OIDC_KEY.verify(b"m", &sum.to_be_bytes()));
        }
        assert!(!OIDC_KEY.verify(b"m", &OIDC_KEY.modulus.to_be_bytes()));
    }

    #[test]
    fn malformed_keys_are_not_read() {
        assert_eq!(pkcs8_rsa_integers(&[]), None);
        assert_eq!(pkcs8_rsa_integers(&[0x30, 0x82, 0xff]), None);
        assert_eq!(pkcs8_rsa_integers(&[0x30, 0x03, 0x02, 0x01, 0x00]), None);
        assert_eq!(uint::<{ U2048::LIMBS }>(&[1; 257]), None);
        assert_eq!(der_element(&[0x02, 0x85, 1, 2, 3, 4, 5], 0x02), None);
    }

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
