//! The wiremock guard: services iamsim does not model, stubbed with wiremock, with the world
//! checking signatures and policies. The seed's SQS story (an EC2 instance's role sends to a
//! queue) with a real aws-sdk-sqs client; SNS (awsQuery) and Lambda (a REST route) with requests
//! signed by aws-sigv4, as an SDK signs them.

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use iamsim::World;
use iamsim::guard::{IamGuard, Route};
use iamsim::live::LogEntry;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURE: &str = "tests/fixtures/guard/sqs-worker.yaml";
const DEV: &str = "111111111111";

/// SendMessage's reply (the MD5 of `order 1`), as SQS's JSON protocol answers it.
const SENT: &str =
    r#"{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"ce2e0ab0a3a85e2d2e6bd4c9f5c2f3a2"}"#;

fn world() -> World {
    World::from_fixture(FIXTURE).unwrap()
}

/// The instance role's credentials, as aws-config's IMDS provider gets them from the world.
async fn worker_credentials(world: &World) -> Credentials {
    world.instance("worker-1").credentials_provider().provide_credentials().await.unwrap()
}

/// A real SQS client on the world's clock, talking plain HTTP to the mock server.
fn sqs_client(world: &World, credentials: Credentials, server: &MockServer) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::config::Builder::from(&world.sdk_config(credentials))
        .endpoint_url(server.uri())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A mock server with the guard mounted, and the test's own SendMessage mock behind it.
async fn sqs_server(guard: &IamGuard) -> MockServer {
    let server = MockServer::start().await;
    guard.mount(&server).await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AmazonSQS.SendMessage"))
        .and(guard.allowed())
        .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(SENT, "application/x-amz-json-1.0")))
        .named("SendMessage")
        .mount(&server)
        .await;
    server
}

fn entries(world: &World, service: &str) -> Vec<LogEntry> {
    world.access_log().entries().iter().filter(|e| e.service == service).cloned().collect()
}

#[tokio::test]
async fn an_ec2_role_sends_to_its_queue_and_nothing_else() {
    let world = world();
    let guard = IamGuard::new(&world);
    let server = sqs_server(&guard).await;
    let instance_id = world.instance("worker-1").id().to_owned();
    let sqs = sqs_client(&world, worker_credentials(&world).await, &server);
    let orders = format!("{}/{DEV}/orders", server.uri());

    let sent = sqs.send_message().queue_url(&orders).message_body("order 1").send().await.unwrap();
    assert_eq!(sent.message_id(), Some("5fea7756-0ea4-451a-a703-a558b933e274"));

    let deleted = sqs.delete_queue().queue_url(&orders).send().await.unwrap_err();
    assert_eq!(deleted.code(), Some("AccessDenied"), "{deleted:?}");
    let session = format!("arn:aws:sts::{DEV}:assumed-role/worker/{instance_id}");
    assert_eq!(
        deleted.message(),
        Some(
            format!(
                "User: {session} is not authorized to perform: sqs:deletequeue on resource: \
                 arn:aws:sqs:us-east-1:{DEV}:orders because no identity-based policy allows the sqs:deletequeue action"
            )
            .as_str()
        )
    );
    let elsewhere = format!("{}/{DEV}/payments", server.uri());
    let other = sqs.send_message().queue_url(&elsewhere).message_body("order 2").send().await.unwrap_err();
    assert_eq!(other.code(), Some("AccessDenied"));
    assert!(other.message().unwrap().contains(&format!("arn:aws:sqs:us-east-1:{DEV}:payments")));

    // One entry per request, with the caller, the action, the resource and the decision.
    let log = entries(&world, "sqs");
    let lines: Vec<String> = log.iter().map(ToString::to_string).collect();
    let n = |i: usize| log[i].request;
    assert_eq!(
        lines,
        [
            format!(
                "#{} sqs SendMessage {session} 200 allow sqs:SendMessage on arn:aws:sqs:us-east-1:{DEV}:orders",
                n(0)
            ),
            format!(
                "#{} sqs DeleteQueue {session} 403 AccessDenied implicit_deny sqs:DeleteQueue on arn:aws:sqs:us-east-1:{DEV}:orders",
                n(1)
            ),
            format!(
                "#{} sqs SendMessage {session} 403 AccessDenied implicit_deny sqs:SendMessage on arn:aws:sqs:us-east-1:{DEV}:payments",
                n(2)
            ),
        ]
    );
    assert!(log.iter().all(|e| e.access_key_id.as_deref().is_some_and(|k| k.starts_with("ASIA"))));
    // The test's own mock answered the allowed request only.
    let answered: Vec<_> = server.received_requests().await.unwrap();
    assert_eq!(answered.len(), 3);
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_yaml_snapshot!("guard_sqs_access_log", log);
    });
}

