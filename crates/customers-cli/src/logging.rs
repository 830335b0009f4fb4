//! Log lines on stderr through `tracing`: `-v` shows pages, waits and retries, `-vv` every
//! request too; `RUST_LOG` overrides the levels; `--log-format json` for machines.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;

use crate::args::LogFormat;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether log lines are on (the progress bar then stays off: the lines say the same).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Installs the subscriber for `verbose` (`-v` count) unless neither it nor `RUST_LOG`
/// asks for logs.
pub fn init(verbose: u8, format: LogFormat) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let filter = match (&from_env, verbose) {
        (Some(directives), _) => EnvFilter::new(directives),
        (None, 0) => return,
        (None, 1) => EnvFilter::new(crate_directives("info")),
        (None, 2) => EnvFilter::new(crate_directives("debug")),
        (None, _) => EnvFilter::new(crate_directives("trace")),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    ENABLED.store(installed.is_ok(), Ordering::Relaxed);
}

/// Our crates at `level`, everything else (hyper, sqlx) at warnings.
fn crate_directives(level: &str) -> String {
    ["customers", "customers_sync", "client_runtime"]
        .iter()
        .fold(String::from("warn"), |mut text, name| {
            text.push_str(&format!(",{name}={level}"));
            text
        })
}
