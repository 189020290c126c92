//! The `iamsim` command line: its output lines and exit codes are a contract scripts rely on.

use std::process::Command;

fn iamsim(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_iamsim")).args(args).output().expect("the iamsim binary runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file is writable");
    path.display().to_string()
}

fn temp_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn vectors_reports_the_public_corpus_as_all_passed() {
    let (out, _, code) = iamsim(&["vectors", "tests/vectors/public.json"]);
    assert_eq!(out, "66 passed, 0 failed\n");
    assert_eq!(code, 0);
}

#[test]
fn vectors_prints_each_failure_and_exits_1() {
    let dir = temp_dir("vectors-fail");
    let file = write(
        &dir,
        "v.json",
        r#"{"format":"iam-eval-vectors/1","vectors":[{"id":"wrong-on-purpose","description":"d","source":"s",
        "principal":{"arn":"arn:aws:iam::111122223333:user/alice"},"action":"s3:GetObject","resource":"*",
        "identity_policies":[],"resource_policy":null,"permissions_boundary":null,"session_policies":null,
        "scps":null,"rcps":null,"expect":"allow"}]}"#,
    );
    let (out, _, code) = iamsim(&["vectors", &file]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"FAIL wrong-on-purpose: expected allow, got implicit_deny"));
    assert_eq!(
        lines.get(1).map(|l| l.trim()),
        Some(
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject because no identity-based policy allows the s3:GetObject action"
        )
    );
    assert_eq!(lines.last(), Some(&"0 passed, 1 failed"));
    assert_eq!(code, 1);
}

