//! OpenAPI Overlay 1.0: ordered `update` / `remove` actions whose targets are JSONPath
//! (RFC 9535) expressions, evaluated with `serde_json_path`.
//!
//! As in k8s-openapi's spec fixes, every action states its reason (`description`) and an
//! action that matches nothing is an error: when the vendor changes the spec, a fix that no
//! longer applies fails loudly instead of being dropped.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

/// An overlay document.
#[derive(Debug, Deserialize)]
pub struct Overlay {
    /// The Overlay spec version; only 1.x is supported.
    pub overlay: String,
    /// The actions, applied in order.
    pub actions: Vec<Action>,
}

/// One overlay action.
#[derive(Debug, Deserialize)]
pub struct Action {
    /// JSONPath selecting the nodes to change.
    pub target: String,
    /// Why the action exists.
    #[serde(default)]
    pub description: Option<String>,
    /// A value merged into every selected node.
    #[serde(default)]
    pub update: Option<Value>,
    /// Removes every selected node from its parent.
    #[serde(default)]
    pub remove: bool,
}

/// One step of a located node's path.
enum Step {
    Name(String),
    Index(usize),
}

/// Applies `overlay` to `doc` in place.
pub fn apply(doc: &mut Value, overlay: &Overlay) -> Result<()> {
    if !overlay.overlay.starts_with("1.") {
        bail!(
            "unsupported overlay version `{}` (expected 1.x)",
            overlay.overlay
        );
    }
    for (index, action) in overlay.actions.iter().enumerate() {
        apply_action(doc, action).with_context(|| {
            format!(
                "overlay action #{} (target `{}`{})",
                index + 1,
                action.target,
                action
                    .description
                    .as_deref()
                    .map(|d| format!(": {}", d.trim()))
                    .unwrap_or_default()
            )
        })?;
    }
    Ok(())
}

fn apply_action(doc: &mut Value, action: &Action) -> Result<()> {
    if action.remove == action.update.is_some() {
        bail!("an action needs exactly one of `update` or `remove: true`");
    }
    let path = JsonPath::parse(&action.target).context("invalid JSONPath")?;
    let mut targets: Vec<Vec<Step>> = path
        .query_located(doc)
        .iter()
        .map(|node| {
            node.location()
                .iter()
                .map(|element| match element.as_index() {
                    Some(i) => Step::Index(i),
                    None => Step::Name(element.as_name().unwrap_or_default().to_owned()),
                })
                .collect()
        })
        .collect();
    if targets.is_empty() {
        bail!("the target matches nothing; the spec has changed, so revisit this fix");
    }
    if action.remove {
        // Remove later array elements first so earlier indices stay valid.
        targets.reverse();
        for steps in &targets {
            remove_at(doc, steps)?;
        }
    } else if let Some(update) = &action.update {
        for steps in &targets {
            let node = node_at(doc, steps).context("a selected node vanished")?;
            merge(node, update);
        }
    }
    Ok(())
}

fn node_at<'a>(mut node: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    for step in steps {
        node = match step {
            Step::Name(name) => node.get_mut(name.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

fn remove_at(doc: &mut Value, steps: &[Step]) -> Result<()> {
    let Some((last, parent_steps)) = steps.split_last() else {
        bail!("the document root cannot be removed");
    };
    let parent = node_at(doc, parent_steps).context("a selected node vanished")?;
    match (parent, last) {
        (Value::Object(map), Step::Name(name)) => {
            map.shift_remove(name);
        }
        (Value::Array(items), Step::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => bail!("a selected node vanished"),
    }
    Ok(())
}

/// Overlay 1.0 merge: objects merge recursively, arrays append, anything else replaces.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (Value::Array(target), value) => target.push(value.clone()),
        (target, value) => *target = value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Overlay {
        serde_json::from_value(json!({"overlay": "1.0.0", "actions": actions}))
            .expect("test overlay is valid")
    }

    #[test]
    fn update_merges_objects_and_replaces_scalars() {
        let mut doc = json!({"a": {"b": 1, "c": [1]}, "d": "x"});
        let o = overlay(json!([
            {"target": "$.a", "update": {"b": 2, "c": [2], "e": true}},
            {"target": "$.d", "update": "y"}
        ]));
        apply(&mut doc, &o).expect("applies");
        assert_eq!(
            doc,
            json!({"a": {"b": 2, "c": [1, 2], "e": true}, "d": "y"})
        );
    }

    #[test]
    fn remove_with_filter_removes_every_match() {
        let mut doc = json!({"p": [{"n": "x"}, {"n": "y"}, {"n": "x"}]});
        let o = overlay(json!([{"target": "$.p[?@.n == 'x']", "remove": true}]));
        apply(&mut doc, &o).expect("applies");
        assert_eq!(doc, json!({"p": [{"n": "y"}]}));
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let mut doc = json!({"a": 1});
        let o = overlay(json!([{"target": "$.b", "description": "why", "remove": true}]));
        let err = format!("{:#}", apply(&mut doc, &o).expect_err("must fail"));
        assert!(err.contains("matches nothing"), "{err}");
        assert!(err.contains("why"), "{err}");
        assert_eq!(doc, json!({"a": 1}));
    }

    #[test]
    fn an_action_needs_exactly_one_operation() {
        let mut doc = json!({"a": 1});
        let o = overlay(json!([{"target": "$.a"}]));
        assert!(apply(&mut doc, &o).is_err());
    }
}
