//! `customers airbyte` (and `source-customers`), the Airbyte source, end to end against each
//! vendor's fake: every message it writes validated by the Airbyte protocol's own models
//! (PyPI airbyte-protocol-models, `python/validate_airbyte_messages.py`), the records and
//! states checked here, bad credentials a `config_error`; and a read through PyAirbyte into
//! its default local cache. The Python tools come from `.ci/python-tools`.

mod sync_support;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::process::{Command, Stdio};

use fake_vendors::{FakeConfig, FakeServer, Vendor};
use serde_json::{Value, json};
use sync_support::fake_env;
use sync_support::{binary, clean, fake_ids, text, tool};

fn python_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../python")
        .join(name)
}

/// `customers airbyte ARGS` with `vendor`'s fake credentials in the config (not the
/// environment, as a platform passes them): exit code and messages.
fn airbyte(args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let mut command = Command::new(binary());
    clean(&mut command);
    let output = command
        .arg("airbyte")
        .args(args)
        .args(["--quiet"].iter().filter(|_| args[0] != "spec"))
        .output()
        .expect("the binary runs");
    let messages = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a JSON message"))
        .collect();
    (output.status.code(), messages, text(&output.stdout))
}

/// A config for `vendor`'s fake with its credentials as config keys.
fn config(vendor: Vendor, base_url: &str, wrong: bool) -> Value {
    let mut config = json!({"vendor": vendor.as_str(), "base_url": base_url});
    if vendor != Vendor::BotPenguin {
        config["page_size"] = json!(20);
    }
    for (name, value) in fake_env(vendor) {
        let value = if wrong { "wrong-secret" } else { value };
        config[name.to_lowercase()] = json!(value);
    }
    config
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("written");
    path.display().to_string()
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

/// The protocol's models' verdict on `lines` (and the configured catalog at `catalog`).
fn validate(python: &Path, lines: &str, catalog: &str) {
    let mut child = Command::new(python)
        .arg(python_script("validate_airbyte_messages.py"))
        .arg(catalog)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lines.as_bytes())
        .expect("piped");
    let output = child.wait_with_output().expect("python ends");
    assert!(output.status.success(), "{}", text(&output.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_fits_the_airbyte_protocol_and_every_customer_arrives_once() {
    let Some(models) = tool("CUSTOMERS_TEST_AIRBYTE_MODELS_PYTHON") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all = String::new();
    let (code, spec, out) = airbyte(&["spec"]);
    assert_eq!(code, Some(0));
    all.push_str(&out);
    let secrets = &spec[0]["spec"]["connectionSpecification"]["properties"];
    assert_eq!(secrets["hoko_api_key"]["airbyte_secret"], true);
    assert_eq!(secrets["gleantap_secret_key"]["airbyte_secret"], true);
    for vendor in Vendor::ALL {
        let fake_config = FakeConfig::new(vendor).customers(45);
        let expected = fake_ids(&fake_config, vendor);
        let fake = FakeServer::start(fake_config).await.expect("fake starts");
        let good = write(
            dir.path(),
            "good.json",
            &config(vendor, &fake.base_url(), false),
        );
        let bad = write(
            dir.path(),
            "bad.json",
            &config(vendor, &fake.base_url(), true),
        );

        let (code, messages, out) = airbyte(&["check", "--config", &good]);
        assert_eq!(code, Some(0), "{vendor}: {out}");
        assert_eq!(messages[0]["connectionStatus"]["status"], "SUCCEEDED");
        all.push_str(&out);
        let (code, messages, out) = airbyte(&["check", "--config", &bad]);
        assert_eq!(code, Some(0), "{vendor}: {out}");
        let status = &messages[0]["connectionStatus"];
        assert_eq!(status["status"], "FAILED", "{vendor}");
        assert!(
            !status["message"]
                .as_str()
                .unwrap_or("")
                .contains("wrong-secret")
        );
        all.push_str(&out);

        let (code, messages, out) = airbyte(&["discover", "--config", &good]);
        assert_eq!(code, Some(0), "{vendor}: {out}");
        all.push_str(&out);
        let stream = messages[0]["catalog"]["streams"][0].clone();
        let incremental = stream["supported_sync_modes"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == "incremental"));
        assert_eq!(incremental, vendor == Vendor::Gleantap, "{vendor}");
        let configured = json!({"streams": [{
            "stream": stream,
            "sync_mode": if incremental { "incremental" } else { "full_refresh" },
            "destination_sync_mode": "append_dedup",
            "cursor_field": if incremental { json!(["updated_at"]) } else { json!([]) },
            "primary_key": [["account"], ["id"]],
        }]});
        let catalog = write(dir.path(), "catalog.json", &configured);

        let (code, messages, out) = airbyte(&["read", "--config", &good, "--catalog", &catalog]);
        assert_eq!(code, Some(0), "{vendor}: {out}");
        all.push_str(&out);
        let ids: Vec<&str> = of_type(&messages, "RECORD")
            .iter()
            .filter_map(|m| m["record"]["data"]["id"].as_str())
            .collect();
        let unique: BTreeSet<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        assert_eq!(ids.len(), unique.len(), "{vendor}: once");
        assert_eq!(unique, expected, "{vendor}: every customer");
        let states = of_type(&messages, "STATE");
        assert!(states.len() >= 3, "{vendor}: a state a page");
        let counted: f64 = states
            .iter()
            .filter_map(|s| s["state"]["sourceStats"]["recordCount"].as_f64())
            .sum();
        assert_eq!(
            counted as usize,
            expected.len(),
            "{vendor}: states count records"
        );

        // Resumed from the second state: the rest, nothing lost.
        let second = json!([states[1]["state"]]);
        let state = write(dir.path(), "state.json", &second);
        let (code, rest, out) = airbyte(&[
            "read",
            "--config",
            &good,
            "--catalog",
            &catalog,
            "--state",
            &state,
        ]);
        assert_eq!(code, Some(0), "{vendor}: {out}");
        all.push_str(&out);
        let cut = messages
            .iter()
            .position(|m| std::ptr::eq(m, states[1]))
            .expect("in the output");
        let mut seen: BTreeSet<String> = of_type(&messages[..cut], "RECORD")
            .iter()
            .filter_map(|m| m["record"]["data"]["id"].as_str().map(str::to_owned))
            .collect();
        let after = of_type(&rest, "RECORD");
        assert!(after.len() < expected.len(), "{vendor}: resumed");
        seen.extend(
            after
                .iter()
                .filter_map(|m| m["record"]["data"]["id"].as_str().map(str::to_owned)),
        );
        assert_eq!(seen, expected, "{vendor}: across the cut");

        // Bad credentials: a TRACE with a config_error, and exit 1.
        let (code, messages, out) = airbyte(&["read", "--config", &bad, "--catalog", &catalog]);
        assert_eq!(code, Some(1), "{vendor}: {out}");
        all.push_str(&out);
        let trace = of_type(&messages, "TRACE");
        assert_eq!(trace.len(), 1, "{vendor}: {out}");
        assert_eq!(trace[0]["trace"]["error"]["failure_type"], "config_error");
        validate(&models, &all, &catalog);
        all.clear();
    }
    // A vendor that answers what is not JSON is a system_error.
    let garbage = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = garbage.local_addr().expect("an address");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = garbage.accept().await {
            let mut request = [0_u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot json!")
                .await;
        }
    });
    let dir2 = tempfile::tempdir().expect("temp dir");
    let broken = write(
        dir2.path(),
        "broken.json",
        &config(Vendor::Hoko, &format!("http://{address}"), false),
    );
    let catalog = write(
        dir2.path(),
        "catalog.json",
        &json!({"streams": [{"stream": {"name": "customers_hoko", "json_schema": {}, "supported_sync_modes": ["full_refresh"]}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}),
    );
    let (code, messages, out) = airbyte(&["read", "--config", &broken, "--catalog", &catalog]);
    assert_eq!(code, Some(1), "{out}");
    let trace = of_type(&messages, "TRACE");
    assert_eq!(
        trace[0]["trace"]["error"]["failure_type"], "system_error",
        "{out}"
    );
    validate(&models, &out, &catalog);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_stays_whole_when_stderr_shares_the_pipe() {
    // As PyAirbyte runs a source: its stderr (progress lines, written as pages arrive,
    // beside the records) merged into its stdout. Many pages of 20 give many chances for a
    // line of one inside a message of the other; before whole lines, a read of 3,000 lost
    // up to 34 records this way.
    let fake_config = FakeConfig::new(Vendor::Hoko).customers(3000);
    let expected = fake_ids(&fake_config, Vendor::Hoko);
    let fake = FakeServer::start(fake_config).await.expect("fake starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write(
        dir.path(),
        "config.json",
        &config(Vendor::Hoko, &fake.base_url(), false),
    );
    let catalog = write(
        dir.path(),
        "catalog.json",
        &json!({"streams": [{"stream": {"name": "customers_hoko", "json_schema": {}, "supported_sync_modes": ["full_refresh"]}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}),
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg("\"$0\" airbyte read --config \"$1\" --catalog \"$2\" 2>&1")
        .arg(binary())
        .arg(&config)
        .arg(&catalog)
        .output()
        .expect("bash runs");
    let merged = text(&output.stdout);
    assert!(output.status.success(), "{merged}");
    let mut ids = BTreeSet::new();
    for line in merged.lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(message) => {
                if let Some(id) = message["record"]["data"]["id"].as_str() {
                    ids.insert(id.to_owned());
                }
            }
            Err(_) => assert!(line.starts_with("hoko: "), "a broken line: {line}"),
        }
    }
    assert_eq!(ids, expected, "every record arrives whole");
}

/// One read through PyAirbyte of `vendor`'s stream from the source at `executable` with
/// `config`, in a new working folder (where PyAirbyte keeps its DuckDB cache): the ids the
/// cache holds, and the ids of the records the source wrote (a wrapper keeps a copy of its
/// output, so that a customer missing from the cache can be told apart from one never sent).
fn pyairbyte_read(
    python: &Path,
    executable: &Path,
    config: &Value,
    vendor: Vendor,
) -> (Vec<String>, BTreeSet<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sent = dir.path().join("sent.jsonl");
    let wrapper = dir.path().join("source-customers-copied");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/bash\nset -o pipefail\n'{}' \"$@\" | tee -a '{}'\n",
            executable.display(),
            sent.display()
        ),
    )
    .expect("wrapper written");
    let mut permissions = std::fs::metadata(&wrapper).expect("wrapper").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&wrapper, permissions).expect("executable");
    let output = Command::new(python)
        .arg(python_script("pyairbyte_read.py"))
        .arg(&wrapper)
        .arg(config.to_string())
        .current_dir(dir.path())
        .env("DO_NOT_TRACK", "1")
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{vendor}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let last = text(&output.stdout)
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .expect("the ids read");
    let cached = last["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .collect();
    let sent = std::fs::read_to_string(&sent)
        .expect("the source's output")
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["type"] == "RECORD")
        .filter_map(|message| message["record"]["data"]["id"].as_str().map(str::to_owned))
        .collect();
    (cached, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyairbyte_reads_every_customer_once_into_its_local_cache() {
    let Some(python) = tool("CUSTOMERS_TEST_PYAIRBYTE_PYTHON") else {
        return;
    };
    let executable = binary().with_file_name("source-customers");
    assert!(
        executable.exists(),
        "cargo builds source-customers beside customers"
    );
    for vendor in [Vendor::Hoko, Vendor::Gleantap] {
        let fake_config = FakeConfig::new(vendor).customers(70);
        let expected = fake_ids(&fake_config, vendor);
        let fake = FakeServer::start(fake_config).await.expect("fake starts");
        let config = config(vendor, &fake.base_url(), false);
        let (cached, sent) = pyairbyte_read(&python, &executable, &config, vendor);
        assert_eq!(sent, expected, "{vendor}: the source sent every customer");
        let unique: BTreeSet<String> = cached.iter().cloned().collect();
        assert_eq!(cached.len(), unique.len(), "{vendor}: once");
        // PyAirbyte merges the source's stderr into its stdout: a progress line inside a
        // record made PyAirbyte drop that record (`whole_lines.rs`).
        assert_eq!(
            unique, expected,
            "{vendor}: the cache holds every customer sent"
        );
    }
}
