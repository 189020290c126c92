//! The Rust builder: everything a fixture file can say, written in Rust with policies as
//! `serde_json::json!` documents. It fills the same [`Fixture`] a file would, so the same
//! validation and the same errors apply (located by their path in the fixture).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{World, WorldError};
use crate::fixtures::{
    AccessKeyFixture, AccessKeysFixture, AccountFixture, BucketFixture, Fixture, GroupFixture, InstanceFixture,
    InstanceProfileFixture, ManagedPolicyFixture, MfaFixture, ObjectDetails, ObjectFixture, OidcProviderFixture,
    OrganizationFixture, PolicySource, PublicAccessBlockFixture, QuotasFixture, RoleFixture, SamlProviderFixture,
    UserFixture,
};
use crate::fixtures::{EksClusterFixture, PodFixture, TaskFixture};

/// Builds a [`World`]. See the [harness docs](super) for an example.
///
/// ```
/// use std::time::Duration;
///
/// let world = iamsim::World::builder()
///     .seed(7)
///     .clock("2026-11-24T12:00:00Z")
///     .account("111111111111", |a| a.user("alice", |u| u))
///     .build()?;
/// assert_eq!(world.model().seed(), 7);
/// world.clock().advance(Duration::from_secs(60));
/// assert_eq!(world.clock().to_rfc3339(), "2026-11-24T12:01:00Z");
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use = "a WorldBuilder does nothing until `.build()`"]
#[derive(Clone, Debug, Default)]
pub struct WorldBuilder {
    fixture: Fixture,
}

impl WorldBuilder {
    /// An empty world.
    pub fn new() -> WorldBuilder {
        WorldBuilder::default()
    }

    /// Starts from fixture data (for example an imported account) and adds to it.
    pub fn from_fixture(fixture: Fixture) -> WorldBuilder {
        WorldBuilder { fixture }
    }

    /// Sets the seed of every generated id, key and secret.
    pub fn seed(mut self, seed: u64) -> WorldBuilder {
        self.fixture.seed = Some(seed);
        self
    }

    /// Sets the clock's start, RFC 3339 (`2026-11-24T12:00:00Z`).
    pub fn clock(mut self, start: &str) -> WorldBuilder {
        self.fixture.clock = Some(start.to_owned());
        self
    }

    /// Adds (or extends) an account.
    pub fn account(
        mut self,
        id: impl AsRef<str>,
        build: impl FnOnce(AccountBuilder) -> AccountBuilder,
    ) -> WorldBuilder {
        let key = id.as_ref().to_owned();
        let existing = self.fixture.accounts.remove(&key).unwrap_or_default();
        self.fixture.accounts.insert(key, build(AccountBuilder { fixture: existing }).fixture);
        self
    }

    /// Puts the accounts in an organization whose management account is `management_account`.
    pub fn organization(
        mut self,
        management_account: impl AsRef<str>,
        build: impl FnOnce(OrganizationBuilder) -> OrganizationBuilder,
    ) -> WorldBuilder {
        let start =
            OrganizationFixture { management_account: management_account.as_ref().to_owned(), ..Default::default() };
        self.fixture.organization = Some(build(OrganizationBuilder { fixture: start }).fixture);
        self
    }

    /// Adds an EC2 instance in `account`.
    pub fn instance(
        mut self,
        name: &str,
        account: impl AsRef<str>,
        build: impl FnOnce(InstanceBuilder) -> InstanceBuilder,
    ) -> WorldBuilder {
        let start = InstanceFixture { account: account.as_ref().to_owned(), ..Default::default() };
        self.fixture.instances.insert(name.to_owned(), build(InstanceBuilder { fixture: start }).fixture);
        self
    }

