//! Snapshot tests of every conversion: one YAML snapshot per fixture, fixtures per vendor in
//! `tests/fixtures/<vendor>/`. After a spec change: `cargo xtask codegen`, `cargo test`,
//! `cargo insta review`, commit the snapshot diff.

use customers::{ConvertOptions, Vendor, decode_page};

/// One test per vendor, named after it, so snapshots are `snapshots__<vendor>@<fixture>.snap`.
macro_rules! snapshot_tests {
    ($($name:ident => $vendor:expr, $glob:literal;)*) => {
    /// The vendors this file snapshots; a test below checks it is every vendor.
    const COVERED: &[Vendor] = &[$($vendor),*];
    $(
        #[test]
        fn $name() {
            let options = ConvertOptions::default();
            insta::glob!($glob, |path| {
                let body = std::fs::read(path).expect("fixture is readable");
                let page = decode_page($vendor, &body, &options)
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
                // Fixtures hold what the spec allows, except `drift_*` ones, which exist to
                // show drift: their records must survive it.
                let shows_drift = path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with("drift_"));
                assert_eq!(
                    !page.drift.is_empty(),
                    shows_drift,
                    "{}: {:?}",
                    path.display(),
                    page.drift
                );
                insta::assert_yaml_snapshot!(page.customers);
            });
        }
    )*};
}

/// A new vendor cannot go without snapshots: every vendor has a fixtures folder and a test
/// above, and every fixtures folder belongs to a vendor.
#[test]
fn every_vendor_and_every_fixture_folder_is_snapshotted() {
    let mut covered: Vec<&str> = COVERED.iter().map(|v| v.as_str()).collect();
    let mut all: Vec<&str> = Vendor::ALL.iter().map(|v| v.as_str()).collect();
    covered.sort_unstable();
    all.sort_unstable();
    assert_eq!(covered, all, "add the vendor to snapshot_tests!");
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort_unstable();
    assert_eq!(folders, all, "one fixtures folder per vendor");
}

snapshot_tests! {
    hoko => Vendor::Hoko, "fixtures/hoko/*.json";
    carecloud => Vendor::CareCloud, "fixtures/carecloud/*.json";
    botpenguin => Vendor::BotPenguin, "fixtures/botpenguin/*.json";
    gleantap => Vendor::Gleantap, "fixtures/gleantap/*.json";
    helpcrunch => Vendor::HelpCrunch, "fixtures/helpcrunch/*.json";
}
