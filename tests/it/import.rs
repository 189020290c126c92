//! Importing `aws iam get-account-authorization-details` dumps as fixtures: the library function,
//! the `iamsim import authz-details` command, and the messy parts of real dumps.
//!
//! The sample dumps under `tests/fixtures/authz/` follow the IAM API reference's response shape:
//! `dev-cli.json` as the AWS CLI prints it (documents decoded to JSON objects), `raw-api.json` as
//! the raw API and the Rust SDK return it (documents URL-encoded), and `multi-*.json` two accounts
//! with a cross-account role.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is a failure"
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use iamsim::Policy;
use iamsim::fixtures::{
    Fixture, ImportErrorKind, ImportOutcome, InstanceProfileFixture, ManagedPolicyFixture, PolicySource,
    from_authorization_details, from_authorization_details_many, load_yaml,
};
use iamsim::model::Model;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use serde_json::{Value, json};

const DEV_CLI: &str = "tests/fixtures/authz/dev-cli.json";
const RAW_API: &str = "tests/fixtures/authz/raw-api.json";
const MULTI_DEV: &str = "tests/fixtures/authz/multi-dev.json";
const MULTI_PROD: &str = "tests/fixtures/authz/multi-prod.json";

fn sample(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn import(paths: &[&str]) -> ImportOutcome {
    let texts: Vec<String> = paths.iter().map(|p| sample(p)).collect();
    let dumps: Vec<&str> = texts.iter().map(String::as_str).collect();
    from_authorization_details_many(&dumps).unwrap()
}

fn warnings(outcome: &ImportOutcome) -> Vec<String> {
    outcome.warnings.iter().map(ToString::to_string).collect()
}

fn yaml(fixture: &Fixture) -> String {
    serde_saphyr::to_string(fixture).unwrap()
}

/// The error message for a dump, as the library reports it.
fn import_error(dump: &Value) -> String {
    from_authorization_details(&dump.to_string()).unwrap_err().to_string()
}

fn document(source: &PolicySource) -> &Value {
    match source {
        PolicySource::Inline(doc) => doc,
        PolicySource::File(path) => panic!("the importer wrote a policy file reference `{path}`"),
    }
}

/// Every policy document of a fixture, named by where it is.
fn documents(fixture: &Fixture) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (id, account) in &fixture.accounts {
        for (name, user) in &account.users {
            out.extend(user.inline_policies.iter().map(|(p, d)| (format!("{id} user {name} {p}"), document(d))));
        }
        for (name, group) in &account.groups {
            out.extend(group.inline_policies.iter().map(|(p, d)| (format!("{id} group {name} {p}"), document(d))));
        }
        for (name, role) in &account.roles {
            out.push((format!("{id} role {name} trust"), document(&role.trust)));
            out.extend(role.inline_policies.iter().map(|(p, d)| (format!("{id} role {name} {p}"), document(d))));
        }
        out.extend(account.policies.iter().map(|(p, m)| (format!("{id} policy {p}"), document(m.document()))));
    }
    out.extend(fixture.aws_managed_policies.iter().map(|(p, d)| (format!("aws policy {p}"), document(d))));
    out
}

#[track_caller]
fn assert_every_policy_parses(fixture: &Fixture) {
    for (place, doc) in documents(fixture) {
        if let Err(e) = Policy::from_value(doc.clone()) {
            panic!("{place}: {e}\n{doc:#}");
        }
    }
}

#[track_caller]
fn assert_yaml_round_trips(fixture: &Fixture) {
    let loaded = load_yaml(&yaml(fixture)).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap();
    assert_eq!(&loaded.fixture, fixture);
}

fn snapshot(name: &str, outcome: &ImportOutcome) {
    // Snapshots live in the top-level `snapshots/` folder, as for every test of the crate.
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("import__{name}"), yaml(&outcome.fixture));
    });
}

