//! Deterministic identifiers: the same seed and the same names give the same unique ids, access
//! keys and secrets in every run; another seed changes them all.
//!
//! Each id is derived from a hash of the seed, the kind of id and the thing it names (for
//! example `user/111111111111/alice`), not from a counter, so adding a user to a fixture does
//! not change anyone else's keys.
//!
//! Shapes follow AWS: unique ids are a four-letter prefix (`AIDA` users, `AGPA` groups, `AROA`
//! roles, `ANPA` managed policies, `AIPA` instance profiles) and 17 characters of `A-Z2-7`
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids>);
//! access key ids are `AKIA` (long-term) or `ASIA` (temporary) and 16 such characters; secret
//! access keys are 40 base64 characters.

use sha2::{Digest, Sha256};

/// `SHA-256(seed ‖ kind ‖ 0 ‖ scope ‖ n)` for n = 0, 1, …: the prefix is the same for every
/// block. A message that fits one SHA-256 block (almost every id) is padded once and only its
/// counter rewritten, hashed with the compression function directly; a longer one goes through
/// the hasher from its absorbed prefix. Both give SHA-256 of the same bytes.
enum BlockHasher {
    /// The padded block, where its counter is, and the message length.
    Single([u8; 64], usize),
    Prefix(Sha256),
}

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_IV: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

impl BlockHasher {
    fn new(seed: u64, kind: &str, scope: &str) -> BlockHasher {
        let parts: [&[u8]; 4] = [&seed.to_be_bytes(), kind.as_bytes(), &[0], scope.as_bytes()];
        let prefix_len: usize = parts.iter().map(|p| p.len()).sum();
        // Message (prefix and 4 counter bytes), the 0x80 byte and the 8-byte length fit 64.
        if prefix_len + 4 + 1 + 8 <= 64 {
            let mut block = [0u8; 64];
            let mut at = 0;
            for part in parts {
                if let Some(slot) = block.get_mut(at..at + part.len()) {
                    slot.copy_from_slice(part);
                }
                at += part.len();
            }
            let message_len = prefix_len + 4;
            if let Some(end) = block.get_mut(message_len) {
                *end = 0x80;
            }
            let bits = (message_len as u64) * 8;
            if let Some(slot) = block.get_mut(56..) {
                slot.copy_from_slice(&bits.to_be_bytes());
            }
            BlockHasher::Single(block, prefix_len)
        } else {
            let mut hasher = Sha256::new();
            for part in parts {
                hasher.update(part);
            }
            BlockHasher::Prefix(hasher)
        }
    }

    fn digest(&mut self, counter: u32) -> [u8; 32] {
        match self {
            BlockHasher::Single(block, at) => {
                if let Some(slot) = block.get_mut(*at..*at + 4) {
                    slot.copy_from_slice(&counter.to_be_bytes());
                }
                let mut state = SHA256_IV;
                sha2::block_api::compress256(&mut state, std::slice::from_ref(block));
                let mut digest = [0u8; 32];
                for (chunk, word) in digest.chunks_exact_mut(4).zip(state) {
                    chunk.copy_from_slice(&word.to_be_bytes());
                }
                digest
            }
            BlockHasher::Prefix(prefix) => {
                let mut hasher = prefix.clone();
                hasher.update(counter.to_be_bytes());
                hasher.finalize().into()
            }
        }
    }
}

/// The seed every world uses unless a fixture gives another.
pub const DEFAULT_SEED: u64 = 0;

/// Generates identifiers from a seed.
///
/// ```
/// use iamsim::model::Ids;
/// let ids = Ids::new(7);
/// let id = ids.unique_id("AIDA", "user/111111111111/alice");
/// assert_eq!(id.len(), 21);
/// assert!(id.starts_with("AIDA"));
/// assert_eq!(id, Ids::new(7).unique_id("AIDA", "user/111111111111/alice"));
/// assert_ne!(id, Ids::new(8).unique_id("AIDA", "user/111111111111/alice"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ids {
    seed: u64,
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8; 16] = b"0123456789abcdef";
const LOWER36: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

impl Ids {
    /// A generator for one seed.
    pub fn new(seed: u64) -> Ids {
        Ids { seed }
    }

    /// The seed.
    pub fn seed(self) -> u64 {
        self.seed
    }

    /// `len` characters of `alphabet`, derived from the seed, the kind and the scope.
    ///
    /// Block `n` of output is `SHA-256(seed ‖ kind ‖ 0 ‖ scope ‖ n)`, each byte taken modulo the
    /// alphabet's size (a mask for 16, 32 and 64 characters: the same value without a division).
    fn chars(self, kind: &str, scope: &str, alphabet: &[u8], len: usize) -> String {
        let size = alphabet.len();
        let mut hasher = BlockHasher::new(self.seed, kind, scope);
        let mut out = Vec::with_capacity(len);
        let mut block = 0u32;
        while out.len() < len {
            let digest = hasher.digest(block);
            let take = digest.len().min(len - out.len());
            let bytes = digest.iter().take(take);
            if size.is_power_of_two() {
                let mask = size - 1;
                out.extend(bytes.map(|&b| alphabet.get(usize::from(b) & mask).copied().unwrap_or(b'A')));
            } else {
                // 256 is a multiple of 16, 32 and 64; for 36 the bias is negligible for ids.
                out.extend(bytes.map(|&b| alphabet.get(usize::from(b) % size).copied().unwrap_or(b'A')));
            }
            block += 1;
        }
        // Every alphabet is ASCII.
        String::from_utf8(out).unwrap_or_default()
    }

