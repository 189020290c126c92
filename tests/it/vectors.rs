//! The IAM decision vectors: the shared public corpus and this project's own.

use iamsim::vectors::VectorFile;

fn run(path: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file = VectorFile::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let results = file.run();
    let failures: Vec<String> = results.iter().filter(|r| !r.passed()).map(|r| r.to_string()).collect();
    (results.len(), failures)
}

#[test]
fn every_public_vector_passes() {
    let (count, failures) = run("tests/vectors/public.json");
    assert_eq!(count, 66, "the public corpus has 66 vectors");
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_project_vector_passes() {
    let (count, failures) = run("tests/vectors/rules.json");
    assert_eq!(count, 285, "the project corpus has 285 vectors");
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}