#[test]
fn a_cli_dump_of_a_dev_account_becomes_a_fixture() {
    let outcome = import(&[DEV_CLI]);
    snapshot("dev_cli", &outcome);
    assert_eq!(
        warnings(&outcome),
        [
            // AdministratorAccess is attached without a document, but iamsim ships it.
            "UserDetailList[1].GroupList[1]: user `bob` is in group `contractors`, which is not in the dump: membership dropped",
        ]
    );
    let dev = &outcome.fixture.accounts["111111111111"];
    assert_eq!(dev.users["bob"].permissions_boundary.as_deref(), Some("DevBoundary"));
    assert_eq!(dev.users["alice"].path.as_deref(), Some("/engineering/"));
    assert_eq!(dev.users["alice"].access_keys, None, "the world generates the key");
    assert_eq!(dev.roles["web-server"].instance_profile, Some(InstanceProfileFixture::Enabled(true)));
    // The AWS managed policy listed with 3 versions keeps its default one (v3).
    let s3_read = document(&outcome.fixture.aws_managed_policies["AmazonS3ReadOnlyAccess"]);
    assert_eq!(s3_read["Statement"][0]["Action"][2], "s3:Describe*");
    // A customer managed policy with two versions keeps its default one (v2).
    let developer = dev.policies["DeveloperAccess"].document();
    assert_eq!(document(developer)["Statement"][0]["Resource"], "arn:aws:s3:::dev-artifacts/*");
    // Without id, description or path, a customer managed policy is just its document.
    assert!(matches!(dev.policies["DevBoundary"], ManagedPolicyFixture::Document(_)));
    assert!(matches!(
        &dev.policies["AppDataAccess"],
        ManagedPolicyFixture::Detailed { path: Some(p), description: Some(_), .. } if p == "/app/"
    ));
}

#[test]
fn a_raw_api_dump_with_url_encoded_documents_becomes_a_fixture() {
    let outcome = import(&[RAW_API]);
    snapshot("raw_api", &outcome);
    assert_eq!(
        warnings(&outcome),
        [
            "UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn: user `legacy-ftp`: policy `arn:aws:iam::999999999999:policy/OrgBoundary` belongs to account `999999999999`, not `333333333333`: kept as an ARN, which iamsim cannot resolve",
            "UserDetailList[1].UserId: user `auditor`: `AIDA5EXAMPLE` is not a valid unique id: 16 to 128 letters, digits or underscores: dropped, the world generates one",
            "UserDetailList[1].AttachedManagedPolicies[1]: user `auditor`: policy `AuditReports` is not in the dump's `Policies`: the fixture names it but does not define it",
            "RoleDetailList[1].AssumeRolePolicyDocument.Statement[0].Principal.AWS[1]: role `break-glass` trusts `AROAJ3EXAMPLEDELETED1`, the unique id IAM leaves in place of a deleted principal: kept, it matches no principal of the fixture",
            "RoleDetailList[1].AssumeRolePolicyDocument.Statement[0].Principal.AWS: role `break-glass` trusts account `999999999999`, which is not among the imported accounts",
            "RoleDetailList[1].AssumeRolePolicyDocument.Statement[1].Principal.AWS: role `break-glass` trusts `AIDAI4EXAMPLEDELETED2`, the unique id IAM leaves in place of a deleted principal: kept, it matches no principal of the fixture",
            "RoleDetailList[2].InstanceProfileList: role `batch-worker` is in 2 instance profiles; a fixture holds one: kept `batch-worker-v2`, dropped `batch-worker`",
            "RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Principal.Federated: role `github-deploy` trusts `arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com`, and the dump does not list identity providers: added under `oidc_providers` as `token.actions.githubusercontent.com`, with the audiences that the `aud` conditions of the trust policies naming it allow",
            "UserDetailList[1].AttachedManagedPolicies[0]: AWS managed policy `arn:aws:iam::aws:policy/SecurityAudit` is attached, but the dump has no document for it and iamsim does not ship it: define it under `aws_managed_policies` (a dump without `--filter` lists it)",
        ]
    );
    let sandbox = &outcome.fixture.accounts["333333333333"];
    // Ids that are not `AIDA…`-shaped are kept as given; one IAM could not have issued is dropped.
    assert_eq!(sandbox.users["legacy-ftp"].id.as_deref(), Some("LEGACYUSER0000000001"));
    assert_eq!(sandbox.groups["uploaders"].id.as_deref(), Some("AGPA_OLD_STYLE_GROUP1"));
    assert_eq!(sandbox.users["auditor"].id, None);
    // The OIDC provider the trust policy names exists in the account: it is added, with the
    // audience its `aud` condition allows.
    assert_eq!(sandbox.oidc_providers["token.actions.githubusercontent.com"].audiences, ["sts.amazonaws.com"]);
    // `%20` is a space and a raw `+` a plus sign (RFC 3986, as botocore decodes).
    let ftp = document(&sandbox.users["legacy-ftp"].inline_policies["FtpBucket"]);
    assert_eq!(ftp["Statement"][0]["Resource"], "arn:aws:s3:::ftp-drop/c++ builds/*");
    assert_eq!(ftp["Statement"][0]["Condition"]["StringEquals"]["s3:ExistingObjectTag/project"], "Blue Moon");
    // A service-linked role keeps its path; its AWS managed policy is keyed with its path.
    let support = &sandbox.roles["AWSServiceRoleForSupport"];
    assert_eq!(support.path.as_deref(), Some("/aws-service-role/support.amazonaws.com/"));
    assert!(outcome.fixture.aws_managed_policies.contains_key("aws-service-role/AWSSupportServiceRolePolicy"));
    // The trust policy keeps the session ARN, the external account, and the unique ids IAM
    // left in place of deleted principals (they match no one, as in AWS).
    let trust = document(&sandbox.roles["break-glass"].trust);
    assert_eq!(
        trust["Statement"],
        json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": ["arn:aws:sts::333333333333:assumed-role/admin/jane", "AROAJ3EXAMPLEDELETED1", "arn:aws:iam::999999999999:root"]},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Sid": "FormerOperator", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "AIDAI4EXAMPLEDELETED2"}}])
    );
    assert_eq!(
        sandbox.roles["batch-worker"].instance_profile,
        Some(InstanceProfileFixture::Named("batch-worker-v2".to_owned()))
    );
}

