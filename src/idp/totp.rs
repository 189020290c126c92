//! A virtual MFA device: RFC 6238 TOTP with HMAC-SHA1, 6 digits and 30-second steps, the
//! parameters of an IAM virtual MFA device and of every authenticator app
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html>).
//!
//! The device is pure: the time is always passed in (the world's clock), never read.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use iamsim::idp::Totp;
//!
//! let device = Totp::from_base32("JBSWY3DPEHPK3PXP")?;
//! let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! // `oathtool --totp -b JBSWY3DPEHPK3PXP --now '2023-11-14 22:13:20 UTC'` prints the same code.
//! assert_eq!(device.code_at(at), "324550");
//! assert!(device.verify("324550", at));
//! # Ok::<(), iamsim::idp::TotpError>(())
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The length of a time step, in seconds (RFC 6238 §5.2 default, used by AWS).
const STEP_SECONDS: u64 = 30;

/// How many digits a code has.
const DIGITS: usize = 6;

/// How many bytes a secret derived from a seed has: 160 bits, the HMAC-SHA1 output length that
/// RFC 4226 §4 recommends.
const DERIVED_SECRET_LEN: usize = 20;

/// A TOTP device (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iamsim::idp::Totp;
///
/// let device = Totp::from_seed(42, "111111111111/alice");
/// let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let code = device.code_at(now);
/// assert_eq!(code.len(), 6);
/// assert!(device.verify(&code, now));
/// // The same seed and scope always give the same device.
/// assert_eq!(Totp::from_seed(42, "111111111111/alice").secret_base32(), device.secret_base32());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    secret: Vec<u8>,
}

/// Why a base32 secret was refused.
///
/// ```
/// use iamsim::idp::{Totp, TotpError};
/// assert_eq!(Totp::from_base32("").unwrap_err(), TotpError::Empty);
/// assert_eq!(Totp::from_base32("JBSWY3D1").unwrap_err().to_string(), "the MFA secret is not base32: invalid symbol at 7");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The secret has no characters (after spaces and padding are removed).
    #[error("the MFA secret is empty")]
    Empty,
    /// The secret is not RFC 4648 base32.
    #[error("the MFA secret is not base32: {0}")]
    NotBase32(String),
}

impl Totp {
    /// A device from an RFC 4648 base32 secret, as `oathtool -b` and authenticator apps take it:
    /// case-insensitive, `=` padding optional, spaces ignored (apps show secrets in groups of four).
    ///
    /// ```
    /// use iamsim::idp::Totp;
    /// let a = Totp::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let b = Totp::from_base32("jbsw y3dp ehpk 3pxp")?;
    /// assert_eq!(a.secret_base32(), b.secret_base32());
    /// # Ok::<(), iamsim::idp::TotpError>(())
    /// ```
    pub fn from_base32(secret: &str) -> Result<Totp, TotpError> {
        let cleaned: String =
            secret.chars().filter(|c| !c.is_ascii_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        if cleaned.is_empty() {
            return Err(TotpError::Empty);
        }
        let secret =
            data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|e| TotpError::NotBase32(e.to_string()))?;
        if secret.is_empty() {
            return Err(TotpError::Empty);
        }
        Ok(Totp { secret })
    }

    /// The device of a world: a 20-byte secret taken from SHA-256 of the world's seed and the
    /// device's scope (for example `111111111111/alice`), so each seed and device has its own
    /// secret and the same ones always have the same.
    ///
    /// ```
    /// use iamsim::idp::Totp;
    /// assert_ne!(Totp::from_seed(1, "a").secret_base32(), Totp::from_seed(2, "a").secret_base32());
    /// assert_ne!(Totp::from_seed(1, "a").secret_base32(), Totp::from_seed(1, "b").secret_base32());
    /// assert_eq!(Totp::from_seed(1, "a").secret_base32().len(), 32);
    /// ```
    pub fn from_seed(seed: u64, scope: &str) -> Totp {
        // The same derivation shape as the world's other ids (`model::Ids`): seed, kind, 0, scope.
        let mut h = Sha256::new();
        h.update(seed.to_be_bytes());
        h.update(b"totp");
        h.update([0]);
        h.update(scope.as_bytes());
        let digest = h.finalize();
        let secret = digest.iter().copied().take(DERIVED_SECRET_LEN).collect();
        Totp { secret }
    }

