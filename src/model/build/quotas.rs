//! IAM, S3 and AWS Organizations quotas a fixture is checked against.

// Quotas (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>): sizes
// are characters without whitespace. Managed policy 6,144; inline policies per user 2,048, per
// group 5,120, per role 10,240 (all inline policies of the identity together); role trust
// policy 2,048 by default (adjustable); 10 managed policies per user and per role by default, 10
// per group; 10 groups per user; 2 access keys per user; 50 tags.
pub(super) const MANAGED_POLICY_SIZE: usize = 6_144;
pub(super) const USER_INLINE_SIZE: usize = 2_048;
pub(super) const GROUP_INLINE_SIZE: usize = 5_120;
pub(super) const ROLE_INLINE_SIZE: usize = 10_240;
pub(crate) const TRUST_POLICY_SIZE: usize = 2_048;
pub(crate) const MANAGED_PER_IDENTITY: usize = 10;
pub(super) const GROUPS_PER_USER: usize = 10;
pub(super) const ACCESS_KEYS_PER_USER: usize = 2;
pub(super) const TAGS_PER_ENTITY: usize = 50;
// AWS Organizations: "Maximum size of a policy document: Service control policies: 5,120
// characters; Resource control policies: 5,120" (all characters count; we count the document
// without insignificant whitespace, the only form a parsed fixture has).
pub(super) const ORG_POLICY_SIZE: usize = 5_120;
// S3: "Bucket policies are limited to 20 KB in size."
pub(super) const BUCKET_POLICY_SIZE: usize = 20_480;
// IAM: `MaxSessionDuration` "can have a value from 1 hour to 12 hours".
pub(super) const SESSION_DURATION: std::ops::RangeInclusive<u32> = 3_600..=43_200;