#[test]
fn two_accounts_merge_into_one_fixture_with_a_cross_account_role() {
    let outcome = import(&[MULTI_DEV, MULTI_PROD]);
    snapshot("multi_account", &outcome);
    // The prod role trusts dev: dev is imported too, so nothing to warn about. Both dumps list
    // ReadOnlyAccess with the same default document.
    assert_eq!(warnings(&outcome), Vec::<String>::new());
    assert_eq!(outcome.fixture.accounts.keys().collect::<Vec<_>>(), ["111111111111", "222222222222"]);
    let deploy = &outcome.fixture.accounts["222222222222"].roles["deploy"];
    assert_eq!(deploy.policies, ["DeployAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert_eq!(deploy.permissions_boundary.as_deref(), Some("DeployAccess"));

    // Alone, the prod dump trusts an account outside the import.
    let prod = import(&[MULTI_PROD]);
    assert_eq!(
        warnings(&prod),
        [
            "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Principal.AWS: role `deploy` trusts account `111111111111`, which is not among the imported accounts"
        ]
    );
}

/// The two sample dumps merged into one file, list by list, as tools that collect many
/// accounts write them.
fn merged(paths: &[&str]) -> Value {
    let mut out = json!({});
    for path in paths {
        let dump: Value = serde_json::from_str(&sample(path)).unwrap();
        for list in ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"] {
            let items = dump[list].as_array().cloned().unwrap_or_default();
            match out[list].as_array_mut() {
                Some(all) => all.extend(items),
                None => out[list] = Value::Array(items),
            }
        }
    }
    out
}

#[test]
fn a_dump_of_two_accounts_places_each_entity_in_the_account_its_arn_names() {
    let outcome = from_authorization_details(&merged(&[MULTI_DEV, MULTI_PROD]).to_string()).unwrap();
    // The same fixture as from one dump per account, with exactly one warning more.
    assert_eq!(outcome.fixture, import(&[MULTI_DEV, MULTI_PROD]).fixture);
    assert_eq!(
        warnings(&outcome),
        [
            "the dump holds 2 accounts, `111111111111` and `222222222222`: each user, group, role and policy is placed in the account its `Arn` names (one without an `Arn` in `111111111111`)"
        ]
    );
    assert_eq!(outcome.warnings[0].input, 0);
    Model::build(&outcome.fixture).unwrap();
}

#[test]
fn a_dump_of_three_accounts_keeps_names_references_and_groups_per_account() {
    let doc = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
    let policy = |account: &str, action: &str| {
        json!({"PolicyName": "Shared", "Arn": format!("arn:aws:iam::{account}:policy/Shared"),
               "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc(action)}]})
    };
    let attach =
        |account: &str| json!([{"PolicyName": "Shared", "PolicyArn": format!("arn:aws:iam::{account}:policy/Shared")}]);
    let dump = json!({
        "UserDetailList": [
            {"UserName": "ann", "Arn": "arn:aws:iam::111111111111:user/ann", "GroupList": ["ops"], "AttachedManagedPolicies": attach("111111111111")},
            {"UserName": "ann", "Arn": "arn:aws:iam::333333333333:user/ann", "GroupList": ["ops"], "AttachedManagedPolicies": attach("333333333333")},
            {"UserName": "nobody-knows", "GroupList": []}
        ],
        "GroupDetailList": [{"GroupName": "ops", "Arn": "arn:aws:iam::111111111111:group/ops"}],
        "RoleDetailList": [{"RoleName": "deploy", "Arn": "arn:aws:iam::222222222222:role/deploy",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::333333333333:user/ann"}, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": attach("222222222222")}],
        "Policies": [policy("111111111111", "s3:GetObject"), policy("222222222222", "s3:PutObject"), policy("333333333333", "s3:ListBucket")]
    });
    let outcome = from_authorization_details(&dump.to_string()).unwrap();
    let fixture = &outcome.fixture;
    assert_eq!(fixture.accounts.keys().collect::<Vec<_>>(), ["111111111111", "222222222222", "333333333333"]);
    let (a, b, c) =
        (&fixture.accounts["111111111111"], &fixture.accounts["222222222222"], &fixture.accounts["333333333333"]);
    // The same policy name in three accounts: three policies, each with its own document, and
    // each identity refers to its own account's by name.
    let action = |account: &iamsim::fixtures::AccountFixture| {
        document(account.policies["Shared"].document())["Statement"][0]["Action"].clone()
    };
    assert_eq!(
        (action(a), action(b), action(c)),
        (json!("s3:GetObject"), json!("s3:PutObject"), json!("s3:ListBucket"))
    );
    assert_eq!(a.users["ann"].policies, ["Shared"]);
    assert_eq!(c.users["ann"].policies, ["Shared"]);
    assert_eq!(b.roles["deploy"].policies, ["Shared"]);
    // Group membership is per account: `ops` exists only in the first. A user without an ARN
    // goes to the first account.
    assert_eq!(a.users["ann"].groups, ["ops"]);
    assert!(c.users["ann"].groups.is_empty());
    assert!(a.users.contains_key("nobody-knows"));
    assert!(b.users.is_empty() && c.groups.is_empty());
    assert_eq!(
        warnings(&outcome),
        [
            "the dump holds 3 accounts, `111111111111`, `333333333333` and `222222222222`: each user, group, role and policy is placed in the account its `Arn` names (one without an `Arn` in `111111111111`)",
            "UserDetailList[1].GroupList[0]: user `ann` is in group `ops`, which is not in the dump: membership dropped",
        ]
    );
    // The cross-account trust resolves: the world knows the user in the third account.
    Model::build(fixture).unwrap();
}

#[test]
fn every_imported_policy_parses_and_the_yaml_reads_back() {
    for paths in [&[DEV_CLI][..], &[RAW_API], &[MULTI_DEV, MULTI_PROD]] {
        let outcome = import(paths);
        assert_every_policy_parses(&outcome.fixture);
        assert_yaml_round_trips(&outcome.fixture);
    }
}

#[test]
fn pages_of_one_account_are_merged() {
    let mut page1: Value = serde_json::from_str(&sample(DEV_CLI)).unwrap();
    let mut page2 = json!({"IsTruncated": false});
    page2["RoleDetailList"] = page1["RoleDetailList"].take();
    page2["Policies"] = page1["Policies"].take();
    page1["IsTruncated"] = json!(true);
    page1["Marker"] = json!("AAE0ZXhhbXBsZQ==");
    let (page1, page2) = (page1.to_string(), page2.to_string());
    let outcome = from_authorization_details_many(&[&page1, &page2]).unwrap();
    assert_eq!(outcome.fixture, import(&[DEV_CLI]).fixture);
    assert_eq!(
        warnings(&outcome)[0],
        "IsTruncated: the dump is one page of several: pass every page (they are merged), or run the AWS CLI without `--max-items`"
    );
    assert_eq!(outcome.warnings[0].input, 0);
}

#[test]
fn missing_keys_odd_dates_and_unknown_keys_are_tolerated() {
    let dump = json!({
        "UserDetailList": [
            {"Arn": "arn:aws:iam::444455556666:user/ops/carol", "CreateDate": "yesterday", "Surprise": [1, 2]},
            {"UserName": "dave", "UserId": 42, "GroupList": null}
        ],
        "GroupDetailList": null,
        "RoleDetailList": [{"RoleName": "bare", "CreateDate": 1_576_696_208}],
        "Policies": [{"PolicyName": "Empty", "PolicyVersionList": []}],
        "SomethingNew": {"a": 1}
    });
    let err = from_authorization_details(&dump.to_string()).unwrap_err();
    assert_eq!(err.to_string(), "UserDetailList[1].UserId: expected a string");

    let mut dump = dump;
    dump["UserDetailList"][1]["UserId"] = Value::Null;
    let outcome = from_authorization_details(&dump.to_string()).unwrap();
    let account = &outcome.fixture.accounts["444455556666"];
    assert_eq!(account.users.keys().collect::<Vec<_>>(), ["carol", "dave"]);
    assert_eq!(document(&account.roles["bare"].trust), &json!({"Version": "2012-10-17", "Statement": []}));
    assert_eq!(
        warnings(&outcome),
        [
            "Policies[0].PolicyVersionList: policy `Empty` has no default version document: skipped",
            "RoleDetailList[0]: role `bare` has no `AssumeRolePolicyDocument`: its trust policy trusts no one",
        ]
    );
}

#[test]
fn documents_may_be_objects_json_text_or_url_encoded() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let object: Value = serde_json::from_str(trust).unwrap();
    for form in [object.clone(), json!(trust), json!(format!("  \n{trust}")), json!(encoded)] {
        let dump = json!({"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
            "AssumeRolePolicyDocument": form}]});
        let outcome = from_authorization_details(&dump.to_string()).unwrap();
        assert_eq!(document(&outcome.fixture.accounts["111122223333"].roles["r"].trust), &object);
    }
}

