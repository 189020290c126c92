//! Loads the input as a YAML and as a JSON fixture (it has no directory, so file references are
//! errors, never reads). Nothing may panic; every error has a position; a loaded fixture can
//! locate paths into it, into its policies and past its end; and text that parses both as JSON
//! and as YAML means the same in both.

#![no_main]

use iamsim::fixtures::{FixtureError, LoadedFixture, Node, PolicySource, load_json, load_yaml};
use iamsim::path::JsonPath;
use libfuzzer_sys::fuzz_target;

fn check_errors(errors: &[FixtureError]) {
    assert!(!errors.is_empty(), "an error result without errors");
    for e in errors {
        assert!(e.line >= 1 && e.column >= 1, "an error without a position: {e:?}");
        let _ = e.to_string();
    }
}

fn check_loaded(loaded: &LoadedFixture) {
    let mut paths = vec![JsonPath::root(), JsonPath::root().key("nothing").index(7)];
    for (id, account) in &loaded.fixture.accounts {
        let at = JsonPath::root().key("accounts").key(id);
        paths.push(at.key("users").index(0));
        for (name, role) in &account.roles {
            let trust = at.key("roles").key(name).key("trust");
            assert!(matches!(role.trust, PolicySource::Inline(_)), "a file reference survived loading");
            paths.push(trust.key("Statement").index(0).key("Principal").key("AWS"));
            paths.push(trust.clone());
        }
        paths.push(at);
    }
    for path in &paths {
        let e = loaded.error_at(path, "x");
        assert!(e.line >= 1 && e.column >= 1, "error_at without a position: {e:?}");
        assert_eq!(&e.path, path);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for result in [load_yaml(text), load_json(text)] {
        match result {
            Ok(loaded) => check_loaded(&loaded),
            Err(errors) => check_errors(&errors),
        }
    }
    if let (Ok(json), Ok(yaml)) = (Node::parse_json(text, "j"), Node::parse_yaml(text, "y")) {
        assert_eq!(json.to_value(), yaml.to_value(), "JSON and YAML read the same text differently");
    }
});