    /// The secret as unpadded upper-case base32: what `oathtool --totp -b SECRET` and
    /// authenticator apps take, and what IAM's `Base32StringSeed` holds.
    ///
    /// ```
    /// use iamsim::idp::Totp;
    /// assert_eq!(Totp::from_base32("jbswy3dpehpk3pxp======")?.secret_base32(), "JBSWY3DPEHPK3PXP");
    /// # Ok::<(), iamsim::idp::TotpError>(())
    /// ```
    pub fn secret_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.secret)
    }

    /// The 6-digit code shown at `at` (zero-padded, so always six ASCII digits).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use iamsim::idp::Totp;
    /// let device = Totp::from_base32("JBSWY3DPEHPK3PXP")?;
    /// // Codes change every 30 seconds, at multiples of 30 since the epoch.
    /// let t = UNIX_EPOCH + Duration::from_secs(1_700_000_010);
    /// assert_eq!(device.code_at(t), device.code_at(t + Duration::from_secs(29)));
    /// assert_ne!(device.code_at(t), device.code_at(t + Duration::from_secs(30)));
    /// # Ok::<(), iamsim::idp::TotpError>(())
    /// ```
    pub fn code_at(&self, at: SystemTime) -> String {
        let value = self.hotp(step_of(at)) % 1_000_000;
        format!("{value:06}")
    }

    /// Whether `code` is accepted at `at`: exactly six ASCII digits, equal to the code of the
    /// current step or of the step before or after it.
    ///
    /// The window of ±1 step tolerates clock drift between the device and the server and the
    /// time a person takes to type the code: RFC 6238 §5.2 recommends allowing one step of
    /// delay, and AWS accepts a code from an adjacent step of a virtual MFA device the same way
    /// (it documents that a device must be resynchronized only once its clock has drifted
    /// further: <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_sync.html>).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use iamsim::idp::Totp;
    /// let device = Totp::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let code = device.code_at(t);
    /// assert!(device.verify(&code, t + Duration::from_secs(30)));
    /// assert!(!device.verify(&code, t + Duration::from_secs(90)));
    /// assert!(!device.verify(&format!(" {code}"), t));
    /// # Ok::<(), iamsim::idp::TotpError>(())
    /// ```
    pub fn verify(&self, code: &str, at: SystemTime) -> bool {
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let step = step_of(at);
        let mut accepted = false;
        for candidate in [step.checked_sub(1), Some(step), step.checked_add(1)].into_iter().flatten() {
            // Compare every candidate in full, without an early exit.
            accepted |= constant_time_eq(self.code_for_step(candidate).as_bytes(), code.as_bytes());
        }
        accepted
    }

    fn code_for_step(&self, step: u64) -> String {
        format!("{:06}", self.hotp(step) % 1_000_000)
    }

    /// RFC 4226 §5.3: HMAC-SHA1 of the counter, dynamically truncated to 31 bits.
    fn hotp(&self, counter: u64) -> u32 {
        hotp_sha1(&self.secret, counter)
    }
}

