//! The diff on the cases of issue 14: each change of a policy and the example it must report.

use super::*;

fn policy(json: &str) -> Policy {
    Policy::parse(json).unwrap()
}

fn doc(statements: &str) -> Policy {
    policy(&format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#))
}

fn lines(old: &Policy, new: &Policy) -> Vec<String> {
    PolicyDiff::new(old, new).run().unwrap().groups().iter().map(ToString::to_string).collect()
}

const READ_ALICE: &str = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/alice/*"}"#;

#[test]
fn identical_and_narrowed_policies_grant_nothing_new() {
    let old = doc(READ_ALICE);
    assert!(PolicyDiff::new(&old, &old).run().unwrap().is_empty());
    let wide = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    assert!(PolicyDiff::new(&wide, &old).run().unwrap().is_empty());
}

#[test]
fn an_added_action_is_reported_alone() {
    let old = doc(READ_ALICE);
    let new = doc(
        r#"{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::photos/alice/*"}"#,
    );
    assert_eq!(
        lines(&old, &new),
        ["s3:DeleteObject on arn:aws:s3:::photos/alice/example (NEW statement 0; OLD: implicit_deny)"]
    );
}

#[test]
fn a_widened_resource_is_reported_with_an_example_outside_the_old_one() {
    let old = doc(READ_ALICE);
    let new = doc(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}"#);
    assert_eq!(
        lines(&old, &new),
        ["s3:GetObject on arn:aws:s3:::photos/example (NEW statement 0; OLD: implicit_deny)"]
    );
}

#[test]
fn a_removed_deny_is_caught_from_the_old_statement() {
    let old = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Sid":"KeepSecrets","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::vault/*"}"#);
    let new = doc(r#"{"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        lines(&old, &new),
        ["s3:GetObject on arn:aws:s3:::vault/example (NEW statement 0 (Sid `All`); OLD: explicit_deny)"]
    );
}

#[test]
fn a_relaxed_condition_is_reported_with_the_context_that_matters() {
    let old = doc(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
    );
    let new = doc(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}}"#,
    );
    let found = PolicyDiff::new(&old, &new).run().unwrap();
    let first = &found.new_accesses()[0];
    assert_eq!(first.context().get("aws:SourceIp"), Some(&["198.51.100.0".to_owned()][..]));
    assert!(first.to_string().contains(" with aws:SourceIp=198.51.100.0 (NEW statement 0; OLD: implicit_deny)"));
}

#[test]
fn many_actions_are_counted_in_one_line() {
    let old = doc(READ_ALICE);
    let new = doc(r#"{"Effect":"Allow","Action":"s3:*Object","Resource":"arn:aws:s3:::photos/alice/*"}"#);
    let groups = PolicyDiff::new(&old, &new).run().unwrap().groups();
    assert_eq!(groups.len(), 1);
    let line = groups[0].to_string();
    assert!(line.starts_with(&format!("{} actions (s3:", groups[0].actions.len())), "{line}");
    assert!(groups[0].actions.iter().any(|a| a.as_str() == "s3:PutObject"));
    assert!(!groups[0].actions.iter().any(|a| a.as_str() == "s3:GetObject"));
}

#[test]
fn the_limit_stops_the_diff_and_says_so() {
    let old = doc(READ_ALICE);
    let new = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    let report = PolicyDiff::new(&old, &new).limit(10).run().unwrap();
    assert!(report.truncated());
    assert_eq!(report.checked(), 10);
}

#[test]
fn a_world_asks_as_the_roles_that_have_the_policy() {
    let world = World::from_yaml(
        r#"
accounts:
  "111111111111":
    roles:
      app:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: "sts:AssumeRole" }] }
        policies: [Photos]
    policies:
      Photos: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/alice/*" }] }
    buckets:
      photos:
        objects:
          alice/a.jpg: "a"
          bob/b.jpg: "b"
"#,
    )
    .unwrap();
    let old = doc(READ_ALICE);
    let new = doc(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}"#);
    let report = PolicyDiff::new(&old, &new).in_world(&world).run().unwrap();
    let found: Vec<(String, &str)> = report
        .new_accesses()
        .iter()
        .map(|a| (a.principal().display_name().to_owned(), a.resource().as_str()))
        .collect();
    let app = "arn:aws:sts::111111111111:assumed-role/app/iamsim".to_owned();
    assert_eq!(found, [(app.clone(), "arn:aws:s3:::photos/example"), (app, "arn:aws:s3:::photos/bob/b.jpg")]);
    let none = World::from_yaml("accounts:\n  \"111111111111\": {}\n").unwrap();
    assert_eq!(PolicyDiff::new(&old, &new).in_world(&none).run().unwrap_err(), DiffError::NotAttached);
}
