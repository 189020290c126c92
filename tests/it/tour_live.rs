//! The tour's seed scenarios against live S3: real aws-sdk-s3 clients (credentials from the
//! world's STS) on the fixture worlds of `examples/fixtures/`, every request authorized by the
//! same engine the questions of `tour.rs` ask. `examples/tour.rs` makes the same calls.

use aws_credential_types::Credentials;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;

const DEV: &str = "111111111111";

fn seed(name: &str) -> World {
    World::from_fixture(format!("examples/fixtures/{name}.yaml")).unwrap()
}

/// The code and message of a failed call.
fn denial<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(result: Result<T, E>) -> (String, String) {
    let err = result.expect_err("the call should be refused");
    (err.code().unwrap_or("<none>").to_owned(), err.message().unwrap_or("<none>").to_owned())
}

async fn read(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    let object = s3.get_object().bucket(bucket).key(key).send().await.unwrap();
    String::from_utf8(object.body.collect().await.unwrap().into_bytes().to_vec()).unwrap()
}

mod photo_sharing {
    use super::*;

    fn user(world: &World, name: &str) -> aws_sdk_s3::Client {
        world.s3_client(world.user_credentials(DEV, name))
    }

    #[tokio::test]
    async fn each_user_reads_writes_and_lists_only_their_own_prefix() {
        let world = seed("photo-sharing");
        let alice = user(&world, "alice");
        assert_eq!(read(&alice, "photos", "alice/beach.jpg").await, "(a beach)");
        alice
            .put_object()
            .bucket("photos")
            .key("alice/sunset.jpg")
            .body(ByteStream::from_static(b"(a sunset)"))
            .send()
            .await
            .unwrap();
        let listed = alice.list_objects_v2().bucket("photos").prefix("alice/").send().await.unwrap();
        let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["alice/beach.jpg", "alice/sunset.jpg"]);

