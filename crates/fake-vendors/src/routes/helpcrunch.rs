//! HelpCrunch: `GET /customers` (`offset`, `limit` at most 100, `sort`, `order`),
//! `GET /customers/{id}` and `POST /customers/search`, below `/v1`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SharedState, bearer, window};
use crate::data::{CITIES, Person};
use crate::fake::Fake;

/// HelpCrunch's entry in the fakes' registry.
pub(crate) struct FakeHelpCrunch;

impl Fake for FakeHelpCrunch {
    fn base_path(&self) -> &'static str {
        "/v1"
    }

    fn routes(&self) -> Router<SharedState> {
        routes()
    }

    fn credentials(&self) -> &'static [(&'static str, &'static str)] {
        &[("bearer_auth", crate::API_KEY)]
    }

    fn salt(&self) -> u64 {
        0x68656c70
    }

    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value {
        let seen = person.created.timestamp();
        let last = person.updated.timestamp();
        // The vendor's pages disagree on these types; the fake serves all of them.
        let (first_seen, last_seen) = match person.index % 3 {
            0 => (Value::from(seen.to_string()), Value::from(last.to_string())),
            1 => (Value::from(seen), Value::from(last)),
            _ => (Value::from(seen.to_string()), Value::Null),
        };
        // The customer model page allows null `customData` and `location` too.
        let custom_data = match person.index % 4 {
            0 => {
                json!([{"property": "plan", "value": "pro"}, {"property": "seats", "value": rng.u32(1..50)}])
            }
            2 => Value::Null,
            _ => json!({"plan": "basic", "number_of_payments": rng.u32(0..40)}),
        };
        let location = if person.index % 5 == 4 {
            Value::Null
        } else {
            json!({"regionCode": null, "countryCode": "CZ", "city": CITIES[rng.usize(..CITIES.len())]})
        };
        json!({
            "id": 100_000 + person.index,
            "name": person.name(),
            "email": person.email,
            "userId": format!("user-{}", person.index),
            "company": "Example Inc.",
            "phone": format!("+{}", person.phone_digits),
            "firstSeen": first_seen,
            "lastSeen": last_seen,
            "location": location,
            "unsubscribed": rng.bool(),
            "blocked": false,
            "locale": "cs",
            "tags": [{"name": "fake", "color": "#00aa00"}],
            "customData": custom_data,
        })
    }

    fn too_many_requests(&self, _wait_seconds: u64, _limit: u32) -> Response {
        (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"errors": [
                {"code": "invalid_request", "message": "Invalid request"},
                {"code": "too_many_requests", "message": "Too many requests"}
            ]})),
        )
            .into_response()
    }
}

fn routes() -> Router<SharedState> {
    Router::new()
        .route("/customers", get(list))
        .route("/customers/search", post(search))
        .route("/customers/{id}", get(one))
}

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"errors": [{"code": "invalid_request", "message": "Invalid request"}, {"code": code, "message": message}]});
    (status, Json(body)).into_response()
}

fn has_key(headers: &HeaderMap) -> bool {
    bearer(headers) == Some(crate::API_KEY)
}

fn unauthorized() -> Response {
    errors(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
}

/// Offset and limit, or the vendor's 400 as `(code, message)`.
fn paging(
    offset: Option<&Value>,
    limit: Option<&Value>,
) -> Result<(usize, usize), (&'static str, &'static str)> {
    let number = |v: Option<&Value>, default: u64| match v {
        None => Some(default),
        Some(Value::String(s)) => s.parse().ok(),
        Some(v) => v.as_u64(),
    };
    let offset = number(offset, 0).ok_or(("offset", "This value should be of type numeric."))?;
    let limit = number(limit, 100).ok_or(("limit", "This value should be of type numeric."))?;
    if !(1..=100).contains(&limit) {
        return Err(("limit", "This value should be between 1 and 100."));
    }
    Ok((offset as usize, limit as usize))
}

fn bad_paging((code, message): (&str, &str)) -> Response {
    errors(StatusCode::BAD_REQUEST, code, message)
}

fn first_seen(record: &Value) -> i64 {
    match &record["firstSeen"] {
        Value::String(s) => s.parse().unwrap_or(0),
        v => v.as_i64().unwrap_or(0),
    }
}

fn page(
    mut matching: Vec<&Value>,
    sort: Option<&str>,
    order: Option<&str>,
    offset: usize,
    limit: usize,
) -> Response {
    if sort == Some("customers.firstSeen") {
        matching.sort_by_key(|r| first_seen(r));
        if order == Some("desc") {
            matching.reverse();
        }
    }
    let total = matching.len();
    Json(json!({"data": window(matching, offset, limit), "total": total})).into_response()
}

#[derive(Deserialize)]
struct Params {
    offset: Option<Value>,
    limit: Option<Value>,
    sort: Option<String>,
    order: Option<String>,
}

async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if !has_key(&headers) {
        return unauthorized();
    }
    let response = match paging(params.offset.as_ref(), params.limit.as_ref()) {
        Ok((offset, limit)) => page(
            state.served().records.iter().collect(),
            params.sort.as_deref(),
            params.order.as_deref(),
            offset,
            limit,
        ),
        Err(problem) => bad_paging(problem),
    };
    state.page_served();
    response
}

async fn search(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !has_key(&headers) {
        return unauthorized();
    }
    let Some(filters) = body["filter"].as_array() else {
        return errors(
            StatusCode::BAD_REQUEST,
            "filter",
            "This value should not be blank.",
        );
    };
    let field = |name: &str| match name {
        "customers.email" => Some("email"),
        "customers.userId" => Some("userId"),
        "customers.name" => Some("name"),
        _ => None,
    };
    let served = state.served();
    let mut matching: Vec<&Value> = served.records.iter().collect();
    for (i, filter) in filters.iter().enumerate() {
        let Some(key) = filter["field"].as_str().and_then(field) else {
            return errors(
                StatusCode::BAD_REQUEST,
                &format!("filter[{i}].field"),
                "This value is not valid.",
            );
        };
        matching.retain(|r| r[key] == filter["value"]);
    }
    match paging(body.get("offset"), body.get("limit")) {
        Ok((offset, limit)) => page(
            matching,
            body["sort"].as_str(),
            body["order"].as_str(),
            offset,
            limit,
        ),
        Err(problem) => bad_paging(problem),
    }
}

async fn one(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !has_key(&headers) {
        return unauthorized();
    }
    match state
        .served()
        .records
        .iter()
        .find(|r| r["id"].as_u64().is_some_and(|n| n.to_string() == id))
    {
        Some(record) => Json(record.clone()).into_response(),
        None => errors(StatusCode::NOT_FOUND, "not_found", "Customer not found"),
    }
}
