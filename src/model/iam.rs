//! IAM entities as a world holds them once a fixture is validated: every reference resolved,
//! every policy compiled, every id generated.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::arn::Arn;
use crate::policy::{AccountId, Policy, Tags};

/// A policy attached to an identity: a managed policy (shared) or an inline one.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice:
///         policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
///         inline_policies:
///           ReadPhotos: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::photos/*" }] }
/// "#)?;
/// let alice = world.model().account("111111111111").and_then(|a| a.user("alice")).expect("in the fixture");
/// assert_eq!(&*alice.managed_policies[0].label, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
/// let inline = &alice.inline_policies[0];
/// assert_eq!(&*inline.label, "user/alice/ReadPhotos");
/// assert_eq!(inline.policy.name(), Some("user/alice/ReadPhotos"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct AttachedPolicy {
    /// The policy's name for explanations: the managed policy's ARN, or `user/alice/Name` for an inline one.
    pub label: Arc<str>,
    /// The compiled policy, named by `label`.
    pub policy: Arc<Policy>,
}

/// A customer managed or AWS managed policy.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     policies:
///       ReadPhotos:
///         path: /app/
///         description: Read the photos
///         document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::photos/*" }] }
/// "#)?;
/// let policy = world.model().account("111111111111").and_then(|a| a.policy("ReadPhotos")).expect("in the fixture");
/// assert_eq!(policy.arn.as_str(), "arn:aws:iam::111111111111:policy/app/ReadPhotos");
/// assert_eq!((policy.path.as_str(), policy.description.as_deref()), ("/app/", Some("Read the photos")));
/// assert!(policy.id.starts_with("ANPA"));
/// assert_eq!(policy.policy.name(), Some(policy.arn.as_str()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    /// The policy name.
    pub name: String,
    /// The IAM path.
    pub path: String,
    /// `arn:aws:iam::ACCOUNT:policy/PATH/NAME`, or `arn:aws:iam::aws:policy/…` for AWS managed.
    pub arn: Arn,
    /// The policy id (`ANPA…`).
    pub id: String,
    /// A description.
    pub description: Option<String>,
    /// The compiled document, named by the ARN.
    pub policy: Arc<Policy>,
}

/// An access key of an IAM user.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: { access_keys: [{}, { id: AKIAIOSFODNN7EXAMPLE, secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, status: Inactive }] }
/// "#)?;
/// let alice = world.model().account("111111111111").and_then(|a| a.user("alice")).expect("in the fixture");
/// assert!(alice.access_keys[0].active && alice.access_keys[0].id.starts_with("AKIA"));
/// let given = &alice.access_keys[1];
/// assert_eq!((given.id.as_str(), given.active), ("AKIAIOSFODNN7EXAMPLE", false));
/// let (_, owner, _) = world.model().access_key_owner("AKIAIOSFODNN7EXAMPLE").expect("a key of the world");
/// assert_eq!(owner.name, "alice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    /// The access key id (`AKIA…`).
    pub id: String,
    /// The secret access key.
    pub secret: String,
    /// Whether the key can sign requests.
    pub active: bool,
}

/// A virtual MFA device.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: { mfa: { secret: JBSWY3DPEHPK3PXP } }
///       bob: {}
/// "#)?;
/// let account = world.model().account("111111111111").expect("in the fixture");
/// let device = account.user("alice").and_then(|u| u.mfa.as_ref()).expect("alice has a device");
/// assert_eq!(device.serial, "arn:aws:iam::111111111111:mfa/alice");
/// assert_eq!(device.seed, "JBSWY3DPEHPK3PXP");
/// assert!(account.user("bob").is_some_and(|u| u.mfa.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaDevice {
    /// `arn:aws:iam::ACCOUNT:mfa/NAME`.
    pub serial: String,
    /// The TOTP seed, base32.
    pub seed: String,
}

