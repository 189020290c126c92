//! Least privilege: which grants of a user or role its logged requests never used, the minimal
//! policy that would have done, and the proof that it does.
//!
//! A *grant* is one `Allow` statement of the principal's identity policies (the user's own and
//! its groups', or the role's) × one action × one resource pattern, with the statement's
//! conditions. Wildcard actions (`s3:Get*`, `s3:*`, `*`, and `NotAction`) are expanded through
//! the action catalog and kept only where the catalog's resource types say the action can act on
//! the pattern ([see `relevance`](self#relevance)). A grant is *used* when a request the log shows
//! allowed names its statement among the engine's reasons and a policy holding only that grant
//! applies to the request. A role's sessions count for the role.
//!
//! The *minimal policy* allows what was used — actions grouped per resource, a wildcard resource
//! narrowed to the resources touched, conditions kept, the `Deny` statements kept — and is
//! *proved*: every logged request of the principal is decided again with the minimal policy in
//! place of its identity policies, and must be decided as the log shows.
//!
//! Statements are numbered from 0, as in every explanation iamsim gives.
//!
//! # Relevance
//!
//! Where the catalog lists an action's resource types, the action is a grant of a pattern only
//! when some ARN of one of those types can match the pattern (object actions for
//! `arn:aws:s3:::photos/*`, bucket actions for `arn:aws:s3:::photos`; actions with no resource
//! type only for `*`). For services the catalog has no resource types for, every expanded
//! action is a grant. A literal action is always a grant, relevant or not.
//!
//! ```
//! use iamsim::World;
//! use serde_json::json;
//! let world = World::builder()
//!     .account("111111111111", |a| a
//!         .managed_policy("ReadPhotos", json!({"Version": "2012-10-17", "Statement": [
//!             {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:DeleteBucket"], "Resource": "arn:aws:s3:::photos"}]}))
//!         .user("alice", |u| u.policy("ReadPhotos")))
//!     .build()?
//!     .without_recording();
//! // No request yet: every grant is unused.
//! let report = world.least_privilege("user/alice");
//! assert_eq!(report.unused().len(), 2);
//! assert_eq!(report.allow("s3:*", "*").unused().len(), 0);
//! # Ok::<(), iamsim::WorldError>(())
//! ```

mod allowlist;
mod grants;
mod minimal;
mod relevance;
mod usage;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

pub use allowlist::{AllowEntry, Allowlist};
pub use grants::Grant;
pub use minimal::{MinimalPolicy, Proof, ProofFailure};

use super::World;
use crate::live::LogEntry;
use usage::{Replayed, Subject};

