//! A tour of iamsim: questions a reviewer would ask about the seed scenarios, answered by the
//! policy engine exactly as AWS would, with the explanation behind each answer.
//!
//! ```text
//! cargo run --example tour                 # the built-in seed scenarios
//! cargo run --example tour -- FILE.json    # any file of IAM decision vectors
//! ```
//!
//! The seed scenarios: an EC2 role `s3access` reading S3; Alice in Dev assuming `WriteAccess` in
//! Prod; an MFA-conditioned role; trust policies naming the EC2 service, a user, a whole account
//! with an explicit Deny for one user; a photo-sharing app where each user reaches only
//! `photos/${aws:username}/*`; a group with an AWS managed policy.

use std::process::ExitCode;

use iamsim::vectors::VectorFile;

/// The built-in scenarios, in the `iam-eval-vectors/1` format.
const SEED: &str = include_str!("seed_scenarios.json");

fn main() -> ExitCode {
    let text = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => SEED.to_owned(),
    };
    let file = match VectorFile::parse(&text) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut surprises = 0;
    for vector in &file.vectors {
        let result = vector.run();
        println!("{}", vector.description);
        match &result.actual {
            Ok(decision) => {
                println!("  => {}: {decision}", decision.outcome());
                for line in decision.explanation().lines() {
                    println!("     {line}");
                }
            }
            Err(e) => println!("  => error: {e}"),
        }
        if !result.passed() {
            surprises += 1;
            println!("  !! expected {}", result.expected);
        }
        println!();
    }
    println!("{} questions, {} answered as expected", file.vectors.len(), file.vectors.len() - surprises);
    if surprises == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
