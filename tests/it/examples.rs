//! Every seed scenario of `examples/` as a test: the same code `cargo run --example NAME` and
//! `cargo run --example tour` run (`examples/scenarios/`), real SDK clients throughout. A test
//! fails when any expectation of its scenario does not hold, naming it.

#[path = "../../examples/scenarios/mod.rs"]
mod scenarios;

use crate::report::Report;

fn held(report: Result<Report, crate::report::Error>, at_least: usize) {
    let report = report.expect("the scenario's fixture loads");
    assert!(report.checks.len() >= at_least, "{} checked only {} expectations", report.title, report.checks.len());
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn ec2_instance_role_from_imds_reads_s3_and_nothing_more() {
    held(scenarios::ec2_s3access::run().await, 6);
}

#[tokio::test]
async fn alice_assumes_prod_write_access_and_bob_cannot() {
    held(scenarios::cross_account_write::run().await, 6);
}

#[tokio::test]
async fn the_admin_role_needs_the_current_mfa_code() {
    held(scenarios::mfa_assume_role::run().await, 4);
}

#[tokio::test]
async fn trust_policies_for_a_service_a_user_an_account_and_an_account_but_one() {
    held(scenarios::trust_policies::run().await, 8);
}

#[tokio::test]
async fn photo_sharing_keeps_every_user_in_their_prefix_as_iam_user_and_via_web_identity() {
    held(scenarios::photo_sharing::run().await, 14);
}

#[tokio::test]
async fn a_federation_broker_scopes_federated_users_with_session_policies() {
    held(scenarios::federation_broker::run().await, 8);
}

#[tokio::test]
async fn a_group_managed_policy_gives_read_only_s3() {
    held(scenarios::group_policies::run().await, 5);
}

#[tokio::test]
async fn run_all_runs_the_seven_scenarios_in_the_tour() {
    let reports = scenarios::run_all().await;
    let names: Vec<&str> = reports.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "ec2_s3access",
            "cross_account_write",
            "mfa_assume_role",
            "trust_policies",
            "photo_sharing",
            "federation_broker",
            "group_policies"
        ]
    );
    // Each name is an example binary of its own.
    for name in names {
        assert!(std::path::Path::new(&format!("examples/{name}.rs")).is_file(), "no examples/{name}.rs");
    }
}
