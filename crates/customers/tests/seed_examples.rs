//! Field-by-field assertions on each vendor's seed example, so a wrong snapshot cannot be
//! accepted unnoticed.

use chrono::{DateTime, Utc};
use customers::{ConvertOptions, Customer, Status, Vendor, decode_page};
use serde_json::Value;

fn fixture(vendor: Vendor, name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/{vendor}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn seed(vendor: Vendor, options: &ConvertOptions) -> Customer {
    let path = format!(
        "{}/tests/fixtures/{vendor}/seed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut page = decode_page(vendor, &body, options).expect("seed decodes");
    assert!(page.drift.is_empty(), "{:?}", page.drift);
    assert_eq!(page.customers.len(), 1);
    page.customers.remove(0)
}

fn at(text: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(text)
            .expect("test timestamp")
            .with_timezone(&Utc),
    )
}

#[test]
fn hoko_seed() {
    let c = seed(Vendor::Hoko, &ConvertOptions::default());
    assert_eq!(c.vendor, Vendor::Hoko);
    assert_eq!(c.id, "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(c.external_id.as_deref(), Some("customer_123"));
    assert_eq!(c.name.as_deref(), Some("John Doe"));
    assert_eq!((c.first_name, c.last_name), (None, None));
    assert_eq!(c.email.as_deref(), Some("john@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+1234567890"));
    assert_eq!(
        c.avatar_url.as_deref(),
        Some("https://example.com/avatar.jpg")
    );
    assert_eq!(c.created_at, at("2024-01-01T00:00:00Z"));
    assert_eq!(c.updated_at, at("2024-01-01T00:00:00Z"));
    assert_eq!(c.status, None);
    assert_eq!(c.raw.to_value(), fixture(Vendor::Hoko, "seed")[0]);
}

#[test]
fn carecloud_seed_in_utc_and_in_the_tenant_zone() {
    let c = seed(Vendor::CareCloud, &ConvertOptions::default());
    assert_eq!(c.vendor, Vendor::CareCloud);
    assert_eq!(c.id, "8ea2591121e636086a4a9c0992");
    assert_eq!(c.external_id, None);
    assert_eq!(c.name.as_deref(), Some("Jan Novák"));
    assert_eq!(c.first_name.as_deref(), Some("Jan"));
    assert_eq!(c.last_name.as_deref(), Some("Novák"));
    assert_eq!(c.email.as_deref(), Some("jan.novak@example.com"));
    assert_eq!(c.phone.as_deref(), Some("420523828931"));
    assert_eq!(c.language.as_deref(), Some("cs"));
    assert_eq!(
        c.avatar_url.as_deref(),
        Some("https://example.com/photo.jpg")
    );
    assert_eq!(c.status, Some(Status::Active));
    assert_eq!(c.created_at, None);
    assert_eq!(c.updated_at, at("2024-02-01T08:30:00Z"));
    assert_eq!(
        c.raw.to_value(),
        fixture(Vendor::CareCloud, "seed")["data"]["customers"][0]
    );

    let prague = ConvertOptions::default()
        .with_local_time_zone("Europe/Prague")
        .expect("known zone");
    let c = seed(Vendor::CareCloud, &prague);
    assert_eq!(c.updated_at, at("2024-02-01T07:30:00Z"));
    assert!(
        ConvertOptions::default()
            .with_local_time_zone("Mars/Olympus")
            .is_err()
    );
}

#[test]
fn botpenguin_seed() {
    let c = seed(Vendor::BotPenguin, &ConvertOptions::default());
    assert_eq!(c.vendor, Vendor::BotPenguin);
    assert_eq!(c.id, "**********");
    assert_eq!(c.name.as_deref(), Some("Kevin v3"));
    assert_eq!(c.email.as_deref(), Some("kevin+4@monday101.com"));
    assert_eq!(c.phone, None);
    assert_eq!(c.status, Some(Status::Active));
    assert_eq!(c.created_at, at("2024-04-02T07:06:03.910Z"));
    assert_eq!(c.updated_at, at("2024-04-02T13:57:16.513Z"));
    assert_eq!(c.last_seen_at, at("2024-04-02T09:48:04.402Z"));
    assert_eq!(c.raw.to_value()["subscriptionType"], "v2");
}

#[test]
fn gleantap_seed() {
    let c = seed(Vendor::Gleantap, &ConvertOptions::default());
    assert_eq!(c.vendor, Vendor::Gleantap);
    assert_eq!(c.id, "5f1e2d3c4b5a69788796a5b4");
    assert_eq!(c.name.as_deref(), Some("Jane Smith"));
    assert_eq!(c.first_name.as_deref(), Some("Jane"));
    assert_eq!(c.last_name.as_deref(), Some("Smith"));
    assert_eq!(c.email.as_deref(), Some("jane.smith@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+15551234567"));
    assert_eq!(c.email_opt_out, Some(false));
    assert_eq!(c.sms_opt_out, Some(true));
    assert_eq!(c.created_at, at("2024-03-05T14:22:10Z"));
    assert_eq!(c.raw.to_value()["last_location"], "Austin, TX");
}

#[test]
fn helpcrunch_seed() {
    let c = seed(Vendor::HelpCrunch, &ConvertOptions::default());
    assert_eq!(c.vendor, Vendor::HelpCrunch);
    assert_eq!(c.id, "542335");
    assert_eq!(c.external_id.as_deref(), Some("user_1234567890"));
    assert_eq!(c.name.as_deref(), Some("John Doe"));
    assert_eq!(c.email.as_deref(), Some("john.doe@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+10233456781"));
    assert_eq!(c.created_at, at("2020-10-28T11:49:06Z"));
    assert_eq!(c.last_seen_at, at("2020-10-28T11:49:06Z"));
    assert_eq!(c.email_opt_out, Some(false));
    assert_eq!(c.status, None);
    assert_eq!(c.tags, vec!["vip".to_owned()]);
    assert_eq!(c.language.as_deref(), Some("uk"));
    assert_eq!(c.raw.to_value()["customData"]["number_of_payments"], 15);
}

#[test]
fn serialized_timestamps_are_rfc3339_utc() {
    let c = seed(Vendor::BotPenguin, &ConvertOptions::default());
    let json = serde_json::to_value(&c).expect("serializes");
    assert_eq!(json["vendor"], "botpenguin");
    assert_eq!(json["created_at"], "2024-04-02T07:06:03.910Z");
    assert_eq!(json["status"], "active");
    let back: Customer = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, c);
}

#[test]
fn a_record_that_breaks_the_schema_is_listed_and_its_drift_reported() {
    let body = br#"{"members": [{"id": "a"}, {"id": 17, "email": "b@example.com"}]}"#;
    let page = decode_page(Vendor::Gleantap, body, &ConvertOptions::default())
        .expect("drift never fails a page");
    let ids: Vec<&str> = page.customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "17"]);
    assert_eq!(page.customers[1].email.as_deref(), Some("b@example.com"));
    assert_eq!(page.drift.drifts.len(), 1);
    assert_eq!(page.drift.drifts[0].path, "$.members[*].id");
    assert_eq!(page.drift.drifts[0].observed, "number");

    let body = br#"{"data": {"total_items": 3}}"#;
    let err = decode_page(Vendor::CareCloud, body, &ConvertOptions::default())
        .expect_err("no customers array");
    assert_eq!(err.path, "$.data.customers");
}

