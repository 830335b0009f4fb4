//! BotPenguin: `GET /customer/list?page=N&sort=createdAt`, `authtype: Key` and a bearer token.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SharedState, bearer, header, window};
use crate::data::{Person, hex};
use crate::fake::Fake;

/// BotPenguin's page size is not documented; the fake's is this.
const PAGE_SIZE: usize = 20;

/// BotPenguin's entry in the fakes' registry.
pub(crate) struct FakeBotPenguin;

impl Fake for FakeBotPenguin {
    fn base_path(&self) -> &'static str {
        ""
    }

    fn routes(&self) -> Router<SharedState> {
        routes()
    }

    fn credentials(&self) -> &'static [(&'static str, &'static str)] {
        &[("bearer_auth", crate::API_KEY)]
    }

    fn salt(&self) -> u64 {
        0x626f7470
    }

    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value {
        let ms = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        json!({
            "_id": hex(rng, 24),
            "name": person.name(),
            "contact": {"email": person.email},
            "verified": rng.bool(),
            "status": if person.index % 9 == 4 { "INACTIVE" } else { "ACTIVE" },
            "subscriptionType": "v2",
            "createdAt": ms(person.created),
            "updatedAt": ms(person.updated),
            "lastLogin": ms(person.updated),
        })
    }

    fn id_field(&self) -> &'static str {
        "_id"
    }

    fn too_many_requests(&self, _wait_seconds: u64, _limit: u32) -> Response {
        (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"success": false, "message": "Too many requests", "code": 429})),
        )
            .into_response()
    }
}

fn routes() -> Router<SharedState> {
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
    let data = window(&state.served().records, (page - 1) * PAGE_SIZE, PAGE_SIZE);
    state.page_served();
    Json(json!({"success": true, "message": "", "data": data, "code": 200})).into_response()
}
