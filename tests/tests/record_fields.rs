//! Every property of each vendor's record schema is either mapped to a common field or
//! declared as kept only in `raw` (in that vendor's module of the facade). A property added
//! to a spec fails this test until someone decides which.

use std::collections::BTreeSet;

use customers::vendors::{FieldUse, Vendor, record_fields};
use serde_json::Value;

mod support;

/// The schema at `schema`, with a local `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .map(|target| resolve(doc, target))
            .unwrap_or(schema),
        None => schema,
    }
}

/// Every property path under `schema`: `a`, `a.b` for objects, `a[].b` for arrays of
/// objects.
fn paths(doc: &Value, schema: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    let schema = resolve(doc, schema);
    if let Some(items) = schema.get("items") {
        paths(doc, items, &format!("{prefix}[]"), out);
        return;
    }
    for alternative in ["oneOf", "anyOf", "allOf"] {
        for branch in schema
            .get(alternative)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            paths(doc, branch, prefix, out);
        }
    }
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.insert(path.clone());
        paths(doc, property, &path, out);
    }
}

/// The property paths of `vendor`'s `Customer` schema in its effective spec.
fn schema_paths(vendor: Vendor) -> BTreeSet<String> {
    let doc = support::effective_spec(vendor.as_str());
    let customer = doc
        .pointer("/components/schemas/Customer")
        .expect("the spec names its record schema Customer");
    let mut out = BTreeSet::new();
    paths(&doc, customer, "", &mut out);
    out
}

/// The common fields of the model, from a serialized `Customer`.
fn common_fields() -> BTreeSet<String> {
    let customer = customers::Customer::new(
        Vendor::Hoko,
        "x".into(),
        customers::Raw::from_value(&Value::Null),
    );
    let mut text = Vec::new();
    customer.write_json(&mut text).expect("serializes");
    let json: Value = serde_json::from_slice(&text).expect("JSON");
    json.as_object()
        .map(|fields| fields.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_record_property_is_mapped_or_declared_raw_only() {
    let common = common_fields();
    let mut problems = Vec::new();
    for vendor in Vendor::ALL {
        let in_spec = schema_paths(vendor);
        let declared = record_fields(vendor);
        let covers = |path: &str| {
            declared.iter().any(|(name, _)| {
                *name == path
                    || name.strip_suffix(".*") == Some(path)
                    || name.strip_suffix(".*").is_some_and(|parent| {
                        path.starts_with(&format!("{parent}."))
                            || path.starts_with(&format!("{parent}[]"))
                    })
            })
        };
        for path in &in_spec {
            if !covers(path) {
                problems.push(format!(
                    "{vendor}: `{path}` is in the spec's Customer but neither mapped nor declared raw-only in crates/customers/src/vendors/{vendor}.rs (RECORD_FIELDS)"
                ));
            }
        }
        for (name, usage) in declared {
            let base = name.strip_suffix(".*").unwrap_or(name);
            if !in_spec.contains(base) {
                problems.push(format!(
                    "{vendor}: `{name}` is declared but not in the spec (stale)"
                ));
            }
            if let FieldUse::Mapped(fields) = usage {
                for field in *fields {
                    if !common.contains(*field) {
                        problems.push(format!(
                            "{vendor}: `{name}` maps to `{field}`, which is not a common field"
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
