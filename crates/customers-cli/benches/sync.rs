//! `customers sync` of 100,000 Hoko customers into SQLite and into PostgreSQL (the server
//! `CUSTOMERS_TEST_POSTGRES_URL` names; CI starts one), beside a plain JSONL export of the
//! same fake in the same run, each the best of seven, alternated; then a second sync of the
//! unchanged data. Run with `cargo bench -p customers-cli --bench sync`. The targets (the
//! sync at most 2x the export's time on SQLite, 2.5x on PostgreSQL) are printed as met or
//! not, not checked: the machine's noise moves them by a fifth.
//!
//! Everything runs as the built `customers` binary against a fake Hoko (`customers mock`,
//! another process). Each run's peak resident memory is read from `/proc` while it runs.
//! The checks: the database holds every customer, and the sync's peak memory at 100,000
//! customers is within `FLAT` of its peak at 50,000 (memory flat in the number of
//! customers), each the largest of seven syncs into a new file. The peak at 20,000 is printed
//! too: from 20,000 to 50,000 the allocator's arenas still grow with Hoko's 10,000-customer
//! pages (measured: about 44, 56 and 62 MiB at 20k, 50k and 100k; at 1,000 a page, 23.6 and
//! 25.4 MiB at 20k and 200k). The speeds are printed as ratios, not checked.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 100_000;
const HALF: usize = 50_000;
const SMALL: usize = 20_000;
/// How much larger the peak at `CUSTOMERS` may be than at `HALF`.
const FLAT: f64 = 1.25;
/// Runs of each peak measurement: the largest peak counts. As many as the timed runs at
/// 100,000, whose largest peak it is compared with: with three here against seven there, the
/// ratio leaned up (1.23x in a run of unchanged code, the peak at 50,000 moving between 47
/// and 58 MiB from run to run).
const ROUNDS: usize = TIME_ROUNDS;
/// Runs of each timed command at 100,000, alternated: the best time counts. With three,
/// the export's best moved between 0.21 and 0.27 s from one bench run to the next on the
/// same machine, and the PostgreSQL sync's ratio with it (2.3x to 2.8x); with seven, the
/// ratio moved by less (2.34x to 2.43x in five runs).
const TIME_ROUNDS: usize = 7;

/// A fake Hoko with `customers` customers; its base URL.
fn fake(customers: usize) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_customers"))
        .args([
            "mock",
            "--vendor",
            "hoko",
            "--customers",
            &customers.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fake starts");
    let mut base_url = String::new();
    if let Some(stdout) = child.stdout.take() {
        std::io::BufReader::new(stdout)
            .read_line(&mut base_url)
            .expect("the fake prints its URL");
    }
    (child, base_url.trim().to_owned())
}

/// Runs `customers ARGS` against `base_url`: its wall time and peak resident memory (bytes).
fn measure(base_url: &str, args: &[&str]) -> (Duration, u64) {
    let (time, peak, _) = measure_cpu(base_url, args);
    (time, peak)
}

/// [`measure`], and the CPU seconds the command used (read while it runs: within 5 ms).
fn measure_cpu(base_url: &str, args: &[&str]) -> (Duration, u64, f64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_customers"))
        .args(args)
        .args(["--vendor", "hoko", "--base-url", base_url, "--quiet"])
        .env("HOKO_API_KEY", "fake-api-key")
        .stdout(Stdio::null())
        .spawn()
        .expect("customers starts");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let mut cpu = 0.0;
    let status = loop {
        if let Some(hwm) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|text| vm_hwm(&text))
        {
            peak = peak.max(hwm);
        }
        if let Some(used) = cpu_seconds(child.id()) {
            cpu = used.own;
        }
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    assert!(status.success(), "customers {args:?} failed");
    (elapsed, peak, cpu)
}

/// CPU seconds (user and system) of a process: its own, and its reaped children's.
#[derive(Clone, Copy, Default)]
struct Cpu {
    own: f64,
    children: f64,
}

/// [`Cpu`] of process `pid`, from `/proc/PID/stat`, and its name.
fn cpu_stat(pid: &str) -> Option<(String, u32, Cpu)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1.to_owned();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Linux reports these in USER_HZ, 100 a second on every architecture it runs on here.
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok().map(|t| t / 100.0);
    let parent = fields.get(1)?.parse().ok()?;
    let cpu = Cpu {
        own: ticks(11)? + ticks(12)?,
        children: ticks(13)? + ticks(14)?,
    };
    Some((name, parent, cpu))
}

/// [`Cpu`] of process `pid`.
fn cpu_seconds(pid: u32) -> Option<Cpu> {
    cpu_stat(&pid.to_string()).map(|(_, _, cpu)| cpu)
}

