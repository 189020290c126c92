//! The `iamsim` command: run IAM decision vectors, evaluate one request against policy files, and
//! import a real account's IAM as a fixture.
//!
//! ```text
//! iamsim vectors FILE...
//! iamsim eval --policy FILE... --principal ARN --action A --resource ARN [--context KEY=VALUE]...
//!             [--boundary FILE] [--session-policy FILE]... [--scp FILE[,FILE]...]...
//!             [--rcp FILE[,FILE]...]... [--resource-policy FILE] [--resource-account ID] [--tag KEY=VALUE]...
//! iamsim eval --fixture FILE --principal ARN --action A --resource ARN [--context KEY=VALUE]...
//!             [--session-policy FILE]...
//! iamsim validate FILE...
//! iamsim import authz-details FILE...
//! iamsim serve [--fixture FILE] [--host ADDR] [--port N] [--as ARN] [--log FILE]
//! iamsim diff-policy OLD NEW [--fixture FILE] [--principal ARN] [--format text|json]
//! iamsim least-privilege --fixture FILE [--principal ARN]... [--minimal] [--format text|json|markdown]
//!                        [--allow FILE] LOG_OR_DIR...
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod diff_policy;
mod least_privilege;
mod serve;
use iamsim::WorldError;
use iamsim::fixtures::{ImportErrorKind, MAX_FILE_BYTES, from_authorization_details_many};
use iamsim::policy::{PolicyKind, Severity};
use iamsim::vectors::VectorFile;
use iamsim::{AccountId, Action, AuthzRequest, Context, Policy, PolicySet, Principal, Resource, Tags, evaluate};

/// Prove AWS permissions offline: IAM policy evaluation as AWS does it.
#[derive(Parser)]
#[command(name = "iamsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs IAM decision test vectors (format `iam-eval-vectors/1`). Prints every failing
    /// vector, then `N passed, M failed`; exits 1 when any failed.
    Vectors {
        /// Vector files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Evaluates one request against policy files, or against a whole world (`--fixture`).
    /// Prints `allow`, `explicit_deny` or `implicit_deny` on the first line, then AWS's message
    /// and the statements that applied.
    Eval(Box<EvalArgs>),
    /// Validates fixture files as AWS validates the same resources. Prints every error as
    /// `FILE:LINE:COL: PATH: message` (warnings too, marked `warning:`) and exits 1 on any
    /// error, 2 when a fixture cannot be read or parsed; otherwise prints a one-line summary and
    /// exits 0.
    Validate {
        /// Fixture files (YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Runs a world on a loopback port for any AWS client (AWS CLI, boto3, SDKs). Prints the
    /// `export AWS_…=…` lines that point a shell at it (`eval "$(iamsim serve … &)"`), then
    /// one line per request on stderr. Stops with status 0 on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Turns AWS output into a fixture.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Checks that a changed identity policy grants no new access: prints each request NEW
    /// allows that OLD did not (`new access: ACTION on RESOURCE [with KEY=VALUE] (NEW statement
    /// N; OLD: implicit_deny)`, statements numbered from 0), then a summary line. Exits 1 when
    /// NEW grants anything OLD did not, 0 when not, 2 when a policy file cannot be read or
    /// parsed.
    DiffPolicy(diff_policy::DiffPolicyArgs),
    /// The least-privilege gate: reads access logs (JSON lines, as worlds record them under
    /// `target/iamsim/BINARY/TEST.jsonl`; directories are searched for `*.jsonl`) and prints
    /// each grant no logged request used (`unused: PRINCIPAL ACTION on RESOURCE (POLICY,
    /// statement N)`, statements numbered from 0; a principal with no logged request gets one
    /// `no requests recorded: PRINCIPAL (N grants unused)` line), then a summary line. Exits 1
    /// when a grant is unused and not allowed (`--allow`), 0 when not, 2 when a file cannot
    /// be read or parsed.
    LeastPrivilege(least_privilege::LeastPrivilegeArgs),
}

#[derive(Subcommand)]
enum ImportSource {
    /// Converts the JSON of `aws iam get-account-authorization-details` (one file per account,
    /// `-` for stdin) into a YAML fixture on stdout. Prints `warning: FILE: …` on stderr for what
    /// was dropped or adjusted; exits 2 on unreadable input or text that does not decode (the
    /// dump's JSON, a policy document in it), 1 on a dump it cannot convert.
    AuthzDetails {
        /// Dump files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct EvalArgs {
    /// A fixture file: the principal, its policies, the resource's policy and the organization
    /// all come from that world (questions carry `aws:SecureTransport=true`, as the harness's do).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["policies", "tags", "boundary", "scps", "rcps", "resource_policy", "resource_account"])]
    fixture: Option<PathBuf>,
    /// Identity-based policy files of the principal (user, its groups, or the role):
    /// `--policy a.json b.json` or `--policy a.json --policy b.json`.
    #[arg(long = "policy", value_name = "FILE", num_args = 1..)]
    policies: Vec<PathBuf>,
    /// `anonymous`, a service principal, or the ARN of a user, role session, or account root.
    #[arg(long, value_name = "ARN")]
    principal: String,
    /// The action, for example `s3:GetObject`.
    #[arg(long, value_name = "ACTION")]
    action: String,
    /// The resource ARN, or `*`.
    #[arg(long, value_name = "ARN")]
    resource: String,
    /// A request context key and value; repeat a key for several values.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = key_value)]
    context: Vec<(String, String)>,
    /// A tag of the principal.
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = key_value)]
    tags: Vec<(String, String)>,
    /// The permissions boundary policy file.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// Session policy files.
    #[arg(long = "session-policy", value_name = "FILE", num_args = 1..)]
    session_policies: Vec<PathBuf>,
    /// One level of SCPs (root first, then each OU, then the account): comma-separated files.
    #[arg(long = "scp", value_name = "FILE[,FILE]")]
    scps: Vec<String>,
    /// One level of RCPs for the resource's account: comma-separated files.
    #[arg(long = "rcp", value_name = "FILE[,FILE]")]
    rcps: Vec<String>,
    /// The resource-based policy file (bucket policy, or the role's trust policy).
    #[arg(long = "resource-policy", value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// The account that owns the resource, when it is not in the resource ARN.
    #[arg(long = "resource-account", value_name = "ID")]
    resource_account: Option<String>,
}

