//! The buckets and objects of a running world: see [`BucketStore`].

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use bytes::Bytes;
use md5::{Digest, Md5};

use super::MultipartUpload;
use crate::model::{AttachedPolicy, BucketFacts, Model, PublicAccessBlock, ResourceState};
use crate::policy::AccountId;

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// The checksum an object was stored with: its algorithm as S3 names it (`CRC32`, `CRC32C`,
/// `CRC64NVME`, `SHA1`, `SHA256`) and the base64 value.
///
/// ```
/// use iamsim::live::StoredChecksum;
/// let crc = StoredChecksum { algorithm: "CRC32".into(), value: "NhCmhg==".into() };
/// assert_eq!(crc.algorithm, "CRC32");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredChecksum {
    /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`.
    pub algorithm: String,
    /// The checksum, base64.
    pub value: String,
}

/// One object: its bytes and what S3 keeps about it.
///
/// ```
/// use iamsim::live::StoredObject;
/// let object = StoredObject::new("hello".into(), "text/plain", std::time::UNIX_EPOCH);
/// assert_eq!(object.etag, "5d41402abc4b2a76b9719d911017c592");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The content, shared (cloning an object never copies its bytes).
    pub content: Bytes,
    /// `Content-Type`.
    pub content_type: String,
    /// The MD5 of the content in hex, without quotes (S3's ETag of an object uploaded in one
    /// part and encrypted with SSE-S3).
    pub etag: String,
    /// When it was written, on the world's clock.
    pub last_modified: SystemTime,
    /// User metadata (`x-amz-meta-*`), names lowercase without the prefix.
    pub metadata: BTreeMap<String, String>,
    /// Object tags (keys case-sensitive).
    pub tags: BTreeMap<String, String>,
    /// Stored representation headers: `Content-Encoding`, `Content-Disposition`,
    /// `Content-Language`, `Cache-Control`, `Expires`, as (lowercase name, value).
    pub headers: Vec<(String, String)>,
    /// The checksum the uploader supplied (S3 otherwise computes CRC64NVME).
    pub checksum: Option<StoredChecksum>,
}

impl StoredObject {
    /// An object of this content and type, written at `now`, its ETag computed.
    pub fn new(content: Bytes, content_type: &str, now: SystemTime) -> StoredObject {
        StoredObject {
            etag: hex::encode(Md5::digest(&content)),
            content,
            content_type: content_type.to_owned(),
            last_modified: now,
            metadata: BTreeMap::new(),
            tags: BTreeMap::new(),
            headers: Vec::new(),
            checksum: None,
        }
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        u64::try_from(self.content.len()).unwrap_or(u64::MAX)
    }
}

/// What changes about a bucket; behind the bucket's own lock.
#[derive(Debug, Default)]
struct BucketState {
    policy: Option<AttachedPolicy>,
    tags: BTreeMap<String, String>,
    public_access_block: Option<PublicAccessBlock>,
    abac: bool,
    objects: BTreeMap<String, StoredObject>,
    /// Multipart uploads in progress, by upload id.
    uploads: BTreeMap<String, MultipartUpload>,
    /// How many uploads were ever started (each gets a distinct id from it).
    uploads_started: u64,
    /// Set when the bucket is deleted, so a request that found it just before cannot write
    /// into a bucket nobody can see any more.
    deleted: bool,
}

/// Why a bucket could not be written to: it was deleted after the request found it.
///
/// ```
/// use iamsim::live::BucketGone;
/// assert_eq!(BucketGone.to_string(), "the bucket was deleted");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the bucket was deleted")]
pub struct BucketGone;

