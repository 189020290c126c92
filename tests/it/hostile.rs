//! Hostile and broken fixtures: each is refused promptly with an error that names the file, the
//! path inside it and what is wrong — never a panic, a hang or an exhausted memory — and what AWS
//! would refuse is refused, once.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use iamsim::World;
use iamsim::fixtures::{FixtureError, FixtureErrorKind, MAX_FILE_BYTES, load_file, load_json, load_yaml};

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-hostile-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A sparse file one byte over the limit: nothing is written, so it costs no disk.
fn oversize(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
    path
}

#[cfg(unix)]
fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let status = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
    path
}

/// Runs `f` on a thread of its own and fails the test when it takes more than 30 seconds: a
/// loader that hangs fails its test instead of stalling the run.
#[track_caller]
fn promptly<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("no answer within 30 seconds: the loader hangs")
}

/// The errors of loading a fixture file, promptly.
#[track_caller]
fn load_errors(path: &Path) -> Vec<FixtureError> {
    let path = path.to_owned();
    match promptly(move || load_file(&path).map(|_| ())) {
        Ok(()) => panic!("the fixture loaded"),
        Err(errors) => errors,
    }
}

fn lines(errors: &[FixtureError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_fixture_file_over_16_mib_is_refused_unread() {
    let dir = temp_dir("big-fixture");
    let huge = oversize(&dir, "huge.yaml");
    let errors = load_errors(&huge);
    let name = huge.display();
    assert_eq!(
        lines(&errors),
        [format!(
            "{name}:1:1: cannot read `{name}`: 16777217 bytes, larger than the 16 MiB (16777216 bytes) a file may have"
        )]
    );
    assert_eq!(errors[0].kind, FixtureErrorKind::Unreadable);
    let errors = load_errors(&dir);
    assert_eq!(lines(&errors), [format!("{0}:1:1: cannot read `{0}`: a directory, not a regular file", dir.display())]);
}

#[cfg(unix)]
#[test]
fn a_fixture_that_is_a_device_or_a_named_pipe_is_refused_unopened() {
    assert_eq!(
        lines(&load_errors(Path::new("/dev/zero"))),
        ["/dev/zero:1:1: cannot read `/dev/zero`: a character device, not a regular file"]
    );
    let dir = temp_dir("pipe-fixture");
    // Opening a FIFO for reading blocks until a writer comes: the loader must not open it.
    let pipe = fifo(&dir, "fixture.yaml");
    let errors = load_errors(&pipe);
    assert_eq!(
        lines(&errors),
        [format!("{0}:1:1: cannot read `{0}`: a named pipe (FIFO), not a regular file", pipe.display())]
    );
    assert!(errors[0].is_unreadable());
}

#[cfg(unix)]
#[test]
fn referenced_files_are_read_only_when_they_are_regular_files_of_at_most_16_mib() {
    let dir = temp_dir("references");
    fifo(&dir, "pipe.json");
    oversize(&dir, "big.bin");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let fixture = write(
        &dir,
        "fixture.yaml",
        r#"accounts:
  "111111111111":
    roles:
      zero: { trust: /dev/zero }
      pipe: { trust: pipe.json }
    buckets:
      photos:
        objects:
          big.bin: { file: big.bin }
          folder: { file: sub }
    saml_providers:
      corp: { metadata_file: /dev/zero }
"#,
    );
    let errors = load_errors(&fixture);
    let (f, d) = (fixture.display(), dir.display());
    assert_eq!(
        lines(&errors),
        [
            format!(
                "{f}:4:22: accounts.111111111111.roles.zero.trust: cannot read `/dev/zero`: a character device, not a regular file"
            ),
            format!(
                "{f}:5:22: accounts.111111111111.roles.pipe.trust: cannot read `{d}/pipe.json`: a named pipe (FIFO), not a regular file"
            ),
            format!(
                "{f}:9:28: accounts.111111111111.buckets.photos.objects.big.bin.file: cannot read `{d}/big.bin`: 16777217 bytes, larger than the 16 MiB (16777216 bytes) a file may have"
            ),
            format!(
                "{f}:10:27: accounts.111111111111.buckets.photos.objects.folder.file: cannot read `{d}/sub`: a directory, not a regular file"
            ),
            format!(
                "{f}:12:30: accounts.111111111111.saml_providers.corp.metadata_file: cannot read `/dev/zero`: a character device, not a regular file"
            ),
        ]
    );
    assert!(errors.iter().all(|e| e.kind == FixtureErrorKind::Unreadable));
    let world = promptly(move || World::from_fixture(&fixture).map(|_| ()));
    assert!(world.unwrap_err().is_unreadable());
}

#[test]
fn aliases_of_a_long_string_are_stopped_at_8_mib_of_text() {
    // A file of about 1 MiB whose aliases would expand to a gigabyte.
    let dir = temp_dir("aliases");
    let long = "x".repeat(1 << 20);
    let bomb = format!("seed: &a {long}\nlaughs: [{}]\n", vec!["*a"; 1000].join(", "));
    let file = write(&dir, "bomb.yaml", &bomb);
    let errors = load_errors(&file);
    assert_eq!(
        lines(&errors),
        [format!(
            "{}:2:38: laughs[7]: anchors and aliases copy more than 8 MiB (8388608 bytes) of text",
            file.display()
        )]
    );
    assert_eq!(errors[0].kind, FixtureErrorKind::Syntax);
}

#[test]
fn a_fixture_without_accounts_is_an_error_naming_the_file() {
    let dir = temp_dir("empty");
    let no_accounts = "the fixture defines no accounts: a world needs at least one, under `accounts`";
    for (name, text, at) in [
        ("empty.yaml", "", "1:1: "),
        ("comments.yaml", "# to do: accounts\n\n# and roles\n", "1:1: "),
        ("braces.json", "{}", "1:1: "),
        ("seed-only.yaml", "seed: 7\n", "1:1: "),
        ("no-accounts.yaml", "seed: 7\naccounts: {}\n", "2:1: accounts: "),
    ] {
        let file = write(&dir, name, text);
        let errors = load_errors(&file);
        assert_eq!(lines(&errors), [format!("{}:{at}{no_accounts}", file.display())], "{name}");
        assert_eq!(errors[0].kind, FixtureErrorKind::Invalid);
    }
    assert_eq!(lines(&load_json("{}").unwrap_err()), [format!("<json>:1:1: {no_accounts}")]);
}

#[test]
fn an_account_in_an_organizational_unit_the_fixture_does_not_declare_is_an_error() {
    let fixture = r#"
accounts:
  "111111111111": {}
  "222222222222": {}
  "333333333333": {}
organization:
  management_account: "111111111111"
  ous: [workloads/prod]
  accounts:
    "222222222222": workloads
    "333333333333": staging
  policies:
    Deny: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "s3:*", Resource: "*" }] }
  scps: { staging: [Deny] }
