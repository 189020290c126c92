//! `iamsim serve`: a world on loopback for other processes.

use std::io::Write;
use std::process::ExitCode;

use iamsim::World;
use iamsim::arn::Arn;

use super::{Failure, ServeArgs};

const SEED_WORLD: &str = include_str!("seed-world.yaml");

pub(crate) fn run(args: &ServeArgs) -> Result<ExitCode, Failure> {
    let world = match &args.fixture {
        Some(path) => World::from_fixture(path).map_err(|e| Failure::world(&e))?,
        None => World::from_yaml(SEED_WORLD).map_err(|e| Failure::found(format!("the built-in seed world: {e}")))?,
    };
    // Clients sign with the machine's clock: a served world follows real time.
    world.clock().follow_wall_clock();
    // `--log FILE` is the served world's record; a test suite's recording directory
    // (IAMSIM_RECORD_DIR, inherited by a server a test spawns) is for the tests' own worlds.
    let world = world.without_recording();
    let credentials = credentials_for(&world, args.principal.as_deref())?;
    if let Some(instance) = &args.instance
        && world.model().instance(instance).is_none()
    {
        return Err(format!("--instance `{instance}`: the world has no such instance").into());
    }
    let log_file = match &args.log {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        ),
        None => None,
    };
    let log_file = std::sync::Mutex::new(log_file);
    world.live().observe(move |entry| {
        eprintln!("{entry}");
        let mut file = log_file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = file.as_mut()
            && let Ok(line) = serde_json::to_string(entry)
        {
            let _ = writeln!(file, "{line}");
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::found(e.to_string()))?;
    runtime.block_on(async move {
        let addr = std::net::SocketAddr::new(args.host, args.port);
        let server = iamsim::transport::Server::start(world.live_handle(), addr)
            .await
            .map_err(|e| Failure::found(format!("cannot listen on {addr}: {e}")))?;
        // The instance's metadata service, on a port of its own: as `169.254.169.254` is the
        // instance's alone.
        let metadata = match &args.instance {
            Some(instance) => {
                let addr = std::net::SocketAddr::new(args.host, 0);
                Some(
                    world
                        .instance(instance)
                        .serve_metadata_on(addr)
                        .await
                        .map_err(|e| Failure::found(format!("cannot listen on {addr}: {e}")))?,
                )
            }
            None => None,
        };
        let (key, secret, token) = credentials;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "export AWS_ENDPOINT_URL={}", server.endpoint());
        let _ = writeln!(out, "export AWS_REGION={}", iamsim::harness::DEFAULT_REGION);
        // boto3 and AWS CLI v1 read the region only from AWS_DEFAULT_REGION: without this line
        // they refuse to run ("You must specify a region").
        let _ = writeln!(out, "export AWS_DEFAULT_REGION={}", iamsim::harness::DEFAULT_REGION);
        let _ = writeln!(out, "export AWS_ACCESS_KEY_ID={key}");
        let _ = writeln!(out, "export AWS_SECRET_ACCESS_KEY={secret}");
        if let Some(token) = token {
            let _ = writeln!(out, "export AWS_SESSION_TOKEN={token}");
        }
        if let Some(metadata) = &metadata {
            let _ = writeln!(out, "export AWS_EC2_METADATA_SERVICE_ENDPOINT={}/", metadata.endpoint());
        }
        let _ = out.flush();
        drop(out);
        wait_for_stop().await;
        server.shutdown().await;
        if let Some(metadata) = metadata {
            metadata.shutdown().await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The key, secret and token `--as` names.
fn credentials_for(world: &World, principal: Option<&str>) -> Result<(String, String, Option<String>), String> {
    let model = world.model();
    let Some(text) = principal else {
        let user = model
            .accounts()
            .flat_map(|a| a.users.values().map(move |u| (a, u)))
            .find(|(_, u)| u.access_keys.iter().any(|k| k.active));
        let Some((account, user)) = user else {
            return Err("the world has no user with an active access key: name a role or root with --as".to_owned());
        };
        let c = world.user_credentials(account.id.as_str(), &user.name);
        return Ok((c.access_key_id().to_owned(), c.secret_access_key().to_owned(), None));
    };
    let arn: Arn = text.parse().map_err(|e| format!("--as `{text}`: {e}"))?;
    let account = arn.account().to_owned();
    if model.account(&account).is_none() {
        return Err(format!("--as `{text}`: the world has no account `{account}`"));
    }
    let resource = arn.resource();
    let name = resource.rsplit('/').next().unwrap_or_default();
    if arn.service() == "iam" && resource == "root" {
        let c = world.root_credentials(&account);
        return Ok((c.access_key_id().to_owned(), c.secret_access_key().to_owned(), None));
    }
    let acct = model.account(&account).ok_or_else(|| format!("no account `{account}`"))?;
    if arn.service() == "iam" && resource.starts_with("user/") {
        let user = acct.user(name).filter(|u| u.arn == arn).ok_or_else(|| format!("--as `{text}`: no such user"))?;
        if !user.access_keys.iter().any(|k| k.active) {
            return Err(format!("--as `{text}`: the user has no active access key"));
        }
        let c = world.user_credentials(&account, &user.name);
        return Ok((c.access_key_id().to_owned(), c.secret_access_key().to_owned(), None));
    }
    if arn.service() == "iam" && resource.starts_with("role/") {
        let role = acct.role(name).filter(|r| r.arn == arn).ok_or_else(|| format!("--as `{text}`: no such role"))?;
        let c = world.role_session_credentials(&account, &role.name, "iamsim-serve");
        return Ok((
            c.access_key_id().to_owned(),
            c.secret_access_key().to_owned(),
            c.session_token().map(str::to_owned),
        ));
    }
    Err(format!("--as `{text}`: expected a user, role or account root ARN"))
}