/// One bucket of a running world: its owner and region, and what requests change — objects,
/// tags, the bucket policy, Block Public Access settings, ABAC.
///
/// ```
/// use std::sync::Arc;
/// use iamsim::live::StoredObject;
/// use iamsim::model::AttachedPolicy;
/// let world = iamsim::World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    users:\n      carol: {}\n    buckets:\n      photos: {}\n")?;
/// let photos = world.live().buckets().bucket("photos").expect("the fixture's bucket");
/// photos.put_object("a.txt", StoredObject::new("hi".into(), "text/plain", world.clock().now()))?;
/// assert_eq!(photos.object("a.txt").map(|o| o.size()), Some(2));
///
/// // What PutBucketPolicy does: every later decision reads the new policy.
/// let carol = world.user("111111111111", "carol");
/// carol.can("s3:GetObject").on("arn:aws:s3:::photos/a.txt").assert_denied();
/// let policy = iamsim::Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///     "Principal": {"AWS": "arn:aws:iam::111111111111:user/carol"}, "Action": "s3:GetObject",
///     "Resource": "arn:aws:s3:::photos/*"}]}"#)?;
/// photos.set_policy(Some(AttachedPolicy { label: Arc::from("photos"), policy: Arc::new(policy.named("photos")) }));
/// carol.can("s3:GetObject").on("arn:aws:s3:::photos/a.txt").assert_allowed();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LiveBucket {
    name: String,
    account: AccountId,
    region: String,
    created: SystemTime,
    state: RwLock<BucketState>,
}

impl LiveBucket {
    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The owning account.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The bucket's region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// When it was created, on the world's clock.
    pub fn created(&self) -> SystemTime {
        self.created
    }

    /// The bucket policy.
    pub fn policy(&self) -> Option<AttachedPolicy> {
        read(&self.state).policy.clone()
    }

    /// Replaces (or with `None` removes) the bucket policy. The next authorization — over the
    /// wire or a direct question — sees it.
    pub fn set_policy(&self, policy: Option<AttachedPolicy>) {
        write(&self.state).policy = policy;
    }

    /// The bucket's tags.
    pub fn tags(&self) -> BTreeMap<String, String> {
        read(&self.state).tags.clone()
    }

    /// Replaces the bucket's tags.
    pub fn set_tags(&self, tags: BTreeMap<String, String>) {
        write(&self.state).tags = tags;
    }

    /// The bucket's Block Public Access settings.
    pub fn public_access_block(&self) -> Option<PublicAccessBlock> {
        read(&self.state).public_access_block
    }

    /// Replaces (or removes) the bucket's Block Public Access settings.
    pub fn set_public_access_block(&self, settings: Option<PublicAccessBlock>) {
        write(&self.state).public_access_block = settings;
    }

    /// Whether attribute-based access control is enabled.
    pub fn abac(&self) -> bool {
        read(&self.state).abac
    }

    /// Enables or disables attribute-based access control.
    pub fn set_abac(&self, enabled: bool) {
        write(&self.state).abac = enabled;
    }

    /// An object by key (a cheap clone: the bytes are shared).
    pub fn object(&self, key: &str) -> Option<StoredObject> {
        read(&self.state).objects.get(key).cloned()
    }

    /// Stores an object, replacing one with the same key.
    pub fn put_object(&self, key: &str, object: StoredObject) -> Result<(), BucketGone> {
        let mut state = write(&self.state);
        if state.deleted {
            return Err(BucketGone);
        }
        state.objects.insert(key.to_owned(), object);
        Ok(())
    }

    /// Deletes an object; whether it existed.
    pub fn delete_object(&self, key: &str) -> bool {
        write(&self.state).objects.remove(key).is_some()
    }

    /// Replaces an object's tags; `false` when there is no such object.
    pub fn set_object_tags(&self, key: &str, tags: BTreeMap<String, String>) -> bool {
        match write(&self.state).objects.get_mut(key) {
            Some(object) => {
                object.tags = tags;
                true
            }
            None => false,
        }
    }

