//! `iamsim::testing` as a test crate uses it: rstest fixtures built on its functions, tests
//! parametrised over principals with `#[values]`, and insta snapshots of the access log and of
//! decisions (in `snapshots/`).

use aws_sdk_s3::error::ProvideErrorMetadata;
use iamsim::World;
use iamsim::testing::{self, Redactions};
use rstest::{fixture, rstest};

/// The pattern the README shows: a crate's own fixture over `testing::world`.
#[fixture]
fn photos() -> World {
    testing::world("examples/fixtures/photo-sharing.yaml")
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[rstest]
#[tokio::test]
async fn every_photo_user_reads_their_own_folder_and_not_the_other(
    photos: World,
    #[values("alice", "bob")] user: &str,
) {
    let other = if user == "alice" { "bob" } else { "alice" };
    let s3 = testing::s3_client(&photos, &format!("arn:aws:iam::111111111111:user/{user}"));
    let own = s3.list_objects_v2().bucket("photos").prefix(format!("{user}/")).send().await.unwrap();
    assert_eq!(own.contents().len(), 1);
    let err = s3.list_objects_v2().bucket("photos").prefix(format!("{other}/")).send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // The log names the user; access keys differ per user, so they are redacted to a number.
    let yaml = Redactions::new().access_key_ids().access_log_yaml(&photos);
    let parsed = iamsim::fixtures::Node::parse_yaml(&yaml, "snapshot.yaml").unwrap().to_value();
    assert_eq!(parsed[1]["access_key_id"], "[access key 1]");
    snapshot!(format!("testing_photo_log_{user}"), yaml);
}

/// Every kind of principal ARN `testing::credentials` accepts signs as that principal.
#[rstest]
#[case::user("arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:user/alice")]
#[case::role("arn:aws:iam::222222222222:role/WriteAccess", "arn:aws:sts::222222222222:assumed-role/WriteAccess/iamsim")]
#[case::session(
    "arn:aws:sts::222222222222:assumed-role/WriteAccess/deploy-7",
    "arn:aws:sts::222222222222:assumed-role/WriteAccess/deploy-7"
)]
#[case::root("arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:root")]
#[tokio::test]
async fn a_principal_arn_gives_an_sdk_config_signing_as_it(#[case] principal: &str, #[case] caller: &str) {
    let world = testing::world("examples/fixtures/cross-account.yaml");
    let sts = aws_sdk_sts::Client::new(&testing::sdk_config(&world, principal));
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(caller));
    assert_eq!(world.access_log().last().unwrap().caller.as_deref(), Some(caller));
}

#[rstest]
#[should_panic(expected = "account 111111111111 has no user `nobody`")]
fn an_unknown_principal_fails_the_test_naming_it() {
    let world = testing::world("examples/fixtures/cross-account.yaml");
    let _ = testing::credentials(&world, "arn:aws:iam::111111111111:user/nobody");
}

#[rstest]
#[should_panic(expected = "no/such.yaml")]
fn a_missing_fixture_fails_the_test_naming_the_file() {
    let _ = testing::world("no/such.yaml");
}

/// Parametrised over principals: who may upload a release to Prod, asked of the engine, the
/// decisions snapshotted together.
#[rstest]
fn who_may_upload_a_release(
    #[values("arn:aws:iam::111111111111:user/alice", "arn:aws:sts::222222222222:assumed-role/WriteAccess/alice")]
    principal: &str,
) {
    let world = testing::world("examples/fixtures/cross-account.yaml");
    let who = world.principal(principal);
    let decisions = [
        who.can("s3:PutObject").on("arn:aws:s3:::prod-releases/v2.tar.gz"),
        who.can("s3:DeleteObject").on("arn:aws:s3:::prod-releases/v1.tar.gz"),
    ];
    let name = if principal.contains("assumed-role") { "write_access" } else { "alice" };
    snapshot!(format!("testing_release_decisions_{name}"), testing::decisions_yaml(&decisions));
}

/// A test's own values next to the world's: its request id and wall-clock time redacted (the
/// world's times too, as `timestamps()` says), its access key left alone, the YAML still YAML.
#[tokio::test]
async fn a_tests_own_values_are_redacted_and_the_result_is_still_yaml() {
    #[derive(serde::Serialize)]
    struct Run {
        request_id: String,
        started: String,
        log: iamsim::live::AccessLog,
    }
    let world = testing::world("examples/fixtures/group-managed-policy.yaml");
    let s3 = testing::s3_client(&world, "arn:aws:iam::111111111111:user/carol");
    s3.get_object().bucket("app-data").key("report.csv").send().await.unwrap();
    let run = Run {
        request_id: "run-5d1e0c".to_owned(),
        started: "2031-07-04T12:34:56.789+02:00".to_owned(),
        log: world.access_log(),
    };
    let yaml = Redactions::new().replace("run-5d1e0c", "[run id]").timestamps().yaml(&run);
    assert!(!yaml.contains("run-5d1e0c"));
    assert!(!yaml.contains("2031-07-04"));
    assert!(yaml.contains(world.user_credentials("111111111111", "carol").access_key_id()));
    let parsed = iamsim::fixtures::Node::parse_yaml(&yaml, "snapshot.yaml").unwrap().to_value();
    assert_eq!(parsed["request_id"], "[run id]");
    assert_eq!(parsed["log"][0]["time"], "[time]");
    snapshot!("testing_redacted_run", yaml);
}
