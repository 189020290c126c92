//! Memory of live worlds: 1,000 seed worlds alive at once must each hold well under 1 MiB, and
//! so must 1,000 worlds that have served real SDK requests (a session issued, an object written
//! and read, their access log).
//!
//! A separate test binary, because it installs a counting global allocator; one test, because
//! the allocator counts every thread's allocations. It measures bytes (deterministic for a given
//! build), not time.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SEEDS: [&str; 6] = [
    include_str!("../examples/fixtures/ec2-s3access.yaml"),
    include_str!("../examples/fixtures/cross-account.yaml"),
    include_str!("../examples/fixtures/mfa-assume-role.yaml"),
    include_str!("../examples/fixtures/trust-policies.yaml"),
    include_str!("../examples/fixtures/photo-sharing.yaml"),
    include_str!("../examples/fixtures/group-managed-policy.yaml"),
];

#[test]
fn a_thousand_seed_worlds_fit_in_well_under_a_mebibyte_each() {
    // Warm the process-wide caches (action catalog, shipped AWS managed policies) first: they
    // are shared by every world, not owned by one.
    for text in SEEDS {
        iamsim::World::from_yaml(text).unwrap();
    }
    let region = Region::new(GLOBAL);
    let worlds: Vec<iamsim::World> =
        (0..1000).map(|i| iamsim::World::from_yaml(SEEDS[i % SEEDS.len()]).unwrap()).collect();
    let stats = region.change();
    // Live bytes: allocated, minus freed, plus what reallocations grew by.
    let live = stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated;
    let per_world = live / worlds.len() as isize;
    println!("average live bytes per seed world: {per_world}");
    assert!(per_world < 1024 * 1024, "{per_world} bytes per world");
    // Keep the bar meaningful: a seed world is tens of KiB, not hundreds.
    assert!(per_world < 256 * 1024, "{per_world} bytes per world");
    drop(worlds);

    #[cfg(feature = "sdk")]
    worlds_that_served_requests();
}

/// 1,000 worlds of the Dev→Prod scenario, each after alice assumed `WriteAccess` in Prod with
/// aws-sdk-sts and wrote and read a 1 KiB release with aws-sdk-s3: what each world keeps (the
/// session, the object, four access log entries) once the clients are gone.
#[cfg(feature = "sdk")]
fn worlds_that_served_requests() {
    use aws_sdk_s3::primitives::ByteStream;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let serve = |world: &iamsim::World| {
        runtime.block_on(async {
            let alice = world.sts_client(world.user_credentials("111111111111", "alice"));
            let assumed = alice
                .assume_role()
                .role_arn("arn:aws:iam::222222222222:role/WriteAccess")
                .role_session_name("release")
                .send()
                .await
                .unwrap();
            let c = assumed.credentials().unwrap();
            let session = aws_credential_types::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_owned()),
                None,
                "release",
            );
            let s3 = world.s3_client(session);
            s3.put_object()
                .bucket("prod-releases")
                .key("v2.tar.gz")
                .body(ByteStream::from(vec![7; 1024]))
                .send()
                .await
                .unwrap();
            let got = s3.get_object().bucket("prod-releases").key("v2.tar.gz").send().await.unwrap();
            assert_eq!(got.body.collect().await.unwrap().into_bytes().len(), 1024);
            alice.get_caller_identity().send().await.unwrap();
        });
    };
    // Warm what is shared by every world and client (catalog, endpoint rules, the runtime).
    serve(&iamsim::World::from_yaml(SEEDS[1]).unwrap());
    let region = Region::new(GLOBAL);
    let worlds: Vec<iamsim::World> = (0..1000)
        .map(|_| {
            let world = iamsim::World::from_yaml(SEEDS[1]).unwrap();
            serve(&world);
            world
        })
        .collect();
    let stats = region.change();
    let live = stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated;
    let per_world = live / worlds.len() as isize;
    println!("average live bytes per world after 4 SDK requests (a session, a 1 KiB object): {per_world}");
    assert!(worlds.iter().all(|w| w.access_log().len() == 4));
    assert!(per_world > 1024, "the object must be held: {per_world} bytes per world");
    assert!(per_world < 1024 * 1024, "{per_world} bytes per world");
    drop(worlds);
}