    /// Adds an ECS task, an EKS cluster or a pod: the fixture's `tasks`, `eks_clusters` and `pods`.
    ///
    /// ```
    /// use iamsim::fixtures::{EksClusterFixture, PodFixture, TaskFixture};
    /// use serde_json::json;
    /// let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///     "Principal": {"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]});
    /// let world = iamsim::World::builder()
    ///     .account("111111111111", |a| a.role("app", trust, |r| r.instance_profile()))
    ///     .instance("web-1", "111111111111", |i| i.role("app").http_tokens_required().user_data("#!/bin/sh"))
    ///     .task("api", TaskFixture { account: "111111111111".into(), role: Some("app".into()), ..Default::default() })
    ///     .eks_cluster("prod", EksClusterFixture { account: "111111111111".into(), ..Default::default() })
    ///     .pod("web-0", PodFixture { cluster: "prod".into(), ..Default::default() })
    ///     .build()?;
    /// assert_eq!(world.model().task("api").unwrap().role.as_deref(), Some("app"));
    /// assert_eq!(world.model().pod("web-0").unwrap().namespace, "default");
    /// let web = world.model().instance("web-1").unwrap();
    /// assert_eq!(world.model().instance_metadata(web).unwrap().http_tokens, iamsim::model::HttpTokens::Required);
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn task(mut self, name: &str, task: TaskFixture) -> WorldBuilder {
        self.fixture.tasks.insert(name.to_owned(), task);
        self
    }

    /// Adds an EKS cluster (see [`WorldBuilder::task`]).
    pub fn eks_cluster(mut self, name: &str, cluster: EksClusterFixture) -> WorldBuilder {
        self.fixture.eks_clusters.insert(name.to_owned(), cluster);
        self
    }

    /// Adds a pod of an EKS cluster (see [`WorldBuilder::task`]).
    pub fn pod(mut self, name: &str, pod: PodFixture) -> WorldBuilder {
        self.fixture.pods.insert(name.to_owned(), pod);
        self
    }

    /// Defines an AWS managed policy iamsim does not ship (by the name after
    /// `arn:aws:iam::aws:policy/`).
    pub fn aws_managed_policy(mut self, name: &str, document: Value) -> WorldBuilder {
        self.fixture.aws_managed_policies.insert(name.to_owned(), PolicySource::Inline(document));
        self
    }

    /// Raises adjustable IAM quotas.
    pub fn quotas(mut self, quotas: QuotasFixture) -> WorldBuilder {
        self.fixture.quotas = Some(quotas);
        self
    }

    /// The fixture built so far (serialize it to write a fixture file).
    pub fn fixture(&self) -> &Fixture {
        &self.fixture
    }

    /// Validates and builds the world.
    pub fn build(self) -> Result<World, WorldError> {
        World::from_fixture_data(&self.fixture)
    }
}

fn inline(map: &mut BTreeMap<String, PolicySource>, name: &str, document: Value) {
    map.insert(name.to_owned(), PolicySource::Inline(document));
}

/// Builds one account.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .alias("prod")
///         .managed_policy("ReadPhotos", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}))
///         .user("alice", |u| u.policy("ReadPhotos"))
///         .bucket("photos", |b| b.object("a.jpg", "hello")))
///     .build()?;
/// assert_eq!(world.model().account("111111111111").unwrap().alias.as_deref(), Some("prod"));
/// let get = world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::photos/a.jpg");
/// assert_eq!(get.outcome(), Outcome::Allow);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct AccountBuilder {
    fixture: AccountFixture,
}

impl AccountBuilder {
    /// Sets the account alias.
    pub fn alias(mut self, alias: &str) -> AccountBuilder {
        self.fixture.alias = Some(alias.to_owned());
        self
    }

    /// Adds a user.
    pub fn user(mut self, name: &str, build: impl FnOnce(UserBuilder) -> UserBuilder) -> AccountBuilder {
        let existing = self.fixture.users.remove(name).unwrap_or_default();
        self.fixture.users.insert(name.to_owned(), build(UserBuilder { fixture: existing }).fixture);
        self
    }

    /// Adds a group.
    pub fn group(mut self, name: &str, build: impl FnOnce(GroupBuilder) -> GroupBuilder) -> AccountBuilder {
        let existing = self.fixture.groups.remove(name).unwrap_or_default();
        self.fixture.groups.insert(name.to_owned(), build(GroupBuilder { fixture: existing }).fixture);
        self
    }

