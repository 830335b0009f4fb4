//! Gleantap: `POST /v2/ExternalApi/getCustomers` with `X-API-KEY`, `X-SECRET-KEY` and a JSON
//! body (`app_id` required, `limit` at most 1000).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{SharedState, header, window};

pub(super) fn routes() -> Router<SharedState> {
    Router::new().route("/v2/ExternalApi/getCustomers", post(list))
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": false, "message": message})),
    )
        .into_response()
}

async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if header(&headers, "x-api-key") != Some(crate::API_KEY)
        || header(&headers, "x-secret-key") != Some(crate::SECRET_KEY)
    {
        let body = json!({"status": false, "message": "Invalid API credentials"});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The body must be JSON");
    };
    if body["app_id"] != crate::APP_ID {
        return bad_request("Invalid or missing app_id");
    }
    let number = |key: &str, default: u64| body.get(key).map_or(Some(default), Value::as_u64);
    let (Some(limit), Some(offset)) = (number("limit", 1000), number("offset", 0)) else {
        return bad_request("limit and offset must be numbers");
    };
    if limit > 1000 {
        return bad_request("limit may not be greater than 1000");
    }
    let matching: Vec<&Value> = state
        .records
        .iter()
        .filter(|r| body.get("_id").is_none_or(|id| &r["id"] == id))
        .filter(|r| body.get("email").is_none_or(|email| &r["email"] == email))
        .collect();
    Json(json!({"members": window(matching, offset as usize, limit as usize)})).into_response()
}
