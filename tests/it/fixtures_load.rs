//! Loading fixtures: every error names the file, line, column and path, and `error_at` locates
//! any part of a loaded fixture, inside policy files too.

use iamsim::Policy;
use iamsim::fixtures::{
    Fixture, FixtureError, LoadedFixture, ObjectFixture, PolicySource, load_file, load_json, load_yaml,
};
use iamsim::path::JsonPath;

const DIR: &str = "tests/fixtures/load";

fn messages(errors: Vec<FixtureError>) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[expect(clippy::panic, reason = "a test helper fails its test by panicking")]
fn load_errors(file: &str) -> Vec<String> {
    match load_file(format!("{DIR}/{file}")) {
        Ok(_) => panic!("{file} loaded without errors"),
        Err(errors) => messages(errors),
    }
}

#[expect(clippy::panic, reason = "a test helper fails its test by panicking")]
fn yaml_errors(text: &str) -> Vec<String> {
    match load_yaml(text) {
        Ok(_) => panic!("{text:?} loaded without errors"),
        Err(errors) => messages(errors),
    }
}

#[expect(clippy::panic, reason = "a test helper fails its test by panicking")]
fn json_errors(text: &str) -> Vec<String> {
    match load_json(text) {
        Ok(_) => panic!("{text:?} loaded without errors"),
        Err(errors) => messages(errors),
    }
}

#[expect(clippy::panic, reason = "a test helper fails its test by panicking")]
fn loaded(file: &str) -> LoadedFixture {
    load_file(format!("{DIR}/{file}")).unwrap_or_else(|errors| panic!("{}", messages(errors).join("\n")))
}

#[expect(clippy::unwrap_used, reason = "a test helper fails its test by panicking")]
fn path(text: &str) -> JsonPath {
    // Test paths have no dots inside keys except where built by hand.
    text.split('.').fold(JsonPath::root(), |p, part| match part.split_once('[') {
        Some((key, index)) => p.key(key).index(index.trim_end_matches(']').parse().unwrap()),
        None => p.key(part),
    })
}

#[test]
fn a_yaml_syntax_error_stops_at_its_line_and_column_and_names_the_bracket_left_open() {
    assert_eq!(
        load_errors("errors/syntax.yaml"),
        [
            "tests/fixtures/load/errors/syntax.yaml:5:52: invalid YAML: while parsing a node, did not find expected node content: the `[` at line 5, column 51 is not closed"
        ]
    );
}

#[test]
fn a_json_syntax_error_stops_at_its_line_and_column() {
    assert_eq!(
        load_errors("errors/syntax.json"),
        ["tests/fixtures/load/errors/syntax.json:5:5: invalid JSON: trailing comma"]
    );
    assert_eq!(json_errors("{\"a\": [1,]}"), ["<json>:1:10: invalid JSON: trailing comma"]);
    // Columns count characters, not bytes.
    assert_eq!(json_errors("{\"é\": x}"), ["<json>:1:7: invalid JSON: expected value"]);
    assert_eq!(
        json_errors("{\"accounts\": {\"111111111111\": {\"alias\": \"dev\"}"),
        ["<json>:1:46: invalid JSON: the text ends before the `{` at line 1, column 14 is closed"]
    );
    assert_eq!(
        json_errors("{\"accounts\": [\"111111111111\"}"),
        ["<json>:1:29: invalid JSON: expected `,` or `]`: the `[` at line 1, column 14 is not closed"]
    );
}

#[test]
fn an_unknown_field_points_at_its_key_and_suggests_the_closest_field() {
    assert_eq!(
        load_errors("errors/unknown-field.yaml"),
        [
            "tests/fixtures/load/errors/unknown-field.yaml:5:9: accounts.111111111111.users.alice.polices: unknown field `polices`, did you mean `policies`?"
        ]
    );
    assert_eq!(
        yaml_errors("accounts: {a: {roles: {r: {Trust: {}}}}}"),
        ["<yaml>:1:28: accounts.a.roles.r.Trust: unknown field `Trust`, did you mean `trust`?"]
    );
    // Fields of the detailed form of an untagged value are checked too.
    assert_eq!(
        yaml_errors("accounts: {a: {buckets: {b: {objects: {k: {txt: hi}}}}}}"),
        ["<yaml>:1:44: accounts.a.buckets.b.objects.k.txt: unknown field `txt`, did you mean `text`?"]
    );
}

