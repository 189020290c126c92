//! Ready-made pieces for tests written with [rstest](https://docs.rs/rstest) and
//! [insta](https://docs.rs/insta): a world from a fixture file, credentials, SDK configuration
//! and clients for any principal named by its ARN (so that `#[values("arn:…")]` parametrises a
//! test over principals), and the access log and decisions as stable YAML with redactions for
//! what a test adds of its own.
//!
//! Neither rstest nor insta is a dependency: these are plain functions, and a test crate wraps
//! them in its own `#[fixture]`s (rstest expands a fixture in the crate that declares it) and
//! passes their text to `insta::assert_snapshot!`.
//!
//! ```no_run
//! use iamsim::testing;
//! use iamsim::World;
//! use rstest::{fixture, rstest};
//!
//! #[fixture]
//! fn world() -> World {
//!     testing::world("examples/fixtures/photo-sharing.yaml")
//! }
//!
//! #[rstest]
//! #[tokio::test]
//! async fn everyone_reads_only_their_own_folder(
//!     world: World,
//!     #[values("alice", "bob")] user: &str,
//! ) {
//!     let arn = format!("arn:aws:iam::111111111111:user/{user}");
//!     let s3 = testing::s3_client(&world, &arn);
//!     s3.get_object().bucket("photos").key(format!("{user}/")).send().await.ok();
//!     insta::assert_snapshot!(format!("log-{user}"), testing::access_log_yaml(&world));
//! }
//! # fn main() {}
//! ```

mod principals;
mod snapshot;

pub use principals::world;
#[cfg(feature = "sdk")]
pub use principals::{credentials, s3_client, sdk_config, sts_client};
pub use snapshot::Redactions;
#[cfg(feature = "snapshots")]
pub use snapshot::{access_log_yaml, decisions_yaml};
