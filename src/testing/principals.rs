//! A world from a file, and the credentials of any of its principals named by ARN.

// Test helpers fail a test by panicking, with the fixture's problems or the unknown principal.
#![allow(clippy::panic, reason = "test helpers fail the test by panicking, with the explanation")]

use std::path::Path;

use crate::World;

/// The world of a fixture file, or a panic listing every problem of the fixture (the path is
/// relative to the working directory, which `cargo test` sets to the package's root).
///
/// ```
/// let world = iamsim::testing::world("examples/fixtures/ec2-s3access.yaml");
/// world.role("111111111111", "s3access").can("s3:GetObject").on("arn:aws:s3:::app-data/report.csv").assert_allowed();
/// ```
#[track_caller]
pub fn world(path: impl AsRef<Path>) -> World {
    let path = path.as_ref();
    match World::from_fixture(path) {
        Ok(world) => world,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Credentials that sign as the principal an ARN names: an IAM user
/// (`arn:aws:iam::111111111111:user/alice`, its access key), a role
/// (`arn:aws:iam::111111111111:role/reader`, a fresh session named `iamsim`), a role session
/// (`arn:aws:sts::111111111111:assumed-role/reader/web-1`, a fresh session of that name) or an
/// account's root (`arn:aws:iam::111111111111:root`). Role sessions are issued directly, with no
/// trust check: call `AssumeRole` through [`sts_client`] to test a trust policy.
///
/// ```
/// let world = iamsim::testing::world("examples/fixtures/cross-account.yaml");
/// let alice = iamsim::testing::credentials(&world, "arn:aws:iam::111111111111:user/alice");
/// assert!(alice.access_key_id().starts_with("AKIA"));
/// let session = iamsim::testing::credentials(&world, "arn:aws:iam::222222222222:role/WriteAccess");
/// assert!(session.access_key_id().starts_with("ASIA"));
/// ```
#[cfg(feature = "sdk")]
#[track_caller]
pub fn credentials(world: &World, principal: &str) -> aws_credential_types::Credentials {
    use crate::model::Caller;
    // A role's ARN is not a principal that signs; a session of it is.
    if let Some((account, role)) = role_arn(principal) {
        return world.role_session_credentials(account, role, "iamsim");
    }
    match world.caller_for(principal) {
        Ok(Caller::User { account, name }) => world.user_credentials(&account, &name),
        Ok(Caller::RoleSession { account, role, session }) => {
            world.role_session_credentials(&account, &role, &session.name)
        }
        Ok(Caller::Root { account }) => world.root_credentials(&account),
        Ok(_) => panic!("`{principal}` signs no request: name a user, a role, a role session or a root"),
        Err(e) => panic!("{e}"),
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` → (account, name).
#[cfg(any(feature = "sdk", test))]
fn role_arn(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let path = resource.strip_prefix("role/")?;
    (service == "iam").then(|| (account, path.rsplit('/').next().unwrap_or(path)))
}

/// SDK configuration for this world signing as the principal an ARN names (see
/// [`credentials`]): the in-process transport, the world's clock, `us-east-1`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let world = iamsim::testing::world("examples/fixtures/group-managed-policy.yaml");
/// let config = iamsim::testing::sdk_config(&world, "arn:aws:iam::111111111111:user/carol");
/// let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
/// assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/carol"));
/// # }
/// ```
#[cfg(feature = "sdk")]
#[track_caller]
pub fn sdk_config(world: &World, principal: &str) -> aws_types::SdkConfig {
    world.sdk_config(credentials(world, principal))
}

/// An S3 client of this world signing as the principal an ARN names (see [`credentials`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let world = iamsim::testing::world("examples/fixtures/ec2-s3access.yaml");
/// let s3 = iamsim::testing::s3_client(&world, "arn:aws:sts::111111111111:assumed-role/s3access/web-1");
/// let listed = s3.list_objects_v2().bucket("app-data").send().await.unwrap();
/// assert_eq!(listed.contents()[0].key(), Some("report.csv"));
/// # }
/// ```
#[cfg(feature = "sdk")]
#[track_caller]
pub fn s3_client(world: &World, principal: &str) -> aws_sdk_s3::Client {
    world.s3_client(credentials(world, principal))
}

/// An STS client of this world signing as the principal an ARN names (see [`credentials`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let world = iamsim::testing::world("examples/fixtures/cross-account.yaml");
/// let sts = iamsim::testing::sts_client(&world, "arn:aws:iam::111111111111:user/alice");
/// let out = sts.assume_role().role_arn("arn:aws:iam::222222222222:role/WriteAccess")
///     .role_session_name("alice").send().await.unwrap();
/// assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::222222222222:assumed-role/WriteAccess/alice");
/// # }
/// ```
#[cfg(feature = "sdk")]
#[track_caller]
pub fn sts_client(world: &World, principal: &str) -> aws_sdk_sts::Client {
    world.sts_client(credentials(world, principal))
}

#[cfg(test)]
mod tests {
    use super::role_arn;

    #[test]
    fn role_arns_give_the_account_and_the_name_without_the_path() {
        assert_eq!(role_arn("arn:aws:iam::111111111111:role/reader"), Some(("111111111111", "reader")));
        assert_eq!(role_arn("arn:aws:iam::111111111111:role/team/a/reader"), Some(("111111111111", "reader")));
        assert_eq!(role_arn("arn:aws:iam::111111111111:user/alice"), None);
        assert_eq!(role_arn("arn:aws:sts::111111111111:role/x"), None);
        assert_eq!(role_arn("arn:aws:iam"), None);
    }
}
