//! Spec changes classified for a client generated from the old spec, after oasdiff's rule:
//! narrowing what a request may be, or widening what a response may be, breaks deployed
//! clients. The raw differences come from the contract's comparison (the new spec in the
//! place of ours, the old one in the place of the official), which resolves `$ref`s and
//! merges `allOf` / `oneOf` the way codegen reads them.

use serde::Serialize;
use serde_json::Value;

use crate::contract::{self, Difference};

/// What a change does to a client generated from the old spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The old client can no longer read a response, or sends a request the new spec refuses.
    Breaking,
    /// The old client goes on working.
    Compatible,
}

/// How many places a text-only change lists.
const TEXT_PLACES: usize = 20;

/// The JSON paths (`$.a.b[0]`) where `old` and `new` differ: a key or item only one has, or
/// a different scalar.
fn differing(old: &Value, new: &Value, path: String, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let at = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differing(x, y, at, out),
                    _ => out.push(at),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differing(x, y, format!("{path}[{i}]"), out);
            }
        }
        _ if old != new => out.push(path),
        _ => {}
    }
}

/// The value at a path [`differing`] wrote, if `spec` has it.
fn at_path<'a>(spec: &'a Value, path: &str) -> Option<&'a Value> {
    let mut value = spec;
    let rest = path.strip_prefix('$')?;
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, i)| (k, i));
        if !key.is_empty() {
            value = value.get(key)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            value = value.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(value)
}

/// `value` as short text: a string as it is, anything else as JSON; cut at 80 characters.
fn brief(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// One classified spec change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecChange {
    /// The rule that classified it, e.g. `response-property-type-changed`.
    pub rule: &'static str,
    /// Whether it breaks deployed clients.
    pub severity: Severity,
    /// `GET /customers`.
    pub operation: String,
    /// Where: `parameter query count`, `response 200 $.data.customers[*].doi_email`.
    pub at: String,
    /// What changed: `type`, `enum`, `presence`, ...
    pub aspect: String,
    /// The old value ("" when the old spec says nothing).
    pub old: String,
    /// The new value.
    pub new: String,
    /// JSON path of the place in the old spec.
    pub old_path: String,
    /// JSON path of the place in the new spec.
    pub new_path: String,
}

/// Every change from `old` to `new`, classified. A spec that changed in nothing compared gets
/// one compatible change per place that differs (at most 20):
/// `extension-changed` under an `x-…` key (`x-env`, `x-paging`), else
/// `description-or-example-only`, with the JSON path and both values.
pub fn classify(old: &Value, new: &Value) -> Vec<SpecChange> {
    let mut out: Vec<SpecChange> = contract::compare(new, old)
        .into_iter()
        .map(|d| from_difference(&d, false, new))
        .collect();
    // Operations only the old spec has: compared the other way round.
    out.extend(
        contract::compare(old, new)
            .into_iter()
            .filter(|d| d.at == "operation")
            .map(|d| from_difference(&d, true, new)),
    );
    if out.is_empty() && old != new {
        let mut places = Vec::new();
        differing(old, new, "$".to_owned(), &mut places);
        for path in places.into_iter().take(TEXT_PLACES) {
            let extension = path.split(['.', '[']).any(|key| key.starts_with("x-"));
            let value = |spec: &Value| at_path(spec, &path).map(brief).unwrap_or_default();
            out.push(SpecChange {
                rule: if extension {
                    "extension-changed"
                } else {
                    "description-or-example-only"
                },
                severity: Severity::Compatible,
                operation: String::new(),
                at: path.clone(),
                aspect: if extension { "extension" } else { "text" }.to_owned(),
                old: value(old),
                new: value(new),
                old_path: path.clone(),
                new_path: path,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.severity, &a.operation, &a.at, &a.aspect).cmp(&(
            b.severity,
            &b.operation,
            &b.at,
            &b.aspect,
        ))
    });
    out
}

/// `reversed`: the difference came from comparing old against new.
fn from_difference(d: &Difference, reversed: bool, new_doc: &Value) -> SpecChange {
    let (old, new, old_path, new_path) = if reversed {
        (&d.ours, &d.official, &d.our_path, &d.official_path)
    } else {
        (&d.official, &d.ours, &d.official_path, &d.our_path)
    };
    let (rule, severity) = if d.aspect == "presence"
        && old.is_empty()
        && (d.at.starts_with("parameter") || d.at.starts_with("request"))
        && required_in(new_doc, new_path)
    {
        ("request-required-property-added", Severity::Breaking)
    } else {
        rule(&d.at, &d.aspect, old, new)
    };
    SpecChange {
        rule,
        severity,
        operation: d.operation.clone(),
        at: d.at.clone(),
        aspect: d.aspect.clone(),
        old: old.clone(),
        new: new.clone(),
        old_path: old_path.clone(),
        new_path: new_path.clone(),
    }
}

/// Whether the parameter, or body property, at `path` in `doc` is required.
fn required_in(doc: &Value, path: &str) -> bool {
    let node = |path: &str| {
        serde_json_path::JsonPath::parse(path)
            .ok()
            .and_then(|p| p.query(doc).first().cloned())
    };
    if let Some(found) = node(path)
        && found.get("in").is_some()
    {
        return found.get("required").and_then(Value::as_bool) == Some(true);
    }
    // A body property: `<object>.properties.<name>`, required by its object's list.
    let split = path
        .rsplit_once(".properties.")
        .map(|(parent, name)| (parent.to_owned(), name.to_owned()))
        .or_else(|| {
            let (parent, rest) = path.rsplit_once(".properties['")?;
            Some((parent.to_owned(), rest.trim_end_matches("']").to_owned()))
        });
    let Some((parent, name)) = split else {
        return false;
    };
    node(&parent)
        .and_then(|object| object.get("required").cloned())
        .and_then(|list| list.as_array().cloned())
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(name.as_str())))
}