/// The port `iamsim serve` listens on unless told otherwise.
const DEFAULT_SERVE_PORT: u16 = 4599;

#[derive(clap::Args)]
struct ServeArgs {
    /// The world: a fixture file (default: the built-in seed world).
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// The port (0: any free one).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SERVE_PORT)]
    port: u16,
    /// Whose credentials to print: a user ARN (its first key), a role ARN (a fresh session of
    /// it) or an account root ARN. Default: the first user of the world that has a key.
    #[arg(long = "as", value_name = "ARN")]
    principal: Option<String>,
    /// Appends the access log to this file as JSON lines.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Also serves the metadata service of this EC2 instance of the world (fixture name or
    /// instance id) on a port of its own, and prints `export AWS_EC2_METADATA_SERVICE_ENDPOINT=…`.
    #[arg(long, value_name = "ID")]
    instance: Option<String>,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or_else(|| format!("`{text}` is not KEY=VALUE"))
}

/// Why a command stopped, with its exit status: 2 when an input could not be read or parsed, or
/// an argument is wrong (as clap's usage errors); 1 when the command ran and found problems (an
/// invalid fixture, a dump it cannot convert) or could not do its work (a port it cannot
/// listen on).
struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    /// The command ran and found problems: status 1.
    fn found(message: impl Into<String>) -> Failure {
        Failure { status: 1, message: message.into() }
    }

    /// A fixture that could not be loaded: 2 if it could not be read or parsed, 1 if it was
    /// read into something invalid.
    fn world(e: &WorldError) -> Failure {
        Failure { status: if e.is_unreadable() { 2 } else { 1 }, message: e.to_string() }
    }
}

