//! Snapshot tests of every conversion: one YAML snapshot per fixture, fixtures per vendor in
//! `tests/fixtures/<vendor>/`. After a spec change: `cargo xtask codegen`, `cargo test`,
//! `cargo insta review`, commit the snapshot diff.

use customers::{ConvertOptions, Vendor, decode_page};

/// One test per vendor, named after it, so snapshots are `snapshots__<vendor>@<fixture>.snap`.
macro_rules! snapshot_tests {
    ($($name:ident => $vendor:expr, $glob:literal;)*) => {$(
        #[test]
        fn $name() {
            let options = ConvertOptions::default();
            insta::glob!($glob, |path| {
                let body = std::fs::read(path).expect("fixture is readable");
                let page = decode_page($vendor, &body, &options)
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
                // Fixtures hold what the spec allows: nothing in them drifts.
                assert!(page.drift.is_empty(), "{}: {:?}", path.display(), page.drift);
                insta::assert_yaml_snapshot!(page.customers);
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
