//! Containers' credentials: ECS task roles through `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` and
//! `_FULL_URI` (+ `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`), EKS Pod Identity with its session
//! tags, and IAM roles for service accounts — through aws-config's default chain with the
//! environment and files injected, in-process and over loopback.

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_types::os_shim_internal::Fs;
use bytes::Bytes;
use iamsim::World;
use iamsim::wire::{Origin, WireRequest};

const WORLD: &str = r#"
accounts:
  "111111111111":
    oidc_providers:
      oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B: { audiences: [sts.amazonaws.com] }
    roles:
      api:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Service: ecs-tasks.amazonaws.com }
              Action: sts:AssumeRole
              Condition:
                StringEquals: { "aws:SourceAccount": "111111111111" }
                ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:111111111111:*" }
      ec2-only:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }
      uploader:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Service: pods.eks.amazonaws.com }
              Action: [sts:AssumeRole, sts:TagSession]
              Condition:
                StringEquals: { "aws:RequestTag/kubernetes-service-account": uploader }
        policies: [AssumeMediaReaderFromMedia]
      no-tag-session:
        trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: pods.eks.amazonaws.com }, Action: sts:AssumeRole }] }
      media-reader:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { AWS: "111111111111" }
              Action: [sts:AssumeRole, sts:TagSession]
      irsa-app:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Federated: arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B }
              Action: sts:AssumeRoleWithWebIdentity
              Condition:
                StringEquals:
                  "oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B:sub": system:serviceaccount:web:app
                  "oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B:aud": sts.amazonaws.com
    policies:
      AssumeMediaReaderFromMedia:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [sts:AssumeRole, sts:TagSession]
            Resource: arn:aws:iam::111111111111:role/media-reader
            Condition:
              StringEquals: { "aws:PrincipalTag/kubernetes-namespace": media }
tasks:
  api: { account: "111111111111", role: api, cluster: prod }
  locked: { account: "111111111111", role: api, authorization_token: "Basic c2VjcmV0" }
  wrong-trust: { account: "111111111111", role: ec2-only }
eks_clusters:
  prod: { account: "111111111111", oidc_issuer: oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B }
pods:
  uploader-0: { cluster: prod, namespace: media, service_account: uploader, pod_identity_role: uploader }
  uploader-batch: { cluster: prod, namespace: batch, service_account: uploader, pod_identity_role: uploader }
  untagged: { cluster: prod, namespace: media, service_account: plain, pod_identity_role: no-tag-session }
  app-0: { cluster: prod, namespace: web, service_account: app, irsa_role: irsa-app }
  stranger: { cluster: prod, namespace: web, service_account: other, irsa_role: irsa-app }
"#;

fn world() -> World {
    World::from_yaml(WORLD).unwrap()
}

/// Whether credentials came from aws-config's HTTP (container) credentials provider.
fn from_container_provider(credentials: &aws_credential_types::Credentials) -> bool {
    use aws_credential_types::credential_feature::AwsCredentialFeature;
    credentials
        .get_property::<Vec<AwsCredentialFeature>>()
        .is_some_and(|features| features.contains(&AwsCredentialFeature::CredentialsHttp))
}

/// A plain HTTP client, for the loopback servers (the world's own client answers in-process).
fn plain_http() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

fn message(err: &(dyn std::error::Error + 'static)) -> String {
    format!("{}", aws_smithy_types::error::display::DisplayErrorContext(err))
}

#[tokio::test]
async fn an_ecs_task_gets_its_task_role_through_the_relative_uri() {
    let world = world();
    let task = world.task("api");
    let config = task.config_loader(&[]).load().await;
    let credentials = config.credentials_provider().unwrap().provide_credentials().await.unwrap();
    // The default chain reached aws-config's container provider (EcsCredentialsProvider).
    assert!(from_container_provider(&credentials), "{credentials:?}");
    assert_eq!(credentials.expiry(), Some(world.clock().now() + std::time::Duration::from_secs(21_600)));
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn().unwrap(), format!("arn:aws:sts::111111111111:assumed-role/api/{}", task.task().task_id));

    // The task's account and ARN reached the trust policy's conditions.
    let log = world.access_log();
    let delivered = log.entries().iter().find(|e| e.service == "ecs-agent").unwrap();
    assert_eq!(delivered.caller.as_deref(), Some(task.task().arn.as_str()));
    assert_eq!(delivered.authorizations[0].decision, "allow");
    assert_eq!(delivered.authorizations[0].context["aws:SourceArn"], [task.task().arn.clone()]);
    assert!(task.task().arn.starts_with("arn:aws:ecs:us-east-1:111111111111:task/prod/"));
}

