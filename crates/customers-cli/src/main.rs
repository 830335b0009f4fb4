//! `customers`: list any vendor's customers in one common model, or serve a fake vendor.
//!
//! Exit codes: 0 done; 1 a vendor or network error; 2 usage or configuration.

mod args;
mod credentials;
mod exit;
mod list;
mod mock;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List(args) => list::run(args).await,
        Command::Mock(args) => mock::serve(args).await,
        Command::Demo(args) => mock::demo(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            failure.exit_code()
        }
    }
}
