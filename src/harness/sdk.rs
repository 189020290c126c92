//! Ready SDK configuration for a world: real aws-sdk-rust clients whose every request goes to
//! the world in-process, signed by a principal of the world, on the world's clock — and nothing
//! read from the process environment or `~/.aws` (tests run in parallel).

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_async::time::SharedTimeSource;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::World;
use crate::live::SessionKind;
use crate::model::{Caller, SessionDetails};
use crate::transport::InProcess;
use crate::wire::Origin;

/// The endpoint in-process clients are given. Nothing resolves it: the in-process transport
/// answers before any connection is made. It is `https`, as for AWS, so requests carry
/// `aws:SecureTransport = true`.
pub const IN_PROCESS_ENDPOINT: &str = "https://iamsim.test";

/// The region worlds hand out unless told otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

impl World {
    /// The in-process transport into this world, as an SDK `HttpClient`.
    pub fn http_client(&self) -> SharedHttpClient {
        SharedHttpClient::new(InProcess::new(self.inner.live.clone(), Origin::in_process()))
    }

    /// The long-term access key of an IAM user (its first active key), as SDK credentials.
    ///
    /// ```
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
    /// let creds = world.user_credentials("111111111111", "alice");
    /// assert!(creds.access_key_id().starts_with("AKIA"));
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[track_caller]
    pub fn user_credentials(&self, account: &str, name: &str) -> Credentials {
        let user = self.require_account(account).user(name);
        let Some(user) = user else { panic!("account {account} has no user `{name}`") };
        let Some(key) = user.access_keys.iter().find(|k| k.active) else {
            panic!(
                "user `{name}` of account {account} has no active access key (the fixture gives it `access_keys: 0`?)"
            )
        };
        Credentials::new(&key.id, &key.secret, None, None, "iamsim")
    }

    /// The root user's access key of an account (generated from the world's seed).
    #[track_caller]
    pub fn root_credentials(&self, account: &str) -> Credentials {
        self.require_account(account);
        let live = &self.inner.live;
        Credentials::new(live.root_access_key_id(account), live.root_secret(account), None, None, "iamsim")
    }

    /// Credentials of a fresh session of a role, issued directly — as if a service its trust
    /// policy names had assumed it — with no trust check and no request logged. To test the
    /// trust policy, call `AssumeRole` through an STS client instead.
    #[track_caller]
    pub fn role_session_credentials(&self, account: &str, role: &str, session_name: &str) -> Credentials {
        let found = self.require_account(account).role(role);
        let Some(found) = found else { panic!("account {account} has no role `{role}`") };
        let caller = Caller::RoleSession {
            account: account.to_owned(),
            role: found.name.clone(),
            session: SessionDetails {
                name: session_name.to_owned(),
                issued_at: Some(self.clock().now()),
                ..SessionDetails::default()
            },
        };
        let lifetime = u64::from(found.max_session_duration);
        let session = self.inner.live.issue_session(SessionKind::AssumeRole, caller, lifetime);
        let c = session.credentials;
        Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token), Some(c.expiration), "iamsim")
    }

    /// SDK configuration for this world: the in-process transport, the endpoint, `us-east-1`,
    /// the world's clock as time source, and the given credentials (any provider: static keys,
    /// `AssumeRoleProvider`, …).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
    /// let sts = aws_sdk_sts::Client::new(&world.sdk_config(world.user_credentials("111111111111", "alice")));
    /// let me = sts.get_caller_identity().send().await?;
    /// assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    /// # Ok(()) }
    /// ```
    pub fn sdk_config(&self, credentials: impl ProvideCredentials + 'static) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(DEFAULT_REGION))
            .endpoint_url(IN_PROCESS_ENDPOINT)
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .time_source(SharedTimeSource::new(self.clock().clone()))
            .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
            .http_client(self.http_client())
            .build()
    }

    /// An STS client signing with these credentials.
    pub fn sts_client(&self, credentials: impl ProvideCredentials + 'static) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config(credentials))
    }

    /// A config loader for code that loads its own configuration (`aws_config::defaults(..)`
    /// and the default credential provider chain), pointed at this world: the in-process
    /// transport, the endpoint, the clock, and an environment made only of `env` — never the
    /// process's own variables or `~/.aws` files. The application calls `.load().await` as it
    /// always does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
    /// let alice = world.user_credentials("111111111111", "alice");
    /// let env = [("AWS_ACCESS_KEY_ID", alice.access_key_id()), ("AWS_SECRET_ACCESS_KEY", alice.secret_access_key())];
    /// // what the application's own start-up code does:
    /// let config = world.config_loader(&env).load().await;
    /// let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await?;
    /// assert_eq!(me.account(), Some("111111111111"));
    /// # Ok(()) }
    /// ```
    pub fn config_loader(&self, env: &[(&str, &str)]) -> ConfigLoader {
        // `AWS_ENDPOINT_URL` too, because some providers (web identity) ignore the loader's
        // endpoint and read only the environment (`../shared/WIRE.md` §6).
        let mut vars: Vec<(&str, &str)> = vec![
            ("AWS_REGION", DEFAULT_REGION),
            ("AWS_ENDPOINT_URL", IN_PROCESS_ENDPOINT),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        vars.extend_from_slice(env);
        aws_config::defaults(BehaviorVersion::latest())
            .empty_test_environment()
            .env(aws_types::os_shim_internal::Env::from_slice(&vars))
            .endpoint_url(IN_PROCESS_ENDPOINT)
            .time_source(SharedTimeSource::new(self.clock().clone()))
            .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
            .http_client(self.http_client())
    }
}