#[tokio::test]
async fn a_full_uri_with_an_authorization_token_in_process_from_a_file_and_over_loopback() {
    let world = world();
    let locked = world.task("locked");
    let token = locked.task().authorization_token.clone().unwrap();

    // In-process, at the agent's address, the token in the environment.
    let env = locked.full_uri_env("http://169.254.170.2");
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let config = world.config_loader(&vars).load().await;
    aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();

    // Over loopback, the token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (loopback http is an
    // address aws-config accepts for a full URI).
    let server = world.serve_container_credentials().await.unwrap();
    let full_uri = format!("{}{}", server.endpoint(), locked.relative_uri());
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/token"),
    ];
    let config = world
        .config_loader(&vars)
        .fs(Fs::from_slice(&[("/token", token.as_str())]))
        .http_client(plain_http())
        .load()
        .await;
    let credentials = config.credentials_provider().unwrap().provide_credentials().await.unwrap();
    world.sts_client(credentials).get_caller_identity().send().await.unwrap();

    // A wrong token is refused.
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic bm9wZQ=="),
    ];
    let config = world.config_loader(&vars).http_client(plain_http()).load().await;
    let err = config.credentials_provider().unwrap().provide_credentials().await.unwrap_err();
    assert!(message(&err).contains("401"), "{}", message(&err));
    let refused = world.access_log().last().cloned().unwrap();
    assert_eq!((refused.status, refused.error.as_deref()), (401, Some("Unauthorized")));
    server.shutdown().await;
}

#[test]
fn the_ecs_agent_answers_unknown_ids_and_roles_it_cannot_assume_as_the_agent_does() {
    let world = world();
    let get = |path: &str| {
        let request = http::Request::get(format!("http://169.254.170.2{path}")).body(Bytes::new()).unwrap();
        iamsim::transport::route(world.live(), &WireRequest::new(request, Origin::in_process()))
    };
    let json = |r: &http::Response<Bytes>| serde_json::from_slice::<serde_json::Value>(r.body()).unwrap();
    let unknown = get("/v2/credentials/00000000-0000-0000-0000-000000000000");
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        json(&unknown),
        serde_json::json!({"code": "InvalidIdInRequest", "message": "CredentialsV2Request: ID not found"})
    );
    let none = get("/v2/credentials/");
    assert_eq!(json(&none)["code"], "NoIdInRequest");
    assert_eq!(get("/v3/whatever").status(), 404);

    let task = world.task("wrong-trust").task().clone();
    let refused = get(&format!("/v2/credentials/{}", task.credentials_id));
    assert_eq!(refused.status(), 400);
    assert_eq!(json(&refused)["code"], "NoCredentialsAssociated");
    assert!(
        json(&refused)["message"]
            .as_str()
            .unwrap()
            .contains("ECS was unable to assume the role 'arn:aws:iam::111111111111:role/ec2-only'")
    );
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].decision, "implicit_deny");
    assert!(
        entry.authorizations[0]
            .message
            .starts_with("User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole")
    );

    // The legacy v1 form of the same id.
    let api = world.task("api").task().clone();
    let v1 = get(&format!("/v1/credentials?id={}", api.credentials_id));
    assert_eq!(v1.status(), 200);
    assert_eq!(json(&v1)["RoleArn"], "arn:aws:iam::111111111111:role/api");
}

