//! A federation broker hands out GetFederationToken credentials scoped by a session policy.
//! See `examples/scenarios/federation_broker.rs` for the whole story.
//!
//! ```text
//! cargo run --example federation_broker
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/federation_broker.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
