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
mod diff_policy;
mod fixtures_load;
mod hostile;
mod imds;
mod import;
mod interop;
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