/// Input that could not be read or parsed, or a wrong argument: status 2.
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { status: 2, message }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Vectors { files } => vectors(&files),
        Command::Eval(args) => match &args.fixture {
            Some(fixture) => eval_in_world(fixture, &args),
            None => eval(&args),
        },
        Command::Validate { files } => validate(&files),
        Command::Import { source: ImportSource::AuthzDetails { files } } => import_authz_details(&files),
        Command::Serve(args) => serve::run(&args),
        Command::DiffPolicy(args) => diff_policy::run(&args),
        Command::LeastPrivilege(args) => least_privilege::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(Failure { status, message }) => {
            eprintln!("error: {message}");
            ExitCode::from(status)
        }
    }
}

/// Reads an input file as the fixture loader does: a regular file of at most 16 MiB, so that
/// `/dev/zero` or a named pipe is an error, not a hang.
fn read(path: &Path) -> Result<String, String> {
    iamsim::fixtures::read_text(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn vectors(files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let (mut passed, mut failed) = (0usize, 0usize);
    for path in files {
        let file = VectorFile::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        for result in file.run() {
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
                println!("{result}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Reads a policy file and reports what AWS would reject or warn about, on stderr.
fn load(path: &Path, kind: PolicyKind) -> Result<Policy, String> {
    let policy = Policy::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    for finding in policy.validate(kind) {
        let label = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        eprintln!("{label}: {}: {finding}", path.display());
    }
    Ok(policy.named(path.display().to_string()))
}

fn level(list: &str, kind: PolicyKind) -> Result<Vec<Policy>, String> {
    list.split(',').filter(|f| !f.is_empty()).map(|f| load(Path::new(f), kind)).collect()
}

fn eval(args: &EvalArgs) -> Result<ExitCode, Failure> {
    let tags: Tags = args.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let principal = Principal::parse(&args.principal).map_err(|e| format!("--principal: {e}"))?.with_tags(tags);
    let action = Action::new(&args.action).map_err(|e| format!("--action: {e}"))?;
    let resource = Resource::parse(&args.resource).map_err(|e| format!("--resource: {e}"))?;
    let mut context = Context::new();
    for (k, v) in &args.context {
        context.insert(k, v.as_str());
    }
    let mut request = AuthzRequest::new(principal, action, resource).with_context(context);
    if let Some(acct) = &args.resource_account {
        request = request.with_resource_account(AccountId::new(acct).map_err(|e| format!("--resource-account: {e}"))?);
    }

    let mut set = PolicySet::new();
    for p in &args.policies {
        set = set.identity(load(p, PolicyKind::Identity)?);
    }
    if let Some(p) = &args.boundary {
        set = set.boundary(load(p, PolicyKind::PermissionsBoundary)?);
    }
    for p in &args.session_policies {
        set = set.session_policy(load(p, PolicyKind::Session)?);
    }
    if let Some(p) = &args.resource_policy {
        let is_role =
            request.resource().arn().is_some_and(|a| a.service() == "iam" && a.resource().starts_with("role/"));
        set = set.resource_policy(load(p, if is_role { PolicyKind::Trust } else { PolicyKind::Resource })?);
    }
    for l in &args.scps {
        set = set.scp_level(level(l, PolicyKind::ServiceControl)?);
    }
    for l in &args.rcps {
        set = set.rcp_level(level(l, PolicyKind::ResourceControl)?);
    }

    let decision = evaluate(&request, &set);
    println!("{}", decision.outcome());
    println!("{decision:#}");
    Ok(ExitCode::SUCCESS)
}

fn eval_in_world(fixture: &Path, args: &EvalArgs) -> Result<ExitCode, Failure> {
    let world = iamsim::World::from_fixture(fixture).map_err(|e| Failure::world(&e))?;
    let mut caller = world.caller_for(&args.principal).map_err(|e| format!("--principal: {e}"))?;
    let action = Action::new(&args.action).map_err(|e| format!("--action: {e}"))?;
    let resource = Resource::parse(&args.resource).map_err(|e| format!("--resource: {e}"))?;
    if !args.session_policies.is_empty() {
        let iamsim::model::Caller::RoleSession { session, .. } = &mut caller else {
            return Err("--session-policy: only role sessions have session policies".to_owned().into());
        };
        for p in &args.session_policies {
            session.policies.push(std::sync::Arc::new(load(p, PolicyKind::Session)?));
        }
    }
    let mut context = Context::new().with("aws:SecureTransport", "true");
    let mut given: Vec<String> = Vec::new();
    for (k, v) in &args.context {
        if given.contains(&k.to_lowercase()) {
            context.insert(k, v.as_str());
        } else {
            context.set(k, [v.as_str()]);
            given.push(k.to_lowercase());
        }
    }
    let decision = world.authorize(&caller, &action, &resource, &context).map_err(|e| e.to_string())?;
    println!("{}", decision.outcome());
    println!("{decision:#}");
    Ok(ExitCode::SUCCESS)
}

fn validate(files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let (mut failed, mut unreadable, mut warnings) = (0usize, false, 0usize);
    let mut totals = [0usize; 7];
    for path in files {
        match iamsim::World::from_fixture(path) {
            Ok(world) => {
                for w in world.warnings() {
                    println!("{w}");
                }
                warnings += world.warnings().len();
                let m = world.model();
                for a in m.accounts() {
                    totals[1] += a.users.len();
                    totals[2] += a.groups.len();
                    totals[3] += a.roles.len();
                    totals[4] += a.policies.len();
                    totals[0] += 1;
                }
                totals[5] += m.buckets().count();
                totals[6] += m.instances().count();
            }
            Err(e) => {
                failed += 1;
                unreadable |= e.is_unreadable();
                for problem in e.problems() {
                    println!("{problem}");
                }
            }
        }
    }
    // A fixture that could not be read or parsed weighs more than one that is invalid.
    if unreadable {
        return Ok(ExitCode::from(2));
    }
    if failed > 0 {
        return Ok(ExitCode::from(1));
    }
    let [accounts, users, groups, roles, policies, buckets, instances] = totals;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    println!(
        "{} valid: {}, {}, {}, {}, {}, {}, {}, {}",
        plural(files.len(), "fixture"),
        plural(accounts, "account"),
        plural(users, "user"),
        plural(groups, "group"),
        plural(roles, "role"),
        plural(policies, "managed policy").replace("policys", "policies"),
        plural(buckets, "bucket"),
        plural(instances, "instance"),
        plural(warnings, "warning"),
    );
    Ok(ExitCode::SUCCESS)
}

fn import_authz_details(files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let label = |i: usize| match files.get(i) {
        Some(f) if f.as_os_str() == "-" => "stdin".to_owned(),
        Some(f) => f.display().to_string(),
        None => String::new(),
    };
    let mut texts = Vec::with_capacity(files.len());
    for path in files {
        texts.push(if path.as_os_str() == "-" { read_stdin()? } else { read(path)? });
    }
    let dumps: Vec<&str> = texts.iter().map(String::as_str).collect();
    let outcome = from_authorization_details_many(&dumps).map_err(|e| {
        let message = format!("{}: {e}", label(e.input));
        // Text that does not decode — the dump, or a policy document in it — could not be
        // parsed; a dump that decodes but cannot be turned into a fixture (a value of the wrong
        // type, no account) is a problem the command found.
        let undecodable = matches!(
            e.kind,
            ImportErrorKind::NoInput
                | ImportErrorKind::Json(_)
                | ImportErrorKind::UrlEncoded(_)
                | ImportErrorKind::JsonText(_)
                | ImportErrorKind::Policy(_)
        );
        if undecodable { Failure::from(message) } else { Failure::found(message) }
    })?;
    for warning in &outcome.warnings {
        eprintln!("warning: {}: {warning}", label(warning.input));
    }
    let yaml = serde_saphyr::to_string(&outcome.fixture)
        .map_err(|e| Failure::found(format!("cannot write the fixture: {e}")))?;
    print!("{yaml}");
    Ok(ExitCode::SUCCESS)
}

/// Standard input, bounded like a file: at most 16 MiB.
fn read_stdin() -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin().take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("stdin: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("stdin: larger than the 16 MiB ({MAX_FILE_BYTES} bytes) an input may have"));
    }
    String::from_utf8(bytes).map_err(|_| "stdin: not UTF-8 text".to_owned())
}
