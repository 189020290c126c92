//! Workloads of a world as an application sees them: an EC2 instance with its metadata service,
//! an ECS task and an EKS pod with their credential endpoints and the environment AWS gives them
//! — ready for aws-config's providers and its default chain, in-process or over loopback.

use aws_config::Region;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_smithy_async::rt::sleep::TokioSleep;

use super::World;
use crate::containers::{
    IRSA_TOKEN_FILE, POD_IDENTITY_AUDIENCE, POD_IDENTITY_TOKEN_FILE, POD_IDENTITY_URI, pod_identity_token,
};
use crate::idp::OidcIssuer;
use crate::model::{EksCluster, Instance, Pod, Task};

/// An EC2 instance of a world, from the point of view of software running on it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_credential_types::provider::ProvideCredentials;
/// let world = iamsim::World::from_fixture("examples/fixtures/ec2-s3access.yaml")?;
/// let web = world.instance("web-1");
/// // aws-config's own IMDS provider, talking to the instance's metadata service in-process
/// let credentials = web.credentials_provider().provide_credentials().await?;
/// let me = world.sts_client(credentials).get_caller_identity().send().await?;
/// assert_eq!(me.arn(), Some(format!("arn:aws:sts::111111111111:assumed-role/s3access/{}", web.id()).as_str()));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RunningInstance<'w> {
    world: &'w World,
    instance: &'w Instance,
}

impl<'w> RunningInstance<'w> {
    /// The instance id (`i-…`).
    pub fn id(&self) -> &'w str {
        &self.instance.id
    }

    /// The instance, as the model has it.
    pub fn instance(&self) -> &'w Instance {
        self.instance
    }

    /// The in-process endpoint of its metadata service (`http://ID.imds.iamsim.test/`).
    pub fn imds_endpoint(&self) -> String {
        crate::imds::endpoint(&self.instance.id)
    }

    /// What a provider on the instance is configured with: the world's transport and clock.
    fn provider_config(&self) -> ProviderConfig {
        ProviderConfig::empty()
            .with_http_client(self.world.http_client())
            .with_time_source(self.world.clock().clone())
            .with_sleep_impl(TokioSleep::new())
            .with_region(Some(Region::new(self.instance.region.clone())))
    }

    /// aws-config's IMDS client for this instance, in-process, on the world's clock.
    #[track_caller]
    pub fn imds_client(&self) -> aws_config::imds::Client {
        let builder = aws_config::imds::Client::builder().configure(&self.provider_config());
        match builder.endpoint(self.imds_endpoint()) {
            Ok(builder) => builder.build(),
            Err(e) => panic!("the in-process IMDS endpoint of {} is not a URI: {e}", self.instance.id),
        }
    }

    /// aws-config's `ImdsCredentialsProvider` for this instance: the instance role's credentials
    /// from its metadata service, in-process. It reads only `AWS_EC2_METADATA_DISABLED` from the
    /// process environment (aws-config offers no way to inject it into a standalone provider);
    /// [`RunningInstance::config_loader`] gives the default chain with the environment injected.
    #[track_caller]
    pub fn credentials_provider(&self) -> ImdsCredentialsProvider {
        ImdsCredentialsProvider::builder().configure(&self.provider_config()).imds_client(self.imds_client()).build()
    }

    /// The environment that points an SDK at this instance's in-process metadata service:
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT` and `AWS_EC2_METADATA_DISABLED=false` (worlds disable
    /// IMDS unless told which instance they run on).
    ///
    /// ```
    /// let world = iamsim::World::from_fixture("examples/fixtures/ec2-s3access.yaml")?;
    /// let web = world.instance("web-1");
    /// assert_eq!(web.env()[0], ("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), format!("http://{}.imds.iamsim.test/", web.id())));
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), self.imds_endpoint()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "false".to_owned()),
        ]
    }

    /// What an application on the instance loads its configuration with: [`World::config_loader`]
    /// with [`RunningInstance::env`] and `extra` variables. With no keys in the environment, the
    /// default chain reaches the instance metadata provider.
    #[cfg(feature = "config-loader")]
    pub fn config_loader(&self, extra: &[(&str, &str)]) -> aws_config::ConfigLoader {
        let env = self.env();
        let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vars.extend_from_slice(extra);
        self.world.config_loader(&vars)
    }

    /// Stops rotating the credentials its metadata service hands out, as when EC2's refresh
    /// stalls: the last ones stay, even once expired.
    pub fn pause_credential_rotation(&self) {
        for delivery in ["1.0", "2.0"] {
            self.world.live().pause_credential_rotation(&format!("ec2/{}/{delivery}", self.instance.id), true);
        }
    }

    /// Resumes rotating its credentials.
    pub fn resume_credential_rotation(&self) {
        for delivery in ["1.0", "2.0"] {
            self.world.live().pause_credential_rotation(&format!("ec2/{}/{delivery}", self.instance.id), false);
        }
    }

    /// Serves its metadata service on a loopback port of its own (`127.0.0.1`, a free port), as
    /// `169.254.169.254` answers on the instance: give `server.endpoint() + "/"` as
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`. It stops when dropped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let world = iamsim::World::from_fixture("examples/fixtures/ec2-s3access.yaml")?;
    /// let server = world.instance("web-1").serve_metadata().await?;
    /// let world_server = world.serve().await?;
    /// assert_ne!(server.local_addr(), world_server.local_addr(), "a port of its own");
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "server")]
    pub async fn serve_metadata(&self) -> std::io::Result<crate::transport::Server> {
        self.serve_metadata_on(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves its metadata service on `addr` (`iamsim serve --instance` binds `--host`).
    #[cfg(feature = "server")]
    pub async fn serve_metadata_on(&self, addr: std::net::SocketAddr) -> std::io::Result<crate::transport::Server> {
        let id = self.instance.id.clone();
        let handler: crate::transport::Handler = std::sync::Arc::new(move |live, request| {
            let mut response = crate::imds::handle(live, &id, request);
            crate::transport::dated(live, &mut response);
            response
        });
        crate::transport::Server::start_with(self.world.live_handle(), addr, handler).await
    }
}

/// An ECS task of a world, from the point of view of its containers.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }] } }
/// tasks:
///   api: { account: "111111111111", role: api }
/// "#)?;
/// let task = world.task("api");
/// // the container's start-up code: the default chain finds AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
/// let config = task.config_loader(&[]).load().await;
/// let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await?;
/// assert_eq!(me.arn(), Some(format!("arn:aws:sts::111111111111:assumed-role/api/{}", task.task().task_id).as_str()));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RunningTask<'w> {
    #[cfg_attr(not(feature = "config-loader"), allow(dead_code, reason = "only `config_loader` needs the world"))]
    world: &'w World,
    task: &'w Task,
}

impl<'w> RunningTask<'w> {
    /// The task, as the model has it.
    pub fn task(&self) -> &'w Task {
        self.task
    }

    /// The relative URI of its credentials (`/v2/credentials/ID`).
    pub fn relative_uri(&self) -> String {
        format!("/v2/credentials/{}", self.task.credentials_id)
    }

    /// The environment the ECS agent gives its containers: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
    /// (always resolved against `http://169.254.170.2`), and `AWS_CONTAINER_AUTHORIZATION_TOKEN`
    /// when the task has a token.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI".to_owned(), self.relative_uri())];
        if let Some(token) = &self.task.authorization_token {
            env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(), token.clone()));
        }
        env
    }

    /// The environment for an endpoint reached by a full URI: `base` (an in-process
    /// `http://169.254.170.2` or a loopback server's endpoint) and the relative URI as
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, and the task's token if it has one.
    pub fn full_uri_env(&self, base: &str) -> Vec<(String, String)> {
        let mut env = vec![(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI".to_owned(),
            format!("{}{}", base.trim_end_matches('/'), self.relative_uri()),
        )];
        if let Some(token) = &self.task.authorization_token {
            env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(), token.clone()));
        }
        env
    }

    /// What a container loads its configuration with: [`World::config_loader`] with
    /// [`RunningTask::env`] and `extra`.
    #[cfg(feature = "config-loader")]
    pub fn config_loader(&self, extra: &[(&str, &str)]) -> aws_config::ConfigLoader {
        let env = self.env();
        let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vars.extend_from_slice(extra);
        self.world.config_loader(&vars)
    }
}

