//! Clients of other ecosystems against `iamsim serve`: boto3 and the AWS CLI, configured only by
//! the printed variables. They need a Python with both installed: `.ci/run` makes a venv from
//! PyPI and names its `bin/` in `IAMSIM_PYTHON_BIN`; without it these tests print why they skip.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn python_bin() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("IAMSIM_PYTHON_BIN") else {
        eprintln!("skipped: IAMSIM_PYTHON_BIN is not set (.ci/run sets it to a venv with boto3 and awscli)");
        return None;
    };
    let dir = PathBuf::from(dir);
    if !dir.join("python").exists() {
        eprintln!("skipped: {} has no python", dir.display());
        return None;
    }
    Some(dir)
}

/// `iamsim serve` on a free port, and the variables it printed.
fn serve() -> (Child, Vec<(String, String)>) {
    serve_with(&[])
}

/// `iamsim serve` on a free port with more arguments, and the variables it printed.
fn serve_with(args: &[&str]) -> (Child, Vec<(String, String)>) {
    serve_printing(args, 5)
}

/// `iamsim serve` on a free port with more arguments, and the `lines` variables it prints (six
/// with a session token, one more with `--instance`).
fn serve_printing(args: &[&str], lines: usize) -> (Child, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let env: Vec<(String, String)> = BufReader::new(stdout)
        .lines()
        .take(lines)
        .map(|l| {
            let l = l.unwrap();
            let (k, v) = l.strip_prefix("export ").unwrap().split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (child, env)
}

/// A command with only the served variables (and PATH, HOME pointed at nothing), so no local
/// AWS configuration takes part.
fn command(program: PathBuf, env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v))).env("HOME", "/nonexistent").env("PATH", "/usr/bin:/bin");
    cmd
}

#[test]
fn boto3_uses_sts_through_iamsim_serve() {
    let Some(bin) = python_bin() else { return };
    let (mut child, env) = serve();
    let out = command(bin.join("python"), &env).arg("tests/interop/sts_boto3.py").output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "boto3 failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "get_caller_identity ok\nassume_role ok\naccess denied ok\nsignature checked ok\n");
}

#[test]
fn the_aws_cli_uses_sts_through_iamsim_serve() {
    let Some(bin) = python_bin() else { return };
    let (mut child, env) = serve();
    let out = command(bin.join("aws"), &env).args(["sts", "get-caller-identity", "--output", "json"]).output().unwrap();
    let denied = command(bin.join("aws"), &env)
        .args(["sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/nope", "--role-session-name", "cli"])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "aws failed: {}", String::from_utf8_lossy(&out.stderr));
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["Arn"], "arn:aws:iam::111111111111:user/developer");
    // AWS CLI v1 (the one on PyPI) exits 255 on a service error; v2 exits 254.
    assert_eq!(denied.status.code(), Some(255));
    assert!(
        String::from_utf8_lossy(&denied.stderr)
            .contains("An error occurred (AccessDenied) when calling the AssumeRole operation")
    );
}

/// The S3 world of `tests/it/s3`, served as alice: she may list her account's buckets and do
/// anything to `photos`; `public-site` lets her (and everyone) only read.
const S3_SERVE: [&str; 4] = ["--fixture", "tests/fixtures/s3.yaml", "--as", "arn:aws:iam::111111111111:user/alice"];

#[test]
fn boto3_uses_s3_through_iamsim_serve() {
    let Some(bin) = python_bin() else { return };
    let (mut child, env) = serve_with(&S3_SERVE);
    let out = command(bin.join("python"), &env).arg("tests/interop/s3_boto3.py").output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "boto3 failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout,
        "list_buckets ok\nput_object get_object ok\naccess denied ok\nno such key ok\nsignature checked ok\n"
    );
}

