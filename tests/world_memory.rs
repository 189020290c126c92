//! Memory of live worlds: 1,000 seed worlds alive at once must each hold well under 1 MiB.
//!
//! A separate test binary, because it installs a counting global allocator. It measures bytes
//! (deterministic for a given build), not time.

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
}
