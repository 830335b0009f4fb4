//! A vendor's effective spec as JSON Schema validators (the `jsonschema` crate, draft
//! 2020-12), to check what the fakes serve and accept, and what the fixtures hold, against
//! something the fakes' and fixtures' author did not write.

use std::collections::BTreeMap;

use jsonschema::Validator;
use serde_json::{Value, json};
use xtask::{spec, vendors, workspace_root};

/// One vendor's effective spec, with OpenAPI 3.0's `nullable` turned into JSON Schema.
pub struct Spec {
    /// The vendor's name.
    pub vendor: String,
    doc: Value,
}

/// One operation, found by method and concrete path.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `GET /customers/{id}`.
    pub name: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

impl Spec {
    /// The vendor's spec as codegen sees it (Gleantap's overlay applied).
    pub fn load(vendor: &str) -> Spec {
        let root = workspace_root();
        let entry = vendors::load(&root)
            .expect("vendor list")
            .into_iter()
            .find(|v| v.name == vendor)
            .unwrap_or_else(|| panic!("unknown vendor {vendor}"));
        Spec::from_document(vendor, spec::effective(&root, &entry).expect("spec loads"))
    }

    /// `doc` (an OpenAPI 3.0 document) under the name `vendor`.
    pub fn from_document(vendor: &str, mut doc: Value) -> Spec {
        to_json_schema(&mut doc);
        Spec {
            vendor: vendor.to_owned(),
            doc,
        }
    }

    /// The path part of the first server URL (`""` when the URL has none).
    pub fn base_path(&self) -> String {
        let url = self.doc["servers"][0]["url"].as_str().unwrap_or("");
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        after_scheme
            .find('/')
            .map(|at| after_scheme[at..].trim_end_matches('/').to_owned())
            .unwrap_or_default()
    }

    /// The operation serving `method` on `path` (a concrete path, base path included).
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation> {
        let path = path.strip_prefix(&self.base_path())?;
        let method = method.to_lowercase();
        let paths = self.doc["paths"].as_object()?;
        paths.iter().find_map(|(template, item)| {
            (matches_template(template, path) && item.get(&method).is_some()).then(|| Operation {
                name: format!("{} {template}", method.to_uppercase()),
                pointer: format!("/paths/{}/{method}", escape(template)),
            })
        })
    }

    /// The operation with this `operationId`.
    pub fn operation_by_id(&self, id: &str) -> Option<Operation> {
        let paths = self.doc["paths"].as_object()?;
        paths.iter().find_map(|(template, item)| {
            ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .find(|m| item[*m]["operationId"] == id)
                .map(|method| Operation {
                    name: format!("{} {template}", method.to_uppercase()),
                    pointer: format!("/paths/{}/{method}", escape(template)),
                })
        })
    }

    /// The (converted) spec's value at `pointer`.
    pub fn value(&self, pointer: &str) -> Option<&Value> {
        self.doc.pointer(pointer)
    }

    /// The JSON schema of `op`'s answer with `status`, if the spec documents one.
    pub fn response_schema(&self, op: &Operation, status: u16) -> Option<String> {
        let responses = format!("{}/responses", op.pointer);
        let response = format!("{responses}/{status}");
        let response = if self.doc.pointer(&response).is_some() {
            response
        } else {
            format!("{responses}/default")
        };
        self.json_schema_of(&response)
    }

    /// Whether `op` documents `status` at all.
    pub fn documents_status(&self, op: &Operation, status: u16) -> bool {
        let responses = format!("{}/responses", op.pointer);
        self.doc.pointer(&format!("{responses}/{status}")).is_some()
            || self.doc.pointer(&format!("{responses}/default")).is_some()
    }

    /// The JSON schema of `op`'s request body, if it has one.
    pub fn request_schema(&self, op: &Operation) -> Option<String> {
        self.json_schema_of(&format!("{}/requestBody", op.pointer))
    }

    /// The `application/json` schema below the (maybe `$ref`'d) object at `pointer`.
    fn json_schema_of(&self, pointer: &str) -> Option<String> {
        let pointer = self.follow(pointer)?;
        let content = format!("{pointer}/content/application~1json/schema");
        self.doc.pointer(&content).map(|_| content)
    }

    /// Follows `$ref`s from the object at `pointer` to where it is written.
    pub fn follow(&self, pointer: &str) -> Option<String> {
        let mut pointer = pointer.to_owned();
        for _ in 0..8 {
            let node = self.doc.pointer(&pointer)?;
            match node.get("$ref").and_then(Value::as_str) {
                Some(reference) => pointer = reference.strip_prefix('#')?.to_owned(),
                None => return Some(pointer),
            }
        }
        None
    }

