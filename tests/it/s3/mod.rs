//! S3 over the wire: real aws-sdk-s3 clients against a world, every request authorized by the
//! world's policies.

mod agreement;
mod agreement_policies;
mod buckets;
mod denials;
mod keys;
mod log;
mod multipart;
mod objects;
mod policy;
mod tamper;
mod wire;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;

const FIXTURE: &str = "tests/fixtures/s3.yaml";
const DEV: &str = "111111111111";
const OTHER: &str = "222222222222";

fn world() -> World {
    World::from_fixture(FIXTURE).unwrap()
}

fn client(world: &World, user: &str) -> aws_sdk_s3::Client {
    let account = if user == "mallory" { OTHER } else { DEV };
    world.s3_client(world.user_credentials(account, user))
}

/// The code and message of a failed call.
fn failure<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(result: Result<T, E>) -> (String, String) {
    let err = result.expect_err("the call should fail");
    (err.code().unwrap_or("<none>").to_owned(), err.message().unwrap_or("<none>").to_owned())
}

/// The HTTP status of a failed SDK call.
fn status<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> u16 {
    let err = result.expect_err("the call should fail");
    err.raw_response().expect("a response").status().as_u16()
}

async fn body(output: aws_sdk_s3::operation::get_object::GetObjectOutput) -> String {
    String::from_utf8(output.body.collect().await.unwrap().into_bytes().to_vec()).unwrap()
}

async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, text: &str) {
    s3.put_object().bucket(bucket).key(key).body(ByteStream::from(text.as_bytes().to_vec())).send().await.unwrap();
}