/// An IAM user.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users:
///       alice: { path: /staff/, groups: [readers], tags: { team: photos } }
///     groups:
///       readers: { policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess] }
///     buckets: { photos: {} }
/// "#)?;
/// let alice = world.model().account("111111111111").and_then(|a| a.user("alice")).expect("in the fixture");
/// assert_eq!(alice.arn.as_str(), "arn:aws:iam::111111111111:user/staff/alice");
/// assert!(alice.id.starts_with("AIDA"));
/// assert_eq!((alice.groups.as_slice(), alice.tags.get("team")), (&["readers".to_owned()][..], Some("photos")));
/// assert_eq!(alice.access_keys.len(), 1, "one key by default");
/// // Her group's policy is in force for her.
/// assert!(world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::photos/a.jpg").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct User {
    /// The name.
    pub name: String,
    /// The IAM path.
    pub path: String,
    /// `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    pub arn: Arn,
    /// The unique id (`AIDA…`).
    pub id: String,
    /// Names of the user's groups.
    pub groups: Vec<String>,
    /// Inline policies.
    pub inline_policies: Vec<AttachedPolicy>,
    /// Attached managed policies.
    pub managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary.
    pub permissions_boundary: Option<AttachedPolicy>,
    /// Tags.
    pub tags: Tags,
    /// Access keys.
    pub access_keys: Vec<AccessKey>,
    /// The virtual MFA device, if any.
    pub mfa: Option<MfaDevice>,
}

/// An IAM group.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     groups:
///       readers:
///         path: /teams/
///         policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
/// "#)?;
/// let readers = world.model().account("111111111111").and_then(|a| a.group("readers")).expect("in the fixture");
/// assert_eq!(readers.arn.as_str(), "arn:aws:iam::111111111111:group/teams/readers");
/// assert!(readers.id.starts_with("AGPA"));
/// assert_eq!(readers.managed_policies.len(), 1);
/// assert!(readers.inline_policies.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Group {
    /// The name.
    pub name: String,
    /// The IAM path.
    pub path: String,
    /// `arn:aws:iam::ACCOUNT:group/PATH/NAME`.
    pub arn: Arn,
    /// The unique id (`AGPA…`).
    pub id: String,
    /// Inline policies.
    pub inline_policies: Vec<AttachedPolicy>,
    /// Attached managed policies.
    pub managed_policies: Vec<AttachedPolicy>,
}

/// An instance profile.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       web: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }, instance_profile: true }
///       batch: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }, instance_profile: batch-profile }
/// "#)?;
/// let account = world.model().account("111111111111").expect("in the fixture");
/// let web = account.role("web").and_then(|r| r.instance_profile.as_ref()).expect("a profile");
/// assert_eq!(web.name, "web");
/// assert_eq!(web.arn.as_str(), "arn:aws:iam::111111111111:instance-profile/web");
/// assert!(web.id.starts_with("AIPA"));
/// let batch = account.role("batch").and_then(|r| r.instance_profile.as_ref()).expect("a profile");
/// assert_eq!(batch.name, "batch-profile");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceProfile {
    /// The name.
    pub name: String,
    /// `arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME`.
    pub arn: Arn,
    /// The unique id (`AIPA…`).
    pub id: String,
}

/// An IAM role.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       web:
///         path: /app/
///         trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }
///         max_session_duration: 7200
///         tags: { team: web }
/// "#)?;
/// let web = world.model().account("111111111111").and_then(|a| a.role("web")).expect("in the fixture");
/// assert_eq!(web.arn.as_str(), "arn:aws:iam::111111111111:role/app/web");
/// assert!(web.id.starts_with("AROA"));
/// assert_eq!(web.max_session_duration, 7200);
/// assert_eq!(web.trust.policy.statement_count(), 1);
/// assert!(!web.is_service_linked());
/// assert_eq!(web.tags.get("team"), Some("web"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Role {
    /// The name.
    pub name: String,
    /// The IAM path.
    pub path: String,
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub arn: Arn,
    /// The unique id (`AROA…`).
    pub id: String,
    /// The trust policy.
    pub trust: AttachedPolicy,
    /// Inline policies.
    pub inline_policies: Vec<AttachedPolicy>,
    /// Attached managed policies.
    pub managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary.
    pub permissions_boundary: Option<AttachedPolicy>,
    /// The longest session, in seconds.
    pub max_session_duration: u32,
    /// Tags.
    pub tags: Tags,
    /// The role's instance profile.
    pub instance_profile: Option<InstanceProfile>,
    /// A description.
    pub description: Option<String>,
}

