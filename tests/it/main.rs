//! Integration tests, one module per capability, in a single test binary to keep link times down.

mod cli;
mod fixtures_load;
mod import;
mod properties;
mod tour;
mod vectors;
mod world;