    /// Adds a role with its trust policy.
    pub fn role(mut self, name: &str, trust: Value, build: impl FnOnce(RoleBuilder) -> RoleBuilder) -> AccountBuilder {
        let start = RoleFixture {
            id: None,
            path: None,
            trust: PolicySource::Inline(trust),
            policies: Vec::new(),
            inline_policies: BTreeMap::new(),
            permissions_boundary: None,
            max_session_duration: None,
            tags: BTreeMap::new(),
            instance_profile: None,
            description: None,
        };
        self.fixture.roles.insert(name.to_owned(), build(RoleBuilder { fixture: start }).fixture);
        self
    }

    /// Adds a customer managed policy.
    pub fn managed_policy(mut self, name: &str, document: Value) -> AccountBuilder {
        self.fixture.policies.insert(name.to_owned(), ManagedPolicyFixture::Document(PolicySource::Inline(document)));
        self
    }

    /// Adds a customer managed policy with an IAM path.
    pub fn managed_policy_at(mut self, path: &str, name: &str, document: Value) -> AccountBuilder {
        self.fixture.policies.insert(
            name.to_owned(),
            ManagedPolicyFixture::Detailed {
                id: None,
                path: Some(path.to_owned()),
                description: None,
                document: PolicySource::Inline(document),
            },
        );
        self
    }

    /// Adds a bucket.
    pub fn bucket(mut self, name: &str, build: impl FnOnce(BucketBuilder) -> BucketBuilder) -> AccountBuilder {
        let existing = self.fixture.buckets.remove(name).unwrap_or_default();
        self.fixture.buckets.insert(name.to_owned(), build(BucketBuilder { fixture: existing }).fixture);
        self
    }

    /// Adds an OIDC identity provider (issuer without `https://`) accepting these audiences.
    pub fn oidc_provider(mut self, url: &str, audiences: &[&str]) -> AccountBuilder {
        self.fixture.oidc_providers.insert(
            url.to_owned(),
            OidcProviderFixture {
                audiences: audiences.iter().map(|a| (*a).to_owned()).collect(),
                thumbprints: Vec::new(),
            },
        );
        self
    }

    /// Adds a SAML identity provider with its metadata document.
    pub fn saml_provider(mut self, name: &str, metadata: &str) -> AccountBuilder {
        self.fixture
            .saml_providers
            .insert(name.to_owned(), SamlProviderFixture { metadata: Some(metadata.to_owned()), metadata_file: None });
        self
    }

    /// Sets the account-level S3 Block Public Access settings.
    pub fn public_access_block(mut self, settings: PublicAccessBlockFixture) -> AccountBuilder {
        self.fixture.public_access_block = Some(settings);
        self
    }
}

/// Builds one user.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u
///             .path("/staff/")
///             .tag("team", "web")
///             .inline_policy("ListLogs", json!({"Version": "2012-10-17", "Statement": [
///                 {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::logs"}]})))
///         .bucket("logs", |b| b))
///     .build()?;
/// let alice = world.model().account("111111111111").unwrap().user("alice").unwrap();
/// assert_eq!(alice.path, "/staff/");
/// let list = world.user("111111111111", "alice").can("s3:ListBucket").on("arn:aws:s3:::logs");
/// assert_eq!(list.outcome(), Outcome::Allow);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct UserBuilder {
    fixture: UserFixture,
}

impl UserBuilder {
    /// Sets the IAM path (`/staff/`).
    pub fn path(mut self, path: &str) -> UserBuilder {
        self.fixture.path = Some(path.to_owned());
        self
    }

    /// Adds the user to a group.
    pub fn group(mut self, name: &str) -> UserBuilder {
        self.fixture.groups.push(name.to_owned());
        self
    }

    /// Attaches a managed policy: a name of the account's policies, or an ARN.
    pub fn policy(mut self, name_or_arn: impl AsRef<str>) -> UserBuilder {
        self.fixture.policies.push(name_or_arn.as_ref().to_owned());
        self
    }

    /// Adds an inline policy.
    pub fn inline_policy(mut self, name: &str, document: Value) -> UserBuilder {
        inline(&mut self.fixture.inline_policies, name, document);
        self
    }