#[tokio::test]
async fn refused_credentials_get_sqs_codes_and_never_reach_the_mock() {
    let world = world();
    let guard = IamGuard::new(&world);
    let server = sqs_server(&guard).await;
    let orders = format!("{}/{DEV}/orders", server.uri());
    let worker = worker_credentials(&world).await;
    let send = |credentials: Credentials| {
        let sqs = sqs_client(&world, credentials, &server);
        let orders = orders.clone();
        async move { sqs.send_message().queue_url(orders).message_body("order").send().await.unwrap_err() }
    };

    let tampered = Credentials::new(
        worker.access_key_id(),
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        worker.session_token().map(str::to_owned),
        None,
        "tampered",
    );
    assert_eq!(send(tampered).await.code(), Some("SignatureDoesNotMatch"));
    let unknown = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "x");
    let error = send(unknown).await;
    assert_eq!(error.code(), Some("InvalidClientTokenId"));
    assert_eq!(error.message(), Some("The security token included in the request is invalid."));
    let without_token = Credentials::new(worker.access_key_id(), worker.secret_access_key(), None, None, "x");
    assert_eq!(send(without_token).await.code(), Some("InvalidClientTokenId"));

    // The session's credentials, past their expiry on the world's clock.
    let session = world.role_session_credentials(DEV, "worker", "late");
    world.clock().advance(std::time::Duration::from_secs(3 * 3600));
    let expired = Credentials::new(
        session.access_key_id(),
        session.secret_access_key(),
        session.session_token().map(str::to_owned),
        None,
        "expired",
    );
    assert_eq!(send(expired).await.code(), Some("ExpiredToken"));

    let log = entries(&world, "sqs");
    let errors: Vec<_> = log.iter().map(|e| (e.status, e.error.as_deref(), e.authorizations.len())).collect();
    assert_eq!(
        errors,
        [
            (403, Some("SignatureDoesNotMatch"), 0),
            (403, Some("InvalidClientTokenId"), 0),
            (403, Some("InvalidClientTokenId"), 0),
            (400, Some("ExpiredToken"), 0),
        ]
    );
    assert_eq!(log[0].access_key_id, None, "a key whose signature fails is not the caller");
    assert!(server.received_requests().await.unwrap().len() == 4);
    // Every request was answered by the guard: the SendMessage mock answered none.
    let answered_by_mock =
        world.access_log().entries().iter().filter(|e| e.service == "sqs" && e.status == 200).count();
    assert_eq!(answered_by_mock, 0);
}

/// A request for the mock server signed as an SDK signs it (aws-sigv4, on the world's clock).
fn sign(
    world: &World,
    server: &MockServer,
    credentials: &Credentials,
    service: &str,
    mut request: http::Request<Vec<u8>>,
) -> http::Request<Vec<u8>> {
    let identity = aws_smithy_runtime_api::client::identity::Identity::from(credentials.clone());
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(world.clock().now())
        .settings(aws_sigv4::http_request::SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = server.address().to_string();
    request.headers_mut().insert("host", host.parse().unwrap());
    let uri = format!("http://{host}{}", request.uri());
    let headers: Vec<(String, String)> =
        request.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
    let signable = aws_sigv4::http_request::SignableRequest::new(
        request.method().as_str(),
        uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        aws_sigv4::http_request::SignableBody::Bytes(request.body()),
    )
    .unwrap();
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(&mut request);
    request
}

/// [`sign`], then [`send_raw`].
async fn send_signed(
    world: &World,
    server: &MockServer,
    credentials: &Credentials,
    service: &str,
    request: http::Request<Vec<u8>>,
) -> (u16, Vec<(String, String)>, String) {
    send_raw(server, &sign(world, server, credentials, service, request)).await
}

/// Writes `request` on a new connection and reads the whole answer.
async fn send_raw(server: &MockServer, request: &http::Request<Vec<u8>>) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut wire = format!("{} {} HTTP/1.1\r\n", request.method(), request.uri()).into_bytes();
    for (name, value) in request.headers() {
        wire.extend_from_slice(format!("{name}: {}\r\n", value.to_str().unwrap()).as_bytes());
    }
    wire.extend_from_slice(format!("content-length: {}\r\nconnection: close\r\n\r\n", request.body().len()).as_bytes());
    wire.extend_from_slice(request.body());
    let mut stream = tokio::net::TcpStream::connect(server.address()).await.unwrap();
    stream.write_all(&wire).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(": ")).map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned())).collect();
    (status, headers, body.to_owned())
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn sns_publish(topic: &str) -> http::Request<Vec<u8>> {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "Publish")
        .append_pair("Version", "2010-03-31")
        .append_pair("TopicArn", topic)
        .append_pair("Message", "disk full")
        .finish();
    http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into_bytes())
        .unwrap()
}

