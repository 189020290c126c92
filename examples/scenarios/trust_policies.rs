//! Trust policies, one principal kind each: a service principal (`ec2-app` trusts
//! `ec2.amazonaws.com`), one user's ARN (`deployer` trusts Alice), the account root (`ops`
//! trusts account 111111111111, so each user still needs a policy of their own), and the account
//! with a `Deny` for one user (`ops-no-mallory`). Every call is a real `AssumeRole`.

use crate::report::{Error, Report, outcome};

const DEV: &str = "111111111111";

/// Runs the scenario on `examples/fixtures/trust-policies.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/trust-policies.yaml"))?;
    let mut report = Report::new("Trust policies: a service, a user, an account, an account but one");
    let assume = |user: &'static str, role: &'static str| {
        let sts = world.sts_client(world.user_credentials(DEV, user));
        async move {
            let call = sts.assume_role().role_arn(format!("arn:aws:iam::{DEV}:role/{role}")).role_session_name(user);
            outcome(call.send().await, |out| out.assumed_role_user().map(|u| u.arn().to_owned()).unwrap_or_default())
        }
    };

    // Service principal: only EC2 may assume ec2-app, however broad a user's own policy.
    report.denied(
        "Bob may not assume ec2-app, whose trust policy names only ec2.amazonaws.com",
        "AccessDenied",
        &assume("bob", "ec2-app").await,
    );
    let ec2 = world.service("ec2.amazonaws.com").can("sts:AssumeRole").on("arn:aws:iam::111111111111:role/ec2-app");
    report.fact("The EC2 service may (the question the world answers for it)", &ec2.to_string(), ec2.is_allowed());

    // A user's ARN: the trust policy alone is enough within the account.
    report.allowed(
        "Alice, named by deployer's trust policy, assumes it with no policy of her own",
        &assume("alice", "deployer").await,
    );
    report.denied("Bob, not named, may not", "AccessDenied", &assume("bob", "deployer").await);

    // The account root: the account delegates to its own policies.
    report.denied(
        "Alice may not assume ops: it trusts the account, and she has no policy",
        "AccessDenied",
        &assume("alice", "ops").await,
    );
    report.allowed("Bob, whose policy allows sts:AssumeRole on the account's roles, may", &assume("bob", "ops").await);

    // The account, but a Deny for one user.
    report.allowed("Bob assumes ops-no-mallory", &assume("bob", "ops-no-mallory").await);
    report.denied(
        "Mallory, denied by name, may not, whatever her policy allows",
        "AccessDenied",
        &assume("mallory", "ops-no-mallory").await,
    );
    Ok(report)
}
