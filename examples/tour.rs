//! A tour of iamsim: the seed scenarios, each a fixture world (`examples/fixtures/*.yaml`), and
//! the questions a reviewer would ask about them, answered as AWS would, with the explanation
//! behind each answer.
//!
//! ```text
//! cargo run --example tour                  # the built-in seed scenarios
//! cargo run --example tour -- FIXTURE.yaml  # who can do what in your own fixture
//! ```

use std::process::ExitCode;

use iamsim::{Outcome, World};

#[path = "scenarios/report.rs"]
mod report;
#[path = "scenarios/mod.rs"]
mod scenarios;

/// One question: who asks, what, on which resource, with which extra context, and the answer
/// AWS gives.
struct Ask {
    question: &'static str,
    who: Who,
    action: &'static str,
    resource: &'static str,
    context: &'static [(&'static str, &'static str)],
    expect: Outcome,
}

enum Who {
    User(&'static str, &'static str),
    Role(&'static str, &'static str, &'static str),
    Service(&'static str),
}

struct Scenario {
    title: &'static str,
    fixture: &'static str,
    asks: Vec<Ask>,
}

const DEV: &str = "111111111111";
const PROD: &str = "222222222222";

fn ask(question: &'static str, who: Who, action: &'static str, resource: &'static str, expect: Outcome) -> Ask {
    Ask { question, who, action, resource, context: &[], expect }
}

fn scenarios() -> Vec<Scenario> {
    use Outcome::{Allow, ExplicitDeny, ImplicitDeny};
    vec![
        Scenario {
            title: "An EC2 role reads S3",
            fixture: include_str!("fixtures/ec2-s3access.yaml"),
            asks: vec![
                ask(
                    "May the EC2 service assume s3access for an instance?",
                    Who::Service("ec2.amazonaws.com"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/s3access",
                    Allow,
                ),
                ask(
                    "May the Lambda service assume it?",
                    Who::Service("lambda.amazonaws.com"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/s3access",
                    ImplicitDeny,
                ),
                ask(
                    "Can the instance's session read app-data/report.csv?",
                    Who::Role(DEV, "s3access", "i-web-1"),
                    "s3:GetObject",
                    "arn:aws:s3:::app-data/report.csv",
                    Allow,
                ),
                ask(
                    "Can it overwrite the report?",
                    Who::Role(DEV, "s3access", "i-web-1"),
                    "s3:PutObject",
                    "arn:aws:s3:::app-data/report.csv",
                    ImplicitDeny,
                ),
            ],
        },
        Scenario {
            title: "Dev to Prod: Alice assumes WriteAccess",
            fixture: include_str!("fixtures/cross-account.yaml"),
            asks: vec![
                ask(
                    "May Alice (Dev) assume WriteAccess in Prod?",
                    Who::User(DEV, "alice"),
                    "sts:AssumeRole",
                    "arn:aws:iam::222222222222:role/WriteAccess",
                    Allow,
                ),
                ask(
                    "May Bob, trusted by Prod but with no policy of his own?",
                    Who::User(DEV, "bob"),
                    "sts:AssumeRole",
                    "arn:aws:iam::222222222222:role/WriteAccess",
                    ImplicitDeny,
                ),
                ask(
                    "May Alice's session upload a release?",
                    Who::Role(PROD, "WriteAccess", "alice"),
                    "s3:PutObject",
                    "arn:aws:s3:::prod-releases/v2.tar.gz",
                    Allow,
                ),
                ask(
                    "May it delete an old one?",
                    Who::Role(PROD, "WriteAccess", "alice"),
                    "s3:DeleteObject",
                    "arn:aws:s3:::prod-releases/v1.tar.gz",
                    ImplicitDeny,
                ),
            ],
        },
        Scenario {
            title: "A role that needs MFA",
            fixture: include_str!("fixtures/mfa-assume-role.yaml"),
            asks: vec![
                ask(
                    "May Alice assume admin with her access keys alone?",
                    Who::User(DEV, "alice"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/admin",
                    ImplicitDeny,
                ),
                Ask {
                    context: &[("aws:MultiFactorAuthPresent", "true")],
                    ..ask(
                        "May she from an MFA-authenticated session?",
                        Who::User(DEV, "alice"),
                        "sts:AssumeRole",
                        "arn:aws:iam::111111111111:role/admin",
                        Allow,
                    )
                },
            ],
        },
        Scenario {
            title: "Trust policies: a service, a user, an account, an account but one",
            fixture: include_str!("fixtures/trust-policies.yaml"),
            asks: vec![
                ask(
                    "May EC2 assume ec2-app?",
                    Who::Service("ec2.amazonaws.com"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/ec2-app",
                    Allow,
                ),
                ask(
                    "May Alice, named by deployer's trust policy, assume it without a policy of her own?",
                    Who::User(DEV, "alice"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/deployer",
                    Allow,
                ),
                ask(
                    "May Alice assume ops, which trusts the account but grants her nothing?",
                    Who::User(DEV, "alice"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/ops",
                    ImplicitDeny,
                ),
                ask(
                    "May Bob, whose policy allows it?",
                    Who::User(DEV, "bob"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/ops",
                    Allow,
                ),
                ask(
                    "May Mallory assume ops-no-mallory?",
                    Who::User(DEV, "mallory"),
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/ops-no-mallory",
                    ExplicitDeny,
                ),
            ],
        },
        Scenario {
            title: "Photo sharing: everyone in their own folder",
            fixture: include_str!("fixtures/photo-sharing.yaml"),
            asks: vec![
                ask(
                    "May Alice read photos/alice/beach.jpg?",
                    Who::User(DEV, "alice"),
                    "s3:GetObject",
                    "arn:aws:s3:::photos/alice/beach.jpg",
                    Allow,
                ),
                ask(
                    "May Alice read photos/bob/cat.jpg?",
                    Who::User(DEV, "alice"),
                    "s3:GetObject",
                    "arn:aws:s3:::photos/bob/cat.jpg",
                    ImplicitDeny,
                ),
                Ask {
                    context: &[("s3:prefix", "bob/")],
                    ..ask(
                        "May Bob list his prefix?",
                        Who::User(DEV, "bob"),
                        "s3:ListBucket",
                        "arn:aws:s3:::photos",
                        Allow,
                    )
                },
                Ask {
                    context: &[("s3:prefix", "alice/")],
                    ..ask(
                        "May Bob list Alice's?",
                        Who::User(DEV, "bob"),
                        "s3:ListBucket",
                        "arn:aws:s3:::photos",
                        ImplicitDeny,
                    )
                },
            ],
        },
        Scenario {
            title: "A group with an AWS managed policy",
            fixture: include_str!("fixtures/group-managed-policy.yaml"),
            asks: vec![
                ask(
                    "May Carol (developers) read app-data/report.csv?",
                    Who::User(DEV, "carol"),
                    "s3:GetObject",
                    "arn:aws:s3:::app-data/report.csv",
                    Allow,
                ),
                ask(
                    "May she delete it?",
                    Who::User(DEV, "carol"),
                    "s3:DeleteObject",
                    "arn:aws:s3:::app-data/report.csv",
                    ImplicitDeny,
                ),
            ],
        },
    ]
}

fn main() -> ExitCode {
    match std::env::args().nth(1) {
        Some(path) => matrix(&path),
        None => tour(),
    }
}

fn tour() -> ExitCode {
    let (mut asked, mut surprises) = (0, 0);
    for scenario in scenarios() {
        println!("== {}", scenario.title);
        let world = match World::from_yaml(scenario.fixture) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        for a in &scenario.asks {
            let asker = match a.who {
                Who::User(account, name) => world.user(account, name),
                Who::Role(account, role, session) => world.role(account, role).session_name(session),
                Who::Service(name) => world.service(name),
            };
            let asker = a.context.iter().fold(asker, |asker, (k, v)| asker.with_context(k, v));
            let decision = asker.can(a.action).on(a.resource);
            asked += 1;
            println!("{}", a.question);
            println!("  => {}: {decision}", decision.outcome());
            for line in decision.explanation().lines() {
                println!("     {line}");
            }
            if decision.outcome() != a.expect {
                surprises += 1;
                println!("  !! expected {}", a.expect);
            }
        }
        println!();
    }
    println!("{asked} questions, {} answered as AWS would", asked - surprises);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (calls, call_surprises) = runtime.block_on(live_sts());
    println!("{calls} STS calls through aws-sdk-sts, {} answered as AWS would", calls - call_surprises);
    let (s3_calls, s3_surprises) = runtime.block_on(live_s3());
    println!("{s3_calls} S3 calls through aws-sdk-s3, {} answered as AWS would", s3_calls - s3_surprises);
    let (steps, imds_surprises) = runtime.block_on(live_imds());
    println!("{steps} instance metadata steps, {} answered as AWS would", steps - imds_surprises);
    println!();
    let reports = runtime.block_on(scenarios::run_all());
    println!();
    println!("Seed scenarios, each through real SDK clients (cargo run --example NAME runs one):");
    let mut scenario_failures = 0;
    for (name, report) in &reports {
        match report {
            Ok(report) => {
                print!("  {name}: {report}");
                scenario_failures += usize::from(!report.passed());
            }
            Err(e) => {
                println!("  {name}: could not run: {e}");
                scenario_failures += 1;
            }
        }
    }
    println!("{} scenarios, {} passed", reports.len(), reports.len() - scenario_failures);
    if surprises == 0 && call_surprises == 0 && s3_surprises == 0 && imds_surprises == 0 && scenario_failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The seed's central story, live: the application on web-1 reads its instance role's
/// credentials from the instance metadata service — as `curl` does it (token first), then as
/// aws-config does it — and uses them with aws-sdk-sts.
async fn live_imds() -> (usize, usize) {
    use aws_credential_types::provider::ProvideCredentials;
    use aws_sdk_sts::error::ProvideErrorMetadata;

    println!();
    println!("== Live: EC2 instance role s3access gets credentials via IMDS and reads S3");
    let mut results = Vec::new();
    let Ok(world) = World::from_yaml(include_str!("fixtures/ec2-s3access.yaml")) else { return (1, 1) };
    let web = world.instance("web-1");
    let endpoint = web.imds_endpoint();

    // TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"`
    let request = |method: &str, path: &str, header: (&str, &str)| {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{}", endpoint.trim_end_matches('/'), path))
            .header(header.0, header.1)
            .body(bytes::Bytes::new());
        request.map(|r| {
            iamsim::transport::route(
                world.live(),
                &iamsim::wire::WireRequest::new(r, iamsim::wire::Origin::in_process()),
            )
        })
    };
    println!("curl -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600'");
    let token = match request("PUT", "/latest/api/token", ("x-aws-ec2-metadata-token-ttl-seconds", "21600")) {
        Ok(response) if response.status() == 200 => String::from_utf8_lossy(response.body()).into_owned(),
        _ => return (1, 1),
    };
    println!("  => a session token for {} ({} characters)", web.id(), token.len());
    let path = "/latest/meta-data/iam/security-credentials/s3access";
    println!("curl -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254{path}");
    let document = request("GET", path, ("x-aws-ec2-metadata-token", &token))
        .ok()
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(r.body()).ok())
        .unwrap_or_default();
    let field = |name: &str| document.get(name).and_then(|v| v.as_str()).unwrap_or("?").to_owned();
    let code = field("Code");
    println!("  => Code {code}, AccessKeyId {}, Expiration {}", field("AccessKeyId"), field("Expiration"));
    results.push(code == "Success");

    // What the SDK does on the instance: aws-config's IMDS provider, then STS with its credentials.
    match web.credentials_provider().provide_credentials().await {
        Ok(credentials) => {
            let sts = world.sts_client(credentials.clone());
            match sts.get_caller_identity().send().await {
                Ok(me) => {
                    let arn = me.arn().unwrap_or_default().to_owned();
                    println!("aws-config's ImdsCredentialsProvider, then GetCallerIdentity");
                    println!("  => {arn}");
                    results.push(arn.ends_with(&format!("assumed-role/s3access/{}", web.id())));
                }
                Err(e) => {
                    println!("  !! GetCallerIdentity failed: {}", e.message().unwrap_or_default());
                    results.push(false);
                }
            }
            println!("AssumeRole on s3access itself, with the instance's credentials");
            match sts
                .assume_role()
                .role_arn("arn:aws:iam::111111111111:role/s3access")
                .role_session_name("again")
                .send()
                .await
            {
                Ok(_) => {
                    println!("  !! expected a refusal");
                    results.push(false);
                }
                Err(e) => {
                    println!("  => {}: {}", e.code().unwrap_or("error"), e.message().unwrap_or_default());
                    results.push(e.code() == Some("AccessDenied"));
                }
            }
            // And what the application is for: reading its bucket, and nothing more.
            let s3 = aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&world.sdk_config(credentials)).force_path_style(true).build(),
            );
            println!("s3 GetObject app-data/report.csv with the instance's credentials");
            match s3.get_object().bucket("app-data").key("report.csv").send().await {
                Ok(object) => {
                    let size = object.content_length().unwrap_or_default();
                    println!("  => {size} bytes");
                    results.push(size > 0);
                }
                Err(e) => {
                    println!("  !! {}", e.message().unwrap_or_default());
                    results.push(false);
                }
            }
            println!("s3 DeleteObject app-data/report.csv with the instance's credentials");
            match s3.delete_object().bucket("app-data").key("report.csv").send().await {
                Ok(_) => {
                    println!("  !! expected a refusal");
                    results.push(false);
                }
                Err(e) => {
                    println!("  => {}: {}", e.code().unwrap_or("error"), e.message().unwrap_or_default());
                    results.push(e.code() == Some("AccessDenied"));
                }
            }
        }
        Err(e) => {
            println!("  !! no credentials from IMDS: {e}");
            results.push(false);
        }
    }
    (results.len(), results.iter().filter(|ok| !**ok).count())
}

/// One `AssumeRole` call through a real aws-sdk-sts client, printed with its outcome. Returns
/// whether the outcome was the expected one.
async fn assume(world: &World, user: &str, role_arn: &str, mfa: bool, expect_allowed: bool) -> bool {
    let account =
        world.model().accounts().find(|a| a.user(user).is_some()).map(|a| a.id.to_string()).unwrap_or_default();
    let sts = world.sts_client(world.user_credentials(&account, user));
    let mut call = sts.assume_role().role_arn(role_arn).role_session_name(user);
    if mfa {
        call = call.serial_number(world.mfa_serial(&account, user)).token_code(world.mfa_code(&account, user));
    }
    let with = if mfa { " with an MFA code" } else { "" };
    println!("{user} calls AssumeRole{with} on {role_arn}");
    let allowed = match call.send().await {
        Ok(out) => {
            let arn = out.assumed_role_user().map(|u| u.arn().to_owned()).unwrap_or_default();
            println!("  => allowed: a session {arn}");
            true
        }
        Err(e) => {
            use aws_sdk_sts::error::ProvideErrorMetadata;
            println!("  => {}: {}", e.code().unwrap_or("error"), e.message().unwrap_or_default());
            false
        }
    };
    if allowed != expect_allowed {
        println!("  !! expected {}", if expect_allowed { "a session" } else { "a refusal" });
    }
    allowed == expect_allowed
}

/// The seed scenarios' STS steps, live: real SDK calls, signed, authorized by the same worlds.
async fn live_sts() -> (usize, usize) {
    println!();
    println!("== Live: the same worlds answer aws-sdk-sts");
    let mut results = Vec::new();
    if let Ok(world) = World::from_yaml(include_str!("fixtures/cross-account.yaml")) {
        results.push(assume(&world, "alice", "arn:aws:iam::222222222222:role/WriteAccess", false, true).await);
        results.push(assume(&world, "bob", "arn:aws:iam::222222222222:role/WriteAccess", false, false).await);
    }
    if let Ok(world) = World::from_yaml(include_str!("fixtures/mfa-assume-role.yaml")) {
        results.push(assume(&world, "alice", "arn:aws:iam::111111111111:role/admin", false, false).await);
        results.push(assume(&world, "alice", "arn:aws:iam::111111111111:role/admin", true, true).await);
    }
    if let Ok(world) = World::from_yaml(include_str!("fixtures/trust-policies.yaml")) {
        results.push(assume(&world, "alice", "arn:aws:iam::111111111111:role/deployer", false, true).await);
        results.push(assume(&world, "bob", "arn:aws:iam::111111111111:role/ops-no-mallory", false, true).await);
        results.push(assume(&world, "mallory", "arn:aws:iam::111111111111:role/ops-no-mallory", false, false).await);
    }
    (results.len(), results.iter().filter(|ok| !**ok).count())
}

/// One S3 call through a real aws-sdk-s3 client, printed with its outcome (the object's text
/// for a read). Returns whether the outcome was the expected one.
async fn s3_call(s3: &aws_sdk_s3::Client, who: &str, call: S3Call, expect_allowed: bool) -> bool {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    use aws_sdk_s3::primitives::ByteStream;
    let result: Result<String, (String, String)> = match call {
        S3Call::Get(bucket, key) => {
            println!("{who} reads s3://{bucket}/{key}");
            match s3.get_object().bucket(bucket).key(key).send().await {
                Ok(object) => match object.body.collect().await {
                    Ok(data) => Ok(format!("{:?}", String::from_utf8_lossy(&data.into_bytes()))),
                    Err(e) => Err(("body".to_owned(), e.to_string())),
                },
                Err(e) => Err((e.code().unwrap_or("error").to_owned(), e.message().unwrap_or_default().to_owned())),
            }
        }
        S3Call::Put(bucket, key, text) => {
            println!("{who} writes s3://{bucket}/{key}");
            let put = s3.put_object().bucket(bucket).key(key).body(ByteStream::from_static(text.as_bytes()));
            match put.send().await {
                Ok(out) => Ok(format!("stored, ETag {}", out.e_tag().unwrap_or_default())),
                Err(e) => Err((e.code().unwrap_or("error").to_owned(), e.message().unwrap_or_default().to_owned())),
            }
        }
        S3Call::List(bucket, prefix) => {
            println!("{who} lists s3://{bucket}/{prefix}");
            match s3.list_objects_v2().bucket(bucket).prefix(prefix).send().await {
                Ok(out) => Ok(format!("{:?}", out.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>())),
                Err(e) => Err((e.code().unwrap_or("error").to_owned(), e.message().unwrap_or_default().to_owned())),
            }
        }
    };
    let allowed = match result {
        Ok(what) => {
            println!("  => allowed: {what}");
            true
        }
        Err((code, message)) => {
            println!("  => {code}: {message}");
            false
        }
    };
    if allowed != expect_allowed {
        println!("  !! expected {}", if expect_allowed { "success" } else { "a refusal" });
    }
    allowed == expect_allowed
}

#[derive(Clone, Copy)]
enum S3Call {
    Get(&'static str, &'static str),
    Put(&'static str, &'static str, &'static str),
    List(&'static str, &'static str),
}

/// The seed scenarios against live S3: the same worlds, real aws-sdk-s3 clients whose
/// credentials are the users' keys or sessions issued by the world's STS.
async fn live_s3() -> (usize, usize) {
    use S3Call::{Get, List, Put};
    println!();
    println!("== Live: the same worlds answer aws-sdk-s3");
    let mut results = Vec::new();
    if let Ok(world) = World::from_yaml(include_str!("fixtures/photo-sharing.yaml")) {
        let alice = world.s3_client(world.user_credentials(DEV, "alice"));
        results.push(s3_call(&alice, "alice", Get("photos", "alice/beach.jpg"), true).await);
        results.push(s3_call(&alice, "alice", Put("photos", "alice/sunset.jpg", "(a sunset)"), true).await);
        results.push(s3_call(&alice, "alice", List("photos", "alice/"), true).await);
        results.push(s3_call(&alice, "alice", Get("photos", "bob/cat.jpg"), false).await);
        results.push(s3_call(&alice, "alice", List("photos", "bob/"), false).await);
    }
    if let Ok(world) = World::from_yaml(include_str!("fixtures/cross-account.yaml")) {
        let sts = world.sts_client(world.user_credentials(DEV, "alice"));
        let assumed = sts
            .assume_role()
            .role_arn("arn:aws:iam::222222222222:role/WriteAccess")
            .role_session_name("alice")
            .send()
            .await;
        match assumed.ok().and_then(|out| out.credentials) {
            Some(c) => {
                println!("alice assumed arn:aws:iam::222222222222:role/WriteAccess");
                let credentials = aws_credential_types::Credentials::new(
                    c.access_key_id,
                    c.secret_access_key,
                    Some(c.session_token),
                    None,
                    "AssumeRole",
                );
                let prod = world.s3_client(credentials);
                let who = "alice (as WriteAccess)";
                results.push(s3_call(&prod, who, Put("prod-releases", "v1.0.0/app.tar.gz", "release"), true).await);
                results.push(s3_call(&prod, who, Get("prod-releases", "v1.0.0/app.tar.gz"), true).await);
            }
            None => {
                println!("alice could not assume WriteAccess");
                results.push(false);
            }
        }
        let bob = world.s3_client(world.user_credentials(DEV, "bob"));
        results.push(s3_call(&bob, "bob", Put("prod-releases", "v1.0.0/app.tar.gz", "tampered"), false).await);
    }
    if let Ok(world) = World::from_yaml(include_str!("fixtures/ec2-s3access.yaml")) {
        // The instance's session, issued by the world's STS as EC2 obtains it (IMDS comes later).
        let instance = world.s3_client(world.role_session_credentials(DEV, "s3access", "i-web-1"));
        let who = "the instance web-1 (role s3access)";
        results.push(s3_call(&instance, who, Get("app-data", "report.csv"), true).await);
        results.push(s3_call(&instance, who, List("app-data", ""), true).await);
        results.push(s3_call(&instance, who, Put("app-data", "report.csv", "tampered"), false).await);
    }
    (results.len(), results.iter().filter(|ok| !**ok).count())
}

/// Who can do what in a fixture: for every user and role, listing each bucket and reading,
/// writing and deleting each of its objects.
fn matrix(path: &str) -> ExitCode {
    let world = match World::from_fixture(path) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for w in world.warnings() {
        eprintln!("{w}");
    }
    let model = world.model();
    let summary = |allowed: Vec<&str>| if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") };
    for account in model.accounts() {
        let askers = account
            .users
            .keys()
            .map(|u| (format!("user {u}"), world.user(&account.id, u)))
            .chain(account.roles.keys().map(|r| (format!("role {r}"), world.role(&account.id, r))));
        for (label, asker) in askers {
            println!("{} {label}:", account.id);
            for bucket in model.buckets() {
                let bucket_arn = format!("arn:aws:s3:::{}", bucket.name);
                let list = asker.can("s3:ListBucket").on(&bucket_arn).is_allowed();
                println!("  {}: {}", bucket.name, if list { "s3:ListBucket" } else { "cannot list" });
                for key in bucket.objects.keys() {
                    let arn = format!("{bucket_arn}/{key}");
                    let allowed = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
                        .into_iter()
                        .filter(|a| asker.can(a).on(&arn).is_allowed())
                        .collect();
                    println!("    {key}: {}", summary(allowed));
                }
            }
        }
    }
    ExitCode::SUCCESS
}
