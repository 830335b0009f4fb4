//! Every `example` in every spec (Gleantap's as its overlay leaves it) decodes into the
//! generated Rust type of its schema, and serializes back to the same JSON, so a misspelt
//! property or a wrong type in a spec cannot hide behind an example.

use serde_json::Value;
use xtask::{spec, vendors, workspace_root};

/// Decodes `value` as the generated type named `schema`; `None` when no type is registered.
type Decoder = fn(&str, &Value) -> Option<Result<Value, String>>;

/// Maps schema names to generated types: decode, then serialize back.
macro_rules! decoder {
    ($($name:literal => $ty:ty),* $(,)?) => {
        |schema: &str, value: &Value| -> Option<Result<Value, String>> {
            match schema {
                $($name => Some(
                    serde_json::from_value::<$ty>(value.clone())
                        .map_err(|e| e.to_string())
                        .and_then(|decoded| serde_json::to_value(decoded).map_err(|e| e.to_string())),
                ),)*
                _ => None,
            }
        }
    };
}

fn decoder_for(vendor: &str) -> Decoder {
    match vendor {
        "hoko" => {
            use hoko_client::types::*;
            decoder!("CustomerList" => CustomerList, "Customer" => Customer, "Error" => Error)
        }
        "carecloud" => {
            use carecloud_client::types::*;
            decoder!(
                "CustomerListResponse" => CustomerListResponse,
                "Error" => Error,
                "LoginRequest" => LoginRequest,
                "LoginResponse" => LoginResponse,
            )
        }
        "botpenguin" => {
            use botpenguin_client::types::*;
            decoder!("CustomerListResponse" => CustomerListResponse, "ErrorResponse" => ErrorResponse)
        }
        "gleantap" => {
            use gleantap_client::types::*;
            decoder!("Customer" => Customer, "GetCustomersResponse" => GetCustomersResponse)
        }
        "helpcrunch" => {
            use helpcrunch_client::types::*;
            decoder!("CustomerList" => CustomerList, "Errors" => Errors, "SearchRequest" => SearchRequest)
        }
        other => panic!("no decoders for vendor {other}; add them here"),
    }
}

/// An example found in a spec: where it is and the schema it illustrates.
struct Example {
    pointer: String,
    schema: String,
    value: Value,
}

fn pascal_case(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The schema a media type object's example illustrates: its `$ref` name, or for an inline
/// schema the name progenitor gives it (`<OperationId>Response` / `<OperationId>Body`).
fn media_schema_name(media: &Value, inline_name: Option<String>) -> Option<String> {
    match media.pointer("/schema/$ref").and_then(Value::as_str) {
        Some(reference) => reference.rsplit('/').next().map(str::to_owned),
        None => inline_name,
    }
}

/// Walks the whole document: every `example` key must be classified, none skipped.
fn collect(
    value: &Value,
    pointer: &str,
    operation_id: Option<&str>,
    out: &mut Vec<Example>,
    unknown: &mut Vec<String>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{pointer}/{i}"), operation_id, out, unknown);
            }
        }
        return;
    };
    let operation_id = map
        .get("operationId")
        .and_then(Value::as_str)
        .or(operation_id);
    if let Some(example) = map.get("example") {
        let segments: Vec<&str> = pointer.split('/').collect();
        let schema =
            if segments.len() == 4 && segments[1] == "components" && segments[2] == "schemas" {
                Some(segments[3].to_owned())
            } else if segments.contains(&"content") {
                let suffix = if segments.contains(&"requestBody") {
                    "Body"
                } else {
                    "Response"
                };
                media_schema_name(value, operation_id.map(|id| pascal_case(id) + suffix))
            } else {
                None
            };
        match schema {
            Some(schema) => out.push(Example {
                pointer: pointer.to_owned(),
                schema,
                value: example.clone(),
            }),
            None => unknown.push(pointer.to_owned()),
        }
    }
    for (key, child) in map {
        if key != "example" {
            let escaped = key.replace('~', "~0").replace('/', "~1");
            collect(
                child,
                &format!("{pointer}/{escaped}"),
                operation_id,
                out,
                unknown,
            );
        }
    }
}

#[test]
fn every_spec_example_decodes_into_its_generated_type() {
    let root = workspace_root();
    let mut checked = 0;
    for vendor in vendors::load(&root).expect("vendor list") {
        let doc = spec::effective(&root, &vendor).expect("spec loads");
        let decode = decoder_for(&vendor.name);
        let (mut examples, mut unknown) = (Vec::new(), Vec::new());
        collect(&doc, "", None, &mut examples, &mut unknown);
        assert!(
            unknown.is_empty(),
            "{}: examples in unexpected places: {unknown:?}",
            vendor.name
        );
        assert!(!examples.is_empty(), "{} has no examples", vendor.name);
        for example in examples {
            let at = format!("{} {} ({})", vendor.name, example.pointer, example.schema);
            let round_trip = decode(&example.schema, &example.value)
                .unwrap_or_else(|| panic!("{at}: no generated type registered for this schema"))
                .unwrap_or_else(|err| panic!("{at}: does not decode: {err}"));
            assert_eq!(
                round_trip, example.value,
                "{at}: decoding loses or changes data"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} examples checked");
}
