//! What a scenario proves: one line per expectation, checked against what a real SDK client got
//! back from the world. Shared by every example binary, by `examples/tour.rs` and by
//! `tests/it/examples.rs`, so that `cargo run --example NAME` and `cargo test` run the same code.

#![allow(dead_code, reason = "each example binary uses only part of the shared report")]

use std::fmt;
use std::process::ExitCode;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The outcome of one scenario.
#[derive(Debug)]
pub(crate) struct Report {
    /// The scenario's title.
    pub(crate) title: &'static str,
    /// Every expectation, in the order checked.
    pub(crate) checks: Vec<Check>,
}

/// One expectation and what happened.
#[derive(Debug)]
pub(crate) struct Check {
    /// What was expected, as a sentence.
    pub(crate) claim: String,
    /// What the SDK client saw: `allowed …` or the AWS error code and message.
    pub(crate) observed: String,
    /// Whether the observation matched the claim.
    pub(crate) held: bool,
}

/// The result of one SDK call, reduced to what a scenario checks: the success's summary, or the
/// AWS error code and message.
pub(crate) type Outcome = Result<String, (String, String)>;

/// Reduces an SDK call's result to an [`Outcome`], summarising a success with `summary`.
pub(crate) fn outcome<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    summary: impl FnOnce(&T) -> String,
) -> Outcome
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    match result {
        Ok(value) => Ok(summary(&value)),
        Err(e) => {
            Err((e.code().unwrap_or("error").to_owned(), e.message().map_or_else(|| format!("{e:?}"), str::to_owned)))
        }
    }
}

impl Report {
    /// An empty report; prints the title.
    pub(crate) fn new(title: &'static str) -> Report {
        println!("== {title}");
        Report { title, checks: Vec::new() }
    }

    /// Checks that a call succeeded; prints the claim and the outcome.
    pub(crate) fn allowed(&mut self, claim: &str, outcome: &Outcome) {
        self.record(claim, outcome, None);
    }

    /// Checks that a call failed with this AWS error code; prints the claim and the outcome.
    pub(crate) fn denied(&mut self, claim: &str, code: &str, outcome: &Outcome) {
        self.record(claim, outcome, Some(code));
    }

    /// Checks any other fact: `held` is whether it holds, `observed` what was seen.
    pub(crate) fn fact(&mut self, claim: &str, observed: &str, held: bool) {
        self.push(claim, observed.to_owned(), held);
    }

    fn record(&mut self, claim: &str, outcome: &Outcome, refusal: Option<&str>) {
        let (observed, held) = match (outcome, refusal) {
            (Ok(what), None) => (format!("allowed: {what}"), true),
            (Ok(what), Some(_)) => (format!("allowed: {what}"), false),
            (Err((code, message)), expected) => (format!("{code}: {message}"), expected == Some(code.as_str())),
        };
        self.push(claim, observed, held);
    }

    fn push(&mut self, claim: &str, observed: String, held: bool) {
        println!("{claim}");
        println!("  => {observed}");
        if !held {
            println!("  !! not as expected");
        }
        self.checks.push(Check { claim: claim.to_owned(), observed, held });
    }

    /// Whether every expectation held (and there was at least one).
    pub(crate) fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.held)
    }

    /// The expectations that did not hold.
    pub(crate) fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.held)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.checks.iter().filter(|c| c.held).count();
        writeln!(f, "{}: {held} of {} expectations held", self.title, self.checks.len())?;
        for c in self.failures() {
            writeln!(f, "  failed: {} (observed {})", c.claim, c.observed)?;
        }
        Ok(())
    }
}

/// SDK credentials from the credentials an STS response carries.
pub(crate) fn session_credentials(c: &aws_sdk_sts::types::Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "sts",
    )
}

/// The error a scenario returns when it cannot even start (a fixture that does not load).
pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

/// `main` of a one-scenario example: runs it on a current-thread runtime, prints the summary,
/// exits 1 when an expectation failed and 2 when the scenario could not run.
pub(crate) fn main<F: std::future::Future<Output = Result<Report, Error>>>(scenario: impl FnOnce() -> F) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(scenario()) {
        Ok(report) => {
            println!();
            print!("{report}");
            if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
