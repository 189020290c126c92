//! `iamsim least-privilege --fixture FILE [--principal ARN]... [--minimal] [--format
//! text|json|markdown] [--allow FILE] LOG_OR_DIR...`: the grants recorded access logs never
//! used, or the minimal policies (see `iamsim::harness::LeastPrivilegeReport`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use iamsim::harness::{Allowlist, LeastPrivilegeReport};
use iamsim::live::LogEntry;

use crate::{Failure, read};

/// The longest log line read: a request with every authorization it needed is a few KiB; a
/// longer line is not a log line (and a file without newlines must not fill memory).
const MAX_LINE_BYTES: u64 = 1 << 20;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One `unused: …` line per unused grant, then a summary line.
    Text,
    /// One JSON document.
    Json,
    /// Markdown, for a CI job summary (`>> "$GITHUB_STEP_SUMMARY"`).
    Markdown,
}

#[derive(clap::Args)]
pub(crate) struct LeastPrivilegeArgs {
    /// The fixture the logged worlds were built from.
    #[arg(long, value_name = "FILE")]
    fixture: PathBuf,
    /// Examine only this user or role (its ARN, a session ARN, `user/NAME` or `role/NAME`);
    /// repeatable. Default: every user and role of the fixture.
    #[arg(long = "principal", value_name = "ARN")]
    principals: Vec<String>,
    /// Print each principal's minimal policy (IAM JSON, proven against its logged requests)
    /// instead of the unused grants; exits 1 when a minimal policy is not proven.
    #[arg(long)]
    minimal: bool,
    /// `text`, `json` or `markdown`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Grants that may stay unused: lines `PRINCIPAL ACTION RESOURCE` (patterns with `*` and
    /// `?`), `#` comments, or pasted `unused:` lines.
    #[arg(long, value_name = "FILE")]
    allow: Option<PathBuf>,
    /// Access logs: `.jsonl` files, or directories searched recursively for them (such as
    /// `target/iamsim`).
    #[arg(required = true, value_name = "LOG_OR_DIR")]
    logs: Vec<PathBuf>,
}

pub(crate) fn run(args: &LeastPrivilegeArgs) -> Result<ExitCode, Failure> {
    let world = iamsim::World::from_fixture(&args.fixture).map_err(|e| Failure::world(&e))?.without_recording();
    let allowlist = match &args.allow {
        Some(path) => Allowlist::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Allowlist::new(),
    };
    let files = log_files(&args.logs)?;
    let mut logs: Vec<(String, Vec<LogEntry>)> = Vec::with_capacity(files.len());
    for path in &files {
        logs.push((path.display().to_string(), read_log(path)?));
    }
    note_unknown_callers(&world, &logs);
    let entries = logs.iter().flat_map(|(file, entries)| entries.iter().map(move |e| (Some(file.as_str()), e)));
    let report = if args.principals.is_empty() {
        LeastPrivilegeReport::every_principal(&world, entries)
    } else {
        let principals: Vec<&str> = args.principals.iter().map(String::as_str).collect();
        LeastPrivilegeReport::from_log(&world, entries, &principals).map_err(|e| format!("--principal: {e}"))?
    }
    .with_allowlist(&allowlist);

    if args.minimal {
        match args.format {
            Format::Text => print!("{}", report.minimal_text()),
            Format::Json => println!("{}", pretty(&report.minimal_json())?),
            Format::Markdown => print!("{}", report.minimal_markdown()),
        }
        return Ok(if report.proven() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    match args.format {
        Format::Text => print!("{}", report.to_text()),
        Format::Json => println!("{}", pretty(&report.to_json())?),
        Format::Markdown => print!("{}", report.to_markdown()),
    }
    Ok(if report.has_unused() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Says on stderr which logged IAM callers the fixture does not have: their requests count for
/// no principal. Many of them usually mean logs of worlds built from another fixture.
fn note_unknown_callers(world: &iamsim::World, logs: &[(String, Vec<LogEntry>)]) {
    /// How many unknown callers the note names.
    const NAMED: usize = 3;
    let mut unknown: BTreeSet<&str> = BTreeSet::new();
    let mut requests = 0usize;
    for entry in logs.iter().flat_map(|(_, entries)| entries) {
        if let Some(caller) = entry.caller.as_deref()
            && (unknown.contains(caller) || is_stranger(world, caller))
        {
            unknown.insert(caller);
            requests += 1;
        }
    }
    if unknown.is_empty() {
        return;
    }
    let mut named: Vec<&str> = unknown.iter().copied().take(NAMED).collect();
    if unknown.len() > NAMED {
        named.push("…");
    }
    eprintln!(
        "note: skipped {requests} logged request{} of {} caller{} the fixture does not have ({}): logs of worlds built from another fixture?",
        if requests == 1 { "" } else { "s" },
        unknown.len(),
        if unknown.len() == 1 { "" } else { "s" },
        named.join(", ")
    );
}

/// Whether `caller` is an IAM or STS principal the world does not have: a user or role session
/// it lacks, or a root or federated user of an account it lacks. Other callers — an instance
/// asking its metadata service, a container, `anonymous` — are no IAM principal to examine.
fn is_stranger(world: &iamsim::World, caller: &str) -> bool {
    let parts: Vec<&str> = caller.splitn(6, ':').collect();
    let [_, _, service, _, account, resource] = parts.as_slice() else { return false };
    match *service {
        "iam" | "sts" if resource.starts_with("user/") || resource.starts_with("assumed-role/") => {
            world.caller_for(caller).is_err()
        }
        "iam" | "sts" => world.model().account(account).is_none(),
        _ => false,
    }
}

fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::found(format!("cannot write JSON: {e}")))
}

/// The log files named, directories expanded to the `*.jsonl` files under them, in sorted path
/// order (so that the report does not depend on the order of arguments or of the file system),
/// each once.
fn log_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in args {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            if files.len() == before {
                eprintln!("warning: {}: no .jsonl file in this directory", path.display());
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Collects the `*.jsonl` files under `dir`. Symbolic links to directories are not followed: a
/// link back up the tree must not loop.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "jsonl") {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads one access log: a JSON object per line (blank lines skipped), as worlds record and
/// `iamsim serve --log` writes them. Errors name the file and the line.
fn read_log(path: &Path) -> Result<Vec<LogEntry>, String> {
    let at = |line: usize, e: &dyn std::fmt::Display| format!("{}:{line}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // A named pipe or a device such as /dev/zero would never end.
    let is_file = file.metadata().map_err(|e| format!("{}: {e}", path.display()))?.is_file();
    if !is_file {
        return Err(format!("{}: not a regular file", path.display()));
    }
    let mut reader = BufReader::new(file);
    let mut entries = Vec::new();
    let mut bytes = Vec::new();
    for number in 1.. {
        bytes.clear();
        let n = (&mut reader).take(MAX_LINE_BYTES + 1).read_until(b'\n', &mut bytes).map_err(|e| at(number, &e))?;
        if n == 0 {
            break;
        }
        if n as u64 > MAX_LINE_BYTES {
            return Err(at(number, &format_args!("longer than {MAX_LINE_BYTES} bytes: not an access log line")));
        }
        let line = std::str::from_utf8(&bytes).map_err(|_| at(number, &"not UTF-8 text"))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: LogEntry = serde_json::from_str(line).map_err(|e| {
            // serde_json says `at line 1 column C` of the one line it was given: say the file's.
            let message = e.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            format!("{}:{number}:{}: {message}", path.display(), e.column())
        })?;
        entries.push(entry);
    }
    Ok(entries)
}
