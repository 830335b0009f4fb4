//! The fakes and fixtures cannot drift from the specs. Everything the fakes serve with faults
//! off, and every request they accept, is checked against the vendor's effective spec with a
//! JSON Schema validator (the `jsonschema` crate), not with code written from the same spec;
//! so are the fixtures, except the `drift_*` ones, which exist to show drift.

mod support;

use futures::StreamExt;
use serde_json::{Value, json};
use support::fake_env;
use support::openapi::Spec;

use customers::{Credentials, CustomersClient, Query, SortOrder};
use fake_vendors::{Exchange, FakeConfig, FakeServer, Vendor};

fn facade(vendor: Vendor) -> customers::Vendor {
    customers::Vendor::ALL
        .into_iter()
        .find(|v| v.as_str() == vendor.as_str())
        .expect("every fake is a facade vendor")
}

fn client(vendor: Vendor, base_url: &str, env: &[(&str, &str)]) -> CustomersClient {
    let credentials = Credentials::from_lookup(facade(vendor), |name| {
        env.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("credentials");
    let mut builder = CustomersClient::builder(credentials)
        .base_url(base_url)
        .rate_limit_per_minute(None);
    if vendor != Vendor::BotPenguin {
        builder = builder.page_size(40);
    }
    builder.build().expect("client builds")
}

/// Drives the facade against a recording fake: a full export, a filtered and sorted one, a
/// lookup that finds and one that does not, and a client whose credentials are wrong.
async fn traffic(vendor: Vendor) -> Vec<Exchange> {
    let config = FakeConfig::new(vendor)
        .customers(230)
        .seed(3)
        .record_exchanges();
    let records = config.records();
    let fake = FakeServer::start(config).await.expect("fake starts");
    let env = fake_env(vendor);
    let good = client(vendor, &fake.base_url(), &env);
    let listed: Vec<_> = good.list(Query::new()).collect().await;
    assert_eq!(listed.len(), records.len(), "{vendor}: full export");
    let first = listed[0].as_ref().expect("listed").clone();

    // Whatever the facade can ask the vendor, ask it; a filter the vendor lacks fails
    // before any request and is not the point here.
    let email = first.email.clone().unwrap_or_default();
    let filtered = Query::new().email(email).sort(SortOrder::Descending);
    let _ = good.list(filtered).collect::<Vec<_>>().await;
    // What an incremental sync asks (Gleantap's `updated_since`, a date on the wire).
    let since = first.created_at.unwrap_or_default();
    for query in [
        Query::new().updated_since(since),
        Query::new().created_since(since),
    ] {
        let _ = good.list(query).collect::<Vec<_>>().await;
    }
    let _ = good.get(&first.id).await;
    let _ = good.get("no-such-customer").await;

    let wrong: Vec<(&str, &str)> = env.iter().map(|(name, _)| (*name, "wrong")).collect();
    let bad = client(vendor, &fake.base_url(), &wrong);
    let _ = bad.list(Query::new()).collect::<Vec<_>>().await;
    fake.exchanges()
}

/// Everything wrong with one exchange, judged by the spec.
fn exchange_errors(spec: &Spec, exchange: &Exchange) -> Vec<String> {
    let at = format!(
        "{} {} -> {}",
        exchange.method, exchange.path, exchange.status
    );
    let Some(op) = spec.operation(&exchange.method, &exchange.path) else {
        // A path the spec does not have must not be served.
        return if exchange.status == 404 || exchange.status == 405 {
            vec![]
        } else {
            vec![format!(
                "{at}: the fake serves a path the spec does not have"
            )]
        };
    };
    let mut errors = Vec::new();
    if (200..300).contains(&exchange.status) {
        errors.extend(spec.query_errors(&op, &exchange.query));
        if let Some(schema) = spec.request_schema(&op) {
            match serde_json::from_slice::<Value>(&exchange.request_body) {
                Ok(body) => errors.extend(spec.errors(&schema, &body)),
                Err(e) => errors.push(format!(
                    "{at}: accepted a request body that is not JSON: {e}"
                )),
            }
        }
    }
    if !spec.documents_status(&op, exchange.status) {
        errors.push(format!("{at}: status not documented for {}", op.name));
        return errors;
    }
    if let Some(schema) = spec.response_schema(&op, exchange.status) {
        match serde_json::from_slice::<Value>(&exchange.response_body) {
            Ok(body) => errors.extend(
                spec.errors(&schema, &body)
                    .into_iter()
                    .map(|e| format!("{at}: {e}")),
            ),
            // The spec may document a body it does not promise (CareCloud's 429 and 503).
            Err(_) if exchange.response_body.is_empty() && exchange.status >= 400 => {}
            Err(e) => errors.push(format!("{at}: body is not JSON: {e}")),
        }
    }
    errors
        .into_iter()
        .map(|e| format!("{}: {e}", spec.vendor))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn everything_the_fakes_serve_and_accept_fits_the_specs() {
    for vendor in Vendor::ALL {
        let spec = Spec::load(vendor.as_str());
        let exchanges = traffic(vendor).await;
        let statuses: Vec<u16> = exchanges.iter().map(|e| e.status).collect();
        assert!(
            statuses.iter().any(|s| (200..300).contains(s)) && statuses.iter().any(|s| *s >= 400),
            "{vendor}: the traffic should hold answers and errors: {statuses:?}"
        );
        let errors: Vec<String> = exchanges
            .iter()
            .flat_map(|e| exchange_errors(&spec, e))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}

/// Values a schema forbids: one above its maximum, one below its minimum, one outside its
/// enum, text where it wants a number.
fn forbidden_values(schema: &Value) -> Vec<Value> {
    let schema = schema
        .get("anyOf")
        .and_then(|parts| parts.get(0))
        .unwrap_or(schema);
    let mut out = Vec::new();
    if let Some(max) = schema.get("maximum").and_then(Value::as_i64) {
        out.push(json!(max + 1));
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_i64) {
        out.push(json!(min - 1));
    }
    if schema.get("enum").is_some() {
        out.push(json!("not-a-listed-value"));
    }
    if matches!(
        schema.get("type").and_then(Value::as_str),
        Some("integer" | "number")
    ) {
        out.push(json!("twelve"));
    }
    out
}

/// The fakes refuse what the specs forbid. Each query parameter and each top-level body
/// property of the list operation, given a value its schema forbids on an otherwise accepted
/// request, must get a documented 4xx; so must a path no spec has.
#[tokio::test(flavor = "multi_thread")]
async fn the_fakes_refuse_what_the_specs_forbid() {
    let http = reqwest::Client::new();
    for vendor in Vendor::ALL {
        let spec = Spec::load(vendor.as_str());
        let list_op = spec
            .operation_by_id("get_customers")
            .expect("list operation");
        let config = FakeConfig::new(vendor).customers(20).record_exchanges();
        let fake = FakeServer::start(config).await.expect("fake starts");
        let listed: Vec<_> = client(vendor, &fake.base_url(), &fake_env(vendor))
            .list(Query::new())
            .collect()
            .await;
        assert!(listed.iter().all(Result::is_ok), "{vendor}");
        let template = fake
            .exchanges()
            .into_iter()
            .rfind(|e| {
                (200..300).contains(&e.status)
                    && spec
                        .operation(&e.method, &e.path)
                        .is_some_and(|op| op.pointer == list_op.pointer)
            })
            .expect("an accepted list request");
        let origin = format!("http://{}", fake.address());
        // The credentials and content type of the accepted request, not its length.
        let mut headers = template.request_headers.clone();
        headers.remove("content-length");
        headers.remove("host");
        let send = |query: Vec<(String, String)>, body: Vec<u8>| {
            let method = reqwest::Method::from_bytes(template.method.as_bytes()).expect("method");
            http.request(method, format!("{origin}{}", template.path))
                .headers(headers.clone())
                .query(&query)
                .body(body)
                .send()
        };
        let mut probes = Vec::new();
        for ((location, name), pointer) in spec.parameters(&list_op) {
            if location != "query" {
                continue;
            }
            let schema = spec_value(&spec, &format!("{pointer}/schema"));
            for bad in forbidden_values(&schema) {
                let text = bad.as_str().map_or_else(|| bad.to_string(), str::to_owned);
                let mut query: Vec<(String, String)> = template
                    .query
                    .iter()
                    .filter(|(n, _)| *n != name)
                    .cloned()
                    .collect();
                query.push((name.clone(), text.clone()));
                probes.push((
                    format!("query {name}={text}"),
                    query,
                    template.request_body.clone(),
                ));
            }
        }
        if let Some(schema) = spec.request_schema(&list_op).and_then(|p| spec.follow(&p)) {
            let body: Value = serde_json::from_slice(&template.request_body).expect("JSON body");
            let properties = spec_value(&spec, &format!("{schema}/properties"));
            for (name, property) in properties.as_object().into_iter().flatten() {
                for bad in forbidden_values(property) {
                    let mut changed = body.clone();
                    changed[name.as_str()] = bad.clone();
                    let bytes = serde_json::to_vec(&changed).expect("body");
                    probes.push((format!("body {name}={bad}"), template.query.clone(), bytes));
                }
            }
        }
        assert!(!probes.is_empty(), "{vendor}: nothing to probe");
        for (what, query, body) in &probes {
            let status = send(query.clone(), body.clone())
                .await
                .expect("the fake answers")
                .status()
                .as_u16();
            assert!(
                (400..500).contains(&status) && spec.documents_status(&list_op, status),
                "{vendor}: {} with {what} got {status}, not a documented 4xx",
                list_op.name
            );
        }
        println!("{vendor}: {} forbidden values refused", probes.len());

        let response = http
            .get(format!("{origin}{}/no-such-endpoint", spec.base_path()))
            .headers(headers.clone())
            .send()
            .await
            .expect("the fake answers");
        assert_eq!(response.status().as_u16(), 404, "{vendor}: unknown path");
    }
}

fn spec_value(spec: &Spec, pointer: &str) -> Value {
    spec.value(pointer).cloned().unwrap_or(Value::Null)
}

/// The fixtures hold what the specs allow; `drift_*` fixtures must not (they exist to show
/// drift), so a fixture cannot quietly stop showing what it is named for.
#[test]
fn fixtures_fit_the_specs_except_the_drift_ones() {
    let root = xtask::workspace_root().join("crates/customers/tests/fixtures");
    let mut checked = 0;
    for vendor in Vendor::ALL {
        let spec = Spec::load(vendor.as_str());
        let op = spec
            .operation_by_id("get_customers")
            .expect("a get_customers operation");
        let schema = spec.response_schema(&op, 200).expect("a 200 schema");
        let dir = root.join(vendor.as_str());
        for entry in std::fs::read_dir(&dir).expect("fixtures folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("fixture");
            let body: Value = serde_json::from_str(&text).expect("fixture is JSON");
            let errors = spec.errors(&schema, &body);
            if name.starts_with("drift_") {
                assert!(!errors.is_empty(), "{vendor}/{name} shows no drift");
            } else {
                assert!(errors.is_empty(), "{vendor}/{name}:\n{}", errors.join("\n"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} fixtures found");
}

#[test]
fn the_schema_check_fails_on_a_changed_type() {
    // The guard behind the tests above: the same check that passes the fakes fails when a
    // spec says something else.
    let doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
        "A": {"type": "string", "nullable": true},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    }}});
    let spec = Spec::from_document("test", doc);
    let pointer = "/components/schemas/B";
    assert!(spec.errors(pointer, &json!({"a": null})).is_empty());
    assert!(spec.errors(pointer, &json!({"a": "x"})).is_empty());
    assert!(!spec.errors(pointer, &json!({"a": 1})).is_empty());
}

/// The done-when of this check: change a field's type in any spec, leave the fakes alone,
/// and the check fails. For every scalar field the fakes serve, the spec is changed in a
/// copy (string becomes integer, anything else string) and the served pages must no longer
/// fit it.
#[tokio::test(flavor = "multi_thread")]
async fn a_changed_field_type_in_any_spec_is_caught() {
    let root = xtask::workspace_root();
    let entries = xtask::vendors::load(&root).expect("vendor list");
    for vendor in Vendor::ALL {
        let entry = entries
            .iter()
            .find(|e| e.name == vendor.as_str())
            .expect("listed vendor");
        let doc = xtask::spec::effective(&root, entry).expect("spec");
        let config = FakeConfig::new(vendor).customers(30).record_exchanges();
        let records = config.records();
        let fake = FakeServer::start(config).await.expect("fake starts");
        let _ = client(vendor, &fake.base_url(), &fake_env(vendor))
            .list(Query::new())
            .collect::<Vec<_>>()
            .await;
        let pages: Vec<Exchange> = fake
            .exchanges()
            .into_iter()
            .filter(|e| (200..300).contains(&e.status))
            .collect();
        let mut fields: Vec<&String> = records
            .iter()
            .flat_map(|r| r.as_object().into_iter().flatten())
            .filter(|(_, v)| v.is_string() || v.is_number() || v.is_boolean())
            .map(|(k, _)| k)
            .collect();
        fields.sort();
        fields.dedup();
        assert!(fields.len() >= 4, "{vendor}: {fields:?}");
        for field in fields {
            let mut changed = doc.clone();
            let flipped = flip_type(&mut changed, field);
            assert!(flipped > 0, "{vendor}: no schema declares `{field}`");
            let spec = Spec::from_document(vendor.as_str(), changed);
            let caught = pages.iter().any(|e| !exchange_errors(&spec, e).is_empty());
            assert!(
                caught,
                "{vendor}: `{field}` changed type in the spec, yet the fake still fits it"
            );
        }
    }
}

/// Changes the type of every property named `field` in `components.schemas`; returns how
/// many it changed.
fn flip_type(doc: &mut Value, field: &str) -> usize {
    let mut count = 0;
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    for schema in schemas.values_mut() {
        let Some(property) = schema.get_mut("properties").and_then(|p| p.get_mut(field)) else {
            continue;
        };
        let new_type = match property.get("type").and_then(Value::as_str) {
            Some("string") => "integer",
            _ => "string",
        };
        *property = json!({"type": new_type});
        count += 1;
    }
    count
}