#[test]
fn an_unknown_field_without_a_close_match_lists_the_expected_fields() {
    assert_eq!(
        yaml_errors("accounts: {a: {buckets: {b: {public_access_block: {xyz: true}}}}}"),
        ["<yaml>:1:52: accounts.a.buckets.b.public_access_block.xyz: unknown field `xyz`, expected one of \
             `block_public_acls`, `ignore_public_acls`, `block_public_policy`, `restrict_public_buckets`"]
    );
}

#[test]
fn a_value_of_the_wrong_type_points_at_the_value() {
    assert_eq!(
        load_errors("errors/wrong-type.yaml"),
        [
            "tests/fixtures/load/errors/wrong-type.yaml:6:31: accounts.111111111111.roles.reader.max_session_duration: expected a number of seconds from 3600 to 43200, found string `long`"
        ]
    );
    assert_eq!(
        yaml_errors("instances: {web: {account: 111111111111}}"),
        [
            "<yaml>:1:28: instances.web.account: expected a string, found integer `111111111111` (quote it to make it a string)"
        ]
    );
    assert_eq!(
        yaml_errors("accounts: {a: {buckets: {b: {objects: {k: 5}}}}}"),
        [
            "<yaml>:1:43: accounts.a.buckets.b.objects.k: expected the object's text, or a mapping with `text`, `base64` or `file`, found integer `5`"
        ]
    );
}

#[test]
fn a_list_is_not_a_mapping() {
    assert_eq!(yaml_errors("[42]"), ["<yaml>:1:1: expected a mapping, found a list"]);
    assert_eq!(
        yaml_errors("accounts:\n  a:\n    users:\n      alice: [[], [g]]\n"),
        ["<yaml>:4:7: accounts.a.users.alice: expected a mapping, found a list"]
    );
}