#[test]
fn invalid_input_is_reported_with_its_json_path() {
    let role = |doc: Value| json!({"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": doc}]});
    let cases = [
        (
            role(json!("%7B%zz%7D")),
            "RoleDetailList[0].AssumeRolePolicyDocument: not valid URL-encoded JSON: `%zz` at byte 3 is not a percent-escape",
        ),
        (
            role(json!("%7B%22a")),
            "RoleDetailList[0].AssumeRolePolicyDocument: not valid URL-encoded JSON: the decoded text is not JSON (EOF while parsing a string at line 1 column 3)",
        ),
        (
            role(json!("%5B%5D")),
            "RoleDetailList[0].AssumeRolePolicyDocument: expected a policy document (a JSON object)",
        ),
        (
            role(json!("{\"Version\": ")),
            "RoleDetailList[0].AssumeRolePolicyDocument: not valid JSON text: EOF while parsing a value at line 1 column 12",
        ),
        (
            role(json!(7)),
            "RoleDetailList[0].AssumeRolePolicyDocument: expected a policy document: a JSON object, JSON text or URL-encoded JSON",
        ),
        (
            role(
                json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Resourse": "*"}]}),
            ),
            "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Resourse: unknown field `Resourse`, did you mean `Resource`?",
        ),
        (json!({"UserDetailList": {}}), "UserDetailList: expected an array"),
        (json!({"UserDetailList": ["alice"]}), "UserDetailList[0]: expected an object"),
        (json!([]), "expected a JSON object"),
        (json!({}), "no account id found: no user, group, role or customer managed policy has an `Arn` naming one"),
        (
            json!({"Policies": [{"Arn": "arn:aws:iam::111122223333:policy/P", "PolicyVersionList": [
                {"VersionId": "v1", "IsDefaultVersion": "yes", "Document": {}}]}]}),
            "Policies[0].PolicyVersionList[0].IsDefaultVersion: expected a boolean",
        ),
    ];
    for (dump, expected) in cases {
        assert_eq!(import_error(&dump), expected, "{dump}");
    }
    assert_eq!(
        from_authorization_details("{").unwrap_err().to_string(),
        "not valid JSON: EOF while parsing an object at line 1 column 1"
    );
    assert_eq!(from_authorization_details_many(&[]).unwrap_err().kind, ImportErrorKind::NoInput);
    let err = from_authorization_details_many(&[&sample(DEV_CLI), "{}"]).unwrap_err();
    assert_eq!((err.input, err.kind), (1, ImportErrorKind::NoAccount));
}

