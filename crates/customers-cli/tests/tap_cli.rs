//! `customers tap`, the Singer tap, end to end with the built binary against each vendor's
//! fake: the catalog, the messages (every RECORD valid against the SCHEMA it follows, by the
//! `jsonschema` crate), resuming from a STATE, incremental where the vendor filters on its
//! server, and catalog selection.

mod sync_support;

use std::collections::BTreeSet;
use std::path::Path;

use fake_vendors::{FakeConfig, FakeServer, Vendor};
use serde_json::{Value, json};
use sync_support::fake_env;
use sync_support::{binary, clean, fake_ids, text};

/// Runs `customers tap ARGS` with `vendor`'s fake credentials: exit code, messages, stderr.
fn tap(vendor: Vendor, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command.arg("tap").args(args).envs(fake_env(vendor));
    let output = command.output().expect("the binary runs");
    let messages = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a JSON message"))
        .collect();
    (output.status.code(), messages, text(&output.stderr))
}

/// A config file for `vendor`'s fake at `base_url`, pages of `page_size` (BotPenguin's
/// are its own 20).
fn config(dir: &Path, name: &str, vendor: Vendor, base_url: &str, page_size: u32) -> String {
    let path = dir.join(name);
    let mut config = json!({"vendor": vendor.as_str(), "base_url": base_url});
    if vendor != Vendor::BotPenguin {
        config["page_size"] = json!(page_size);
    }
    std::fs::write(&path, config.to_string()).expect("written");
    path.display().to_string()
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

fn ids(messages: &[Value]) -> Vec<String> {
    of_type(messages, "RECORD")
        .iter()
        .filter_map(|m| m["record"]["id"].as_str().map(str::to_owned))
        .collect()
}

/// `state`'s value written to a file, for `--state`.
fn state_file(dir: &Path, name: &str, state: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, state["value"].to_string()).expect("written");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vendor_taps_every_customer_once_in_valid_messages_and_resumes_from_a_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    for vendor in Vendor::ALL {
        let fake_config = FakeConfig::new(vendor).customers(57);
        let listed = fake_ids(&fake_config, vendor);
        let fake = FakeServer::start(fake_config).await.expect("fake starts");
        let path = config(dir.path(), "tap.json", vendor, &fake.base_url(), 20);
        let (code, messages, stderr) = tap(vendor, &["--config", &path]);
        assert_eq!(code, Some(0), "{vendor}: {stderr}");

        // SCHEMA first; every RECORD of its stream, stamped, and valid against it.
        let schema = &messages[0];
        assert_eq!(schema["type"], "SCHEMA", "{vendor}");
        let stream = schema["stream"].as_str().expect("a stream");
        assert_eq!(stream, format!("customers_{}", vendor.as_str()));
        assert_eq!(schema["key_properties"], json!(["account", "id"]));
        let validator = jsonschema::validator_for(&schema["schema"]).expect("a JSON Schema");
        for record in of_type(&messages, "RECORD") {
            assert_eq!(record["stream"], stream);
            assert!(
                record["time_extracted"]
                    .as_str()
                    .is_some_and(|t| t.ends_with('Z'))
            );
            let errors: Vec<String> = validator
                .iter_errors(&record["record"])
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{vendor}: {errors:?} in {}",
                record["record"]
            );
            assert_eq!(record["record"]["account"], vendor.as_str());
        }
        let got = ids(&messages);
        let unique: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(got.len(), unique.len(), "{vendor}: each customer once");
        assert_eq!(unique, listed, "{vendor}: every customer");

        // A STATE after each page but the last says where the next one starts; the last
        // says the sweep is complete.
        let states = of_type(&messages, "STATE");
        assert!(states.len() >= 3, "{vendor}: {} states", states.len());
        let last = states.last().expect("a state");
        assert_eq!(last["value"]["currently_syncing"], Value::Null);
        assert!(last["value"]["bookmarks"][stream]["cursor"].is_null());
        assert!(last["value"]["bookmarks"][stream]["high_water"].is_string());

        // Stopped after its second page (the STATE it emitted then), a run resumed with that
        // STATE reads the rest: with what was emitted before it, every customer.
        let second = states[1];
        let cut = messages
            .iter()
            .position(|m| std::ptr::eq(m, second))
            .expect("in the stream");
        let before: BTreeSet<String> = ids(&messages[..cut]).into_iter().collect();
        let resume = state_file(dir.path(), "state.json", second);
        let (code, rest, stderr) = tap(vendor, &["--config", &path, "--state", &resume]);
        assert_eq!(code, Some(0), "{vendor}: {stderr}");
        let after: BTreeSet<String> = ids(&rest).into_iter().collect();
        assert!(
            after.len() < listed.len(),
            "{vendor}: it resumed, not restarted"
        );
        let union: BTreeSet<String> = before.union(&after).cloned().collect();
        assert_eq!(union, listed, "{vendor}: nothing lost across the cut");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gleantap_reads_only_what_changed_since_the_last_state_and_hoko_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (vendor, incremental) in [(Vendor::Gleantap, true), (Vendor::Hoko, false)] {
        let before = FakeServer::start(FakeConfig::new(vendor).customers(40))
            .await
            .expect("fake starts");
        let path = config(dir.path(), "tap.json", vendor, &before.base_url(), 15);
        let (code, messages, stderr) = tap(vendor, &["--config", &path]);
        assert_eq!(code, Some(0), "{stderr}");
        let last = of_type(&messages, "STATE")
            .last()
            .copied()
            .expect("a state");
        let state = state_file(dir.path(), "state.json", last);

        let after = FakeServer::start(FakeConfig::new(vendor).customers(40).changed(0..6))
            .await
            .expect("fake starts");
        let path = config(dir.path(), "tap.json", vendor, &after.base_url(), 15);
        let (code, messages, stderr) = tap(vendor, &["--config", &path, "--state", &state]);
        assert_eq!(code, Some(0), "{stderr}");
        let read = ids(&messages).len();
        if incremental {
            assert_eq!(read, 6, "{vendor}: only the changed");
        } else {
            assert_eq!(read, 40, "{vendor}: a full table every time");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_needs_no_credentials_and_a_catalog_selects_what_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(5))
        .await
        .expect("fake starts");
    let path = config(dir.path(), "tap.json", Vendor::Hoko, &fake.base_url(), 10);
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    let output = command
        .args(["tap", "--config", &path, "--discover"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let catalog: Value = serde_json::from_slice(&output.stdout).expect("a catalog");
    let stream = &catalog["streams"][0];
    assert_eq!(stream["tap_stream_id"], "customers_hoko");
    assert_eq!(stream["key_properties"], json!(["account", "id"]));
    assert_eq!(
        stream["metadata"][0]["metadata"]["forced-replication-method"],
        "FULL_TABLE"
    );
    let gleantap = config(dir.path(), "g.json", Vendor::Gleantap, &fake.base_url(), 10);
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    let output = command
        .args(["tap", "--config", &gleantap, "--discover"])
        .output()
        .expect("runs");
    let catalog: Value = serde_json::from_slice(&output.stdout).expect("a catalog");
    let top = &catalog["streams"][0]["metadata"][0]["metadata"];
    assert_eq!(top["forced-replication-method"], "INCREMENTAL");
    assert_eq!(top["valid-replication-keys"], json!(["updated_at"]));

    // Selected: read. Not selected: nothing on stdout.
    let mut chosen = json!({"streams": [stream.clone()]});
    let file = dir.path().join("catalog.json");
    std::fs::write(&file, chosen.to_string()).expect("written");
    let (code, messages, _) = tap(
        Vendor::Hoko,
        &["--config", &path, "--catalog", &file.display().to_string()],
    );
    assert_eq!((code, ids(&messages).len()), (Some(0), 5));
    chosen["streams"][0]["metadata"][0]["metadata"]["selected"] = json!(false);
    std::fs::write(&file, chosen.to_string()).expect("written");
    let (code, messages, stderr) = tap(
        Vendor::Hoko,
        &[
            "--properties",
            &file.display().to_string(),
            "--config",
            &path,
        ],
    );
    assert_eq!((code, messages.len()), (Some(0), 0), "{stderr}");
    assert!(stderr.contains("not selected"), "{stderr}");
}