#[test]
fn every_duplicate_key_is_an_error() {
    assert_eq!(
        load_errors("errors/duplicate.yaml"),
        ["tests/fixtures/load/errors/duplicate.yaml:8:7: accounts.111111111111.roles.reader: duplicate key `reader`"]
    );
    assert_eq!(
        json_errors(r#"{"seed": 1, "seed": 2, "accounts": {"a": {"alias": "x", "alias": "y"}}}"#),
        ["<json>:1:13: seed: duplicate key `seed`", "<json>:1:57: accounts.a.alias: duplicate key `alias`"]
    );
}

#[test]
fn every_independent_error_is_reported_in_the_order_of_the_file() {
    assert_eq!(
        load_errors("errors/many.yaml"),
        [
            "tests/fixtures/load/errors/many.yaml:1:7: seed: expected a non-negative integer, found string `x`",
            "tests/fixtures/load/errors/many.yaml:4:5: accounts.1.alais: unknown field `alais`, did you mean `alias`?",
            "tests/fixtures/load/errors/many.yaml:6:18: accounts.1.roles.a.trust: expected a policy document (an object) or the path of a policy file",
            "tests/fixtures/load/errors/many.yaml:7:44: accounts.1.roles.b.max_session_duration: expected a number of seconds from 3600 to 43200, found string `long`",
            "tests/fixtures/load/errors/many.yaml:7:50: accounts.1.roles.b.polices: unknown field `polices`, did you mean `policies`?",
            "tests/fixtures/load/errors/many.yaml:8:7: accounts.1.roles.c: missing required field `trust`",
            "tests/fixtures/load/errors/many.yaml:10:20: accounts.1.users.u.groups[0]: expected a string, found integer `1` (quote it to make it a string)",
            "tests/fixtures/load/errors/many.yaml:10:32: accounts.1.users.u.mfa: expected `true`, `false` or a mapping with the device's `secret`, found string `maybe`",
            "tests/fixtures/load/errors/many.yaml:13:11: accounts.2.users.v.colour: unknown field `colour`, expected one of `id`, `path`, `groups`, `policies`, `inline_policies`, `permissions_boundary`, `tags`, `access_keys`, `mfa`",
            "tests/fixtures/load/errors/many.yaml:16:5: accounts.3.alias: duplicate key `alias`",
        ]
    );
}

#[test]
fn a_missing_required_field_points_at_the_key_that_names_its_mapping() {
    assert_eq!(
        load_errors("errors/missing-trust.yaml"),
        [
            "tests/fixtures/load/errors/missing-trust.yaml:4:7: accounts.111111111111.roles.reader: missing required field `trust`"
        ]
    );
}

#[test]
fn every_missing_referenced_file_is_reported_where_it_is_referenced() {
    assert_eq!(
        load_errors("errors/missing-file.yaml"),
        [
            "tests/fixtures/load/errors/missing-file.yaml:5:16: accounts.111111111111.roles.reader.trust: cannot read `tests/fixtures/load/policies/no-such-trust.json`: no such file or directory",
            "tests/fixtures/load/errors/missing-file.yaml:9:26: accounts.111111111111.buckets.photos.objects.a.jpg.file: cannot read `tests/fixtures/load/objects/no-such.jpg`: no such file or directory",
            "tests/fixtures/load/errors/missing-file.yaml:11:30: accounts.111111111111.saml_providers.corp.metadata_file: cannot read `tests/fixtures/load/saml/no-such.xml`: no such file or directory",
        ]
    );
}

#[test]
fn a_fixture_loaded_from_text_cannot_refer_to_files() {
    assert_eq!(
        yaml_errors("accounts: {a: {roles: {r: {trust: trust.json}}}}"),
        [
            "<yaml>:1:35: accounts.a.roles.r.trust: cannot read `trust.json`: a fixture loaded from text has no directory to resolve files against"
        ]
    );
}

#[test]
fn a_missing_fixture_file_is_an_error() {
    assert_eq!(
        load_errors("nowhere.yaml"),
        [
            "tests/fixtures/load/nowhere.yaml:1:1: cannot read `tests/fixtures/load/nowhere.yaml`: no such file or directory"
        ]
    );
}

#[test]
fn an_error_inside_a_referenced_policy_file_is_located_in_that_file() {
    let loaded = loaded("errors/bad-policy-file.yaml");
    let at = path("accounts.111111111111.roles.reader.inline_policies.Read");
    let PolicySource::Inline(document) =
        &loaded.fixture.accounts["111111111111"].roles["reader"].inline_policies["Read"]
    else {
        panic!("the policy file was not read")
    };
    let error = Policy::from_value(document.clone()).unwrap_err();
    assert_eq!(
        loaded.policy_error(&at, &error).to_string(),
        "tests/fixtures/load/policies/bad-effect.json:5:17: accounts.111111111111.roles.reader.inline_policies.Read.Statement[0].Effect: `Alow` is not a valid effect: expected `Allow` or `Deny`"
    );
    // The whole document points at the start of its file.
    assert_eq!(
        loaded.error_at(&at, "too long").to_string(),
        "tests/fixtures/load/policies/bad-effect.json:1:1: accounts.111111111111.roles.reader.inline_policies.Read: too long"
    );
    // The reference itself stays in the fixture: the path up to the document is the fixture's.
    assert_eq!(loaded.error_at(&path("accounts.111111111111.roles.reader"), "x").line, 4);
}

#[test]
fn error_at_locates_a_deep_path_in_an_inline_yaml_policy() {
    let loaded = loaded("photos.yaml");
    let at = path("accounts.111111111111.roles.reader.trust.Statement[0].Principal.AWS");
    assert_eq!(
        loaded.error_at(&at, "unknown principal `arn:aws:iam::111111111111:user/alice`").to_string(),
        "tests/fixtures/load/photos.yaml:31:22: accounts.111111111111.roles.reader.trust.Statement[0].Principal.AWS: unknown principal `arn:aws:iam::111111111111:user/alice`"
    );
    // A mapping is pointed at by the key that names it.
    assert_eq!(
        loaded.error_at(&path("accounts.111111111111.roles.reader.trust.Statement[0].Condition"), "x").to_string(),
        "tests/fixtures/load/photos.yaml:33:15: accounts.111111111111.roles.reader.trust.Statement[0].Condition: x"
    );
    // A path that does not exist points at its deepest existing part, and keeps the path given.
    let missing = at.key("nothing").index(3);
    let error = loaded.error_at(&missing, "x");
    assert_eq!((error.line, error.column, error.path), (31, 22, missing));
}

#[test]
fn error_at_locates_a_path_inside_a_json_policy_file_with_tabs_and_escapes() {
    let loaded = loaded("photos.yaml");
    let at =
        path("accounts.111111111111.policies.ReadPhotos.Statement[1].Condition.StringLike").key("s3:prefix").index(1);
    assert_eq!(
        loaded.error_at(&at, "x").to_string(),
        "tests/fixtures/load/policies/read-photos.json:15:62: accounts.111111111111.policies.ReadPhotos.Statement[1].Condition.StringLike.s3:prefix[1]: x"
    );
    let PolicySource::Inline(document) = loaded.fixture.accounts["111111111111"].policies["ReadPhotos"].document()
    else {
        panic!("the policy file was not read")
    };
    assert_eq!(
        document["Statement"][1]["Condition"]["StringLike"]["s3:prefix"],
        serde_json::json!(["café/*", "📷/*", "2024/*"])
    );
}

#[test]
fn an_unquoted_numeric_account_id_is_a_key_as_written() {
    let loaded = loaded("photos.yaml");
    assert!(loaded.fixture.accounts.contains_key("111111111111"));
    let loaded = load_yaml("accounts:\n  011111111111: {alias: a}\n  true: {alias: b}\n  0x1F: {}\n").unwrap();
    let ids: Vec<&str> = loaded.fixture.accounts.keys().map(String::as_str).collect();
    assert_eq!(ids, ["011111111111", "0x1F", "true"]);
}

#[test]
fn the_same_fixture_in_yaml_and_json_loads_to_the_same_value() {
    let yaml = loaded("photos.yaml");
    let json = loaded("photos.json");
    assert_eq!(yaml.fixture, json.fixture);
    assert_ne!(yaml.fixture, Fixture::default());
}

#[test]
fn loading_leaves_no_file_reference() {
    let fixture = loaded("photos.yaml").fixture;
    let account = &fixture.accounts["111111111111"];
    assert!(matches!(account.roles["uploader"].trust, PolicySource::Inline(_)));
    assert!(matches!(account.users["bob"].inline_policies["ReadOwnPrefix"], PolicySource::Inline(_)));
    let ObjectFixture::Detailed(photo) = &account.buckets["photos"].objects["2024/a.jpg"] else {
        panic!("a detailed object")
    };
    assert_eq!((photo.file.as_deref(), photo.base64.as_deref()), (None, Some("/9j/4GZha2VqcGVnAAE=")));
    let corp = &account.saml_providers["corp"];
    assert!(corp.metadata_file.is_none());
    assert!(corp.metadata.as_deref().is_some_and(|m| m.starts_with("<EntityDescriptor")));
}

#[test]
fn a_file_reference_next_to_inline_content_is_an_error() {
    assert_eq!(
        yaml_errors("accounts: {a: {buckets: {b: {objects: {k: {text: hi, file: k.txt}}}}}}"),
        ["<yaml>:1:60: accounts.a.buckets.b.objects.k.file: `file` cannot be combined with `text` or `base64`"]
    );
}

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    let loaded = load_yaml(
        "accounts:\n  a:\n    roles:\n      reader: &role\n        trust: {Statement: []}\n        max_session_duration: 7200\n      \
         writer:\n        <<: *role\n        max_session_duration: 3600\n",
    )
    .unwrap();
    let roles = &loaded.fixture.accounts["a"].roles;
    assert_eq!(roles["reader"].trust, roles["writer"].trust);
    assert_eq!((roles["reader"].max_session_duration, roles["writer"].max_session_duration), (Some(7200), Some(3600)));
    // A merged value is located where it is written: at the anchor.
    let error = loaded.error_at(&path("accounts.a.roles.writer.trust"), "x");
    assert_eq!((error.line, error.column), (5, 9));
}

