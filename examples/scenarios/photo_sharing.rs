//! The photo-sharing app: every user reaches only their own prefix of the `photos` bucket, with
//! one policy for everybody thanks to policy variables. Twice: for IAM users
//! (`arn:aws:s3:::photos/${aws:username}/*`, `examples/fixtures/photo-sharing.yaml`), then as
//! such an app really runs — users signed in with an OpenID Connect provider, the app exchanging
//! each user's ID token for a session of one shared role with `AssumeRoleWithWebIdentity`, the
//! role's policy naming the token's subject (`${login.photos.example:sub}`,
//! `examples/fixtures/photo-sharing-web-identity.yaml`).

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use iamsim::idp::TokenClaims;

use crate::report::{Error, Outcome, Report, outcome, session_credentials};

const ACCOUNT: &str = "111111111111";
const PROVIDER: &str = "login.photos.example";

async fn read(s3: &aws_sdk_s3::Client, key: &str) -> Outcome {
    outcome(s3.get_object().bucket("photos").key(key).send().await, |out| {
        format!("{} bytes", out.content_length().unwrap_or_default())
    })
}

async fn list(s3: &aws_sdk_s3::Client, prefix: &str) -> Outcome {
    outcome(s3.list_objects_v2().bucket("photos").prefix(prefix).send().await, |out| {
        format!("{:?}", out.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>())
    })
}

/// Runs the scenario on both photo-sharing fixtures.
pub(crate) async fn run() -> Result<Report, Error> {
    let mut report = Report::new("Photo sharing: everyone in their own folder");

    // IAM users: `${aws:username}`.
    let world = iamsim::World::from_yaml(include_str!("../fixtures/photo-sharing.yaml"))?;
    let alice = world.s3_client(world.user_credentials(ACCOUNT, "alice"));
    report.allowed("IAM user alice reads photos/alice/beach.jpg", &read(&alice, "alice/beach.jpg").await);
    report.allowed("She lists her prefix", &list(&alice, "alice/").await);
    report.denied("She may not read photos/bob/cat.jpg", "AccessDenied", &read(&alice, "bob/cat.jpg").await);
    report.denied("Nor list bob/", "AccessDenied", &list(&alice, "bob/").await);

    // Web identity: `${login.photos.example:sub}`.
    let world = iamsim::World::from_yaml(include_str!("../fixtures/photo-sharing-web-identity.yaml"))?;
    // AssumeRoleWithWebIdentity is not signed: the app has no AWS credentials of its own.
    let sts = world.sts_client(aws_credential_types::Credentials::new("unused", "unused", None, None, "none"));
    let mut sessions = Vec::new();
    for user in ["alice", "bob"] {
        // The ID token the provider gave the user at sign-in (subject = the user's id there).
        let claims = TokenClaims::new(user, ["photo-app"], world.clock().now(), Duration::from_secs(3600));
        let token = world.web_identity_token(ACCOUNT, PROVIDER, &claims);
        let exchanged = sts
            .assume_role_with_web_identity()
            .role_arn("arn:aws:iam::111111111111:role/photo-app-user")
            .role_session_name(format!("app-{user}"))
            .web_identity_token(token)
            .send()
            .await;
        sessions.push(exchanged.as_ref().ok().and_then(|out| out.credentials()).map(session_credentials));
        report.allowed(
            &format!("The app exchanges {user}'s ID token for a photo-app-user session"),
            &outcome(exchanged, |out| out.subject_from_web_identity_token().unwrap_or_default().to_owned()),
        );
    }
    let claims = TokenClaims::new("alice", ["another-app"], world.clock().now(), Duration::from_secs(3600));
    let foreign = world.web_identity_token(ACCOUNT, PROVIDER, &claims);
    let refused = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::111111111111:role/photo-app-user")
        .role_session_name("intruder")
        .web_identity_token(foreign)
        .send()
        .await;
    report.denied(
        "A token issued to another app (audience) is refused",
        "InvalidIdentityToken",
        &outcome(refused, |_| "a session".to_owned()),
    );
    if let [Some(alice), Some(bob)] = &sessions[..] {
        let alice = world.s3_client(alice.clone());
        let bob = world.s3_client(bob.clone());
        report.allowed("Alice's session reads photos/alice/beach.jpg", &read(&alice, "alice/beach.jpg").await);
        let upload =
            alice.put_object().bucket("photos").key("alice/sunset.jpg").body(ByteStream::from_static(b"(a sunset)"));
        report.allowed("It uploads photos/alice/sunset.jpg", &outcome(upload.send().await, |_| "stored".to_owned()));
        report.allowed("It lists alice/", &list(&alice, "alice/").await);
        report.denied("It may not read photos/bob/cat.jpg", "AccessDenied", &read(&alice, "bob/cat.jpg").await);
        report.allowed("Bob's session, same role, reads photos/bob/cat.jpg", &read(&bob, "bob/cat.jpg").await);
        report.denied("It may not list alice/", "AccessDenied", &list(&bob, "alice/").await);
        let delete = bob.delete_object().bucket("photos").key("alice/sunset.jpg").send().await;
        report.denied("Nor delete Alice's photo", "AccessDenied", &outcome(delete, |_| "deleted".to_owned()));
    }
    Ok(report)
}
