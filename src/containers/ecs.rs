//! The ECS agent's task credentials endpoint: `GET /v2/credentials/ID` (and the older
//! `/v1/credentials?id=ID`), where ID is the credentials id the agent gave the task.

use bytes::Bytes;

use super::{CREDENTIALS_LIFETIME, Reply, respond, trust};
use crate::live::{Authorization, Delivered, Live, Mint, SessionKind};
use crate::model::{Caller, SessionDetails, Task};
use crate::policy::Context;
use crate::wire::WireRequest;

/// The service principal that assumes task roles.
pub(crate) const ECS_TASKS_SERVICE: &str = "ecs-tasks.amazonaws.com";

/// The agent's error document: `{"code":…,"message":…}`.
fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: Bytes::from(serde_json::json!({"code": code, "message": message}).to_string()),
        content_type: "application/json",
        caller: None,
        error: Some(code.to_owned()),
        authorizations: Vec::new(),
    }
}

pub(super) fn handle(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let n = live.next_request();
    let head = request.parts.method == http::Method::HEAD;
    let path = request.path();
    let (operation, reply) = if request.parts.method != http::Method::GET && !head {
        ("GetCredentials", error(405, "MethodNotAllowed", "only GET is supported"))
    } else if let Some(rest) = path.strip_prefix("/v2/credentials") {
        let id = rest.strip_prefix('/').unwrap_or(rest);
        ("GetCredentials", credentials(live, request, id, "CredentialsV2Request: "))
    } else if path == "/v1/credentials" {
        let id = request.query().split('&').find_map(|p| p.strip_prefix("id=")).unwrap_or_default();
        ("GetCredentials", credentials(live, request, id, "CredentialsV1Request: "))
    } else {
        // The agent's router: Go's `404 page not found`.
        let reply = Reply {
            status: 404,
            body: Bytes::from_static(b"404 page not found\n"),
            content_type: "text/plain; charset=utf-8",
            caller: None,
            error: Some("NotFound".to_owned()),
            authorizations: Vec::new(),
        };
        ("GetCredentials", reply)
    };
    respond(live, n, "ecs-agent", operation, reply, head)
}

fn credentials(live: &Live, request: &WireRequest, id: &str, prefix: &str) -> Reply {
    if id.is_empty() {
        return error(400, "NoIdInRequest", &format!("{prefix}No ID in the request"));
    }
    let Some(task) = live.model().tasks().find(|t| t.credentials_id == id && t.role.is_some()) else {
        return error(400, "InvalidIdInRequest", &format!("{prefix}ID not found"));
    };
    // The ECS agent itself reads no `Authorization` header. A task given a token in the fixture
    // stands for an endpoint reached by a full URI with `AWS_CONTAINER_AUTHORIZATION_TOKEN`,
    // which iamsim checks the way the SDKs send it: the header's whole value.
    if let Some(expected) = &task.authorization_token {
        let given = request.header("authorization").unwrap_or_default();
        if given != expected {
            let mut reply =
                error(401, "Unauthorized", &format!("{prefix}the Authorization header is not the task's token"));
            reply.caller = Some(task.arn.clone());
            return reply;
        }
    }
    deliver(live, task)
}

fn deliver(live: &Live, task: &Task) -> Reply {
    let Some(role) = task.role.as_deref().and_then(|r| live.model().account(task.account.as_str())?.role(r)) else {
        return error(400, "InvalidIdInRequest", "CredentialsV2Request: ID not found");
    };
    let role_arn = role.arn.to_string();
    // ECS passes the task's account and ARN, so trust policies can guard against the confused
    // deputy (ECS Developer Guide, "Task IAM role": `aws:SourceAccount`, `aws:SourceArn`).
    let mut context = Context::new();
    context.set("aws:SourceAccount", [task.account.as_str().to_owned()]);
    context.set("aws:SourceArn", [task.arn.clone()]);
    let mut authorizations = Vec::new();
    let delivered = live.delivered_credentials(&format!("ecs/{}", task.task_id), || {
        let decision = trust(live, ECS_TASKS_SERVICE, "sts:AssumeRole", &role_arn, &context).ok_or(())?;
        authorizations.push(Authorization::new(&decision, &context));
        if !decision.is_allowed() {
            return Err(());
        }
        let session =
            SessionDetails { name: task.task_id.clone(), issued_at: Some(live.now()), ..SessionDetails::default() };
        let caller =
            Caller::RoleSession { account: task.account.as_str().to_owned(), role: role.name.clone(), session };
        Ok(Mint { kind: SessionKind::AssumeRole, caller, lifetime_secs: CREDENTIALS_LIFETIME })
    });
    let mut reply = match delivered {
        Ok(delivered) => {
            let body = delivered.document(|d: &Delivered| {
                let c = &d.session.credentials;
                let json = serde_json::json!({
                    "RoleArn": role_arn,
                    "AccessKeyId": c.access_key_id,
                    "SecretAccessKey": c.secret_access_key,
                    "Token": c.session_token,
                    "Expiration": crate::clock::format_rfc3339(c.expiration),
                });
                Bytes::from(json.to_string())
            });
            Reply {
                status: 200,
                body,
                content_type: "application/json",
                caller: None,
                error: None,
                authorizations: Vec::new(),
            }
        }
        // What ECS reports when it cannot assume a task role (a task event, since the task does
        // not start); the agent has no credentials for the id.
        Err(()) => error(
            400,
            "NoCredentialsAssociated",
            &format!(
                "CredentialsV2Request: ECS was unable to assume the role '{role_arn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
            ),
        ),
    };
    reply.caller = Some(task.arn.clone());
    reply.authorizations = authorizations;
    reply
}
