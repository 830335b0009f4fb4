//! Hoko: `GET /api/customers` with `id`, `externalId`, `take` (1..=10000), `skip`, `sort`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SharedState, header, window};
use crate::data::{Person, hex};
use crate::fake::Fake;

/// Hoko's entry in the fakes' registry.
pub(crate) struct FakeHoko;

impl Fake for FakeHoko {
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
        0x686f6b6f
    }

    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value {
        let id = format!(
            "{}-{}-4{}-a{}-{}",
            hex(rng, 8),
            hex(rng, 4),
            hex(rng, 3),
            hex(rng, 3),
            hex(rng, 12)
        );
        json!({
            "id": id,
            "externalId": if person.index % 7 == 3 { Value::Null } else { format!("ext-{}", person.index).into() },
            "name": person.name(),
            "email": person.email,
            "phone": format!("+{}", person.phone_digits),
            "avatar": if rng.bool() { format!("https://cdn.example.com/avatars/{}.jpg", person.index).into() } else { Value::Null },
            "createdAt": person.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "updatedAt": person.updated.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        })
    }

    fn newest_first(&self) -> bool {
        // `sort` defaults to `desc` on createdAt.
        true
    }

    fn too_many_requests(&self, wait_seconds: u64, limit: u32) -> Response {
        let body = json!({"error": {"en": "Rate limit exceeded", "ar": "تم تجاوز حد المعدل"}, "retryAfter": wait_seconds});
        (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("x-ratelimit-limit", limit.to_string()),
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", wait_seconds.to_string()),
            ],
            Json(body),
        )
            .into_response()
    }
}

fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/customers", get(list))
        .fallback(unknown_endpoint)
}

/// Hoko answers 404 on unknown endpoints (vendors.md); the body's form is not documented,
/// so the fake uses the vendor's error envelope.
async fn unknown_endpoint() -> Response {
    error(StatusCode::NOT_FOUND, "Not found", "غير موجود")
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
    let served = state.served();
    let mut matching: Vec<&Value> = served
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
    drop(served);
    state.page_served();
    Json(Value::Array(page)).into_response()
}