#[test]
fn pathological_documents_are_errors() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(json_errors(&deep), ["<json>:1:101: nesting is deeper than 100 levels"]);
    assert_eq!(yaml_errors(&deep), ["<yaml>:1:101: nesting is deeper than 100 levels"]);
    let limit = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(load_json(&limit).is_err_and(|e| e[0].message.starts_with("expected a mapping")));

    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (name, previous) in
        ["b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        laughs += &format!("{name}: &{name} [{}]\n", vec![format!("*{previous}"); 10].join(", "));
    }
    // Anchors count too: each anchored node is kept aside for its aliases.
    assert_eq!(yaml_errors(&laughs), ["<yaml>:5:32: e[6]: anchors and aliases copy more than 100000 nodes"]);
    // Too deep, however written: the same words as JSON's, not the YAML parser's own.
    let flow_maps = format!("{}{}", "{a: ".repeat(300), "}".repeat(300));
    assert_eq!(yaml_errors(&flow_maps)[0].split_once(": ").map(|(_, m)| m), Some("nesting is deeper than 100 levels"));

    assert_eq!(yaml_errors("x: &a [*a]"), ["<yaml>:1:8: x[0]: alias `*a` refers to no complete anchor"]);
    assert_eq!(yaml_errors("seed: !custom 1"), ["<yaml>:1:7: seed: unsupported tag `!custom`"]);
    assert_eq!(yaml_errors("? [a]\n: 1"), ["<yaml>:1:3: mapping keys must be scalars"]);
    assert_eq!(yaml_errors("seed: 1\n---\nseed: 2\n"), ["<yaml>:2:1: expected a single document, found a second one"]);
}

