//! `cargo xtask drift REPORT.json`: turns a drift report (written by `customers list
//! --drift-report`) into an OpenAPI Overlay 1.0 document whose actions would make the
//! vendor's spec accept what was observed: a field made nullable, a type widened to a
//! `oneOf`, a constraint (enum, pattern, format, bounds) dropped, a member no longer required.
//!
//! Targets are JSONPath expressions into the spec as codegen sees it, so for a vendor with an
//! overlay (Gleantap) the actions go at the end of that overlay; for the others they are the
//! edit to make in the spec. xtask reads the report's JSON itself: it does not depend on the
//! facade that writes it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::contract::schema::{child_path, resolve};
use crate::{spec, vendors};

/// One entry of a drift report, as the facade writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct ObservedDrift {
    /// The vendor's name.
    pub vendor: String,
    /// The payload path, e.g. `$.data.customers[*].doi_email`.
    pub path: String,
    /// What the spec expected, in words.
    pub expected: String,
    /// The JSON kind seen: `string`, `number`, `boolean`, `null`, `object`, `array`,
    /// `missing`.
    pub observed: String,
    /// How many values drifted there.
    pub count: u64,
    /// The first record it was seen in.
    #[serde(default)]
    pub first_record_id: Option<String>,
    /// The first value seen.
    #[serde(default)]
    pub example: Value,
}

/// A drift report; its unreadable records need no spec change beyond their drifts.
#[derive(Debug, Deserialize)]
pub struct Report {
    /// The drifted paths.
    pub drifts: Vec<ObservedDrift>,
}

/// The suggested overlay for one vendor.
#[derive(Debug)]
pub struct Suggestion {
    /// The vendor's name.
    pub vendor: String,
    /// The overlay document (with `extends` naming the spec file).
    pub overlay: Value,
    /// Whether the actions belong at the end of the vendor's existing overlay.
    pub appends_to_overlay: bool,
}

/// Reads a drift report file.
pub fn read_report(path: &Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a drift report", path.display()))
}

/// One overlay per vendor of `report`, against the specs of the workspace at `root`.
pub fn suggest(root: &Path, report: &Report) -> Result<Vec<Suggestion>> {
    let mut by_vendor: BTreeMap<&str, Vec<&ObservedDrift>> = BTreeMap::new();
    for drift in &report.drifts {
        by_vendor.entry(&drift.vendor).or_default().push(drift);
    }
    let all = vendors::load(root)?;
    let mut out = Vec::new();
    for (name, drifts) in by_vendor {
        let vendor = vendors::select(all.clone(), &[name.to_owned()])?
            .pop()
            .context("vendor")?;
        let doc = spec::effective(root, &vendor)?;
        let mut actions = Vec::new();
        for drift in drifts {
            actions.extend(
                actions_for(&doc, drift).with_context(|| format!("{name} {}", drift.path))?,
            );
        }
        let spec_file = vendor
            .spec
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Suggestion {
            vendor: name.to_owned(),
            appends_to_overlay: vendor.overlay.is_some(),
            overlay: json!({
                "overlay": "1.0.0",
                "info": {"title": format!("{name}: accept the drift observed"), "version": "1.0.0"},
                "extends": spec_file,
                "actions": actions,
            }),
        });
    }
    Ok(out)
}

/// Where a payload path's schema is written: the slot (`...properties.x` or `...items`),
/// the key under its parent, and the schema object that owns the property.
struct Slot<'a> {
    node: &'a Value,
    path: String,
    parent_path: String,
    key: String,
    owner_path: String,
}

/// The operations whose 200 answer may have produced the drift: the list first.
fn success_schemas(doc: &Value) -> Vec<(&Value, String)> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(response) = op.pointer("/responses/200") else {
                continue;
            };
            let op_path = child_path(
                &child_path(&child_path("$.paths", template), method),
                "responses",
            );
            let (response, response_path) = resolve(doc, response, &child_path(&op_path, "200"));
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            let schema_path = child_path(
                &child_path(&child_path(&response_path, "content"), "application/json"),
                "schema",
            );
            let first = op["operationId"] == "get_customers";
            let entry = (schema, schema_path);
            if first {
                out.insert(0, entry);
            } else {
                out.push(entry);
            }
        }
    }
    out
}

