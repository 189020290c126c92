//! Where authorization reads the state of a resource that requests can change: a bucket's
//! owner, policy and tags, an object's tags.
//!
//! The fixture builds the first state ([`Model`] answers from it); once a world runs, the live
//! store answers instead (`crate::live::BucketStore`), so a bucket policy or a tag written over
//! the wire changes what the direct questions answer as well. [`Model::authorize_in`] takes
//! the answering state; [`Model::authorize`] is it with the fixture's own state.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Model, PublicAccessBlock};
use crate::catalog::Catalog;
use crate::policy::{AccountId, Action, Context, Policy};

/// What authorizing a request on a bucket or one of its objects needs to know.
///
/// ```
/// use iamsim::model::{BucketFacts, ResourceState};
/// let world = iamsim::World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos: { tags: { team: photos } }\n")?;
/// let facts = world.model().bucket_facts("photos", None).expect("the bucket exists");
/// assert_eq!(facts.account.as_str(), "111111111111");
/// assert_eq!(facts.tags.get("team").map(String::as_str), Some("photos"));
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BucketFacts {
    /// The owning account.
    pub account: AccountId,
    /// The bucket policy.
    pub policy: Option<Arc<Policy>>,
    /// The bucket's tags (S3 tag keys are case-sensitive).
    pub tags: BTreeMap<String, String>,
    /// Whether attribute-based access control is enabled on the bucket: only then do its tags
    /// reach policies as `aws:ResourceTag/…` and `s3:BucketTag/…`. "By default, ABAC is
    /// disabled for all Amazon S3 general purpose buckets"
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html>).
    pub abac: bool,
    /// The tags of the object the request names, when it names one that exists.
    pub object_tags: Option<BTreeMap<String, String>>,
    /// The bucket's own Block Public Access settings (`None`: none, every setting off). A
    /// fixture bucket without `public_access_block` has every setting on, as a bucket created
    /// today; so does one created over the wire.
    pub public_access_block: Option<PublicAccessBlock>,
}

/// A source of the current state of resources, for authorization: the fixture's
/// ([`Model`]) or a running world's (`crate::live::BucketStore`).
///
/// ```
/// use iamsim::model::ResourceState;
/// let world = iamsim::World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos:\n        objects: { a.txt: { text: hi, tags: { k: v } } }\n")?;
/// let live: &dyn ResourceState = world.live().buckets();
/// let facts = live.bucket_facts("photos", Some("a.txt")).expect("the bucket exists");
/// assert_eq!(facts.object_tags.and_then(|t| t.get("k").cloned()).as_deref(), Some("v"));
/// assert!(live.bucket_facts("nope", None).is_none());
/// # Ok::<(), iamsim::WorldError>(())
/// ```
pub trait ResourceState {
    /// The bucket `name` (and, when `key` is given, the tags of that object), if it exists.
    fn bucket_facts(&self, name: &str, key: Option<&str>) -> Option<BucketFacts>;
}

/// The state the fixture built, before any request changed it.
impl ResourceState for Model {
    fn bucket_facts(&self, name: &str, key: Option<&str>) -> Option<BucketFacts> {
        let bucket = self.buckets.get(name)?;
        Some(BucketFacts {
            account: bucket.account.clone(),
            policy: bucket.policy.as_ref().map(|p| p.policy.clone()),
            tags: bucket.tags.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            abac: bucket.abac,
            object_tags: key.and_then(|k| bucket.objects.get(k)).map(|o| o.tags.clone()),
            public_access_block: Some(bucket.public_access_block.unwrap_or(PublicAccessBlock::ALL)),
        })
    }
}

impl Model {
    /// The Block Public Access settings in force for a bucket: its own (`bucket`) combined with
    /// its owner account's, each setting on when either has it on ("Amazon S3 uses the most
    /// restrictive combination of the bucket-level and account-level settings",
    /// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html>).
    ///
    /// ```
    /// use iamsim::model::PublicAccessBlock;
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    public_access_block: { block_public_policy: true }\n")?;
    /// let owner = "111111111111".parse()?;
    /// let effective = world.model().effective_public_access_block(None, &owner);
    /// assert!(effective.block_public_policy && !effective.restrict_public_buckets);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn effective_public_access_block(
        &self,
        bucket: Option<PublicAccessBlock>,
        owner: &AccountId,
    ) -> PublicAccessBlock {
        let account = self.account(owner.as_str()).and_then(|a| a.public_access_block).unwrap_or_default();
        bucket.unwrap_or_default().or(account)
    }
}

/// The bucket a request on `bucket`/`key` acts on, as `state` has it. `s3:CreateBucket` acts on
/// no existing bucket: it asks for a new one in the caller's account, so a taken name is
/// answered `BucketAlreadyExists` rather than decided against another account's bucket.
pub(crate) fn bucket_facts(
    state: &dyn ResourceState,
    action: &Action,
    bucket: &str,
    key: Option<&str>,
) -> Option<BucketFacts> {
    if action.service().eq_ignore_ascii_case("s3") && action.name().eq_ignore_ascii_case("CreateBucket") {
        return None;
    }
    state.bucket_facts(bucket, key)
}

/// The context keys a bucket or object resource supplies: `s3:ResourceAccount`; with ABAC on,
/// `aws:ResourceTag/…` and `s3:BucketTag/…` (the `bucket` and `object` resource types list
/// both in the Service Authorization Reference,
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>);
/// and `s3:ExistingObjectTag/…` for an existing object, for the actions that support that key
/// (`GetObject`, `GetObjectTagging`, `PutObjectTagging`, `DeleteObjectTagging`, … — not
/// `PutObject` or `DeleteObject`), as the action catalog lists them.
pub(crate) fn add_bucket_keys(context: &mut Context, action: &Action, facts: &BucketFacts) {
    context.set("s3:ResourceAccount", [facts.account.as_str().to_owned()]);
    if facts.abac {
        for (k, v) in &facts.tags {
            context.set(&format!("aws:ResourceTag/{k}"), [v.clone()]);
            context.set(&format!("s3:BucketTag/{k}"), [v.clone()]);
        }
    }
    if let Some(tags) = &facts.object_tags
        && supports_existing_object_tag(action)
    {
        for (k, v) in tags {
            context.set(&format!("s3:ExistingObjectTag/{k}"), [v.clone()]);
        }
    }
}

fn supports_existing_object_tag(action: &Action) -> bool {
    action.service().eq_ignore_ascii_case("s3")
        && Catalog::global()
            .action(&action.to_string())
            .and_then(|a| a.condition_keys())
            .is_some_and(|keys| keys.contains(&"s3:ExistingObjectTag/<key>"))
}

/// Splits an S3 resource (`bucket` or `bucket/key`) into the bucket name and the key.
pub(crate) fn split_s3_resource(resource: &str) -> (&str, Option<&str>) {
    match resource.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (resource, None),
    }
}
