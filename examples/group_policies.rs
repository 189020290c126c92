//! Groups with managed policies: a developer reads S3 through her group's AmazonS3ReadOnlyAccess.
//! See `examples/scenarios/group_policies.rs` for the whole story.
//!
//! ```text
//! cargo run --example group_policies
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/group_policies.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
