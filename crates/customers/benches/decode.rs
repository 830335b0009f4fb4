//! Decode + convert against the typed-decode ceiling: `cargo bench -p customers`.
//!
//! In one run, for a 10,000-record Hoko page and a 100-record HelpCrunch page (realistic
//! records from `fake-vendors`), it times `customers::decode_page` (envelope, records,
//! conversion to `Customer`, raw kept verbatim) and plain `serde_json::from_slice` of the same
//! bytes into the generated response type, which is as fast as reading the page can be.
//! Rounds alternate between the two, and the median round of each is compared. It prints one
//! line per vendor ending `<ratio>x the typed-decode ceiling`, and fails above the targets
//! (Hoko 1.5x, HelpCrunch 2x).

use std::time::{Duration, Instant};

use customers::{ConvertOptions, Vendor, decode_page};

const ROUNDS: usize = 41;

struct Case {
    vendor: Vendor,
    records: usize,
    target: f64,
    body: Vec<u8>,
    ceiling: fn(&[u8]) -> usize,
}

fn hoko_ceiling(body: &[u8]) -> usize {
    serde_json::from_slice::<hoko_client::types::CustomerList>(body)
        .map(|page| page.len())
        .unwrap_or(0)
}

fn helpcrunch_ceiling(body: &[u8]) -> usize {
    serde_json::from_slice::<helpcrunch_client::types::CustomerList>(body)
        .map(|page| page.data.len())
        .unwrap_or(0)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn main() -> std::process::ExitCode {
    let hoko = fake_vendors::records(fake_vendors::Vendor::Hoko, 10_000, 7);
    let helpcrunch = fake_vendors::records(fake_vendors::Vendor::HelpCrunch, 100, 7);
    let cases = [
        Case {
            vendor: Vendor::Hoko,
            records: hoko.len(),
            target: 1.5,
            body: serde_json::to_vec(&hoko).unwrap_or_default(),
            ceiling: hoko_ceiling,
        },
        Case {
            vendor: Vendor::HelpCrunch,
            records: helpcrunch.len(),
            target: 2.0,
            body: serde_json::to_vec(&serde_json::json!({"data": helpcrunch, "total": 100}))
                .unwrap_or_default(),
            ceiling: helpcrunch_ceiling,
        },
    ];
    let options = ConvertOptions::default();
    let mut ok = true;
    for case in &cases {
        // Both sides must read every record, or the comparison means nothing.
        let decoded = decode_page(case.vendor, &case.body, &options);
        let listed = decoded.as_ref().map(|p| p.customers.len()).unwrap_or(0);
        let clean = decoded.as_ref().is_ok_and(|p| p.drift.is_empty());
        let typed = (case.ceiling)(&case.body);
        if listed != case.records || typed != case.records || !clean {
            println!(
                "{}: FAILED: decoded {listed} (drift-free: {clean}), typed {typed} of {} records",
                case.vendor, case.records
            );
            ok = false;
            continue;
        }
        // Small pages are timed in batches so a round is long enough to measure.
        let batch = (100_000 / case.records).max(1);
        let (mut ours, mut ceiling) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for _ in 0..batch {
                std::hint::black_box(decode_page(case.vendor, &case.body, &options).ok());
            }
            ours.push(start.elapsed());
            let start = Instant::now();
            for _ in 0..batch {
                std::hint::black_box((case.ceiling)(&case.body));
            }
            ceiling.push(start.elapsed());
        }
        let (ours, ceiling) = (median(ours), median(ceiling));
        let ratio = ours.as_secs_f64() / ceiling.as_secs_f64();
        let per_second = (case.records * batch) as f64 / ours.as_secs_f64();
        println!(
            "{}: {} records a page, {:.0} customers/s decoded and converted; {ratio:.2}x the typed-decode ceiling",
            case.vendor, case.records, per_second
        );
        if ratio > case.target {
            println!(
                "{}: FAILED: {ratio:.2}x is above the {}x target",
                case.vendor, case.target
            );
            ok = false;
        }
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
