//! The seed's central story: an application on the EC2 instance web-1 reads S3 with the role of
//! its instance profile, `s3access`. The application does what it does on AWS: aws-config's IMDS
//! credentials provider fetches the role's credentials from the instance metadata service, and
//! aws-sdk-s3 signs with them.

use crate::report::{Error, Report, outcome};

/// Runs the scenario on `examples/fixtures/ec2-s3access.yaml`.
pub(crate) async fn run() -> Result<Report, Error> {
    let world = iamsim::World::from_yaml(include_str!("../fixtures/ec2-s3access.yaml"))?;
    let mut report = Report::new("EC2: the instance role s3access, from IMDS, reads S3");
    let web = world.instance("web-1");

    // What the SDK does on the instance: the IMDS provider (token first, then the role's
    // credentials), nothing configured by hand.
    let credentials = aws_credential_types::provider::SharedCredentialsProvider::new(web.credentials_provider());
    let sts = world.sts_client(credentials.clone());
    let me = outcome(sts.get_caller_identity().send().await, |me| me.arn().unwrap_or_default().to_owned());
    let expected = format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id());
    report.fact(
        "The IMDS credentials are a session of s3access named after the instance",
        &format!("{me:?}"),
        me.as_deref() == Ok(expected.as_str()),
    );

    let s3 = world.s3_client(credentials);
    let read = s3.get_object().bucket("app-data").key("report.csv").send().await;
    let read = match read {
        Ok(object) => match object.body.collect().await {
            Ok(data) => Ok(format!("{:?}", String::from_utf8_lossy(&data.into_bytes()))),
            Err(e) => Err(("body".to_owned(), e.to_string())),
        },
        Err(e) => outcome(Err::<(), _>(e), |_| String::new()),
    };
    report.allowed("It reads s3://app-data/report.csv", &read);
    let listed = outcome(s3.list_objects_v2().bucket("app-data").send().await, |out| {
        format!("{:?}", out.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>())
    });
    report.allowed("It lists s3://app-data", &listed);
    let overwrite = s3
        .put_object()
        .bucket("app-data")
        .key("report.csv")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"tampered"))
        .send()
        .await;
    report.denied(
        "It may not overwrite the report (the policy grants reads only)",
        "AccessDenied",
        &outcome(overwrite, |_| "stored".to_owned()),
    );
    let delete = s3.delete_object().bucket("app-data").key("report.csv").send().await;
    report.denied("It may not delete it", "AccessDenied", &outcome(delete, |_| "deleted".to_owned()));
    let again =
        sts.assume_role().role_arn("arn:aws:iam::111111111111:role/s3access").role_session_name("again").send().await;
    report.denied(
        "It may not assume s3access itself: the trust policy names only ec2.amazonaws.com",
        "AccessDenied",
        &outcome(again, |_| "a session".to_owned()),
    );
    Ok(report)
}
