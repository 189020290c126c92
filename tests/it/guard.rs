//! The wiremock guard: services iamsim does not model, stubbed with wiremock, with the world
//! checking signatures and policies. The seed's SQS story (an EC2 instance's role sends to a
//! queue) with a real aws-sdk-sqs client; SNS (awsQuery) and Lambda (a REST route) with requests
//! signed by aws-sigv4, as an SDK signs them.

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use iamsim::World;
use iamsim::guard::IamGuard;
use iamsim::live::LogEntry;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURE: &str = "tests/fixtures/guard/sqs-worker.yaml";
const DEV: &str = "111111111111";

/// SendMessage's reply (the MD5 of `order 1`), as SQS's JSON protocol answers it.
const SENT: &str =
    r#"{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"ce2e0ab0a3a85e2d2e6bd4c9f5c2f3a2"}"#;

fn world() -> World {
    World::from_fixture(FIXTURE).unwrap()
}

/// The instance role's credentials, as aws-config's IMDS provider gets them from the world.
async fn worker_credentials(world: &World) -> Credentials {
    world.instance("worker-1").credentials_provider().provide_credentials().await.unwrap()
}

/// A real SQS client on the world's clock, talking plain HTTP to the mock server.
fn sqs_client(world: &World, credentials: Credentials, server: &MockServer) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::config::Builder::from(&world.sdk_config(credentials))
        .endpoint_url(server.uri())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A mock server with the guard mounted, and the test's own SendMessage mock behind it.
async fn sqs_server(guard: &IamGuard) -> MockServer {
    let server = MockServer::start().await;
    guard.mount(&server).await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AmazonSQS.SendMessage"))
        .and(guard.allowed())
        .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(SENT, "application/x-amz-json-1.0")))
        .named("SendMessage")
        .mount(&server)
        .await;
    server
}

fn entries(world: &World, service: &str) -> Vec<LogEntry> {
    world.access_log().entries().iter().filter(|e| e.service == service).cloned().collect()
}

#[tokio::test]
async fn an_ec2_role_sends_to_its_queue_and_nothing_else() {
    let world = world();
    let guard = IamGuard::new(&world);
    let server = sqs_server(&guard).await;
    let instance_id = world.instance("worker-1").id().to_owned();
    let sqs = sqs_client(&world, worker_credentials(&world).await, &server);
    let orders = format!("{}/{DEV}/orders", server.uri());

    let sent = sqs.send_message().queue_url(&orders).message_body("order 1").send().await.unwrap();
    assert_eq!(sent.message_id(), Some("5fea7756-0ea4-451a-a703-a558b933e274"));

    let deleted = sqs.delete_queue().queue_url(&orders).send().await.unwrap_err();
    assert_eq!(deleted.code(), Some("AccessDenied"), "{deleted:?}");
    let session = format!("arn:aws:sts::{DEV}:assumed-role/worker/{instance_id}");
    assert_eq!(
        deleted.message(),
        Some(
            format!(
                "User: {session} is not authorized to perform: sqs:deletequeue on resource: \
                 arn:aws:sqs:us-east-1:{DEV}:orders because no identity-based policy allows the sqs:deletequeue action"
            )
            .as_str()
        )
    );
    let elsewhere = format!("{}/{DEV}/payments", server.uri());
    let other = sqs.send_message().queue_url(&elsewhere).message_body("order 2").send().await.unwrap_err();
    assert_eq!(other.code(), Some("AccessDenied"));
    assert!(other.message().unwrap().contains(&format!("arn:aws:sqs:us-east-1:{DEV}:payments")));

    // One entry per request, with the caller, the action, the resource and the decision.
    let log = entries(&world, "sqs");
    let lines: Vec<String> = log.iter().map(ToString::to_string).collect();
    let n = |i: usize| log[i].request;
    assert_eq!(
        lines,
        [
            format!(
                "#{} sqs SendMessage {session} 200 allow sqs:SendMessage on arn:aws:sqs:us-east-1:{DEV}:orders",
                n(0)
            ),
            format!(
                "#{} sqs DeleteQueue {session} 403 AccessDenied implicit_deny sqs:DeleteQueue on arn:aws:sqs:us-east-1:{DEV}:orders",
                n(1)
            ),
            format!(
                "#{} sqs SendMessage {session} 403 AccessDenied implicit_deny sqs:SendMessage on arn:aws:sqs:us-east-1:{DEV}:payments",
                n(2)
            ),
        ]
    );
    assert!(log.iter().all(|e| e.access_key_id.as_deref().is_some_and(|k| k.starts_with("ASIA"))));
    // The test's own mock answered the allowed request only.
    let answered: Vec<_> = server.received_requests().await.unwrap();
    assert_eq!(answered.len(), 3);
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_yaml_snapshot!("guard_sqs_access_log", log);
    });
}
