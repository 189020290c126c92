//! Trust policies: a service principal, a user ARN, the account root, and a Deny for one user.
//! See `examples/scenarios/trust_policies.rs` for the whole story.
//!
//! ```text
//! cargo run --example trust_policies
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/trust_policies.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