/// An EKS pod of a world, from the point of view of its containers: the environment and the
/// projected token files EKS mounts for Pod Identity and for IAM roles for service accounts.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       uploader:
///         trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: pods.eks.amazonaws.com }, Action: [sts:AssumeRole, sts:TagSession] }] }
/// eks_clusters:
///   prod: { account: "111111111111" }
/// pods:
///   uploader-0: { cluster: prod, namespace: media, service_account: uploader, pod_identity_role: uploader }
/// "#)?;
/// let pod = world.pod("uploader-0");
/// let config = pod.config_loader(&[]).load().await;
/// let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await?;
/// assert!(me.arn().unwrap().starts_with("arn:aws:sts::111111111111:assumed-role/uploader/eks-prod-uploader-0-"));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RunningPod<'w> {
    world: &'w World,
    pod: &'w Pod,
    cluster: &'w EksCluster,
}

impl<'w> RunningPod<'w> {
    /// The pod, as the model has it.
    pub fn pod(&self) -> &'w Pod {
        self.pod
    }

    /// Its cluster.
    pub fn cluster(&self) -> &'w EksCluster {
        self.cluster
    }

    fn token(&self, audience: &str) -> String {
        let claims = pod_identity_token(self.pod, audience, self.world.clock().now());
        OidcIssuer::new(&self.cluster.oidc_issuer, self.world.model().seed()).issue(&claims)
    }

    /// The projected token of its Pod Identity volume (audience `pods.eks.amazonaws.com`), issued
    /// now by the cluster.
    pub fn pod_identity_token(&self) -> String {
        self.token(POD_IDENTITY_AUDIENCE)
    }

    /// The projected token for IAM roles for service accounts (audience `sts.amazonaws.com`),
    /// issued now by the cluster.
    pub fn irsa_token(&self) -> String {
        self.token(crate::idp::STS_AUDIENCE)
    }

    /// The environment EKS gives the pod: for a Pod Identity association
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`; for an
    /// IRSA annotation `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and
    /// `AWS_STS_REGIONAL_ENDPOINTS` (EKS User Guide, "Understand how EKS Pod Identity works",
    /// "Configure Pods to use a Kubernetes service account").
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        if self.pod.pod_identity_role.is_some() {
            env.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI".to_owned(), POD_IDENTITY_URI.to_owned()));
            env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".to_owned(), POD_IDENTITY_TOKEN_FILE.to_owned()));
        }
        if let Some(role) = &self.pod.irsa_role {
            let arn = self
                .world
                .model()
                .account(self.cluster.account.as_str())
                .and_then(|a| a.role(role))
                .map(|r| r.arn.to_string());
            env.push(("AWS_ROLE_ARN".to_owned(), arn.unwrap_or_default()));
            env.push(("AWS_WEB_IDENTITY_TOKEN_FILE".to_owned(), IRSA_TOKEN_FILE.to_owned()));
            env.push(("AWS_STS_REGIONAL_ENDPOINTS".to_owned(), "regional".to_owned()));
        }
        env
    }

    /// The token files EKS mounts: `(path, token)` pairs for `aws_types::os_shim_internal::Fs::from_slice`, issued now.
    ///
    /// ```
    /// let world = iamsim::World::from_yaml(r#"
    /// accounts: { "111111111111": { roles: { r: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: pods.eks.amazonaws.com }, Action: [sts:AssumeRole, sts:TagSession] }] } } } } }
    /// eks_clusters: { prod: { account: "111111111111" } }
    /// pods: { web-0: { cluster: prod, pod_identity_role: r } }
    /// "#)?;
    /// let files = world.pod("web-0").files();
    /// assert_eq!(files[0].0, iamsim::containers::POD_IDENTITY_TOKEN_FILE);
    /// assert_eq!(files[0].1.split('.').count(), 3, "a JWT");
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        if self.pod.pod_identity_role.is_some() {
            files.push((POD_IDENTITY_TOKEN_FILE.to_owned(), self.pod_identity_token()));
        }
        if self.pod.irsa_role.is_some() {
            files.push((IRSA_TOKEN_FILE.to_owned(), self.irsa_token()));
        }
        files
    }

    /// What a container of the pod loads its configuration with: [`World::config_loader`] with
    /// [`RunningPod::env`] and `extra`, and [`RunningPod::files`] as its file system.
    #[cfg(feature = "config-loader")]
    pub fn config_loader(&self, extra: &[(&str, &str)]) -> aws_config::ConfigLoader {
        let env = self.env();
        let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vars.extend_from_slice(extra);
        let files = self.files();
        let files: Vec<(&str, &str)> = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.world.config_loader(&vars).fs(aws_types::os_shim_internal::Fs::from_slice(&files))
    }
}