#[test]
fn the_default_version_is_found_by_flag_then_by_id_then_alone() {
    let doc = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
    let policy = |default: Value, versions: Value| {
        json!({"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u"}],
               "Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "DefaultVersionId": default,
                             "PolicyVersionList": versions}]})
    };
    let chosen = |dump: Value| {
        let outcome = from_authorization_details(&dump.to_string()).unwrap();
        document(outcome.fixture.accounts["111122223333"].policies["P"].document())["Statement"][0]["Action"].clone()
    };
    let by_flag = policy(
        json!("v1"),
        json!([{"VersionId": "v1", "Document": doc("s3:A")}, {"VersionId": "v2", "IsDefaultVersion": true, "Document": doc("s3:B")}]),
    );
    assert_eq!(chosen(by_flag), "s3:B");
    let by_id = policy(
        json!("v2"),
        json!([{"VersionId": "v1", "Document": doc("s3:A")}, {"VersionId": "v2", "Document": doc("s3:B")}]),
    );
    assert_eq!(chosen(by_id), "s3:B");
    let alone = policy(Value::Null, json!([{"Document": doc("s3:C")}]));
    assert_eq!(chosen(alone), "s3:C");
}

/// Runs the command with `stdin` as its standard input: (stdout, stderr, exit code).
fn iamsim(args: &[&str], stdin: &str) -> (String, String, i32) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap(), out.status.code().unwrap_or(-1))
}

