//! The seed's SQS story with the wiremock guard: an application on EC2 sends orders to a queue
//! through its instance role. iamsim does not model SQS; a wiremock mock answers SendMessage,
//! and the guard in front of it checks the signature and the role's policies, refuses what they
//! do not allow as SQS would, and logs every request.
//!
//! ```text
//! cargo run --example sqs_guard --features wiremock
//! ```

use std::process::ExitCode;

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use iamsim::World;
use iamsim::guard::IamGuard;
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURE: &str = "tests/fixtures/guard/sqs-worker.yaml";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let world = World::from_fixture(FIXTURE)?;

    // The mock server: the guard first, then the application's one SQS operation.
    let server = MockServer::start().await;
    let guard = IamGuard::new(&world);
    guard.mount(&server).await;
    Mock::given(header("x-amz-target", "AmazonSQS.SendMessage"))
        .and(guard.allowed())
        .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(
            r#"{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"ce2e0ab0a3a85e2d2e6bd4c9f5c2f3a2"}"#,
            "application/x-amz-json-1.0",
        )))
        .mount(&server)
        .await;

    // The application: the instance role's credentials from the metadata service, and an SQS
    // client pointed at the mock server.
    let credentials = world.instance("worker-1").credentials_provider().provide_credentials().await?;
    let config = aws_sdk_sqs::config::Builder::from(&world.sdk_config(credentials))
        .endpoint_url(server.uri())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let sqs = aws_sdk_sqs::Client::from_conf(config);
    let orders = format!("{}/111111111111/orders", server.uri());

    let sent = sqs.send_message().queue_url(&orders).message_body("order 1").send().await;
    println!("SendMessage to orders: {}", sent.as_ref().map_or("refused", |_| "sent"));
    let deleted = sqs.delete_queue().queue_url(&orders).send().await;
    match &deleted {
        Ok(_) => println!("DeleteQueue orders: deleted"),
        Err(e) => println!("DeleteQueue orders: {} — {}", e.code().unwrap_or("?"), e.message().unwrap_or("")),
    }

    println!("\naccess log:");
    for entry in world.access_log().entries() {
        println!("  {entry}");
    }
    let as_expected = sent.is_ok() && deleted.is_err_and(|e| e.code() == Some("AccessDenied"));
    Ok(if as_expected { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