    /// Starts a multipart upload; `make_id` turns the bucket's upload counter into its id.
    ///
    /// ```
    /// use iamsim::live::{MultipartUpload, UploadedPart};
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    buckets:\n      photos: {}\n")?;
    /// let photos = world.live().buckets().bucket("photos").expect("the fixture's bucket");
    /// let now = world.clock().now();
    /// let id = photos.start_upload(|n| format!("upload-{n}"), MultipartUpload::new("big.bin", "me", now))?;
    /// assert!(photos.put_part(&id, "big.bin", 1, UploadedPart::new("hi".into(), None, now)));
    /// let done = photos.complete_upload(&id, "big.bin", |u| {
    ///     Ok::<_, ()>(iamsim::live::StoredObject::new(u.parts[&1].data.clone(), "text/plain", now))
    /// });
    /// assert_eq!(done.and_then(Result::ok).map(|o| o.size()), Some(2));
    /// assert!(photos.upload(&id, "big.bin").is_none());
    /// assert_eq!(photos.object("big.bin").map(|o| o.content), Some("hi".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_upload(
        &self,
        make_id: impl FnOnce(u64) -> String,
        upload: MultipartUpload,
    ) -> Result<String, BucketGone> {
        let mut state = write(&self.state);
        if state.deleted {
            return Err(BucketGone);
        }
        state.uploads_started += 1;
        let id = make_id(state.uploads_started);
        state.uploads.insert(id.clone(), upload);
        Ok(id)
    }

    /// A multipart upload in progress of `key` (a cheap clone: part bytes are shared).
    pub fn upload(&self, id: &str, key: &str) -> Option<MultipartUpload> {
        read(&self.state).uploads.get(id).filter(|u| u.key == key).cloned()
    }

    /// Every upload in progress, by id.
    pub fn uploads(&self) -> Vec<(String, MultipartUpload)> {
        read(&self.state).uploads.iter().map(|(id, u)| (id.clone(), u.clone())).collect()
    }

    /// Stores (or replaces) part `number` of upload `id` of `key`; `false` without such an upload.
    pub fn put_part(&self, id: &str, key: &str, number: u32, part: super::UploadedPart) -> bool {
        match write(&self.state).uploads.get_mut(id).filter(|u| u.key == key) {
            Some(upload) => {
                upload.parts.insert(number, part);
                true
            }
            None => false,
        }
    }

    /// Ends upload `id` of `key` without an object; whether there was one.
    pub fn abort_upload(&self, id: &str, key: &str) -> bool {
        let mut state = write(&self.state);
        if state.uploads.get(id).is_some_and(|u| u.key == key) {
            state.uploads.remove(id);
            true
        } else {
            false
        }
    }

    /// Completes upload `id` of `key` atomically: `assemble` turns it into the object (or an
    /// error, leaving the upload in progress), which replaces the key's object. `None` without
    /// such an upload.
    pub fn complete_upload<E>(
        &self,
        id: &str,
        key: &str,
        assemble: impl FnOnce(&MultipartUpload) -> Result<StoredObject, E>,
    ) -> Option<Result<StoredObject, E>> {
        let mut state = write(&self.state);
        let upload = state.uploads.get(id).filter(|u| u.key == key)?;
        let object = match assemble(upload) {
            Ok(object) => object,
            Err(e) => return Some(Err(e)),
        };
        state.uploads.remove(id);
        state.objects.insert(key.to_owned(), object.clone());
        Some(Ok(object))
    }

    /// Whether the bucket holds no object.
    pub fn is_empty(&self) -> bool {
        read(&self.state).objects.is_empty()
    }

    /// Visits objects in key order, starting after `after` (or at the first key), until `visit`
    /// returns `false`. The bucket is read-locked meanwhile: `visit` must not call back into it.
    pub fn scan(&self, after: Option<&str>, mut visit: impl FnMut(&str, &StoredObject) -> bool) {
        let state = read(&self.state);
        let start = match after {
            Some(key) => Bound::Excluded(key),
            None => Bound::Unbounded,
        };
        for (key, object) in state.objects.range::<str, _>((start, Bound::Unbounded)) {
            if !visit(key, object) {
                break;
            }
        }
    }
}

/// Why a bucket could not be created.
///
/// ```
/// use iamsim::live::CreateBucketError;
/// let world = iamsim::World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos: {}\n  \"222222222222\": {}\n")?;
/// let other = iamsim::AccountId::new("222222222222")?;
/// let taken = world.live().buckets().create("photos", &other, "us-east-1", world.clock().now()).unwrap_err();
/// assert_eq!(taken, CreateBucketError::Exists("photos".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreateBucketError {
    /// The name is taken by a bucket of the same account.
    #[error("bucket `{name}` already exists and is owned by the caller's account")]
    OwnedByYou {
        /// The bucket.
        name: String,
        /// Its region.
        region: String,
    },
    /// The name is taken by another account's bucket (names are global).
    #[error("bucket `{0}` already exists in another account")]
    Exists(String),
}

