//! Where workloads run, and what the services that hand them credentials need to know: the
//! instance metadata of each EC2 instance, ECS tasks, EKS clusters and their pods.
//!
//! Built from the fixture after accounts and instances, checked as AWS checks the same values
//! (ids, addresses, the roles named), every problem located in the fixture.
//!
//! ```
//! let world = iamsim::World::from_yaml(r#"
//! accounts:
//!   "111111111111":
//!     roles:
//!       api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }] } }
//! tasks:
//!   api: { account: "111111111111", role: api }
//! "#)?;
//! let task = world.model().task("api").expect("the fixture has it");
//! assert_eq!(task.task_id.len(), 32);
//! assert!(task.arn.starts_with("arn:aws:ecs:us-east-1:111111111111:task/default/"));
//! # Ok::<(), iamsim::WorldError>(())
//! ```

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::SystemTime;

use super::iam::Account;
use super::resources::Instance;
use super::{Ids, Problem, names};
use crate::fixtures::{Fixture, HttpTokensFixture};
use crate::path::JsonPath;
use crate::policy::{AccountId, Severity};

/// Whether an instance's metadata service requires IMDSv2 session tokens (`HttpTokens`,
/// EC2 User Guide, "Configure the instance metadata options").
///
/// ```
/// use iamsim::model::HttpTokens;
/// let world = iamsim::World::from_yaml(r#"
/// accounts: { "111111111111": {} }
/// instances:
///   old: { account: "111111111111" }
///   hardened: { account: "111111111111", http_tokens: required }
/// "#)?;
/// let tokens = |name: &str| world.model().instance(name).and_then(|i| world.model().instance_metadata(i)).map(|m| m.http_tokens);
/// assert_eq!(tokens("old"), Some(HttpTokens::Optional));
/// assert_eq!(tokens("hardened"), Some(HttpTokens::Required));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HttpTokens {
    /// IMDSv1 (no token) and IMDSv2 requests are answered. AWS's default for an instance whose
    /// AMI does not set `ImdsSupport` to `v2.0` and whose account sets no default.
    #[default]
    Optional,
    /// Requests without a valid session token get `401 - Unauthorized`.
    Required,
}

/// What an instance's metadata service tells about it.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts: { "111111111111": {} }
/// instances:
///   web: { account: "111111111111", private_ip: 10.0.1.2, instance_type: m5.large, tags: { Name: web } }
/// "#)?;
/// let web = world.model().instance("web").expect("in the fixture");
/// let metadata = world.model().instance_metadata(web).expect("every instance has metadata");
/// assert_eq!(metadata.arn, format!("arn:aws:ec2:us-east-1:111111111111:instance/{}", web.id));
/// assert_eq!(metadata.private_ip, std::net::Ipv4Addr::new(10, 0, 1, 2));
/// assert_eq!((metadata.instance_type.as_str(), metadata.availability_zone.as_str()), ("m5.large", "us-east-1a"));
/// assert!(metadata.vpc_id.starts_with("vpc-") && !metadata.metadata_tags);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceMetadata {
    /// `arn:aws:ec2:REGION:ACCOUNT:instance/ID`: `ec2:SourceInstanceARN` of its role credentials.
    pub arn: String,
    /// `optional` or `required` session tokens.
    pub http_tokens: HttpTokens,
    /// `instance-type`.
    pub instance_type: String,
    /// `ami-id`.
    pub image_id: String,
    /// `local-ipv4`, and `aws:Ec2InstanceSourcePrivateIPv4` of its role credentials.
    pub private_ip: Ipv4Addr,
    /// The VPC: `aws:Ec2InstanceSourceVpc` of its role credentials.
    pub vpc_id: String,
    /// The subnet.
    pub subnet_id: String,
    /// `placement/availability-zone`.
    pub availability_zone: String,
    /// `mac`: the primary network interface's MAC address.
    pub mac: String,
    /// `reservation-id`.
    pub reservation_id: String,
    /// When the instance was launched: the world's start (`pendingTime`).
    pub launched_at: SystemTime,
    /// `user-data`, if any.
    pub user_data: Option<String>,
    /// Instance tags.
    pub tags: BTreeMap<String, String>,
    /// Whether `tags/instance` is served (`InstanceMetadataTags`).
    pub metadata_tags: bool,
}

