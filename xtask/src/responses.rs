//! What progenitor needs of an operation's responses, checked before it runs: at most one
//! type among the success statuses and one among the error statuses. progenitor asserts
//! this and panics without naming the operation; this names it and the statuses involved.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};

/// Fails naming every operation whose success or error statuses have different body types.
pub fn check(spec: &OpenAPI, spec_name: &str) -> Result<()> {
    let mut problems = Vec::new();
    for (path, method, op) in spec.operations() {
        let name = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
        let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut error: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (status, response) in &op.responses.responses {
            let (label, is_error) = match status {
                StatusCode::Code(code) => (code.to_string(), *code >= 400),
                StatusCode::Range(range) => (format!("{range}XX"), *range >= 4),
            };
            let class = if is_error { &mut error } else { &mut success };
            class
                .entry(body_type(spec, response))
                .or_default()
                .push(label);
        }
        if let Some(default) = &op.responses.default {
            error
                .entry(body_type(spec, default))
                .or_default()
                .push("default".to_owned());
        }
        for (kind, types) in [("success", success), ("error", error)] {
            if types.len() > 1 {
                let listed: Vec<String> = types
                    .iter()
                    .map(|(body, statuses)| format!("{} ({body})", statuses.join(", ")))
                    .collect();
                problems.push(format!(
                    "operation `{name}`: its {kind} statuses have {} different body types: {}",
                    types.len(),
                    listed.join("; ")
                ));
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "{spec_name}: progenitor needs one success and one error body type per operation \
             (give the statuses one shared schema, a union with optional fields if need be):\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// The body type of a response: its JSON schema (a `$ref` or the inline schema), `no body`,
/// or the media types it has instead of JSON.
fn body_type(spec: &OpenAPI, response: &ReferenceOr<Response>) -> String {
    let response = match response {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/responses/")
            .and_then(|name| spec.components.as_ref()?.responses.get(name))
            .and_then(|r| r.as_item()),
    };
    let Some(response) = response else {
        return "an unresolvable reference".to_owned();
    };
    if response.content.is_empty() {
        return "no body".to_owned();
    }
    match response
        .content
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))
    {
        Some((_, media)) => match &media.schema {
            Some(ReferenceOr::Reference { reference }) => reference.clone(),
            Some(ReferenceOr::Item(schema)) => {
                serde_json::to_string(schema).unwrap_or_else(|_| "an inline schema".to_owned())
            }
            None => "JSON without a schema".to_owned(),
        },
        None => response
            .content
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_error_bodies_name_the_operation_and_statuses() {
        let spec: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/c": {"get": {"operationId": "get_customers", "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array"}}}},
                "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}},
                "429": {"description": "slow down"}
            }}}},
            "components": {"schemas": {"E": {"type": "object"}}}
        }))
        .expect("spec");
        let err = check(&spec, "specs/x.yaml")
            .expect_err("refused")
            .to_string();
        assert!(err.contains("operation `get_customers`"), "{err}");
        assert!(err.contains("400 (#/components/schemas/E)"), "{err}");
        assert!(err.contains("429 (no body)"), "{err}");
    }
}
