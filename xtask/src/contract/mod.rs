//! `cargo xtask contract <vendor> --upstream PATH`: our spec against the vendor's official one.
//!
//! For every operation of ours (matched by method and path template), it compares the
//! parameters, the request body and every response the two specs document, property by
//! property. A difference fails the check unless `specs/<vendor>.contract.toml` accepts it
//! with a reason; an accepted entry that no longer matches a difference fails too, so the
//! file cannot rot.

mod accepted;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::Value;

pub use accepted::{Accepted, AcceptedList};
use schema::{Facts, child_path, flatten, resolve};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The aspects of a parameter that are compared, besides its schema's type, format and enum.
const PARAMETER_BOUNDS: [&str; 8] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
];

/// One way our spec and the official one disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// `GET /customers`, as written in our spec.
    pub operation: String,
    /// What differs: `parameter query count`, `request $.login`, `response 200 $.data`,
    /// `response 201`.
    pub at: String,
    /// `operation`, `status`, `presence`, `body`, `type`, `format`, `nullable`, `enum`,
    /// `required` or a bound such as `maximum`.
    pub aspect: String,
    /// Our value ("" when our spec says nothing).
    pub ours: String,
    /// The official value ("" when it says nothing).
    pub official: String,
    /// JSON path of the place in our spec.
    pub our_path: String,
    /// JSON path of the place in the official spec.
    pub official_path: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &str| {
            if v.is_empty() {
                "(nothing)".to_owned()
            } else {
                v.to_owned()
            }
        };
        write!(
            f,
            "{}: {}: {}: ours {} at {}, official {} at {}",
            self.operation,
            self.at,
            self.aspect,
            show(&self.ours),
            self.our_path,
            show(&self.official),
            self.official_path
        )
    }
}

/// The outcome of one contract check.
#[derive(Debug)]
pub struct Report {
    /// Every difference found, accepted or not.
    pub differences: Vec<Difference>,
    /// The differences no accepted entry explains.
    pub unexplained: Vec<Difference>,
    /// Accepted entries that match no difference any more.
    pub stale: Vec<Accepted>,
}

impl Report {
    /// True when every difference is accepted and every accepted entry is used.
    pub fn passes(&self) -> bool {
        self.unexplained.is_empty() && self.stale.is_empty()
    }
}

/// Where a vendor's accepted differences live, relative to the workspace root.
pub fn accepted_file(vendor: &str) -> PathBuf {
    PathBuf::from("specs").join(format!("{vendor}.contract.toml"))
}

/// Reads an official spec (JSON or YAML by extension).
pub fn read_official(path: &Path) -> Result<Value> {
    // The same strict reading as our own specs; the path is the user's, not the workspace's.
    crate::spec::read_document(Path::new(""), path)
}

/// Compares `ours` with `official` and sorts the differences by `accepted`.
pub fn check(ours: &Value, official: &Value, accepted: &AcceptedList) -> Report {
    let differences = compare(ours, official);
    let unexplained = differences
        .iter()
        .filter(|d| !accepted.entries.iter().any(|a| a.matches(d)))
        .cloned()
        .collect();
    let stale = accepted
        .entries
        .iter()
        .filter(|a| !differences.iter().any(|d| a.matches(d)))
        .cloned()
        .collect();
    Report {
        differences,
        unexplained,
        stale,
    }
}

/// Every difference between the two specs on the operations of `ours`.
pub fn compare(ours: &Value, official: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    let official_ops = operations(official);
    for (key, our_op) in operations(ours) {
        let name = format!("{} {}", our_op.method.to_uppercase(), our_op.template);
        let Some(their_op) = official_ops.get(&key) else {
            out.push(Difference {
                operation: name,
                at: "operation".to_owned(),
                aspect: "presence".to_owned(),
                ours: "present".to_owned(),
                official: String::new(),
                our_path: our_op.doc_path.clone(),
                official_path: "$.paths".to_owned(),
            });
            continue;
        };
        let mut ctx = Pair {
            ours,
            official,
            operation: name,
            out: &mut out,
        };
        ctx.parameters(&our_op, their_op);
        ctx.request_body(&our_op, their_op);
        ctx.responses(&our_op, their_op);
    }
    out
}

/// One operation of a spec, with where it is written.
struct Operation<'a> {
    method: String,
    template: String,
    node: &'a Value,
    path_item: &'a Value,
    doc_path: String,
}