fn temp_file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-import-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_command_prints_yaml_on_stdout_and_warnings_on_stderr() {
    let (out, err, code) = iamsim(&["import", "authz-details", MULTI_DEV, MULTI_PROD], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, yaml(&import(&[MULTI_DEV, MULTI_PROD]).fixture));
    assert_eq!(err, "");

    let (out, err, code) = iamsim(&["import", "authz-details", RAW_API], "");
    assert_eq!(code, 0);
    assert_eq!(out, yaml(&import(&[RAW_API]).fixture));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(
        lines[6],
        "warning: tests/fixtures/authz/raw-api.json: RoleDetailList[2].InstanceProfileList: role `batch-worker` is in 2 instance profiles; a fixture holds one: kept `batch-worker-v2`, dropped `batch-worker`"
    );
}

#[test]
fn the_command_reads_a_dump_from_stdin() {
    let (out, err, code) = iamsim(&["import", "authz-details", "-"], &sample(DEV_CLI));
    assert_eq!(code, 0);
    assert_eq!(out, yaml(&import(&[DEV_CLI]).fixture));
    assert!(err.starts_with("warning: stdin: UserDetailList[1].GroupList[1]: user `bob`"), "{err}");
}

#[test]
fn the_command_exits_2_naming_the_file_and_the_json_path() {
    let mut dump: Value = serde_json::from_str(&sample(RAW_API)).unwrap();
    dump["RoleDetailList"][3]["AssumeRolePolicyDocument"] = json!("%7B%22Version%22%3A%2");
    let bad = temp_file("bad", "dump.json", &dump.to_string());
    let bad = bad.display().to_string();
    let (out, err, code) = iamsim(&["import", "authz-details", MULTI_DEV, &bad], "");
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "error: {bad}: RoleDetailList[3].AssumeRolePolicyDocument: not valid URL-encoded JSON: `%2` at byte 19 is not a percent-escape\n"
        )
    );
    assert_eq!(code, 2);

    let (out, err, code) = iamsim(&["import", "authz-details", "tests/fixtures/authz/missing.json"], "");
    assert_eq!(out, "");
    assert!(err.starts_with("error: tests/fixtures/authz/missing.json: "), "{err}");
    assert_eq!(code, 2);

    let empty = temp_file("empty", "empty.json", "");
    let (_, err, code) = iamsim(&["import", "authz-details", &empty.display().to_string()], "");
    assert_eq!(
        err,
        format!("error: {}: not valid JSON: EOF while parsing a value at line 1 column 0\n", empty.display())
    );
    assert_eq!(code, 2);
}

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            "[ -~]{0,12}",
            "%[0-9A-Fa-fz+]{0,4}",
            "arn:aws:iam::(111122223333|aws|9{12}|x):(user|role|policy|group)/[a-z/]{0,6}",
            "A(IDA|ROA)[A-Z0-9]{16}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("UserDetailList".to_owned()),
            Just("RoleDetailList".to_owned()),
            Just("GroupDetailList".to_owned()),
            Just("Policies".to_owned()),
            Just("Arn".to_owned()),
            Just("AssumeRolePolicyDocument".to_owned()),
            Just("PolicyVersionList".to_owned()),
            Just("Statement".to_owned()),
            Just("Principal".to_owned()),
            Just("AWS".to_owned()),
            "[A-Za-z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every JSON pointer into a value, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[track_caller]
