//! Resources other than IAM's: S3 buckets with their objects, and EC2 instances.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::iam::{AttachedPolicy, PublicAccessBlock};
use crate::policy::{AccountId, Tags};

/// An S3 object.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     buckets:
///       photos:
///         region: eu-west-1
///         tags: { team: photos }
///         objects:
///           a.txt: hello
///           b.json: { text: "{}", content_type: application/json, tags: { kind: config } }
/// "#)?;
/// let photos = world.model().bucket("photos").expect("in the fixture");
/// let a = &photos.objects["a.txt"];
/// assert_eq!((&a.content[..], a.content_type.as_str()), (&b"hello"[..], "binary/octet-stream"));
/// let b = &photos.objects["b.json"];
/// assert_eq!((b.content_type.as_str(), b.tags.get("kind").map(String::as_str)), ("application/json", Some("config")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// The content.
    pub content: Bytes,
    /// The `Content-Type`.
    pub content_type: String,
    /// Object tags.
    pub tags: BTreeMap<String, String>,
}

/// An S3 bucket.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     buckets:
///       photos:
///         region: eu-west-1
///         tags: { team: photos }
///         objects:
///           a.txt: hello
///           b.json: { text: "{}", content_type: application/json, tags: { kind: config } }
/// "#)?;
/// let photos = world.model().bucket("photos").expect("in the fixture");
/// assert_eq!((photos.account.as_str(), photos.region.as_str()), ("111111111111", "eu-west-1"));
/// assert_eq!(photos.tags.get("team"), Some("photos"));
/// assert_eq!(photos.objects.len(), 2);
/// assert!(photos.policy.is_none() && !photos.abac);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Bucket {
    /// The bucket name.
    pub name: String,
    /// The owning account.
    pub account: AccountId,
    /// The region.
    pub region: String,
    /// The bucket policy.
    pub policy: Option<AttachedPolicy>,
    /// Bucket tags.
    pub tags: Tags,
    /// The bucket's Block Public Access settings.
    pub public_access_block: Option<PublicAccessBlock>,
    /// Whether attribute-based access control (tags in policies) is enabled; off by default,
    /// as on AWS.
    pub abac: bool,
    /// Objects by key, as the fixture created them.
    pub objects: BTreeMap<String, Object>,
}

/// An EC2 instance.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       web: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }, instance_profile: true }
/// instances:
///   web: { account: "111111111111", role: web, region: eu-west-1 }
/// "#)?;
/// let web = world.model().instance("web").expect("in the fixture");
/// assert!(web.id.starts_with("i-"));
/// assert_eq!((web.role.as_deref(), web.instance_profile.as_deref()), (Some("web"), Some("web")));
/// assert_eq!(web.region, "eu-west-1");
/// // Found by id as well as by name.
/// assert_eq!(world.model().instance(&web.id), Some(web));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The fixture's name for the instance.
    pub name: String,
    /// The instance id (`i-…`).
    pub id: String,
    /// The account that runs it.
    pub account: AccountId,
    /// The region.
    pub region: String,
    /// The role its instance profile carries.
    pub role: Option<String>,
    /// The instance profile's name.
    pub instance_profile: Option<String>,
}
