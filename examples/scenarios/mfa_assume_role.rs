//! The seed's MFA-protected assume-role script: the `admin` role trusts the account only when the
//! caller authenticated with MFA. Alice's access key alone is refused; the same call with her
//! virtual MFA device's serial number and its current code (TOTP on the world's clock, what her
//! authenticator app shows) gives an admin session.

use crate::report::{Error, Report, outcome, session_credentials};

const ADMIN: &str = "arn:aws:iam::111111111111:role/admin";

/// Runs the scenario on `examples/fixtures/mfa-assume-role.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/mfa-assume-role.yaml"))?;
    let mut report = Report::new("MFA: the admin role needs a code from Alice's device");
    let sts = world.sts_client(world.user_credentials("111111111111", "alice"));

    // aws sts assume-role --role-arn $ADMIN --role-session-name alice
    let plain = sts.assume_role().role_arn(ADMIN).role_session_name("alice").send().await;
    report.denied(
        "Without MFA the trust policy's condition fails",
        "AccessDenied",
        &outcome(plain, |_| "a session".to_owned()),
    );

    // ... --serial-number $SERIAL --token-code 000000
    let serial = world.mfa_serial("111111111111", "alice");
    let wrong = sts
        .assume_role()
        .role_arn(ADMIN)
        .role_session_name("alice")
        .serial_number(&serial)
        .token_code("000000")
        .send()
        .await;
    report.denied("A wrong code is refused", "AccessDenied", &outcome(wrong, |_| "a session".to_owned()));

    // ... --serial-number $SERIAL --token-code $(oathtool --totp -b $SECRET)
    let code = world.mfa_code("111111111111", "alice");
    let with_mfa = sts
        .assume_role()
        .role_arn(ADMIN)
        .role_session_name("alice")
        .serial_number(&serial)
        .token_code(&code)
        .send()
        .await;
    let credentials = with_mfa.as_ref().ok().and_then(|out| out.credentials()).map(session_credentials);
    report.allowed(
        "With her device's current code she gets an admin session",
        &outcome(with_mfa, |out| out.assumed_role_user().map(|u| u.arn().to_owned()).unwrap_or_default()),
    );
    if let Some(credentials) = credentials {
        let admin = world.s3_client(credentials);
        let buckets = admin.list_buckets().send().await;
        report.allowed(
            "The session has AdministratorAccess: ListBuckets is allowed",
            &outcome(buckets, |out| format!("{} buckets", out.buckets().len())),
        );
    }
    Ok(report)
}
