//! Integration tests: one test binary (ripgrep's `tests/tests.rs` pattern).
//! Every test runs offline on files inside the repository.

mod common;

mod attack;
mod cli;
mod compare;
mod csv_injection;
mod fetch;
mod fetch_cli;
mod hostile;
mod html;
mod http_server;
mod kill;
mod malformed;
mod plan;
mod privacy;
mod properties;
mod reference;
mod tables;
