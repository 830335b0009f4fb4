//! End to end: the built `customers` binary against the fake vendors.

use std::collections::{BTreeMap, HashSet};
use std::process::Output;

#[path = "../../../tests/tests/support/fake_env.rs"]
mod fake_env;
use fake_env::fake_env;
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use serde_json::Value;

/// The `customers` binary cargo built for these tests.
fn binary() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_customers"))
}

const ALL_VARS: [&str; 11] = [
    "HOKO_API_KEY",
    "CARECLOUD_TOKEN",
    "CARECLOUD_LOGIN",
    "CARECLOUD_PASSWORD",
    "CARECLOUD_APP_ID",
    "CARECLOUD_BASE_URL",
    "BOTPENGUIN_API_KEY",
    "GLEANTAP_API_KEY",
    "GLEANTAP_SECRET_KEY",
    "GLEANTAP_APP_ID",
    "HELPCRUNCH_API_KEY",
];

/// Runs `customers list` for `vendor` at `base_url` with `env` and extra arguments.
async fn list(vendor: Vendor, base_url: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut all = vec![
        "list",
        "--vendor",
        vendor.as_str(),
        "--base-url",
        base_url,
        "--quiet",
    ];
    all.extend_from_slice(args);
    customers(&all, env).await
}

fn page_size_args(vendor: Vendor) -> Vec<&'static str> {
    // BotPenguin's page size is the vendor's (20 in the fake).
    if vendor == Vendor::BotPenguin {
        vec![]
    } else {
        vec!["--page-size", "10"]
    }
}

/// Asserts that `exported` (id → raw) is exactly what the fake served, each once.
fn assert_exact_export(vendor: Vendor, config: &FakeConfig, exported: Vec<(String, Value)>) {
    let served: BTreeMap<String, Value> = config
        .records()
        .into_iter()
        .map(|r| (fake_vendors::record_id(vendor, &r), r))
        .collect();
    let ids: Vec<&String> = exported.iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "{vendor}: duplicates"
    );
    let exported: BTreeMap<String, Value> = exported.into_iter().collect();
    assert_eq!(exported.len(), served.len(), "{vendor}: count");
    assert!(
        exported == served,
        "{vendor}: the raw records differ from what the fake served"
    );
}

fn jsonl(vendor: Vendor, output: &Output) -> Vec<(String, Value)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let customer: Value = serde_json::from_str(line).expect("each line is JSON");
            assert_eq!(customer["vendor"], vendor.as_str());
            let id = customer["id"].as_str().expect("id").to_owned();
            (id, customer["raw"].clone())
        })
        .collect()
}

