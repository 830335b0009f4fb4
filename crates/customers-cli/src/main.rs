//! `customers`: list or sync any vendor's customers in one common model, link one person
//! across vendors, or serve a fake vendor.
//!
//! Exit codes: 0 done (drift, if any, is reported on stderr); 1 a vendor or network error;
//! 2 usage or configuration; 3 the output could not be written; 130 interrupted (Ctrl-C).

mod args;
mod config;
mod credentials;
mod exit;
mod list;
mod mock;
mod output;
mod output_file;
mod people;
mod progress;
mod say;
mod sync;
mod target;
mod vendors;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    // The list of credential variables comes from the facade's registry.
    let command = Cli::command()
        .mut_subcommand("list", |list| list.after_help(credentials::help()))
        .mut_subcommand("sync", |sync| sync.after_help(credentials::help()));
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let result = match cli.command {
        Command::List(args) => list::run(args).await,
        Command::Sync(args) => sync::run(args).await,
        Command::People(args) => people::run(args).await,
        Command::Mock(args) => mock::serve(args).await,
        Command::Demo(args) => mock::demo(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            say::say!("error: {}", failure.message);
            failure.exit_code()
        }
    }
}