impl InstanceMetadata {
    /// The private DNS name (`hostname`, `local-hostname`): `ip-10-0-1-2.ec2.internal` in
    /// us-east-1, `ip-10-0-1-2.REGION.compute.internal` elsewhere (VPC User Guide, "DNS
    /// attributes for your VPC").
    ///
    /// ```
    /// # let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }\ninstances: { web: { account: \"111111111111\", private_ip: 10.0.1.2 } }")?;
    /// let web = world.model().instance("web").unwrap();
    /// let metadata = world.model().instance_metadata(web).unwrap();
    /// assert_eq!(metadata.hostname("us-east-1"), "ip-10-0-1-2.ec2.internal");
    /// assert_eq!(metadata.hostname("eu-west-1"), "ip-10-0-1-2.eu-west-1.compute.internal");
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn hostname(&self, region: &str) -> String {
        let dashed = self.private_ip.to_string().replace('.', "-");
        if region == "us-east-1" {
            format!("ip-{dashed}.ec2.internal")
        } else {
            format!("ip-{dashed}.{region}.compute.internal")
        }
    }
}

/// An ECS task and the credentials id its containers find in
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (`/v2/credentials/ID`).
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles: { api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }] } } }
/// tasks:
///   api: { account: "111111111111", role: api, cluster: prod }
/// "#)?;
/// let task = world.model().task("api").expect("in the fixture");
/// assert_eq!((task.cluster.as_str(), task.role.as_deref()), ("prod", Some("api")));
/// assert_eq!(task.arn, format!("arn:aws:ecs:us-east-1:111111111111:task/prod/{}", task.task_id));
/// assert_eq!(task.credentials_id.len(), 36, "a UUID");
/// assert!(task.authorization_token.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// The fixture's name for the task.
    pub name: String,
    /// The account that runs it.
    pub account: AccountId,
    /// The region.
    pub region: String,
    /// The ECS cluster.
    pub cluster: String,
    /// The task id (32 hex digits): the session name of its role credentials.
    pub task_id: String,
    /// `arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/TASK_ID`.
    pub arn: String,
    /// The task role.
    pub role: Option<String>,
    /// The id the ECS agent gives the task's credentials (a UUID).
    pub credentials_id: String,
    /// The `Authorization` value the endpoint requires, if any.
    pub authorization_token: Option<String>,
}

/// An EKS cluster.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles: { api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: pods.eks.amazonaws.com }, Action: [sts:AssumeRole, sts:TagSession] }] } } }
/// eks_clusters:
///   main: { account: "111111111111" }
/// pods:
///   api-0: { cluster: main, namespace: shop, service_account: api, pod_identity_role: api }
/// "#)?;
/// let main = world.model().eks_cluster("main").expect("in the fixture");
/// assert_eq!(main.arn, "arn:aws:eks:us-east-1:111111111111:cluster/main");
/// assert!(main.oidc_issuer.starts_with("oidc.eks.us-east-1.amazonaws.com/id/"));
/// assert_eq!(world.model().eks_clusters().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EksCluster {
    /// The cluster name.
    pub name: String,
    /// The account that owns it.
    pub account: AccountId,
    /// The region.
    pub region: String,
    /// `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`.
    pub arn: String,
    /// The OIDC issuer of its service-account tokens, without `https://`.
    pub oidc_issuer: String,
}

/// A pod of an EKS cluster.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles: { api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: pods.eks.amazonaws.com }, Action: [sts:AssumeRole, sts:TagSession] }] } } }
/// eks_clusters:
///   main: { account: "111111111111" }
/// pods:
///   api-0: { cluster: main, namespace: shop, service_account: api, pod_identity_role: api }
/// "#)?;
/// let pod = world.model().pod("api-0").expect("in the fixture");
/// assert_eq!((pod.cluster.as_str(), pod.namespace.as_str(), pod.service_account.as_str()), ("main", "shop", "api"));
/// assert_eq!((pod.pod_identity_role.as_deref(), pod.irsa_role.as_deref()), (Some("api"), None));
/// assert!(!pod.uid.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pod {
    /// The pod name.
    pub name: String,
    /// The cluster's name.
    pub cluster: String,
    /// The Kubernetes namespace.
    pub namespace: String,
    /// The service account.
    pub service_account: String,
    /// The pod UID.
    pub uid: String,
    /// The role of the service account's EKS Pod Identity association.
    pub pod_identity_role: Option<String>,
    /// The role of the service account's `eks.amazonaws.com/role-arn` annotation (IRSA).
    pub irsa_role: Option<String>,
}