fn csv(output: &Output) -> Vec<(String, Value)> {
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers = reader.headers().expect("header row").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (id, raw) = (column("id"), column("raw"));
    reader
        .records()
        .map(|row| {
            let row = row.expect("CSV row");
            (
                row[id].to_owned(),
                serde_json::from_str(&row[raw]).expect("raw is JSON"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_exports_completely_in_jsonl_and_csv() {
    for vendor in Vendor::ALL {
        let config = FakeConfig::new(vendor).customers(47).seed(11);
        let fake = FakeServer::start(config.clone())
            .await
            .expect("fake starts");
        let mut args = page_size_args(vendor);
        let output = list(vendor, &fake.base_url(), &fake_env(vendor), &args).await;
        assert!(
            output.status.success(),
            "{vendor}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_exact_export(vendor, &config, jsonl(vendor, &output));

        args.extend(["--format", "csv"]);
        let output = list(vendor, &fake.base_url(), &fake_env(vendor), &args).await;
        assert!(
            output.status.success(),
            "{vendor}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_exact_export(vendor, &config, csv(&output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_faults_still_export_every_customer_exactly_once() {
    for vendor in Vendor::ALL {
        let config = FakeConfig::new(vendor)
            .customers(64)
            .seed(5)
            .fault_rate(0.3);
        let fake = FakeServer::start(config.clone())
            .await
            .expect("fake starts");
        let output = list(
            vendor,
            &fake.base_url(),
            &fake_env(vendor),
            &page_size_args(vendor),
        )
        .await;
        assert!(
            output.status.success(),
            "{vendor}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_exact_export(vendor, &config, jsonl(vendor, &output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_credential_exits_2_naming_the_variable_before_any_request() {
    let cases = [
        (Vendor::Hoko, "HOKO_API_KEY"),
        (Vendor::BotPenguin, "BOTPENGUIN_API_KEY"),
        (Vendor::Gleantap, "GLEANTAP_SECRET_KEY"),
        (Vendor::HelpCrunch, "HELPCRUNCH_API_KEY"),
        (Vendor::CareCloud, "CARECLOUD_PASSWORD"),
    ];
    for (vendor, missing) in cases {
        // Nothing listens here: any request would fail with exit code 1, not 2.
        let env: Vec<_> = fake_env(vendor)
            .into_iter()
            .filter(|(k, _)| *k != missing)
            .collect();
        let output = list(vendor, "http://127.0.0.1:9", &env, &[]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{vendor}: {stderr}");
        assert!(stderr.contains(missing), "{vendor}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_exits_1_with_the_vendors_message_and_no_secret() {
    let expected = [
        (Vendor::Hoko, "Invalid API key"),
        (Vendor::BotPenguin, "Invalid token"),
        (Vendor::Gleantap, "Invalid API credentials"),
        (Vendor::HelpCrunch, "Unauthorized"),
        (Vendor::CareCloud, "Invalid login or password."),
    ];
    for (vendor, message) in expected {
        let fake = FakeServer::start(FakeConfig::new(vendor).customers(3))
            .await
            .expect("fake starts");
        let env: Vec<(&str, &str)> = fake_env(vendor)
            .into_iter()
            .map(|(k, v)| {
                if k.ends_with("_ID") || k.ends_with("_LOGIN") {
                    (k, v)
                } else {
                    (k, "wrong-secret-value")
                }
            })
            .collect();
        let output = list(vendor, &fake.base_url(), &env, &[]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{vendor}: {stderr}");
        assert!(
            stderr.contains(vendor.as_str()) && stderr.contains("401") && stderr.contains(message),
            "{vendor}: {stderr}"
        );
        assert!(!stderr.contains("wrong-secret-value"), "{vendor}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_not_sent_over_plain_http_to_other_hosts() {
    let output = list(
        Vendor::Hoko,
        "http://api.example.com",
        &fake_env(Vendor::Hoko),
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-insecure"));
}

/// `customers list` of a fake of `vendor` holding `customers`, with `args`.
async fn list_fake(vendor: Vendor, customers: usize, args: &[&str]) -> Output {
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(customers))
        .await
        .expect("fake starts");
    list(vendor, &fake.base_url(), &fake_env(vendor), args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn max_stops_early_and_json_is_one_array() {
    let output = list_fake(Vendor::Gleantap, 30, &["--max", "7", "--format", "json"]).await;
    assert!(output.status.success());
    let customers: Vec<Value> = serde_json::from_slice(&output.stdout).expect("one JSON array");
    assert_eq!(customers.len(), 7);
}

/// A filter applied here leaves pages uncapped: `--max` then ends inside a page, and the
/// later pages are never written.
#[tokio::test(flavor = "multi_thread")]
async fn max_ends_inside_a_page_when_the_filter_runs_here() {
    let output = list_fake(
        Vendor::Hoko,
        30,
        &[
            "--max",
            "7",
            "--page-size",
            "10",
            "--created-since",
            "1970-01-02T00:00:00Z",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 7);
    let ids: std::collections::HashSet<&str> =
        lines.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), 7, "seven different customers");
}

#[test]
fn mock_prints_its_base_url_first() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(binary())
        .args(["mock", "--vendor", "helpcrunch", "--customers", "3"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("http://127.0.0.1:") && first.trim_end().ends_with("/v1"),
        "{first}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use tokio::io::AsyncBufReadExt;
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(3000))
        .await
        .expect("fake starts");
    let mut command = tokio::process::Command::new(binary());
    command
        .args([
            "list",
            "--vendor",
            "hoko",
            "--base-url",
            &fake.base_url(),
            "--quiet",
        ])
        .envs(fake_env(vendor))
        .stdout(std::process::Stdio::piped());
    let mut child = command.spawn().expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut first)
        .await
        .expect("a line");
    // The pipe closes here, like `customers list | head -1`.
    let status = child.wait().await.expect("exits");
    assert!(first.starts_with("{\"vendor\":\"hoko\""), "{first}");
    assert_eq!(status.code(), Some(0));
}

/// A page with one value of the wrong type: every customer is written, the drift is
/// summarized on stderr and written with `--drift-report`, and the exit code is 0; with
/// `--strict` the run fails naming the path.
#[tokio::test(flavor = "multi_thread")]
async fn drift_is_reported_not_fatal_unless_strict() {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let vendor = Vendor::CareCloud;
    let server = MockServer::start().await;
    let body = serde_json::json!({"data": {"customers": [
        {"customer_id": "c1", "doi_email": true,
         "personal_information": {"email": "a@example.com"}},
        {"customer_id": "c2", "doi_email": "2019-06-23 11:47:22"}
    ], "total_items": 2}});
    Mock::given(path("/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let env = [("CARECLOUD_TOKEN", "token")];
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("drift.json");
    let report_arg = report.display().to_string();
    let output = list(
        vendor,
        &server.uri(),
        &env,
        &["--drift-report", &report_arg],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line")["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"c1\"", "\"c2\""]);
    assert!(
        stderr.contains(
            "carecloud $.data.customers[*].doi_email: 1 value, expected a string, found boolean"
        ),
        "{stderr}"
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written"))
            .expect("report is JSON");
    assert_eq!(
        written["drifts"][0]["path"],
        "$.data.customers[*].doi_email"
    );
    assert_eq!(written["drifts"][0]["count"], 1);
    assert_eq!(written["drifts"][0]["first_record_id"], "c1");
    assert_eq!(written["drifts"][0]["example"], true);

    let output = list(vendor, &server.uri(), &env, &["--strict"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("$.data.customers[*].doi_email"), "{stderr}");
}

/// An output that cannot be written is the output's failure (exit 3), not the vendor's.
#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_output_exits_3_and_blames_the_output() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(3))
        .await
        .expect("fake starts");
    let output = list(
        vendor,
        &fake.base_url(),
        &fake_env(vendor),
        &["-o", "/nonexistent-folder/out.jsonl"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot create /nonexistent-folder/out.jsonl"),
        "{stderr}"
    );
    assert!(!stderr.contains("hoko:"), "{stderr}");
}

/// `-o FILE` replaces FILE only on success: a failed run leaves the previous FILE as it was.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_leaves_the_previous_output_file_untouched() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(30))
        .await
        .expect("fake starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, "previous export\n").expect("write");
    let file_arg = file.display().to_string();

    let wrong = [("HOKO_API_KEY", "wrong")];
    let output = list(
        vendor,
        &fake.base_url(),
        &wrong,
        &["--format", "csv", "-o", &file_arg],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "previous export\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        ["customers.csv"],
        "no temporary or partial file is left"
    );

    let output = list(
        vendor,
        &fake.base_url(),
        &fake_env(vendor),
        &["--format", "csv", "-o", &file_arg],
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        text.lines().count(),
        31,
        "a header and 30 customers replace it"
    );
}

/// Ctrl-C ends a long export with exit 130; FILE keeps its previous content and what was
/// listed goes to FILE.partial.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_exits_130_and_keeps_the_previous_file() {
    let vendor = Vendor::HelpCrunch;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(5000))
        .await
        .expect("fake starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("out.jsonl");
    std::fs::write(&file, "previous\n").expect("write");
    let mut command = tokio::process::Command::new(binary());
    command
        .args([
            "list",
            "--vendor",
            "helpcrunch",
            "--base-url",
            &fake.base_url(),
        ])
        .args(["--page-size", "10", "--rate-limit-per-minute", "600", "-o"])
        .arg(&file)
        .envs(fake_env(vendor))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().expect("runs");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("it stops")
        .expect("waits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted after"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "previous\n");
    let partial = dir.path().join("out.jsonl.partial");
    let listed = std::fs::read_to_string(&partial).expect("a partial file");
    assert!(listed.lines().count() > 0 && listed.lines().count() < 5000);
    assert!(
        stderr.contains(&format!(
            "interrupted after {} customers",
            listed.lines().count()
        )),
        "the count said is the count kept: {stderr}"
    );
}

/// A stderr nobody reads never crashes the command (`customers demo 2>&1 | head -3`).
#[test]
fn a_closed_stderr_never_panics() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = std::process::Command::new(binary())
        .args([
            "demo",
            "--vendor",
            "hoko",
            "--customers",
            "25",
            "--format",
            "csv",
        ])
        .stderr(writer)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 26);
}

/// Runs the binary with `args` and no vendor variables but `env`.
async fn customers(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(binary());
    command.args(args);
    for var in ALL_VARS.iter().chain(&["RUST_LOG", "CUSTOMERS_LOG_FORMAT"]) {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().await.expect("the binary runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_missing_variable_is_named_in_one_run() {
    // Gleantap needs three; CareCloud a login and a per-tenant base URL.
    let output = customers(&["list", "--vendor", "gleantap"], &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for name in ["GLEANTAP_API_KEY", "GLEANTAP_SECRET_KEY", "GLEANTAP_APP_ID"] {
        assert!(stderr.contains(name), "{name} is named: {stderr}");
    }
    let output = customers(&["list", "--vendor", "carecloud"], &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for name in [
        "CARECLOUD_LOGIN",
        "CARECLOUD_PASSWORD",
        "CARECLOUD_BASE_URL",
    ] {
        assert!(stderr.contains(name), "{name} is named: {stderr}");
    }
    // Each general flag's variable shows in --help.
    let help = customers(&["list", "--help"], &[]).await;
    let help = String::from_utf8_lossy(&help.stdout);
    for variable in [
        "[env: CUSTOMERS_PAGE_SIZE=]",
        "[env: CUSTOMERS_TIME_ZONE=]",
        "[env: CUSTOMERS_RATE_LIMIT_PER_MINUTE=]",
        "[env: CUSTOMERS_CONFIG=]",
    ] {
        assert!(help.contains(variable), "{variable} in: {help}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_the_vendor_cannot_apply_is_refused_before_any_output() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::HelpCrunch).customers(3))
        .await
        .expect("fake starts");
    let folder = tempfile::tempdir().expect("temp dir");
    let file = folder.path().join("out.txt");
    let file_arg = file.to_string_lossy().into_owned();
    for extra in [vec!["--format", "table"], vec!["-o", &file_arg]] {
        let mut args = vec!["--updated-since", "7d"];
        args.extend(extra);
        let output = list(
            Vendor::HelpCrunch,
            &fake.base_url(),
            &fake_env(Vendor::HelpCrunch),
            &args,
        )
        .await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("updated since"), "{stderr}");
        assert!(
            output.stdout.is_empty(),
            "nothing on stdout, not even a header"
        );
        assert!(!file.exists(), "no output file");
    }
    assert_eq!(fake.exchange_count(), 0, "no request");
    // The help says so beforehand.
    let help = customers(&["list", "--help"], &[]).await;
    let help = String::from_utf8_lossy(&help.stdout);
    let row = help
        .lines()
        .find(|line| line.trim_start().starts_with("updated since"))
        .unwrap_or_default();
    assert!(row.ends_with("refused"), "HelpCrunch's column: {row}");
    assert!(row.contains("server only"), "Gleantap's column: {row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn max_asks_for_no_more_than_it_needs() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(30).record_exchanges())
        .await
        .expect("fake starts");
    let output = list(vendor, &fake.base_url(), &fake_env(vendor), &["--max", "1"]).await;
    assert!(output.status.success());
    assert_eq!(output.stdout.iter().filter(|b| **b == b'\n').count(), 1);
    let first = fake.exchanges().into_iter().next().expect("a request");
    assert!(
        first.query.iter().any(|(k, v)| k == "take" && v == "1"),
        "one record asked for, not 10,000: {:?}",
        first.query
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_output_extension_chooses_the_format() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(4))
        .await
        .expect("fake starts");
    let folder = tempfile::tempdir().expect("temp dir");
    let csv_path = folder.path().join("out.csv");
    let json_path = folder.path().join("out.json");
    let output = list(
        vendor,
        &fake.base_url(),
        &fake_env(vendor),
        &["-o", &csv_path.to_string_lossy()],
    )
    .await;
    assert!(output.status.success());
    let text = std::fs::read_to_string(&csv_path).expect("written");
    assert!(text.starts_with("vendor,id,"), "CSV: {text}");
    assert_eq!(text.lines().count(), 5);
    // --format wins over the extension.
    let output = list(
        vendor,
        &fake.base_url(),
        &fake_env(vendor),
        &["-o", &json_path.to_string_lossy(), "--format", "jsonl"],
    )
    .await;
    assert!(output.status.success());
    let text = std::fs::read_to_string(&json_path).expect("written");
    assert_eq!(text.lines().count(), 4, "JSON lines, not an array: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_looks_one_customer_up_and_a_missing_one_exits_1() {
    for vendor in [Vendor::HelpCrunch, Vendor::BotPenguin] {
        let config = FakeConfig::new(vendor).customers(25);
        let wanted = config.records()[13].clone();
        let id = fake_vendors::record_id(vendor, &wanted);
        let fake = FakeServer::start(config).await.expect("fake starts");
        let base = fake.base_url();
        let env = fake_env(vendor);
        let args = ["get", "--vendor", vendor.as_str(), "--base-url", &base];
        let found = customers(&[&args[..], &[id.as_str()]].concat(), &env).await;
        assert!(found.status.success(), "{vendor}: {found:?}");
        let customer: Value = serde_json::from_slice(&found.stdout).expect("one JSON object");
        assert_eq!(customer["id"], id.as_str());
        assert_eq!(customer["raw"], wanted);
        let missing = customers(&[&args[..], &["no-such-id"]].concat(), &env).await;
        let stderr = String::from_utf8_lossy(&missing.stderr);
        assert_eq!(missing.status.code(), Some(1), "{vendor}: {stderr}");
        assert!(stderr.contains("no-such-id"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn relative_times_filter_like_absolute_ones() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(20))
        .await
        .expect("fake starts");
    let env = fake_env(vendor);
    // Every fake customer was created more than a day ago and after 2000-01-01.
    let recent = list(vendor, &fake.base_url(), &env, &["--created-since", "1d"]).await;
    assert!(recent.status.success(), "{recent:?}");
    assert!(recent.stdout.is_empty());
    let all = list(
        vendor,
        &fake.base_url(),
        &env,
        &["--created-since", "9000w"],
    )
    .await;
    assert_eq!(all.stdout.iter().filter(|b| **b == b'\n').count(), 20);
    let bad = list(vendor, &fake.base_url(), &env, &["--created-since", "7y"]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("7d"));
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_pages_and_requests_with_timestamps_and_rust_log_too() {
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(25))
        .await
        .expect("fake starts");
    let base = fake.base_url();
    let mut env = fake_env(vendor);
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "list",
            "--vendor",
            "hoko",
            "--base-url",
            &base,
            "--page-size",
            "10",
        ];
        args.extend_from_slice(extra);
        args
    };
    let quiet = customers(&args(&[]), &env).await;
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("INFO"));
    let verbose = customers(&args(&["-v"]), &env).await;
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    let pages: Vec<&str> = stderr.lines().filter(|l| l.contains(" page ")).collect();
    assert_eq!(pages.len(), 4, "three pages and the empty one: {stderr}");
    assert!(
        pages[0].starts_with("20"),
        "a timestamp first: {}",
        pages[0]
    );
    assert!(
        !stderr.contains("response"),
        "requests only with -vv: {stderr}"
    );
    let very = customers(&args(&["-vv", "--log-format", "json"]), &env).await;
    let lines: Vec<Value> = String::from_utf8_lossy(&very.stderr)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect();
    let responses = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "response")
        .count();
    assert_eq!(responses, 4);
    assert!(lines.iter().all(|l| l["timestamp"].is_string()));
    let serialized = serde_json::to_string(&lines).unwrap_or_default();
    assert!(
        !serialized.contains(fake_vendors::API_KEY),
        "no secret in logs"
    );
    env.push(("RUST_LOG", "client_runtime=debug"));
    let from_env = customers(&args(&[]), &env).await;
    let stderr = String::from_utf8_lossy(&from_env.stderr);
    assert_eq!(stderr.lines().filter(|l| l.contains("response")).count(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_the_man_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = customers(&["completions", shell], &[]).await;
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        for word in ["list", "sync", "people", "get", "--created-since"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let man = customers(&["man"], &[]).await;
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH customers 1"), "{page}");
    for word in ["list", "sync", "people", "get", "completions"] {
        assert!(page.contains(word), "the man page names {word}");
    }
}

/// What a terminal shows of `raw` output, line by line: a carriage return or an erase-line
/// sequence starts the line again; other escape sequences show nothing.
fn visible_lines(raw: &str) -> Vec<String> {
    raw.split('\n')
        .map(|line| {
            let line = line.trim_end_matches('\r');
            let start = [
                line.rfind('\r').map(|i| i + 1),
                line.rfind("\u{1b}[2K").map(|i| i + 4),
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
            let mut shown = String::new();
            let mut chars = line[start..].chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    // CSI: parameters up to a final letter.
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                } else {
                    shown.push(c);
                }
            }
            shown
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_the_progress_bar_never_shares_a_line_with_the_output() {
    // `script` runs the command with stdout and stderr on one pseudo-terminal, as a shell.
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs util-linux's script for this test"
        );
        return;
    }
    let vendor = Vendor::Hoko;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(40))
        .await
        .expect("fake starts");
    for format in ["table", "jsonl"] {
        // Slow pages (5 a second) so that the bar draws between them.
        let command = format!(
            "{} list --vendor hoko --base-url {} --page-size 5 --rate-limit-per-minute 300 --format {format}",
            binary().display(),
            fake.base_url()
        );
        let output = tokio::process::Command::new(script)
            .args(["-qec", &command, "/dev/null"])
            .env("HOKO_API_KEY", fake_vendors::API_KEY)
            .env("TERM", "xterm")
            .env_remove("RUST_LOG")
            .output()
            .await
            .expect("script runs");
        assert!(output.status.success(), "{format}: {output:?}");
        let raw = String::from_utf8_lossy(&output.stdout);
        let lines = visible_lines(&raw);
        let bar = |line: &str| line.contains("hoko: ") && line.contains(" records, ");
        assert!(lines.iter().any(|l| bar(l)), "the bar was drawn: {raw:?}");
        let rows = lines.iter().filter(|l| l.contains("hoko") && !bar(l));
        assert!(
            rows.count() >= 40,
            "{format}: every customer shown: {lines:#?}"
        );
        for line in &lines {
            let output_text =
                line.contains("VENDOR") || line.contains("\"vendor\"") || line.contains("  hoko  ");
            assert!(
                !(bar(line) && output_text),
                "{format}: a line holds both: {line:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extra_headers_are_sent_and_a_credential_header_is_refused() {
    let vendor = Vendor::HelpCrunch;
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(3).record_exchanges())
        .await
        .expect("fake starts");
    let env = fake_env(vendor);
    let output = list(
        vendor,
        &fake.base_url(),
        &env,
        &["-H", "X-Request-Source: nightly"],
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    let exchanges = fake.exchanges();
    assert!(!exchanges.is_empty());
    for exchange in &exchanges {
        let header = exchange.request_headers.get("x-request-source");
        assert_eq!(header.and_then(|v| v.to_str().ok()), Some("nightly"));
    }
    let before = fake.exchange_count();
    let refused = list(
        vendor,
        &fake.base_url(),
        &env,
        &["-H", "Authorization: Bearer stolen"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("authorization"), "{stderr}");
    assert_eq!(fake.exchange_count(), before, "no request");
    let malformed = list(vendor, &fake.base_url(), &env, &["-H", "no colon"]).await;
    assert_eq!(malformed.status.code(), Some(2));
}