    /// Sets the permissions boundary: a managed policy name or ARN.
    pub fn permissions_boundary(mut self, name_or_arn: impl AsRef<str>) -> UserBuilder {
        self.fixture.permissions_boundary = Some(name_or_arn.as_ref().to_owned());
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: &str, value: &str) -> UserBuilder {
        self.fixture.tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Generates this many access keys (0 to 2; 1 by default).
    pub fn access_keys(mut self, count: u8) -> UserBuilder {
        self.fixture.access_keys = Some(AccessKeysFixture::Count(count));
        self
    }

    /// Gives the user a known access key (for example AWS's documentation example keys).
    pub fn access_key(mut self, id: &str, secret: &str) -> UserBuilder {
        let key = AccessKeyFixture { id: Some(id.to_owned()), secret: Some(secret.to_owned()), status: None };
        match &mut self.fixture.access_keys {
            Some(AccessKeysFixture::Keys(keys)) => keys.push(key),
            other => *other = Some(AccessKeysFixture::Keys(vec![key])),
        }
        self
    }

    /// Gives the user a virtual MFA device.
    pub fn mfa(mut self) -> UserBuilder {
        self.fixture.mfa = MfaFixture::Enabled(true);
        self
    }
}

/// Builds one group.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .group("readers", |g| g.inline_policy("Read", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"}]})))
///         .user("alice", |u| u.group("readers"))
///         .user("bob", |u| u)
///         .bucket("docs", |b| b.object("a.txt", "hi")))
///     .build()?;
/// // Alice is allowed through her group; Bob is in no group.
/// let alice = world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::docs/a.txt");
/// assert_eq!(alice.outcome(), Outcome::Allow);
/// let bob = world.user("111111111111", "bob").can("s3:GetObject").on("arn:aws:s3:::docs/a.txt");
/// assert_eq!(bob.outcome(), Outcome::ImplicitDeny);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct GroupBuilder {
    fixture: GroupFixture,
}

impl GroupBuilder {
    /// Sets the IAM path.
    pub fn path(mut self, path: &str) -> GroupBuilder {
        self.fixture.path = Some(path.to_owned());
        self
    }

    /// Attaches a managed policy: a name or an ARN.
    pub fn policy(mut self, name_or_arn: impl AsRef<str>) -> GroupBuilder {
        self.fixture.policies.push(name_or_arn.as_ref().to_owned());
        self
    }

    /// Adds an inline policy.
    pub fn inline_policy(mut self, name: &str, document: Value) -> GroupBuilder {
        inline(&mut self.fixture.inline_policies, name, document);
        self
    }
}

/// Builds one role.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let trust = json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .role("worker", trust, |r| r
///             .max_session_duration(7200)
///             .description("runs the jobs")
///             .inline_policy("PutResults", json!({"Version": "2012-10-17", "Statement": [
///                 {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::results/*"}]})))
///         .bucket("results", |b| b))
///     .build()?;
/// let role = world.model().account("111111111111").unwrap().role("worker").unwrap();
/// assert_eq!(role.max_session_duration, 7200);
/// let put = world.role("111111111111", "worker").can("s3:PutObject").on("arn:aws:s3:::results/out.json");
/// assert_eq!(put.outcome(), Outcome::Allow);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug)]
pub struct RoleBuilder {
    fixture: RoleFixture,
}

impl RoleBuilder {
    /// Sets the IAM path (`/aws-service-role/…` makes it service-linked).
    pub fn path(mut self, path: &str) -> RoleBuilder {
        self.fixture.path = Some(path.to_owned());
        self
    }

    /// Attaches a managed policy: a name or an ARN.
    pub fn policy(mut self, name_or_arn: impl AsRef<str>) -> RoleBuilder {
        self.fixture.policies.push(name_or_arn.as_ref().to_owned());
        self
    }

    /// Adds an inline policy.
    pub fn inline_policy(mut self, name: &str, document: Value) -> RoleBuilder {
        inline(&mut self.fixture.inline_policies, name, document);
        self
    }

