//! The photo-sharing app: per-user prefixes with policy variables, for IAM users and via web identity.
//! See `examples/scenarios/photo_sharing.rs` for the whole story.
//!
//! ```text
//! cargo run --example photo_sharing
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/photo_sharing.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
