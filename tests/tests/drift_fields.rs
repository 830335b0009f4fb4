//! Drift never loses a record: for every vendor and every property of its record schema (read
//! from the effective spec, nested properties included), a page in which that one property
//! has a value of the wrong JSON type still lists every record, reports exactly that path,
//! and fails in strict mode.

use customers::{ConvertOptions, Vendor, decode_page};
use serde_json::{Value, json};

/// Where each vendor's records sit in a page: the seed fixture's first record, and the JSON
/// path of the list.
fn layout(vendor: Vendor) -> (&'static str, &'static str, &'static str) {
    // (pointer to the list in the page, JSON path of the list, id field)
    match vendor {
        Vendor::Hoko => ("", "$", "id"),
        Vendor::CareCloud => ("/data/customers", "$.data.customers", "customer_id"),
        Vendor::BotPenguin => ("/data", "$.data", "_id"),
        Vendor::Gleantap => ("/members", "$.members", "id"),
        Vendor::HelpCrunch => ("/data", "$.data", "id"),
    }
}

fn effective_spec(vendor: Vendor) -> Value {
    let root = xtask::workspace_root();
    let all = xtask::vendors::load(&root).expect("vendor list");
    let entry = all
        .iter()
        .find(|v| v.name == vendor.as_str())
        .expect("every facade vendor has a spec");
    xtask::spec::effective(&root, entry).expect("the spec loads")
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(spec, spec.pointer(pointer).expect("a $ref resolves"))
        }
        None => schema,
    }
}

/// The JSON kinds `schema` allows (`None`: any, a free-form schema).
fn kinds(spec: &Value, schema: &Value) -> Option<Vec<&'static str>> {
    let schema = resolve(spec, schema);
    if let Some(members) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let mut all = Vec::new();
        for member in members {
            all.extend(kinds(spec, member)?);
        }
        return Some(all);
    }
    let kind = match schema.get("type").and_then(Value::as_str)? {
        "integer" | "number" => "number",
        "string" => "string",
        "boolean" => "boolean",
        "array" => "array",
        _ => "object",
    };
    Some(vec![kind])
}

/// A value of a JSON kind `schema` does not allow.
fn wrong_value(spec: &Value, schema: &Value) -> Option<Value> {
    let allowed = kinds(spec, schema)?;
    [
        ("object", json!({"unexpected": true})),
        ("number", json!(12345)),
        ("string", json!("unexpected text")),
        ("boolean", json!(true)),
        ("array", json!(["unexpected"])),
    ]
    .into_iter()
    .find(|(kind, _)| !allowed.contains(kind))
    .map(|(_, value)| value)
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    First,
}

/// Every property below `schema`: its steps from the record and its schema.
fn properties(spec: &Value, schema: &Value, at: &[Step], out: &mut Vec<(Vec<Step>, Value)>) {
    let schema = resolve(spec, schema);
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let mut path = at.to_vec();
            path.push(Step::Key(name.clone()));
            out.push((path.clone(), prop.clone()));
            properties(spec, prop, &path, out);
        }
    }
    if let Some(items) = resolve(spec, schema).get("items") {
        let mut path = at.to_vec();
        path.push(Step::First);
        properties(spec, items, &path, out);
    }
}

/// Sets the value at `steps`, creating the objects and arrays on the way.
fn set(record: &mut Value, steps: &[Step], value: Value) {
    let Some((last, parents)) = steps.split_last() else {
        return;
    };
    let mut here = record;
    for step in parents {
        here = match step {
            Step::Key(key) => {
                if !here.is_object() {
                    *here = json!({});
                }
                let map = here.as_object_mut().expect("an object");
                let child = map.entry(key.clone()).or_insert(Value::Null);
                if child.is_null() {
                    *child = json!({});
                }
                child
            }
            Step::First => {
                if here.as_array().is_none_or(|a| a.is_empty()) {
                    *here = json!([{}]);
                }
                &mut here.as_array_mut().expect("an array")[0]
            }
        };
    }
    match last {
        Step::Key(key) => {
            if !here.is_object() {
                *here = json!({});
            }
            here.as_object_mut()
                .expect("an object")
                .insert(key.clone(), value);
        }
        Step::First => *here = json!([value]),
    }
}

fn wildcard(list: &str, steps: &[Step]) -> String {
    let mut path = format!("{list}[*]");
    for step in steps {
        match step {
            Step::Key(key) => {
                path.push('.');
                path.push_str(key);
            }
            Step::First => path.push_str("[*]"),
        }
    }
    path
}

#[test]
fn every_wrong_typed_field_keeps_every_record_and_reports_its_path() {
    let options = ConvertOptions::default();
    let mut checked = 0;
    for vendor in Vendor::ALL {
        let spec = effective_spec(vendor);
        let record_schema = spec
            .pointer("/components/schemas/Customer")
            .unwrap_or_else(|| panic!("{vendor}: no Customer schema"));
        let mut fields = Vec::new();
        properties(&spec, record_schema, &[], &mut fields);
        assert!(fields.len() >= 5, "{vendor}: {} fields", fields.len());

        let (pointer, list, id_key) = layout(vendor);
        let fixture = format!(
            "{}/../crates/customers/tests/fixtures/{vendor}/seed.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let seed: Value =
            serde_json::from_str(&std::fs::read_to_string(&fixture).expect("seed fixture"))
                .expect("JSON");
        let base = seed
            .pointer(&format!("{pointer}/0"))
            .cloned()
            .expect("the seed has a record");

        for (steps, schema) in fields {
            let Some(wrong) = wrong_value(&spec, &schema) else {
                continue; // a free-form value: nothing is the wrong type
            };
            let expected_path = wildcard(list, &steps);
            let mut drifted = base.clone();
            set(&mut drifted, &steps, wrong.clone());
            let mut page = seed.clone();
            let records = match pointer {
                "" => &mut page,
                p => page.pointer_mut(p).expect("the list"),
            };
            *records = json!([drifted, base, base]);
            let body = serde_json::to_vec(&page).expect("serializes");

            let decoded = decode_page(vendor, &body, &options)
                .unwrap_or_else(|err| panic!("{expected_path}: the page failed: {err}"));
            let paths: Vec<&str> = decoded
                .drift
                .drifts
                .iter()
                .map(|d| d.path.as_str())
                .collect();
            assert_eq!(paths, [expected_path.as_str()], "{vendor}: {wrong}");
            let is_id = matches!(&steps[..], [Step::Key(key)] if key == id_key);
            if is_id {
                // An id that cannot be read: the record is kept whole in the report.
                assert_eq!(decoded.customers.len(), 2, "{expected_path}");
                assert_eq!(decoded.drift.unreadable.len(), 1, "{expected_path}");
                assert_eq!(decoded.drift.unreadable[0].raw.to_value(), drifted);
            } else {
                assert_eq!(decoded.customers.len(), 3, "{expected_path}");
                assert_eq!(decoded.customers[0].raw.to_value(), drifted);
                assert!(decoded.drift.unreadable.is_empty(), "{expected_path}");
                assert_eq!(decoded.customers[0].id, decoded.customers[1].id);
            }
            let strict = decoded
                .drift
                .strict_error()
                .unwrap_or_else(|| panic!("{expected_path}: strict mode must fail"));
            assert!(
                strict.to_string().contains(&expected_path),
                "{expected_path}: {strict}"
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} wrong-typed fields");
    // Five vendors, dozens of fields: a spec change that hides them fails here.
    assert!(checked >= 40, "only {checked} fields checked");
}
