//! The seed scenarios, one module each, every one a story told with real SDK clients against a
//! fixture world. Each has an example binary of its own (`cargo run --example NAME`), runs in the
//! tour (`cargo run --example tour`) and is a test (`tests/it/examples.rs`).
//!
//! The crate that includes this module must include `report.rs` as its module `report`.

pub(crate) mod cross_account_write;
pub(crate) mod ec2_s3access;
pub(crate) mod federation_broker;
pub(crate) mod group_policies;
pub(crate) mod mfa_assume_role;
pub(crate) mod photo_sharing;
pub(crate) mod trust_policies;

use crate::report::{Error, Report};

/// Runs every scenario in turn, by example name.
pub(crate) async fn run_all() -> Vec<(&'static str, Result<Report, Error>)> {
    vec![
        ("ec2_s3access", ec2_s3access::run().await),
        ("cross_account_write", cross_account_write::run().await),
        ("mfa_assume_role", mfa_assume_role::run().await),
        ("trust_policies", trust_policies::run().await),
        ("photo_sharing", photo_sharing::run().await),
        ("federation_broker", federation_broker::run().await),
        ("group_policies", group_policies::run().await),
    ]
}