/// HOTP value (31 bits, before the modulo) of `secret` at `counter`.
#[expect(clippy::expect_used, reason = "HMAC accepts a key of any length, so creating one cannot fail")]
fn hotp_sha1(secret: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash.last().copied().unwrap_or(0) & 0x0f);
    let mut word = [0u8; 4];
    for (i, byte) in word.iter_mut().enumerate() {
        *byte = hash.get(offset + i).copied().unwrap_or(0);
    }
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// The RFC 6238 time step of `at` (steps before the epoch count as step 0).
fn step_of(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map(|d| d.as_secs() / STEP_SECONDS).unwrap_or(0)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Debug for Totp {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp").field("secret", &"<redacted>").finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// RFC 6238 Appendix B, the SHA-1 rows: the seed is the ASCII string "12345678901234567890"
    /// and the codes have 8 digits there.
    const RFC6238_SHA1: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_device() -> Totp {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        Totp::from_base32(&secret).unwrap()
    }

    #[test]
    fn matches_the_rfc_6238_sha1_vectors_with_eight_digits() {
        let device = rfc_device();
        for (secs, expected) in RFC6238_SHA1 {
            let eight = format!("{:08}", device.hotp(step_of(at(secs))) % 100_000_000);
            assert_eq!(eight, expected, "at {secs}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors() {
        let device = rfc_device();
        for (secs, expected) in RFC6238_SHA1 {
            assert_eq!(device.code_at(at(secs)), expected[2..], "at {secs}");
            assert!(device.verify(&expected[2..], at(secs)));
        }
    }

    #[test]
    fn matches_oathtool_for_the_well_known_secret() {
        // `oathtool --totp -b JBSWY3DPEHPK3PXP --now '<date>'` (OATH Toolkit 2.6.7), one row per time.
        let device = Totp::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for (secs, expected) in [(0, "282760"), (59, "996554"), (1_700_000_000, "324550"), (1_111_111_109, "071271")] {
            assert_eq!(device.code_at(at(secs)), expected, "at {secs}");
        }
    }

    #[test]
    fn accepts_the_previous_and_next_step_only() {
        let device = Totp::from_seed(7, "111111111111/alice");
        let t = at(1_800_000_015);
        let code = device.code_at(t);
        assert!(device.verify(&code, t));
        assert!(device.verify(&code, t - Duration::from_secs(30)));
        assert!(device.verify(&code, t + Duration::from_secs(30)));
        assert!(!device.verify(&code, t - Duration::from_secs(60)));
        assert!(!device.verify(&code, t + Duration::from_secs(60)));
    }

    #[test]
    fn rejects_anything_but_six_ascii_digits() {
        let device = Totp::from_seed(7, "d");
        let t = at(1_800_000_000);
        let code = device.code_at(t);
        for bad in [
            String::new(),
            code[..5].to_string(),
            format!("{code}0"),
            format!("{code} "),
            code.replace(|_c: char| true, "٣"),
            format!("+{}", &code[1..]),
        ] {
            assert!(!device.verify(&bad, t), "{bad:?}");
        }
    }

    #[test]
    fn a_wrong_code_is_rejected() {
        let device = Totp::from_seed(7, "d");
        let t = at(1_800_000_000);
        let code: u32 = device.code_at(t).parse().unwrap();
        let wrong = format!("{:06}", (code + 1) % 1_000_000);
        assert!(!device.verify(&wrong, t));
    }

    #[test]
    fn base32_parsing_is_lenient_about_case_spaces_and_padding_only() {
        let expected = Totp::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for ok in ["jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "JBSWY3DPEHPK3PXP======", " JBSWY3DPEHPK3PXP\n"] {
            assert_eq!(Totp::from_base32(ok).unwrap(), expected, "{ok:?}");
        }
        assert_eq!(Totp::from_base32("  ==").unwrap_err(), TotpError::Empty);
        assert!(matches!(Totp::from_base32("JBSWY3DPEHPK3PX1"), Err(TotpError::NotBase32(_))));
        assert!(matches!(Totp::from_base32("A"), Err(TotpError::NotBase32(_))));
    }

    #[test]
    fn times_before_the_epoch_do_not_panic() {
        let device = Totp::from_seed(0, "x");
        let before = UNIX_EPOCH - Duration::from_secs(100);
        assert_eq!(device.code_at(before), device.code_at(UNIX_EPOCH));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let device = Totp::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(format!("{device:?}"), r#"Totp { secret: "<redacted>" }"#);
    }
}
