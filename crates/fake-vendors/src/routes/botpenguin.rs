//! BotPenguin: `GET /customer/list?page=N&sort=createdAt`, `authtype: Key` and a bearer token.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{SharedState, bearer, header, window};
use crate::BOTPENGUIN_PAGE_SIZE;

pub(super) fn routes() -> Router<SharedState> {
    Router::new().route("/customer/list", get(list))
}

#[derive(Deserialize)]
struct Params {
    page: Option<String>,
}

async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if header(&headers, "authtype") != Some("Key") || bearer(&headers) != Some(crate::API_KEY) {
        let body = json!({"success": false, "message": "Invalid token", "code": 401});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    let page = match params.page.as_deref().map(str::parse::<usize>) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => {
            let body =
                json!({"success": false, "message": "page must be a positive number", "code": 400});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let data = window(
        &state.records,
        (page - 1) * BOTPENGUIN_PAGE_SIZE,
        BOTPENGUIN_PAGE_SIZE,
    );
    Json(json!({"success": true, "message": "", "data": data, "code": 200})).into_response()
}
