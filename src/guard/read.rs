//! What the guard reads from a request before it knows who sent it: the protocol, the
//! operation and its parameters.
//!
//! - awsJson 1.0/1.1: `X-Amz-Target: <Service>.<Operation>` and a JSON object body
//!   (<https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html>).
//! - awsQuery: `Action=<Operation>` in a form body or in the query string
//!   (<https://smithy.io/2.0/aws/protocols/aws-query-protocol.html>).
//! - Anything else is REST: the operation comes from a [`Route`](super::Route).

use std::borrow::Cow;

use super::Protocol;

/// The parameters of a query or JSON request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Params {
    /// Form pairs from the body and the query string, in that order.
    Form(Vec<(String, String)>),
    /// The JSON body (an object, or `Null` when it is not JSON).
    Json(serde_json::Value),
    /// No parameters the guard reads (REST).
    #[default]
    None,
}

impl Params {
    /// A parameter as text: the first form pair of that name, or a top-level JSON string (or
    /// number) member.
    pub(crate) fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        match self {
            Params::Form(pairs) => pairs.iter().find(|(n, _)| n == name).map(|(_, v)| Cow::Borrowed(v.as_str())),
            Params::Json(value) => match value.get(name)? {
                serde_json::Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
                _ => None,
            },
            Params::None => None,
        }
    }
}

/// A query or JSON request's protocol, operation and parameters; `None` for REST.
pub(crate) fn read(headers: &http::HeaderMap, query: Option<&str>, body: &[u8]) -> Option<(Protocol, String, Params)> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(target) = header("x-amz-target") {
        let protocol = match header("content-type") {
            Some(t) if t.contains("json-1.1") => Protocol::AwsJson11,
            _ => Protocol::AwsJson10,
        };
        // `AmazonSQS.SendMessage`, `DynamoDB_20120810.PutItem`: the operation follows the last dot.
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        let params = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
        return Some((protocol, operation, Params::Json(params)));
    }
    let form_body = header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let mut pairs: Vec<(String, String)> = Vec::new();
    if form_body {
        pairs.extend(form_urlencoded::parse(body).into_owned());
    }
    if let Some(query) = query {
        pairs.extend(form_urlencoded::parse(query.as_bytes()).into_owned());
    }
    let operation = pairs.iter().find(|(n, _)| n == "Action").map(|(_, v)| v.clone())?;
    Some((Protocol::AwsQuery, operation, Params::Form(pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
        pairs.iter().map(|(n, v)| (http::HeaderName::from_static(n), http::HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn json_requests_name_the_operation_in_the_target_header() {
        let h = headers(&[("x-amz-target", "AmazonSQS.SendMessage"), ("content-type", "application/x-amz-json-1.0")]);
        let (protocol, operation, params) =
            read(&h, None, br#"{"QueueUrl":"http://q/1/orders","DelaySeconds":5}"#).unwrap();
        assert_eq!((protocol, operation.as_str()), (Protocol::AwsJson10, "SendMessage"));
        assert_eq!(params.get("QueueUrl").as_deref(), Some("http://q/1/orders"));
        assert_eq!(params.get("DelaySeconds").as_deref(), Some("5"));
        assert_eq!(params.get("Missing"), None);

        let h =
            headers(&[("x-amz-target", "DynamoDB_20120810.PutItem"), ("content-type", "application/x-amz-json-1.1")]);
        let (protocol, operation, params) = read(&h, None, b"not json").unwrap();
        assert_eq!(
            (protocol, operation.as_str(), params),
            (Protocol::AwsJson11, "PutItem", Params::Json(serde_json::Value::Null))
        );
    }

    #[test]
    fn query_requests_name_it_in_the_form_or_the_query_string() {
        let form = headers(&[("content-type", "application/x-www-form-urlencoded; charset=utf-8")]);
        let (protocol, operation, params) =
            read(&form, None, b"Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At").unwrap();
        assert_eq!((protocol, operation.as_str()), (Protocol::AwsQuery, "Publish"));
        assert_eq!(params.get("TopicArn").as_deref(), Some("arn:aws:sns:us-east-1:1:t"));
        let (_, operation, _) = read(&http::HeaderMap::new(), Some("Action=ListTopics"), b"").unwrap();
        assert_eq!(operation, "ListTopics");
        // A form body is read only when it says it is one.
        assert_eq!(read(&http::HeaderMap::new(), None, b"Action=Publish"), None);
        assert_eq!(read(&http::HeaderMap::new(), Some("x=1"), b""), None);
    }
}
