//! iamsim's authorizer in front of [wiremock] mocks, for AWS services iamsim does not model
//! (SQS, SNS, DynamoDB, Lambda, …): the world checks the signature and the IAM policies, the
//! test's own mocks answer what is allowed.
//!
//! For each request the guard
//! 1. verifies SigV4 against the world's keys and sessions, on the world's clock (any service:
//!    the signature's scope names it);
//! 2. names the action: `Action=` of awsQuery, `X-Amz-Target` of awsJson, or a [`Route`] of
//!    REST services (method and path template);
//! 3. names the resource: a [`Route`]'s template, the guard's resource function, or the
//!    service's well-known parameter (SQS `QueueUrl`, SNS `TopicArn`, DynamoDB `TableName`),
//!    else `*`;
//! 4. asks the world ([`Live::authorize`](crate::live::Live::authorize)) and writes one access
//!    log entry, as the fakes of STS and S3 do — so least-privilege reports cover these
//!    services too;
//! 5. answers a refusal as the service's protocol words it (awsQuery XML, awsJson with SQS's
//!    `x-amzn-query-error`, REST-JSON, REST-XML), so the SDK's typed error and `.code()` are
//!    what AWS gives.
//!
//! [`IamGuard::mount`] mounts the refusals at the highest priority; the test's mocks answer
//! everything else, optionally with [`IamGuard::allowed`] among their matchers, and reply through
//! [`IamGuard::reply`] so that the SDK keeps signing on the world's clock.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use aws_sdk_sqs::error::ProvideErrorMetadata;
//! use iamsim::guard::IamGuard;
//! use wiremock::matchers::header;
//! use wiremock::{Mock, MockServer, ResponseTemplate};
//!
//! let world = iamsim::World::from_yaml(r#"
//! accounts:
//!   "111111111111":
//!     users:
//!       app:
//!         inline_policies:
//!           send: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: sqs:SendMessage, Resource: "arn:aws:sqs:us-east-1:111111111111:orders" }] }
//! "#)?;
//! let server = MockServer::start().await;
//! let guard = IamGuard::new(&world);
//! guard.mount(&server).await;
//! Mock::given(header("x-amz-target", "AmazonSQS.SendMessage"))
//!     .and(guard.allowed())
//!     .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(
//!         r#"{"MessageId":"m-1","MD5OfMessageBody":"5d41402abc4b2a76b9719d911017c592"}"#,
//!         "application/x-amz-json-1.0",
//!     )))
//!     .mount(&server)
//!     .await;
//!
//! // A real SQS client, on the world's clock, pointed at the mock server.
//! let config = aws_sdk_sqs::config::Builder::from(&world.sdk_config(world.user_credentials("111111111111", "app")))
//!     .endpoint_url(server.uri())
//!     .http_client(aws_smithy_http_client::Builder::new().build_http())
//!     .build();
//! let sqs = aws_sdk_sqs::Client::from_conf(config);
//! let queue = format!("{}/111111111111/orders", server.uri());
//! sqs.send_message().queue_url(&queue).message_body("hello").send().await?;
//!
//! let denied = sqs.delete_queue().queue_url(&queue).send().await.unwrap_err();
//! assert_eq!(denied.code(), Some("AccessDenied"));
//! assert_eq!(world.access_log().len(), 2);
//! # Ok(()) }
//! ```

mod check;
mod read;
mod refusal;
mod resources;
mod routes;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::World;
use crate::live::Live;
pub use routes::{Route, RouteMatch};

/// The wire protocol of an AWS service, which decides the shape of its errors.
///
/// ```
/// use iamsim::guard::{Protocol, Route};
///
/// // Route 53 is REST with XML errors wrapped in `<ErrorResponse>`.
/// let route = Route::new("GET", "/2013-04-01/hostedzone/{id}", "route53:GetHostedZone", "arn:aws:route53:::hostedzone/{id}")
///     .with_protocol(Protocol::RestXml);
/// assert_eq!(route.protocol(), Protocol::RestXml);
/// assert_ne!(Protocol::AwsJson10, Protocol::AwsJson11);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// Form parameters with `Action=` (STS, SNS, IAM, SQS before 2023).
    AwsQuery,
    /// JSON with `X-Amz-Target`, `application/x-amz-json-1.0` (SQS, DynamoDB).
    AwsJson10,
    /// JSON with `X-Amz-Target`, `application/x-amz-json-1.1` (KMS, Secrets Manager, …).
    AwsJson11,
    /// REST with JSON bodies (Lambda, API Gateway, …).
    RestJson,
    /// REST with XML bodies, errors in `<ErrorResponse>` (Route 53, CloudFront).
    RestXml,
    /// REST with XML bodies, errors in a bare `<Error>` (S3's style).
    RestXmlUnwrapped,
}

