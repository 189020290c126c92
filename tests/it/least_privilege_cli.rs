//! `iamsim least-privilege`: the real binary reads access logs that worlds driven by real SDK
//! clients recorded (`World::record_into`), as the CI gate does with `target/iamsim`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::credentials_of;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;

const FIXTURE: &str = "tests/fixtures/least/photos.yaml";
const DEV: &str = "111111111111";
const READER: &str = "arn:aws:iam::111111111111:role/reader";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const UNUSED_DELETE: &str = "unused: arn:aws:iam::111111111111:role/reader s3:DeleteObject on arn:aws:s3:::photos/* (arn:aws:iam::111111111111:policy/ReadPhotos, statement 1)";

fn iamsim(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .arg("least-privilege")
        .args(args)
        .output()
        .expect("the iamsim binary runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// An empty directory of its own for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-lp-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the reader role's session does in a recorded world.
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    /// Lists the bucket, reads two objects, is refused a secret and an upload.
    Everything,
    /// Only lists the bucket.
    ListOnly,
    /// Only reads the two objects.
    ReadOnly,
}

/// Builds the photos world recording into `dir`, lets alice assume the reader role with real
/// STS and the session work with real S3, then drops the world: its log is written as
/// `dir/it/TEST.jsonl`.
async fn record(dir: &Path, reader: Reader) {
    let world = World::from_fixture(FIXTURE).unwrap().record_into(dir);
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let out = sts.assume_role().role_arn(READER).role_session_name("app").send().await.unwrap();
    let s3 = world.s3_client(credentials_of(out.credentials().unwrap()));
    if reader != Reader::ReadOnly {
        let listed = s3.list_objects_v2().bucket("photos").send().await.unwrap();
        assert_eq!(listed.key_count(), Some(3));
    }
    if reader != Reader::ListOnly {
        for key in ["2024/a.jpg", "2024/b.jpg"] {
            s3.get_object().bucket("photos").key(key).send().await.unwrap();
        }
    }
    if reader == Reader::Everything {
        let secret = s3.get_object().bucket("photos").key("secret/key").send().await.unwrap_err();
        assert_eq!(secret.code(), Some("AccessDenied"));
        let put = s3.put_object().bucket("photos").key("new.jpg").body(ByteStream::from_static(b"n")).send().await;
        assert_eq!(put.unwrap_err().code(), Some("AccessDenied"));
    }
    drop(world);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn a_recorded_world_is_written_as_binary_slash_test_jsonl() {
    let dir = temp_dir("naming");
    record(&dir, Reader::Everything).await;
    // The test binary is `it`; libtest names the thread after the test.
    let file = dir.join("it").join("least_privilege_cli.a_recorded_world_is_written_as_binary_slash_test_jsonl.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let entries: Vec<iamsim::live::LogEntry> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let operations: Vec<&str> = entries.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(operations, ["AssumeRole", "ListObjectsV2", "GetObject", "GetObject", "GetObject", "PutObject"]);
    // A second world of the same test gets a file of its own.
    record(&dir, Reader::ListOnly).await;
    let second =
        dir.join("it").join("least_privilege_cli.a_recorded_world_is_written_as_binary_slash_test_jsonl.2.jsonl");
    assert_eq!(std::fs::read_to_string(second).unwrap().lines().count(), 2);
}

#[tokio::test]
async fn each_unused_grant_is_one_line_and_the_status_is_1() {
    let dir = temp_dir("text");
    record(&dir, Reader::Everything).await;
    let (out, err, code) = iamsim(&["--fixture", FIXTURE, path(&dir)]);
    assert_eq!(out, format!("{UNUSED_DELETE}\n2 principals: 4 grants, 3 used, 1 unused, 0 unused but allowed\n"));
    assert_eq!((err.as_str(), code), ("", 1));

    // A role's sessions count for the role; `--principal` takes its ARN, a session ARN or
    // `role/NAME`, and limits the report to it.
    for reader in [READER, "arn:aws:sts::111111111111:assumed-role/reader/app", "role/reader"] {
        let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--principal", reader, path(&dir)]);
        assert_eq!(out, format!("{UNUSED_DELETE}\n1 principal: 3 grants, 2 used, 1 unused, 0 unused but allowed\n"));
        assert_eq!(code, 1);
    }
    let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--principal", ALICE, path(&dir)]);
    assert_eq!(out, "1 principal: 1 grant, 1 used, 0 unused, 0 unused but allowed\n");
    assert_eq!(code, 0);
}

#[tokio::test]
async fn an_allowlist_lets_intended_grants_stay() {
    let dir = temp_dir("allow");
    record(&dir, Reader::Everything).await;
    let logs = dir.join("logs");
    std::fs::rename(dir.join("it"), &logs).unwrap();
    // The command's own line, pasted.
    let pasted = dir.join("pasted.txt");
    std::fs::write(&pasted, format!("# deletes come with the next release\n{UNUSED_DELETE}\n")).unwrap();
    // A pattern.
    let pattern = dir.join("pattern.txt");
    std::fs::write(&pattern, "arn:aws:iam::111111111111:role/* s3:Delete* arn:aws:s3:::photos/*\n").unwrap();
    for list in [&pasted, &pattern] {
        let (out, err, code) = iamsim(&["--fixture", FIXTURE, "--allow", path(list), path(&logs)]);
        assert_eq!(out, "2 principals: 4 grants, 3 used, 0 unused, 1 unused but allowed\n");
        assert_eq!((err.as_str(), code), ("", 0));
    }
    // An entry for another resource allows nothing.
    let other = dir.join("other.txt");
    std::fs::write(&other, "* s3:DeleteObject arn:aws:s3:::other/*\n").unwrap();
    let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--allow", path(&other), path(&logs)]);
    assert!(out.starts_with(UNUSED_DELETE), "{out}");
    assert_eq!(code, 1);
}

#[tokio::test]
async fn logs_of_several_worlds_and_shards_are_merged() {
    let (shard1, shard2) = (temp_dir("shard1"), temp_dir("shard2"));
    record(&shard1, Reader::ListOnly).await;
    record(&shard2, Reader::ReadOnly).await;
    let reader = ["--fixture", FIXTURE, "--principal", READER];

    // Each shard alone leaves a grant unused that the other used.
    let (out, _, _) = iamsim(&[&reader[..], &[path(&shard1)]].concat());
    assert!(out.contains("s3:GetObject on arn:aws:s3:::photos/*"), "{out}");
    let (out, _, _) = iamsim(&[&reader[..], &[path(&shard2)]].concat());
    assert!(out.contains("s3:ListBucket on arn:aws:s3:::photos "), "{out}");

    // Together, in either order and with a file named twice (once inside its directory), only
    // the delete is unused; the output does not depend on the order.
    // The second world of this test: `TEST.2.jsonl`.
    let file = shard2.join("it").join("least_privilege_cli.logs_of_several_worlds_and_shards_are_merged.2.jsonl");
    let forward = iamsim(&[&reader[..], &[path(&shard1), path(&shard2)]].concat());
    let backward = iamsim(&[&reader[..], &[path(&file), path(&shard2), path(&shard1)]].concat());
    assert_eq!(forward.0, format!("{UNUSED_DELETE}\n1 principal: 3 grants, 2 used, 1 unused, 0 unused but allowed\n"));
    assert_eq!(forward, backward);
}

#[tokio::test]
async fn a_principal_with_no_recorded_request_is_one_line() {
    let dir = temp_dir("idle");
    // Alice only asks who she is: no grant is needed, the role is never assumed.
    let world = World::from_fixture(FIXTURE).unwrap().record_into(&dir);
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    sts.get_caller_identity().send().await.unwrap();
    drop(world);

    let (out, _, code) = iamsim(&["--fixture", FIXTURE, path(&dir)]);
    assert_eq!(
        out,
        "no requests recorded: arn:aws:iam::111111111111:role/reader (3 grants unused)\n\
         unused: arn:aws:iam::111111111111:user/alice sts:AssumeRole on arn:aws:iam::111111111111:role/reader (arn:aws:iam::111111111111:policy/AssumeReader, statement 0)\n\
         2 principals: 4 grants, 0 used, 4 unused, 0 unused but allowed\n"
    );
    assert_eq!(code, 1);

    let (markdown, _, _) = iamsim(&["--fixture", FIXTURE, "--format", "markdown", path(&dir)]);
    assert!(markdown.contains(&format!("### `{READER}`\n\nNo requests recorded: 3 grants unused.\n")), "{markdown}");

    // Its minimal policy allows nothing.
    let (minimal, _, code) = iamsim(&["--fixture", FIXTURE, "--minimal", "--principal", READER, path(&dir)]);
    let (head, json) = minimal.split_once('\n').unwrap();
    assert_eq!(head, format!("# {READER}: no requests recorded: the minimal policy allows nothing"));
    let policy: serde_json::Value = serde_json::from_str(json).unwrap();
    let allows = policy["Statement"].as_array().unwrap().iter().filter(|s| s["Effect"] == "Allow").count();
    assert_eq!(allows, 0, "{policy}");
    assert_eq!(code, 0);

    // The line pasted into the allowlist allows every grant of the role.
    let allow = dir.join("allow.txt");
    std::fs::write(&allow, out.lines().next().unwrap()).unwrap();
    let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--principal", READER, "--allow", path(&allow), path(&dir)]);
    assert_eq!(out, "1 principal: 3 grants, 0 used, 0 unused, 3 unused but allowed\n");
    assert_eq!(code, 0);
}

#[tokio::test]
async fn minimal_policies_are_iam_json_that_allow_exactly_the_logged_requests() {
    let dir = temp_dir("minimal");
    record(&dir, Reader::Everything).await;
    let (out, err, code) = iamsim(&["--fixture", FIXTURE, "--minimal", "--format", "json", path(&dir)]);
    assert_eq!((err.as_str(), code), ("", 0));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[READER]["proof"]["checked"], 5);
    assert_eq!(doc[READER]["proof"]["failures"], serde_json::json!([]));

    // AWS would accept the policy, and it allows what the session did — and not the delete.
    let policy = iamsim::Policy::from_value(doc[READER]["policy"].clone()).unwrap();
    assert!(policy.validate(iamsim::policy::PolicyKind::Identity).is_empty());
    let session = iamsim::Principal::parse("arn:aws:sts::111111111111:assumed-role/reader/app").unwrap();
    let decide = |action: &str, resource: &str| {
        let request = iamsim::AuthzRequest::new(
            session.clone(),
            iamsim::Action::new(action).unwrap(),
            iamsim::Resource::parse(resource).unwrap(),
        )
        .with_context(iamsim::Context::new().with("aws:SecureTransport", "true"));
        iamsim::evaluate(&request, &iamsim::PolicySet::new().identity(policy.clone())).outcome().as_str().to_owned()
    };
    assert_eq!(decide("s3:ListBucket", "arn:aws:s3:::photos"), "allow");
    assert_eq!(decide("s3:GetObject", "arn:aws:s3:::photos/2024/a.jpg"), "allow");
    assert_eq!(decide("s3:GetObject", "arn:aws:s3:::photos/2024/b.jpg"), "allow");
    assert_eq!(decide("s3:DeleteObject", "arn:aws:s3:::photos/2024/a.jpg"), "implicit_deny");
    assert_eq!(decide("s3:GetObject", "arn:aws:s3:::photos/secret/key"), "explicit_deny");

    // As text: per principal a proof line, then the IAM JSON.
    let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--minimal", "--principal", READER, path(&dir)]);
    let (head, json) = out.split_once('\n').unwrap();
    assert_eq!(head, format!("# {READER}: proven against 5 logged requests"));
    let text_policy: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(text_policy, doc[READER]["policy"]);
    assert_eq!(code, 0);
}

#[tokio::test]
async fn markdown_and_json_reports() {
    let dir = temp_dir("formats");
    record(&dir, Reader::Everything).await;
    let (markdown, _, code) = iamsim(&["--fixture", FIXTURE, "--format", "markdown", path(&dir)]);
    assert_eq!(code, 1);
    let (json, _, code) = iamsim(&["--fixture", FIXTURE, "--format", "json", path(&dir)]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (minimal, _, _) = iamsim(&["--fixture", FIXTURE, "--minimal", "--format", "markdown", path(&dir)]);
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("least_privilege_cli_markdown", markdown);
        insta::assert_json_snapshot!("least_privilege_cli_json", json);
        insta::assert_snapshot!("least_privilege_cli_minimal_markdown", minimal);
    });
}

#[tokio::test]
async fn unreadable_logs_and_wrong_arguments_exit_2_naming_the_file() {
    let dir = temp_dir("errors");
    record(&dir, Reader::ListOnly).await;
    let bad = dir.join("bad.jsonl");
    let first = std::fs::read_dir(dir.join("it")).unwrap().next().unwrap().unwrap().path();
    let good_line = std::fs::read_to_string(first).unwrap().lines().next().unwrap().to_owned();
    std::fs::write(&bad, format!("{good_line}\n\n{{\"request\": 2,}}\n")).unwrap();
    let (out, err, code) = iamsim(&["--fixture", FIXTURE, path(&dir)]);
    assert_eq!(out, "");
    assert_eq!(err, format!("error: {}:3:15: trailing comma\n", bad.display()));
    assert_eq!(code, 2);

    let missing = dir.join("missing");
    let (_, err, code) = iamsim(&["--fixture", FIXTURE, path(&missing)]);
    assert!(err.starts_with(&format!("error: {}: ", missing.display())), "{err}");
    assert_eq!(code, 2);

    // A device is not a log: it would never end.
    let (_, err, code) = iamsim(&["--fixture", FIXTURE, "/dev/zero"]);
    assert_eq!((err.as_str(), code), ("error: /dev/zero: not a regular file\n", 2));

    let (_, err, code) = iamsim(&["--fixture", FIXTURE, "--principal", "role/nobody", path(&dir.join("it"))]);
    assert_eq!(err, "error: --principal: the world has no role `nobody`\n");
    assert_eq!(code, 2);

    let allow = dir.join("allow.txt");
    std::fs::write(&allow, "# fine\njust-one-word\n").unwrap();
    let (_, err, code) = iamsim(&["--fixture", FIXTURE, "--allow", path(&allow), path(&dir.join("it"))]);
    assert_eq!(
        err,
        format!("error: {}: line 2: expected `PRINCIPAL ACTION RESOURCE`, got `just-one-word`\n", allow.display())
    );
    assert_eq!(code, 2);
}

#[tokio::test]
async fn requests_of_callers_the_fixture_lacks_are_skipped_with_a_note() {
    let dir = temp_dir("strangers");
    record(&dir, Reader::Everything).await;
    // The same requests, as if made in another world by a user this fixture does not have.
    let recorded = std::fs::read_dir(dir.join("it")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(recorded).unwrap();
    let stranger = text.lines().next().unwrap().replace(ALICE, "arn:aws:iam::222222222222:user/mallory");
    std::fs::write(dir.join("other-fixture.jsonl"), format!("{stranger}\n{stranger}\n")).unwrap();
    let (out, err, code) = iamsim(&["--fixture", FIXTURE, path(&dir)]);
    assert_eq!(out, format!("{UNUSED_DELETE}\n2 principals: 4 grants, 3 used, 1 unused, 0 unused but allowed\n"));
    assert_eq!(
        err,
        "note: skipped 2 logged requests of 1 caller the fixture does not have (arn:aws:iam::222222222222:user/mallory): logs of worlds built from another fixture?\n"
    );
    assert_eq!(code, 1);
}

/// `iamsim serve --log` writes the same JSON lines: the gate reads a served world's log, and a
/// session issued by that other process counts for its role.
#[tokio::test]
async fn the_log_of_iamsim_serve_is_read_too() {
    use std::io::{BufRead, BufReader};
    let dir = temp_dir("serve");
    let log = dir.join("served.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["serve", "--port", "0", "--fixture", FIXTURE, "--as", READER, "--log", path(&log)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut vars = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let (key, value) = line
            .unwrap()
            .strip_prefix("export ")
            .unwrap()
            .split_once('=')
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .unwrap();
        let last = key == "AWS_SESSION_TOKEN";
        vars.push((key, value));
        if last {
            break;
        }
    }
    let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .empty_test_environment()
        .env(aws_types::os_shim_internal::Env::from_slice(&env))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::new(&config);
    s3.list_objects_v2().bucket("photos").send().await.unwrap();
    // Over plain HTTP `aws:SecureTransport` is false: the read's condition does not hold.
    let got = s3.get_object().bucket("photos").key("2024/a.jpg").send().await.unwrap_err();
    assert_eq!(got.code(), Some("AccessDenied"));
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert_eq!(child.wait().unwrap().code(), Some(0));

    let (out, err, code) = iamsim(&["--fixture", FIXTURE, "--principal", "role/reader", path(&log)]);
    assert_eq!(
        out,
        format!(
            "{UNUSED_DELETE}\n{}\n1 principal: 3 grants, 1 used, 2 unused, 0 unused but allowed\n",
            UNUSED_DELETE.replace("s3:DeleteObject", "s3:GetObject")
        )
    );
    assert_eq!((err.as_str(), code), ("", 1));
    let (out, _, code) = iamsim(&["--fixture", FIXTURE, "--minimal", "--principal", "role/reader", path(&log)]);
    assert!(out.starts_with(&format!("# {READER}: proven against 2 logged requests\n")), "{out}");
    assert_eq!(code, 0);
}
