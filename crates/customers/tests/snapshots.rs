//! Snapshot tests of every conversion: one YAML snapshot per fixture, fixtures per vendor in
//! `tests/fixtures/<vendor>/`. After a spec change: `cargo xtask codegen`, `cargo test`,
//! `cargo insta review`, commit the snapshot diff.

use customers::{ConvertOptions, Vendor, vendors};

/// One test per vendor, named after it, so snapshots are `snapshots__<vendor>@<fixture>.snap`.
macro_rules! snapshot_tests {
    ($($name:ident => $vendor:expr, $glob:literal;)*) => {$(
        #[test]
        fn $name() {
            let options = ConvertOptions::default();
            insta::glob!($glob, |path| {
                let text = std::fs::read_to_string(path).expect("fixture is readable");
                let body: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
                let customers = vendors::customers_from_page($vendor, &body, &options)
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
                insta::assert_yaml_snapshot!(customers);
            });
        }
    )*};
}

snapshot_tests! {
    hoko => Vendor::Hoko, "fixtures/hoko/*.json";
    carecloud => Vendor::CareCloud, "fixtures/carecloud/*.json";
    botpenguin => Vendor::BotPenguin, "fixtures/botpenguin/*.json";
    gleantap => Vendor::Gleantap, "fixtures/gleantap/*.json";
    helpcrunch => Vendor::HelpCrunch, "fixtures/helpcrunch/*.json";
}