/// A query or JSON request as the guard read it, for a resource function
/// ([`IamGuardBuilder::resource`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::{Arc, Mutex};
/// use iamsim::guard::{IamGuard, Protocol};
/// use wiremock::{Mock, MockServer, ResponseTemplate};
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      app: {}\n")?;
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let record = seen.clone();
/// let guard = IamGuard::builder(&world)
///     .resource(move |request| {
///         let queue = request.param("QueueUrl").map(|q| q.into_owned());
///         record.lock().unwrap().push((request.service().to_owned(), request.operation().to_owned(),
///             request.region().to_owned(), request.account().map(str::to_owned), request.protocol(), queue));
///         None
///     })
///     .build();
/// let server = MockServer::start().await;
/// guard.mount(&server).await;
/// Mock::given(guard.allowed()).respond_with(guard.reply(ResponseTemplate::new(200))).mount(&server).await;
///
/// let config = aws_sdk_sqs::config::Builder::from(&world.sdk_config(world.user_credentials("111111111111", "app")))
///     .endpoint_url(server.uri())
///     .http_client(aws_smithy_http_client::Builder::new().build_http())
///     .build();
/// let queue = format!("{}/111111111111/orders", server.uri());
/// // The user has no policy: refused, but the guard read the request first.
/// let refused = aws_sdk_sqs::Client::from_conf(config).purge_queue().queue_url(&queue).send().await;
/// assert!(refused.is_err());
/// let (service, operation, region, account, protocol, queue_url) = seen.lock().unwrap()[0].clone();
/// assert_eq!((service.as_str(), operation.as_str(), region.as_str()), ("sqs", "PurgeQueue", "us-east-1"));
/// assert_eq!(account.as_deref(), Some("111111111111"));
/// assert_eq!(protocol, Protocol::AwsJson10);
/// assert_eq!(queue_url, Some(queue));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GuardRequest {
    service: String,
    operation: String,
    region: String,
    account: Option<String>,
    protocol: Protocol,
    params: read::Params,
}

impl GuardRequest {
    /// The service the signature is scoped to (`sqs`, `sns`, `dynamodb`, …).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The operation (`SendMessage`).
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The region the signature is scoped to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The caller's account.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The protocol the request speaks.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// A parameter: a form parameter (awsQuery) or a top-level string or number member of the
    /// JSON body (awsJson).
    pub fn param(&self, name: &str) -> Option<Cow<'_, str>> {
        self.params.get(name)
    }
}

/// Names the resource of a query or JSON request; `None` falls back to the defaults.
type ResourceFn = dyn Fn(&GuardRequest) -> Option<String> + Send + Sync;

/// What a guard is configured with.
pub(crate) struct Config {
    routes: Vec<Route>,
    resource: Option<Box<ResourceFn>>,
    /// How refusals of REST requests no route matches are worded.
    rest_protocol: Protocol,
}

/// How many recent verdicts a guard remembers, so that its matchers and its responder, all
/// asked about the same request, decide (and log) it once.
const RECENT: usize = 64;

struct Inner {
    live: Arc<Live>,
    config: Config,
    recent: Mutex<VecDeque<([u8; 32], Arc<check::Verdict>)>>,
}

/// iamsim's authorizer as a wiremock [`Match`] and [`Respond`]. See the [module docs](self).
///
/// Cheap to clone; clones share the world, the routes and the memory of recent requests.
///
/// ```
/// use iamsim::guard::IamGuard;
/// use wiremock::http::{HeaderMap, Method, Url};
/// use wiremock::{Request, Respond};
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
/// let guard = IamGuard::new(&world);
/// // An SQS request without a signature: the guard answers it with AWS's refusal.
/// let unsigned = Request {
///     url: Url::parse("http://localhost/")?,
///     method: Method::POST,
///     headers: HeaderMap::new(),
///     body: b"Action=ListQueues&Version=2012-11-05".to_vec(),
/// };
/// let refusal = format!("{:?}", guard.respond(&unsigned));
/// assert!(refusal.contains("status_code: 403"), "{refusal}");
/// // Decided by the world, and logged as the fakes of STS and S3 log theirs.
/// assert_eq!(world.access_log().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct IamGuard {
    inner: Arc<Inner>,
}

impl fmt::Debug for IamGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamGuard").field("routes", &self.inner.config.routes).finish_non_exhaustive()
    }
}

