//! The in-memory model of one simulated AWS: accounts, an organization, IAM users, groups,
//! roles and policies, identity providers, buckets and instances — validated as AWS validates
//! on Create/Put, with every reference resolved and every policy compiled.
//!
//! A [`Model`] is built from a [`Fixture`](crate::fixtures::Fixture) (written as a file, or by
//! the Rust builder). It is immutable; the harness's `World` wraps it with the clock and the
//! state that changes during a test. Building does no I/O: the fixture loader has already read
//! every referenced file.

mod authorize;
mod build;
mod compute;
/// Default IAM quotas, shared with the importer.
#[cfg(feature = "import")]
pub(crate) mod quotas {
    pub(crate) use super::build::{MANAGED_PER_IDENTITY, TRUST_POLICY_SIZE};
}
mod iam;
mod ids;
mod lookup;
mod managed;
pub(crate) mod names;
mod org;
mod resources;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::SystemTime;

pub use authorize::{Caller, Prepared, SessionDetails, UnknownEntity};
pub(crate) use compute::partition;
pub use compute::{EksCluster, HttpTokens, InstanceMetadata, Pod, Task};
pub use iam::{
    AccessKey, Account, AttachedPolicy, Group, InstanceProfile, ManagedPolicy, MfaDevice, OidcProvider,
    PublicAccessBlock, Role, SamlProvider, User,
};
pub use ids::{DEFAULT_SEED, Ids};
pub use lookup::{BucketFacts, ResourceState};
pub use managed::{aws_managed_policy, shipped_aws_managed_policies};
pub use org::{Organization, OrganizationalUnit};
pub use resources::{Bucket, Instance, Object};

use crate::path::JsonPath;
use crate::policy::{AccountId, Severity};

/// One problem found while building a model: where in the fixture, and what is wrong.
///
/// ```
/// use iamsim::fixtures::Fixture;
/// use iamsim::model::Model;
/// let fixture: Fixture = serde_json::from_value(serde_json::json!({
///     "accounts": {"111111111111": {"users": {"alice": {"groups": ["developers"]}}}}
/// }))?;
/// let problems = Model::build(&fixture).unwrap_err();
/// assert_eq!(problems[0].to_string(), "accounts.111111111111.users.alice.groups[0]: account 111111111111 has no group `developers`");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Error (the fixture is rejected, as AWS would reject the request) or warning.
    pub severity: Severity,
    /// Where in the fixture.
    pub path: JsonPath,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path.for_message(), self.message)
        }
    }
}

/// A validated world model. See the [module docs](self).
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// seed: 7
/// clock: 2026-03-01T12:00:00Z
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     buckets: { photos: {} }
/// "#)?;
/// let model = world.model();
/// assert_eq!(model.seed(), 7);
/// assert_eq!(model.start_time(), std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_772_366_400));
/// assert_eq!(model.accounts().count(), 1);
/// assert_eq!(model.bucket("photos").map(|b| b.account.as_str()), Some("111111111111"));
/// assert!(model.account("222222222222").is_none() && model.organization().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) ids: Ids,
    pub(crate) start: SystemTime,
    pub(crate) accounts: BTreeMap<AccountId, Account>,
    pub(crate) organization: Option<Organization>,
    pub(crate) buckets: BTreeMap<String, Bucket>,
    pub(crate) instances: BTreeMap<String, Instance>,
    pub(crate) workloads: compute::Workloads,
    pub(crate) aws_managed: BTreeMap<String, ManagedPolicy>,
    /// Access key id → (account, user name).
    pub(crate) access_keys: HashMap<String, (AccountId, String)>,
    pub(crate) warnings: Vec<Problem>,
}

impl Model {
    /// The seed every generated id comes from.
    pub fn seed(&self) -> u64 {
        self.ids.seed()
    }

    /// The id generator of this model.
    pub fn ids(&self) -> Ids {
        self.ids
    }

    /// The time the world's clock starts at.
    pub fn start_time(&self) -> SystemTime {
        self.start
    }

    /// The accounts, by id.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// An account by id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        // Every key is a valid account id, so text that is not one finds nothing.
        self.accounts.get(id)
    }

    /// The organization, if the fixture has one.
    pub fn organization(&self) -> Option<&Organization> {
        self.organization.as_ref()
    }

    /// A bucket by name.
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.get(name)
    }

    /// Every bucket, by name.
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.values()
    }

    /// An instance by its fixture name or its instance id.
    pub fn instance(&self, name_or_id: &str) -> Option<&Instance> {
        self.instances.get(name_or_id).or_else(|| self.instances.values().find(|i| i.id == name_or_id))
    }

    /// Every instance, by name.
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    /// What an instance's metadata service tells about it.
    pub fn instance_metadata(&self, instance: &Instance) -> Option<&InstanceMetadata> {
        self.workloads.instance_metadata.get(&instance.name)
    }

    /// An ECS task by its fixture name or its task id.
    pub fn task(&self, name_or_id: &str) -> Option<&Task> {
        self.workloads.tasks.get(name_or_id).or_else(|| self.workloads.tasks.values().find(|t| t.task_id == name_or_id))
    }

    /// Every ECS task, by name.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.workloads.tasks.values()
    }

    /// An EKS cluster by name.
    pub fn eks_cluster(&self, name: &str) -> Option<&EksCluster> {
        self.workloads.eks_clusters.get(name)
    }

    /// Every EKS cluster, by name.
    pub fn eks_clusters(&self) -> impl Iterator<Item = &EksCluster> {
        self.workloads.eks_clusters.values()
    }

    /// An EKS pod by name.
    ///
    /// ```
    /// let world = iamsim::World::from_yaml(
    ///     "accounts: { \"111111111111\": {} }\neks_clusters: { prod: { account: \"111111111111\" } }\npods: { web-0: { cluster: prod } }")?;
    /// let pod = world.model().pod("web-0").unwrap();
    /// assert_eq!((pod.namespace.as_str(), pod.service_account.as_str()), ("default", "default"));
    /// let cluster = world.model().eks_cluster(&pod.cluster).unwrap();
    /// assert_eq!(cluster.arn, "arn:aws:eks:us-east-1:111111111111:cluster/prod");
    /// assert!(cluster.oidc_issuer.starts_with("oidc.eks.us-east-1.amazonaws.com/id/"));
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn pod(&self, name: &str) -> Option<&Pod> {
        self.workloads.pods.get(name)
    }

    /// Every EKS pod, by name.
    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.workloads.pods.values()
    }

    /// The AWS managed policies the model uses (shipped or defined by the fixture), by name.
    pub fn aws_managed_policies(&self) -> impl Iterator<Item = &ManagedPolicy> {
        self.aws_managed.values()
    }

    /// The user owning an access key.
    pub fn access_key_owner(&self, key_id: &str) -> Option<(&Account, &User, &AccessKey)> {
        let (account, user) = self.access_keys.get(key_id)?;
        let account = self.accounts.get(account)?;
        let user = account.users.get(user)?;
        let key = user.access_keys.iter().find(|k| k.id == key_id)?;
        Some((account, user, key))
    }

    /// What the fixture does that AWS allows but that may not be intended (unknown actions,
    /// variables in old policy versions, …).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }
}