    /// Sets the permissions boundary: a managed policy name or ARN.
    pub fn permissions_boundary(mut self, name_or_arn: impl AsRef<str>) -> RoleBuilder {
        self.fixture.permissions_boundary = Some(name_or_arn.as_ref().to_owned());
        self
    }

    /// Sets `MaxSessionDuration`, in seconds (3600 to 43200).
    pub fn max_session_duration(mut self, seconds: u32) -> RoleBuilder {
        self.fixture.max_session_duration = Some(seconds);
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: &str, value: &str) -> RoleBuilder {
        self.fixture.tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Gives the role an instance profile named like the role.
    pub fn instance_profile(mut self) -> RoleBuilder {
        self.fixture.instance_profile = Some(InstanceProfileFixture::Enabled(true));
        self
    }

    /// Gives the role an instance profile with another name.
    pub fn instance_profile_named(mut self, name: &str) -> RoleBuilder {
        self.fixture.instance_profile = Some(InstanceProfileFixture::Named(name.to_owned()));
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> RoleBuilder {
        self.fixture.description = Some(text.to_owned());
        self
    }
}

/// Builds one bucket.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u)
///         .bucket("shared", |b| b
///             .region("eu-west-1")
///             .object("report.csv", "a,b")
///             .policy(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///                 "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
///                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}))))
///     .build()?;
/// assert_eq!(world.model().bucket("shared").unwrap().region, "eu-west-1");
/// // The bucket policy alone allows Alice (same account, no identity policy needed).
/// let get = world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::shared/report.csv");
/// assert_eq!(get.outcome(), Outcome::Allow);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct BucketBuilder {
    fixture: BucketFixture,
}

impl BucketBuilder {
    /// Sets the region (`us-east-1` by default).
    pub fn region(mut self, region: &str) -> BucketBuilder {
        self.fixture.region = Some(region.to_owned());
        self
    }

    /// Sets the bucket policy.
    pub fn policy(mut self, document: Value) -> BucketBuilder {
        self.fixture.policy = Some(PolicySource::Inline(document));
        self
    }

    /// Adds a bucket tag.
    pub fn tag(mut self, key: &str, value: &str) -> BucketBuilder {
        self.fixture.tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Enables attribute-based access control: policies then see the bucket's tags as
    /// `aws:ResourceTag/…` and `s3:BucketTag/…` (off by default, as on AWS).
    pub fn abac(mut self, enabled: bool) -> BucketBuilder {
        self.fixture.abac = enabled;
        self
    }

    /// Adds an object with text content.
    pub fn object(mut self, key: &str, text: &str) -> BucketBuilder {
        self.fixture.objects.insert(key.to_owned(), ObjectFixture::Text(text.to_owned()));
        self
    }

    /// Adds an object with binary content and a content type.
    pub fn object_bytes(mut self, key: &str, content: &[u8], content_type: &str) -> BucketBuilder {
        self.fixture.objects.insert(
            key.to_owned(),
            ObjectFixture::Detailed(ObjectDetails {
                base64: Some(aws_smithy_types::base64::encode(content)),
                content_type: Some(content_type.to_owned()),
                ..ObjectDetails::default()
            }),
        );
        self
    }

    /// Sets the bucket's Block Public Access settings.
    pub fn public_access_block(mut self, settings: PublicAccessBlockFixture) -> BucketBuilder {
        self.fixture.public_access_block = Some(settings);
        self
    }
}

/// Builds the organization.
///
/// ```
/// use iamsim::Outcome;
/// use serde_json::json;
///
/// let everything = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a)
///     .account("222222222222", |a| a
///         .user("admin", |u| u.inline_policy("Everything", everything))
///         .bucket("data", |b| b.object("x.txt", "1")))
///     .organization("111111111111", |o| o
///         .ou("prod")
///         .account("222222222222", "prod")
///         .policy("NoDeletes", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}))
///         .scp("prod", "NoDeletes"))
///     .build()?;
/// let admin = world.user("222222222222", "admin");
/// assert_eq!(admin.can("s3:GetObject").on("arn:aws:s3:::data/x.txt").outcome(), Outcome::Allow);
/// assert_eq!(admin.can("s3:DeleteObject").on("arn:aws:s3:::data/x.txt").outcome(), Outcome::ExplicitDeny);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct OrganizationBuilder {
    fixture: OrganizationFixture,
}

impl OrganizationBuilder {
    /// Declares an OU by its path from the root (`prod/web`).
    pub fn ou(mut self, path: &str) -> OrganizationBuilder {
        self.fixture.ous.push(path.to_owned());
        self
    }