/// `$.data.customers[*].x` as steps: `data`, `customers`, `[*]`, `x`.
fn steps(path: &str) -> Result<Vec<String>> {
    let rest = path
        .strip_prefix('$')
        .context("a drift path starts with `$`")?;
    let mut out = Vec::new();
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, mut tail) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !name.is_empty() {
            out.push(name.to_owned());
        }
        while let Some(next) = tail.strip_prefix("[*]") {
            out.push("[*]".to_owned());
            tail = next;
        }
        if !tail.is_empty() {
            bail!("unsupported path step `{part}`");
        }
    }
    Ok(out)
}

fn locate<'a>(
    doc: &'a Value,
    schema: &'a Value,
    schema_path: &str,
    path: &str,
) -> Option<Slot<'a>> {
    let mut slot = Slot {
        node: schema,
        path: schema_path.to_owned(),
        parent_path: String::new(),
        key: String::new(),
        owner_path: String::new(),
    };
    for step in steps(path).ok()? {
        slot = child_slot(doc, slot.node, &slot.path, &step, 0)?;
    }
    (!slot.parent_path.is_empty()).then_some(slot)
}

/// The slot of `step` below `node`, looking through `$ref`, `allOf`, `oneOf` and `anyOf`.
fn child_slot<'a>(
    doc: &'a Value,
    node: &'a Value,
    path: &str,
    step: &str,
    depth: usize,
) -> Option<Slot<'a>> {
    if depth > 16 {
        return None;
    }
    let (node, path) = resolve(doc, node, path);
    if step == "[*]" {
        if let Some(items) = node.get("items") {
            return Some(Slot {
                node: items,
                path: child_path(&path, "items"),
                parent_path: path.clone(),
                key: "items".to_owned(),
                owner_path: path,
            });
        }
    } else if let Some(property) = node.get("properties").and_then(|p| p.get(step)) {
        let parent_path = child_path(&path, "properties");
        return Some(Slot {
            node: property,
            path: child_path(&parent_path, step),
            parent_path,
            key: step.to_owned(),
            owner_path: path,
        });
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, part) in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let part_path = format!("{}[{i}]", child_path(&path, key));
            if let Some(found) = child_slot(doc, part, &part_path, step, depth + 1) {
                return Some(found);
            }
        }
    }
    None
}

/// The overlay actions that make the spec accept `drift`.
fn actions_for(doc: &Value, drift: &ObservedDrift) -> Result<Vec<Value>> {
    let slot = success_schemas(doc)
        .into_iter()
        .find_map(|(schema, path)| locate(doc, schema, &path, &drift.path))
        .with_context(|| format!("no response schema of the spec has `{}`", drift.path))?;
    let reason = reason(drift);
    let (resolved, _) = resolve(doc, slot.node, &slot.path);
    let declared = resolved.get("type").and_then(Value::as_str);
    let observed = match (drift.observed.as_str(), &drift.example) {
        ("number", example) if example.is_i64() || example.is_u64() => "integer",
        (kind, _) => kind,
    };
    Ok(match observed {
        "missing" => vec![json!({
            "target": format!("{}.required[?@ == '{}']", slot.owner_path, slot.key),
            "description": reason,
            "remove": true,
        })],
        "null" if slot.node.get("type").is_some() => vec![json!({
            "target": slot.path,
            "description": reason,
            "update": {"nullable": true},
        })],
        "null" => {
            let mut wrapped = Map::new();
            if let Some(t) = declared {
                wrapped.insert("type".to_owned(), json!(t));
            }
            wrapped.insert("nullable".to_owned(), json!(true));
            wrapped.insert("allOf".to_owned(), json!([slot.node]));
            replace(&slot, Value::Object(wrapped), &reason)
        }
        kind if declared == Some(kind) || (kind == "integer" && declared == Some("number")) => {
            // The type fits: a constraint refused the value.
            let mut loosened = resolved.clone();
            if let Some(map) = loosened.as_object_mut() {
                for key in CONSTRAINTS {
                    map.remove(key);
                }
            }
            replace(&slot, loosened, &reason)
        }
        kind => replace(&slot, widened(slot.node, kind), &reason),
    })
}

