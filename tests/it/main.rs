//! Integration tests, one module per capability, in a single test binary to keep link times down.

mod cli;
mod tour;
mod vectors;
