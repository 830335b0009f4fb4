//! `customers`: list or sync any vendor's customers in one common model, link one person
//! across vendors, or serve a fake vendor.
//!
//! Exit codes: 0 done (drift, if any, is reported on stderr); 1 a vendor or network error;
//! 2 usage or configuration; 3 the output could not be written; 130 interrupted (Ctrl-C).

mod airbyte;
mod arena;
mod args;
mod config;
mod credentials;
mod exit;
mod extract;
mod filter_help;
mod get;
mod list;
mod logging;
mod manual;
mod mock;
mod output;
mod output_file;
mod people;
mod progress;
mod say;
mod sync;
mod tap;
mod target;
mod vendors;
mod whole_lines;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // The list of credential variables comes from the facade's registry.
    let command = command();
    let cli = match Cli::from_arg_matches(&command.clone().get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if matches!(cli.command, Command::Mock(_) | Command::Demo(_)) {
        arena::own();
        runtime.on_thread_start(arena::own);
    }
    match runtime.build() {
        Ok(runtime) => runtime.block_on(run(cli, command)),
        Err(err) => {
            say::say!("error: cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, command: clap::Command) -> ExitCode {
    logging::init(cli.verbose, cli.log_format);
    let result = match cli.command {
        Command::List(args) => list::run(args).await,
        Command::Get(args) => get::run(args).await,
        Command::Completions { shell } => manual::completions(command, shell),
        Command::Man => manual::man(command),
        Command::Sync(args) => sync::run(args).await,
        Command::People(args) => people::run(args).await,
        Command::Tap(args) => tap::run(args).await,
        Command::Airbyte(args) => airbyte::run(args).await,
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

/// The command line, with the help texts that come from the facade's registry: each
/// vendor's credential variables, and which filter each vendor applies.
fn command() -> clap::Command {
    Cli::command()
        .mut_subcommand("list", |list| {
            list.after_help(format!("{}\n{}", credentials::help(), filter_help::text()))
        })
        .mut_subcommand("get", |get| get.after_help(credentials::help()))
        .mut_subcommand("sync", |sync| sync.after_help(credentials::help()))
        .mut_subcommand("tap", |tap| tap.after_help(credentials::help()))
}
