//! The `hyte` binary: parse the command line, run, map the result to an
//! exit code. Everything else lives in the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = hyte::cli::Cli::parse();
    std::process::ExitCode::from(hyte::cli::execute(cli))
}
