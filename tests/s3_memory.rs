//! Memory per stored S3 byte: objects uploaded through aws-sdk-s3 into a world, measured with a
//! counting allocator as the live bytes the process holds afterwards (the object bytes, their
//! metadata and index entry, and the access log entry of the request), per byte of object data.
//!
//! A separate test binary, because it installs a counting global allocator. It measures bytes
//! (deterministic for a given build), not time. Figures are in BENCHMARKS.md ("S3").

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use std::alloc::System;

use aws_sdk_s3::primitives::ByteStream;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const WORLD: &str = r#"accounts:
  "111111111111":
    users:
      alice:
        inline_policies:
          Store:
            Version: "2012-10-17"
            Statement: [{ Effect: Allow, Action: [s3:PutObject, s3:GetObject], Resource: "arn:aws:s3:::store/*" }]
    buckets:
      store: {}
"#;

/// Uploads `count` objects of `size` bytes and returns the live bytes that remain, per object;
/// with `read_only`, reads one object `count` times instead (what the access log keeps per
/// request, since nothing is stored).
fn live_bytes_per_request(count: usize, size: usize, read_only: bool) -> isize {
    let world = iamsim::World::from_yaml(WORLD).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
    let put = |key: String, body: Vec<u8>| {
        runtime.block_on(s3.put_object().bucket("store").key(key).body(ByteStream::from(body)).send()).unwrap();
    };
    let get = || {
        let object = runtime.block_on(s3.get_object().bucket("store").key("warm-up").send()).unwrap();
        drop(runtime.block_on(object.body.collect()).unwrap());
    };
    // Warm the client (endpoint resolution, identity cache) and the world's lazy parts.
    put("warm-up".to_owned(), vec![1; size]);
    get();
    let region = Region::new(GLOBAL);
    for i in 0..count {
        if read_only {
            get();
        } else {
            // The body is made inside the measured region and handed over: whatever the world
            // keeps of it counts, whatever it copies and frees does not.
            put(format!("objects/{i:06}.bin"), vec![u8::try_from(i % 251).unwrap(); size]);
        }
    }
    let stats = region.change();
    let live = stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated;
    drop(world);
    live / isize::try_from(count).unwrap()
}

#[test]
fn stored_objects_cost_their_bytes_plus_a_bounded_overhead() {
    let per_request = live_bytes_per_request(1000, 1024, true);
    println!("1000 reads: {per_request} live bytes per request (the access log entry)");
    assert!(per_request < 16 * 1024, "{per_request} bytes per logged request");
    for (count, size) in [(16, 1024 * 1024), (1000, 1024), (1000, 16)] {
        let per_object = live_bytes_per_request(count, size, false);
        let per_byte = per_object as f64 / size as f64;
        let overhead = per_object - isize::try_from(size).unwrap();
        println!(
            "{count} objects of {size} bytes: {per_object} live bytes per object, {per_byte:.3} per stored byte, \
             {overhead} bytes of overhead per object (of which the access log entry about {per_request})"
        );
        assert!(per_byte >= 1.0, "the objects must be held: {per_byte} bytes per stored byte");
        // The data is kept once (not copied per layer); what comes on top is per object.
        assert!(overhead < 16 * 1024, "{overhead} bytes of overhead per object of {size} bytes");
    }
}
