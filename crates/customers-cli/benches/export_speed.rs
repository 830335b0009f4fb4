//! Is an export bound by the vendor or by the client? Run with
//! `cargo bench -p customers-cli --bench export_speed`.
//!
//! For Hoko and HelpCrunch (client-side rate limit off), a fake serves `CUSTOMERS`
//! customers and this bench times, in `RUNS` rounds taken in turn, the best of each:
//! - a fetch-only pass: the same requests the CLI makes, bodies read and thrown away, no
//!   parsing (what `curl` in a loop does);
//! - `customers list … -o FILE` to a new FILE, the CLI as users run it, and its peak
//!   resident memory (of the first round);
//! - if `python3` with `requests` is present, a plain Python pager that writes each record as
//!   a JSON line.
//!
//! Each vendor's line ends `<ratio>x the fetch-only time`, and a second line says whether
//! issue 12's targets are met (`FETCH_RATIO_TARGET`, `PYTHON_RATIO_TARGET`). On two cores,
//! where the fake and the CLI share the CPU, the ratios move by about 0.3x from run to run
//! around the targets, so a miss is reported, not failed; a listing that is not complete
//! fails.
//! Every vendor is measured in a child process of its own, so that the
//! peak memory of its CLI runs (`getrusage` of waited-for children) is its own.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 200_000;
const RUNS: usize = 5;
/// Issue 12: an export takes at most this many times the fetch-only time.
const FETCH_RATIO_TARGET: f64 = 1.3;
/// Issue 12: the CLI is at least this many times faster than a plain Python pager.
const PYTHON_RATIO_TARGET: f64 = 4.0;

/// How the fetch-only pass and the Python pager page a vendor (the plain HTTP a user would
/// write by hand from the vendor's docs).
struct Paging {
    vendor: &'static str,
    credential: &'static str,
    page_size: usize,
    path: &'static str,
    offset_param: &'static str,
    size_param: &'static str,
    /// The key of the records' array in the body; empty for a bare array.
    records_key: &'static str,
}

const VENDORS: [Paging; 2] = [
    Paging {
        vendor: "hoko",
        credential: "HOKO_API_KEY",
        page_size: 10_000,
        path: "/api/customers",
        offset_param: "skip",
        size_param: "take",
        records_key: "",
    },
    Paging {
        vendor: "helpcrunch",
        credential: "HELPCRUNCH_API_KEY",
        page_size: 100,
        path: "/customers",
        offset_param: "offset",
        size_param: "limit",
        records_key: "data",
    },
];

const PYTHON_PAGER: &str = r#"
import json, sys, requests
base, path, offset_param, size_param, size, key, token, out = sys.argv[1:9]
size = int(size)
session = requests.Session()
session.headers["Authorization"] = "Bearer " + token
offset = 0
with open(out, "w") as f:
    while True:
        body = session.get(base + path, params={offset_param: offset, size_param: size}).json()
        records = body[key] if key else body
        if not records:
            break
        for record in records:
            f.write(json.dumps(record))
            f.write("\n")
        offset += len(records)
"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--measure") {
        let name = args.get(at + 1).map(String::as_str).unwrap_or_default();
        return match VENDORS.iter().find(|p| p.vendor == name) {
            Some(paging) => measure(paging),
            None => {
                eprintln!("unknown vendor `{name}`");
                ExitCode::FAILURE
            }
        };
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this bench's own executable");
        return ExitCode::FAILURE;
    };
    let mut ok = true;
    for paging in &VENDORS {
        let status = Command::new(&me)
            .args(["--measure", paging.vendor])
            .status();
        ok &= status.is_ok_and(|s| s.success());
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        println!("FAILED: see the lines above");
        ExitCode::FAILURE
    }
}