#[tokio::test]
async fn a_pod_identity_session_carries_the_six_transitive_session_tags() {
    let world = world();
    let pod = world.pod("uploader-0");
    let config = pod.config_loader(&[]).load().await;
    let credentials = config.credentials_provider().unwrap().provide_credentials().await.unwrap();
    assert!(from_container_provider(&credentials), "Pod Identity is the container provider: {credentials:?}");
    let sts = aws_sdk_sts::Client::new(&config);
    let me = sts.get_caller_identity().send().await.unwrap();
    let arn = me.arn().unwrap();
    let session = arn.strip_prefix("arn:aws:sts::111111111111:assumed-role/uploader/").unwrap();
    assert!(session.starts_with("eks-prod-uploader-0-"), "{session}");
    assert_eq!(session.len(), "eks-prod-uploader-0-".len() + 36);

    // The trust policy saw the tags as request tags, both permissions were asked.
    let log = world.access_log();
    let delivered = log.entries().iter().find(|e| e.service == "eks-auth").unwrap();
    assert_eq!(delivered.caller.as_deref(), Some("system:serviceaccount:media:uploader"));
    let actions: Vec<&str> = delivered.authorizations.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["sts:AssumeRole", "sts:TagSession"]);
    let context = &delivered.authorizations[0].context;
    assert_eq!(context["aws:RequestTag/kubernetes-namespace"], ["media"]);
    assert_eq!(context["aws:RequestTag/eks-cluster-arn"], ["arn:aws:eks:us-east-1:111111111111:cluster/prod"]);
    assert_eq!(context["aws:RequestTag/kubernetes-pod-uid"], [pod.pod().uid.clone()]);
    assert_eq!(context["aws:SourceArn"], ["arn:aws:eks:us-east-1:111111111111:cluster/prod"]);

    // The session's tags are its principal tags, and they pass on when it chains: the role's
    // policy allows `media-reader` only from namespace `media`.
    let chained = sts
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/media-reader")
        .role_session_name("reader")
        .send()
        .await
        .unwrap();
    let c = chained.credentials().unwrap();
    let chained = aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "chain",
    );
    let session = world.live().session(chained.access_key_id()).unwrap();
    let iamsim::model::Caller::RoleSession { session, .. } = session.caller else { panic!("a role session") };
    assert_eq!(session.tags["kubernetes-namespace"], "media");
    assert_eq!(session.tags["eks-cluster-name"], "prod");
    assert_eq!(session.transitive_tag_keys.len(), 6);

    let batch = world.pod("uploader-batch").config_loader(&[]).load().await;
    let err = aws_sdk_sts::Client::new(&batch)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/media-reader")
        .role_session_name("reader")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message().unwrap().ends_with("because no identity-based policy allows the sts:AssumeRole action"),
        "{:?}",
        err.message()
    );
}

#[tokio::test]
async fn pod_identity_needs_tag_session_and_a_token() {
    let world = world();
    // The trust policy allows sts:AssumeRole but not sts:TagSession.
    let config = world.pod("untagged").config_loader(&[]).load().await;
    let err = config.credentials_provider().unwrap().provide_credentials().await.unwrap_err();
    // aws-config reports only the status; the agent's text is in the access log.
    assert!(message(&err).contains("StatusCode(400)"), "{}", message(&err));
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.error.as_deref(), Some("AccessDeniedException"));
    assert_eq!(entry.authorizations.len(), 2);
    assert_eq!(entry.authorizations[1].action, "sts:TagSession");
    assert_eq!(entry.authorizations[1].decision, "implicit_deny");

    // The agent's own checks.
    let call = |token: Option<&str>| {
        let mut request = http::Request::get("http://169.254.170.23/v1/credentials");
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let request = WireRequest::new(request.body(Bytes::new()).unwrap(), Origin::in_process());
        let response = iamsim::transport::route(world.live(), &request);
        (response.status().as_u16(), String::from_utf8(response.body().to_vec()).unwrap())
    };
    assert_eq!(call(None), (400, "Service account token cannot be empty\n".to_owned()));
    let (status, text) = call(Some("not-a-jwt"));
    assert_eq!(status, 400);
    assert!(text.starts_with("Service account token cannot be parsed: "), "{text}");
    // An IRSA token has the wrong audience for Pod Identity.
    let irsa = world.pod("app-0").irsa_token();
    let (status, text) = call(Some(&irsa));
    assert_eq!(status, 400);
    assert!(text.contains("(InvalidTokenException)") && text.ends_with(", fault: client\n"), "{text}");
    // A token of a service account without an association.
    let token = iamsim::idp::OidcIssuer::new("oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B", world.model().seed())
        .issue(&iamsim::idp::TokenClaims::new(
            "system:serviceaccount:web:app",
            [iamsim::containers::POD_IDENTITY_AUDIENCE],
            world.clock().now(),
            std::time::Duration::from_secs(600),
        )
        .with_claim("kubernetes.io", serde_json::json!({"namespace": "web", "serviceaccount": {"name": "app"}, "pod": {"name": "app-0", "uid": "u"}})));
    let (status, text) = call(Some(&token));
    assert_eq!(status, 404);
    assert!(text.contains("(ResourceNotFoundException)"), "{text}");
}