        let bob = user(&world, "bob");
        assert_eq!(read(&bob, "photos", "bob/cat.jpg").await, "(a cat)");
        bob.delete_object().bucket("photos").key("bob/cat.jpg").send().await.unwrap();
        let listed = bob.list_objects_v2().bucket("photos").prefix("bob/").send().await.unwrap();
        assert_eq!(listed.key_count(), Some(0));
    }

    #[tokio::test]
    async fn a_user_cannot_reach_another_users_photos() {
        let world = seed("photo-sharing");
        let alice = user(&world, "alice");
        assert_eq!(
            denial(alice.get_object().bucket("photos").key("bob/cat.jpg").send().await),
            (
                "AccessDenied".to_owned(),
                "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: \
                 \"arn:aws:s3:::photos/bob/cat.jpg\" because no identity-based policy allows the s3:GetObject action"
                    .to_owned()
            )
        );
        let overwrite =
            alice.put_object().bucket("photos").key("bob/cat.jpg").body(ByteStream::from_static(b"(a dog)")).send();
        assert_eq!(denial(overwrite.await).0, "AccessDenied");
        assert_eq!(denial(alice.delete_object().bucket("photos").key("bob/cat.jpg").send().await).0, "AccessDenied");
        // Bob's photo is untouched.
        assert_eq!(read(&user(&world, "bob"), "photos", "bob/cat.jpg").await, "(a cat)");
    }

    #[tokio::test]
    async fn listing_needs_the_users_own_prefix() {
        let world = seed("photo-sharing");
        let alice = user(&world, "alice");
        for prefix in [Some("bob/"), None, Some("")] {
            let (code, message) =
                denial(alice.list_objects_v2().bucket("photos").set_prefix(prefix.map(str::to_owned)).send().await);
            assert_eq!(code, "AccessDenied", "prefix {prefix:?}");
            assert_eq!(
                message,
                "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:ListBucket on resource: \
                 \"arn:aws:s3:::photos\" because no identity-based policy allows the s3:ListBucket action",
                "prefix {prefix:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_missing_photo_under_the_users_prefix_is_access_denied_without_list_permission_for_that_prefix() {
        // GetObject on a key that does not exist answers NoSuchKey only to a caller who may
        // list the bucket; alice's s3:ListBucket is limited to requests with `s3:prefix`, and a
        // GetObject carries none, so S3 hides whether the key exists.
        let world = seed("photo-sharing");
        let (code, _) = denial(user(&world, "alice").get_object().bucket("photos").key("alice/nope.jpg").send().await);
        assert_eq!(code, "AccessDenied");
    }
}

mod cross_account {
    use super::*;

    const PROD: &str = "222222222222";
    const WRITE_ACCESS: &str = "arn:aws:iam::222222222222:role/WriteAccess";

    /// An S3 client for a session of Prod's WriteAccess role that `user` of Dev assumed through
    /// the world's STS.
    async fn assume_write_access(world: &World, user: &str) -> Result<aws_sdk_s3::Client, (String, String)> {
        let sts = world.sts_client(world.user_credentials(DEV, user));
        let out = sts.assume_role().role_arn(WRITE_ACCESS).role_session_name(user).send().await.map_err(|e| {
            use aws_sdk_sts::error::ProvideErrorMetadata as _;
            (e.code().unwrap_or("<none>").to_owned(), e.message().unwrap_or("<none>").to_owned())
        })?;
        let c = out.credentials.unwrap();
        let credentials =
            Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token), None, "AssumeRole");
        Ok(world.s3_client(credentials))
    }

    #[tokio::test]
    async fn dev_ships_a_release_to_prod_through_the_assumed_role() {
        let world = seed("cross-account");
        let prod = assume_write_access(&world, "alice").await.unwrap();
        let put = prod
            .put_object()
            .bucket("prod-releases")
            .key("v1.2.3/app.tar.gz")
            .body(ByteStream::from_static(b"release bits"))
            .send()
            .await
            .unwrap();
        assert!(put.e_tag().is_some());
        assert_eq!(read(&prod, "prod-releases", "v1.2.3/app.tar.gz").await, "release bits");
        // The log shows who wrote it: the role session, in Prod's account.
        let log = world.access_log();
        let entry = log.entries().iter().rev().find(|e| e.operation == "PutObject").unwrap();
        assert_eq!(entry.caller.as_deref(), Some("arn:aws:sts::222222222222:assumed-role/WriteAccess/alice"));
        assert_eq!(entry.status, 200);
    }

    #[tokio::test]
    async fn the_role_may_write_releases_but_not_delete_them() {
        let world = seed("cross-account");
        let prod = assume_write_access(&world, "alice").await.unwrap();
        prod.put_object().bucket("prod-releases").key("v1").body(ByteStream::from_static(b"1")).send().await.unwrap();
        let (code, message) = denial(prod.delete_object().bucket("prod-releases").key("v1").send().await);
        assert_eq!(code, "AccessDenied");
        assert_eq!(
            message,
            "User: arn:aws:sts::222222222222:assumed-role/WriteAccess/alice is not authorized to perform: \
             s3:DeleteObject on resource: \"arn:aws:s3:::prod-releases/v1\" because no identity-based policy allows \
             the s3:DeleteObject action"
        );
    }

    #[tokio::test]
    async fn another_dev_user_can_neither_assume_the_role_nor_write_directly() {
        let world = seed("cross-account");
        let (code, message) = assume_write_access(&world, "bob").await.map(|_| ()).unwrap_err();
        assert_eq!(code, "AccessDenied");
        assert!(
            message
                .starts_with("User: arn:aws:iam::111111111111:user/bob is not authorized to perform: sts:AssumeRole")
        );

        let bob = world.s3_client(world.user_credentials(DEV, "bob"));
        let direct = bob.put_object().bucket("prod-releases").key("evil").body(ByteStream::from_static(b"x")).send();
        assert_eq!(denial(direct.await).0, "AccessDenied");
        // Alice's own Dev credentials do not reach Prod's bucket either: only the role does.
        let alice = world.s3_client(world.user_credentials(DEV, "alice"));
        let direct = alice.put_object().bucket("prod-releases").key("evil").body(ByteStream::from_static(b"x")).send();
        assert_eq!(denial(direct.await).0, "AccessDenied");
        // Nothing was written.
        let prod_root = world.s3_client(world.root_credentials(PROD));
        let listed = prod_root.list_objects_v2().bucket("prod-releases").send().await.unwrap();
        assert_eq!(listed.key_count(), Some(0));
    }
}

mod ec2_role {
    use super::*;

    /// The instance's role session, issued by the world's STS as EC2 would obtain it for the
    /// instance `web-1` (IMDS will hand these out later).
    fn instance_credentials(world: &World) -> Credentials {
        world.role_session_credentials(DEV, "s3access", "i-web-1")
    }

    #[tokio::test]
    async fn the_instance_role_reads_and_lists_its_bucket() {
        let world = seed("ec2-s3access");
        let credentials = instance_credentials(&world);
        let me = world.sts_client(credentials.clone()).get_caller_identity().send().await.unwrap();
        assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/s3access/i-web-1"));

        let s3 = world.s3_client(credentials);
        assert_eq!(read(&s3, "app-data", "report.csv").await, "day,visits\nmon,12\n");
        let listed = s3.list_objects_v2().bucket("app-data").send().await.unwrap();
        let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["report.csv"]);
    }

    #[tokio::test]
    async fn the_instance_role_cannot_write_its_bucket_or_list_the_account() {
        let world = seed("ec2-s3access");
        let s3 = world.s3_client(instance_credentials(&world));
        let overwrite =
            s3.put_object().bucket("app-data").key("report.csv").body(ByteStream::from_static(b"tampered")).send();
        let (code, message) = denial(overwrite.await);
        assert_eq!(code, "AccessDenied");
        assert_eq!(
            message,
            "User: arn:aws:sts::111111111111:assumed-role/s3access/i-web-1 is not authorized to perform: \
             s3:PutObject on resource: \"arn:aws:s3:::app-data/report.csv\" because no identity-based policy allows \
             the s3:PutObject action"
        );
        assert_eq!(denial(s3.list_buckets().send().await).0, "AccessDenied");
        assert_eq!(read(&s3, "app-data", "report.csv").await, "day,visits\nmon,12\n");
    }
}