    /// An IAM unique id: `prefix` followed by 17 characters of `A-Z2-7`.
    pub fn unique_id(self, prefix: &str, scope: &str) -> String {
        format!("{prefix}{}", self.chars(prefix, scope, BASE32, 17))
    }

    /// An access key id: `prefix` (`AKIA` or `ASIA`) followed by 16 characters of `A-Z2-7`.
    pub fn access_key_id(self, prefix: &str, scope: &str) -> String {
        format!("{prefix}{}", self.chars(prefix, scope, BASE32, 16))
    }

    /// A 40-character secret access key.
    pub fn secret(self, scope: &str) -> String {
        self.chars("secret", scope, BASE64, 40)
    }

    /// An EC2 instance id: `i-` and 17 hex digits.
    pub fn instance_id(self, scope: &str) -> String {
        format!("i-{}", self.chars("instance", scope, HEX, 17))
    }

    /// An organization id: `o-` and 10 lowercase letters or digits.
    pub fn organization_id(self, scope: &str) -> String {
        format!("o-{}", self.chars("organization", scope, LOWER36, 10))
    }

    /// An organization root id: `r-` and 4 lowercase letters or digits.
    pub fn root_id(self, scope: &str) -> String {
        format!("r-{}", self.chars("root", scope, LOWER36, 4))
    }

    /// An organizational unit id: `ou-`, 4 characters of the root id, `-` and 8 more.
    pub fn ou_id(self, root_id: &str, scope: &str) -> String {
        let root = root_id.trim_start_matches("r-");
        format!("ou-{root}-{}", self.chars("ou", scope, LOWER36, 8))
    }

    /// An S3 canonical user id: 64 hex digits.
    pub fn canonical_user_id(self, scope: &str) -> String {
        self.chars("canonical", scope, HEX, 64)
    }

    /// Lowercase hex digits of the given length (request ids).
    pub fn opaque_hex(self, kind: &str, scope: &str, len: usize) -> String {
        self.chars(kind, scope, HEX, len)
    }

    /// A UUID-shaped id (`8-4-4-4-12` lowercase hex digits): ECS credentials ids, pod UIDs.
    ///
    /// ```
    /// let id = iamsim::model::Ids::new(0).uuid("pod-uid", "prod/web");
    /// assert_eq!(id.len(), 36);
    /// assert_eq!(id.matches('-').count(), 4);
    /// ```
    pub fn uuid(self, kind: &str, scope: &str) -> String {
        let hex = self.chars(kind, scope, HEX, 32);
        let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
        format!("{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
    }

    /// Opaque text of the given length (session tokens, MFA seeds), in base64 characters.
    pub fn opaque(self, kind: &str, scope: &str, len: usize) -> String {
        self.chars(kind, scope, BASE64, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_aws() {
        let ids = Ids::new(1);
        let key = ids.access_key_id("AKIA", "user/1/alice/0");
        assert_eq!(key.len(), 20);
        assert!(key.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
        assert_eq!(ids.secret("x").len(), 40);
        let instance = ids.instance_id("web-1");
        assert_eq!(instance.len(), 19);
        assert!(instance.starts_with("i-"));
        assert!(ids.ou_id("r-ab12", "prod").starts_with("ou-ab12-"));
        assert_eq!(ids.canonical_user_id("1").len(), 64);
    }

    #[test]
    fn values_are_pinned() {
        // Any change to the derivation changes every id, key, token and snapshot of every user.
        let ids = Ids::new(DEFAULT_SEED);
        assert_eq!(ids.opaque_hex("request", "1", 32), "f204d651a34ae8c67cdfba40aaa6ee8f");
        assert_eq!(ids.organization_id("org"), "o-hvufa5r4zs");
        let token = ids.opaque("token", "session/0", 339);
        assert_eq!(token.len(), 339);
        assert_eq!(&token[..40], "VuHR5HKHe3BQsDaQaae1LGwd3N1aoiQUY15Yi5H1");
        assert_eq!(&token[320..], "keRn7LwR9IYEAvWgvdx");
        assert_eq!(ids.access_key_id("AKIA", "111111111111/mallory/0"), "AKIA46PLVAXRS45IGEJA");
    }

    #[test]
    fn block_hashes_are_sha256_of_the_message() {
        for scope in [
            "",
            "x",
            "session/12345",
            &"s".repeat(36),
            &"s".repeat(37),
            &"s".repeat(38),
            &"s".repeat(39),
            &"s".repeat(40),
            &"s".repeat(41),
            &"long".repeat(30),
        ] {
            for kind in ["token", "AKIA", "request"] {
                let mut hasher = BlockHasher::new(7, kind, scope);
                for counter in [0u32, 1, 10, 0x0102_0304] {
                    let mut message = 7u64.to_be_bytes().to_vec();
                    message.extend_from_slice(kind.as_bytes());
                    message.push(0);
                    message.extend_from_slice(scope.as_bytes());
                    message.extend_from_slice(&counter.to_be_bytes());
                    let expected: [u8; 32] = Sha256::digest(&message).into();
                    assert_eq!(hasher.digest(counter), expected, "{kind} {scope} {counter}");
                }
            }
        }
    }

    #[test]
    fn scopes_are_independent() {
        let ids = Ids::new(DEFAULT_SEED);
        assert_ne!(ids.unique_id("AIDA", "user/1/alice"), ids.unique_id("AIDA", "user/1/bob"));
        // The kind takes part in the hash: a user and a role of the same name differ.
        assert_ne!(ids.unique_id("AIDA", "a")[4..], ids.unique_id("AROA", "a")[4..]);
    }
}