    /// A validator for the schema at `pointer`, with the spec's components in reach.
    pub fn validator(&self, pointer: &str) -> Validator {
        let mut root = self.doc.clone();
        if let Some(map) = root.as_object_mut() {
            // A URI fragment cannot hold `{` or `}` (path templates) as they are.
            let fragment = pointer
                .replace('%', "%25")
                .replace('{', "%7B")
                .replace('}', "%7D");
            map.insert("$ref".to_owned(), json!(format!("#{fragment}")));
        }
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{}: schema at {pointer}: {e}", self.vendor))
    }

    /// What is wrong with `value` against the schema at `pointer` (empty when it fits).
    pub fn errors(&self, pointer: &str, value: &Value) -> Vec<String> {
        self.validator(pointer)
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// What is wrong with these query pairs for `op`: undeclared names, values their
    /// schema refuses, required parameters missing.
    pub fn query_errors(&self, op: &Operation, query: &[(String, String)]) -> Vec<String> {
        let params = self.parameters(op);
        let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, value) in query {
            values.entry(name).or_default().push(value);
        }
        let mut errors = Vec::new();
        for (name, given) in &values {
            let Some(pointer) = params.get(&("query".to_owned(), (*name).to_owned())) else {
                errors.push(format!("{}: undeclared query parameter `{name}`", op.name));
                continue;
            };
            let schema_pointer = format!("{pointer}/schema");
            let schema = self
                .doc
                .pointer(&schema_pointer)
                .cloned()
                .unwrap_or(Value::Null);
            let value = typed(&schema, given);
            for e in self.errors(&schema_pointer, &value) {
                errors.push(format!("{}: query `{name}` = {value}: {e}", op.name));
            }
        }
        for ((location, name), pointer) in &params {
            let required = self.doc.pointer(&format!("{pointer}/required")) == Some(&json!(true));
            if location == "query" && required && !values.contains_key(name.as_str()) {
                errors.push(format!(
                    "{}: required query parameter `{name}` missing",
                    op.name
                ));
            }
        }
        errors
    }

    /// `op`'s parameters (path-level ones too), keyed (in, name), each a pointer.
    pub fn parameters(&self, op: &Operation) -> BTreeMap<(String, String), String> {
        let mut out = BTreeMap::new();
        let item = op.pointer.rsplit_once('/').map_or("", |(item, _)| item);
        for owner in [item.to_owned(), op.pointer.clone()] {
            let list = format!("{owner}/parameters");
            let count = self
                .doc
                .pointer(&list)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                let Some(pointer) = self.follow(&format!("{list}/{i}")) else {
                    continue;
                };
                let param = self.doc.pointer(&pointer).cloned().unwrap_or(Value::Null);
                if let (Some(location), Some(name)) = (param["in"].as_str(), param["name"].as_str())
                {
                    out.insert((location.to_owned(), name.to_owned()), pointer);
                }
            }
        }
        out
    }
}

/// Query text read the way the parameter's schema types it.
fn typed(schema: &Value, given: &[&str]) -> Value {
    let kind = schema_type(schema);
    if kind == "array" {
        let items = schema.get("items").unwrap_or(&Value::Null);
        return Value::Array(given.iter().map(|v| scalar(items, v)).collect());
    }
    match given {
        [one] => scalar(schema, one),
        many => Value::Array(many.iter().map(|v| scalar(schema, v)).collect()),
    }
}

fn scalar(schema: &Value, text: &str) -> Value {
    match schema_type(schema).as_str() {
        "integer" => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        "number" => text
            .parse::<f64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        "boolean" => match text {
            "true" => json!(true),
            "false" => json!(false),
            other => json!(other),
        },
        _ => json!(text),
    }
}

/// The `type` of a (converted) schema, looking through the `nullable` wrapper.
fn schema_type(schema: &Value) -> String {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return t.to_owned();
    }
    schema
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|parts| parts.iter().find_map(|p| p.get("type")?.as_str()))
        .unwrap_or("")
        .to_owned()
}

/// `/customers/{id}` matches `/customers/42`.
fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema: the schema, or null. Examples are left
/// alone: they are data, not schemas.
fn to_json_schema(node: &mut Value) {
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    to_json_schema(child);
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(map));
                *node = json!({"anyOf": [inner, {"type": "null"}]});
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}
