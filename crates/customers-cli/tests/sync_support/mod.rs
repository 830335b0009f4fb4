//! What the sync tests of the built binary share: the binary, a clean environment, the
//! sync command, the databases.

#![allow(dead_code)]

// The sync tests' databases, shared with `tests/tests/sync.rs`. These tests live here, in
// the binary's own package, because cargo gives `CARGO_BIN_EXE_customers` only to it.
#[allow(dead_code)]
#[path = "../../../../tests/tests/support/databases.rs"]
pub mod databases;

pub mod proxy;

use std::path::Path;
use std::process::Output;

use fake_vendors::Vendor;

#[path = "../../../../tests/tests/support/fake_env.rs"]
mod fake_env;
pub use fake_env::fake_env;

/// The `customers` binary cargo built for these tests.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_customers"))
}

/// The vendors' credential variables, removed from every child so that only what a test
/// sets is seen.
pub fn clean(command: &mut std::process::Command) {
    for vendor in customers::Vendor::ALL {
        for set in customers::Credentials::variables(vendor) {
            for name in *set {
                command.env_remove(name);
            }
        }
        if let Some(name) = customers::Credentials::base_url_variable(vendor) {
            command.env_remove(name);
        }
    }
    command
        .env_remove("CUSTOMERS_DB")
        .env_remove("CUSTOMERS_CONFIG");
}

/// `customers sync` of Hoko's fake at `base_url` into `db`, pages of 40.
pub fn sync_command(base_url: &str, db: &str) -> std::process::Command {
    sync_pages(base_url, db, "40")
}

/// [`sync_command`] with pages of `size`.
pub fn sync_pages(base_url: &str, db: &str, size: &str) -> std::process::Command {
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command
        .args(["sync", "--vendor", "hoko", "--base-url", base_url])
        .args(["--db", db, "--page-size", size, "--quiet"])
        .envs(fake_env(Vendor::Hoko));
    command
}

pub fn run(mut command: std::process::Command) -> Output {
    command.output().expect("the binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The tool the variable `name` points to (`.ci/python-tools` prints them); with `CI=true`
/// it must be there, elsewhere its tests are skipped with a line saying so.
pub fn tool(name: &str) -> Option<std::path::PathBuf> {
    match std::env::var(name) {
        Ok(path) if !path.trim().is_empty() => Some(std::path::PathBuf::from(path)),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI runs these tests: run .ci/python-tools and set {name}"
            );
            eprintln!("not tested here: {name} is not set (.ci/python-tools installs it)");
            None
        }
    }
}

/// The ids of every customer a fake of `config` serves, read from its records.
pub fn fake_ids(
    config: &fake_vendors::FakeConfig,
    vendor: Vendor,
) -> std::collections::BTreeSet<String> {
    config
        .records()
        .iter()
        .map(|record| fake_vendors::record_id(vendor, record))
        .collect()
}