/// Configures an [`IamGuard`]: REST routes and a resource function.
///
/// ```
/// use iamsim::guard::{IamGuard, Protocol, Route};
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
/// let guard = IamGuard::builder(&world)
///     .route(Route::new("POST", "/2015-03-31/functions/{name}/invocations", "lambda:InvokeFunction",
///         "arn:aws:lambda:{region}:{account}:function:{name}"))
///     .resource(|request| (request.service() == "kms").then(|| request.param("KeyId")).flatten().map(|id| {
///         format!("arn:aws:kms:{}:{}:key/{id}", request.region(), request.account().unwrap_or_default())
///     }))
///     .rest_protocol(Protocol::RestXml)
///     .build();
/// assert!(format!("{guard:?}").contains("lambda:InvokeFunction"));
/// # Ok::<(), iamsim::WorldError>(())
/// ```
pub struct IamGuardBuilder {
    live: Arc<Live>,
    config: Config,
}

impl fmt::Debug for IamGuardBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamGuardBuilder").field("routes", &self.config.routes).finish_non_exhaustive()
    }
}

impl IamGuardBuilder {
    /// Adds a REST route; the first route that matches a request names its action and resource.
    /// wiremock normalizes paths (`/a/../b` is `/b`) before the guard sees them.
    pub fn route(mut self, route: Route) -> IamGuardBuilder {
        self.config.routes.push(route);
        self
    }

    /// Names the resource of query and JSON requests; where it answers `None`, the well-known
    /// parameters (SQS `QueueUrl`, SNS `TopicArn`, DynamoDB `TableName`) and then `*` apply.
    pub fn resource(
        mut self,
        resource: impl Fn(&GuardRequest) -> Option<String> + Send + Sync + 'static,
    ) -> IamGuardBuilder {
        self.config.resource = Some(Box::new(resource));
        self
    }

    /// The protocol a REST request that no route matches is refused in (REST-JSON unless told).
    pub fn rest_protocol(mut self, protocol: Protocol) -> IamGuardBuilder {
        self.config.rest_protocol = protocol;
        self
    }

    /// The guard.
    pub fn build(self) -> IamGuard {
        IamGuard {
            inner: Arc::new(Inner { live: self.live, config: self.config, recent: Mutex::new(VecDeque::new()) }),
        }
    }
}

impl IamGuard {
    /// A guard of `world`, for query and JSON services (no REST routes).
    pub fn new(world: &World) -> IamGuard {
        IamGuard::builder(world).build()
    }

    /// A guard to configure.
    pub fn builder(world: &World) -> IamGuardBuilder {
        IamGuardBuilder {
            live: world.live_handle(),
            config: Config { routes: Vec::new(), resource: None, rest_protocol: Protocol::RestJson },
        }
    }

    /// A matcher of the requests the world refuses: bad or missing signature, unknown key,
    /// expired session, or a policy that does not allow the action. Every request it sees is
    /// decided afresh and logged, so it must be the first matcher a request meets:
    /// [`IamGuard::mount`] puts it there.
    pub fn denied(&self) -> Denied {
        Denied(self.clone())
    }

    /// A matcher of the requests the world allows, for the test's own mocks. It reuses the
    /// decision [`IamGuard::denied`] took for the same request (or takes and logs it, when the
    /// guard is not mounted).
    pub fn allowed(&self) -> Allowed {
        Allowed(self.clone())
    }

    /// Mounts the guard on `server` at the highest priority (1): refused requests get AWS's
    /// error, and only allowed ones reach the other mocks. Mount it before the test's own
    /// priority-1 mocks, if there are any.
    pub async fn mount(&self, server: &MockServer) {
        Mock::given(self.denied())
            .respond_with(self.clone())
            .with_priority(1)
            .named("iamsim guard")
            .mount(server)
            .await;
    }

    /// A responder that answers with `template` and a `Date` header from the world's clock, for
    /// the test's own mocks. SDKs set their signing clock by the `Date` of every response
    /// (aws-runtime's clock-skew correction, which lasts for the client's life): wiremock's own
    /// `Date` is the wall clock, and after one such answer the client would sign every request
    /// with the wall clock's time, which the world refuses as skewed.
    ///
    /// ```
    /// use wiremock::{Respond, ResponseTemplate};
    /// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
    /// let guard = iamsim::guard::IamGuard::new(&world);
    /// let reply = guard.reply(ResponseTemplate::new(200).set_body_string("{}"));
    /// # let _ = reply;
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn reply(&self, template: ResponseTemplate) -> Reply {
        Reply { template, live: self.inner.live.clone() }
    }

    /// Decides the request afresh, logs it, and remembers the verdict.
    fn decide(&self, request: &Request) -> Arc<check::Verdict> {
        let fingerprint = fingerprint(request);
        let verdict = check::check(&self.inner.live, &self.inner.config, request);
        let mut recent = self.inner.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.retain(|(f, _)| *f != fingerprint);
        if recent.len() >= RECENT {
            recent.pop_front();
        }
        recent.push_back((fingerprint, verdict.clone()));
        verdict
    }

