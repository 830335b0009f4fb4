//! End to end: a list that grows while it is paged loses no customer, and `-v` says how a
//! listing decided it had reached the end.

use std::collections::HashSet;
use std::process::Output;

use fake_vendors::{FakeConfig, FakeServer, Vendor};
use serde_json::Value;

#[path = "../../../tests/tests/support/fake_env.rs"]
mod fake_env;

/// Runs the built `customers` binary with `args`, the fake's credentials and nothing else.
async fn customers(args: &[&str], vendor: Vendor) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_customers"));
    command.args(args).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.envs(fake_env::fake_env(vendor));
    command.output().await.expect("the binary runs")
}

/// Page sizes below the list's size: 100, or the vendor's own (BotPenguin's fake: 20).
fn page_args(vendor: Vendor) -> Vec<&'static str> {
    if vendor == Vendor::BotPenguin {
        vec![]
    } else {
        vec!["--page-size", "100"]
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_growing_at_its_head_while_paged_loses_no_customer() {
    for vendor in Vendor::ALL {
        // Two customers join at the head of the list after every page served; requests
        // sent side by side may be served in either order.
        let config = FakeConfig::new(vendor)
            .customers(1_000)
            .grow_per_page(2)
            .jitter(std::time::Duration::from_millis(30));
        let existing: Vec<String> = config
            .records()
            .iter()
            .map(|r| fake_vendors::record_id(vendor, r))
            .collect();
        let fake = FakeServer::start(config).await.expect("fake starts");
        let base_url = fake.base_url();
        let mut args = vec!["list", "--vendor", vendor.as_str(), "--base-url", &base_url];
        args.extend(page_args(vendor));
        let output = customers(&args, vendor).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{vendor}: {stderr}");
        let listed: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                let customer: Value = serde_json::from_str(line).expect("a JSON line");
                customer["id"].as_str().expect("an id").to_owned()
            })
            .collect();
        let unique: HashSet<&String> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "{vendor}: a customer twice");
        let missing: Vec<&String> = existing.iter().filter(|id| !unique.contains(id)).collect();
        assert!(
            missing.is_empty(),
            "{vendor}: {} of the {} customers that existed at the start were never listed: {missing:?}",
            missing.len(),
            existing.len()
        );
        // Every page after the first starts with the last two of the page before.
        let repeats = stderr
            .lines()
            .find_map(|line| {
                line.strip_prefix("note: ")?
                    .split_once(" customer")?
                    .0
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{vendor}: no note of the repeats skipped: {stderr}"));
        assert!(repeats >= 2, "{vendor}: {repeats} repeats: {stderr}");
    }
}

/// `customers list -v` against a fake of `count` customers, page size 10 (BotPenguin's own
/// 20): the line that says why the listing ended.
async fn end_line(vendor: Vendor, count: usize, extra: &[&str]) -> String {
    let fake = FakeServer::start(FakeConfig::new(vendor).customers(count))
        .await
        .expect("fake starts");
    let base_url = fake.base_url();
    let mut args = vec![
        "list",
        "-v",
        "--vendor",
        vendor.as_str(),
        "--base-url",
        &base_url,
    ];
    if vendor != Vendor::BotPenguin {
        args.extend(["--page-size", "10"]);
    }
    args.extend_from_slice(extra);
    let output = customers(&args, vendor).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let line = stderr
        .lines()
        .find(|line| line.contains("listing ended: "))
        .unwrap_or_else(|| panic!("{vendor}: no end line: {stderr}"));
    line.split_once("listing ended: ")
        .map(|(_, reason)| reason.to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_says_how_each_listing_decided_it_had_ended() {
    for vendor in Vendor::ALL {
        let reason = end_line(vendor, 35, &[]).await;
        let expected = match vendor {
            // No total: 10, 10, 10, 5, then an empty page.
            Vendor::Hoko | Vendor::Gleantap => "a short page, confirmed by an empty one",
            Vendor::CareCloud | Vendor::HelpCrunch => {
                "total reached (35 reported by the last page)"
            }
            // Page numbers: 20, 15, then an empty page.
            Vendor::BotPenguin => "an empty page",
        };
        assert!(reason.starts_with(expected), "{vendor}: {reason}");
        assert!(
            end_line(vendor, 35, &["--max-pages", "1"])
                .await
                .starts_with("the page limit (1 page)"),
            "{vendor}"
        );
    }
    // A multiple of the page size ends at an empty page after a full one.
    let reason = end_line(Vendor::Hoko, 40, &[]).await;
    assert!(reason.starts_with("an empty page"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_get_says_it_was_a_lookup() {
    let config = FakeConfig::new(Vendor::HelpCrunch).customers(5);
    let id = fake_vendors::record_id(Vendor::HelpCrunch, &config.records()[2]);
    let fake = FakeServer::start(config).await.expect("fake starts");
    let base_url = fake.base_url();
    let output = customers(
        &[
            "get",
            &id,
            "-v",
            "--vendor",
            "helpcrunch",
            "--base-url",
            &base_url,
        ],
        Vendor::HelpCrunch,
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("listing ended: a lookup by id"), "{stderr}");
}
