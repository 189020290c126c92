//! The seed scenarios as engine-level decision vectors (the tour asks the same questions of
//! the fixture worlds in `examples/fixtures/`, see `world.rs`).

use iamsim::vectors::VectorFile;

#[test]
fn every_seed_scenario_is_answered_as_expected() {
    let file = VectorFile::parse(include_str!("../vectors/seed-scenarios.json")).expect("the seed file parses");
    let failures: Vec<String> = file.run().iter().filter(|r| !r.passed()).map(ToString::to_string).collect();
    assert_eq!(file.vectors.len(), 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_tour_explains_a_service_denied_by_a_trust_policy_in_aws_words() {
    let file = VectorFile::parse(include_str!("../vectors/seed-scenarios.json")).expect("the seed file parses");
    let lambda = file.vectors.iter().find(|v| v.id == "lambda-cannot-assume-s3access").expect("scenario exists");
    let decision = lambda.run().actual.expect("evaluates");
    assert_eq!(
        decision.to_string(),
        "User: lambda.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: \
         arn:aws:iam::111111111111:role/s3access because no role trust policy allows the sts:AssumeRole action"
    );
}