impl World {
    /// An EC2 instance of the world, by fixture name or instance id.
    #[track_caller]
    pub fn instance(&self, name_or_id: &str) -> RunningInstance<'_> {
        match self.model().instance(name_or_id) {
            Some(instance) => RunningInstance { world: self, instance },
            None => {
                let known: Vec<&str> = self.model().instances().map(|i| i.name.as_str()).collect();
                panic!("the world has no instance `{name_or_id}` (it has: {})", known.join(", "))
            }
        }
    }

    /// An ECS task of the world, by fixture name or task id.
    #[track_caller]
    pub fn task(&self, name_or_id: &str) -> RunningTask<'_> {
        match self.model().task(name_or_id) {
            Some(task) => RunningTask { world: self, task },
            None => panic!("the world has no ECS task `{name_or_id}`"),
        }
    }

    /// An EKS pod of the world, by name.
    #[track_caller]
    pub fn pod(&self, name: &str) -> RunningPod<'_> {
        let found = self.model().pod(name).and_then(|pod| Some((pod, self.model().eks_cluster(&pod.cluster)?)));
        match found {
            Some((pod, cluster)) => RunningPod { world: self, pod, cluster },
            None => panic!("the world has no EKS pod `{name}`"),
        }
    }

    /// Serves the credential endpoints of containers — the ECS agent (`/v2/credentials/ID`) and
    /// the EKS Pod Identity agent (`/v1/credentials`) — on a loopback port (`127.0.0.1`, a free
    /// port), for processes given `AWS_CONTAINER_CREDENTIALS_FULL_URI`. It stops when dropped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?;
    /// let agents = world.serve_container_credentials().await?;
    /// let pod_identity_uri = format!("{}/v1/credentials", agents.endpoint());
    /// assert!(pod_identity_uri.starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "server")]
    pub async fn serve_container_credentials(&self) -> std::io::Result<crate::transport::Server> {
        let handler: crate::transport::Handler = std::sync::Arc::new(|live, request| {
            let mut response = crate::containers::handle(live, request);
            crate::transport::dated(live, &mut response);
            response
        });
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        crate::transport::Server::start_with(self.live_handle(), addr, handler).await
    }
}
