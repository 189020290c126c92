//! Buckets: names, regions, bucket policies (size, scope), tags and objects.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use super::Builder;
use super::account::public_access_block;
use super::quotas::BUCKET_POLICY_SIZE;
use crate::fixtures::{BucketFixture, ObjectFixture};
use crate::model::iam::AttachedPolicy;
use crate::model::names;
use crate::model::resources::{Bucket, Object};
use crate::path::JsonPath;
use crate::policy::{AccountId, Policy, PolicyKind};

pub(super) fn build_bucket(
    b: &mut Builder<'_>,
    account: &AccountId,
    name: &str,
    f: &BucketFixture,
    at: &JsonPath,
) -> Option<Bucket> {
    if let Some(why) = names::check_bucket_name(name) {
        b.error(at, why);
        return None;
    }
    let region = f.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
    if let Some(why) = names::check_region(&region) {
        b.error(&at.key("region"), why);
    }
    let policy = f.policy.as_ref().and_then(|source| {
        let pat = at.key("policy");
        let policy = b.policy(source, &pat, PolicyKind::Resource, name)?;
        if policy.size() > BUCKET_POLICY_SIZE {
            b.error(&pat, format!("policies must be less than 20 KB: this one has {} characters", policy.size()));
        }
        check_bucket_policy_scope(b, &policy, name, &pat);
        Some(AttachedPolicy { label: Arc::from(name), policy })
    });
    let tags = b.tags(&f.tags, &at.key("tags"));
    let mut objects = BTreeMap::new();
    for (key, o) in &f.objects {
        let oat = at.key("objects").key(key);
        // "The name for a key is a sequence of Unicode characters whose UTF-8 encoding is at
        // most 1,024 bytes long."
        if key.is_empty() || key.len() > 1_024 {
            b.error(&oat, "an object key must be 1 to 1,024 bytes of UTF-8");
            continue;
        }
        let object = match o {
            ObjectFixture::Text(t) => Object {
                content: Bytes::from(t.clone()),
                content_type: "binary/octet-stream".into(),
                tags: BTreeMap::new(),
            },
            ObjectFixture::Detailed(d) => {
                let given = [d.text.is_some(), d.base64.is_some(), d.file.is_some()].iter().filter(|x| **x).count();
                if given != 1 {
                    b.error(&oat, "give exactly one of `text`, `base64` or `file`");
                    continue;
                }
                let content = if let Some(t) = &d.text {
                    Bytes::from(t.clone())
                } else if let Some(b64) = &d.base64 {
                    match aws_smithy_types::base64::decode(b64) {
                        Ok(bytes) => Bytes::from(bytes),
                        Err(_) => {
                            b.error(&oat.key("base64"), "not valid base64");
                            continue;
                        }
                    }
                } else {
                    b.error(
                        &oat.key("file"),
                        "object files are read by the fixture loader (`World::from_fixture`), not by the builder",
                    );
                    continue;
                };
                if d.tags.len() > 10 {
                    // "You can associate up to 10 tags with an object."
                    b.error(&oat.key("tags"), format!("{} tags: an object can have at most 10", d.tags.len()));
                }
                Object {
                    content,
                    content_type: d.content_type.clone().unwrap_or_else(|| "binary/octet-stream".into()),
                    tags: d.tags.clone(),
                }
            }
        };
        objects.insert(key.clone(), object);
    }
    Some(Bucket {
        name: name.to_owned(),
        account: account.clone(),
        region,
        policy,
        tags,
        public_access_block: f.public_access_block.map(public_access_block),
        abac: f.abac,
        objects,
    })
}

/// S3 rejects a bucket policy whose resources are not this bucket or its objects
/// ("Policy has invalid resource") and whose actions are not S3's ("Policy has invalid action").
fn check_bucket_policy_scope(b: &mut Builder<'_>, policy: &Policy, bucket: &str, at: &JsonPath) {
    let doc = policy.document();
    let statements: Vec<(JsonPath, &Value)> = match doc.get("Statement") {
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| (JsonPath::root().key("Statement").index(i), v)).collect()
        }
        Some(v) => vec![(JsonPath::root().key("Statement"), v)],
        None => Vec::new(),
    };
    let texts = |v: &Value| -> Vec<(Option<usize>, String)> {
        match v {
            Value::String(s) => vec![(None, s.clone())],
            Value::Array(items) => {
                items.iter().enumerate().filter_map(|(i, x)| x.as_str().map(|s| (Some(i), s.to_owned()))).collect()
            }
            _ => Vec::new(),
        }
    };
    for (sp, st) in statements {
        for field in ["Resource", "NotResource"] {
            let Some(v) = st.get(field) else { continue };
            for (i, r) in texts(v) {
                let in_bucket = r == "*"
                    || r.strip_prefix("arn:").and_then(|rest| rest.split_once(":s3:::")).is_some_and(|(_, res)| {
                        let name = res.split('/').next().unwrap_or(res);
                        crate::wildcard::Glob::new(name).matches(bucket)
                    });
                if !in_bucket {
                    let p = match i {
                        Some(i) => sp.key(field).index(i),
                        None => sp.key(field),
                    };
                    b.error(
                        &at.join(&p),
                        format!("policy has invalid resource: `{r}` is not bucket `{bucket}` or its objects"),
                    );
                }
            }
        }
        for field in ["Action", "NotAction"] {
            let Some(v) = st.get(field) else { continue };
            for (i, a) in texts(v) {
                let lower = a.to_ascii_lowercase();
                if !(lower == "*" || lower.starts_with("s3:") || lower.starts_with("s3*:") || lower == "s3*") {
                    let p = match i {
                        Some(i) => sp.key(field).index(i),
                        None => sp.key(field),
                    };
                    b.error(&at.join(&p), format!("policy has invalid action: `{a}` is not an S3 action"));
                }
            }
        }
    }
}
