//! The loopback transport: a hyper 1 HTTP server per world, for other processes, the AWS CLI,
//! boto3, and SDK providers configured through environment variables.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::route;
use crate::live::Live;
use crate::wire::{Origin, WireRequest};

/// A running loopback server. Dropping it (or [`Server::shutdown`]) stops it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: {}\n").unwrap();
/// let server = world.serve().await?;
/// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
/// server.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// What a server answers requests with: the world's [`route`], or one service bound to the
/// server's address (an instance's metadata service, the container credentials agents). It
/// dates its responses with [`dated`](super::dated).
///
/// ```
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use iamsim::transport::Handler;
/// use iamsim::wire::{Origin, WireRequest};
///
/// // A handler that answers only STS, and 404 for everything else.
/// let only_sts: Handler = Arc::new(|live, request| {
///     if iamsim::sts::is_sts_request(request) {
///         iamsim::sts::handle(live, request)
///     } else {
///         http::Response::builder().status(404).body(Bytes::new()).unwrap()
///     }
/// });
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?.without_recording();
/// let s3 = http::Request::get("http://127.0.0.1:4566/photos/a.jpg").body(Bytes::new())?;
/// assert_eq!(only_sts(world.live(), &WireRequest::new(s3, Origin::loopback())).status().as_u16(), 404);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Handler = Arc<dyn Fn(&Live, &WireRequest) -> http::Response<Bytes> + Send + Sync>;

impl Server {
    /// Starts serving `live` on `addr` (`127.0.0.1:0` picks a free port).
    pub async fn start(live: Arc<Live>, addr: SocketAddr) -> std::io::Result<Server> {
        Server::start_with(live, addr, Arc::new(route)).await
    }

    /// Starts serving `live` on `addr` with `handler` instead of the router.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use std::sync::Arc;
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n").unwrap();
    /// let handler: iamsim::transport::Handler = Arc::new(|live, request| {
    ///     let mut response = iamsim::containers::handle(live, request);
    ///     iamsim::transport::dated(live, &mut response);
    ///     response
    /// });
    /// let server = iamsim::transport::Server::start_with(world.live_handle(), ([127, 0, 0, 1], 0).into(), handler).await?;
    /// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub async fn start_with(live: Arc<Live>, addr: SocketAddr, handler: Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.changed() => break,
                };
                let Ok((stream, peer)) = accepted else { continue };
                let live = live.clone();
                let handler = handler.clone();
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| serve(live.clone(), handler.clone(), peer, request));
                    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped.changed() => connection.as_mut().graceful_shutdown(),
                    }
                });
            }
        });
        Ok(Server { addr, stop, task: Some(task) })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: what `AWS_ENDPOINT_URL` should say.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(
    live: Arc<Live>,
    handler: Handler,
    peer: SocketAddr,
    request: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(http::Response::new(Full::new(Bytes::new()))),
    };
    let origin = Origin { source_ip: peer.ip(), ..Origin::loopback() };
    let wire = WireRequest::new(http::Request::from_parts(parts, body), origin);
    Ok(handler(&live, &wire).map(Full::new))
}
