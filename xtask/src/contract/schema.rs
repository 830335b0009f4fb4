//! Flattening one OpenAPI 3.0 schema into the facts a contract compares: for every reachable
//! property (by its JSON path in the payload), its type, format, nullability, enum and whether
//! its parent requires it, plus where in the spec document it is written.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Deeper than any payload we read; stops `$ref` cycles.
const MAX_DEPTH: usize = 24;

/// What one spec says about one place in a payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The aspects compared, by name, as display text ("" when the spec says nothing).
    pub aspects: BTreeMap<&'static str, String>,
    /// JSON path of the schema in the spec document, e.g. `$.components.schemas.Customer`.
    pub doc_path: String,
}

/// Follows `$ref`s (local ones only) from `node`, returning the target and its document path.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value, path: &str) -> (&'a Value, String) {
    let mut node = node;
    let mut path = path.to_owned();
    for _ in 0..MAX_DEPTH {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            break;
        };
        let Some(target) = doc.pointer(pointer) else {
            break;
        };
        node = target;
        path = pointer_to_path(pointer);
    }
    (node, path)
}

/// `/components/schemas/A B` as `$.components.schemas['A B']`.
fn pointer_to_path(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .fold("$".to_owned(), |acc, key| child_path(&acc, &key))
}

/// A JSON path one key below `parent`.
pub fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{parent}.{key}")
    } else {
        format!("{parent}['{}']", key.replace('\'', "\\'"))
    }
}

/// One schema with its `allOf` parts merged and its `oneOf`/`anyOf` alternatives unioned.
struct Merged<'a> {
    types: BTreeSet<String>,
    format: BTreeSet<String>,
    nullable: bool,
    enumeration: Option<Vec<String>>,
    properties: BTreeMap<String, (&'a Value, String)>,
    required: BTreeSet<String>,
    items: Option<(&'a Value, String)>,
}

fn merge<'a>(doc: &'a Value, node: &'a Value, path: &str, depth: usize) -> Merged<'a> {
    let mut merged = Merged {
        types: BTreeSet::new(),
        format: BTreeSet::new(),
        nullable: false,
        enumeration: None,
        properties: BTreeMap::new(),
        required: BTreeSet::new(),
        items: None,
    };
    absorb(doc, node, path, depth, true, &mut merged);
    if merged.types.is_empty() && !merged.properties.is_empty() {
        merged.types.insert("object".to_owned());
    }
    merged
}

fn absorb<'a>(
    doc: &'a Value,
    node: &'a Value,
    path: &str,
    depth: usize,
    counts_required: bool,
    into: &mut Merged<'a>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let (node, path) = resolve(doc, node, path);
    if let Some(t) = node.get("type").and_then(Value::as_str) {
        into.types.insert(t.to_owned());
    }
    if let Some(f) = node.get("format").and_then(Value::as_str) {
        into.format.insert(f.to_owned());
    }
    if node.get("nullable").and_then(Value::as_bool) == Some(true) {
        into.nullable = true;
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        // OpenAPI 3.0 wants `null` in the enum of a nullable field; nullability is
        // compared on its own.
        let mut values: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(Value::to_string)
            .collect();
        values.sort();
        into.enumeration.get_or_insert(values);
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        let props_path = child_path(&path, "properties");
        for (name, schema) in props {
            into.properties
                .entry(name.clone())
                .or_insert_with(|| (schema, child_path(&props_path, name)));
        }
    }
    if counts_required && let Some(required) = node.get("required").and_then(Value::as_array) {
        into.required
            .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if into.items.is_none()
        && let Some(items) = node.get("items")
    {
        into.items = Some((items, child_path(&path, "items")));
    }
    if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
        let parts_path = child_path(&path, "allOf");
        for (i, part) in parts.iter().enumerate() {
            let part_path = format!("{parts_path}[{i}]");
            absorb(doc, part, &part_path, depth + 1, counts_required, into);
        }
    }
    // An alternative's own `required` holds only when that alternative is chosen.
    for key in ["oneOf", "anyOf"] {
        if let Some(parts) = node.get(key).and_then(Value::as_array) {
            let parts_path = child_path(&path, key);
            for (i, part) in parts.iter().enumerate() {
                let part_path = format!("{parts_path}[{i}]");
                absorb(doc, part, &part_path, depth + 1, false, into);
            }
        }
    }
}

