//! Hoko: `GET /api/customers` with `id`, `externalId`, `take` (1..=10000), `skip`, `sort`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SharedState, header, window};

pub(super) fn routes() -> Router<SharedState> {
    Router::new().route("/api/customers", get(list))
}

#[derive(Deserialize)]
struct Params {
    id: Option<String>,
    #[serde(rename = "externalId")]
    external_id: Option<String>,
    take: Option<String>,
    skip: Option<String>,
    sort: Option<String>,
}

fn error(status: StatusCode, en: &str, ar: &str) -> Response {
    (status, Json(json!({"error": {"en": en, "ar": ar}}))).into_response()
}

async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    // A bare key is accepted as well as a bearer token.
    let key = header(&headers, "authorization").map(|v| v.strip_prefix("Bearer ").unwrap_or(v));
    if key != Some(crate::API_KEY) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Invalid API key",
            "مفتاح API غير صالح",
        );
    }
    let take = match params.take.as_deref().map(str::parse::<usize>) {
        None => 50,
        Some(Ok(take)) if (1..=10_000).contains(&take) => take,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "take must be between 1 and 10000",
                "يجب أن تكون قيمة take بين 1 و 10000",
            );
        }
    };
    let skip = match params.skip.as_deref().map(str::parse::<usize>) {
        None => 0,
        Some(Ok(skip)) => skip,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "skip must be a number",
                "يجب أن تكون skip رقمًا",
            );
        }
    };
    let mut matching: Vec<&Value> = state
        .records
        .iter()
        .filter(|r| params.id.as_deref().is_none_or(|id| r["id"] == id))
        .filter(|r| {
            params
                .external_id
                .as_deref()
                .is_none_or(|id| r["externalId"] == id)
        })
        .collect();
    // Records are in creation order; the default is newest first.
    if params.sort.as_deref() != Some("asc") {
        matching.reverse();
    }
    let page = window(matching, skip, take);
    Json(Value::Array(page)).into_response()
}