/// Everything of this module a model holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Workloads {
    /// By instance name.
    pub(crate) instance_metadata: BTreeMap<String, InstanceMetadata>,
    pub(crate) tasks: BTreeMap<String, Task>,
    pub(crate) eks_clusters: BTreeMap<String, EksCluster>,
    pub(crate) pods: BTreeMap<String, Pod>,
}

/// Collects problems, located.
struct Checks {
    problems: Vec<Problem>,
}

impl Checks {
    fn error(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem { severity: Severity::Error, path: path.clone(), message: message.into() });
    }

    fn warn(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem { severity: Severity::Warning, path: path.clone(), message: message.into() });
    }
}

/// The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `prefix-` and 8 or 17 lowercase hex digits, as EC2 ids are.
fn is_ec2_id(id: &str, prefix: &str) -> bool {
    let hex = id.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('-')).unwrap_or_default();
    (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// Kubernetes names (namespaces, service accounts, pods): DNS labels or subdomains, lowercase
/// letters, digits, `-` and `.`, at most 253 characters.
fn check_kubernetes_name(checks: &mut Checks, at: &JsonPath, what: &str, name: &str) {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && name.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok {
        checks.error(
            at,
            format!("`{name}` is not a Kubernetes {what} name: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"),
        );
    }
}

/// Builds the workloads of a fixture whose accounts and instances are built.
pub(super) fn build(
    fixture: &Fixture,
    ids: Ids,
    start: SystemTime,
    accounts: &BTreeMap<AccountId, Account>,
    instances: &BTreeMap<String, Instance>,
) -> (Workloads, Vec<Problem>) {
    let mut checks = Checks { problems: Vec::new() };
    let mut out = Workloads::default();
    let root = JsonPath::root();

    for (name, instance) in instances {
        let Some(f) = fixture.instances.get(name) else { continue };
        let at = root.key("instances").key(name);
        out.instance_metadata.insert(name.clone(), instance_metadata(&mut checks, &at, f, instance, ids, start));
    }

    for (name, f) in &fixture.tasks {
        let at = root.key("tasks").key(name);
        let Some(account) = AccountId::new(&f.account).ok().and_then(|a| accounts.get(&a)) else {
            checks.error(&at.key("account"), format!("account `{}` is not in the fixture's accounts", f.account));
            continue;
        };
        let region = f.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
        if let Some(why) = names::check_region(&region) {
            checks.error(&at.key("region"), why);
        }
        let cluster = f.cluster.clone().unwrap_or_else(|| "default".to_owned());
        // "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens"
        // (ECS API Reference, CreateCluster, clusterName).
        if cluster.is_empty()
            || cluster.len() > 255
            || !cluster.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            checks.error(
                &at.key("cluster"),
                format!("`{cluster}` is not an ECS cluster name: up to 255 letters, digits, `_` and `-`"),
            );
        }
        let scope = format!("{}/{name}", account.id);
        let task_id = match &f.task_id {
            Some(id) => {
                if id.len() != 32 || !id.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
                    checks.error(&at.key("task_id"), format!("`{id}` is not an ECS task id: 32 lowercase hex digits"));
                }
                id.clone()
            }
            None => ids.opaque_hex("ecs-task", &scope, 32),
        };
        let role = f.role.as_ref().and_then(|r| match account.role(r) {
            Some(role) => Some(role.name.clone()),
            None => {
                checks.error(&at.key("role"), format!("account {} has no role `{r}`", account.id));
                None
            }
        });
        if let Some(token) = &f.authorization_token
            && (token.is_empty() || http::HeaderValue::from_str(token).is_err())
        {
            checks.error(&at.key("authorization_token"), "the token must be a non-empty HTTP header value");
        }
        let arn = format!("arn:aws:ecs:{region}:{}:task/{cluster}/{task_id}", account.id);
        out.tasks.insert(
            name.clone(),
            Task {
                name: name.clone(),
                account: account.id.clone(),
                region,
                cluster,
                task_id,
                arn,
                role,
                credentials_id: ids.uuid("ecs-credentials", &scope),
                authorization_token: f.authorization_token.clone(),
            },
        );
    }

    for (name, f) in &fixture.eks_clusters {
        let at = root.key("eks_clusters").key(name);
        let Some(account) = AccountId::new(&f.account).ok().and_then(|a| accounts.get(&a)) else {
            checks.error(&at.key("account"), format!("account `{}` is not in the fixture's accounts", f.account));
            continue;
        };
        // "The name can contain only alphanumeric characters (case-sensitive), hyphens, and
        // underscores. It must start with an alphanumeric character and can't be longer than
        // 100 characters" (EKS API Reference, CreateCluster, name).
        if name.is_empty()
            || name.len() > 100
            || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            || !name.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        {
            checks.error(&at, format!("`{name}` is not an EKS cluster name: up to 100 letters, digits, `-` and `_`, starting with a letter or digit"));
        }
        let region = f.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
        if let Some(why) = names::check_region(&region) {
            checks.error(&at.key("region"), why);
        }
        let oidc_issuer = match &f.oidc_issuer {
            Some(issuer) => {
                let issuer = issuer.trim_start_matches("https://").trim_end_matches('/').to_owned();
                let prefix = format!("oidc.eks.{region}.amazonaws.com/id/");
                if !issuer
                    .strip_prefix(&prefix)
                    .is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric()))
                {
                    checks.error(
                        &at.key("oidc_issuer"),
                        format!(
                            "`{issuer}` is not the OIDC issuer of an EKS cluster in {region}: expected `{prefix}ID`"
                        ),
                    );
                }
                issuer
            }
            None => {
                let id = ids.opaque_hex("eks-oidc", &format!("{}/{name}", account.id), 32).to_ascii_uppercase();
                format!("oidc.eks.{region}.amazonaws.com/id/{id}")
            }
        };
        let arn = format!("arn:aws:eks:{region}:{}:cluster/{name}", account.id);
        out.eks_clusters.insert(
            name.clone(),
            EksCluster { name: name.clone(), account: account.id.clone(), region, arn, oidc_issuer },
        );
    }

    for (name, f) in &fixture.pods {
        let at = root.key("pods").key(name);
        check_kubernetes_name(&mut checks, &at, "pod", name);
        let Some(cluster) = out.eks_clusters.get(&f.cluster) else {
            checks.error(
                &at.key("cluster"),
                format!("the fixture has no EKS cluster `{}` (in `eks_clusters`)", f.cluster),
            );
            continue;
        };
        let Some(account) = accounts.get(&cluster.account) else { continue };
        let namespace = f.namespace.clone().unwrap_or_else(|| "default".to_owned());
        check_kubernetes_name(&mut checks, &at.key("namespace"), "namespace", &namespace);
        let service_account = f.service_account.clone().unwrap_or_else(|| "default".to_owned());
        check_kubernetes_name(&mut checks, &at.key("service_account"), "service account", &service_account);
        let mut role = |key: &str, wanted: &Option<String>| {
            wanted.as_ref().and_then(|r| match account.role(r) {
                Some(role) => Some(role.name.clone()),
                None => {
                    checks.error(&at.key(key), format!("account {} has no role `{r}`", account.id));
                    None
                }
            })
        };
        let pod_identity_role = role("pod_identity_role", &f.pod_identity_role);
        let irsa_role = role("irsa_role", &f.irsa_role);
        // STS finds the provider of a web identity token among the IAM OIDC providers of the
        // role's account; without one, every AssumeRoleWithWebIdentity of the pod fails.
        if irsa_role.is_some() && !account.oidc_providers.contains_key(&cluster.oidc_issuer) {
            checks.warn(
                &at.key("irsa_role"),
                format!(
                    "account {} has no IAM OIDC provider `{}` (cluster `{}`'s issuer): AssumeRoleWithWebIdentity will fail",
                    account.id, cluster.oidc_issuer, cluster.name
                ),
            );
        }
        let uid = f.uid.clone().unwrap_or_else(|| ids.uuid("pod-uid", &format!("{}/{name}", cluster.arn)));
        out.pods.insert(
            name.clone(),
            Pod {
                name: name.clone(),
                cluster: cluster.name.clone(),
                namespace,
                service_account,
                uid,
                pod_identity_role,
                irsa_role,
            },
        );
    }

    (out, checks.problems)
}

