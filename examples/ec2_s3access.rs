//! An application on EC2 reads S3 with its instance role, credentials from the instance
//! metadata service through aws-config's IMDS provider.
//!
//! ```text
//! cargo run --example ec2_s3access
//! ```

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/ec2_s3access.rs"]
mod scenario;

fn main() -> std::process::ExitCode {
    report::main(scenario::run)
}
