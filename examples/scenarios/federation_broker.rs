//! A federation broker: an application signs people in its own way and, with its own IAM user,
//! calls `GetFederationToken` for each of them with a session policy scoped to their folder. The
//! federated user gets the intersection of the broker's permissions and the session policy:
//! their own folder, not another's, and nothing the broker itself may not do.

use aws_sdk_s3::primitives::ByteStream;

use crate::report::{Error, Outcome, Report, outcome, session_credentials};

/// The session policy the broker passes for one person: their own folder, read, write and
/// delete (the broker's own policy does not allow delete, so neither does the session).
fn folder_policy(user: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": format!("arn:aws:s3:::documents/{user}/*"),
        }]
    })
    .to_string()
}

async fn read(s3: &aws_sdk_s3::Client, key: &str) -> Outcome {
    outcome(s3.get_object().bucket("documents").key(key).send().await, |out| {
        format!("{} bytes", out.content_length().unwrap_or_default())
    })
}

/// Runs the scenario on `examples/fixtures/federation-broker.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/federation-broker.yaml"))?;
    let mut report = Report::new("A federation broker hands out GetFederationToken credentials");
    let broker = world.sts_client(world.user_credentials("111111111111", "broker"));

    let issued =
        broker.get_federation_token().name("alice").policy(folder_policy("alice")).duration_seconds(3600).send().await;
    let credentials = issued.as_ref().ok().and_then(|out| out.credentials()).map(session_credentials);
    report.allowed(
        "The broker gets federated credentials for alice, scoped to documents/alice/",
        &outcome(issued, |out| out.federated_user().map(|u| u.arn().to_owned()).unwrap_or_default()),
    );
    let Some(credentials) = credentials else { return Ok(report) };
    let me = outcome(world.sts_client(credentials.clone()).get_caller_identity().send().await, |me| {
        me.arn().unwrap_or_default().to_owned()
    });
    report.fact(
        "Signed with them, alice is arn:aws:sts::111111111111:federated-user/alice",
        &format!("{me:?}"),
        me.as_deref() == Ok("arn:aws:sts::111111111111:federated-user/alice"),
    );
    let alice = world.s3_client(credentials.clone());
    report.allowed("Federated alice reads documents/alice/plan.txt", &read(&alice, "alice/plan.txt").await);
    let put = alice.put_object().bucket("documents").key("alice/todo.txt").body(ByteStream::from_static(b"ship it"));
    report.allowed("She writes documents/alice/todo.txt", &outcome(put.send().await, |_| "stored".to_owned()));
    report.denied(
        "She may not read bob's notes: the broker may, the session policy does not",
        "AccessDenied",
        &read(&alice, "bob/notes.txt").await,
    );
    let delete = alice.delete_object().bucket("documents").key("alice/todo.txt").send().await;
    report.denied(
        "She may not delete her own file: the session policy allows it, the broker's policy does not",
        "AccessDenied",
        &outcome(delete, |_| "deleted".to_owned()),
    );
    let list = alice.list_objects_v2().bucket("documents").send().await;
    report.denied(
        "Nor list the bucket (not in the session policy)",
        "AccessDenied",
        &outcome(list, |_| "listed".to_owned()),
    );
    let again = world.sts_client(credentials).get_federation_token().name("mallory").send().await;
    report.denied(
        "Federated credentials may not federate in turn",
        "AccessDenied",
        &outcome(again, |_| "credentials".to_owned()),
    );
    Ok(report)
}
