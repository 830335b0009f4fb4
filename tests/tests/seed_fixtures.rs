//! The facade's `seed.json` fixtures are the specs' examples (the vendors' seed examples), so
//! the snapshot and plain tests of the conversions start from what the vendors document.

mod support;

use support::spec_example;
use xtask::workspace_root;

fn fixture(vendor: &str) -> serde_json::Value {
    let path = workspace_root().join(format!(
        "crates/customers/tests/fixtures/{vendor}/seed.json"
    ));
    let text = std::fs::read_to_string(&path).expect("fixture");
    serde_json::from_str(&text).expect("fixture is JSON")
}

#[test]
fn seed_fixtures_equal_the_spec_examples() {
    let cases = [
        ("hoko", "/components/schemas/CustomerList/example"),
        (
            "carecloud",
            "/components/schemas/CustomerListResponse/example",
        ),
        (
            "botpenguin",
            "/components/schemas/CustomerListResponse/example",
        ),
        (
            "gleantap",
            "/paths/~1v2~1ExternalApi~1getCustomers/post/responses/200/content/application~1json/example",
        ),
        ("helpcrunch", "/components/schemas/CustomerList/example"),
    ];
    for (vendor, pointer) in cases {
        assert_eq!(fixture(vendor), spec_example(vendor, pointer), "{vendor}");
    }
}
