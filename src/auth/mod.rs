//! TEMP STUB
#![allow(missing_docs, unreachable_pub, dead_code)]
use std::time::SystemTime;
pub enum CanonicalUri { S3, Standard }
pub struct CredentialScope { pub date: String, pub region: String, pub service: String }
pub struct SignedRequest { pub access_key_id: String, pub scope: CredentialScope, pub security_token: Option<String> }
#[derive(Debug)]
pub struct AuthError;
pub struct AwsError { pub status: u16, pub code: &'static str, pub message: String }
impl AuthError { pub fn aws_error(&self, _s: &str) -> AwsError { AwsError { status: 403, code: "X", message: String::new() } } }
pub fn parse(_p: &http::request::Parts) -> Result<Option<SignedRequest>, AuthError> { Ok(None) }
pub fn verify(_s: &SignedRequest, _p: &http::request::Parts, _b: &[u8], _secret: &str, _u: CanonicalUri) -> Result<(), AuthError> { Ok(()) }
pub fn check_time(_s: &SignedRequest, _now: SystemTime) -> Result<(), AuthError> { Ok(()) }