/// What one principal was granted and used. Built by [`World::least_privilege`] or
/// [`LeastPrivilegeReport::from_log`].
///
/// ```
/// # #[cfg(feature = "sdk")] {
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u.inline_policy("Photos", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::photos/*"}]})))
///         .bucket("photos", |b| b.object("a.jpg", "hello")))
///     .build()?
///     .without_recording();
/// // The application under test: it only ever reads.
/// let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(s3.get_object().bucket("photos").key("a.jpg").send())?;
///
/// let report = world.least_privilege("user/alice");
/// assert_eq!(report.requests(), 1);
/// assert_eq!(report.used().iter().map(|g| g.action.as_str()).collect::<Vec<_>>(), ["s3:GetObject"]);
/// assert_eq!(report.unused().iter().map(|g| g.action.as_str()).collect::<Vec<_>>(), ["s3:DeleteObject"]);
/// report.assert_minimal_policy_proven();
/// // Deleting is intended (a cleanup job the test does not run): allow it, and the check passes.
/// report.allow("s3:DeleteObject", "*").assert_no_unused_grants();
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct LeastPrivilege {
    principal: String,
    /// How many logged requests the principal (or a session of the role) made.
    requests: usize,
    grants: Vec<Grant>,
    #[serde(skip)]
    touched: Vec<BTreeSet<String>>,
    minimal_policy: MinimalPolicy,
    proof: Proof,
    #[serde(skip)]
    allowlist: Allowlist,
}

impl LeastPrivilege {
    fn build(world: &World, subject: &Subject, requests: &[&Replayed], logged: usize) -> LeastPrivilege {
        let usage = usage::usage(subject.granted(world), requests);
        let minimal_policy = minimal::minimal_policy(&usage);
        let proof = minimal::prove(world, subject, &minimal_policy, requests);
        LeastPrivilege {
            principal: subject.arn.clone(),
            requests: logged,
            grants: usage.grants,
            touched: usage.touched,
            minimal_policy,
            proof,
            allowlist: Allowlist::new(),
        }
    }

    /// The user or role ARN.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// How many logged requests the principal made (a role: its sessions), authorized or not.
    /// With none, every grant is unused: nothing exercised the principal.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// Every grant, in policy and statement order.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The grants some logged request used.
    pub fn used(&self) -> Vec<&Grant> {
        self.grants.iter().zip(&self.touched).filter(|(_, t)| !t.is_empty()).map(|(g, _)| g).collect()
    }

    /// The resources logged requests used a grant on (empty for an unused grant).
    pub fn touched(&self, grant: &Grant) -> Vec<&str> {
        let at = self.grants.iter().position(|g| g == grant);
        at.and_then(|i| self.touched.get(i)).map(|t| t.iter().map(String::as_str).collect()).unwrap_or_default()
    }

    /// The grants no logged request used and the allowlist does not name.
    pub fn unused(&self) -> Vec<&Grant> {
        self.unused_all().into_iter().filter(|g| !self.allowlist.allows(g)).collect()
    }

    /// The unused grants the allowlist names.
    pub fn allowed_unused(&self) -> Vec<&Grant> {
        self.unused_all().into_iter().filter(|g| self.allowlist.allows(g)).collect()
    }

    fn unused_all(&self) -> Vec<&Grant> {
        self.grants.iter().zip(&self.touched).filter(|(_, t)| t.is_empty()).map(|(g, _)| g).collect()
    }

    /// Lets unused grants of this principal whose action and resource pattern match these
    /// patterns (`*` and `?`) stay: intended extras.
    #[must_use]
    pub fn allow(mut self, action: &str, resource: &str) -> LeastPrivilege {
        let principal = self.principal.clone();
        self.allowlist.push(&principal, action, resource);
        self
    }

    /// Adds an allowlist (entries for other principals are ignored).
    #[must_use]
    pub fn with_allowlist(mut self, allowlist: &Allowlist) -> LeastPrivilege {
        self.allowlist.extend(allowlist);
        self
    }

    /// The minimal policy: what the logged requests used.
    pub fn minimal_policy(&self) -> &MinimalPolicy {
        &self.minimal_policy
    }

    /// The logged requests decided again with the minimal policy.
    pub fn proof(&self) -> &Proof {
        &self.proof
    }

    /// Fails the test when a grant is unused and not allowed, with the grants as a diff: kept
    /// (used) grants indented, unused ones marked `-`, then the minimal policy.
    #[track_caller]
    pub fn assert_no_unused_grants(&self) {
        let unused = self.unused();
        if !unused.is_empty() {
            panic!("{}", self.diff());
        }
    }

    /// Fails the test when the minimal policy decides a logged request differently.
    #[track_caller]
    pub fn assert_minimal_policy_proven(&self) {
        if !self.proof.holds() {
            let lines: Vec<String> = self.proof.failures.iter().map(|f| format!("  {f}")).collect();
            panic!(
                "the minimal policy of {} does not decide {} logged requests as the log shows:\n{}\nminimal policy:\n{}",
                self.principal,
                lines.len(),
                lines.join("\n"),
                self.minimal_policy
            );
        }
    }

    /// The readable diff of granted against used that [`assert_no_unused_grants`] prints.
    ///
    /// [`assert_no_unused_grants`]: LeastPrivilege::assert_no_unused_grants
    pub fn diff(&self) -> String {
        /// More lines than this of one kind are summarized: `*` expands to thousands.
        const SHOWN: usize = 50;
        let unused = self.unused();
        let mut out = format!(
            "{} has {} unused grant{} (of {}); remove them, or allow intended ones with `.allow(ACTION, RESOURCE)`:\n",
            self.principal,
            unused.len(),
            if unused.len() == 1 { "" } else { "s" },
            self.grants.len()
        );
        let used = self.used();
        for g in used.iter().take(SHOWN) {
            let _ = writeln!(out, "  {g}");
        }
        if used.len() > SHOWN {
            let _ = writeln!(out, "  … and {} more used", used.len() - SHOWN);
        }
        for g in unused.iter().take(SHOWN) {
            let _ = writeln!(out, "- {g}");
        }
        if unused.len() > SHOWN {
            let _ = writeln!(out, "- … and {} more unused", unused.len() - SHOWN);
        }
        let _ = write!(out, "minimal policy:\n{}", self.minimal_policy);
        out
    }
}

/// Least privilege for several principals, from access logs — what `iamsim least-privilege`
/// prints.
///
/// ```
/// # #[cfg(feature = "sdk")] {
/// use iamsim::harness::LeastPrivilegeReport;
/// use serde_json::json;
///
/// let world = iamsim::World::builder()
///     .account("111111111111", |a| a
///         .user("alice", |u| u.inline_policy("Photos", json!({"Version": "2012-10-17", "Statement": [
///             {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::photos/*"}]})))
///         .bucket("photos", |b| b.object("a.jpg", "hello")))
///     .build()?
///     .without_recording();
/// let s3 = world.s3_client(world.user_credentials("111111111111", "alice"));
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(s3.get_object().bucket("photos").key("a.jpg").send())?;
///
/// // What `iamsim least-privilege` does with the recorded log.
/// let log = world.access_log();
/// let report = LeastPrivilegeReport::from_log(&world, log.entries().iter().map(|e| (None, e)), &[])?;
/// assert_eq!(report.principals().len(), 1);
/// assert!(report.has_unused());
/// assert!(report.proven());
/// assert!(report.to_text().contains("unused: arn:aws:iam::111111111111:user/alice s3:DeleteObject on arn:aws:s3:::photos/*"));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct LeastPrivilegeReport {
    principals: Vec<LeastPrivilege>,
}

impl LeastPrivilegeReport {
    /// Examines `principals` (user or role ARNs, or `user/NAME`, `role/NAME`) — or, when none
    /// is given, every user and role of `world` that made a request in the log — against the
    /// logged requests. `entries` pairs each entry with the file it was read from, if any.
    ///
    /// The world should be built from the fixture the logged worlds were built from. A role
    /// session's session policies, tags and MFA are known only to the world that issued it:
    /// from a file, a session's requests are decided again as a plain session of its role, and
    /// those that then come out differently are counted as unreproduced in the proof.
    pub fn from_log<'a>(
        world: &World,
        entries: impl IntoIterator<Item = (Option<&'a str>, &'a LogEntry)>,
        principals: &[&str],
    ) -> Result<LeastPrivilegeReport, String> {
        let wanted: Option<BTreeSet<Subject>> = if principals.is_empty() {
            None
        } else {
            Some(principals.iter().map(|p| Subject::resolve(world.model(), p)).collect::<Result<_, _>>()?)
        };
        Ok(LeastPrivilegeReport::build(world, entries.into_iter().collect(), wanted, false))
    }

    /// Examines every user and role of `world`, whether the log shows a request of it or not:
    /// a principal nothing exercised has [`requests`](LeastPrivilege::requests) 0 and every
    /// grant unused. What the CI gate `iamsim least-privilege` reports without `--principal`.
    ///
    /// ```
    /// use iamsim::harness::LeastPrivilegeReport;
    /// let world = iamsim::World::from_fixture("tests/fixtures/least/photos.yaml")?.without_recording();
    /// let report = LeastPrivilegeReport::every_principal(&world, []);
    /// let names: Vec<&str> = report.principals().iter().map(|p| p.principal()).collect();
    /// assert_eq!(names, ["arn:aws:iam::111111111111:role/reader", "arn:aws:iam::111111111111:user/alice"]);
    /// assert!(report.principals().iter().all(|p| p.requests() == 0));
    /// assert!(report.to_text().starts_with("no requests recorded: arn:aws:iam::111111111111:role/reader (3 grants unused)\n"));
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    pub fn every_principal<'a>(
        world: &World,
        entries: impl IntoIterator<Item = (Option<&'a str>, &'a LogEntry)>,
    ) -> LeastPrivilegeReport {
        LeastPrivilegeReport::build(world, entries.into_iter().collect(), None, true)
    }

    /// The report for `wanted` — or, when `None`, for every principal the log shows (and every
    /// one of the world too when `every`).
    fn build(
        world: &World,
        entries: Vec<(Option<&str>, &LogEntry)>,
        wanted: Option<BTreeSet<Subject>>,
        every: bool,
    ) -> LeastPrivilegeReport {
        let replayed = usage::replay(world, entries.iter().copied(), wanted.as_ref());
        let mut logged: HashMap<&str, usize> = HashMap::new();
        for (_, e) in &entries {
            if let Some(caller) = e.caller.as_deref() {
                *logged.entry(caller).or_insert(0) += 1;
            }
        }
        // Who each logged caller ARN is, once per ARN: a role's sessions count for the role.
        let mut requests: HashMap<Subject, usize> = HashMap::new();
        for (arn, n) in logged {
            if let Ok(s) = Subject::resolve(world.model(), arn) {
                *requests.entry(s).or_insert(0) += n;
            }
        }
        let subjects: BTreeSet<Subject> = match wanted {
            Some(w) => w,
            None if every => Subject::every(world.model()).into_iter().collect(),
            None => replayed.iter().map(|r| r.subject.clone()).collect(),
        };
        let mut subjects: Vec<Subject> = subjects.into_iter().collect();
        subjects.sort_by(|a, b| a.arn.cmp(&b.arn));
        let principals = subjects
            .iter()
            .map(|s| {
                let mine: Vec<&Replayed> = replayed.iter().filter(|r| r.subject == *s).collect();
                LeastPrivilege::build(world, s, &mine, requests.get(s).copied().unwrap_or(0))
            })
            .collect();
        LeastPrivilegeReport { principals }
    }

    /// Applies an allowlist to every principal.
    #[must_use]
    pub fn with_allowlist(self, allowlist: &Allowlist) -> LeastPrivilegeReport {
        LeastPrivilegeReport { principals: self.principals.into_iter().map(|p| p.with_allowlist(allowlist)).collect() }
    }

    /// Each principal's findings, by ARN.
    pub fn principals(&self) -> &[LeastPrivilege] {
        &self.principals
    }

    /// Whether some grant is unused and not allowed.
    pub fn has_unused(&self) -> bool {
        self.principals.iter().any(|p| !p.unused().is_empty())
    }

    fn counts(&self) -> (usize, usize, usize, usize) {
        let sum = |f: &dyn Fn(&LeastPrivilege) -> usize| self.principals.iter().map(f).sum::<usize>();
        (
            sum(&|p| p.grants.len()),
            sum(&|p| p.used().len()),
            sum(&|p| p.unused().len()),
            sum(&|p| p.allowed_unused().len()),
        )
    }

    /// One line per unused grant, `unused: PRINCIPAL ACTION on RESOURCE (POLICY, statement N)`,
    /// then `N principals: G grants, U used, X unused, A unused but allowed` (`1 principal`, `1 grant`). A principal with no
    /// logged request gets one line, `no requests recorded: PRINCIPAL (X grants unused)`,
    /// instead of one per grant (`*` alone would be thousands).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for p in &self.principals {
            let unused = p.unused();
            if p.requests == 0 {
                if !unused.is_empty() {
                    let _ = writeln!(out, "{}", no_requests_line(&p.principal, unused.len()));
                }
                continue;
            }
            for g in unused {
                let _ = writeln!(out, "unused: {} {g}", p.principal);
            }
        }
        let (grants, used, unused, allowed) = self.counts();
        let n = self.principals.len();
        let _ = writeln!(
            out,
            "{n} principal{}: {}, {used} used, {unused} unused, {allowed} unused but allowed",
            if n == 1 { "" } else { "s" },
            n_grants(grants)
        );
        out
    }

    /// The findings as JSON: per principal its unused, allowed and used grants, the minimal
    /// policy and the proof.
    pub fn to_json(&self) -> serde_json::Value {
        let principals: Vec<serde_json::Value> = self
            .principals
            .iter()
            .map(|p| {
                serde_json::json!({
                    "principal": p.principal,
                    "requests": p.requests,
                    "grants": p.grants.len(),
                    "used": p.used(),
                    "unused": p.unused(),
                    "allowed_unused": p.allowed_unused(),
                    "minimal_policy": p.minimal_policy,
                    "proof": p.proof,
                })
            })
            .collect();
        let (grants, used, unused, allowed) = self.counts();
        serde_json::json!({
            "principals": principals,
            "summary": {"principals": self.principals.len(), "grants": grants, "used": used, "unused": unused, "allowed_unused": allowed},
        })
    }

    /// The findings as Markdown, for a CI job summary: a summary line, then a table of unused
    /// grants per principal.
    pub fn to_markdown(&self) -> String {
        let (grants, used, unused, allowed) = self.counts();
        let mut out = String::from("## Least privilege\n\n");
        let verdict = if unused == 0 { "✅ no unused grant" } else { "❌ unused grants" };
        let _ = writeln!(
            out,
            "{verdict}: {} principals, {grants} grants, {used} used, {unused} unused, {allowed} unused but allowed.\n",
            self.principals.len()
        );
        for p in &self.principals {
            let list = p.unused();
            if list.is_empty() {
                continue;
            }
            if p.requests == 0 {
                let _ =
                    writeln!(out, "### `{}`\n\nNo requests recorded: {} unused.\n", p.principal, n_grants(list.len()));
                continue;
            }
            let _ = writeln!(
                out,
                "### `{}`\n\n| action | resource | policy | statement |\n| --- | --- | --- | --- |",
                p.principal
            );
            for g in list {
                let _ = writeln!(out, "| `{}` | `{}` | `{}` | {} |", g.action, g.resource, g.policy, g.statement);
            }
            out.push('\n');
        }
        out
    }

    /// Each principal's minimal policy: a `# PRINCIPAL: proven against N logged requests` line
    /// (or `NOT PROVEN` with each failure, or `no requests recorded`), then the IAM JSON.
    pub fn minimal_text(&self) -> String {
        let mut out = String::new();
        for p in &self.principals {
            let _ = writeln!(out, "# {}: {}", p.principal, proof_line(p));
            for f in &p.proof.failures {
                let _ = writeln!(out, "#   {f}");
            }
            let _ = writeln!(out, "{}", p.minimal_policy);
        }
        out
    }

    /// Each principal's minimal policy and proof, and how many requests it made, as JSON by
    /// principal ARN.
    pub fn minimal_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .principals
            .iter()
            .map(|p| {
                let value = serde_json::json!({"requests": p.requests, "policy": p.minimal_policy, "proof": p.proof});
                (p.principal.clone(), value)
            })
            .collect();
        serde_json::Value::Object(map)
    }

    /// Each principal's minimal policy as Markdown (a heading, the proof, a JSON block).
    pub fn minimal_markdown(&self) -> String {
        let mut out = String::from("## Minimal policies\n\n");
        for p in &self.principals {
            let _ = writeln!(out, "### `{}`\n\n{}\n\n```json\n{}\n```\n", p.principal, proof_line(p), p.minimal_policy);
        }
        out
    }

    /// Whether every principal's minimal policy is proven.
    pub fn proven(&self) -> bool {
        self.principals.iter().all(|p| p.proof.holds())
    }
}

/// `no requests recorded: PRINCIPAL (N grants unused)`; the allowlist reads it back as
/// `PRINCIPAL * *`.
fn no_requests_line(principal: &str, unused: usize) -> String {
    format!("no requests recorded: {principal} ({} unused)", n_grants(unused))
}

/// `1 grant`, `2 grants`.
fn n_grants(n: usize) -> String {
    format!("{n} grant{}", if n == 1 { "" } else { "s" })
}

/// `proven against N logged requests`, `NOT PROVEN: …`, or `no requests recorded` (the minimal
/// policy of a principal nothing exercised allows nothing).
fn proof_line(principal: &LeastPrivilege) -> String {
    let proof = &principal.proof;
    if principal.requests == 0 {
        return "no requests recorded: the minimal policy allows nothing".to_owned();
    }
    let mut line = if proof.holds() {
        format!("proven against {} logged request{}", proof.checked, if proof.checked == 1 { "" } else { "s" })
    } else {
        format!("NOT PROVEN: {} of {} logged requests decided differently", proof.failures.len(), proof.checked)
    };
    if proof.unreproduced > 0 {
        let _ = write!(line, " ({} not reproducible from the log)", proof.unreproduced);
    }
    line
}

impl World {
    /// Least privilege for a user or role of this world, from its access log so far: a user or
    /// role ARN, a role session's ARN, or `user/NAME` / `role/NAME`.
    ///
    /// ```
    /// let world = iamsim::World::from_fixture("tests/fixtures/least/photos.yaml")?.without_recording();
    /// let report = world.least_privilege("role/reader");
    /// assert!(report.used().is_empty());
    /// assert!(report.unused().iter().any(|g| g.action == "s3:GetObject"));
    /// # Ok::<(), iamsim::WorldError>(())
    /// ```
    #[track_caller]
    pub fn least_privilege(&self, principal: &str) -> LeastPrivilege {
        let log = self.access_log();
        let report = match LeastPrivilegeReport::from_log(self, log.entries().iter().map(|e| (None, e)), &[principal]) {
            Ok(r) => r,
            Err(e) => panic!("least privilege: {e}"),
        };
        match report.principals.into_iter().next() {
            Some(p) => p,
            None => panic!("least privilege: `{principal}` names no principal"),
        }
    }
}