    /// Places a member account in an OU declared with [`OrganizationBuilder::ou`] (or `root`):
    /// as in AWS Organizations, an account cannot be moved into an OU that does not exist.
    pub fn account(mut self, id: impl AsRef<str>, ou: &str) -> OrganizationBuilder {
        self.fixture.accounts.insert(id.as_ref().to_owned(), ou.to_owned());
        self
    }

    /// Defines an SCP or RCP document by name.
    pub fn policy(mut self, name: &str, document: Value) -> OrganizationBuilder {
        inline(&mut self.fixture.policies, name, document);
        self
    }

    /// Attaches an SCP to `root`, an OU path or an account id (enables SCPs; every target keeps
    /// `FullAWSAccess` unless [`OrganizationBuilder::detach_full_aws_access`] removes it).
    pub fn scp(mut self, target: impl AsRef<str>, policy: &str) -> OrganizationBuilder {
        self.fixture
            .scps
            .get_or_insert_with(BTreeMap::new)
            .entry(target.as_ref().to_owned())
            .or_default()
            .push(policy.to_owned());
        self
    }

    /// Detaches `FullAWSAccess` from a target (enables SCPs), so that only the SCPs attached there
    /// allow.
    pub fn detach_full_aws_access(mut self, target: impl AsRef<str>) -> OrganizationBuilder {
        self.fixture.scps.get_or_insert_with(BTreeMap::new);
        self.fixture.detach_full_aws_access.push(target.as_ref().to_owned());
        self
    }

    /// Attaches an RCP to `root`, an OU path or an account id (enables RCPs; `RCPFullAWSAccess`
    /// stays on every target).
    pub fn rcp(mut self, target: impl AsRef<str>, policy: &str) -> OrganizationBuilder {
        self.fixture
            .rcps
            .get_or_insert_with(BTreeMap::new)
            .entry(target.as_ref().to_owned())
            .or_default()
            .push(policy.to_owned());
        self
    }
}

/// Builds one instance.
///
/// ```
/// use serde_json::json;
///
/// let trust = json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a.role("web", trust, |r| r.instance_profile()))
///     .instance("web-1", "111111111111", |i| i.role("web").region("eu-west-1").instance_id("i-0123456789abcdef0"))
///     .build()?;
/// let instance = world.model().instance("web-1").unwrap();
/// assert_eq!(instance.id, "i-0123456789abcdef0");
/// assert_eq!(instance.region, "eu-west-1");
/// assert_eq!(instance.role.as_deref(), Some("web"));
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct InstanceBuilder {
    fixture: InstanceFixture,
}

impl InstanceBuilder {
    /// The role whose instance profile the instance uses.
    pub fn role(mut self, name: &str) -> InstanceBuilder {
        self.fixture.role = Some(name.to_owned());
        self
    }

    /// The region (`us-east-1` by default).
    pub fn region(mut self, region: &str) -> InstanceBuilder {
        self.fixture.region = Some(region.to_owned());
        self
    }

    /// A fixed instance id (`i-…`).
    pub fn instance_id(mut self, id: &str) -> InstanceBuilder {
        self.fixture.instance_id = Some(id.to_owned());
        self
    }

    /// Its metadata service requires IMDSv2 session tokens (`http_tokens: required`).
    pub fn http_tokens_required(mut self) -> InstanceBuilder {
        self.fixture.http_tokens = Some(crate::fixtures::HttpTokensFixture::Required);
        self
    }

    /// Its user data.
    pub fn user_data(mut self, text: &str) -> InstanceBuilder {
        self.fixture.user_data = Some(text.to_owned());
        self
    }
}
