//! Worlds from fixture files and text: the loader's located errors and the model's validation,
//! reported together as `FILE:LINE:COL: PATH: message`.

use std::path::Path;

use super::{World, WorldError, WorldProblem};
use crate::fixtures::{self, FixtureError, LoadedFixture};
use crate::model::Model;
use crate::policy::Severity;

fn located(e: FixtureError, severity: Severity) -> WorldProblem {
    WorldProblem { severity, location: Some((e.file, e.line, e.column)), path: e.path, message: e.message }
}

fn from_loaded(loaded: Result<LoadedFixture, Vec<FixtureError>>) -> Result<World, WorldError> {
    let loaded = loaded.map_err(|errors| {
        let unreadable = errors.iter().any(FixtureError::is_unreadable);
        let problems = errors.into_iter().map(|e| located(e, Severity::Error)).collect();
        if unreadable { WorldError::unreadable(problems) } else { WorldError::new(problems) }
    })?;
    World::from_model_result(Model::build(&loaded.fixture), |p| {
        let severity = p.severity;
        located(loaded.error_at(&p.path, p.message), severity)
    })
}

impl World {
    /// Loads a world from a YAML or JSON fixture file. Policies may be written inline or as
    /// files relative to the fixture; every problem is reported with its file, line, column and
    /// path.
    ///
    /// ```
    /// let world = iamsim::World::from_fixture("examples/fixtures/photo-sharing.yaml")?;
    /// world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::photos/alice/beach.jpg").assert_allowed();
    /// world.user("111111111111", "alice").can("s3:GetObject").on("arn:aws:s3:::photos/bob/cat.jpg").assert_denied();
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn from_fixture(path: impl AsRef<Path>) -> Result<World, WorldError> {
        from_loaded(fixtures::load_file(path))
    }

    /// Loads a world from YAML fixture text (file references are not allowed: there is no
    /// directory to resolve them against).
    ///
    /// ```
    /// let err = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    users:\n      alice: { groups: [devs] }\n").unwrap_err();
    /// assert_eq!(err.to_string(), "<yaml>:4:25: accounts.111111111111.users.alice.groups[0]: account 111111111111 has no group `devs`");
    /// ```
    pub fn from_yaml(text: &str) -> Result<World, WorldError> {
        from_loaded(fixtures::load_yaml(text))
    }

    /// Loads a world from JSON fixture text.
    pub fn from_json(text: &str) -> Result<World, WorldError> {
        from_loaded(fixtures::load_json(text))
    }
}

#[cfg(feature = "import")]
impl World {
    /// Builds a world from the JSON of `aws iam get-account-authorization-details` (one dump per
    /// account), so a real account's IAM can be tested offline. What the import dropped or
    /// adjusted is returned with the world.
    ///
    /// ```
    /// let dump = r#"{"UserDetailList": [{"UserName": "alice", "Path": "/", "UserId": "AIDAEXAMPLEUSERID01",
    ///     "Arn": "arn:aws:iam::111111111111:user/alice", "CreateDate": "2019-12-18 19:10:08+00:00",
    ///     "AttachedManagedPolicies": [{"PolicyName": "AmazonS3ReadOnlyAccess",
    ///                                  "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]}]}"#;
    /// let (world, warnings) = iamsim::World::from_authorization_details(&[dump])?;
    /// assert!(warnings.is_empty());
    /// let alice = world.model().account("111111111111").unwrap().user("alice").unwrap();
    /// assert_eq!(alice.id, "AIDAEXAMPLEUSERID01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_authorization_details(dumps: &[&str]) -> Result<(World, Vec<String>), Box<dyn std::error::Error>> {
        let outcome = fixtures::from_authorization_details_many(dumps)?;
        let warnings = outcome.warnings.iter().map(ToString::to_string).collect();
        Ok((World::from_fixture_data(&outcome.fixture)?, warnings))
    }
}
