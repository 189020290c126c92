//! `iamsim diff-policy OLD NEW [--fixture FILE] [--principal ARN] [--format text|json]`: the
//! requests NEW allows that OLD did not, as example requests (see `iamsim::diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use iamsim::diff::{NewAccessGroup, PolicyDiff, Report};
use iamsim::policy::PolicyKind;

use crate::{Failure, load};

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One `new access: …` line per group of example requests, then a summary line.
    Text,
    /// One JSON document.
    Json,
}

#[derive(clap::Args)]
pub(crate) struct DiffPolicyArgs {
    /// The policy as it is (an identity policy, JSON).
    old: PathBuf,
    /// The policy as it would be.
    new: PathBuf,
    /// A fixture: ask as its users and roles that have OLD's (or NEW's) document attached, with
    /// the rest of that world in force, and try its buckets, objects, users and roles.
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,
    /// Ask as this user or role (a role is asked as a session of it); in a fixture, it gets OLD
    /// (then NEW) as one more inline policy unless it has one of them attached.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(args: &DiffPolicyArgs) -> Result<ExitCode, Failure> {
    let old = load(&args.old, PolicyKind::Identity)?;
    let new = load(&args.new, PolicyKind::Identity)?;
    let world = match &args.fixture {
        Some(f) => Some(iamsim::World::from_fixture(f).map_err(|e| Failure::world(&e))?),
        None => None,
    };
    let mut diff = PolicyDiff::new(&old, &new);
    if let Some(w) = &world {
        diff = diff.in_world(w);
    }
    if let Some(p) = &args.principal {
        diff = diff.principal(p);
    }
    let report = diff.run().map_err(|e| format!("--principal: {e}"))?;
    if report.truncated() {
        eprintln!("warning: stopped after {} requests: NEW may grant more than is shown", report.checked());
    }
    let groups = report.groups();
    match args.format {
        Format::Text => print_text(&report, &groups, world.is_some()),
        Format::Json => print_json(&report, &groups)?,
    }
    Ok(if report.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_text(report: &Report, groups: &[NewAccessGroup], in_world: bool) {
    for g in groups {
        if in_world {
            println!("new access for {}: {g}", g.principal.display_name());
        } else {
            println!("new access: {g}");
        }
    }
    let checked = report.checked();
    let examples = report.new_accesses().len();
    if examples == 0 {
        println!("no new access: NEW allows no request OLD denied; {checked} requests checked");
    } else {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        println!(
            "{} ({}) that NEW allows and OLD did not; {checked} requests checked",
            plural(groups.len(), "new access", "new accesses"),
            plural(examples, "example request", "example requests"),
        );
    }
}

fn print_json(report: &Report, groups: &[NewAccessGroup]) -> Result<(), Failure> {
    let items: Vec<serde_json::Value> = groups
        .iter()
        .map(|g| {
            let context: serde_json::Map<String, serde_json::Value> =
                g.context.iter().map(|(k, v)| (k.to_owned(), serde_json::json!(v))).collect();
            serde_json::json!({
                "principal": g.principal.display_name(),
                "actions": g.actions,
                "resource": g.resource.as_str(),
                "context": context,
                "new_statements": g.statements,
                "allowed_by": g.allowed_by,
                "old_outcome": g.old_outcome,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "new_access": items,
        "example_requests": report.new_accesses().len(),
        "requests_checked": report.checked(),
        "truncated": report.truncated(),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::found(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
