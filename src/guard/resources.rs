//! The resource a query or JSON request acts on, for the services whose requests name it in a
//! well-known parameter. Every other request is authorized on `*` unless the guard's resource
//! function names it.
//!
//! - SQS: `QueueUrl` (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or the mock server's
//!   `http://127.0.0.1:PORT/ACCOUNT/NAME`) → `arn:aws:sqs:REGION:ACCOUNT:NAME`; `QueueName`
//!   (CreateQueue, GetQueueUrl) → the queue in `QueueOwnerAWSAccountId` or the caller's account.
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html>
//! - SNS: `TopicArn` or `TargetArn` as given; `Name` (CreateTopic) → the caller's topic.
//! - DynamoDB: `TableName` (a name, or an ARN since DynamoDB accepts both) →
//!   `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`.

use super::GuardRequest;

/// The resource ARN a request of a well-known service names, if any.
pub(crate) fn default_resource(request: &GuardRequest) -> Option<String> {
    let (region, account) = (request.region(), request.account().unwrap_or_default());
    match request.service() {
        "sqs" => {
            if let Some(url) = request.param("QueueUrl") {
                return sqs_queue_arn(&url, region);
            }
            let name = request.param("QueueName")?;
            let owner = request.param("QueueOwnerAWSAccountId");
            Some(format!("arn:aws:sqs:{region}:{}:{name}", owner.as_deref().unwrap_or(account)))
        }
        "sns" => {
            if let Some(arn) = request.param("TopicArn").or_else(|| request.param("TargetArn")) {
                return Some(arn.into_owned());
            }
            (request.operation() == "CreateTopic")
                .then(|| request.param("Name"))
                .flatten()
                .map(|name| format!("arn:aws:sns:{region}:{account}:{name}"))
        }
        "dynamodb" => {
            let table = request.param("TableName")?;
            if table.starts_with("arn:") {
                return Some(table.into_owned());
            }
            Some(format!("arn:aws:dynamodb:{region}:{account}:table/{table}"))
        }
        _ => None,
    }
}

/// `…/ACCOUNT/NAME` → `arn:aws:sqs:REGION:ACCOUNT:NAME`.
fn sqs_queue_arn(url: &str, region: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, path)| path));
    let mut parts = path.trim_matches('/').rsplit('/');
    let name = parts.next().filter(|n| !n.is_empty())?;
    let account = parts.next().filter(|a| !a.is_empty())?;
    Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_of_aws_and_of_a_mock_server_name_the_same_queue() {
        for url in
            ["https://sqs.us-east-1.amazonaws.com/111111111111/orders", "http://127.0.0.1:4566/111111111111/orders/"]
        {
            assert_eq!(sqs_queue_arn(url, "us-east-1").as_deref(), Some("arn:aws:sqs:us-east-1:111111111111:orders"));
        }
        assert_eq!(sqs_queue_arn("http://127.0.0.1:4566/orders", "us-east-1"), None);
        assert_eq!(sqs_queue_arn("http://127.0.0.1:4566/", "us-east-1"), None);
    }
}