/// One vendor: fake, fetch-only, CLI, Python; one line.
fn measure(paging: &Paging) -> ExitCode {
    let mut fake = Command::new(env!("CARGO_BIN_EXE_customers"))
        .args(["mock", "--vendor", paging.vendor, "--customers"])
        .arg(CUSTOMERS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fake starts");
    let mut base_url = String::new();
    if let Some(stdout) = fake.stdout.take() {
        BufReader::new(stdout)
            .read_line(&mut base_url)
            .expect("the fake prints its URL");
    }
    let base_url = base_url.trim().to_owned();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let out = folder.path().join("customers.jsonl");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let python_out = folder.path().join("python.jsonl");
    let with_python = python_available();
    // Rounds of fetch-only, CLI and Python in turn, best of each: this machine's speed
    // drifts over seconds, and timing each side's runs together would hand a ratio the drift.
    let mut fetch = Duration::MAX;
    let mut cli = Duration::MAX;
    let mut cli_peak_kib = 0;
    let mut python = with_python.then_some(Duration::MAX);
    for round in 0..RUNS {
        fetch = fetch.min(runtime.block_on(fetch_only(&base_url, paging)));
        cli = cli.min(run_cli(&base_url, paging, &out));
        if round == 0 {
            // The largest resident set of the children waited for so far: only this CLI run
            // (the fake is not waited for until it is killed, and Python has not run yet).
            cli_peak_kib = peak_children_rss_kib();
        }
        if let Some(best) = python.as_mut() {
            *best = (*best).min(python_once(&base_url, paging, &python_out));
        }
    }
    let listed = count_lines(&out);
    let peak_mib = cli_peak_kib as f64 / 1024.0;
    let _ = fake.kill();
    let _ = fake.wait();

    let ratio = cli.as_secs_f64() / fetch.as_secs_f64();
    let python_text = match python {
        Some(time) => format!(
            "; a Python requests pager takes {:.2} s, {:.1}x the CLI's time",
            time.as_secs_f64(),
            time.as_secs_f64() / cli.as_secs_f64()
        ),
        None => "; no python3 with requests here to compare".to_owned(),
    };
    println!(
        "{}: {listed} customers, CLI {:.2} s, fetch-only {:.2} s, CLI peak memory {peak_mib:.1} MiB{python_text}; {ratio:.2}x the fetch-only time",
        paging.vendor,
        cli.as_secs_f64(),
        fetch.as_secs_f64(),
    );
    let python_ok =
        python.is_none_or(|time| time.as_secs_f64() / cli.as_secs_f64() >= PYTHON_RATIO_TARGET);
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "{}: target at most {FETCH_RATIO_TARGET}x the fetch-only time {}; at least {PYTHON_RATIO_TARGET}x faster than the Python pager {}",
        paging.vendor,
        met(ratio <= FETCH_RATIO_TARGET),
        met(python_ok)
    );
    if listed == CUSTOMERS {
        ExitCode::SUCCESS
    } else {
        println!("{}: FAILED: listed {listed} of {CUSTOMERS}", paging.vendor);
        ExitCode::FAILURE
    }
}

/// The CLI's requests, bodies read and dropped: full pages, then the empty page that ends
/// the listing.
async fn fetch_only(base_url: &str, paging: &Paging) -> Duration {
    let client = reqwest::Client::new();
    let pages = CUSTOMERS.div_ceil(paging.page_size) + 1;
    let start = Instant::now();
    let mut bytes = 0;
    for page in 0..pages {
        let offset = (page * paging.page_size).to_string();
        let size = paging.page_size.to_string();
        let body = client
            .get(format!("{base_url}{}", paging.path))
            .query(&[(paging.offset_param, &offset), (paging.size_param, &size)])
            .bearer_auth(fake_vendors::API_KEY)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("the fake answers");
        bytes += body.bytes().await.expect("a body").len();
    }
    let elapsed = start.elapsed();
    assert!(bytes > CUSTOMERS * 100, "the pages held the customers");
    elapsed
}

fn run_cli(base_url: &str, paging: &Paging, out: &Path) -> Duration {
    // A new file each run, as the Python pager writes: replacing an existing one adds the
    // wait for the disk that keeps the old one safe until the new one is there.
    let _ = std::fs::remove_file(out);
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_customers"))
        .args(["list", "--vendor", paging.vendor, "--base-url", base_url])
        .args(["--rate-limit-per-minute", "0", "--quiet", "--output"])
        .arg(out)
        .env(paging.credential, fake_vendors::API_KEY)
        .status()
        .expect("the CLI runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "the export succeeds");
    elapsed
}

fn python_available() -> bool {
    Command::new("python3")
        .args(["-c", "import requests"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn python_once(base_url: &str, paging: &Paging, out: &Path) -> Duration {
    let _ = std::fs::remove_file(out);
    let start = Instant::now();
    let status = Command::new("python3")
        .args(["-c", PYTHON_PAGER, base_url, paging.path])
        .args([paging.offset_param, paging.size_param])
        .arg(paging.page_size.to_string())
        .args([paging.records_key, fake_vendors::API_KEY])
        .arg(out)
        .status()
        .expect("python runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "the Python pager succeeds");
    assert_eq!(
        count_lines(out),
        CUSTOMERS,
        "the Python pager listed everyone"
    );
    elapsed
}

fn count_lines(path: &Path) -> usize {
    let file = std::fs::File::open(path).expect("the output exists");
    BufReader::new(file).lines().count()
}

/// The largest resident set of this process's waited-for children, in KiB.
fn peak_children_rss_kib() -> i64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|usage| usage.max_rss())
        .unwrap_or(0)
}