#[test]
fn the_aws_cli_uses_s3_through_iamsim_serve() {
    let Some(bin) = python_bin() else { return };
    let dir = std::env::temp_dir().join(format!("iamsim-interop-s3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let upload = dir.join("upload.txt");
    std::fs::write(&upload, "hello from the aws cli").unwrap();
    let download = dir.join("download.txt");
    let (mut child, env) = serve_with(&S3_SERVE);
    let aws = |args: &[&str]| command(bin.join("aws"), &env).args(args).output().unwrap();
    let buckets = aws(&["s3api", "list-buckets", "--output", "json"]);
    let put =
        aws(&["s3api", "put-object", "--bucket", "photos", "--key", "cli/a b.txt", "--body", upload.to_str().unwrap()]);
    let get = aws(&["s3api", "get-object", "--bucket", "photos", "--key", "cli/a b.txt", download.to_str().unwrap()]);
    let ls = aws(&["s3", "ls", "s3://photos/cli/"]);
    let denied =
        aws(&["s3api", "put-object", "--bucket", "public-site", "--key", "x.html", "--body", upload.to_str().unwrap()]);
    let _ = child.kill();
    let _ = child.wait();
    for (what, out) in [("list-buckets", &buckets), ("put-object", &put), ("get-object", &get), ("s3 ls", &ls)] {
        assert!(out.status.success(), "aws {what} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let listed: serde_json::Value = serde_json::from_slice(&buckets.stdout).unwrap();
    let names: Vec<&str> = listed["Buckets"].as_array().unwrap().iter().map(|b| b["Name"].as_str().unwrap()).collect();
    assert_eq!(names, ["photos", "public-site", "tagged"]);
    assert_eq!(std::fs::read_to_string(&download).unwrap(), "hello from the aws cli");
    assert!(String::from_utf8_lossy(&ls.stdout).ends_with(" 22 a b.txt\n"), "{}", String::from_utf8_lossy(&ls.stdout));
    // AWS CLI v1 exits 255 on a service error.
    assert_eq!(denied.status.code(), Some(255));
    assert!(
        String::from_utf8_lossy(&denied.stderr)
            .contains("An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/alice is not authorized"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The seed's EC2 scenario served with its instance's metadata service.
const IMDS_SERVE: [&str; 6] = [
    "--fixture",
    "examples/fixtures/ec2-s3access.yaml",
    "--as",
    "arn:aws:iam::111111111111:role/s3access",
    "--instance",
    "web-1",
];

/// The served variables without the printed keys: what an instance's software has.
fn on_the_instance(env: &[(String, String)]) -> Vec<(String, String)> {
    let env: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| !["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"].contains(&k.as_str()))
        .cloned()
        .collect();
    assert!(env.iter().any(|(k, _)| k == "AWS_EC2_METADATA_SERVICE_ENDPOINT"), "{env:?}");
    env
}

#[test]
fn boto3_on_an_instance_reads_s3_with_the_role_from_the_instance_metadata_service() {
    let Some(bin) = python_bin() else { return };
    let (mut child, env) = serve_printing(&IMDS_SERVE, 7);
    let out = command(bin.join("python"), &on_the_instance(&env)).arg("tests/interop/imds_boto3.py").output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "boto3 failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "credentials from imds ok\nget_caller_identity ok\nread app-data ok\ndelete denied ok\n");
}

#[test]
fn the_aws_cli_on_an_instance_uses_the_instance_role() {
    let Some(bin) = python_bin() else { return };
    let (mut child, env) = serve_printing(&IMDS_SERVE, 7);
    let env = on_the_instance(&env);
    let aws = |args: &[&str]| command(bin.join("aws"), &env).args(args).output().unwrap();
    let me = aws(&["sts", "get-caller-identity", "--query", "Arn", "--output", "text"]);
    let read = aws(&["s3", "cp", "s3://app-data/report.csv", "-"]);
    let delete = aws(&["s3", "rm", "s3://app-data/report.csv"]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(me.status.success(), "aws sts failed: {}", String::from_utf8_lossy(&me.stderr));
    assert!(String::from_utf8_lossy(&me.stdout).starts_with("arn:aws:sts::111111111111:assumed-role/s3access/i-"));
    assert!(read.status.success(), "aws s3 cp failed: {}", String::from_utf8_lossy(&read.stderr));
    assert_eq!(String::from_utf8_lossy(&read.stdout), "day,visits\nmon,12\n");
    // `aws s3 rm` is a high-level command: it exits 1 on a failed transfer.
    assert!(!delete.status.success());
    assert!(
        String::from_utf8_lossy(&delete.stderr)
            .contains("An error occurred (AccessDenied) when calling the DeleteObject operation"),
        "{}",
        String::from_utf8_lossy(&delete.stderr)
    );
}

#[test]
fn the_seed_curl_script_reads_role_credentials_from_the_served_instance_metadata() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: no curl on this machine");
        return;
    }
    let (mut child, env) = serve_printing(&IMDS_SERVE, 7);
    let out =
        command(PathBuf::from("/bin/sh"), &on_the_instance(&env)).arg("tests/interop/imds_curl.sh").output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // The role's name, its credentials document (pretty-printed JSON, as EC2 serves it), then
    // the status of a request without a token.
    let (role, rest) = stdout.split_once('\n').unwrap();
    assert_eq!(role, "role: s3access");
    let (document, last) = rest.rsplit_once("}\n").unwrap();
    let document: serde_json::Value = serde_json::from_str(&format!("{document}}}")).unwrap();
    assert_eq!(document["Code"], "Success");
    assert_eq!(document["Type"], "AWS-HMAC");
    assert!(document["AccessKeyId"].as_str().unwrap().starts_with("ASIA"), "{document}");
    assert!(document["Token"].as_str().is_some_and(|t| !t.is_empty()), "{document}");
    // web-1 keeps AWS's default (`optional`): a request without a token is IMDSv1 and answered.
    assert_eq!(last, "without a token: 200\n");
}

#[test]
fn the_seed_mfa_script_assumes_the_admin_role_with_the_aws_cli_and_a_totp_code() {
    let Some(bin) = python_bin() else { return };
    let dir = std::env::temp_dir().join(format!("iamsim-interop-mfa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut child, env) =
        serve_with(&["--fixture", "tests/fixtures/interop/mfa.yaml", "--as", "arn:aws:iam::111111111111:user/alice"]);
    let script = std::env::current_dir().unwrap().join("tests/interop/mfa_cli.sh");
    let out = command(PathBuf::from("/bin/sh"), &env)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .current_dir(&dir)
        .arg(script)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout,
        "without mfa: AccessDenied\n\
         wrong code: An error occurred (AccessDenied)\n\
         with mfa: arn:aws:sts::111111111111:assumed-role/admin/admin\n"
    );
}