#[test]
fn vectors_rejects_another_format() {
    let dir = temp_dir("vectors-format");
    let file = write(&dir, "v.json", r#"{"format":"iam-eval-vectors/2","vectors":[]}"#);
    let (_, err, code) = iamsim(&["vectors", &file]);
    assert!(err.contains("format: `iam-eval-vectors/2` is not supported"), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn eval_prints_the_decision_then_the_explanation() {
    let dir = temp_dir("eval");
    let policy = write(
        &dir,
        "read.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::photos/${aws:username}/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
    );
    let base = [
        "eval",
        "--policy",
        &policy,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:GetObject",
    ];

    let mut allowed = base.to_vec();
    allowed.extend(["--resource", "arn:aws:s3:::photos/alice/a.jpg", "--context", "aws:SecureTransport=true"]);
    let (out, _, code) = iamsim(&allowed);
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("allow"));
    assert!(out.contains("Allow in identity-based policy"), "{out}");

    let mut no_tls = base.to_vec();
    no_tls.extend(["--resource", "arn:aws:s3:::photos/alice/a.jpg"]);
    let (out, _, _) = iamsim(&no_tls);
    assert_eq!(out.lines().next(), Some("implicit_deny"));
    assert_eq!(out.lines().last(), Some("missing context key: aws:SecureTransport"));
}

#[test]
fn eval_allows_get_caller_identity_whatever_the_policies_say() {
    let dir = temp_dir("eval-whoami");
    let deny = write(
        &dir,
        "deny.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#,
    );
    let (out, err, code) = iamsim(&[
        "eval",
        "--policy",
        &deny,
        "--scp",
        &deny,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "sts:GetCallerIdentity",
        "--resource",
        "*",
    ]);
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        out,
        "allow\nUser: arn:aws:iam::111122223333:user/alice is authorized to perform: sts:GetCallerIdentity, which needs no permission\n\
         no policy was evaluated: sts:GetCallerIdentity needs no permission and cannot be denied\n"
    );
    // A world gives the same answer.
    let fixture = write(
        &dir,
        "world.yaml",
        r#"accounts: {"111122223333": {users: {alice: {inline_policies: {Deny: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}}}}}}"#,
    );
    let (out, err, code) = iamsim(&[
        "eval",
        "--fixture",
        &fixture,
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "sts:GetCallerIdentity",
        "--resource",
        "*",
    ]);
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(out.lines().next(), Some("allow"));
}

#[test]
fn eval_takes_several_policy_files_after_one_flag() {
    let dir = temp_dir("eval-many");
    let get = write(
        &dir,
        "get.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let deny = write(
        &dir,
        "deny.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}"#,
    );
    let ask = |resource: &str| {
        iamsim(&[
            "eval",
            "--policy",
            &get,
            &deny,
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
            "--resource",
            resource,
        ])
    };
    assert_eq!(ask("arn:aws:s3:::public/x").0.lines().next(), Some("allow"));
    assert_eq!(ask("arn:aws:s3:::secret/x").0.lines().next(), Some("explicit_deny"));
}

#[test]
fn eval_applies_scp_levels_and_trust_policies() {
    let dir = temp_dir("eval-org");
    let admin = write(
        &dir,
        "admin.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let deny_s3 = write(
        &dir,
        "deny.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
    );
    let (out, _, _) = iamsim(&[
        "eval",
        "--policy",
        &admin,
        "--scp",
        &admin,
        "--scp",
        &format!("{admin},{deny_s3}"),
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:ListBucket",
        "--resource",
        "arn:aws:s3:::b",
    ]);
    assert_eq!(out.lines().next(), Some("explicit_deny"));
    assert!(out.contains("with an explicit deny in a service control policy"), "{out}");

    let trust = write(
        &dir,
        "trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}"#,
    );
    let (out, err, _) = iamsim(&[
        "eval",
        "--resource-policy",
        &trust,
        "--principal",
        "arn:aws:iam::111122223333:user/bob",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111122223333:role/deployer",
    ]);
    assert!(err.is_empty(), "a valid trust policy gives no findings: {err}");
    assert_eq!(out.lines().next(), Some("implicit_deny"));
    assert!(out.contains("because no role trust policy allows the sts:AssumeRole action"), "{out}");
}

#[test]
fn eval_reports_bad_input_precisely() {
    let dir = temp_dir("eval-bad");
    let bad = write(
        &dir,
        "bad.json",
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":"x"}}]}"#,
    );
    let (_, err, code) = iamsim(&[
        "eval",
        "--policy",
        &bad,
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        format!("error: {bad}: Statement[0].Condition.StringEquals: expected an object of condition keys")
    );
    let (_, err, code) = iamsim(&["eval", "--principal", "alice", "--action", "s3:GetObject", "--resource", "*"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --principal: `alice` is not an ARN"), "{err}");
}

#[test]
fn validate_prints_located_errors_and_exits_1() {
    let dir = temp_dir("validate");
    let bad = write(
        &dir,
        "bad.yaml",
        "accounts:\n  \"111111111111\":\n    users:\n      alice: { groups: [devs] }\n    rolez: {}\n",
    );
    let (out, _, code) = iamsim(&["validate", &bad]);
    assert_eq!(out, format!("{bad}:5:5: accounts.111111111111.rolez: unknown field `rolez`, did you mean `roles`?\n"));
    assert_eq!(code, 1);
    let semantic =
        write(&dir, "semantic.yaml", "accounts:\n  \"111111111111\":\n    users:\n      alice: { groups: [devs] }\n");
    let (out, _, code) = iamsim(&["validate", &semantic]);
    assert_eq!(
        out,
        format!(
            "{semantic}:4:25: accounts.111111111111.users.alice.groups[0]: account 111111111111 has no group `devs`\n"
        )
    );
    assert_eq!(code, 1);
}

#[test]
fn validate_summarizes_valid_fixtures() {
    let (out, _, code) =
        iamsim(&["validate", "examples/fixtures/cross-account.yaml", "examples/fixtures/ec2-s3access.yaml"]);
    assert_eq!(
        out,
        "2 fixtures valid: 3 accounts, 2 users, 0 groups, 2 roles, 2 managed policies, 2 buckets, 1 instance, 0 warnings\n"
    );
    assert_eq!(code, 0);
}

#[test]
fn eval_answers_from_a_whole_world() {
    let args = |principal: &'static str| {
        [
            "eval",
            "--fixture",
            "examples/fixtures/cross-account.yaml",
            "--principal",
            principal,
            "--action",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::222222222222:role/WriteAccess",
        ]
    };
    let (out, _, code) = iamsim(&args("arn:aws:iam::111111111111:user/alice"));
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("allow"));
    let (out, _, _) = iamsim(&args("arn:aws:iam::111111111111:user/bob"));
    assert_eq!(out.lines().next(), Some("implicit_deny"));
    assert!(out.contains("because no identity-based policy allows the sts:AssumeRole action"), "{out}");
    let (_, err, code) = iamsim(&args("arn:aws:iam::111111111111:user/nobody"));
    assert_eq!(code, 2);
    assert_eq!(err.trim(), "error: --principal: account 111111111111 has no user `nobody`");
    let (_, err, code) = iamsim(&[
        "eval",
        "--fixture",
        "x.yaml",
        "--policy",
        "p.json",
        "--principal",
        "anonymous",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

// Exit statuses, one contract for every command: 0 success; 1 the command ran and found
// problems (failing vectors, an invalid fixture, a dump it cannot convert); 2 an input could not
// be read or parsed, or an argument is wrong.

const INVALID_FIXTURE: &str = "accounts:\n  \"111111111111\":\n    users:\n      alice: { groups: [devs] }\n";

#[test]
fn vectors_exits_2_on_input_it_cannot_read() {
    let (_, err, code) = iamsim(&["vectors", "tests/vectors/no-such.json"]);
    assert_eq!((code, err.trim()), (2, "error: tests/vectors/no-such.json: no such file or directory"));
    #[cfg(unix)]
    {
        // Refused before it is read: `/dev/zero` never ends.
        let (_, err, code) = iamsim(&["vectors", "/dev/zero"]);
        assert_eq!((code, err.trim()), (2, "error: /dev/zero: a character device, not a regular file"));
    }
    let dir = temp_dir("vectors-unparsable");
    let file = write(&dir, "v.json", "{\"format\": \"iam-eval-vectors/1\", \"vectors\": [");
    let (_, _, code) = iamsim(&["vectors", &file]);
    assert_eq!(code, 2);
}

#[test]
fn validate_exits_2_on_a_fixture_it_cannot_read_or_parse() {
    let (out, _, code) = iamsim(&["validate", "no/such/fixture.yaml"]);
    assert_eq!(out, "no/such/fixture.yaml:1:1: cannot read `no/such/fixture.yaml`: no such file or directory\n");
    assert_eq!(code, 2);
    let dir = temp_dir("validate-unparsable");
    let broken = write(&dir, "broken.yaml", "accounts: {\"111111111111\": [}\n");
    let (out, _, code) = iamsim(&["validate", &broken]);
    assert!(out.starts_with(&format!("{broken}:1:29: invalid YAML:")), "{out}");
    assert!(out.trim_end().ends_with("the `[` at line 1, column 28 is not closed"), "{out}");
    assert_eq!(code, 2);
    // One unreadable fixture among invalid ones: 2, the graver.
    let invalid = write(&dir, "invalid.yaml", INVALID_FIXTURE);
    let (_, _, code) = iamsim(&["validate", &invalid, "no/such/fixture.yaml"]);
    assert_eq!(code, 2);
    let (_, _, code) = iamsim(&["validate", &invalid]);
    assert_eq!(code, 1);
}

#[test]
fn validate_refuses_an_empty_fixture_naming_the_file() {
    let dir = temp_dir("validate-empty");
    let empty = write(&dir, "empty.yaml", "# accounts come later\n");
    let (out, _, code) = iamsim(&["validate", &empty]);
    assert_eq!(
        out,
        format!("{empty}:1:1: the fixture defines no accounts: a world needs at least one, under `accounts`\n")
    );
    assert_eq!(code, 1);
}

#[test]
fn eval_exits_2_on_unreadable_input_and_1_on_an_invalid_fixture() {
    let ask = |fixture: &str| {
        iamsim(&[
            "eval",
            "--fixture",
            fixture,
            "--principal",
            "arn:aws:iam::111111111111:user/alice",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ])
    };
    let (_, err, code) = ask("no/such/fixture.yaml");
    assert_eq!(
        (code, err.trim()),
        (2, "error: no/such/fixture.yaml:1:1: cannot read `no/such/fixture.yaml`: no such file or directory")
    );
    let dir = temp_dir("eval-invalid");
    let invalid = write(&dir, "invalid.yaml", INVALID_FIXTURE);
    let (_, err, code) = ask(&invalid);
    assert_eq!(
        (code, err.trim()),
        (1, format!("error: {invalid}:4:25: accounts.111111111111.users.alice.groups[0]: account 111111111111 has no group `devs`").as_str())
    );
    let (_, err, code) = iamsim(&[
        "eval",
        "--policy",
        "no/such/policy.json",
        "--principal",
        "arn:aws:iam::111111111111:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!((code, err.trim()), (2, "error: no/such/policy.json: no such file or directory"));
}

#[test]
fn import_exits_2_on_input_that_is_not_json_and_1_on_a_dump_it_cannot_convert() {
    let dir = temp_dir("import-exit");
    let (_, err, code) = iamsim(&["import", "authz-details", "no/such/dump.json"]);
    assert_eq!((code, err.trim()), (2, "error: no/such/dump.json: no such file or directory"));
    let not_json = write(&dir, "not-json.json", "UserDetailList: []");
    let (_, _, code) = iamsim(&["import", "authz-details", &not_json]);
    assert_eq!(code, 2);
    let wrong_shape = write(&dir, "wrong-shape.json", r#"{"UserDetailList": "alice"}"#);
    let (_, err, code) = iamsim(&["import", "authz-details", &wrong_shape]);
    assert!(err.starts_with(&format!("error: {wrong_shape}: UserDetailList")), "{err}");
    assert_eq!(code, 1);
    let (out, _, code) = iamsim(&["import", "authz-details", "tests/fixtures/authz/dev-cli.json"]);
    assert!(out.starts_with("accounts:"), "{out}");
    assert_eq!(code, 0);
}

#[test]
fn serve_exits_2_on_a_fixture_it_cannot_read_and_1_on_an_invalid_one() {
    let (out, err, code) = iamsim(&["serve", "--port", "0", "--fixture", "no/such/fixture.yaml"]);
    assert_eq!(out, "", "nothing is served");
    assert_eq!(
        (code, err.trim()),
        (2, "error: no/such/fixture.yaml:1:1: cannot read `no/such/fixture.yaml`: no such file or directory")
    );
    let dir = temp_dir("serve-invalid");
    let invalid = write(&dir, "invalid.yaml", INVALID_FIXTURE);
    let (_, err, code) = iamsim(&["serve", "--port", "0", "--fixture", &invalid]);
    assert!(err.starts_with(&format!("error: {invalid}:4:25:")), "{err}");
    assert_eq!(code, 1);
}

#[test]
fn eval_cuts_long_values_in_its_messages() {
    let dir = temp_dir("eval-long");
    let long = "x".repeat(3000);
    let odd = write(
        &dir,
        "odd.json",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:{long}","Resource":"*"}}]}}"#
        ),
    );
    let bad =
        write(&dir, "bad.json", &format!(r#"{{"Statement":[{{"Effect":"{long}","Action":"s3:*","Resource":"*"}}]}}"#));
    let ask = |policy: &str| {
        iamsim(&[
            "eval",
            "--policy",
            policy,
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ])
    };
    let (_, err, code) = ask(&odd);
    assert_eq!(code, 0);
    assert_eq!(
        err.trim(),
        format!(
            "warning: {odd}: Statement[0].Action: `s3:{}…` (3003 characters) is not a known action and grants nothing",
            "x".repeat(57)
        )
    );
    let (_, err, code) = ask(&bad);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        format!(
            "error: {bad}: Statement[0].Effect: `{}…` (3000 characters) is not a valid effect: expected `Allow` or `Deny`",
            "x".repeat(60)
        )
    );
}
