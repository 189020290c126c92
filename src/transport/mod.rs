//! How requests reach a world: one router behind two transports.
//!
//! - [`InProcess`] (default): an `aws_smithy_runtime_api` `HttpClient` that hands each request
//!   of a real SDK client straight to the router — no socket, no port, no background task.
//! - [`Server`] (feature `server`): a hyper 1 server on `127.0.0.1`, for other processes, the
//!   AWS CLI, and credential providers configured by environment variables.
//!
//! Both keep the path exactly as sent (S3 keys may hold `.`, `..`, `//`) and take `Host` from
//! the URI when the header is missing.

mod in_process;
mod router;
#[cfg(feature = "server")]
mod server;

pub use in_process::InProcess;
pub use router::{dated, route};
#[cfg(feature = "server")]
pub use server::{Handler, Server};
