//! The tap's one stream per account: the common `Customer` model as a JSON Schema, its key,
//! the replication it supports, and whether a catalog selects it.

use customers::Vendor;
use customers::query::{Filter, Support, support};
use serde_json::{Value, json};

use crate::exit::Failure;

/// The stream of `account`: `customers_<account>`, in the letters, digits and underscores
/// that every target takes as a table name.
pub fn stream_name(account: &str) -> String {
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("customers_{safe}")
}

/// Whether `vendor` filters by change time on its server: only then can a stream read just
/// what changed (`INCREMENTAL` on `updated_at`); elsewhere it is `FULL_TABLE`.
pub fn incremental(vendor: Vendor) -> bool {
    matches!(
        support(vendor, Filter::UpdatedSince),
        Support::Server(_) | Support::ServerOnly(_)
    )
}

/// The key of every record.
pub const KEY: [&str; 2] = ["account", "id"];

/// The common model's fields and their JSON Schema types: the account, then `Customer`'s
/// fields as it serializes them (a test checks that every one is here).
pub fn schema() -> Value {
    let text = |nullable: bool| {
        if nullable {
            json!({"type": ["null", "string"]})
        } else {
            json!({"type": "string"})
        }
    };
    let time = json!({"type": ["null", "string"], "format": "date-time"});
    let flag = json!({"type": ["null", "boolean"]});
    json!({
        "type": "object",
        "properties": {
            "account": text(false),
            "vendor": {"type": "string", "enum": Vendor::ALL.map(|v| v.as_str())},
            "id": text(false),
            "external_id": text(true),
            "name": text(true),
            "first_name": text(true),
            "last_name": text(true),
            "email": text(true),
            "phone": text(true),
            "status": text(true),
            "created_at": time,
            "updated_at": time,
            "last_seen_at": time,
            "email_opt_out": flag,
            "sms_opt_out": flag,
            "tags": {"type": "array", "items": {"type": "string"}},
            "language": text(true),
            "avatar_url": text(true),
            "raw": {"type": "object", "description": "The vendor's record as it sent it"},
        }
    })
}

/// The catalog `--discover` prints: one stream, selected, with its metadata.
pub fn catalog(account: &str, vendor: Vendor) -> Value {
    let stream = stream_name(account);
    let schema = schema();
    let incremental = incremental(vendor);
    let mut stream_metadata = json!({
        "inclusion": "available",
        "selected": true,
        "table-key-properties": KEY,
        "forced-replication-method": if incremental { "INCREMENTAL" } else { "FULL_TABLE" },
        "schema-name": stream,
    });
    if incremental {
        stream_metadata["valid-replication-keys"] = json!(["updated_at"]);
        stream_metadata["replication-key"] = json!("updated_at");
    }
    let mut metadata = vec![json!({"breadcrumb": [], "metadata": stream_metadata})];
    if let Some(properties) = schema["properties"].as_object() {
        for name in properties.keys() {
            let automatic = KEY.contains(&name.as_str()) || (incremental && name == "updated_at");
            metadata.push(json!({
                "breadcrumb": ["properties", name],
                "metadata": {"inclusion": if automatic { "automatic" } else { "available" }},
            }));
        }
    }
    let mut entry = json!({
        "tap_stream_id": stream,
        "stream": stream,
        "schema": schema,
        "key_properties": KEY,
        "metadata": metadata,
    });
    if incremental {
        entry["replication_key"] = json!("updated_at");
        entry["replication_method"] = json!("INCREMENTAL");
    } else {
        entry["replication_method"] = json!("FULL_TABLE");
    }
    json!({ "streams": [entry] })
}

/// Whether `catalog` (a `--catalog` or `--properties` file) selects `stream`: its
/// stream-level metadata says `selected: true` (or, lacking that, `selected-by-default`).
pub fn selects(catalog: &Value, stream: &str) -> Result<bool, Failure> {
    let streams = catalog["streams"]
        .as_array()
        .ok_or_else(|| Failure::usage("the catalog has no `streams` list"))?;
    let Some(entry) = streams
        .iter()
        .find(|s| s["tap_stream_id"].as_str() == Some(stream))
    else {
        return Ok(false);
    };
    let top = entry["metadata"].as_array().and_then(|all| {
        all.iter()
            .find(|m| m["breadcrumb"].as_array().is_some_and(Vec::is_empty))
    });
    let flags = top.map(|m| &m["metadata"]);
    Ok(flags
        .and_then(|m| {
            m["selected"]
                .as_bool()
                .or(m["selected-by-default"].as_bool())
        })
        .or(entry["selected"].as_bool())
        .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_customer_serializes_is_in_the_schema() {
        let customer = customers::Customer::new(
            Vendor::Hoko,
            "1".into(),
            customers::Raw::from_value(&json!({"id": "1"})),
        );
        let value = serde_json::to_value(&customer).expect("serializes");
        let schema = schema();
        for field in value.as_object().expect("an object").keys() {
            assert!(
                schema["properties"].get(field).is_some(),
                "`{field}` is missing from the tap's schema"
            );
        }
    }

    #[test]
    fn a_catalog_selects_by_its_stream_metadata() {
        let mut catalog = catalog("shop", Vendor::Gleantap);
        assert_eq!(selects(&catalog, "customers_shop").ok(), Some(true));
        assert_eq!(selects(&catalog, "customers_other").ok(), Some(false));
        catalog["streams"][0]["metadata"][0]["metadata"]["selected"] = json!(false);
        assert_eq!(selects(&catalog, "customers_shop").ok(), Some(false));
        assert!(selects(&json!({}), "customers_shop").is_err());
        assert_eq!(stream_name("Shop East/2"), "customers_shop_east_2");
    }
}
