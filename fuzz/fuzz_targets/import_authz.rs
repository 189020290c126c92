//! Imports the input as the JSON of `aws iam get-account-authorization-details` (alone, and as
//! two dumps split at its middle line), then builds a world from whatever imports. Nothing may
//! panic; an import error names where it is; a warning names where it is.

#![no_main]

use iamsim::World;
use iamsim::fixtures::{from_authorization_details, from_authorization_details_many};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match from_authorization_details(text) {
        Ok(outcome) => {
            for w in &outcome.warnings {
                let _ = w.to_string();
            }
            // A world from an import either builds or reports problems; it never panics.
            if let Ok(world) = World::from_fixture_data(&outcome.fixture) {
                let _ = world.warnings().len();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let _ = from_authorization_details_many(&[&first.join("\n"), &second.join("\n")]);
});
