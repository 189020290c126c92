//! Why the guard refused a request, and how the service's protocol words it.
//!
//! Every refusal has an awsQuery code, status and message (the AWS front end's, which STS and
//! SQS share: [`AuthError::aws_error`] for signature failures). The other protocols carry the
//! same failure in their own shape:
//!
//! - awsQuery: `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/>`.
//! - awsJson: `{"__type": "com.amazon.coral.service#<Name>Exception", "message": …}`, status 400
//!   as DynamoDB documents for its authentication and authorization errors
//!   (<https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html>).
//!   A service that moved from awsQuery to JSON (SQS) keeps the query status and adds
//!   `x-amzn-query-error: <query code>;Sender`, from which the SDKs take the error code
//!   (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html>;
//!   aws-sdk-sqs `aws_query_compatible_errors.rs`), so `err.code()` is `AccessDenied` as with
//!   the query protocol.
//! - REST-JSON: `x-amzn-ErrorType: <Name>Exception` and `{"Message": …}` (Lambda's answer to a
//!   denied Invoke).
//! - REST-XML: the same fields as awsQuery in `<ErrorResponse>`, or in a bare `<Error>` for
//!   services that do not wrap errors (S3's style).

use crate::auth::AuthError;
use crate::xml::XmlWriter;

use super::Protocol;

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The signature is malformed, wrong or out of time.
    Signature(AuthError),
    /// The request is not signed.
    MissingAuthentication,
    /// The access key is unknown or inactive, or the session token is not the one issued with it.
    InvalidClientTokenId,
    /// Temporary credentials past their expiry.
    ExpiredToken,
    /// The world's policies do not allow the action.
    AccessDenied(String),
    /// The guard cannot tell which operation the request is (a REST request no route matches).
    UnknownOperation(String),
    /// The world could not decide (a caller it no longer has).
    Internal(String),
}

