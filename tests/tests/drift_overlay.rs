//! `cargo xtask drift` closes the loop: a drifted page goes through the client, its drift
//! report becomes an overlay, the overlay is applied in a scratch copy of the workspace, the
//! clients are regenerated there, and the same page then decodes without drift.

use std::path::Path;
use std::process::Command;

use customers::{ConvertOptions, DriftReport, Vendor, decode_page};
use serde_json::{Value, json};
use xtask::{codegen, drift, workspace_root};

fn carecloud_page() -> Value {
    json!({"data": {"customers": [
        {"customer_id": "c1", "personal_information": {"first_name": "Jan", "gender": 1,
            "consents": [{"consent_id": "k1", "consent_value": 1}]},
         "doi_email": "2024-01-15 10:21:02", "last_change": "2024-02-01 08:30:00", "state": 1},
        {"customer_id": "c2", "personal_information": {"first_name": "Eva", "gender": "female",
            "consents": [{"consent_id": "k2", "consent_value": 5}]},
         "doi_email": true, "last_change": 1706776200, "state": 7}
    ], "total_items": 2}})
}

fn gleantap_page() -> Value {
    json!({"members": [
        {"id": "m1", "email": "a@example.com", "email_optout": 0, "created_date": "2024-03-05T14:22:10Z"},
        {"id": "m2", "email": "b@example.com", "email_optout": "yes", "created_date": 1709648530}
    ]})
}

fn drift_of(vendor: Vendor, page: &Value) -> DriftReport {
    let body = serde_json::to_vec(page).expect("JSON");
    decode_page(vendor, &body, &ConvertOptions::default())
        .expect("the page decodes")
        .drift
}

/// Copies the workspace's files (tracked, or new and not ignored) to `to`.
fn copy_workspace(to: &Path) {
    let root = workspace_root();
    let listing = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(listing.status.success());
    for file in listing.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let relative = String::from_utf8_lossy(file).into_owned();
        let from = root.join(&relative);
        if !from.is_file() {
            continue;
        }
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &target).expect("copy");
    }
}

/// A scratch-only example for a client crate: decodes a page into the generated type of the
/// list answer, which is what drift is (a value the generated types refuse). The facade's
/// conversions are not built: a widened type is theirs to adopt next.
fn checker(krate: &str, answer: &str) -> String {
    format!(
        r#"fn main() {{
    let file = std::env::args().nth(1).expect("file");
    let body = std::fs::read(file).expect("page");
    match serde_json::from_slice::<{krate}::types::{answer}>(&body) {{
        Ok(_) => println!("clean"),
        Err(e) => println!("drift: {{e}}"),
    }}
}}
"#
    )
}

#[test]
fn a_suggested_overlay_makes_the_drifted_page_decode_cleanly() {
    let pages = [
        (Vendor::CareCloud, carecloud_page(), "CustomerListResponse"),
        (Vendor::Gleantap, gleantap_page(), "GetCustomersResponse"),
    ];
    let mut drifts = Vec::new();
    for (vendor, page, _) in &pages {
        let report = drift_of(*vendor, page);
        assert!(report.drifts.len() >= 2, "{vendor}: {report:?}");
        drifts.extend(report.drifts);
    }
    let report_json = serde_json::to_value(DriftReport {
        drifts,
        unreadable: vec![],
    })
    .expect("JSON");
    let report: drift::Report = serde_json::from_value(report_json).expect("a drift report");
    let suggestions = drift::suggest(&workspace_root(), &report).expect("suggests");
    assert_eq!(suggestions.len(), 2);

    let scratch = tempfile::tempdir().expect("temp dir");
    let root = scratch.path();
    copy_workspace(root);
    for suggestion in &suggestions {
        let actions = suggestion.overlay["actions"].as_array().expect("actions");
        assert!(actions.iter().all(|a| {
            a["description"]
                .as_str()
                .is_some_and(|d| d.contains("value(s)"))
        }));
        if suggestion.appends_to_overlay {
            // Gleantap: the actions go at the end of its overlay.
            assert_eq!(suggestion.vendor, "gleantap");
            let path = root.join("specs/gleantap.overlay.yaml");
            let mut overlay: Value =
                serde_yaml::from_str(&std::fs::read_to_string(&path).expect("overlay"))
                    .expect("YAML");
            overlay["actions"]
                .as_array_mut()
                .expect("actions")
                .extend(actions.iter().cloned());
            std::fs::write(&path, serde_yaml::to_string(&overlay).expect("YAML")).expect("write");
        } else {
            // The others: the overlay is the spec edit; apply it as the vendor's overlay.
            let name = &suggestion.vendor;
            let file = format!("specs/{name}.drift.yaml");
            std::fs::write(
                root.join(&file),
                serde_yaml::to_string(&suggestion.overlay).expect("YAML"),
            )
            .expect("write");
            let list = root.join("specs/vendors.toml");
            let text = std::fs::read_to_string(&list).expect("vendor list");
            let entry = format!("spec = \"specs/{name}.yaml\"\n");
            assert!(text.contains(&entry), "{text}");
            let text = text.replace(&entry, &format!("{entry}overlay = \"{file}\"\n"));
            std::fs::write(&list, text).expect("write");
        }
    }
    // Before: the page drifts in the scratch workspace too.
    for (vendor, page, answer) in &pages {
        let verdict = check(root, *vendor, page, answer);
        assert!(verdict.starts_with("drift:"), "{vendor}: {verdict}");
    }
    let outputs = codegen::generate_all(root, &["carecloud".to_owned(), "gleantap".to_owned()])
        .expect("the overlaid specs generate");
    codegen::write(root, &outputs).expect("write");
    for (vendor, page, answer) in &pages {
        assert_eq!(check(root, *vendor, page, answer), "clean", "{vendor}");
    }
}

/// Builds and runs the checker for `vendor` in the scratch workspace at `root`.
fn check(root: &Path, vendor: Vendor, page: &Value, answer: &str) -> String {
    let krate = format!("{vendor}-client");
    let examples = root.join(format!("crates/{krate}/examples"));
    std::fs::create_dir_all(&examples).expect("mkdir");
    let rust_name = krate.replace('-', "_");
    std::fs::write(examples.join("drift_check.rs"), checker(&rust_name, answer)).expect("write");
    let file = root.join(format!("{vendor}-page.json"));
    std::fs::write(&file, serde_json::to_vec(page).expect("JSON")).expect("write");
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "-p",
            &krate,
            "--example",
            "drift_check",
            "--",
        ])
        .arg(&file)
        .current_dir(root)
        // Its own target dir: crates of the same name and version built from the scratch
        // copy would overwrite the workspace's own artifacts. Kept under `target/` so
        // reruns are incremental.
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/drift-scratch"),
        )
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