/// Why a bucket could not be deleted.
///
/// ```
/// use iamsim::live::DeleteBucketError;
/// let world = iamsim::World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos:\n        objects: { a.txt: hi }\n")?;
/// let error = world.live().buckets().delete("photos").unwrap_err();
/// assert_eq!(error, DeleteBucketError::NotEmpty("photos".into()));
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeleteBucketError {
    /// No such bucket.
    #[error("no bucket `{0}`")]
    NoSuchBucket(String),
    /// It still holds objects.
    #[error("bucket `{0}` is not empty")]
    NotEmpty(String),
}

/// The buckets and objects of a running world: what S3 requests read and change.
///
/// The store starts as the fixture's buckets (`Model::buckets`) the first time anything asks
/// for it, sharing object contents with the model (`Bytes`, never copied). From then on it is
/// the truth for every request *and* every direct question: [`Live::authorize`](crate::live::Live::authorize)
/// reads a bucket's owner, policy and tags from here, so a policy or tag written over the wire
/// changes what `world.role(..).can(..)` answers.
///
/// Concurrency: one lock for the set of buckets and one per bucket, each held only for a map
/// operation (never across an `.await`), so requests to different buckets never wait on each
/// other and a reader never sees half an object.
///
/// ```
/// use iamsim::World;
/// let world = World::from_yaml(
///     "accounts:\n  \"111111111111\":\n    buckets:\n      photos:\n        objects: { a.txt: hello }\n")?;
/// let store = world.live().buckets();
/// let photos = store.bucket("photos").expect("the fixture's bucket");
/// assert_eq!(photos.object("a.txt").expect("the fixture's object").content, "hello");
/// assert_eq!(store.names_owned_by("111111111111"), ["photos"]);
/// # Ok::<(), iamsim::WorldError>(())
/// ```
#[derive(Debug, Default)]
pub struct BucketStore {
    buckets: RwLock<BTreeMap<String, Arc<LiveBucket>>>,
}

impl BucketStore {
    /// The fixture's buckets, their objects sharing the model's bytes.
    pub fn from_model(model: &Model) -> BucketStore {
        let start = model.start_time();
        let buckets = model
            .buckets()
            .map(|b| {
                let objects = b
                    .objects
                    .iter()
                    .map(|(key, o)| {
                        let mut object = StoredObject::new(o.content.clone(), &o.content_type, start);
                        object.tags.clone_from(&o.tags);
                        (key.clone(), object)
                    })
                    .collect();
                let state = BucketState {
                    policy: b.policy.clone(),
                    tags: b.tags.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
                    // A fixture bucket without settings starts as a bucket created today.
                    public_access_block: Some(b.public_access_block.unwrap_or(PublicAccessBlock::ALL)),
                    abac: b.abac,
                    objects,
                    ..BucketState::default()
                };
                let bucket = LiveBucket {
                    name: b.name.clone(),
                    account: b.account.clone(),
                    region: b.region.clone(),
                    created: start,
                    state: RwLock::new(state),
                };
                (b.name.clone(), Arc::new(bucket))
            })
            .collect();
        BucketStore { buckets: RwLock::new(buckets) }
    }

    /// A bucket by name.
    pub fn bucket(&self, name: &str) -> Option<Arc<LiveBucket>> {
        read(&self.buckets).get(name).cloned()
    }

    /// Every bucket, by name.
    pub fn all(&self) -> Vec<Arc<LiveBucket>> {
        read(&self.buckets).values().cloned().collect()
    }

    /// The names of an account's buckets, sorted (what `ListBuckets` lists).
    pub fn names_owned_by(&self, account: &str) -> Vec<String> {
        read(&self.buckets).values().filter(|b| b.account.as_str() == account).map(|b| b.name.clone()).collect()
    }

