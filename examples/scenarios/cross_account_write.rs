//! Dev to Prod: Alice, an IAM user of the Dev account, ships releases to Prod by assuming Prod's
//! `WriteAccess` role. Both sides must agree — Dev's policy lets Alice call `sts:AssumeRole` on
//! the role, Prod's trust policy trusts the Dev account — so Bob, trusted by Prod but granted
//! nothing by Dev, cannot. The session is obtained as an application obtains it: aws-config's
//! `AssumeRoleProvider`, source credentials Alice's access key.

use aws_sdk_s3::primitives::ByteStream;

use crate::report::{Error, Report, outcome};

const WRITE_ACCESS: &str = "arn:aws:iam::222222222222:role/WriteAccess";

/// Runs the scenario on `examples/fixtures/cross-account.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/cross-account.yaml"))?;
    let mut report = Report::new("Dev to Prod: Alice assumes WriteAccess and ships a release");

    let alice = world.sdk_config(world.user_credentials("111111111111", "alice"));
    let provider = aws_config::sts::AssumeRoleProvider::builder(WRITE_ACCESS)
        .session_name("alice")
        .configure(&alice)
        .build()
        .await;
    let provider = aws_credential_types::provider::SharedCredentialsProvider::new(provider);
    let prod = world.s3_client(provider.clone());
    let me = outcome(world.sts_client(provider).get_caller_identity().send().await, |me| {
        me.arn().unwrap_or_default().to_owned()
    });
    report.fact(
        "Alice's AssumeRoleProvider gives a WriteAccess session in Prod",
        &format!("{me:?}"),
        me.as_deref() == Ok("arn:aws:sts::222222222222:assumed-role/WriteAccess/alice"),
    );
    let put =
        prod.put_object().bucket("prod-releases").key("v2/app.tar.gz").body(ByteStream::from_static(b"release 2"));
    report.allowed(
        "As WriteAccess she uploads s3://prod-releases/v2/app.tar.gz",
        &outcome(put.send().await, |out| format!("ETag {}", out.e_tag().unwrap_or_default())),
    );
    let get = prod.get_object().bucket("prod-releases").key("v2/app.tar.gz").send().await;
    report.allowed(
        "She reads it back",
        &outcome(get, |out| format!("{} bytes", out.content_length().unwrap_or_default())),
    );
    let delete = prod.delete_object().bucket("prod-releases").key("v2/app.tar.gz").send().await;
    report.denied(
        "She may not delete a release (WriteReleases grants put and get)",
        "AccessDenied",
        &outcome(delete, |_| "deleted".to_owned()),
    );

    let bob = world.sts_client(world.user_credentials("111111111111", "bob"));
    let assumed = bob.assume_role().role_arn(WRITE_ACCESS).role_session_name("bob").send().await;
    report.denied(
        "Bob, trusted by Prod but granted nothing by Dev, may not assume WriteAccess",
        "AccessDenied",
        &outcome(assumed, |_| "a session".to_owned()),
    );
    let bob_s3 = world.s3_client(world.user_credentials("111111111111", "bob"));
    let put =
        bob_s3.put_object().bucket("prod-releases").key("v2/app.tar.gz").body(ByteStream::from_static(b"tampered"));
    report.denied(
        "Nor write to Prod's bucket with his own key",
        "AccessDenied",
        &outcome(put.send().await, |_| "stored".to_owned()),
    );
    Ok(report)
}
