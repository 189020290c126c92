//! Integration tests, one module per capability, in a single test binary to keep link times down.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking, helpers included"
)]

mod cli;
mod clock;
mod containers;
mod determinism;
mod diff_policy;
mod fixtures_load;
#[cfg(feature = "wiremock")]
mod guard;
mod hostile;
mod imds;
mod import;
mod interop;
mod least_privilege;
mod least_privilege_cli;
mod live;
mod properties;
mod s3;
mod serve;
mod sts;
mod sts_federation;
mod tamper;
mod tour;
mod tour_live;
mod vectors;
mod world;

// The seed scenarios' shared report, as the example binaries include it (`crate::report`).
mod examples;
#[path = "../../examples/scenarios/report.rs"]
mod report;
mod testing;

/// The credentials an STS call returned, as an SDK client takes them.
fn credentials_of(out: &aws_sdk_sts::types::Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        out.access_key_id(),
        out.secret_access_key(),
        Some(out.session_token().to_owned()),
        None,
        "iamsim-test",
    )
}