#[test]
fn an_empty_yaml_document_is_an_error() {
    assert_eq!(
        yaml_errors("# nothing yet\n"),
        ["<yaml>:1:1: the fixture defines no accounts: a world needs at least one, under `accounts`"]
    );
}

#[test]
fn no_input_makes_the_loader_panic() {
    use proptest::prelude::*;
    let config = ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(text in "[\\[\\]{}:,\"'&*!<>|#\\-? \t\na-z0-9\\\\]{0,64}")| {
        for loaded in [load_yaml(&text), load_json(&text)].into_iter().flatten() {
            let _ = loaded.error_at(&JsonPath::root().key("accounts").key("a").index(0), "x");
        }
    });
}

/// The doc comments schemars turns into descriptions end in the types' doc examples (Rust code):
/// an editor's hover over a fixture key shows the prose only.
#[cfg(feature = "schema")]
fn without_code_examples(map: &mut serde_json::Map<String, serde_json::Value>) {
    for (key, value) in map.iter_mut() {
        match value {
            serde_json::Value::String(text) if key == "description" => {
                let mut prose = String::new();
                let mut in_code = false;
                for line in text.lines() {
                    if line.trim_start().starts_with("```") {
                        in_code = !in_code;
                    } else if !in_code {
                        prose.push_str(line);
                        prose.push('\n');
                    }
                }
                *text = prose.trim_end().to_owned();
            }
            serde_json::Value::Object(inner) => without_code_examples(inner),
            serde_json::Value::Array(items) => {
                for item in items.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                    without_code_examples(item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(feature = "schema")]
#[test]
fn the_committed_json_schema_is_the_generated_one() {
    let mut schema = schemars::schema_for!(Fixture);
    without_code_examples(schema.as_object_mut().unwrap());
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/fixture.schema.json");
    if std::env::var_os("IAMSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(file, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(file).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/fixture.schema.json is out of date: run `IAMSIM_BLESS=1 cargo test --all-features --test it fixtures_load` and commit the result"
    );
}

#[test]
fn a_list_is_never_read_as_a_mapping() {
    assert_eq!(
        yaml_errors("accounts: {\"111111111111\": {users: {u: {access_keys: [[AKIAEXAMPLEKEY00001, secret]]}}}}"),
        [
            "<yaml>:1:55: accounts.111111111111.users.u.access_keys[0]: expected an access key: a mapping with `id`, `secret` and `status`, found a list"
        ]
    );
    assert_eq!(
        yaml_errors("accounts: {\"111111111111\": {buckets: {b: {objects: {k: [hi]}}}}}"),
        [
            "<yaml>:1:53: accounts.111111111111.buckets.b.objects.k: expected the object's text, or a mapping with `text`, `base64` or `file`, found a list"
        ]
    );
}
