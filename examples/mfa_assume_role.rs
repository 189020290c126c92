//! The MFA-protected assume-role script: the admin role needs a code from the user's device.
//! See `examples/scenarios/mfa_assume_role.rs` for the whole story.
//!
//! ```text
//! cargo run --example mfa_assume_role
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/mfa_assume_role.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
