//! Helpers shared by the wire tests: spec examples as response bodies, and a view of what
//! the local test server received.

#![allow(dead_code)]

pub mod databases;
pub mod openapi;

use serde_json::Value;
use wiremock::MockServer;
use xtask::{spec, vendors, workspace_root};

/// `vendor`'s spec as codegen sees it (overlay applied).
pub fn effective_spec(vendor: &str) -> Value {
    let root = workspace_root();
    let vendor = vendors::load(&root)
        .expect("vendor list")
        .into_iter()
        .find(|v| v.name == vendor)
        .expect("known vendor");
    spec::effective(&root, &vendor).expect("spec loads")
}

/// The example at `pointer` in `vendor`'s effective spec (the seed's example, fixed).
pub fn spec_example(vendor: &str, pointer: &str) -> Value {
    let doc = effective_spec(vendor);
    doc.pointer(pointer)
        .cloned()
        .unwrap_or_else(|| panic!("no example at {pointer}"))
}

/// One request as the server saw it.
#[derive(Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Query pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// Every request the server received, in order.
pub async fn seen(server: &MockServer) -> Vec<Seen> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .map(|r| Seen {
            method: r.method.to_string(),
            path: r.url.path().to_owned(),
            query: r
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers: r.headers.clone(),
            body: r.body.clone(),
        })
        .collect()
}

/// Owned query pairs from literals.
pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

mod fake_env;
pub use fake_env::fake_env;

/// Builds the `customers` binary once and returns its path. Tests in this crate cannot use
/// `CARGO_BIN_EXE_customers` (cargo sets it only for the binary's own package, where the
/// CLI's own tests live, `sync_cli.rs` among them). Only `prism.rs` still drives it from
/// here: it needs xtask's specs, and the CLI's package does not depend on xtask.
pub fn binary() -> &'static std::path::PathBuf {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        let output = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--package",
                "customers-cli",
                "--bin",
                "customers",
                "--message-format=json",
            ])
            .current_dir(xtask::workspace_root())
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter_map(|msg| msg["executable"].as_str().map(std::path::PathBuf::from))
            .next_back()
            .expect("cargo names the binary")
    })
}

/// The facade's vendor that `vendor`'s fake stands in for.
pub fn facade(vendor: fake_vendors::Vendor) -> customers::Vendor {
    customers::Vendor::ALL
        .into_iter()
        .find(|v| v.as_str() == vendor.as_str())
        .expect("every fake is a facade vendor")
}

/// A client of `vendor`'s fake at `base_url` with the fake's credentials, no client-side
/// rate limit, and `page_size` where the vendor lets it be set.
pub fn fake_client(
    vendor: fake_vendors::Vendor,
    base_url: &str,
    page_size: u32,
) -> customers::ClientBuilder {
    let env = fake_env(vendor);
    let vendor = facade(vendor);
    let credentials = customers::Credentials::from_lookup(vendor, |name| {
        env.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("the fake's credentials are complete");
    let builder = customers::CustomersClient::builder(credentials)
        .base_url(base_url)
        .rate_limit_per_minute(None);
    if customers::max_page_size(vendor).is_some() {
        builder.page_size(page_size)
    } else {
        builder
    }
}
