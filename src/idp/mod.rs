//! TEMP STUB
#![allow(missing_docs, unreachable_pub, dead_code)]
pub struct Totp;
impl Totp { pub fn from_base32(_s: &str) -> Result<Totp, String> { Ok(Totp) } pub fn verify(&self, _c: &str, _t: std::time::SystemTime) -> bool { true } }
