//! `cargo xtask`: workspace automation. See the README.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{codegen, lint, spec, vendors, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Workspace automation")]
struct Cli {
    /// The workspace to work on (default: the one this xtask belongs to).
    #[arg(long, global = true, value_name = "PATH")]
    workspace: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the vendor client crates from `specs/` (all vendors, or the ones named).
    Codegen {
        /// Write nothing; fail if any committed generated file is stale or missing.
        #[arg(long)]
        check: bool,
        /// Vendors to generate (default: all of `specs/vendors.toml`).
        vendors: Vec<String>,
    },
    /// Lint every spec (overlays applied) with Redocly CLI; needs `npm ci` first.
    Lint,
    /// Print a vendor's spec as codegen sees it (overlay applied), as JSON.
    Spec {
        /// The vendor's name.
        vendor: String,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = cli.workspace.unwrap_or_else(workspace_root);
    match cli.command {
        Command::Codegen { check, vendors } => {
            let outputs = codegen::generate_all(&root, &vendors)?;
            if check {
                codegen::check(&root, &outputs)?;
                eprintln!("generated code is up to date ({} crates)", outputs.len());
            } else {
                for path in codegen::write(&root, &outputs)? {
                    eprintln!("wrote {}", path.display());
                }
            }
        }
        Command::Lint => lint::run(&root)?,
        Command::Spec { vendor } => {
            let selected = vendors::select(vendors::load(&root)?, std::slice::from_ref(&vendor))?;
            for v in &selected {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&spec::effective(&root, v)?)?
                );
            }
        }
    }
    Ok(())
}
