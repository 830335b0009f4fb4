//! `cargo xtask`: workspace automation. See docs/specs.md and ARCHITECTURE.md.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{codegen, contract, drift, find_workspace_root, impact, lint, release, spec, vendors};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Workspace automation")]
struct Cli {
    /// The workspace to work on (default: the one around the current folder).
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
    /// Compare a vendor's spec with its official one; fail on any difference that
    /// `specs/<vendor>.contract.toml` does not accept with a reason.
    Contract {
        /// The vendor's name.
        vendor: String,
        /// The vendor's official OpenAPI spec (JSON or YAML).
        #[arg(long, value_name = "PATH")]
        upstream: std::path::PathBuf,
    },
    /// Print an OpenAPI Overlay that would make the specs accept the drift in a report
    /// written by `customers list --drift-report`.
    Drift {
        /// The drift report (JSON).
        report: std::path::PathBuf,
    },
    /// What the changes since a base revision mean: spec changes classified for deployed
    /// clients, each crate's Rust API change and the version it needs, the facade's
    /// snapshots that move.
    Impact {
        /// The revision to compare the working tree with.
        #[arg(long, default_value = "HEAD")]
        base: String,
        /// `markdown` is ready to paste into a pull request; `json` is for tools.
        #[arg(long, value_enum, default_value_t = impact::report::Format::Text)]
        format: impact::report::Format,
        /// Exit 1 when a crate's version is below what its change needs.
        #[arg(long)]
        check: bool,
        /// Skip running the facade's snapshot tests.
        #[arg(long)]
        no_snapshots: bool,
    },
    /// Bump each changed crate as far as its impact since the last recorded release needs,
    /// record it in `specs/releases.toml` and prepend the summary to its `CHANGELOG.md`.
    Release {
        /// The crates to release (e.g. `carecloud-client`).
        crates: Vec<String>,
        /// Every crate that changed.
        #[arg(long, conflicts_with = "crates")]
        all: bool,
    },
    /// Print a vendor's spec as codegen sees it (overlay applied), as JSON.
    Spec {
        /// The vendor's name.
        vendor: String,
    },
}

/// Today's date (UTC), `YYYY-MM-DD`, for changelog entries.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `eprintln!` that never panics: a closed stderr must not turn into a crash.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`cargo xtask spec gleantap | head`): not an error.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            say!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = match cli.workspace {
        Some(root) => root,
        None => find_workspace_root(&std::env::current_dir()?)?,
    };
    match cli.command {
        Command::Codegen { check, vendors } => {
            let outputs = codegen::generate_all(&root, &vendors)?;
            if check {
                codegen::check(&root, &outputs)?;
                say!("generated code is up to date ({} crates)", outputs.len());
                let stale = release::stale_versions(&root)?;
                if !stale.is_empty() {
                    anyhow::bail!("{}", stale.join("\n"));
                }
                say!("every changed spec's crate has a new version");
            } else {
                let written = codegen::write(&root, &outputs)?;
                let mut changed = 0;
                for entry in &written {
                    match entry {
                        codegen::Written::Wrote(path) => {
                            changed += 1;
                            say!("wrote      {}", path.display());
                        }
                        codegen::Written::Unchanged(path) => {
                            say!("unchanged  {}", path.display());
                        }
                    }
                }
                say!("{changed} of {} crates written", written.len());
            }
        }
        Command::Lint => lint::run(&root)?,
        Command::Release { crates, all } => {
            if crates.is_empty() && !all {
                anyhow::bail!("name the crates to release, or --all");
            }
            let released = release::release(&root, &crates, &today())?;
            if released.is_empty() {
                say!("nothing changed since the last recorded release");
            }
            for r in &released {
                say!("{}: {} -> {}", r.name, r.from, r.to);
            }
        }
        Command::Impact {
            base,
            format,
            check,
            no_snapshots,
        } => {
            let options = impact::Options {
                base: &base,
                snapshots: !no_snapshots,
            };
            let report = impact::impact(&root, &options)?;
            write!(
                std::io::stdout().lock(),
                "{}",
                impact::report::render(&report, format)
            )?;
            let unbumped = impact::unbumped(&report);
            if check && !unbumped.is_empty() {
                let names: Vec<String> = unbumped
                    .iter()
                    .map(|c| {
                        format!(
                            "{} is {} but needs {}",
                            c.name,
                            c.version,
                            c.needed.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
                anyhow::bail!("versions not bumped far enough: {}", names.join("; "));
            }
        }
        Command::Drift { report } => drift_command(&root, &report)?,
        Command::Contract { vendor, upstream } => contract_command(&root, &vendor, &upstream)?,
        Command::Spec { vendor } => {
            let selected = vendors::select(vendors::load(&root)?, std::slice::from_ref(&vendor))?;
            let mut out = std::io::stdout().lock();
            for v in &selected {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&spec::effective(&root, v)?)?
                )?;
            }
        }
    }
    Ok(())
}

fn contract_command(
    root: &std::path::Path,
    vendor: &str,
    upstream: &std::path::Path,
) -> anyhow::Result<()> {
    let selected = vendors::select(vendors::load(root)?, &[vendor.to_owned()])?;
    let ours = selected
        .iter()
        .map(|v| spec::effective(root, v))
        .next()
        .ok_or_else(|| anyhow::anyhow!("unknown vendor `{vendor}`"))??;
    let official = contract::read_official(upstream)?;
    let accepted_path = contract::accepted_file(vendor);
    let accepted = contract::AcceptedList::load(&root.join(&accepted_path))?;
    let report = contract::check(&ours, &official, &accepted);
    let mut out = std::io::stdout().lock();
    for difference in &report.unexplained {
        writeln!(out, "difference: {difference}")?;
    }
    for entry in &report.stale {
        writeln!(
            out,
            "stale: {} accepts `{entry}`, which no longer differs",
            accepted_path.display()
        )?;
    }
    if !report.passes() {
        anyhow::bail!(
            "{vendor}: {} unexplained difference(s) and {} stale entr(y/ies) against {}; \
             fix the spec or explain the difference in {}",
            report.unexplained.len(),
            report.stale.len(),
            upstream.display(),
            accepted_path.display()
        );
    }
    say!(
        "{vendor}: agrees with {} ({} difference(s), each accepted in {})",
        upstream.display(),
        report.differences.len(),
        accepted_path.display()
    );
    Ok(())
}

fn drift_command(root: &std::path::Path, report: &std::path::Path) -> anyhow::Result<()> {
    let report = drift::read_report(report)?;
    if report.drifts.is_empty() {
        say!("the report holds no drift: nothing to change");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for (i, suggestion) in drift::suggest(root, &report)?.iter().enumerate() {
        if i > 0 {
            writeln!(out, "---")?;
        }
        let vendor = vendors::select(
            vendors::load(root)?,
            std::slice::from_ref(&suggestion.vendor),
        )?;
        let where_to = match vendor.first().and_then(|v| v.overlay.as_ref()) {
            Some(overlay) => format!("append these actions to {}", overlay.display()),
            None => format!(
                "the edit to make in {}",
                vendor
                    .first()
                    .map(|v| v.spec.display().to_string())
                    .unwrap_or_default()
            ),
        };
        writeln!(out, "# {}: {where_to}", suggestion.vendor)?;
        write!(out, "{}", serde_yaml::to_string(&suggestion.overlay)?)?;
    }
    Ok(())
}