/// A refusal as the protocol puts it on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The code the access log records (and most SDKs report): the query code, or the JSON
    /// exception name for JSON services without query compatibility.
    pub(crate) code: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Refusal {
    /// awsQuery's status, code and message, and whether it is the sender's fault.
    fn query(&self) -> (u16, &'static str, String, bool) {
        match self {
            Refusal::Signature(e) => {
                let aws = e.aws_error("sts");
                (aws.status, aws.code, aws.message, true)
            }
            // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
            Refusal::MissingAuthentication => {
                (403, "MissingAuthenticationToken", "Request is missing Authentication Token".to_owned(), true)
            }
            Refusal::InvalidClientTokenId => {
                (403, "InvalidClientTokenId", "The security token included in the request is invalid.".to_owned(), true)
            }
            Refusal::ExpiredToken => {
                (400, "ExpiredToken", "The security token included in the request is expired".to_owned(), true)
            }
            Refusal::AccessDenied(message) => (403, "AccessDenied", message.clone(), true),
            Refusal::UnknownOperation(what) => (
                400,
                "InvalidAction",
                format!(
                    "The action or operation requested is invalid. Verify that the action is typed correctly. ({what})"
                ),
                true,
            ),
            Refusal::Internal(message) => (500, "InternalFailure", message.clone(), false),
        }
    }

    /// The JSON protocols' exception name for a query code.
    fn json_name(code: &str) -> &'static str {
        match code {
            "AccessDenied" => "AccessDeniedException",
            "InvalidClientTokenId" => "UnrecognizedClientException",
            "SignatureDoesNotMatch" => "InvalidSignatureException",
            "IncompleteSignature" => "IncompleteSignatureException",
            "ExpiredToken" => "ExpiredTokenException",
            "MissingAuthenticationToken" => "MissingAuthenticationTokenException",
            "InvalidAction" => "UnknownOperationException",
            _ => "InternalFailure",
        }
    }

    /// The answer in `protocol`; `query_compatible` for JSON services that were awsQuery ones.
    pub(crate) fn answer(&self, protocol: Protocol, query_compatible: bool, request_id: &str) -> Answer {
        let (status, code, message, sender) = self.query();
        let fault = if sender { "Sender" } else { "Receiver" };
        let mut headers = vec![("x-amzn-requestid", request_id.to_owned())];
        let xml_fields = |x: &mut XmlWriter| {
            x.leaf("Type", fault);
            x.leaf("Code", code);
            x.leaf("Message", &message);
        };
        let (status, log_code, body) = match protocol {
            Protocol::AwsQuery | Protocol::RestXml => {
                headers.push(("content-type", "text/xml".to_owned()));
                let mut xml = XmlWriter::new();
                xml.element("ErrorResponse", |x| {
                    x.element("Error", xml_fields);
                    x.leaf("RequestId", request_id);
                });
                (status, code.to_owned(), xml.finish())
            }
            Protocol::RestXmlUnwrapped => {
                headers.push(("content-type", "application/xml".to_owned()));
                let mut xml = XmlWriter::new();
                xml.element("Error", |x| {
                    x.leaf("Code", code);
                    x.leaf("Message", &message);
                    x.leaf("RequestId", request_id);
                });
                (status, code.to_owned(), xml.finish())
            }
            Protocol::AwsJson10 | Protocol::AwsJson11 => {
                let name = Refusal::json_name(code);
                let content_type = if protocol == Protocol::AwsJson11 { "1.1" } else { "1.0" };
                headers.push(("content-type", format!("application/x-amz-json-{content_type}")));
                let body =
                    serde_json::json!({"__type": format!("com.amazon.coral.service#{name}"), "message": message});
                if query_compatible {
                    headers.push(("x-amzn-query-error", format!("{code};{fault}")));
                    (status, code.to_owned(), body.to_string().into_bytes())
                } else {
                    (if sender { 400 } else { status }, name.to_owned(), body.to_string().into_bytes())
                }
            }
            Protocol::RestJson => {
                let name = Refusal::json_name(code);
                headers.push(("content-type", "application/json".to_owned()));
                headers.push(("x-amzn-errortype", name.to_owned()));
                (status, name.to_owned(), serde_json::json!({"Message": message}).to_string().into_bytes())
            }
        };
        Answer { status, code: log_code, headers, body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(answer: &Answer) -> String {
        String::from_utf8(answer.body.clone()).unwrap()
    }

    #[test]
    fn access_denied_in_every_protocol() {
        let denied = Refusal::AccessDenied("User: u is not authorized".to_owned());
        let query = denied.answer(Protocol::AwsQuery, false, "rid");
        assert_eq!((query.status, query.code.as_str()), (403, "AccessDenied"));
        assert_eq!(
            text(&query),
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: u is not authorized</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
        );

        let sqs = denied.answer(Protocol::AwsJson10, true, "rid");
        assert_eq!((sqs.status, sqs.code.as_str()), (403, "AccessDenied"));
        assert!(sqs.headers.contains(&("x-amzn-query-error", "AccessDenied;Sender".to_owned())));
        assert!(sqs.headers.contains(&("content-type", "application/x-amz-json-1.0".to_owned())));
        assert_eq!(
            text(&sqs),
            r#"{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User: u is not authorized"}"#
        );

        let dynamodb = denied.answer(Protocol::AwsJson10, false, "rid");
        assert_eq!((dynamodb.status, dynamodb.code.as_str()), (400, "AccessDeniedException"));
        assert!(!dynamodb.headers.iter().any(|(n, _)| *n == "x-amzn-query-error"));

        let lambda = denied.answer(Protocol::RestJson, false, "rid");
        assert_eq!((lambda.status, text(&lambda).as_str()), (403, r#"{"Message":"User: u is not authorized"}"#));
        assert!(lambda.headers.contains(&("x-amzn-errortype", "AccessDeniedException".to_owned())));

        let bare = denied.answer(Protocol::RestXmlUnwrapped, false, "rid");
        assert_eq!(
            text(&bare),
            "<Error><Code>AccessDenied</Code><Message>User: u is not authorized</Message><RequestId>rid</RequestId></Error>"
        );
    }

    #[test]
    fn authentication_failures_keep_their_codes() {
        let unknown = Refusal::InvalidClientTokenId.answer(Protocol::AwsJson10, true, "rid");
        assert_eq!((unknown.status, unknown.code.as_str()), (403, "InvalidClientTokenId"));
        assert!(text(&unknown).contains("com.amazon.coral.service#UnrecognizedClientException"));
        let expired = Refusal::ExpiredToken.answer(Protocol::AwsJson11, false, "rid");
        assert_eq!((expired.status, expired.code.as_str()), (400, "ExpiredTokenException"));
        let internal = Refusal::Internal("boom".into()).answer(Protocol::AwsJson10, true, "rid");
        assert!(internal.headers.contains(&("x-amzn-query-error", "InternalFailure;Receiver".to_owned())));
        assert_eq!(internal.status, 500);
    }
}
