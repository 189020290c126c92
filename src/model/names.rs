//! The naming rules AWS enforces when users, roles, policies, buckets and tags are created.
//! Each check returns the problem in words, or `None` when the name is valid.
//!
//! IAM: "Names of users, groups, roles, policies, instance profiles […] must be alphanumeric,
//! including the following common characters: plus (+), equals (=), comma (,), period (.), at
//! (@), underscore (_), and hyphen (-). Path names must begin and end with a forward slash (/)"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>), with the
//! lengths of the IAM API reference (`userNameType` 1–64, `roleNameType` 1–64, `groupNameType`,
//! `policyNameType`, `instanceProfileNameType` 1–128, `pathType` 1–512).

/// What kind of IAM name, for its length limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IamName {
    User,
    Role,
    Group,
    Policy,
    InstanceProfile,
}

impl IamName {
    fn max(self) -> usize {
        match self {
            IamName::User | IamName::Role => 64,
            IamName::Group | IamName::Policy | IamName::InstanceProfile => 128,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            IamName::User => "user name",
            IamName::Role => "role name",
            IamName::Group => "group name",
            IamName::Policy => "policy name",
            IamName::InstanceProfile => "instance profile name",
        }
    }
}

/// `[\w+=,.@-]+` of the right length.
pub(crate) fn check_iam_name(kind: IamName, name: &str) -> Option<String> {
    let noun = kind.noun();
    if name.is_empty() || name.chars().count() > kind.max() {
        return Some(format!("`{name}` is not a valid {noun}: it must be 1 to {} characters", kind.max()));
    }
    let bad = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c)));
    bad.map(|c| format!("`{name}` is not a valid {noun}: `{c}` is not allowed (letters, digits and `_+=,.@-` are)"))
}

/// `/` or `/…/` with printable ASCII in between, at most 512 characters.
pub(crate) fn check_path(path: &str) -> Option<String> {
    let valid = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b));
    (!valid).then(|| {
        format!("`{path}` is not a valid IAM path: it must begin and end with `/` and hold only printable ASCII")
    })
}

/// An account alias: 3–63 lowercase letters, digits and single hyphens, not starting or ending
/// with a hyphen (`accountAliasType`).
pub(crate) fn check_alias(alias: &str) -> Option<String> {
    let ok_chars = alias.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let valid = (3..=63).contains(&alias.len())
        && ok_chars
        && !alias.starts_with('-')
        && !alias.ends_with('-')
        && !alias.contains("--");
    (!valid).then(|| {
        format!("`{alias}` is not a valid account alias: 3 to 63 lowercase letters, digits and single hyphens")
    })
}

/// S3 general purpose bucket naming rules
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>).
pub(crate) fn check_bucket_name(name: &str) -> Option<String> {
    let fail = |why: &str| Some(format!("`{name}` is not a valid bucket name: {why}"));
    if !(3..=63).contains(&name.len()) {
        return fail("it must be 3 to 63 characters long");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-') {
        return fail("only lowercase letters, digits, dots and hyphens are allowed");
    }
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !edge_ok(name.bytes().next()) || !edge_ok(name.bytes().last()) {
        return fail("it must begin and end with a letter or a digit");
    }
    if name.contains("..") {
        return fail("it must not contain two adjacent periods");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return fail("it must not be formatted as an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return fail(&format!("it must not start with `{prefix}`"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return fail(&format!("it must not end with `{suffix}`"));
        }
    }
    None
}

/// An AWS region name such as `us-east-1` or `us-gov-west-1`.
pub(crate) fn check_region(region: &str) -> Option<String> {
    let parts: Vec<&str> = region.split('-').collect();
    let valid = parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    (!valid).then(|| format!("`{region}` is not a region name such as `us-east-1`"))
}

/// A tag key and value (`tagKeyType` 1–128, `tagValueType` 0–256, letters, digits, spaces and
/// `_.:/=+-@`; keys starting with `aws:` are reserved for AWS).
pub(crate) fn check_tag(key: &str, value: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    if key.is_empty() || key.chars().count() > 128 {
        return Some(format!("`{key}` is not a valid tag key: it must be 1 to 128 characters"));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some(format!("`{key}` is not a valid tag key: the `aws:` prefix is reserved for AWS"));
    }
    if let Some(c) = key.chars().find(|c| !allowed(*c)) {
        return Some(format!("`{key}` is not a valid tag key: `{c}` is not allowed"));
    }
    if value.chars().count() > 256 {
        return Some(format!("the value of tag `{key}` is longer than 256 characters"));
    }
    if let Some(c) = value.chars().find(|c| !allowed(*c)) {
        return Some(format!("the value of tag `{key}` is not valid: `{c}` is not allowed"));
    }
    None
}

/// An IAM unique id as AWS accepts it back (`idType`: 16–128 word characters).
pub(crate) fn check_unique_id(id: &str) -> Option<String> {
    let valid = (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (!valid).then(|| format!("`{id}` is not a valid unique id: 16 to 128 letters, digits or underscores"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_names() {
        assert_eq!(check_iam_name(IamName::User, "alice.smith@example"), None);
        assert_eq!(
            check_iam_name(IamName::Role, "read er").as_deref(),
            Some("`read er` is not a valid role name: ` ` is not allowed (letters, digits and `_+=,.@-` are)")
        );
        assert!(check_iam_name(IamName::Role, &"r".repeat(65)).is_some());
        assert_eq!(check_iam_name(IamName::Policy, &"p".repeat(128)), None);
    }

    #[test]
    fn paths_aliases_regions() {
        assert_eq!(check_path("/"), None);
        assert_eq!(check_path("/team/a/"), None);
        assert!(check_path("team/").is_some());
        assert!(check_path("/a b/").is_some());
        assert_eq!(check_alias("my-dev-1"), None);
        assert!(check_alias("My").is_some());
        assert!(check_alias("a--b").is_some());
        assert_eq!(check_region("us-gov-west-1"), None);
        assert!(check_region("mars").is_some());
    }

    #[test]
    fn bucket_names() {
        assert_eq!(check_bucket_name("photos.example.com"), None);
        assert!(check_bucket_name("Photos").is_some());
        assert!(check_bucket_name("ab").is_some());
        assert!(check_bucket_name("a..b").is_some());
        assert!(check_bucket_name("192.168.5.4").is_some());
        assert!(check_bucket_name("-abc").is_some());
        assert!(check_bucket_name("xn--abc").is_some());
    }

    #[test]
    fn tags() {
        assert_eq!(check_tag("team", "photos"), None);
        assert_eq!(check_tag("cost center", ""), None);
        assert!(check_tag("aws:createdBy", "x").is_some());
        assert!(check_tag("", "x").is_some());
        assert!(check_tag("k", &"v".repeat(257)).is_some());
    }
}