"#;
    // `workloads` exists: `workloads/prod` implies it. `staging` does not; the SCP attached to
    // it is not a second error.
    assert_eq!(
        World::from_yaml(fixture).unwrap_err().to_string(),
        "<yaml>:11:21: organization.accounts.333333333333: the organizational unit `staging` does not exist: declare it under `organization.ous`"
    );
}

#[test]
fn a_misspelt_condition_key_is_a_warning_with_a_suggestion() {
    let world = World::from_yaml(
        r#"
accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          FromOffice:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
                Condition:
                  IpAddress: { "aws:SourceIpp": 192.0.2.0/24 }
                  StringEquals: { "aws:PrincipalTag/team": photos, "accounts.google.com:aud": app }
"#,
    )
    .unwrap();
    let warnings: Vec<String> = world.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "<yaml>:14:49: accounts.111111111111.users.alice.inline_policies.FromOffice.Statement[0].Condition.IpAddress.aws:SourceIpp: \
          warning: `aws:SourceIpp` is not a known condition key, did you mean `aws:SourceIp`?"
        ]
    );
}

#[test]
fn a_managed_policy_that_does_not_parse_is_reported_once_not_at_every_attachment() {
    let err = World::from_yaml(
        r#"
accounts:
  "111111111111":
    policies:
      Broken: { Version: "2012-10-17", Statement: [{ Effect: Alow, Action: "s3:*", Resource: "*" }] }
    groups:
      devs: { policies: [Broken] }
    users:
      alice: { policies: [Broken], groups: [devs] }
      bob: { policies: ["arn:aws:iam::111111111111:policy/Broken"], permissions_boundary: Broken }
    roles:
      app:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: "sts:AssumeRole" }] }
        policies: [Broken]
