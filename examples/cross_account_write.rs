//! Dev to Prod: Alice assumes Prod's WriteAccess role with aws-config's AssumeRoleProvider and ships a release.
//! See `examples/scenarios/cross_account_write.rs` for the whole story.
//!
//! ```text
//! cargo run --example cross_account_write
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/cross_account_write.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