#[tokio::test]
async fn pod_identity_over_loopback_with_the_projected_token_file() {
    // It follows the wall clock (an outside process signs with it): its log is no reproducible record.
    let world = world().without_recording();
    world.clock().follow_wall_clock();
    let pod = world.pod("uploader-0");
    let server = world.serve_container_credentials().await.unwrap();
    let uri = format!("{}/v1/credentials", server.endpoint());
    let token = pod.pod_identity_token();
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", iamsim::containers::POD_IDENTITY_TOKEN_FILE),
    ];
    let config = world
        .config_loader(&vars)
        .fs(Fs::from_slice(&[(iamsim::containers::POD_IDENTITY_TOKEN_FILE, token.as_str())]))
        .http_client(plain_http())
        .load()
        .await;
    let credentials = config.credentials_provider().unwrap().provide_credentials().await.unwrap();
    let me = world.sts_client(credentials).get_caller_identity().send().await.unwrap();
    assert!(me.arn().unwrap().contains(":assumed-role/uploader/eks-prod-uploader-0-"));
    server.shutdown().await;
}

#[tokio::test]
async fn irsa_exchanges_the_eks_service_account_token_through_assume_role_with_web_identity() {
    let world = world();
    let pod = world.pod("app-0");
    let env = pod.env();
    assert!(env.iter().any(|(k, v)| k == "AWS_ROLE_ARN" && v == "arn:aws:iam::111111111111:role/irsa-app"));
    let config = pod.config_loader(&[("AWS_ROLE_SESSION_NAME", "app-0")]).load().await;
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/irsa-app/app-0"));
    let exchange =
        world.access_log().entries().iter().find(|e| e.operation == "AssumeRoleWithWebIdentity").cloned().unwrap();
    assert_eq!(
        exchange.authorizations[0].context["oidc.eks.us-east-1.amazonaws.com/id/5C5C1A1E0B1D4A6F8E2B3C4D5E6F7A8B:sub"],
        ["system:serviceaccount:web:app"]
    );

    // Another service account of the same namespace does not match the trust policy's `sub`.
    let stranger = world.pod("stranger").config_loader(&[("AWS_ROLE_SESSION_NAME", "stranger")]).load().await;
    let err = stranger.credentials_provider().unwrap().provide_credentials().await.unwrap_err();
    assert!(message(&err).contains("AccessDenied"), "{}", message(&err));
}

#[test]
fn tasks_clusters_and_pods_are_checked_and_located() {
    let err = World::from_yaml(
        r#"
accounts:
  "111111111111": {}
tasks:
  t: { account: "111111111111", role: ghost, task_id: XYZ }
eks_clusters:
  c: { account: "111111111111", oidc_issuer: oidc.eks.eu-west-1.amazonaws.com/id/ABC }
pods:
  p: { cluster: nope }
  Bad_Name: { cluster: c, pod_identity_role: ghost }
"#,
    )
    .unwrap_err();
    let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
    let expected = [
        "tasks.t.task_id: `XYZ` is not an ECS task id: 32 lowercase hex digits",
        "tasks.t.role: account 111111111111 has no role `ghost`",
        "eks_clusters.c.oidc_issuer: `oidc.eks.eu-west-1.amazonaws.com/id/ABC` is not the OIDC issuer of an EKS cluster in us-east-1: expected `oidc.eks.us-east-1.amazonaws.com/id/ID`",
        "pods.Bad_Name: `Bad_Name` is not a Kubernetes pod name: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
        "pods.Bad_Name.pod_identity_role: account 111111111111 has no role `ghost`",
        "pods.p.cluster: the fixture has no EKS cluster `nope` (in `eks_clusters`)",
    ];
    for e in expected {
        assert!(lines.iter().any(|l| l.ends_with(e)), "missing `{e}` in:\n{}", lines.join("\n"));
    }
    assert_eq!(lines.len(), expected.len(), "{}", lines.join("\n"));
}
