//! Ready SDK configuration for a world: real aws-sdk-rust clients whose every request goes to
//! the world in-process, signed by a principal of the world, on the world's clock — and nothing
//! read from the process environment or `~/.aws` (tests run in parallel).

use aws_config::{BehaviorVersion, Region, SdkConfig};
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
        self.sdk_config_builder().credentials_provider(SharedCredentialsProvider::new(credentials)).build()
    }

    fn sdk_config_builder(&self) -> aws_types::sdk_config::Builder {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(DEFAULT_REGION))
            .endpoint_url(IN_PROCESS_ENDPOINT)
            .time_source(SharedTimeSource::new(self.clock().clone()))
            .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
            .http_client(self.http_client())
    }

    /// An STS client signing with these credentials.
    pub fn sts_client(&self, credentials: impl ProvideCredentials + 'static) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config(credentials))
    }

    /// An S3 client signing with these credentials (any provider: a user's keys, a role
    /// session from `AssumeRole`, aws-config's `AssumeRoleProvider`, …), every request answered
    /// by this world and authorized by its policies. It addresses buckets path-style
    /// (`https://iamsim.test/bucket/key`); [`World::s3_config`] gives the builder to change that.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use aws_sdk_s3::error::ProvideErrorMetadata;
    /// use aws_sdk_s3::primitives::ByteStream;
    /// let world = iamsim::World::from_yaml(r#"
    /// accounts:
    ///   "111111111111":
    ///     users:
    ///       alice:
    ///         policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    ///     buckets:
    ///       photos:
    ///         objects: { a.txt: hello }
    /// "#)?;
    /// let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
    ///
    /// let object = s3.get_object().bucket("photos").key("a.txt").send().await?;
    /// assert_eq!(object.body.collect().await?.into_bytes(), "hello");
    ///
    /// let denied = s3.put_object().bucket("photos").key("b.txt").body(ByteStream::from_static(b"hi")).send().await;
    /// let err = denied.unwrap_err();
    /// assert_eq!(err.code(), Some("AccessDenied"));
    /// assert_eq!(err.message(), Some("User: arn:aws:iam::111111111111:user/alice is not authorized to perform: \
    ///     s3:PutObject on resource: \"arn:aws:s3:::photos/b.txt\" because no identity-based policy allows the s3:PutObject action"));
    /// # Ok(()) }
    /// ```
    pub fn s3_client(&self, credentials: impl ProvideCredentials + 'static) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(self.s3_config(credentials).build())
    }

    /// The configuration [`World::s3_client`] uses, as a builder: path-style addressing on the
    /// in-process endpoint. `.force_path_style(false)` makes the client address buckets
    /// virtual-hosted style (`https://photos.iamsim.test/key`), which the world also serves.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let world = iamsim::World::from_yaml(
    ///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos:\n        objects: { a.txt: hello }\n")?;
    /// let config = world.s3_config(world.root_credentials("111111111111")).force_path_style(false).build();
    /// let s3 = aws_sdk_s3::Client::from_conf(config);
    /// let listed = s3.list_objects_v2().bucket("photos").send().await?;
    /// assert_eq!(listed.contents()[0].key(), Some("a.txt"));
    /// # Ok(()) }
    /// ```
    pub fn s3_config(&self, credentials: impl ProvideCredentials + 'static) -> aws_sdk_s3::config::Builder {
        aws_sdk_s3::config::Builder::from(&self.sdk_config(credentials)).force_path_style(true)
    }

    /// An S3 client that signs nothing: an anonymous caller, allowed only what policies allow
    /// everyone (`"Principal": "*"`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use aws_sdk_s3::error::ProvideErrorMetadata;
    /// let world = iamsim::World::from_yaml(r#"
    /// accounts:
    ///   "111111111111":
    ///     buckets:
    ///       site:
    ///         public_access_block: {}   # Block Public Access off: on by default, as on AWS
    ///         policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::site/*" }] }
    ///         objects: { index.html: "<h1>hi</h1>" }
    /// "#)?;
    /// let anyone = world.anonymous_s3_client();
    /// anyone.get_object().bucket("site").key("index.html").send().await?;
    /// let listing = anyone.list_objects_v2().bucket("site").send().await.unwrap_err();
    /// assert_eq!((listing.code(), listing.message()), (Some("AccessDenied"), Some("Access Denied")));
    /// # Ok(()) }
    /// ```
    pub fn anonymous_s3_client(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk_config_builder().build())
            .force_path_style(true)
            .allow_no_auth()
            .build();
        aws_sdk_s3::Client::from_conf(config)
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
    ///
    /// Needs the `config-loader` feature (on by default).
    #[cfg(feature = "config-loader")]
    pub fn config_loader(&self, env: &[(&str, &str)]) -> aws_config::ConfigLoader {
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
