//! Gleantap: `POST /v2/ExternalApi/getCustomers` with `X-API-KEY`, `X-SECRET-KEY` and a JSON
//! body (`app_id` required, `limit` at most 1000).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{SharedState, header, window};
use crate::data::{CITIES, Person, hex};
use crate::fake::Fake;

/// Gleantap's entry in the fakes' registry.
pub(crate) struct FakeGleantap;

impl Fake for FakeGleantap {
    fn base_path(&self) -> &'static str {
        ""
    }

    fn routes(&self) -> Router<SharedState> {
        routes()
    }

    fn credentials(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("api_key", crate::API_KEY),
            ("secret_key", crate::SECRET_KEY),
            ("app_id", crate::APP_ID),
        ]
    }

    fn salt(&self) -> u64 {
        0x676c6561
    }

    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value {
        json!({
            "id": hex(rng, 24),
            "firstname": person.first,
            "lastname": person.last,
            "email": person.email,
            "phone": format!("+{}", person.phone_digits),
            "last_location": CITIES[rng.usize(..CITIES.len())],
            "email_optout": rng.u32(0..2),
            "sms_optout": rng.u32(0..2),
            // Both forms Gleantap is known to write (vendors.md): RFC 3339, and the
            // create-or-update page's `YYYY-MM-DD HH:MM:SS` on every third member.
            "created_date": person.created.format(if person.index % 3 == 2 {
                "%Y-%m-%d %H:%M:%S"
            } else {
                "%Y-%m-%dT%H:%M:%SZ"
            }).to_string(),
        })
    }

    fn too_many_requests(&self, _wait_seconds: u64, _limit: u32) -> Response {
        (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response()
    }
}

fn routes() -> Router<SharedState> {
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
    // `updated_since` is a date (vendors.md): members changed on or after that day.
    let since = match body.get("updated_since") {
        None | Some(Value::Null) => None,
        Some(value) => match value
            .as_str()
            .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        {
            Some(date) => Some(date),
            None => return bad_request("updated_since must be a date (YYYY-MM-DD)"),
        },
    };
    let served = state.served();
    let matching: Vec<&Value> = served
        .records
        .iter()
        .zip(&served.changed_at)
        .filter(|(_, changed)| since.is_none_or(|since| changed.date_naive() >= since))
        .map(|(record, _)| record)
        .filter(|r| body.get("_id").is_none_or(|id| &r["id"] == id))
        .filter(|r| body.get("email").is_none_or(|email| &r["email"] == email))
        .collect();
    let body = json!({"members": window(matching, offset as usize, limit as usize)});
    drop(served);
    state.page_served();
    Json(body).into_response()
}
