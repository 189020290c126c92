//! STS errors: the code, HTTP status and message AWS answers, written as awsQuery's
//! `<ErrorResponse><Error>` so the SDKs' typed errors and `.code()` work.
//!
//! Codes and statuses are from the STS API Reference ("Common Errors" and each operation's
//! "Errors" section): <https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html>.

use std::fmt;

use crate::xml::XmlWriter;

/// One STS error as AWS answers it.
///
/// ```
/// use iamsim::sts::StsError;
///
/// let error = StsError::access_denied("User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole");
/// assert_eq!((error.status, error.code, error.sender), (403, "AccessDenied", true));
/// assert!(error.to_string().starts_with("AccessDenied (403): User: "));
/// let xml = String::from_utf8(error.to_xml("req-1")).unwrap();
/// assert!(xml.contains("<Code>AccessDenied</Code>"), "{xml}");
/// assert!(xml.contains("<RequestId>req-1</RequestId>"), "{xml}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsError {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`AccessDenied`, `ValidationError`, …).
    pub code: &'static str,
    /// The message, worded as AWS words it.
    pub message: String,
    /// `Sender` (the caller's fault) or `Receiver`.
    pub sender: bool,
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl StsError {
    fn sender(status: u16, code: &'static str, message: impl Into<String>) -> StsError {
        StsError { status, code, message: message.into(), sender: true }
    }

    /// 403 `AccessDenied`.
    pub fn access_denied(message: impl Into<String>) -> StsError {
        StsError::sender(403, "AccessDenied", message)
    }

    /// 400 `ValidationError`, for parameter constraints ("1 validation error detected: …").
    pub fn validation(message: impl Into<String>) -> StsError {
        StsError::sender(400, "ValidationError", message)
    }

    /// 400 `InvalidParameterValue`.
    pub fn invalid_parameter(message: impl Into<String>) -> StsError {
        StsError::sender(400, "InvalidParameterValue", message)
    }

    /// 400 `MalformedPolicyDocument`: a session policy that is not valid.
    pub fn malformed_policy(message: impl Into<String>) -> StsError {
        StsError::sender(400, "MalformedPolicyDocument", message)
    }

    /// 400 `PackedPolicyTooLarge`.
    pub fn packed_policy_too_large(percent: u64) -> StsError {
        StsError::sender(
            400,
            "PackedPolicyTooLarge",
            format!("Packed policy consumes {percent}% of allotted space, please use smaller policy."),
        )
    }

    /// 403 `InvalidClientTokenId`: an access key or session token the world never issued.
    pub fn invalid_client_token() -> StsError {
        StsError::sender(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    }

    /// 400 `ExpiredToken`: temporary credentials past their expiration.
    pub fn expired_token() -> StsError {
        StsError::sender(400, "ExpiredToken", "The security token included in the request is expired")
    }

    /// 403 `MissingAuthenticationToken`: an unsigned request to an operation that needs a
    /// signature.
    pub fn missing_authentication() -> StsError {
        StsError::sender(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    }

    /// 400 `InvalidAction`.
    pub fn invalid_action(action: &str) -> StsError {
        StsError::sender(400, "InvalidAction", format!("Could not find operation {action} for version 2011-06-15"))
    }

    /// 400 `InvalidIdentityToken` (web identity and SAML).
    pub fn invalid_identity_token(message: impl Into<String>) -> StsError {
        StsError::sender(400, "InvalidIdentityToken", message)
    }

    /// An error with any code (from the SigV4 verifier or an identity provider).
    pub fn other(status: u16, code: &'static str, message: impl Into<String>) -> StsError {
        StsError::sender(status, code, message)
    }

    /// The `<ErrorResponse>` document.
    pub fn to_xml(&self, request_id: &str) -> Vec<u8> {
        let mut xml = XmlWriter::new();
        xml.element_ns("ErrorResponse", super::NAMESPACE, |x| {
            x.element("Error", |x| {
                x.leaf("Type", if self.sender { "Sender" } else { "Receiver" });
                x.leaf("Code", self.code);
                x.leaf("Message", &self.message);
            });
            x.leaf("RequestId", request_id);
        });
        xml.finish()
    }
}

/// Collects parameter-constraint failures and words them as AWS does:
/// `2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint:
/// Member must have length greater than or equal to 2; …`.
#[derive(Debug, Default)]
pub(crate) struct Validation {
    failures: Vec<String>,
}

impl Validation {
    pub(crate) fn fail(&mut self, value: Option<&str>, member: &str, constraint: impl fmt::Display) {
        let value = match value {
            Some(v) => format!("'{v}'"),
            None => "null".to_owned(),
        };
        self.failures.push(format!("Value {value} at '{member}' failed to satisfy constraint: Member {constraint}"));
    }

    /// `Member must have length …` for text outside `min..=max` characters.
    pub(crate) fn length(&mut self, value: &str, member: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min {
            self.fail(Some(value), member, format!("must have length greater than or equal to {min}"));
        } else if n > max {
            self.fail(Some(value), member, format!("must have length less than or equal to {max}"));
        }
    }

    /// `Member must satisfy regular expression pattern: …`, the pattern given as AWS prints it
    /// and the check as a predicate on each character.
    pub(crate) fn pattern(&mut self, value: &str, member: &str, pattern: &str, allowed: impl Fn(char) -> bool) {
        if !value.chars().all(allowed) {
            self.fail(Some(value), member, format!("must satisfy regular expression pattern: {pattern}"));
        }
    }

    /// `Member must have value …` for a number outside `min..=max`.
    pub(crate) fn range(&mut self, value: i64, member: &str, min: i64, max: i64) {
        let text = value.to_string();
        if value < min {
            self.fail(Some(&text), member, format!("must have value greater than or equal to {min}"));
        } else if value > max {
            self.fail(Some(&text), member, format!("must have value less than or equal to {max}"));
        }
    }

    /// Whether any constraint failed so far.
    pub(crate) fn has_failures(&self) -> bool {
        !self.failures.is_empty()
    }

    pub(crate) fn finish(self) -> Result<(), StsError> {
        match self.failures.len() {
            0 => Ok(()),
            1 => Err(StsError::validation(format!("1 validation error detected: {}", self.failures.join("; ")))),
            n => Err(StsError::validation(format!("{n} validation errors detected: {}", self.failures.join("; ")))),
        }
    }
}

/// `[\w+=,.@-]`: role session names, source identities, federated user names.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}