impl Role {
    /// Whether the role is service-linked (path `/aws-service-role/…`): SCPs and RCPs do not
    /// apply to it ("SCPs do not affect any service-linked role").
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// An IAM OIDC identity provider.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     oidc_providers:
///       token.actions.githubusercontent.com: { audiences: [sts.amazonaws.com] }
/// "#)?;
/// let account = world.model().account("111111111111").expect("in the fixture");
/// let github = &account.oidc_providers["token.actions.githubusercontent.com"];
/// assert_eq!(github.arn.as_str(), "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com");
/// assert_eq!(github.audiences, ["sts.amazonaws.com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcProvider {
    /// The issuer without `https://`, for example `token.actions.githubusercontent.com`.
    pub url: String,
    /// `arn:aws:iam::ACCOUNT:oidc-provider/URL`.
    pub arn: Arn,
    /// The audiences (client ids).
    pub audiences: Vec<String>,
    /// Certificate thumbprints.
    pub thumbprints: Vec<String>,
}

/// An IAM SAML identity provider.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     saml_providers:
///       okta: {}
/// "#)?;
/// let account = world.model().account("111111111111").expect("in the fixture");
/// let okta = &account.saml_providers["okta"];
/// assert_eq!(okta.arn.as_str(), "arn:aws:iam::111111111111:saml-provider/okta");
/// assert_eq!(okta.name, "okta");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamlProvider {
    /// The name.
    pub name: String,
    /// `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
    pub arn: Arn,
    /// The metadata document.
    pub metadata: Option<String>,
}

/// S3 Block Public Access settings.
///
/// ```
/// use iamsim::model::PublicAccessBlock;
/// let bucket = PublicAccessBlock { block_public_policy: true, ..PublicAccessBlock::default() };
/// let account = PublicAccessBlock { restrict_public_buckets: true, ..PublicAccessBlock::default() };
/// // S3 applies "the most restrictive combination of the bucket-level and account-level settings".
/// let effective = bucket.or(account);
/// assert!(effective.block_public_policy && effective.restrict_public_buckets && !effective.block_public_acls);
/// assert_eq!(PublicAccessBlock::ALL.or(PublicAccessBlock::default()), PublicAccessBlock::ALL);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// Every setting on: what a bucket created today starts with ("By default, new buckets,
    /// access points, and objects don't allow public access",
    /// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>).
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// Each setting on when it is on in either: how S3 combines a bucket's settings with its
    /// owner account's.
    #[must_use]
    pub fn or(self, other: PublicAccessBlock) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: self.block_public_acls || other.block_public_acls,
            ignore_public_acls: self.ignore_public_acls || other.ignore_public_acls,
            block_public_policy: self.block_public_policy || other.block_public_policy,
            restrict_public_buckets: self.restrict_public_buckets || other.restrict_public_buckets,
        }
    }
}

/// One account and its IAM entities. Maps are keyed by name as written; lookups by name are
/// case-insensitive where IAM's are (names are unique regardless of case).
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     alias: dev
///     users: { alice: {} }
/// "#)?;
/// let account = world.model().account("111111111111").expect("in the fixture");
/// assert_eq!((account.id.as_str(), account.alias.as_deref()), ("111111111111", Some("dev")));
/// assert_eq!(account.canonical_user_id.len(), 64);
/// // IAM names are unique regardless of case, and found regardless of case.
/// assert_eq!(account.user("ALICE").map(|u| u.name.as_str()), Some("alice"));
/// assert!(account.role("alice").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// The alias.
    pub alias: Option<String>,
    /// The S3 canonical user id of the account.
    pub canonical_user_id: String,
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Groups by name.
    pub groups: BTreeMap<String, Group>,
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
    /// Customer managed policies by name.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// OIDC providers by URL.
    pub oidc_providers: BTreeMap<String, OidcProvider>,
    /// SAML providers by name.
    pub saml_providers: BTreeMap<String, SamlProvider>,
    /// The account-level Block Public Access settings.
    pub public_access_block: Option<PublicAccessBlock>,
}

fn find<'a, T>(map: &'a BTreeMap<String, T>, name: &str) -> Option<&'a T> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

impl Account {
    /// A user by name (IAM names are unique regardless of case).
    pub fn user(&self, name: &str) -> Option<&User> {
        find(&self.users, name)
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&Group> {
        find(&self.groups, name)
    }

    /// A role by name.
    pub fn role(&self, name: &str) -> Option<&Role> {
        find(&self.roles, name)
    }

    /// A customer managed policy by name.
    pub fn policy(&self, name: &str) -> Option<&ManagedPolicy> {
        find(&self.policies, name)
    }
}
