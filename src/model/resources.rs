//! Resources other than IAM's: S3 buckets with their objects, and EC2 instances.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::iam::{AttachedPolicy, PublicAccessBlock};
use crate::policy::{AccountId, Tags};

/// An S3 object.
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
