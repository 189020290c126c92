//! The in-process transport: a real SDK client's requests go straight into the world.

use std::fmt;
use std::sync::Arc;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use bytes::Bytes;

use super::route;
use crate::live::Live;
use crate::wire::{Origin, WireRequest};

/// An SDK `HttpClient` that serves every request from a world, in the calling task.
///
/// Give it to a client with `ConfigLoader::http_client(..)` or
/// `aws_sdk_s3::config::Builder::http_client(..)`; `World::sdk_config` does it for you.
///
/// ```
/// # #[cfg(not(feature = "sdk"))] fn main() {}
/// # #[cfg(feature = "sdk")]
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_smithy_runtime_api::client::http::SharedHttpClient;
/// use iamsim::transport::InProcess;
/// use iamsim::wire::Origin;
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n")?;
/// let transport = InProcess::new(world.live_handle(), Origin::in_process());
/// let config = aws_sdk_sts::config::Builder::from(&world.sdk_config(world.user_credentials("111111111111", "alice")))
///     .http_client(SharedHttpClient::new(transport))
///     .build();
/// let me = aws_sdk_sts::Client::from_conf(config).get_caller_identity().send().await?;
/// assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct InProcess {
    live: Arc<Live>,
    origin: Origin,
}

impl fmt::Debug for InProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcess").field("origin", &self.origin).finish_non_exhaustive()
    }
}

impl InProcess {
    /// A transport into this world, its requests coming from `origin`.
    pub fn new(live: Arc<Live>, origin: Origin) -> InProcess {
        InProcess { live, origin }
    }

    /// The same transport, its requests coming from another place (a source IP, a VPC).
    pub fn with_origin(mut self, origin: Origin) -> InProcess {
        self.origin = origin;
        self
    }
}

impl HttpClient for InProcess {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for InProcess {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let this = self.clone();
        HttpConnectorFuture::new(async move {
            let mut request = request;
            // In-memory bodies are read directly; streaming (aws-chunked) bodies are collected.
            let body = match request.body().bytes() {
                Some(bytes) => Bytes::copy_from_slice(bytes),
                None => {
                    let body = request.take_body();
                    ByteStream::new(body).collect().await.map_err(|e| ConnectorError::io(e.into()))?.into_bytes()
                }
            };
            let request = request.try_into_http1x().map_err(|e| ConnectorError::other(e.into(), None))?;
            let (parts, _) = request.into_parts();
            let wire = WireRequest::new(http::Request::from_parts(parts, body), this.origin.clone());
            let response = route(&this.live, &wire).map(SdkBody::from);
            HttpResponse::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}
