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
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let env: Vec<(String, String)> = BufReader::new(stdout)
        .lines()
        .take(5)
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
