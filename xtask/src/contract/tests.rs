use serde_json::{Value, json};

use super::*;

fn spec(customer: Value, statuses: &[&str], params: Value) -> Value {
    let mut responses = serde_json::Map::new();
    for status in statuses {
        responses.insert(
            (*status).to_owned(),
            json!({"description": "x", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}}}
            }}}}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "paths": {"/customers": {"get": {"parameters": params, "responses": responses}}},
        "components": {"schemas": {"Customer": customer}}
    })
}

fn customer(id_type: &str) -> Value {
    json!({"type": "object", "required": ["id"], "properties": {
        "id": {"type": id_type},
        "email": {"type": "string", "nullable": true}
    }})
}

#[test]
fn equal_specs_have_no_difference() {
    let a = spec(customer("string"), &["200"], json!([]));
    assert_eq!(compare(&a, &a), vec![]);
}

#[test]
fn a_changed_type_is_reported_with_both_paths() {
    let ours = spec(customer("boolean"), &["200"], json!([]));
    let official = spec(customer("string"), &["200"], json!([]));
    let diffs = compare(&ours, &official);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    let d = &diffs[0];
    assert_eq!(d.operation, "GET /customers");
    assert_eq!(d.at, "response 200 $.data[*].id");
    assert_eq!(
        (d.aspect.as_str(), d.ours.as_str(), d.official.as_str()),
        ("type", "boolean", "string")
    );
    assert_eq!(d.our_path, "$.components.schemas.Customer.properties.id");
    assert_eq!(
        d.official_path,
        "$.components.schemas.Customer.properties.id"
    );
}

#[test]
fn statuses_parameters_and_properties_on_one_side_only_are_reported() {
    let mut official_customer = customer("string");
    official_customer["properties"]["email"]["nullable"] = json!(false);
    official_customer["properties"]["extra"] = json!({"type": "integer", "enum": [0, 1]});
    let ours = spec(
        customer("string"),
        &["200", "401"],
        json!([{"name": "count", "in": "query", "schema": {"type": "integer", "maximum": 10}}]),
    );
    let official = spec(
        official_customer,
        &["200", "404"],
        json!([
            {"name": "count", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}}
        ]),
    );
    let found: Vec<(String, String)> = compare(&ours, &official)
        .into_iter()
        .map(|d| (d.at, d.aspect))
        .collect();
    let expected = [
        ("parameter query count", "maximum"),
        ("parameter query offset", "presence"),
        ("response 200 $.data[*].email", "nullable"),
        ("response 200 $.data[*].extra", "presence"),
        ("response 401", "status"),
        ("response 404", "status"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn accepted_entries_explain_differences_and_stale_ones_fail() {
    let ours = spec(customer("boolean"), &["200"], json!([]));
    let official = spec(customer("string"), &["200"], json!([]));
    let accepted = AcceptedList::parse(
        r#"
        [[accept]]
        operation = "GET *"
        at = "response * $.data[*].id"
        aspect = "type"
        ours = "boolean"
        reason = "test"
        "#,
    )
    .expect("parses");
    let report = check(&ours, &official, &accepted);
    assert!(report.passes(), "{report:#?}");

    // The same entry once the spec is fixed: nothing to explain, so it is stale.
    let report = check(&official, &official, &accepted);
    assert_eq!(report.stale.len(), 1);
    assert!(!report.passes());

    // An entry pinned to another value does not explain this difference.
    let other = AcceptedList::parse(
        r#"
        [[accept]]
        operation = "GET /customers"
        at = "response 200 $.data[*].id"
        aspect = "type"
        ours = "integer"
        reason = "test"
        "#,
    )
    .expect("parses");
    let report = check(&ours, &official, &other);
    assert_eq!(report.unexplained.len(), 1);
    assert_eq!(report.stale.len(), 1);
}

#[test]
fn an_entry_without_a_reason_is_refused() {
    let err = AcceptedList::parse(
        "[[accept]]\noperation = \"*\"\nat = \"*\"\naspect = \"type\"\nreason = \" \"\n",
    )
    .expect_err("no reason");
    assert!(err.to_string().contains("no reason"), "{err}");
}

#[test]
fn an_operation_the_official_spec_lacks_is_a_difference() {
    let ours = spec(customer("string"), &["200"], json!([]));
    let mut official = ours.clone();
    official["paths"] = json!({"/customers/{customer_id}": ours["paths"]["/customers"].clone()});
    let diffs = compare(&ours, &official);
    assert_eq!(diffs.len(), 1);
    assert_eq!(
        (diffs[0].at.as_str(), diffs[0].aspect.as_str()),
        ("operation", "presence")
    );
}

#[test]
fn path_parameter_names_do_not_matter_for_matching() {
    let mut ours = spec(customer("string"), &["200"], json!([]));
    let mut official = ours.clone();
    ours["paths"] = json!({"/c/{id}": ours["paths"]["/customers"].clone()});
    official["paths"] = json!({"/c/{customer_id}": official["paths"]["/customers"].clone()});
    assert_eq!(compare(&ours, &official), vec![]);
}