fn instance_metadata(
    checks: &mut Checks,
    at: &JsonPath,
    f: &crate::fixtures::InstanceFixture,
    instance: &Instance,
    ids: Ids,
    start: SystemTime,
) -> InstanceMetadata {
    let scope = format!("{}/{}", instance.account, instance.name);
    let checked_id = |checks: &mut Checks, key: &str, given: &Option<String>, prefix: &str| match given {
        Some(id) => {
            if !is_ec2_id(id, prefix) {
                checks.error(
                    &at.key(key),
                    format!("`{id}` is not an id of the form `{prefix}-` and 8 or 17 lowercase hex digits"),
                );
            }
            id.clone()
        }
        None => format!("{prefix}-{}", ids.opaque_hex(prefix, &scope, 17)),
    };
    let image_id = checked_id(checks, "image_id", &f.image_id, "ami");
    let vpc_id = checked_id(checks, "vpc_id", &f.vpc_id, "vpc");
    let subnet_id = checked_id(checks, "subnet_id", &f.subnet_id, "subnet");
    let private_ip = match &f.private_ip {
        Some(text) => match text.parse::<Ipv4Addr>() {
            Ok(ip) if ip.is_private() => ip,
            Ok(_) => {
                checks.error(&at.key("private_ip"), format!("`{text}` is not a private IPv4 address (RFC 1918)"));
                Ipv4Addr::new(10, 0, 0, 10)
            }
            Err(_) => {
                checks.error(&at.key("private_ip"), format!("`{text}` is not an IPv4 address"));
                Ipv4Addr::new(10, 0, 0, 10)
            }
        },
        None => {
            let bytes = ids.opaque_hex("private-ip", &scope, 4);
            let octet = |from: usize| u8::from_str_radix(bytes.get(from..from + 2).unwrap_or("0a"), 16).unwrap_or(10);
            // Avoid the network (.0) and the addresses a VPC subnet reserves (.1–.3, .255).
            Ipv4Addr::new(10, 0, octet(0), octet(2).clamp(4, 254))
        }
    };
    let availability_zone = match &f.availability_zone {
        Some(az) => {
            let ok = az.strip_prefix(instance.region.as_str()).is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            });
            if !ok {
                checks.error(
                    &at.key("availability_zone"),
                    format!("`{az}` is not an Availability Zone of {}", instance.region),
                );
            }
            az.clone()
        }
        None => format!("{}a", instance.region),
    };
    let instance_type = f.instance_type.clone().unwrap_or_else(|| "t3.micro".to_owned());
    if !instance_type.split_once('.').is_some_and(|(family, size)| {
        !family.is_empty()
            && !size.is_empty()
            && family.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            && size.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    }) {
        checks.error(&at.key("instance_type"), format!("`{instance_type}` is not an instance type such as `t3.micro`"));
    }
    for (key, value) in &f.tags {
        if let Some(why) = names::check_tag(key, value) {
            checks.error(&at.key("tags").key(key), why);
        }
        // "Instance tags ... must not contain spaces or `/`" when allowed in metadata, and the
        // key `aws:`… is reserved (EC2 User Guide, "View tags in instance metadata").
        if f.metadata_tags && (key.contains(' ') || key.contains('/')) {
            checks.error(
                &at.key("tags").key(key),
                format!("tag key `{key}` cannot be read from instance metadata: it holds a space or `/`"),
            );
        }
    }
    let mac_hex = ids.opaque_hex("mac", &scope, 10);
    // A locally administered unicast address (`02:` first octet), as EC2's are.
    let mac = std::iter::once("02".to_owned())
        .chain((0..5).map(|i| mac_hex.get(i * 2..i * 2 + 2).unwrap_or("00").to_owned()))
        .collect::<Vec<_>>()
        .join(":");
    let partition = partition(&instance.region);
    InstanceMetadata {
        arn: format!("arn:{partition}:ec2:{}:{}:instance/{}", instance.region, instance.account, instance.id),
        http_tokens: match f.http_tokens.unwrap_or_default() {
            HttpTokensFixture::Optional => HttpTokens::Optional,
            HttpTokensFixture::Required => HttpTokens::Required,
        },
        instance_type,
        image_id,
        private_ip,
        vpc_id,
        subnet_id,
        availability_zone,
        mac,
        reservation_id: format!("r-{}", ids.opaque_hex("reservation", &scope, 17)),
        launched_at: start,
        user_data: f.user_data.clone(),
        tags: f.tags.clone(),
        metadata_tags: f.metadata_tags,
    }
}