/// The keywords that can refuse a value of the right type.
const CONSTRAINTS: [&str; 13] = [
    "enum",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// `old`, or a value of `kind`: a `oneOf` whose first alternative keeps `nullable` (so a
/// null matches exactly one alternative).
fn widened(old: &Value, kind: &str) -> Value {
    let mut outer = Map::new();
    let mut first = old.clone();
    if let Some(map) = first.as_object_mut() {
        if let Some(description) = map.remove("description") {
            outer.insert("description".to_owned(), description);
        }
        if let Some(Value::Array(existing)) = map.get("oneOf").cloned() {
            let mut alternatives = existing;
            alternatives.push(json!({"type": kind}));
            map.insert("oneOf".to_owned(), Value::Array(alternatives));
            for (k, v) in map.iter() {
                outer.insert(k.clone(), v.clone());
            }
            return Value::Object(outer);
        }
    }
    outer.insert("oneOf".to_owned(), json!([first, {"type": kind}]));
    Value::Object(outer)
}

/// Removes the slot and writes `new` in its place (an overlay `update` merges, so a key
/// such as `type` or `$ref` can only go by removing the whole schema first).
fn replace(slot: &Slot<'_>, new: Value, reason: &str) -> Vec<Value> {
    let mut update = Map::new();
    update.insert(slot.key.clone(), new);
    vec![
        json!({"target": slot.path, "description": reason, "remove": true}),
        json!({"target": slot.parent_path, "description": reason, "update": update}),
    ]
}

fn reason(drift: &ObservedDrift) -> String {
    let example = drift.example.to_string();
    let example = if example.chars().count() > 80 {
        format!("{}…", example.chars().take(80).collect::<String>())
    } else {
        example
    };
    let record = drift
        .first_record_id
        .as_deref()
        .map(|id| format!(" (first in record {id})"))
        .unwrap_or_default();
    format!(
        "Observed drift: {} value(s) at {} were {} where the spec expects {}; e.g. {example}{record}.",
        drift.count, drift.path, drift.observed, drift.expected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_steps() {
        assert_eq!(
            steps("$.data.customers[*].doi_email").expect("steps"),
            ["data", "customers", "[*]", "doi_email"]
        );
        assert_eq!(steps("$[*].id").expect("steps"), ["[*]", "id"]);
        assert_eq!(steps("$.a[*][*]").expect("steps"), ["a", "[*]", "[*]"]);
        assert!(steps("$.a[0]").is_err());
    }

    fn doc() -> Value {
        json!({"paths": {"/c": {"get": {"operationId": "get_customers", "responses": {"200": {
            "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/C"}}}}
        }}}}},
        "components": {"schemas": {"C": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"},
            "flag": {"type": "boolean", "description": "d"},
            "state": {"type": "integer", "enum": [0, 1]},
            "when": {"$ref": "#/components/schemas/T"}
        }}, "T": {"type": "string"}}}})
    }

    fn drift(path: &str, observed: &str, example: Value) -> ObservedDrift {
        ObservedDrift {
            vendor: "v".to_owned(),
            path: path.to_owned(),
            expected: "x".to_owned(),
            observed: observed.to_owned(),
            count: 2,
            first_record_id: Some("r1".to_owned()),
            example,
        }
    }

    #[test]
    fn each_kind_of_drift_gets_the_edit_that_accepts_it() {
        let doc = doc();
        let base = "$.components.schemas.C";
        let a = actions_for(&doc, &drift("$[*].flag", "string", json!("yes"))).expect("actions");
        assert_eq!(a[0]["target"], format!("{base}.properties.flag"));
        assert_eq!(a[0]["remove"], true);
        assert_eq!(a[1]["target"], format!("{base}.properties"));
        assert_eq!(
            a[1]["update"]["flag"],
            json!({"description": "d", "oneOf": [{"type": "boolean"}, {"type": "string"}]})
        );
        assert!(
            a[1]["description"]
                .as_str()
                .is_some_and(|d| d.contains("2 value(s)") && d.contains("\"yes\""))
        );

        let a = actions_for(&doc, &drift("$[*].state", "number", json!(7))).expect("actions");
        assert_eq!(a[1]["update"]["state"], json!({"type": "integer"}));

        let a = actions_for(&doc, &drift("$[*].flag", "null", Value::Null)).expect("actions");
        assert_eq!(
            a,
            [
                json!({"target": format!("{base}.properties.flag"), "description": a[0]["description"], "update": {"nullable": true}})
            ]
        );

        let a = actions_for(&doc, &drift("$[*].when", "null", Value::Null)).expect("actions");
        assert_eq!(
            a[1]["update"]["when"],
            json!({"type": "string", "nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]})
        );

        let a = actions_for(&doc, &drift("$[*].id", "missing", Value::Null)).expect("actions");
        assert_eq!(a[0]["target"], format!("{base}.required[?@ == 'id']"));

        assert!(actions_for(&doc, &drift("$[*].nope", "string", json!(1))).is_err());
    }
}
