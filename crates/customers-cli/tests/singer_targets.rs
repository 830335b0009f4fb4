//! `customers tap` piped into Singer targets nobody here wrote, installed from PyPI at
//! pinned versions (`.ci/python-tools`): `target-jsonl` gets every customer of each vendor's fake
//! once, also across a run killed mid-way and resumed from its last STATE;
//! `meltanolabs-target-postgres` loads the CI's PostgreSQL, and a second run with the last
//! STATE reads only what changed where the stream is incremental.

mod sync_support;

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use fake_vendors::{FakeConfig, FakeServer, Vendor};
use serde_json::{Value, json};
use sync_support::databases;
use sync_support::fake_env;
use sync_support::{binary, clean, fake_ids, text, tool};

/// `customers tap` of `vendor`'s fake at `base_url` (pages of 15) with `state`: its stdout.
fn tap(dir: &Path, vendor: Vendor, base_url: &str, state: Option<&Value>) -> Vec<u8> {
    let config = dir.join(format!("tap-{}.json", vendor.as_str()));
    let mut settings = json!({"vendor": vendor.as_str(), "base_url": base_url});
    if vendor != Vendor::BotPenguin {
        settings["page_size"] = json!(15);
    }
    std::fs::write(&config, settings.to_string()).expect("written");
    let mut command = Command::new(binary());
    clean(&mut command);
    command
        .args(["tap", "--quiet", "--config"])
        .arg(&config)
        .envs(fake_env(vendor));
    if let Some(state) = state {
        let file = dir.join("state.json");
        std::fs::write(&file, state.to_string()).expect("written");
        command.arg("--state").arg(&file);
    }
    let output = command.output().expect("the tap runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    output.stdout
}

/// Pipes `messages` into the target at `program` with `config`: its stdout.
fn load(program: &Path, config: &Value, dir: &Path, messages: &[u8]) -> String {
    let file = dir.join("target.json");
    std::fs::write(&file, config.to_string()).expect("written");
    let mut child = Command::new(program)
        .arg("--config")
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the target starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(messages)
        .expect("piped");
    let output = child.wait_with_output().expect("the target ends");
    assert!(
        output.status.success(),
        "{}: {}",
        program.display(),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The last STATE's value among `messages`.
fn last_state(messages: &[u8]) -> Value {
    text(messages)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .rfind(|m| m["type"] == "STATE")
        .map(|m| m["value"].clone())
        .expect("a STATE")
}

fn record_count(messages: &[u8]) -> usize {
    text(messages)
        .lines()
        .filter(|line| line.contains("\"type\":\"RECORD\""))
        .count()
}

/// The ids target-jsonl wrote into `folder`, over all its files.
fn written_ids(folder: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(folder).expect("the folder") {
        let path = entry.expect("an entry").path();
        for line in std::fs::read_to_string(&path).expect("readable").lines() {
            let record: Value = serde_json::from_str(line).expect("a JSON line");
            ids.push(record["id"].as_str().expect("an id").to_owned());
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_jsonl_gets_every_customer_of_every_vendor_once() {
    let Some(program) = tool("CUSTOMERS_TEST_TARGET_JSONL") else {
        return;
    };
    for vendor in Vendor::ALL {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        std::fs::create_dir(&out).expect("folder");
        let config = FakeConfig::new(vendor).customers(57);
        let expected = fake_ids(&config, vendor);
        let fake = FakeServer::start(config).await.expect("fake starts");
        let messages = tap(dir.path(), vendor, &fake.base_url(), None);
        load(
            &program,
            &json!({"destination_path": out}),
            dir.path(),
            &messages,
        );
        let ids = written_ids(&out);
        let unique: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), unique.len(), "{vendor}: each customer once");
        assert_eq!(unique, expected, "{vendor}: every customer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tap_killed_mid_way_and_resumed_from_its_last_state_loses_no_customer() {
    let Some(program) = tool("CUSTOMERS_TEST_TARGET_JSONL") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = FakeConfig::new(Vendor::Hoko)
        .customers(150)
        .jitter(std::time::Duration::from_millis(80));
    let expected = fake_ids(&config, Vendor::Hoko);
    let fake = FakeServer::start(config).await.expect("fake starts");
    let settings = dir.path().join("tap.json");
    std::fs::write(
        &settings,
        json!({"vendor": "hoko", "base_url": fake.base_url(), "page_size": 15}).to_string(),
    )
    .expect("written");
    let mut command = Command::new(binary());
    clean(&mut command);
    let mut child = command
        .args(["tap", "--quiet", "--config"])
        .arg(&settings)
        .envs(fake_env(Vendor::Hoko))
        .stdout(Stdio::piped())
        .spawn()
        .expect("the tap starts");
    // Read until the third STATE, then kill: what a pipeline has when its tap dies.
    let mut first = Vec::new();
    let mut states = 0;
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    while states < 3 {
        let line = lines.next().expect("more output").expect("a line");
        states += usize::from(line.contains("\"type\":\"STATE\""));
        first.extend_from_slice(line.as_bytes());
        first.push(b'\n');
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(record_count(&first) < expected.len(), "killed mid-way");

    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("folder");
    let target_config = json!({"destination_path": out});
    load(&program, &target_config, dir.path(), &first);
    let second = tap(
        dir.path(),
        Vendor::Hoko,
        &fake.base_url(),
        Some(&last_state(&first)),
    );
    // target-jsonl names its file by the second: keep the two runs' files apart.
    let out2 = dir.path().join("out2");
    std::fs::create_dir(&out2).expect("folder");
    load(
        &program,
        &json!({"destination_path": out2}),
        dir.path(),
        &second,
    );
    let mut ids: BTreeSet<String> = written_ids(&out).into_iter().collect();
    ids.extend(written_ids(&out2));
    assert_eq!(ids, expected, "every customer, across the kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_postgres_loads_every_customer_once_and_a_second_run_reads_what_the_stream_allows() {
    let Some(program) = tool("CUSTOMERS_TEST_TARGET_POSTGRES") else {
        return;
    };
    let Some(server) = databases::postgres_url() else {
        return;
    };
    let db = databases::postgres(&server, "singer").await;
    // The target speaks SQLAlchemy with psycopg 3.
    let sqlalchemy_url = db.url.replacen("postgres://", "postgresql+psycopg://", 1);
    let target_config = json!({
        "sqlalchemy_url": sqlalchemy_url,
        "default_target_schema": "public",
        "activate_version": false,
    });
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connects");
    for (vendor, incremental) in [(Vendor::Gleantap, true), (Vendor::Hoko, false)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = FakeConfig::new(vendor).customers(40);
        let expected = fake_ids(&config, vendor);
        let fake = FakeServer::start(config.clone())
            .await
            .expect("fake starts");
        let messages = tap(dir.path(), vendor, &fake.base_url(), None);
        load(&program, &target_config, dir.path(), &messages);
        let table = format!("customers_{}", vendor.as_str());
        let ids: Vec<(String, String, Option<String>)> = sqlx::query_as(&format!(
            "SELECT id, account, email FROM {table} ORDER BY id"
        ))
        .fetch_all(&pool)
        .await
        .expect("the table the target made");
        let unique: BTreeSet<String> = ids.iter().map(|(id, _, _)| id.clone()).collect();
        assert_eq!(ids.len(), unique.len(), "{vendor}: each customer once");
        assert_eq!(unique, expected, "{vendor}: every customer");
        assert!(ids.iter().all(|(_, account, _)| account == vendor.as_str()));
        assert!(
            ids.iter().any(|(_, _, email)| email.is_some()),
            "{vendor}: columns"
        );

        let changed = FakeServer::start(config.changed(0..6))
            .await
            .expect("fake starts");
        let again = tap(
            dir.path(),
            vendor,
            &changed.base_url(),
            Some(&last_state(&messages)),
        );
        let read = record_count(&again);
        assert_eq!(read, if incremental { 6 } else { 40 }, "{vendor}");
        load(&program, &target_config, dir.path(), &again);
        let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("counted");
        assert_eq!(rows, 40, "{vendor}: upserted on the key, none twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn singer_check_tap_finds_the_output_of_every_vendor_valid() {
    let Some(check) = tool("CUSTOMERS_TEST_SINGER_CHECK_TAP") else {
        return;
    };
    for vendor in Vendor::ALL {
        let dir = tempfile::tempdir().expect("temp dir");
        let fake = FakeServer::start(FakeConfig::new(vendor).customers(33))
            .await
            .expect("fake starts");
        let messages = tap(dir.path(), vendor, &fake.base_url(), None);
        let mut child = Command::new(&check)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("singer-check-tap starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&messages)
            .expect("piped");
        let output = child.wait_with_output().expect("it ends");
        let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(output.status.success(), "{vendor}: {said}");
        assert!(said.contains("The output is valid"), "{vendor}: {said}");
        assert!(said.contains("33 record messages"), "{vendor}: {said}");
    }
}

/// A Meltano project whose extractor is `tap-customers` (a custom plugin, its executable
/// beside `customers`) for Gleantap's fake at `base_url`, loading into target-jsonl's
/// `out`.
fn meltano_project(dir: &Path, base_url: &str, target_jsonl: &Path, out: &Path) {
    let tap = binary().with_file_name("tap-customers");
    let credentials: Vec<String> = fake_env(Vendor::Gleantap)
        .iter()
        .map(|(name, value)| format!("        {}: {value}\n", name.to_lowercase()))
        .collect();
    let project = format!(
        "version: 1\ndefault_environment: dev\nproject_id: customers-tests\n\
         send_anonymous_usage_stats: false\nenvironments:\n  - name: dev\nplugins:\n  \
         extractors:\n    - name: tap-customers\n      namespace: tap_customers\n      \
         executable: {tap}\n      capabilities: [catalog, discover, state]\n      settings:\n        \
         - name: vendor\n        - name: base_url\n        - name: page_size\n          kind: integer\n        \
         - name: gleantap_api_key\n          kind: password\n        - name: gleantap_secret_key\n          \
         kind: password\n        - name: gleantap_app_id\n      config:\n        vendor: gleantap\n        \
         base_url: {base_url}\n        page_size: 10\n{credentials}  loaders:\n    - name: target-jsonl\n      \
         namespace: target_jsonl\n      executable: {jsonl}\n      settings:\n        \
         - name: destination_path\n      config:\n        destination_path: {out}\n",
        tap = tap.display(),
        credentials = credentials.concat(),
        jsonl = target_jsonl.display(),
        out = out.display(),
    );
    std::fs::write(dir.join("meltano.yml"), project).expect("written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meltano_runs_the_tap_as_a_custom_extractor_and_keeps_its_state() {
    let (Some(meltano), Some(jsonl)) = (
        tool("CUSTOMERS_TEST_MELTANO"),
        tool("CUSTOMERS_TEST_TARGET_JSONL"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = FakeConfig::new(Vendor::Gleantap).customers(40);
    let expected = fake_ids(&config, Vendor::Gleantap);
    let before = FakeServer::start(config.clone())
        .await
        .expect("fake starts");
    let after = FakeServer::start(config.clone().changed(0..6))
        .await
        .expect("fake starts");
    let mut runs = Vec::new();
    for (fake, folder) in [(&before, "out"), (&after, "out2")] {
        let out = dir.path().join(folder);
        std::fs::create_dir(&out).expect("folder");
        meltano_project(dir.path(), &fake.base_url(), &jsonl, &out);
        let output = Command::new(&meltano)
            .args(["run", "tap-customers", "target-jsonl"])
            .current_dir(dir.path())
            .env("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
            .env("NO_COLOR", "1")
            .output()
            .expect("meltano runs");
        assert!(
            output.status.success(),
            "{}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        runs.push(written_ids(&out));
    }
    let first: BTreeSet<String> = runs[0].iter().cloned().collect();
    assert_eq!(runs[0].len(), first.len(), "each customer once");
    assert_eq!(first, expected, "every customer");
    // Meltano kept the last STATE: the second run reads only the six that changed.
    assert_eq!(runs[1].len(), 6, "{:?}", runs[1]);
}