fn check_never_panics(json: &str) {
    if let Ok(outcome) = from_authorization_details(json) {
        assert_every_policy_parses(&outcome.fixture);
        serde_saphyr::to_string(&outcome.fixture).unwrap();
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_json_never_panics_the_importer(value in arbitrary_json()) {
        check_never_panics(&value.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics_the_importer(text in "\\PC{0,64}") {
        check_never_panics(&text);
    }

    #[test]
    fn a_sample_with_one_value_replaced_never_panics_the_importer(
        file in prop::sample::select(vec![DEV_CLI, RAW_API, MULTI_PROD]),
        at in any::<prop::sample::Index>(),
        replacement in arbitrary_json(),
    ) {
        let mut dump: Value = serde_json::from_str(&sample(file)).unwrap();
        let mut all = Vec::new();
        pointers(&dump, String::new(), &mut all);
        let pointer = at.get(&all).clone();
        match dump.pointer_mut(&pointer) {
            Some(slot) => *slot = replacement,
            None => prop_assert!(false, "pointer {pointer} not found"),
        }
        check_never_panics(&dump.to_string());
    }
}

#[test]
fn imported_fixtures_build_a_world_model() {
    for paths in [&[DEV_CLI][..], &[MULTI_DEV, MULTI_PROD]] {
        if let Err(problems) = Model::build(&import(paths).fixture) {
            panic!("{paths:?}:\n{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
        }
    }
    // What the raw dump lacks, the warnings announced; the model rejects exactly that.
    let problems = Model::build(&import(&[RAW_API]).fixture).unwrap_err();
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "accounts.333333333333.users.auditor.policies[0]: iamsim does not ship the AWS managed policy `SecurityAudit`: define its document under `aws_managed_policies.SecurityAudit` (shipped: AdministratorAccess, AmazonS3ReadOnlyAccess, AmazonS3FullAccess, IAMReadOnlyAccess, PowerUserAccess)",
            "accounts.333333333333.users.auditor.policies[1]: account 333333333333 has no managed policy `AuditReports`",
            "accounts.333333333333.users.legacy-ftp.permissions_boundary: policy `arn:aws:iam::999999999999:policy/OrgBoundary` belongs to another account: only this account's and AWS managed policies can be attached",
        ]
    );
}

#[test]
fn quotas_the_account_must_have_raised_are_raised() {
    let attached: Vec<Value> = (0..12)
        .map(|i| json!({"PolicyName": format!("P{i}"), "PolicyArn": format!("arn:aws:iam::111122223333:policy/P{i}")}))
        .collect();
    let policies: Vec<Value> = (0..12)
        .map(|i| json!({"PolicyName": format!("P{i}"), "Arn": format!("arn:aws:iam::111122223333:policy/P{i}"),
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}))
        .collect();
    let services: Vec<String> = (0..120).map(|i| format!("service-number-{i:03}.amazonaws.com")).collect();
    let dump = json!({
        "UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "AttachedManagedPolicies": attached[..11]}],
        "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AttachedManagedPolicies": attached,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": services}, "Action": "sts:AssumeRole"}]}}],
        "Policies": policies,
    });
    let outcome = from_authorization_details(&dump.to_string()).unwrap();
    let quotas = outcome.fixture.quotas.unwrap();
    assert_eq!(quotas.managed_policies_per_user, Some(11));
    assert_eq!(quotas.managed_policies_per_role, Some(12));
    assert_eq!(quotas.role_trust_policy_size, Some(4_309));
    assert_eq!(
        warnings(&outcome),
        [
            "RoleDetailList[0].AssumeRolePolicyDocument: the trust policy of role `r` has 4309 characters without whitespace, which exceeds AWS's default quota of 2048, so the account's quota was raised: `quotas.role_trust_policy_size` set to 4309",
            "RoleDetailList[0].AttachedManagedPolicies: role `r` has 12 managed policies, which exceeds AWS's default quota of 10, so the account's quota was raised: `quotas.managed_policies_per_role` set to 12",
            "UserDetailList[0].AttachedManagedPolicies: user `u` has 11 managed policies, which exceeds AWS's default quota of 10, so the account's quota was raised: `quotas.managed_policies_per_user` set to 11",
        ]
    );
    Model::build(&outcome.fixture).unwrap();
}

#[test]
fn a_saml_provider_named_by_a_trust_policy_is_added() {
    let dump = json!({"RoleDetailList": [{"RoleName": "sso", "Arn": "arn:aws:iam::111122223333:role/sso",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}}]});
    let outcome = from_authorization_details(&dump.to_string()).unwrap();
    assert!(outcome.fixture.accounts["111122223333"].saml_providers.contains_key("Okta"));
    assert_eq!(
        warnings(&outcome),
        [
            "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Principal.Federated: role `sso` trusts `arn:aws:iam::111122223333:saml-provider/Okta`, and the dump does not list identity providers: added under `saml_providers` as `Okta`, without metadata"
        ]
    );
    Model::build(&outcome.fixture).unwrap();
}

/// Actions of services AWS retired, which the catalog does not know, as AWS managed policies
/// still list some of them.
const RETIRED: [&str; 4] =
    ["codestar:DescribeProject", "codestar:ListProjects", "elastic-inference:DescribeAccelerators", "codestar:List*"];

/// An AWS managed policy shaped and sized like `ReadOnlyAccess` (about 47 KB): `Describe*`,
/// `Get*` and `List*` of every service the catalog has such actions for, every other read or
/// list action by name, and the retired actions (one of them listed twice).
fn read_only_access() -> Value {
    use iamsim::catalog::AccessLevel;
    let catalog = iamsim::catalog::Catalog::global();
    let mut actions: Vec<String> = Vec::new();
    for service in catalog.services() {
        for verb in ["Describe", "Get", "List"] {
            let pattern = format!("{}:{verb}*", service.prefix());
            if !catalog.expand(&pattern).is_empty() {
                actions.push(pattern);
            }
        }
        for action in service.actions() {
            let read = matches!(action.access_level(), AccessLevel::Read | AccessLevel::List);
            let name = action.action_name();
            if read && !["Describe", "Get", "List"].iter().any(|verb| name.starts_with(verb)) {
                actions.push(action.name().to_owned());
            }
        }
    }
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"},
        {"Sid": "Retired", "Effect": "Allow", "Action": RETIRED, "Resource": "*"},
        {"Sid": "RetiredAgain", "Effect": "Allow", "Action": RETIRED[1], "Resource": "*"},
    ]})
}

