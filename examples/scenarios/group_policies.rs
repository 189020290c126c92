//! Groups with managed policies: Carol belongs to `developers`, whose AWS managed policy
//! `AmazonS3ReadOnlyAccess` is her only source of permissions. She reads and lists every bucket
//! and may change nothing.

use aws_sdk_s3::primitives::ByteStream;

use crate::report::{Error, Report, outcome};

/// Runs the scenario on `examples/fixtures/group-managed-policy.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/group-managed-policy.yaml"))?;
    let mut report = Report::new("Groups: developers read S3 through AmazonS3ReadOnlyAccess");
    let carol = world.s3_client(world.user_credentials("111111111111", "carol"));

    let buckets = carol.list_buckets().send().await;
    report.allowed(
        "Carol lists the buckets (s3:ListAllMyBuckets)",
        &outcome(buckets, |out| format!("{:?}", out.buckets().iter().filter_map(|b| b.name()).collect::<Vec<_>>())),
    );
    let get = carol.get_object().bucket("app-data").key("report.csv").send().await;
    report.allowed(
        "She reads s3://app-data/report.csv",
        &outcome(get, |out| format!("{} bytes", out.content_length().unwrap_or_default())),
    );
    let put = carol.put_object().bucket("app-data").key("report.csv").body(ByteStream::from_static(b"edited"));
    report.denied("She may not overwrite it", "AccessDenied", &outcome(put.send().await, |_| "stored".to_owned()));
    let delete = carol.delete_object().bucket("app-data").key("report.csv").send().await;
    report.denied("Nor delete it", "AccessDenied", &outcome(delete, |_| "deleted".to_owned()));
    let me = outcome(
        world.sts_client(world.user_credentials("111111111111", "carol")).get_caller_identity().send().await,
        |me| me.arn().unwrap_or_default().to_owned(),
    );
    report.fact(
        "She signs as herself",
        &format!("{me:?}"),
        me.as_deref() == Ok("arn:aws:iam::111111111111:user/carol"),
    );
    Ok(report)
}