"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "<yaml>:5:62: accounts.111111111111.policies.Broken.Statement[0].Effect: `Alow` is not a valid effect: expected `Allow` or `Deny`"
    );
}

#[test]
fn every_definition_that_fails_is_reported_once_and_its_references_stay_silent() {
    let err = World::from_yaml(
        r#"
aws_managed_policies:
  ReadOnlyAccess: { Statement: [{ Effect: Maybe, Action: "*", Resource: "*" }] }
accounts:
  "111111111111":
    users:
      alice: { policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }
    roles:
      web:
        trust: { Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: [[]] }] }
        instance_profile: true
    buckets:
      photos:
        policy:
          Version: "2012-10-17"
          Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:role/web" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/*" }]
organization:
  management_account: "111111111111"
  policies:
    Guard: { Statement: { Effect: Deny, NotAction: 7, Resource: "*" } }
  scps: { root: [Guard] }
instances:
  web-1: { account: "111111111111", role: web }
"#,
    )
    .unwrap_err();
    let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("<yaml>:3:43: aws_managed_policies.ReadOnlyAccess.Statement[0].Effect: `Maybe`"),
        "{err}"
    );
    assert!(lines[1].starts_with("<yaml>:10:99: accounts.111111111111.roles.web.trust.Statement[0].Action"), "{err}");
    assert!(lines[2].starts_with("<yaml>:20:52: organization.policies.Guard.Statement.NotAction"), "{err}");
}

