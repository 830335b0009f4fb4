//! Interop with Prism (`@stoplight/prism-cli`, pinned in package.json): each of our five
//! specs (Gleantap as its overlay leaves it) and CareCloud's official spec, mocked in static
//! and in dynamic (`-d`) mode, is listed by the built `customers` binary with `--max 50`.
//! Prism writes data from the spec, not from our fakes, and validates every request we send.
//!
//! - dynamic: exit 0 and no drift (random schema-valid data must decode cleanly);
//! - static (the same example on every page): exit 0, or the paging-loop error, and no
//!   customer written twice;
//! - any request Prism finds invalid fails the test.

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_vendors::Vendor;
use serde_json::Value;
use support::{binary, fake_env};
use xtask::{spec, vendors, workspace_root};

/// Prism from `node_modules`, installed with `npm ci` when it is not there yet.
fn prism() -> PathBuf {
    let root = workspace_root();
    let bin = root.join("node_modules/.bin/prism");
    if !bin.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root)
            .status()
            .expect("npm runs (Node 20 and npm are needed for the Prism tests)");
        assert!(status.success(), "npm ci failed");
    }
    assert!(bin.exists(), "npm ci did not install Prism");
    bin
}

/// A running `prism mock`; killed when dropped.
struct Mock {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Mock {
    fn start(spec: &Path, dynamic: bool, log: PathBuf) -> Mock {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let file = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(prism());
        command
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .stdout(file.try_clone().expect("log file"))
            .stderr(file);
        if dynamic {
            command.arg("-d");
        }
        let child = command.spawn().expect("prism starts");
        let mut mock = Mock { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(90);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = mock.child.try_wait() {
                panic!("prism exited ({status}): {}", mock.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "prism did not listen: {}",
                mock.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        mock
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The specs to mock: ours (Gleantap's overlaid spec written out) and CareCloud's official
/// one when `../shared/upstream` holds it.
fn specs(scratch: &Path) -> Vec<(Vendor, String, PathBuf)> {
    let root = workspace_root();
    let mut out = Vec::new();
    for entry in vendors::load(&root).expect("vendor list") {
        let vendor = Vendor::ALL
            .into_iter()
            .find(|v| v.as_str() == entry.name)
            .expect("a fake per vendor");
        let path = if entry.overlay.is_some() {
            let doc = spec::effective(&root, &entry).expect("spec");
            let path = scratch.join(format!("{}.json", entry.name));
            std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("JSON")).expect("write");
            path
        } else {
            root.join(&entry.spec)
        };
        out.push((vendor, format!("our {} spec", entry.name), path));
    }
    let official = root.join("../shared/upstream/carecloud/openapi.yaml");
    if official.exists() {
        out.push((
            Vendor::CareCloud,
            "CareCloud's official spec".to_owned(),
            official,
        ));
    } else {
        println!(
            "skipped CareCloud's official spec: {} is not here",
            official.display()
        );
    }
    out
}

#[test]
fn prism_mocks_of_every_spec_list_cleanly_and_accept_every_request() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (vendor, name, spec) in specs(scratch.path()) {
        for dynamic in [false, true] {
            let mode = if dynamic { "dynamic" } else { "static" };
            let label = format!("{name}, {mode}");
            let log = scratch.path().join(format!("{vendor}-{mode}.log"));
            let mock = Mock::start(&spec, dynamic, log);
            let drift_report = scratch.path().join(format!("{vendor}-{mode}-drift.json"));
            let output = Command::new(binary())
                .args([
                    "list",
                    "--vendor",
                    vendor.as_str(),
                    "--max",
                    "50",
                    "--quiet",
                ])
                .args(["--base-url", &format!("http://127.0.0.1:{}", mock.port)])
                .arg("--drift-report")
                .arg(&drift_report)
                .envs(fake_env(vendor))
                .stdin(Stdio::null())
                .output()
                .expect("customers runs");
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .map(|c| c["id"].to_string())
                .collect();
            let prism_log = mock.log_text();
            drop(mock);

            let rejected: Vec<&str> = prism_log
                .lines()
                .filter(|l| {
                    l.contains("did not pass the validation rules") || l.contains("Violation")
                })
                .collect();
            if !rejected.is_empty() {
                failures.push(format!(
                    "{label}: Prism rejected requests:\n{}",
                    rejected.join("\n")
                ));
            }
            if !prism_log.contains("passed the validation rules") {
                failures.push(format!("{label}: Prism validated no request:\n{prism_log}"));
            }
            let paging_loop = stderr.contains("paging does not advance");
            let code = output.status.code();
            if dynamic {
                if code != Some(0) {
                    failures.push(format!("{label}: exit {code:?}: {stderr}"));
                }
                let report: Value = std::fs::read_to_string(&drift_report)
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null);
                let clean = report["drifts"].as_array().is_some_and(Vec::is_empty)
                    && report["unreadable"].as_array().is_some_and(Vec::is_empty);
                if !clean {
                    failures.push(format!("{label}: drift on schema-valid data: {report}"));
                }
            } else {
                if !(code == Some(0) || (code == Some(1) && paging_loop)) {
                    failures.push(format!("{label}: exit {code:?}: {stderr}"));
                }
                let mut unique = ids.clone();
                unique.sort();
                unique.dedup();
                if unique.len() != ids.len() {
                    failures.push(format!("{label}: a customer was written twice: {ids:?}"));
                }
            }
            println!("{label}: exit {code:?}, {} customers", ids.len());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
