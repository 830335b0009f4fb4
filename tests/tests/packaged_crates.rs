//! The published crates work without this repository: `cargo package` makes the `.crate`
//! files of `client-runtime` and `hoko-client`, a consumer crate outside the workspace
//! depends on them unpacked (as crates.io would hand them over), and lists a fake Hoko with
//! `pages()` through `Resilient`. The consumer builds offline against the versions this
//! workspace's lockfile pins, in its own target folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use fake_vendors::{FakeConfig, FakeServer, Vendor};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds tests/")
        .to_owned()
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

const MAIN: &str = r#"
use std::num::NonZeroU32;
use std::sync::Arc;

use client_runtime::{PageCursor, Resilient, RetryPolicy, Transport};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::args().nth(1).ok_or("usage: consumer BASE_URL")?;
    let transport = Transport::new(Arc::new(
        Resilient::new("hoko").retry(RetryPolicy::default()),
    ));
    let client = hoko_client::Client::with_credentials(
        &base_url,
        &hoko_client::Credentials::new(std::env::var("HOKO_API_KEY")?),
    )?
    .with_transport(transport);
    let size = NonZeroU32::new(40).ok_or("zero")?;
    let mut pages = std::pin::pin!(client.get_customers().pages(size, PageCursor::START));
    let mut listed = 0;
    while let Some(page) = pages.next().await {
        for customer in page?.page.iter() {
            println!("{}", customer.id);
            listed += 1;
        }
    }
    eprintln!("{listed} customers");
    Ok(())
}
"#;

/// The version of the workspace's crate `name` (its folder is `crates/<name>`).
fn version(root: &std::path::Path, name: &str) -> String {
    xtask::release::manifest_version(root, &std::path::Path::new("crates").join(name))
        .expect("the crate's manifest names its version")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_outside_the_workspace_lists_a_fake_with_the_packaged_crates() {
    let root = workspace();
    let scratch = tempfile::tempdir().expect("temp dir");
    let target = scratch.path().join("target");
    // Packaged as `cargo publish` would upload them (verified by the CI step that packages
    // every published crate; here only the files are wanted).
    run(cargo()
        .current_dir(&root)
        .args([
            "package",
            "-p",
            "client-runtime",
            "-p",
            "hoko-client",
            "--no-verify",
            "--allow-dirty",
            "--locked",
            "--target-dir",
        ])
        .arg(&target));
    let vendor = scratch.path().join("vendor");
    std::fs::create_dir_all(&vendor).expect("mkdir");
    let unpacked = |name: &str| format!("{name}-{}", version(&root, name));
    for name in ["client-runtime", "hoko-client"] {
        let file = target
            .join("package")
            .join(format!("{}.crate", unpacked(name)));
        run(Command::new("tar")
            .arg("xzf")
            .arg(&file)
            .arg("-C")
            .arg(&vendor));
    }
    let consumer = scratch.path().join("consumer");
    std::fs::create_dir_all(consumer.join("src")).expect("mkdir");
    let manifest = format!(
        r#"[package]
name = "consumer"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
hoko-client = {{ path = "{vendor}/{hoko}" }}
client-runtime = {{ path = "{vendor}/{runtime}" }}
futures = "0.3"
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

# client-runtime is not on crates.io yet: the packaged one stands in for it.
[patch.crates-io]
client-runtime = {{ path = "{vendor}/{runtime}" }}

[workspace]
"#,
        vendor = vendor.display(),
        hoko = unpacked("hoko-client"),
        runtime = unpacked("client-runtime"),
    );
    std::fs::write(consumer.join("Cargo.toml"), manifest).expect("manifest");
    std::fs::write(consumer.join("src/main.rs"), MAIN).expect("main");
    // The versions this workspace pins, so that the build needs nothing new.
    std::fs::copy(root.join("Cargo.lock"), consumer.join("Cargo.lock")).expect("lockfile");
    run(cargo()
        .current_dir(&consumer)
        .args(["build", "--offline", "--quiet", "--target-dir"])
        .arg(&target)
        .env_remove("RUSTFLAGS"));
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(95))
        .await
        .expect("fake starts");
    let binary = target.join("debug").join("consumer");
    let output = tokio::process::Command::new(&binary)
        .arg(fake.base_url())
        .env("HOKO_API_KEY", fake_vendors::API_KEY)
        .output()
        .await
        .expect("the consumer runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = FakeConfig::new(Vendor::Hoko)
        .customers(95)
        .records()
        .iter()
        .rev()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, expected, "every customer, newest first: {stderr}");
}