#[test]
fn the_native_record_is_one_call_from_the_customer_for_every_vendor() {
    use customers::vendors::{botpenguin, carecloud, gleantap, helpcrunch, hoko};
    let options = ConvertOptions::default();
    let customer = seed(Vendor::Hoko, &options);
    let native: hoko::Native = customer.native().expect("Hoko's seed is typed");
    assert_eq!(native.id.to_string(), customer.id);
    assert_eq!(
        native.email.as_deref().map(str::trim),
        customer.email.as_deref()
    );
    let customer = seed(Vendor::CareCloud, &options);
    let native: carecloud::Native = customer.native().expect("CareCloud's seed is typed");
    assert_eq!(native.customer_id, customer.id);
    let customer = seed(Vendor::BotPenguin, &options);
    let native: botpenguin::Native = customer.native().expect("BotPenguin's seed is typed");
    assert_eq!(native.id, customer.id);
    let customer = seed(Vendor::Gleantap, &options);
    let native: gleantap::Native = customer.native().expect("Gleantap's seed is typed");
    assert_eq!(native.id, customer.id);
    let customer = seed(Vendor::HelpCrunch, &options);
    let native: helpcrunch::Native = customer.native().expect("HelpCrunch's seed is typed");
    assert_eq!(native.id.to_string(), customer.id);
}

#[test]
fn a_drifted_record_is_listed_but_its_native_decode_says_why() {
    let path = format!(
        "{}/tests/fixtures/carecloud/drift_unknown_state.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let page = decode_page(Vendor::CareCloud, &body, &ConvertOptions::default())
        .expect("the page decodes");
    assert!(!page.drift.is_empty(), "the fixture drifts");
    let customer = &page.customers[0];
    let native = customer.native::<customers::vendors::carecloud::Native>();
    assert!(
        native.is_err(),
        "the typed decode refuses the drifted value"
    );
}