    /// Creates an empty bucket, unless the name is taken (bucket names are global).
    pub fn create(
        &self,
        name: &str,
        account: &AccountId,
        region: &str,
        now: SystemTime,
    ) -> Result<Arc<LiveBucket>, CreateBucketError> {
        let mut buckets = write(&self.buckets);
        if let Some(existing) = buckets.get(name) {
            return Err(if existing.account == *account {
                CreateBucketError::OwnedByYou { name: name.to_owned(), region: existing.region.clone() }
            } else {
                CreateBucketError::Exists(name.to_owned())
            });
        }
        let bucket = Arc::new(LiveBucket {
            name: name.to_owned(),
            account: account.clone(),
            region: region.to_owned(),
            created: now,
            // "By default, new buckets […] don't allow public access": every setting on.
            state: RwLock::new(BucketState {
                public_access_block: Some(PublicAccessBlock::ALL),
                ..BucketState::default()
            }),
        });
        buckets.insert(name.to_owned(), bucket.clone());
        Ok(bucket)
    }

    /// Deletes an empty bucket.
    pub fn delete(&self, name: &str) -> Result<(), DeleteBucketError> {
        let mut buckets = write(&self.buckets);
        let Some(bucket) = buckets.get(name) else {
            return Err(DeleteBucketError::NoSuchBucket(name.to_owned()));
        };
        let mut state = write(&bucket.state);
        if !state.objects.is_empty() {
            return Err(DeleteBucketError::NotEmpty(name.to_owned()));
        }
        state.deleted = true;
        drop(state);
        buckets.remove(name);
        Ok(())
    }
}

/// Authorization reads buckets as they are now.
impl ResourceState for BucketStore {
    fn bucket_facts(&self, name: &str, key: Option<&str>) -> Option<BucketFacts> {
        let bucket = self.bucket(name)?;
        let state = read(&bucket.state);
        Some(BucketFacts {
            account: bucket.account.clone(),
            policy: state.policy.as_ref().map(|p| p.policy.clone()),
            tags: state.tags.clone(),
            abac: state.abac,
            object_tags: key.and_then(|k| state.objects.get(k)).map(|o| o.tags.clone()),
            public_access_block: state.public_access_block,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> AccountId {
        AccountId::new("111111111111").expect("an account id")
    }

    #[test]
    fn a_bucket_name_is_taken_once_across_accounts() {
        let store = BucketStore::default();
        store.create("photos", &account(), "us-east-1", SystemTime::UNIX_EPOCH).expect("created");
        let again = store.create("photos", &account(), "us-east-1", SystemTime::UNIX_EPOCH).unwrap_err();
        assert!(matches!(again, CreateBucketError::OwnedByYou { .. }));
        let other = AccountId::new("222222222222").expect("an account id");
        let theirs = store.create("photos", &other, "us-east-1", SystemTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(theirs, CreateBucketError::Exists("photos".into()));
    }

    #[test]
    fn only_an_empty_bucket_is_deleted_and_a_deleted_bucket_takes_no_writes() {
        let store = BucketStore::default();
        let bucket = store.create("photos", &account(), "us-east-1", SystemTime::UNIX_EPOCH).expect("created");
        let object = StoredObject::new(Bytes::from_static(b"x"), "text/plain", SystemTime::UNIX_EPOCH);
        bucket.put_object("a", object.clone()).expect("stored");
        assert_eq!(store.delete("photos"), Err(DeleteBucketError::NotEmpty("photos".into())));
        assert!(bucket.delete_object("a"));
        store.delete("photos").expect("deleted");
        assert!(store.bucket("photos").is_none());
        assert_eq!(bucket.put_object("b", object), Err(BucketGone));
    }

    #[test]
    fn a_scan_starts_after_the_marker_in_key_order() {
        let store = BucketStore::default();
        let bucket = store.create("photos", &account(), "us-east-1", SystemTime::UNIX_EPOCH).expect("created");
        for key in ["b", "a", "c/d", "c"] {
            let object = StoredObject::new(Bytes::from_static(b"x"), "text/plain", SystemTime::UNIX_EPOCH);
            bucket.put_object(key, object).expect("stored");
        }
        let mut seen = Vec::new();
        bucket.scan(Some("b"), |key, _| {
            seen.push(key.to_owned());
            true
        });
        assert_eq!(seen, ["c", "c/d"]);
    }
}