fn joined(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("|")
}

/// Every place in a payload described by `schema`, keyed by `at` plus its payload path
/// (`$`, `$.data`, `$.data.customers[*]`, ...).
pub fn flatten(doc: &Value, schema: &Value, doc_path: &str, at: &str) -> BTreeMap<String, Facts> {
    let mut out = BTreeMap::new();
    walk(doc, schema, doc_path, &format!("{at} $"), None, 0, &mut out);
    out
}

fn walk(
    doc: &Value,
    schema: &Value,
    doc_path: &str,
    at: &str,
    required: Option<bool>,
    depth: usize,
    out: &mut BTreeMap<String, Facts>,
) {
    if depth > MAX_DEPTH || out.contains_key(at) {
        return;
    }
    let (_, resolved_path) = resolve(doc, schema, doc_path);
    let merged = merge(doc, schema, doc_path, depth);
    let mut aspects = BTreeMap::new();
    aspects.insert(
        "type",
        if merged.types.is_empty() {
            "any".to_owned()
        } else {
            joined(&merged.types)
        },
    );
    aspects.insert("format", joined(&merged.format));
    aspects.insert("nullable", merged.nullable.to_string());
    aspects.insert(
        "enum",
        merged
            .enumeration
            .as_ref()
            .map(|v| v.join(","))
            .unwrap_or_default(),
    );
    if let Some(required) = required {
        aspects.insert("required", required.to_string());
    }
    out.insert(
        at.to_owned(),
        Facts {
            aspects,
            doc_path: resolved_path,
        },
    );
    for (name, (child, child_doc_path)) in &merged.properties {
        let child_at = child_path(at, name);
        let is_required = merged.required.contains(name);
        walk(
            doc,
            child,
            child_doc_path,
            &child_at,
            Some(is_required),
            depth + 1,
            out,
        );
    }
    if let Some((items, items_path)) = &merged.items {
        walk(
            doc,
            items,
            items_path,
            &format!("{at}[*]"),
            None,
            depth + 1,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_all_of_and_one_of_are_merged_into_one_set_of_facts() {
        let doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            "Top": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"properties": {"b": {"oneOf": [{"type": "string"}, {"type": "integer", "nullable": true}]}}}
            ]}
        }}});
        let schema = json!({"type": "array", "items": {"$ref": "#/components/schemas/Top"}});
        let facts = flatten(&doc, &schema, "$.x", "response 200");
        let a = &facts["response 200 $[*].a"];
        assert_eq!(a.aspects["type"], "string");
        assert_eq!(a.aspects["required"], "true");
        assert_eq!(a.doc_path, "$.components.schemas.Base.properties.a");
        let b = &facts["response 200 $[*].b"];
        assert_eq!(b.aspects["type"], "integer|string");
        assert_eq!(b.aspects["nullable"], "true");
        assert_eq!(b.aspects["required"], "false");
        assert_eq!(facts["response 200 $[*]"].aspects["type"], "object");
    }

    #[test]
    fn a_reference_cycle_ends() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
        }}});
        let schema = json!({"$ref": "#/components/schemas/Node"});
        let facts = flatten(&doc, &schema, "$.x", "response 200");
        assert!(facts.len() > 1 && facts.len() <= MAX_DEPTH + 2);
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        assert_eq!(child_path("$", "200"), "$['200']");
        assert_eq!(child_path("$", "/customers"), "$['/customers']");
        assert_eq!(
            pointer_to_path("/paths/~1customers/get"),
            "$.paths['/customers'].get"
        );
    }
}