/// CPU seconds used so far by a PostgreSQL server on this machine, if one runs here: every
/// `postgres` process, and the backends its postmaster has reaped (a sync's connections
/// end with it).
fn server_cpu() -> Option<f64> {
    let mut total = 0.0;
    let mut found = false;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        let Some((name, parent, cpu)) = cpu_stat(&pid) else {
            continue;
        };
        if name != "postgres" {
            continue;
        }
        found = true;
        total += cpu.own;
        let parent_name = cpu_stat(&parent.to_string()).map(|(name, _, _)| name);
        if parent_name.as_deref() != Some("postgres") {
            // The postmaster: its reaped children are the backends that ended.
            total += cpu.children;
        }
    }
    found.then_some(total)
}

/// `VmHWM` (peak resident set) of a `/proc/PID/status`, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn rows(db: &Path) -> usize {
    block_on(async {
        let store = customers_sync::Store::open(&db.display().to_string())
            .await
            .expect("the database opens");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(store.pool())
            .await
            .expect("counted");
        usize::try_from(count).unwrap_or(0)
    })
}

/// The PostgreSQL server to measure against, if any (with `CI=true` there must be one).
fn postgres_server() -> Option<String> {
    match std::env::var("CUSTOMERS_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI measures PostgreSQL: set CUSTOMERS_TEST_POSTGRES_URL (.ci/postgres prints one)"
            );
            None
        }
    }
}

/// `work` run to its end on a runtime of its own.
fn block_on<F: std::future::Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(work)
}

/// Runs `statements` (on databases as a whole) on `server`, one after another.
async fn on_server(server: &str, statements: &[String]) {
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(server)
        .await
        .expect("PostgreSQL answers");
    for sql in statements {
        sqlx::query(sql).execute(&admin).await.expect("done");
    }
    admin.close().await;
}

/// A new, empty database `name` on `server` (dropped first if an earlier run left it): its
/// address.
fn postgres_database(server: &str, name: &str) -> String {
    block_on(on_server(
        server,
        &[
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\""),
        ],
    ));
    database_url(server, name)
}

/// The address of database `name` on `server`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let (origin, _) = base.rsplit_once('/').expect("a URL with a database path");
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{origin}/{name}{query}")
}

