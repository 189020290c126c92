//! `iamsim serve` as users run it: spawn the binary, `eval` its export block, call it with a
//! real SDK client, stop it with SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use aws_sdk_sts::error::ProvideErrorMetadata;

/// A running `iamsim serve` and the variables it printed.
struct Served {
    child: Child,
    env: Vec<(String, String)>,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("iamsim serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut env = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let (key, value) = line.strip_prefix("export ").unwrap().split_once('=').unwrap();
            env.push((key.to_owned(), value.to_owned()));
            if key == "AWS_SECRET_ACCESS_KEY" && !args.iter().any(|a| a.contains(":role/"))
                || key == "AWS_SESSION_TOKEN"
            {
                break;
            }
        }
        Served { child, env }
    }

    fn var(&self, key: &str) -> Option<&str> {
        self.env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// What an SDK configured only by these variables sees (the default chain, the variables
    /// injected rather than set on this process).
    async fn sdk_config(&self) -> aws_config::SdkConfig {
        let vars: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .env(aws_types::os_shim_internal::Env::from_slice(&vars))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .load()
            .await
    }

    /// SIGTERM, then the exit status and what was printed on stderr.
    fn stop(self) -> (i32, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let out = self.child.wait_with_output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn the_seed_world_serves_sts_to_an_sdk_configured_by_the_printed_variables() {
    let served = Served::start(&[]);
    let keys: Vec<&str> = served.env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    );
    assert!(served.var("AWS_ENDPOINT_URL").unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(served.var("AWS_REGION"), Some("us-east-1"));

    let sts = aws_sdk_sts::Client::new(&served.sdk_config().await);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/developer"));
    let denied = sts.assume_role().role_arn("arn:aws:iam::111111111111:role/nope").role_session_name("s1").send().await;
    assert_eq!(denied.unwrap_err().code(), Some("AccessDenied"));

    let (status, stderr) = served.stop();
    assert_eq!(status, 0, "SIGTERM ends it cleanly; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one line per request: {stderr}");
    assert_eq!(lines[0], "#1 sts GetCallerIdentity arn:aws:iam::111111111111:user/developer 200");
    assert!(
        lines[1].starts_with(
            "#2 sts AssumeRole arn:aws:iam::111111111111:user/developer 403 AccessDenied implicit_deny sts:AssumeRole"
        ),
        "{}",
        lines[1]
    );
}

#[tokio::test]
async fn the_seed_world_serves_s3_on_the_same_port_with_a_private_bucket() {
    let served = Served::start(&[]);
    let s3 = aws_sdk_s3::Client::new(&served.sdk_config().await);
    let buckets = s3.list_buckets().send().await.unwrap();
    let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["private-reports", "public-assets"]);
    let logo = s3.get_object().bucket("public-assets").key("logo.txt").send().await.unwrap();
    assert_eq!(logo.body.collect().await.unwrap().into_bytes(), "iamsim");
    let denied = s3.get_object().bucket("private-reports").key("2026/q1.txt").send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    let (status, stderr) = served.stop();
    assert_eq!(status, 0);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "#1 s3 ListBuckets arn:aws:iam::111111111111:user/developer 200 allow s3:ListAllMyBuckets on *"
    );
    assert!(
        lines[2].starts_with("#3 s3 GetObject arn:aws:iam::111111111111:user/developer 403 AccessDenied"),
        "{stderr}"
    );
}

#[tokio::test]
async fn as_a_role_prints_a_session_and_log_writes_json_lines() {
    let dir = std::env::temp_dir().join(format!("iamsim-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("access.jsonl");
    let _ = std::fs::remove_file(&log);
    let served = Served::start(&[
        "--fixture",
        "examples/fixtures/trust-policies.yaml",
        "--as",
        "arn:aws:iam::111111111111:role/ops",
        "--log",
        log.to_str().unwrap(),
    ]);
    assert!(served.var("AWS_SESSION_TOKEN").is_some());
    let sts = aws_sdk_sts::Client::new(&served.sdk_config().await);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/ops/iamsim-serve"));
    let (status, _) = served.stop();
    assert_eq!(status, 0);
    let text = std::fs::read_to_string(&log).unwrap();
    let entry: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(entry["operation"], "GetCallerIdentity");
    assert_eq!(entry["caller"], "arn:aws:sts::111111111111:assumed-role/ops/iamsim-serve");
}

#[test]
fn a_principal_the_world_does_not_have_is_refused_before_serving() {
    let out = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["serve", "--port", "0", "--as", "arn:aws:iam::999999999999:user/ghost"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --as `arn:aws:iam::999999999999:user/ghost`: the world has no account `999999999999`\n"
    );
    assert!(out.stdout.is_empty());
}
