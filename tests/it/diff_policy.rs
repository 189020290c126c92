//! `iamsim diff-policy OLD NEW`: the lines and exit codes of the command on the policy pairs of
//! `tests/fixtures/diff/`, and a reported example request made for real through aws-sdk-s3.

use std::process::Command;

use aws_sdk_s3::error::ProvideErrorMetadata;
use iamsim::diff::PolicyDiff;
use iamsim::{Policy, World};

const DIR: &str = "tests/fixtures/diff";

fn diff(old: &str, new: &str, extra: &[&str]) -> (String, String, i32) {
    let (old, new) = (format!("{DIR}/{old}"), format!("{DIR}/{new}"));
    let mut args = vec!["diff-policy", old.as_str(), new.as_str()];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_iamsim")).args(&args).output().expect("the iamsim binary runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn identical_policies_grant_nothing_new() {
    let (out, err, code) = diff("read-alice.json", "read-alice.json", &[]);
    assert_eq!(out, "no new access: NEW allows no request OLD denied; 2 requests checked\n");
    assert_eq!((err.as_str(), code), ("", 0));
}

#[test]
fn a_narrowed_policy_grants_nothing_new() {
    let (out, _, code) = diff("read-all.json", "read-alice.json", &[]);
    assert!(out.starts_with("no new access: "), "{out}");
    assert_eq!(code, 0);
    let (out, _, code) = diff("all.json", "all-but-delete.json", &[]);
    assert!(out.starts_with("no new access: "), "{out}");
    assert_eq!(code, 0);
}

#[test]
fn an_added_action_is_one_new_access() {
    let (out, _, code) = diff("read-alice.json", "read-alice-and-delete.json", &[]);
    assert_eq!(
        out,
        "new access: s3:DeleteObject on arn:aws:s3:::photos/alice/example (NEW statement 0 (Sid `ReadOwnPhotos`); OLD: implicit_deny)\n\
         1 new access (1 example request) that NEW allows and OLD did not; 3 requests checked\n"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_widened_resource_shows_an_object_outside_the_old_prefix() {
    let (out, _, code) = diff("read-alice.json", "read-all.json", &[]);
    assert_eq!(
        out.lines().next(),
        Some(
            "new access: s3:GetObject on arn:aws:s3:::photos/example (NEW statement 0 (Sid `ReadPhotos`); OLD: implicit_deny)"
        )
    );
    assert_eq!(code, 1);
}

#[test]
fn a_removed_condition_is_a_new_access_without_the_key() {
    let (out, _, code) = diff("read-with-mfa.json", "read-all.json", &[]);
    assert_eq!(
        out.lines().next(),
        Some(
            "new access: s3:GetObject on arn:aws:s3:::photos/example (NEW statement 0 (Sid `ReadPhotos`); OLD: implicit_deny)"
        )
    );
    assert_eq!(code, 1);
    // The other way round, the condition only narrows.
    let (_, _, code) = diff("read-all.json", "read-with-mfa.json", &[]);
    assert_eq!(code, 0);
}

#[test]
fn a_removed_deny_is_reported_as_an_explicit_deny_of_old() {
    let (out, _, code) = diff("all-but-delete.json", "all.json", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"new access: s3:DeleteObject on arn:aws:s3:::photos/example (NEW statement 0; OLD: explicit_deny)")
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("1 new access (1 example request) that NEW allows and OLD did not; "))
    );
    assert_eq!(code, 1);
}

#[test]
fn an_unreadable_or_invalid_policy_exits_2_naming_the_file_and_path() {
    let (out, err, code) = diff("read-alice.json", "invalid.json", &[]);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: tests/fixtures/diff/invalid.json: Statement[0].Condition.StringEquals: expected an object of condition keys\n"
    );
    assert_eq!(code, 2);
    let (_, err, code) = diff("broken.json", "read-alice.json", &[]);
    assert!(err.starts_with("error: tests/fixtures/diff/broken.json: not valid JSON: "), "{err}");
    assert_eq!(code, 2);
    let (_, err, code) = diff("missing.json", "read-alice.json", &[]);
    assert!(err.starts_with("error: tests/fixtures/diff/missing.json: "), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn with_a_fixture_the_roles_that_have_the_policy_are_asked_and_real_objects_shown() {
    let (out, _, code) = diff("read-alice.json", "read-all.json", &["--fixture", "tests/fixtures/diff/world.yaml"]);
    let session = "arn:aws:sts::111111111111:assumed-role/app/iamsim";
    assert_eq!(
        out,
        format!(
            "new access for {session}: s3:GetObject on arn:aws:s3:::photos/example (NEW statement 0 (Sid `ReadPhotos`); OLD: implicit_deny)\n\
             new access for {session}: s3:GetObject on arn:aws:s3:::photos/bob/cat.jpg (NEW statement 0 (Sid `ReadPhotos`); OLD: implicit_deny)\n\
             2 new accesses (2 example requests) that NEW allows and OLD did not; 5 requests checked\n"
        )
    );
    assert_eq!(code, 1);
    // A principal the world does not have is a wrong argument.
    let (_, err, code) = diff(
        "read-alice.json",
        "read-all.json",
        &["--fixture", "tests/fixtures/diff/world.yaml", "--principal", "arn:aws:iam::111111111111:role/nobody"],
    );
    assert_eq!(err, "error: --principal: `arn:aws:iam::111111111111:role/nobody`: no such role\n");
    assert_eq!(code, 2);
}

#[test]
fn json_lists_every_action_and_statement() {
    let (out, _, code) = diff("read-alice.json", "read-alice-and-delete.json", &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["example_requests"], 1);
    assert_eq!(doc["truncated"], false);
    let first = &doc["new_access"][0];
    assert_eq!(first["actions"], serde_json::json!(["s3:DeleteObject"]));
    assert_eq!(first["resource"], "arn:aws:s3:::photos/alice/example");
    assert_eq!(first["old_outcome"], "implicit_deny");
    assert_eq!(first["new_statements"][0]["statement"], 0);
    assert_eq!(first["new_statements"][0]["sid"], "ReadOwnPhotos");
    assert_eq!(code, 1);
}

/// The world of `world.yaml` with the role's policy replaced by a file of `tests/fixtures/diff/`.
fn world_with(policy_file: &str) -> World {
    let fixture = std::fs::read_to_string(format!("{DIR}/world.yaml")).unwrap();
    let document = std::fs::read_to_string(format!("{DIR}/{policy_file}")).unwrap();
    let start = fixture.find("      Photos:").unwrap();
    let end = fixture.find("    buckets:").unwrap();
    let replaced = format!("{}      Photos: {}\n{}", &fixture[..start], document.replace('\n', " "), &fixture[end..]);
    World::from_yaml(&replaced).unwrap()
}

#[tokio::test]
async fn a_reported_example_is_real_through_aws_sdk_s3() {
    let old = Policy::parse(&std::fs::read_to_string(format!("{DIR}/read-alice.json")).unwrap()).unwrap();
    let new = Policy::parse(&std::fs::read_to_string(format!("{DIR}/read-all.json")).unwrap()).unwrap();
    let world = world_with("read-alice.json");
    let report = PolicyDiff::new(&old, &new).in_world(&world).run().unwrap();
    // The example on a real object of the world.
    let example = report
        .new_accesses()
        .iter()
        .find(|a| a.resource().as_str() == "arn:aws:s3:::photos/bob/cat.jpg")
        .expect("the diff reports reading bob's photo");
    assert_eq!(example.action().as_str(), "s3:GetObject");

    for (file, allowed) in [("read-all.json", true), ("read-alice.json", false)] {
        let world = world_with(file);
        let s3 = world.s3_client(world.role_session_credentials("111111111111", "app", "iamsim"));
        let got = s3.get_object().bucket("photos").key("bob/cat.jpg").send().await;
        if allowed {
            let body = got.unwrap().body.collect().await.unwrap().into_bytes();
            assert_eq!(&body[..], b"(a cat)");
        } else {
            assert_eq!(got.unwrap_err().code(), Some("AccessDenied"), "with {file}");
        }
    }
}