/// Operations keyed by method and path template with parameter names blanked, so
/// `/customers/{id}` and `/customers/{customer_id}` match.
fn operations(doc: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (template, item) in paths {
        let item_path = child_path("$.paths", template);
        for method in METHODS {
            if let Some(node) = item.get(method) {
                let key = format!("{method} {}", blank_parameters(template));
                out.insert(
                    key,
                    Operation {
                        method: method.to_owned(),
                        template: template.clone(),
                        node,
                        path_item: item,
                        doc_path: child_path(&item_path, method),
                    },
                );
            }
        }
    }
    out
}

fn blank_parameters(template: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Both specs and the operation being compared.
struct Pair<'a, 'o> {
    ours: &'a Value,
    official: &'a Value,
    operation: String,
    out: &'o mut Vec<Difference>,
}

impl Pair<'_, '_> {
    fn differ(&mut self, at: &str, aspect: &str, ours: (&str, &str), official: (&str, &str)) {
        self.out.push(Difference {
            operation: self.operation.clone(),
            at: at.to_owned(),
            aspect: aspect.to_owned(),
            ours: ours.0.to_owned(),
            official: official.0.to_owned(),
            our_path: ours.1.to_owned(),
            official_path: official.1.to_owned(),
        });
    }

    fn parameters(&mut self, ours: &Operation<'_>, theirs: &Operation<'_>) {
        let our_params = parameters(self.ours, ours);
        let their_params = parameters(self.official, theirs);
        let keys: BTreeSet<&String> = our_params.keys().chain(their_params.keys()).collect();
        for key in keys {
            let at = format!("parameter {key}");
            match (our_params.get(key), their_params.get(key)) {
                (Some(o), Some(t)) => self.facts(&at, o, t),
                (Some(o), None) => self.differ(
                    &at,
                    "presence",
                    ("present", &o.doc_path),
                    ("", &theirs.doc_path),
                ),
                (None, Some(t)) => self.differ(
                    &at,
                    "presence",
                    ("", &ours.doc_path),
                    ("present", &t.doc_path),
                ),
                (None, None) => {}
            }
        }
    }

    fn request_body(&mut self, ours: &Operation<'_>, theirs: &Operation<'_>) {
        let our_body = json_body(self.ours, ours.node.get("requestBody"), &ours.doc_path);
        let their_body = json_body(
            self.official,
            theirs.node.get("requestBody"),
            &theirs.doc_path,
        );
        self.bodies("request", our_body, their_body, ours, theirs);
    }

    fn responses(&mut self, ours: &Operation<'_>, theirs: &Operation<'_>) {
        let our_statuses = statuses(ours);
        let their_statuses = statuses(theirs);
        let keys: BTreeSet<&String> = our_statuses.keys().chain(their_statuses.keys()).collect();
        for status in keys {
            let at = format!("response {status}");
            match (our_statuses.get(status), their_statuses.get(status)) {
                (Some((o, o_path)), Some((t, t_path))) => {
                    let our_body = json_body(self.ours, Some(o), o_path);
                    let their_body = json_body(self.official, Some(t), t_path);
                    self.bodies(&at, our_body, their_body, ours, theirs);
                }
                (Some((_, o_path)), None) => self.differ(
                    &at,
                    "status",
                    ("documented", o_path),
                    ("", &theirs.doc_path),
                ),
                (None, Some((_, t_path))) => {
                    self.differ(&at, "status", ("", &ours.doc_path), ("documented", t_path))
                }
                (None, None) => {}
            }
        }
    }

    /// Compares two JSON bodies (of a request or one response status) property by property.
    fn bodies(
        &mut self,
        at: &str,
        ours: Option<(&Value, String)>,
        theirs: Option<(&Value, String)>,
        our_op: &Operation<'_>,
        their_op: &Operation<'_>,
    ) {
        match (ours, theirs) {
            (Some((o, o_path)), Some((t, t_path))) => {
                let our_facts = flatten(self.ours, o, &o_path, at);
                let their_facts = flatten(self.official, t, &t_path, at);
                let keys: BTreeSet<&String> = our_facts.keys().chain(their_facts.keys()).collect();
                for key in keys {
                    match (our_facts.get(key), their_facts.get(key)) {
                        (Some(o), Some(t)) => self.facts(key, o, t),
                        (Some(o), None) => {
                            let parent = parent_path(&their_facts, key, &t_path);
                            self.differ(key, "presence", ("present", &o.doc_path), ("", &parent));
                        }
                        (None, Some(t)) => {
                            let parent = parent_path(&our_facts, key, &o_path);
                            self.differ(key, "presence", ("", &parent), ("present", &t.doc_path));
                        }
                        (None, None) => {}
                    }
                }
            }
            (Some((_, o_path)), None) => {
                self.differ(at, "body", ("json", &o_path), ("", &their_op.doc_path))
            }
            (None, Some((_, t_path))) => {
                self.differ(at, "body", ("", &our_op.doc_path), ("json", &t_path))
            }
            (None, None) => {}
        }
    }

    fn facts(&mut self, at: &str, ours: &Facts, theirs: &Facts) {
        let aspects: BTreeSet<&&str> = ours.aspects.keys().chain(theirs.aspects.keys()).collect();
        for aspect in aspects {
            let o = ours.aspects.get(*aspect).map(String::as_str).unwrap_or("");
            let t = theirs
                .aspects
                .get(*aspect)
                .map(String::as_str)
                .unwrap_or("");
            if o != t {
                self.differ(at, aspect, (o, &ours.doc_path), (t, &theirs.doc_path));
            }
        }
    }
}

/// The document path of the nearest enclosing place `facts` has for `key`.
fn parent_path(facts: &BTreeMap<String, Facts>, key: &str, fallback: &str) -> String {
    let mut key = key;
    while let Some(cut) = key.rfind(['.', '[']) {
        key = &key[..cut];
        if let Some(found) = facts.get(key) {
            return found.doc_path.clone();
        }
    }
    fallback.to_owned()
}

/// An operation's parameters (path-level ones included), keyed `<in> <name>`.
fn parameters(doc: &Value, op: &Operation<'_>) -> BTreeMap<String, Facts> {
    let mut out = BTreeMap::new();
    let item_path = op
        .doc_path
        .rsplit_once('.')
        .map(|(p, _)| p.to_owned())
        .unwrap_or_default();
    let sources = [(op.path_item, item_path), (op.node, op.doc_path.clone())];
    for (node, node_path) in sources {
        let Some(list) = node.get("parameters").and_then(Value::as_array) else {
            continue;
        };
        let list_path = child_path(&node_path, "parameters");
        for (i, param) in list.iter().enumerate() {
            let (param, path) = resolve(doc, param, &format!("{list_path}[{i}]"));
            let (Some(name), Some(location)) = (
                param.get("name").and_then(Value::as_str),
                param.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            out.insert(
                format!("{location} {name}"),
                parameter_facts(doc, param, path),
            );
        }
    }
    out
}

fn parameter_facts(doc: &Value, param: &Value, path: String) -> Facts {
    let mut aspects = BTreeMap::new();
    let required = param.get("required").and_then(Value::as_bool) == Some(true);
    aspects.insert("required", required.to_string());
    let empty = Value::Null;
    let schema_node = param.get("schema").unwrap_or(&empty);
    let (schema, _) = resolve(doc, schema_node, &path);
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    aspects.insert("type", text(schema.get("type")));
    aspects.insert("format", text(schema.get("format")));
    aspects.insert("enum", enum_text(schema.get("enum")));
    for bound in PARAMETER_BOUNDS {
        aspects.insert(bound, text(schema.get(bound)));
    }
    if let Some(items) = schema.get("items") {
        let (items, _) = resolve(doc, items, &path);
        aspects.insert("items.type", text(items.get("type")));
        aspects.insert("items.enum", enum_text(items.get("enum")));
    }
    Facts {
        aspects,
        doc_path: path,
    }
}

fn enum_text(values: Option<&Value>) -> String {
    let Some(values) = values.and_then(Value::as_array) else {
        return String::new();
    };
    let mut values: Vec<String> = values.iter().map(Value::to_string).collect();
    values.sort();
    values.join(",")
}

/// An operation's responses by status, each with its document path.
fn statuses<'a>(op: &Operation<'a>) -> BTreeMap<String, (&'a Value, String)> {
    let responses_path = child_path(&op.doc_path, "responses");
    op.node
        .get("responses")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(status, node)| (status.clone(), (node, child_path(&responses_path, status))))
                .collect()
        })
        .unwrap_or_default()
}

/// The `application/json` schema of a request body or response, if it has one.
fn json_body<'a>(
    doc: &'a Value,
    node: Option<&'a Value>,
    path: &str,
) -> Option<(&'a Value, String)> {
    let (node, path) = resolve(doc, node?, path);
    let content = node.get("content")?.as_object()?;
    let (media, body) = content
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))?;
    let media_path = child_path(&child_path(&path, "content"), media);
    let schema = body.get("schema")?;
    Some((schema, child_path(&media_path, "schema")))
}

#[cfg(test)]
mod tests;