/// Whether a place is a success response's (2xx) body or status.
fn success_response(at: &str) -> bool {
    at.strip_prefix("response ")
        .is_some_and(|rest| rest.starts_with('2'))
}

fn rule(at: &str, aspect: &str, old: &str, new: &str) -> (&'static str, Severity) {
    use Severity::{Breaking, Compatible};
    let response = at.starts_with("response");
    let request = at.starts_with("parameter") || at.starts_with("request");
    match (aspect, response, request) {
        ("presence", _, _) if at == "operation" => {
            if new.is_empty() {
                ("operation-removed", Breaking)
            } else {
                ("operation-added", Compatible)
            }
        }
        ("status", true, _) => match (old.is_empty(), success_response(at)) {
            (false, true) => ("response-success-status-removed", Breaking),
            (false, false) => ("response-status-removed", Compatible),
            (true, _) => ("response-status-added", Compatible),
        },
        ("body", true, _) if new.is_empty() && success_response(at) => {
            ("response-media-type-removed", Breaking)
        }
        ("body", true, _) => ("response-media-type-changed", Compatible),
        ("body", _, true) if old.is_empty() => ("request-body-added", Breaking),
        ("body", _, true) => ("request-body-removed", Compatible),
        ("type", true, _) => ("response-property-type-changed", Breaking),
        ("format", true, _) => ("response-property-format-changed", Breaking),
        ("type" | "items.type", _, true) => ("request-property-type-changed", Breaking),
        ("format", _, true) => ("request-property-format-changed", Breaking),
        ("nullable", true, _) if new == "true" => ("response-property-became-nullable", Breaking),
        ("nullable", true, _) => ("response-property-became-not-nullable", Compatible),
        ("nullable", _, true) if new == "true" => ("request-property-became-nullable", Compatible),
        ("nullable", _, true) => ("request-property-became-not-nullable", Breaking),
        ("required", true, _) if new == "false" => ("response-property-became-optional", Breaking),
        ("required", true, _) => ("response-property-became-required", Compatible),
        ("required", _, true) if new == "true" => ("request-property-became-required", Breaking),
        ("required", _, true) => ("request-property-became-optional", Compatible),
        ("presence", true, _) if new.is_empty() => ("response-property-removed", Compatible),
        ("presence", true, _) => ("response-property-added", Compatible),
        ("presence", _, true) if new.is_empty() => ("request-property-removed", Breaking),
        ("presence", _, true) => ("request-property-added", Compatible),
        ("enum" | "items.enum", true, _) => enum_rule(old, new, true),
        ("enum" | "items.enum", _, true) => enum_rule(old, new, false),
        (bound, _, true) if bound.starts_with("min") || bound.starts_with("exclusiveMin") => {
            bound_rule(old, new, true)
        }
        (bound, _, true) if bound.starts_with("max") || bound.starts_with("exclusiveMax") => {
            bound_rule(old, new, false)
        }
        _ => ("other", Compatible),
    }
}

fn values(text: &str) -> Vec<&str> {
    text.split(',').filter(|v| !v.is_empty()).collect()
}

/// A response enum that gains a value (or loses its enum) is wider: old clients cannot
/// read the new value. A request enum that loses a value (or gains an enum) is narrower.
fn enum_rule(old: &str, new: &str, response: bool) -> (&'static str, Severity) {
    let (old, new) = (values(old), values(new));
    let added = new.iter().any(|v| !old.contains(v)) || (new.is_empty() && !old.is_empty());
    let removed = old.iter().any(|v| !new.contains(v)) || (old.is_empty() && !new.is_empty());
    match (response, added, removed) {
        (true, true, _) => ("response-enum-value-added", Severity::Breaking),
        (true, false, _) => ("response-enum-value-removed", Severity::Compatible),
        (false, _, true) => ("request-enum-value-removed", Severity::Breaking),
        (false, _, false) => ("request-enum-value-added", Severity::Compatible),
    }
}