    /// The verdict already taken for this request, or a new one.
    fn verdict(&self, request: &Request) -> Arc<check::Verdict> {
        let fingerprint = fingerprint(request);
        let known = {
            let recent = self.inner.recent.lock().unwrap_or_else(PoisonError::into_inner);
            recent.iter().find(|(f, _)| *f == fingerprint).map(|(_, v)| v.clone())
        };
        known.unwrap_or_else(|| self.decide(request))
    }
}

/// Identifies a request among the recent ones: method, URL, headers and body.
fn fingerprint(request: &Request) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(request.method.as_str());
    hash.update(b"\n");
    hash.update(request.url.as_str());
    for (name, value) in &request.headers {
        hash.update(b"\n");
        hash.update(name.as_str());
        hash.update(b":");
        hash.update(value.as_bytes());
    }
    hash.update(b"\n\n");
    hash.update(&request.body);
    hash.finalize().into()
}

/// Matches the requests the world refuses ([`IamGuard::denied`]).
///
/// ```
/// use wiremock::http::{HeaderMap, Method, Url};
/// use wiremock::{Match, Request};
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
/// let guard = iamsim::guard::IamGuard::new(&world);
/// let unsigned = Request {
///     url: Url::parse("http://localhost/")?,
///     method: Method::POST,
///     headers: HeaderMap::new(),
///     body: b"Action=ListQueues&Version=2012-11-05".to_vec(),
/// };
/// assert!(guard.denied().matches(&unsigned));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Denied(IamGuard);

impl Match for Denied {
    fn matches(&self, request: &Request) -> bool {
        self.0.decide(request).refusal.is_some()
    }
}

/// Matches the requests the world allows ([`IamGuard::allowed`]).
///
/// ```
/// use wiremock::http::{HeaderMap, Method, Url};
/// use wiremock::{Match, Request};
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
/// let guard = iamsim::guard::IamGuard::new(&world);
/// let unsigned = Request {
///     url: Url::parse("http://localhost/")?,
///     method: Method::POST,
///     headers: HeaderMap::new(),
///     body: b"Action=ListQueues&Version=2012-11-05".to_vec(),
/// };
/// // A mock guarded by `allowed()` never answers a request the world refuses.
/// assert!(guard.denied().matches(&unsigned));
/// assert!(!guard.allowed().matches(&unsigned));
/// // Both matchers asked about one request: it was decided, and logged, once.
/// assert_eq!(world.access_log().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Allowed(IamGuard);

impl Match for Allowed {
    fn matches(&self, request: &Request) -> bool {
        self.0.verdict(request).refusal.is_none()
    }
}

/// Answers a refused request with the service's error; an allowed one, which a mock of the
/// test should have answered, with a 501 saying so.
impl Respond for IamGuard {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let verdict = self.verdict(request);
        let Some(refusal) = &verdict.refusal else {
            return ResponseTemplate::new(501).set_body_string(
                "iamsim's guard allows this request, but no mock answers it: mount one with `guard.allowed()`",
            );
        };
        let answer = refusal.answer(verdict.protocol, verdict.query_compatible, &verdict.request_id);
        let date = crate::clock::format_http_date(self.inner.live.now());
        let mut response = ResponseTemplate::new(answer.status).insert_header("date", date);
        for (name, value) in answer.headers {
            response = response.insert_header(name, value);
        }
        response.set_body_bytes(answer.body)
    }
}

/// Answers with a template and the world's `Date` ([`IamGuard::reply`]).
///
/// ```
/// use std::time::Duration;
/// use wiremock::http::{HeaderMap, Method, Url};
/// use wiremock::{Request, Respond, ResponseTemplate};
///
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\": {}\n")?;
/// world.clock().advance(Duration::from_secs(60));
/// let reply = iamsim::guard::IamGuard::new(&world).reply(ResponseTemplate::new(200).set_body_string("{}"));
/// let request = Request { url: Url::parse("http://localhost/")?, method: Method::POST, headers: HeaderMap::new(), body: Vec::new() };
/// // The `Date` header is the world's time, not the wall clock's.
/// let answer = format!("{:?}", reply.respond(&request));
/// assert!(answer.contains("Thu, 01 Jan 2026 00:01:00 GMT"), "{answer}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Reply {
    template: ResponseTemplate,
    live: Arc<Live>,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply").field("template", &self.template).finish_non_exhaustive()
    }
}

impl Respond for Reply {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.template.clone().insert_header("date", crate::clock::format_http_date(self.live.now()))
    }
}