/// A dump as a real account gives it: a user with an AWS managed policy of about 47 KB and a
/// customer managed policy of its own with two unknown actions.
fn real_account_dump() -> Value {
    json!({
        "UserDetailList": [{"UserName": "alice", "UserId": "AIDAEXAMPLEALICE0001", "Path": "/",
            "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": [],
            "AttachedManagedPolicies": [
                {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"PolicyName": "Mine", "PolicyArn": "arn:aws:iam::111122223333:policy/Mine"}]}],
        "Policies": [
            {"PolicyName": "ReadOnlyAccess", "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "Path": "/",
             "DefaultVersionId": "v120", "AttachmentCount": 1, "IsAttachable": true,
             "PolicyVersionList": [{"VersionId": "v120", "IsDefaultVersion": true, "Document": read_only_access()}]},
            {"PolicyName": "Mine", "Arn": "arn:aws:iam::111122223333:policy/Mine", "Path": "/",
             "DefaultVersionId": "v1",
             "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:GetObjects", "codestar:ListProjects"], "Resource": "*"}]}}]}
        ]
    })
}

#[test]
fn a_real_account_with_large_aws_managed_policies_imports_validates_and_loads() {
    let catalog = iamsim::catalog::Catalog::global();
    assert!(
        RETIRED.iter().all(|a| catalog.expand(a).is_empty()),
        "the catalog knows one of {RETIRED:?}: pick actions it does not know"
    );
    let outcome = from_authorization_details(&real_account_dump().to_string()).unwrap();
    assert_eq!(warnings(&outcome), Vec::<String>::new());
    let read_only = document(&outcome.fixture.aws_managed_policies["ReadOnlyAccess"]);
    let size = Policy::from_value(read_only.clone()).unwrap().size();
    assert!(size > 40_000, "ReadOnlyAccess is about 47 KB, this one {size} characters");

    // `iamsim validate` accepts the imported fixture: no PolicySize error for the AWS managed
    // policy; its unknown actions are one line (4: the three retired actions and the pattern
    // that matches none, the one listed twice counted once), the user's own policy's one line
    // each.
    let (yaml, _, code) = iamsim(&["import", "authz-details", "-"], &real_account_dump().to_string());
    assert_eq!(code, 0);
    let file = temp_file("real-account", "imported.yaml", &yaml);
    let (out, err, code) = iamsim(&["validate", &file.display().to_string()], "");
    let file = file.display();
    let line = |text: &str| yaml.lines().position(|l| l.contains(text)).unwrap() + 1;
    assert_eq!(
        (out.lines().map(str::to_owned).collect::<Vec<_>>(), err.as_str(), code),
        (
            vec![
                format!(
                    "{file}:{}:3: aws_managed_policies.ReadOnlyAccess: warning: AWS managed policy `ReadOnlyAccess`: 4 actions are unknown to the catalog (retired, or newer than it); not listed",
                    line("ReadOnlyAccess:")
                ),
                format!(
                    "{file}:{}:13: accounts.111122223333.policies.Mine.Statement[0].Action[1]: warning: `s3:GetObjects` is not a known action and grants nothing, did you mean `s3:GetObject`?",
                    line("- s3:GetObjects")
                ),
                format!(
                    "{file}:{}:13: accounts.111122223333.policies.Mine.Statement[0].Action[2]: warning: `codestar:ListProjects` is not a known action and grants nothing",
                    line("- codestar:ListProjects")
                ),
                "1 fixture valid: 1 account, 1 user, 0 groups, 0 roles, 1 managed policy, 0 buckets, 0 instances, 3 warnings".to_owned(),
            ],
            "",
            0
        )
    );

    // And the world loads and answers from it.
    let world = iamsim::World::from_yaml(&yaml).unwrap();
    world.user("111122223333", "alice").can("ec2:DescribeInstances").on("*").assert_allowed();
    world.user("111122223333", "alice").can("ec2:TerminateInstances").on("*").assert_implicitly_denied();
}

#[test]
fn an_imported_fixture_passes_iamsim_validate() {
    let (yaml, _, code) = iamsim(&["import", "authz-details", MULTI_DEV, MULTI_PROD], "");
    assert_eq!(code, 0);
    let file = temp_file("validate", "imported.yaml", &yaml);
    let (out, err, code) = iamsim(&["validate", &file.display().to_string()], "");
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        (
            "1 fixture valid: 2 accounts, 1 user, 1 group, 2 roles, 1 managed policy, 0 buckets, 0 instances, 0 warnings\n",
            "",
            0
        )
    );
}