/// How many customers database `name` on `server` holds; the database is then dropped,
/// so that the server's autovacuum, which visits a loaded table about a minute later, does
/// not run during a later measurement (it did: a quarter of a second of CPU beside it).
fn postgres_rows_then_drop(server: &str, name: &str) -> usize {
    block_on(async {
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&database_url(server, name))
            .await
            .expect("the database answers");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(&db)
            .await
            .expect("counted");
        db.close().await;
        on_server(server, &[format!("DROP DATABASE \"{name}\" WITH (FORCE)")]).await;
        usize::try_from(count).unwrap_or(0)
    })
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() -> ExitCode {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).display().to_string();

    // The largest of seven syncs into a new file, as at `CUSTOMERS` (the largest of the
    // seven rounds): a sync's peak moves by a tenth from run to run (how many pages' buffers
    // happen to be alive at once), and the larger of two still left the ratio between 1.0x and
    // 1.2x for the same code.
    let postgres = postgres_server();
    // SQLite's peak, and PostgreSQL's when a server is set (its pages are written two at a
    // time, each on a connection of its own: memory the SQLite figure does not show).
    let peak_at = |customers: usize| {
        let (mut fake, url) = fake(customers);
        let peak = (0..ROUNDS)
            .map(|round| {
                let db = path(&format!("sync-{customers}-{round}.db"));
                measure(&url, &["sync", "--db", &db]).1
            })
            .max()
            .unwrap_or(0);
        let postgres_peak = postgres.as_ref().map(|server| {
            (0..ROUNDS)
                .map(|round| {
                    let name = format!("bench_peak_{round}");
                    let db = postgres_database(server, &name);
                    let peak = measure(&url, &["sync", "--db", &db]).1;
                    let synced = postgres_rows_then_drop(server, &name);
                    assert_eq!(synced, customers, "every customer is in PostgreSQL");
                    peak
                })
                .max()
                .unwrap_or(0)
        });
        let _ = fake.kill();
        let _ = fake.wait();
        (peak, postgres_peak)
    };
    let (small_peak, _) = peak_at(SMALL);
    let (half_peak, postgres_half_peak) = peak_at(HALF);

    let (mut big_fake, url) = fake(CUSTOMERS);
    let mut export_time = Duration::MAX;
    let mut export_peak = 0;
    let mut sync_time = Duration::MAX;
    let mut sync_peak = 0;
    let mut postgres_time = Duration::MAX;
    let mut postgres_peak = 0;
    // The CPU seconds of the fastest PostgreSQL sync: the CLI's, the fake's, the server's.
    let mut postgres_cpu = (0.0, 0.0, None);
    let mut postgres_synced = CUSTOMERS;
    let mut db = String::new();
    for round in 0..TIME_ROUNDS {
        let (time, peak) = measure(&url, &["list", "-o", &path("export.jsonl")]);
        export_time = export_time.min(time);
        export_peak = export_peak.max(peak);
        db = path(&format!("sync-{round}.db"));
        let (time, peak) = measure(&url, &["sync", "--db", &db]);
        sync_time = sync_time.min(time);
        sync_peak = sync_peak.max(peak);
        if let Some(address) = &postgres {
            let name = format!("bench_sync_{round}");
            let fresh = postgres_database(address, &name);
            let fake_before = cpu_seconds(big_fake.id()).unwrap_or_default().own;
            let server_before = server_cpu();
            let (time, peak, cli) = measure_cpu(&url, &["sync", "--db", &fresh]);
            postgres_peak = postgres_peak.max(peak);
            let fake = cpu_seconds(big_fake.id()).unwrap_or_default().own - fake_before;
            let server = server_before.zip(server_cpu()).map(|(a, b)| b - a);
            if time < postgres_time {
                postgres_cpu = (cli, fake, server);
            }
            postgres_time = postgres_time.min(time);
            postgres_synced = postgres_rows_then_drop(address, &name);
        }
    }
    let (again_time, _) = measure(&url, &["sync", "--db", &db]);
    let _ = big_fake.kill();
    let _ = big_fake.wait();

    let synced = rows(Path::new(&db));
    let rate = |time: Duration| CUSTOMERS as f64 / time.as_secs_f64();
    let ratio = |time: Duration| time.as_secs_f64() / export_time.as_secs_f64();
    let verdict = |ratio: f64, target: f64| {
        if ratio <= target {
            format!("target at most {target}x: met")
        } else {
            format!("target at most {target}x: not met")
        }
    };
    println!(
        "the JSONL export of {CUSTOMERS} Hoko customers: {:.2} s, {:.0} customers/s",
        export_time.as_secs_f64(),
        rate(export_time)
    );
    println!(
        "sync into a new SQLite file: {:.2} s, {:.0} customers/s ({}); {:.2}x the export's time",
        sync_time.as_secs_f64(),
        rate(sync_time),
        verdict(ratio(sync_time), 2.0),
        ratio(sync_time)
    );
    match &postgres {
        Some(_) => println!(
            "sync into a new PostgreSQL database: {:.2} s, {:.0} customers/s ({}); {:.2}x the export's time",
            postgres_time.as_secs_f64(),
            rate(postgres_time),
            verdict(ratio(postgres_time), 2.5),
            ratio(postgres_time)
        ),
        None => println!("PostgreSQL not measured: CUSTOMERS_TEST_POSTGRES_URL is not set"),
    }
    if let (Some(_), (cli, fake, Some(server))) = (&postgres, postgres_cpu) {
        // The three share the machine's cores: their CPU seconds over the cores bound the
        // sync's time from below, whatever the sync does with its own share.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let floor = (cli + fake + server) / cores as f64;
        println!(
            "CPU of that PostgreSQL sync: the CLI {cli:.2} s, the fake {fake:.2} s, the server {server:.2} s; \
             {:.2} s on {cores} cores take at least {floor:.2} s, {:.2}x the export's time",
            cli + fake + server,
            floor / export_time.as_secs_f64()
        );
    }
    println!(
        "second sync of the unchanged data into SQLite: {:.0} customers/s, {:.2}x the first sync's time",
        rate(again_time),
        again_time.as_secs_f64() / sync_time.as_secs_f64()
    );
    let flat = sync_peak as f64 / half_peak as f64;
    println!(
        "peak memory: sync {:.1} MiB at {CUSTOMERS} customers, {:.1} MiB at {HALF}: {flat:.2}x (limit {FLAT}x); {:.1} MiB at {SMALL}; the export {:.1} MiB at {CUSTOMERS}",
        mib(sync_peak),
        mib(half_peak),
        mib(small_peak),
        mib(export_peak)
    );
    let postgres_flat = postgres_half_peak.map(|half| postgres_peak as f64 / half as f64);
    if let (Some(half), Some(flat)) = (postgres_half_peak, postgres_flat) {
        println!(
            "peak memory into PostgreSQL: {:.1} MiB at {CUSTOMERS} customers, {:.1} MiB at {HALF}: {flat:.2}x (limit {FLAT}x)",
            mib(postgres_peak),
            mib(half)
        );
    }
    let mut failed = false;
    if postgres_flat.is_some_and(|flat| flat > FLAT) {
        eprintln!("FAIL: the PostgreSQL sync's peak memory grows with the number of customers");
        failed = true;
    }
    if synced != CUSTOMERS {
        eprintln!("FAIL: the database holds {synced} customers, not {CUSTOMERS}");
        failed = true;
    }
    if postgres_synced != CUSTOMERS {
        eprintln!("FAIL: PostgreSQL holds {postgres_synced} customers, not {CUSTOMERS}");
        failed = true;
    }
    if flat > FLAT {
        eprintln!("FAIL: the sync's peak memory grows with the number of customers ({flat:.2}x)");
        failed = true;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