#[tokio::test]
async fn an_awsquery_service_is_refused_in_xml_and_each_request_is_logged_once() {
    let world = world();
    let guard = IamGuard::new(&world);
    let server = MockServer::start().await;
    guard.mount(&server).await;
    Mock::given(method("POST"))
        .and(guard.allowed())
        .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(
            "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>",
            "text/xml",
        )))
        .expect(3)
        .mount(&server)
        .await;
    let worker = worker_credentials(&world).await;

    let alerts = format!("arn:aws:sns:us-east-1:{DEV}:alerts");
    let (status, _, body) = send_signed(&world, &server, &worker, "sns", sns_publish(&alerts)).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>")
    );

    let billing = format!("arn:aws:sns:us-east-1:{DEV}:billing");
    let (status, headers, body) = send_signed(&world, &server, &worker, "sns", sns_publish(&billing)).await;
    assert_eq!(status, 403);
    assert_eq!(header_of(&headers, "content-type"), Some("text/xml"));
    assert_eq!(header_of(&headers, "date"), Some("Thu, 01 Jan 2026 00:00:00 GMT"), "the world's clock");
    let request_id = header_of(&headers, "x-amzn-requestid").unwrap();
    let session = format!("arn:aws:sts::{DEV}:assumed-role/worker/{}", world.instance("worker-1").id());
    assert_eq!(
        body,
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: {session} is not \
             authorized to perform: sns:Publish on resource: {billing} because no identity-based policy allows the \
             sns:Publish action</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    );

    // The same signed request twice (a replay, which AWS accepts within 15 minutes): two
    // requests, two entries, both answered by the test's mock.
    let replayed = sign(&world, &server, &worker, "sns", sns_publish(&alerts));
    assert_eq!(send_raw(&server, &replayed).await.0, 200);
    assert_eq!(send_raw(&server, &replayed).await.0, 200);
    let log = entries(&world, "sns");
    let decisions: Vec<_> =
        log.iter().map(|e| (e.operation.as_str(), e.status, e.authorizations[0].decision.as_str())).collect();
    assert_eq!(
        decisions,
        [
            ("Publish", 200, "allow"),
            ("Publish", 403, "implicit_deny"),
            ("Publish", 200, "allow"),
            ("Publish", 200, "allow")
        ]
    );
}

#[tokio::test]
async fn a_rest_service_is_authorized_through_its_routes() {
    let world = world();
    let guard = IamGuard::builder(&world)
        .route(Route::new(
            "POST",
            "/2015-03-31/functions/{name}/invocations",
            "lambda:InvokeFunction",
            "arn:aws:lambda:{region}:{account}:function:{name}",
        ))
        .build();
    let server = MockServer::start().await;
    guard.mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/2015-03-31/functions/thumbnailer/invocations"))
        .and(guard.allowed())
        .respond_with(guard.reply(ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json")))
        .expect(1)
        .mount(&server)
        .await;
    let worker = worker_credentials(&world).await;
    let invoke = |function: &str| {
        http::Request::post(format!("/2015-03-31/functions/{function}/invocations")).body(b"{}".to_vec()).unwrap()
    };

    let (status, _, body) = send_signed(&world, &server, &worker, "lambda", invoke("thumbnailer")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"ok":true}"#));

    let (status, headers, body) = send_signed(&world, &server, &worker, "lambda", invoke("billing")).await;
    assert_eq!(status, 403);
    assert_eq!(header_of(&headers, "x-amzn-errortype"), Some("AccessDeniedException"));
    let session = format!("arn:aws:sts::{DEV}:assumed-role/worker/{}", world.instance("worker-1").id());
    let message = format!(
        "User: {session} is not authorized to perform: lambda:InvokeFunction on resource: \
         arn:aws:lambda:us-east-1:{DEV}:function:billing because no identity-based policy allows the lambda:InvokeFunction action"
    );
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap(), serde_json::json!({"Message": message}));

    // A path no route names cannot be authorized; an unsigned request is not authenticated.
    let listing = http::Request::get("/2015-03-31/functions/").body(Vec::new()).unwrap();
    let (status, headers, _) = send_signed(&world, &server, &worker, "lambda", listing).await;
    assert_eq!((status, header_of(&headers, "x-amzn-errortype")), (400, Some("UnknownOperationException")));
    let unsigned = invoke("thumbnailer");
    let (status, headers, _) = send_raw(&server, &unsigned).await;
    assert_eq!((status, header_of(&headers, "x-amzn-errortype")), (403, Some("MissingAuthenticationTokenException")));

    let lines: Vec<String> = entries(&world, "lambda")
        .iter()
        .map(|e| format!("{} {} {}", e.operation, e.status, e.error.as_deref().unwrap_or("-")))
        .collect();
    assert_eq!(
        lines,
        [
            "InvokeFunction 200 -",
            "InvokeFunction 403 AccessDeniedException",
            "GET /2015-03-31/functions/ 400 UnknownOperationException",
            "InvokeFunction 403 MissingAuthenticationTokenException",
        ]
    );
}
