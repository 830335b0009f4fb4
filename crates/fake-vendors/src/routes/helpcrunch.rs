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

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/customers", get(list))
        .route("/customers/search", post(search))
        .route("/customers/{id}", get(one))
}

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"errors": [{"code": "invalid_request", "message": "Invalid request"}, {"code": code, "message": message}]});
    (status, Json(body)).into_response()
}

fn check_key(headers: &HeaderMap) -> Result<(), Response> {
    if bearer(headers) == Some(crate::API_KEY) {
        Ok(())
    } else {
        Err(errors(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
        ))
    }
}

/// Offset and limit, or the vendor's 400.
fn paging(offset: Option<&Value>, limit: Option<&Value>) -> Result<(usize, usize), Response> {
    let number = |v: Option<&Value>, default: u64| match v {
        None => Some(default),
        Some(Value::String(s)) => s.parse().ok(),
        Some(v) => v.as_u64(),
    };
    let offset = number(offset, 0).ok_or_else(|| {
        errors(
            StatusCode::BAD_REQUEST,
            "offset",
            "This value should be of type numeric.",
        )
    })?;
    let limit = number(limit, 100).ok_or_else(|| {
        errors(
            StatusCode::BAD_REQUEST,
            "limit",
            "This value should be of type numeric.",
        )
    })?;
    if !(1..=100).contains(&limit) {
        return Err(errors(
            StatusCode::BAD_REQUEST,
            "limit",
            "This value should be between 1 and 100.",
        ));
    }
    Ok((offset as usize, limit as usize))
}

fn first_seen(record: &Value) -> i64 {
    match &record["firstSeen"] {
        Value::String(s) => s.parse().unwrap_or(0),
        v => v.as_i64().unwrap_or(0),
    }
}

fn page(
    mut matching: Vec<Value>,
    sort: Option<&str>,
    order: Option<&str>,
    offset: usize,
    limit: usize,
) -> Response {
    if sort == Some("customers.firstSeen") {
        matching.sort_by_key(first_seen);
        if order == Some("desc") {
            matching.reverse();
        }
    }
    let total = matching.len();
    Json(json!({"data": window(&matching, offset, limit), "total": total})).into_response()
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
    if let Err(response) = check_key(&headers) {
        return response;
    }
    match paging(params.offset.as_ref(), params.limit.as_ref()) {
        Ok((offset, limit)) => page(
            state.records.clone(),
            params.sort.as_deref(),
            params.order.as_deref(),
            offset,
            limit,
        ),
        Err(response) => response,
    }
}

async fn search(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = check_key(&headers) {
        return response;
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
    let mut matching = state.records.clone();
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
        Err(response) => response,
    }
}

async fn one(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = check_key(&headers) {
        return response;
    }
    match state.records.iter().find(|r| r["id"].to_string() == id) {
        Some(record) => Json(record.clone()).into_response(),
        None => errors(StatusCode::NOT_FOUND, "not_found", "Customer not found"),
    }
}