#[test]
fn names_that_differ_only_by_case_are_reported_at_the_later_one() {
    // Document order, not sorted order: `alice` comes first although `Alice` sorts before it.
    let errors = load_yaml(
        "accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n      bob: {}\n      Alice: {}\n    roles:\n      \
         Reader: { trust: {} }\n      READER: { trust: {} }\n",
    )
    .unwrap_err();
    assert_eq!(
        lines(&errors),
        [
            "<yaml>:6:7: accounts.111111111111.users.Alice: `Alice` and `alice` are the same name: IAM names are not case-sensitive",
            "<yaml>:9:7: accounts.111111111111.roles.READER: `READER` and `Reader` are the same name: IAM names are not case-sensitive",
        ]
    );
    let errors = load_json(r#"{"accounts": {"111111111111": {"policies": {"Read": {}, "read": {}}}}}"#).unwrap_err();
    assert_eq!(
        lines(&errors),
        [
            "<json>:1:57: accounts.111111111111.policies.read: `read` and `Read` are the same name: IAM names are not case-sensitive"
        ]
    );
}

#[test]
fn echoed_values_are_cut_to_a_readable_length() {
    // YAML keeps implicit keys to 1024 characters; JSON has no such limit.
    let long = "x".repeat(5000);
    let cut = format!("{}…", "x".repeat(60));
    // An invalid name, echoed in the message and in the path; a reference to a missing group.
    let err = World::from_json(&format!(
        r#"{{"accounts": {{"111111111111": {{"users": {{"{long}": {{"groups": ["{long}"]}}}}}}}}}}"#
    ))
    .unwrap_err();
    let text = err.to_string();
    assert!(text.lines().all(|l| l.chars().count() < 400), "{text}");
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            format!(
                "<json>:1:42: accounts.111111111111.users.{cut} (5000 characters): `{cut}` (5000 characters) is not a valid user name: it must be 1 to 64 characters"
            ),
            format!(
                "<json>:1:5058: accounts.111111111111.users.{cut} (5000 characters).groups[0]: account 111111111111 has no group `{cut}` (5000 characters)"
            ),
        ]
    );
    // An unknown field and a duplicate key.
    let errors =
        load_json(&format!(r#"{{"accounts": {{"111111111111": {{"{long}": 1, "alias": "a", "alias": "b"}}}}}}"#))
            .unwrap_err();
    assert_eq!(
        lines(&errors),
        [
            format!(
                "<json>:1:32: accounts.111111111111.{cut} (5000 characters): unknown field `{cut}` (5000 characters), expected one of `alias`, `users`, `groups`, `roles`, `policies`, `buckets`, `oidc_providers`, `saml_providers`, `public_access_block`"
            ),
            "<json>:1:5053: accounts.111111111111.alias: duplicate key `alias`".to_owned(),
        ]
    );
    let errors = load_json(&format!(r#"{{"{long}": 1, "{long}": 2}}"#)).unwrap_err();
    assert_eq!(
        lines(&errors)[1],
        format!("<json>:1:5009: {cut} (5000 characters): duplicate key `{cut}` (5000 characters)")
    );
    // A value inside a policy (within the user's 2,048-character quota).
    let long = "x".repeat(1500);
    let err = World::from_yaml(&format!(
        "accounts:\n  \"111111111111\":\n    users:\n      alice:\n        inline_policies:\n          P: {{Version: \"2012-10-17\", Statement: [{{Effect: Allow, Action: \"s3:{long}\", Resource: \"*\"}}]}}\n"
    ))
    .unwrap();
    let warning = world_warning(&err);
    assert!(
        warning.contains(&format!("`s3:{}…` (1503 characters) is not a known action", "x".repeat(57))),
        "{warning}"
    );
    assert!(warning.chars().count() < 400, "{warning}");
}

fn world_warning(world: &World) -> String {
    world.warnings().iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

#[test]
fn integer_fields_out_of_range_state_the_aws_range() {
    let role = |duration: &str| {
        format!(
            "accounts:\n  \"111111111111\":\n    roles:\n      r:\n        trust: {{Version: \"2012-10-17\", Statement: [{{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}}, Action: \"sts:AssumeRole\"}}]}}\n        max_session_duration: {duration}\n"
        )
    };
    // Too large for any integer type iamsim could use, or for a 32-bit one, or negative: the
    // range is AWS's all the same.
    for (value, found) in
        [("99999999999", "integer `99999999999`"), ("-1", "integer `-1`"), ("7200.5", "number `7200.5`")]
    {
        assert_eq!(
            World::from_yaml(&role(value)).unwrap_err().to_string(),
            format!(
                "<yaml>:6:31: accounts.111111111111.roles.r.max_session_duration: expected a number of seconds from 3600 to 43200, found {found}"
            )
        );
    }
    assert_eq!(
        World::from_yaml(&role("60")).unwrap_err().to_string(),
        "<yaml>:6:31: accounts.111111111111.roles.r.max_session_duration: `60` is not a valid maximum session duration: it must be 3600 to 43200 seconds"
    );
    assert_eq!(
        World::from_yaml("accounts: {\"12345\": {}}").unwrap_err().to_string(),
        "<yaml>:1:12: accounts.12345: `12345` is not an account id: expected 12 digits"
    );
    assert_eq!(
        World::from_yaml("accounts: {\"111111111111\": {users: {u: {access_keys: 300}}}}").unwrap_err().to_string(),
        "<yaml>:1:54: accounts.111111111111.users.u.access_keys: expected a number of access keys (0 to 2) or a list of access keys, found integer `300`"
    );
    assert_eq!(
        World::from_yaml("accounts: {\"111111111111\": {users: {u: {access_keys: 3}}}}").unwrap_err().to_string(),
        "<yaml>:1:54: accounts.111111111111.users.u.access_keys: 3 access keys: a user can have at most 2"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_located_in_their_file() {
    let dir = temp_dir("utf8");
    let fixture = dir.join("latin1.yaml");
    std::fs::write(&fixture, b"accounts:\n  \"111111111111\": { alias: caf\xe9 }\n").unwrap();
    let errors = load_errors(&fixture);
    assert_eq!(lines(&errors), [format!("{}:2:31: not UTF-8 text", fixture.display())]);
    assert_eq!(errors[0].kind, FixtureErrorKind::Unreadable);
    // In a policy file: located in that file, under the path of the reference.
    std::fs::write(dir.join("trust.json"), b"{\n  \"Version\": \"2012-10-17\", \"Sid\": \"\xff\"\n}").unwrap();
    let fixture =
        write(&dir, "fixture.yaml", "accounts:\n  \"111111111111\":\n    roles:\n      r: { trust: trust.json }\n");
    assert_eq!(
        lines(&load_errors(&fixture)),
        [format!("{}/trust.json:2:36: accounts.111111111111.roles.r.trust: not UTF-8 text", dir.display())]
    );
}