/// A request bound that appears, or moves inwards, narrows what may be sent.
fn bound_rule(old: &str, new: &str, lower: bool) -> (&'static str, Severity) {
    let narrowed = match (old.parse::<f64>(), new.parse::<f64>()) {
        (Ok(o), Ok(n)) => {
            if lower {
                n > o
            } else {
                n < o
            }
        }
        (Err(_), Ok(_)) => true,
        _ => false,
    };
    if narrowed {
        ("request-bounds-narrowed", Severity::Breaking)
    } else {
        ("request-bounds-widened", Severity::Compatible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(customer: Value, params: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/customers": {"get": {
            "operationId": "getCustomers",
            "parameters": params,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Customer"}}}}}}
        }}}, "components": {"schemas": {"Customer": customer}}})
    }

    fn customer(extra: Value) -> Value {
        let mut c = json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "doi": {"type": "boolean"}}});
        if let (Some(props), Some(extra)) = (c["properties"].as_object_mut(), extra.as_object()) {
            props.extend(extra.clone());
        }
        c
    }

    fn one(old: &Value, new: &Value) -> SpecChange {
        let changes = classify(old, new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        changes.into_iter().next().expect("one")
    }

    #[test]
    fn each_rule_on_its_own_edit() {
        let base = spec(customer(json!({})), json!([]));
        let typed = spec(
            customer(json!({"doi": {"type": "string", "format": "date-time"}})),
            json!([]),
        );
        let changes = classify(&base, &typed);
        assert!(
            changes
                .iter()
                .any(|c| c.rule == "response-property-type-changed"
                    && c.severity == Severity::Breaking
                    && c.at == "response 200 $[*].doi"
                    && c.old_path == "$.components.schemas.Customer.properties.doi")
        );
        let nullable = spec(
            customer(json!({"id": {"type": "string", "nullable": true}})),
            json!([]),
        );
        assert_eq!(
            one(&base, &nullable).rule,
            "response-property-became-nullable"
        );
        let added = spec(customer(json!({"tier": {"type": "string"}})), json!([]));
        let change = one(&base, &added);
        assert_eq!(
            (change.rule, change.severity),
            ("response-property-added", Severity::Compatible)
        );
        let param = json!([{"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}}]);
        let with_param = spec(customer(json!({})), param);
        let narrowed = spec(
            customer(json!({})),
            json!([{"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc"]}}]),
        );
        assert_eq!(
            one(&with_param, &narrowed).rule,
            "request-enum-value-removed"
        );
        let required = spec(
            customer(json!({})),
            json!([{"name": "sort", "in": "query", "required": true, "schema": {"type": "string", "enum": ["asc", "desc"]}}]),
        );
        assert_eq!(
            one(&with_param, &required).rule,
            "request-property-became-required"
        );
        let new_required = spec(
            customer(json!({})),
            json!([{"name": "since", "in": "query", "required": true, "schema": {"type": "string"}}]),
        );
        let change = one(&base, &new_required);
        assert_eq!(
            (change.rule, change.severity),
            ("request-required-property-added", Severity::Breaking)
        );
        let new_optional = spec(
            customer(json!({})),
            json!([{"name": "since", "in": "query", "schema": {"type": "string"}}]),
        );
        assert_eq!(one(&base, &new_optional).severity, Severity::Compatible);
        let mut described = base.clone();
        described["info"]["description"] = json!("now with words");
        let change = one(&base, &described);
        assert_eq!(change.rule, "description-or-example-only");
        assert_eq!(
            (change.at.as_str(), change.new.as_str()),
            ("$.info.description", "now with words")
        );
        let mut extended = base.clone();
        extended["components"]["x-env"] = json!({"app_id": {"variable": "APP"}});
        let change = one(&base, &extended);
        assert_eq!(
            (change.rule, change.severity, change.at.as_str()),
            (
                "extension-changed",
                Severity::Compatible,
                "$.components.x-env"
            )
        );
        assert_eq!(change.new, r#"{"app_id":{"variable":"APP"}}"#);
        assert!(classify(&base, &base).is_empty());
        let mut removed = base.clone();
        removed["paths"] = json!({});
        let change = one(&base, &removed);
        assert_eq!(
            (change.rule, change.severity),
            ("operation-removed", Severity::Breaking)
        );
    }

    #[test]
    fn enums_and_bounds_by_direction() {
        assert_eq!(
            enum_rule("\"a\"", "\"a\",\"b\"", true).0,
            "response-enum-value-added"
        );
        assert_eq!(
            enum_rule("\"a\",\"b\"", "\"a\"", true).1,
            Severity::Compatible
        );
        assert_eq!(
            enum_rule("\"a\"", "\"a\",\"b\"", false).1,
            Severity::Compatible
        );
        assert_eq!(
            enum_rule("", "\"a\"", false).0,
            "request-enum-value-removed"
        );
        assert_eq!(bound_rule("100", "50", false).1, Severity::Breaking);
        assert_eq!(bound_rule("100", "500", false).1, Severity::Compatible);
        assert_eq!(bound_rule("", "1", true).1, Severity::Breaking);
        assert_eq!(bound_rule("1", "", true).1, Severity::Compatible);
    }
}
